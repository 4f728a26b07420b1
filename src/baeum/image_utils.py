"""Image files <-> arrays, as Keras 3's `keras.utils` image helpers (Pillow does the work).

    image = baeum.utils.load_img("cat.jpg", target_size=(180, 180))   # a PIL image
    x = baeum.utils.img_to_array(image)              # float32 (180, 180, 3), values 0..255
    model.predict(x[None])                           # a batch of one image
    baeum.utils.save_img("out.png", x)               # an array back to a file
    image = baeum.utils.array_to_img(x)              # an array back to a PIL image

Arrays are channels-last (height, width, channels) unless data_format="channels_first"
says (channels, height, width). Pillow is an optional dependency: `pip install
baeum[images]` (or `pip install pillow`); it is imported only when one of these runs.

>>> import os, tempfile
>>> import numpy as np
>>> folder = tempfile.TemporaryDirectory()
>>> path = os.path.join(folder.name, "gradient.png")
>>> pixels = np.arange(2 * 3 * 3, dtype="float32").reshape(2, 3, 3) * 10   # 0..170
>>> save_img(path, pixels, scale=False)          # 2 rows, 3 columns, RGB
>>> image = load_img(path)
>>> image.size, image.mode                       # PIL sizes are (width, height)
((3, 2), 'RGB')
>>> x = img_to_array(image)
>>> x.shape, x.dtype, bool((x == pixels).all())
((2, 3, 3), dtype('float32'), True)
>>> img_to_array(load_img(path, color_mode="grayscale")).shape
(2, 3, 1)
>>> folder.cleanup()
"""

import io
import os
import pathlib
import warnings

import numpy as np

from baeum import backend

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img"]

COLOR_MODES = {"grayscale": 1, "rgb": 3, "rgba": 4}
DATA_FORMATS = ("channels_last", "channels_first")
# load_img's resampling filters: Pillow's, as Keras's load_img has them.
PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def pil_image_module(what="this function"):
    """PIL.Image, imported on first use, or an ImportError that says how to install it."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError(
            f"{what} reads and writes image files with Pillow, which is not installed: "
            "pip install baeum[images]  (or: pip install pillow)") from e
    return Image


def standardize_data_format(data_format):
    """None -> "channels_last" (baeum's layout); otherwise one of DATA_FORMATS, or an error."""
    if data_format is None:
        return "channels_last"
    data_format = str(data_format).lower()
    if data_format not in DATA_FORMATS:
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return data_format


def check_color_mode(color_mode):
    """The number of channels of a color mode ("grayscale" 1, "rgb" 3, "rgba" 4)."""
    if color_mode not in COLOR_MODES:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode!r}")
    return COLOR_MODES[color_mode]


def convert_color(image, color_mode):
    """A PIL image in color_mode: "grayscale" keeps 8-, 16- and 32-bit gray images (modes L,
    I;16, I) and turns the others into 8-bit gray L; "rgb" gives RGB; "rgba" gives RGBA."""
    if color_mode == "grayscale":
        return image if image.mode in ("L", "I;16", "I") else image.convert("L")
    mode = color_mode.upper()
    return image if image.mode == mode else image.convert(mode)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Read an image file into a PIL image, as `keras.utils.load_img`.

    path: a file path (str, bytes or os.PathLike) or an io.BytesIO.
    color_mode: "rgb" (default), "rgba" or "grayscale" (8-bit L, or the file's 16/32-bit
        gray).
    target_size: None (the file's size) or (height, width) to resize to, with
        `interpolation`: "nearest" (default), "bilinear", "bicubic", "hamming", "box" or
        "lanczos" (Pillow's filters).
    keep_aspect_ratio: crop the largest centred window with target_size's aspect ratio
        before resizing, instead of stretching the image.

    Returns a PIL.Image.Image; `img_to_array` makes it a (height, width, channels) array.
    The whole file is read and closed at once.
    """
    Image = pil_image_module("load_img")
    if isinstance(path, io.BytesIO):
        image = Image.open(path)
    elif isinstance(path, (str, bytes, os.PathLike)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            image = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode not in COLOR_MODES:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba", '
                         f"got color_mode={color_mode!r}")
    image = convert_color(image, color_mode)
    if target_size is None:
        return image
    size = check_size(target_size, "target_size")
    width_height = (size[1], size[0])
    if image.size == width_height:
        return image
    if interpolation not in PIL_INTERPOLATIONS:
        raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported "
                         f"methods are {', '.join(PIL_INTERPOLATIONS)}")
    resample = getattr(Image.Resampling, interpolation.upper())
    if not keep_aspect_ratio:
        return image.resize(width_height, resample)
    width, height = image.size
    target_width, target_height = width_height
    crop_height = min(height, (width * target_height) // target_width)
    crop_width = min(width, (height * target_width) // target_height)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    box = (left, top, left + crop_width, top + crop_height)
    return image.resize(width_height, resample, box=box)


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image (or anything np.asarray takes) -> a 3-D array, as `keras.utils.img_to_array`.

    (height, width, channels), or (channels, height, width) with
    data_format="channels_first"; a gray image gets a channel axis of 1. dtype: default
    baeum's float dtype (float32); the values stay the pixels' (0..255 for 8-bit images).
    """
    data_format = standardize_data_format(data_format)
    x = np.asarray(img, dtype=backend.get_floatx() if dtype is None else dtype)
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]
    raise ValueError(f"Unsupported image shape: {x.shape} (expected (height, width) or "
                     "(height, width, channels))")


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3-D array -> a PIL image, as `keras.utils.array_to_img`.

    x: (height, width, channels) (or (channels, height, width) with
        data_format="channels_first") with 1 (gray L; 32-bit I if values exceed 255),
        3 (RGB) or 4 (RGBA) channels.
    scale: stretch the values to 0..255 (min -> 0, max -> 255) first, as Keras does by
        default; scale=False keeps them (they must then be in 0..255, and are truncated to
        integers).
    """
    Image = pil_image_module("array_to_img")
    data_format = standardize_data_format(data_format)
    x = np.array(x, dtype=backend.get_floatx() if dtype is None else dtype)
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). "
                         f"Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:   # 32-bit signed integer grayscale
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels} (expected 1, 3 or 4, with "
                     f"the channels {'first' if data_format == 'channels_first' else 'last'})")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write an array to an image file, as `keras.utils.save_img`.

    path: a file path or a file object (then give file_format, e.g. "png").
    x: an array for `array_to_img` (data_format and scale as there).
    file_format: None: from the file name's extension; "jpg" means "jpeg".
    kwargs: passed to PIL's Image.save (e.g. quality=95 for JPEG).
    An RGBA image written as JPEG (which has no alpha) becomes RGB, with a warning.
    """
    data_format = standardize_data_format(data_format)
    if file_format is not None and file_format.lower() == "jpg":
        file_format = "jpeg"
    image = array_to_img(x, data_format=data_format, scale=scale)
    if file_format is not None:
        is_jpeg = file_format.lower() == "jpeg"
    else:
        is_jpeg = (isinstance(path, (str, os.PathLike))
                   and os.path.splitext(os.fspath(path))[1].lower() in (".jpg", ".jpeg"))
    if image.mode == "RGBA" and is_jpeg:
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.",
                      stacklevel=2)
        image = image.convert("RGB")
    image.save(path, format=file_format, **kwargs)


def check_size(size, name):
    """(height, width) of positive ints from an int or a pair, or Keras's error."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (size, size)
    if (not isinstance(size, (list, tuple)) or len(size) != 2
            or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0
                       for s in size)):
        raise ValueError(f"Invalid `{name}` value. Expected a tuple of 2 positive integers "
                         f"(height, width). Received: {name}={size!r}")
    return int(size[0]), int(size[1])
