"""Image preprocessing and augmentation layers, as Keras 3 has them: Resizing and CenterCrop,
and the random ones RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomCrop,
RandomContrast and RandomBrightness.

    model = Sequential([
        Input((32, 32, 3)),
        RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.1),   # only in fit
        Rescaling(1 / 255),
        Conv2D(32, 3, activation="relu"), ...])

Images are channels-last: a batch (batch, height, width, channels) or one image (height,
width, channels); data_format="channels_first" takes (batch, channels, height, width).
Integer pixels (uint8) come out as floats of the layer's dtype (float32 by default).

The random layers change images in training (fit, or a call with training=True) and are
the identity in evaluate and predict, or with training=False (RandomCrop resizes then:
see its docstring). As in Keras 3, their call's default is training=True: called on
their own, or in `model(x)` with no flag, they augment (`ds.map(lambda x, y:
(augment(x), y))` in Keras's tutorials relies on it). Each
draws from baeum's global generator, which `baeum.random.seed(n)` fixes, or, given `seed`,
from a stream of its own. Every output is differentiable with respect to the input.

RandomRotation, RandomTranslation and RandomZoom share `affine_transform`: each output
pixel reads the input at an affinely moved position, between pixels with bilinear weights
(or the nearest pixel), and outside the image as `fill_mode` says:

    "reflect"   (d c b a | a b c d | d c b a)   mirrored about the edge (the default)
    "wrap"      (a b c d | a b c d | a b c d)   continued from the opposite edge
    "constant"  (k k k k | a b c d | k k k k)   k = fill_value
    "nearest"   (a a a a | a b c d | d d d d)   the edge pixel repeated

>>> import numpy as np
>>> from baeum.layers import RandomFlip
>>> image = np.array([[[1.0], [2.0], [3.0]]])             # one 1x3 image, one channel
>>> flip = RandomFlip("horizontal", seed=0)
>>> flip(image, training=False).data[..., 0].tolist()      # predict/evaluate: unchanged
[[1.0, 2.0, 3.0]]
>>> sorted({tuple(flip(image, training=True).data.ravel().tolist()) for _ in range(20)})
[(1.0, 2.0, 3.0), (3.0, 2.0, 1.0)]
"""

import math
import numbers

import numpy as np

from baeum import random
from baeum.layers.layer import Layer
from baeum.ops.elementwise import clip, where
from baeum.ops.shaping import pad

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")
DATA_FORMATS = ("channels_last", "channels_first")
FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


# --- the sampling the geometric layers share -----------------------------------------------

def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0):
    """Each output pixel (x, y) reads the input at (x', y'), a transform of its position.

    images: Tensor (batch, height, width, channels); the output has the same shape.
    transform: (batch, 8) or (8,) numbers [a0, a1, a2, b0, b1, b2, c0, c1], Keras's (and
        TF's) form, mapping each *output* point to the *input* point it reads:
            x' = a0 x + a1 y + a2,    y' = b0 x + b1 y + b2     (x the column, y the row)
        c0 and c1 (a projective part) must be 0.
    interpolation: "bilinear" mixes the four pixels around (x', y') with weights
        (1 - dy)(1 - dx), (1 - dy) dx, dy (1 - dx), dy dx; "nearest" takes
        the pixel at floor(x' + 0.5), floor(y' + 0.5).
    fill_mode, fill_value: what the pixels outside the image are (see the module docstring).
        The image is extended pixel by pixel, then interpolated: with "wrap", positions
        between the last and the first pixel mix the two (as Keras's JAX and NumPy
        backends; TF's clamps them to the last pixel).

    Every output gathers its pixels from the whole batch at once (one fancy index into
    the flattened images), so it is differentiable with respect to `images`.

    >>> import baeum, numpy as np
    >>> row = baeum.tensor(np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 1, 4, 1))
    >>> shift_right = [1, 0, -1, 0, 1, 0, 0, 0]                # x' = x - 1
    >>> affine_transform(row, shift_right, fill_mode="constant").data.ravel().tolist()
    [0.0, 1.0, 2.0, 3.0]
    >>> affine_transform(row, shift_right, fill_mode="wrap").data.ravel().tolist()
    [4.0, 1.0, 2.0, 3.0]
    """
    if interpolation not in INTERPOLATIONS or fill_mode not in FILL_MODES:
        raise ValueError(f"affine_transform: interpolation must be one of {INTERPOLATIONS} and "
                         f"fill_mode one of {FILL_MODES}, got {interpolation!r} and "
                         f"{fill_mode!r}")
    n, h, w, c = images.shape
    transform = np.asarray(transform, np.float64).reshape(-1, 8)
    if transform.shape[0] not in (1, n):
        raise ValueError(f"affine_transform: {transform.shape[0]} transforms for a batch of "
                         f"{n} images; give one, or one per image")
    if np.any(transform[:, 6:] != 0):
        raise ValueError("affine_transform: projective transforms (c0, c1 not 0) are not "
                         "supported")
    matrices = np.broadcast_to(transform[:, :6].reshape(-1, 2, 3), (n, 2, 3))
    rows, cols = np.mgrid[0:h, 0:w]
    grid = np.stack([cols, rows, np.ones((h, w))])             # (3, h, w): x, y, 1
    x_read, y_read = np.einsum("nij,jhw->inhw", matrices, grid)  # (n, h, w) each

    # The pixels each output reads, (k, n, h, w) for k = 1 (nearest) or 4 (bilinear).
    if interpolation == "nearest":
        ys, xs = np.floor(y_read + 0.5)[None], np.floor(x_read + 0.5)[None]
        weights = np.ones_like(ys)
    else:
        y0, x0 = np.floor(y_read), np.floor(x_read)
        dy, dx = y_read - y0, x_read - x0
        ys = np.stack([y0, y0, y0 + 1, y0 + 1])
        xs = np.stack([x0, x0 + 1, x0, x0 + 1])
        weights = np.stack([(1 - dy) * (1 - dx), (1 - dy) * dx, dy * (1 - dx), dy * dx])
    ys, y_inside = _fill_index(ys.astype(np.intp), h, fill_mode)
    xs, x_inside = _fill_index(xs.astype(np.intp), w, fill_mode)
    fill = None
    if fill_mode == "constant":
        inside = y_inside & x_inside
        if fill_value:
            # The share of each output that comes from outside the image.
            fill = (fill_value * (weights * ~inside).sum(axis=0))[..., None]
        weights = weights * inside
    flat = (np.arange(n)[:, None, None] * h + ys) * w + xs      # rows of the (n*h*w, c) view
    pixels = images.reshape(n * h * w, c)[flat.reshape(-1)].reshape(*flat.shape, c)
    out = (pixels * weights[..., None].astype(images.dtype)).sum(axis=0)
    return out if fill is None else out + fill.astype(images.dtype)


def _fill_index(index, size, fill_mode):
    """Integer positions along an axis of `size` pixels, moved inside as fill_mode says.
    Returns the positions and, for "constant", which of them were inside (else None)."""
    if fill_mode == "reflect":
        # d c b a | a b c d | d c b a: period 2*size, its second half mirrored.
        index = np.mod(index, 2 * size)
        return np.where(index < size, index, 2 * size - 1 - index), None
    if fill_mode == "wrap":
        return np.mod(index, size), None
    clipped = np.clip(index, 0, size - 1)
    if fill_mode == "nearest":
        return clipped, None
    return clipped, clipped == index


# --- resizing and cropping, shared by Resizing, CenterCrop and RandomCrop -------------------

def resize(images, height, width, interpolation="bilinear"):
    """images (batch, h, w, channels) -> (batch, height, width, channels), Keras's resize.

    Half-pixel centres, as TF's and Keras's resize (and torch's interpolate with
    align_corners=False, antialias=False): output pixel i along an axis of `size` input
    pixels sits at input position
        bilinear: s = (i + 0.5) * size / new_size - 0.5, clamped to [0, size - 1], and mixes
                  pixels floor(s) and floor(s) + 1 with weights 1 - frac(s), frac(s);
        nearest:  pixel floor((i + 0.5) * size / new_size) (torch's "nearest-exact";
                  torch's "nearest" is floor(i * size / new_size)).
    Rows and columns are resized one after the other. No antialiasing: a downscale by
    more than 2 skips pixels, as Keras's Resizing does by default.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"resize: interpolation must be one of {INTERPOLATIONS}, "
                         f"got {interpolation!r}")
    return _resize_axis(_resize_axis(images, 1, height, interpolation), 2, width,
                        interpolation)


def _resize_axis(images, axis, new_size, interpolation):
    size = images.shape[axis]
    if size == new_size:
        return images
    where_read = [slice(None)] * images.ndim
    scale = size / new_size
    if interpolation == "nearest":
        where_read[axis] = np.minimum(np.floor((np.arange(new_size) + 0.5) * scale),
                                      size - 1).astype(np.intp)
        return images[tuple(where_read)]
    source = np.clip((np.arange(new_size) + 0.5) * scale - 0.5, 0, size - 1)
    lower = np.floor(source).astype(np.intp)
    upper = np.minimum(lower + 1, size - 1)
    frac_shape = [1] * images.ndim
    frac_shape[axis] = new_size
    frac = (source - lower).astype(images.dtype).reshape(frac_shape)
    where_read[axis] = lower
    below = images[tuple(where_read)]
    where_read[axis] = upper
    above = images[tuple(where_read)]
    # below * (1 - frac) + above * frac, not below + (above - below) * frac: exact at frac 0 or 1.
    return below * (1 - frac) + above * frac


def _crop_to_aspect_ratio(images, height, width):
    """The largest centred window of the images with the aspect ratio height : width."""
    _, h, w, _ = images.shape
    crop_h = max(min(h, int(w * height / width)), 1)
    crop_w = max(min(w, int(h * width / height)), 1)
    top, left = (h - crop_h) // 2, (w - crop_w) // 2
    return images[:, top:top + crop_h, left:left + crop_w]


def _pad_to_aspect_ratio(images, height, width, fill_value):
    """Pad the short side evenly (fill_value) to the aspect ratio height : width."""
    _, h, w, _ = images.shape
    pad_rows = (max(h, int(w * height / width)) - h) // 2
    pad_cols = (max(w, int(h * width / height)) - w) // 2
    if pad_rows > 0:
        return pad(images, ((0, 0), (pad_rows, pad_rows), (0, 0), (0, 0)), value=fill_value)
    if pad_cols > 0:
        return pad(images, ((0, 0), (0, 0), (pad_cols, pad_cols), (0, 0)), value=fill_value)
    return images


def _smart_resize(images, height, width):
    """Keras's smart_resize: crop to the target's aspect ratio, then resize bilinearly."""
    return resize(_crop_to_aspect_ratio(images, height, width), height, width)


# --- what every layer here shares ------------------------------------------------------------

class _ImageLayer(Layer):
    """Checks the rank, turns integer pixels into floats, and hands `_transform` a batch
    (batch, height, width, channels) whatever the data_format or the rank, undoing both
    on the way out. Augmentation layers (`augments = True`) are the identity when
    training is False."""

    augments = False

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = "channels_last" if data_format is None else str(data_format).lower()
        self.data_format = _check_choice(self, "data_format", data_format, DATA_FORMATS)

    def call(self, inputs, training=True):
        _check_images_rank(self, inputs.shape)
        if inputs.dtype.kind != "f":
            inputs = inputs.astype(self.dtype)
        if self.augments and not training:
            return inputs
        images = inputs if inputs.ndim == 4 else inputs.expand_dims(0)
        if self.data_format == "channels_first":
            images = images.transpose(0, 2, 3, 1)
        out = self._transform(images, training)
        if self.data_format == "channels_first":
            out = out.transpose(0, 3, 1, 2)
        return out if inputs.ndim == 4 else out.squeeze(0)

    def _transform(self, images, training):
        """(batch, height, width, channels) Tensor -> the same layout, new values."""
        raise NotImplementedError

    def _output_size(self):
        """(height, width) of the outputs, or None when they keep the input's."""
        return None

    def compute_output_shape(self, input_shape):
        _check_images_rank(self, input_shape)
        shape = list(input_shape)
        size = self._output_size()
        if size is not None:
            rows = -2 if self.data_format == "channels_first" else -3
            shape[rows], shape[rows + 1] = size
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class _RandomImageLayer(_ImageLayer):
    """An image layer that draws random numbers: from a stream of its own when `seed` is
    given (the same draws on every run), else from baeum's global generator."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or seed < 0):
            raise ValueError(f"{type(self).__name__} seed must be None or an integer >= 0, "
                             f"got {seed!r}")
        self.seed = None if seed is None else int(seed)
        self._generator = None if seed is None else np.random.default_rng(self.seed)

    def _random(self):
        # The global generator is looked up at each call: baeum.random.seed() replaces it.
        return self._generator or random.get_generator()

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class _AffineAugmentation(_RandomImageLayer):
    """RandomRotation, RandomTranslation, RandomZoom: a random affine transform per image,
    from `_transforms(n, height, width, generator)` -> (n, 8), sampled by affine_transform."""

    augments = True

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.fill_mode = _check_choice(self, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = _check_choice(self, "interpolation", interpolation,
                                           INTERPOLATIONS)
        self.fill_value = _check_number(self, "fill_value", fill_value)

    def _transform(self, images, training):
        n, h, w, _ = images.shape
        transforms = self._transforms(n, h, w, self._random())
        return affine_transform(images, transforms, self.interpolation, self.fill_mode,
                                self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class _SizedImageLayer(_ImageLayer):
    """Resizing, CenterCrop and RandomCrop: outputs of a fixed (height, width)."""

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs)
        self.height = _check_size(self, "height", height)
        self.width = _check_size(self, "width", width)

    def _output_size(self):
        return self.height, self.width

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class _Crop(_SizedImageLayer):
    """CenterCrop and RandomCrop: the (height, width) window from (top, left) =
    `_window_start(h, w, training)` of images at least that large; images smaller than the
    window, or a start of None, are instead cropped to the window's aspect ratio and
    resized (Keras's smart_resize)."""

    def _window_start(self, h, w, training):
        raise NotImplementedError

    def _transform(self, images, training):
        _, h, w, _ = images.shape
        fits = h >= self.height and w >= self.width
        start = self._window_start(h, w, training) if fits else None
        if start is None:
            return _smart_resize(images, self.height, self.width)
        top, left = start
        return images[:, top:top + self.height, left:left + self.width]


# --- the layers ------------------------------------------------------------------------------

class Resizing(_SizedImageLayer):
    """Resize images to (height, width): (batch, h, w, channels) -> (batch, height, width,
    channels).

    interpolation: "bilinear" (half-pixel centres, as Keras/TF, and torch's interpolate with
        align_corners=False) or "nearest" (see `resize` for the formulas).
    crop_to_aspect_ratio: first crop the largest centred window with the target's aspect
        ratio, so nothing is stretched.
    pad_to_aspect_ratio: instead pad the short side evenly with fill_value (fill_mode
        "constant", the only one) to the target's aspect ratio.

    Differentiable with respect to the input (each output is a weighted sum of inputs).

    >>> import numpy as np
    >>> image = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    >>> Resizing(4, 4)(image).data[0, :, :, 0].tolist()
    [[1.0, 1.25, 1.75, 2.0], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3.0, 3.25, 3.75, 4.0]]
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(height, width, data_format=data_format, **kwargs)
        self.interpolation = _check_choice(self, "interpolation", interpolation,
                                           INTERPOLATIONS, also=" (Keras's 'bicubic', "
                                           "'lanczos3', 'lanczos5' are not in baeum)")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        if self.crop_to_aspect_ratio and self.pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of crop_to_aspect_ratio and "
                             "pad_to_aspect_ratio can be True")
        self.fill_mode = _check_choice(self, "fill_mode", fill_mode, ("constant",))
        self.fill_value = _check_number(self, "fill_value", fill_value)

    def _transform(self, images, training):
        if self.crop_to_aspect_ratio:
            images = _crop_to_aspect_ratio(images, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            images = _pad_to_aspect_ratio(images, self.height, self.width, self.fill_value)
        return resize(images, self.height, self.width, self.interpolation)

    def get_config(self):
        return {**super().get_config(), "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value}


class CenterCrop(_Crop):
    """The central (height, width) window of each image: (batch, h, w, channels) ->
    (batch, height, width, channels).

    Rows from (h - height) // 2, columns from (w - width) // 2. An image smaller than the
    target on either side is instead cropped to the target's aspect ratio and resized
    (bilinear), as Keras does.

    >>> import numpy as np
    >>> image = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> CenterCrop(2, 2)(image).data[0, :, :, 0].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(height, width, data_format=data_format, **kwargs)

    def _window_start(self, h, w, training):
        return (h - self.height) // 2, (w - self.width) // 2


class RandomFlip(_RandomImageLayer):
    """Flip each image left-right and/or top-bottom, each with probability 1/2, in training.

    mode: "horizontal" (left-right), "vertical" (top-bottom), or "horizontal_and_vertical"
        (the default; the two flips drawn independently, so an image comes out in one of
        four orientations).
    """

    augments = True

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = _check_choice(self, "mode", mode, FLIP_MODES)

    def _transform(self, images, training):
        generator = self._random()
        if self.mode != "vertical":
            images = _half_of_the_time(generator, images[:, :, ::-1], images)
        if self.mode != "horizontal":
            images = _half_of_the_time(generator, images[:, ::-1], images)
        return images

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class RandomRotation(_AffineAugmentation):
    """Rotate each image about its centre by a random angle, in training.

    factor: a fraction of a full turn (2 pi): a number f for angles in [-f, f] * 2 pi, or a
        (lower, upper) pair; within [-1, 1]. Positive is counter-clockwise (as seen with
        row 0 at the top): factor=(0.25, 0.25) is np.rot90 of each image.
    fill_mode, interpolation, fill_value: see `affine_transform`.

    The output pixel (x, y) reads the input at, with c = cos(angle), s = sin(angle),
        x' = c x - s y + x_offset,  y' = s x + c y + y_offset,
    the offsets keeping the centre ((width - 1) / 2, (height - 1) / 2) in place.

    >>> import numpy as np
    >>> image = np.array([[0.0, 1.0], [2.0, 3.0]]).reshape(2, 2, 1)
    >>> quarter_turn = RandomRotation((0.25, 0.25), interpolation="nearest")
    >>> quarter_turn(image, training=True).data[..., 0].tolist()       # np.rot90(image)
    [[1.0, 3.0], [0.0, 2.0]]
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.factor = list(_factor_bounds(self, "factor", factor))

    def _transforms(self, n, h, w, generator):
        angle = generator.uniform(self.factor[0], self.factor[1], n) * 2 * math.pi
        cos, sin = np.cos(angle), np.sin(angle)
        x_offset = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2
        y_offset = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2
        zeros = np.zeros(n)
        return np.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomTranslation(_AffineAugmentation):
    """Shift each image by a random fraction of its height and width, in training.

    height_factor: a fraction of the height: a number f for shifts in [-f, f] * height, or
        a (lower, upper) pair; within [-1, 1]. Positive moves the image down.
    width_factor: the same for the width; positive moves the image right.
    fill_mode, interpolation, fill_value: see `affine_transform` (what comes in at the
        edges).

    The output pixel (x, y) reads the input at (x - dx, y - dy).

    >>> import numpy as np
    >>> row = np.array([[[1.0], [2.0], [3.0], [4.0]]])                  # one 1x4 image
    >>> one_right = RandomTranslation(0, (0.25, 0.25), fill_mode="constant")
    >>> one_right(row, training=True).data.ravel().tolist()
    [0.0, 1.0, 2.0, 3.0]
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self._height_bounds = _factor_bounds(self, "height_factor", height_factor)
        self._width_bounds = _factor_bounds(self, "width_factor", width_factor)
        self.height_factor = _as_config(height_factor)
        self.width_factor = _as_config(width_factor)

    def _transforms(self, n, h, w, generator):
        dy = generator.uniform(*self._height_bounds, n) * h
        dx = generator.uniform(*self._width_bounds, n) * w
        ones, zeros = np.ones(n), np.zeros(n)
        return np.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomZoom(_AffineAugmentation):
    """Zoom each image in or out about its centre by a random amount, in training.

    height_factor: a number f for zooms in [-f, f], or a (lower, upper) pair; within
        [-1, 1]. Negative zooms in (-0.5: everything twice as tall), positive zooms out
        (0.5: the image shrunk to 2/3 of its height, the border filled as fill_mode says).
    width_factor: the same for the width; None (the default) zooms both axes by the same
        drawn amount, keeping the aspect ratio.
    fill_mode, interpolation, fill_value: see `affine_transform`.

    With z = 1 + the drawn factor, the output pixel (x, y) reads the input at
        x' = z_w x + (width - 1) / 2 * (1 - z_w),  y' = z_h y + (height - 1) / 2 * (1 - z_h).

    >>> import numpy as np
    >>> row = np.array([[[0.0], [10.0], [20.0], [30.0]]])               # one 1x4 image
    >>> twice = RandomZoom((-0.5, -0.5))                                # zoom in 2x
    >>> twice(row, training=True).data.ravel().tolist()
    [7.5, 12.5, 17.5, 22.5]
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self._height_bounds = _factor_bounds(self, "height_factor", height_factor)
        self._width_bounds = None if width_factor is None \
            else _factor_bounds(self, "width_factor", width_factor)
        self.height_factor = _as_config(height_factor)
        self.width_factor = None if width_factor is None else _as_config(width_factor)

    def _transforms(self, n, h, w, generator):
        zoom_h = 1 + generator.uniform(*self._height_bounds, n)
        zoom_w = zoom_h if self._width_bounds is None \
            else 1 + generator.uniform(*self._width_bounds, n)
        zeros = np.zeros(n)
        return np.stack([zoom_w, zeros, (w - 1) / 2 * (1 - zoom_w),
                         zeros, zoom_h, (h - 1) / 2 * (1 - zoom_h), zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomCrop(_Crop, _RandomImageLayer):
    """A random (height, width) window of the images in training; resized whole images
    otherwise. (batch, h, w, channels) -> (batch, height, width, channels).

    In training, the window starts at a random row in [0, h - height] and column in
    [0, w - width], the same for every image of the batch (as Keras). In predict and
    evaluate, and in training for images smaller than the window, the largest centred
    window with the target's aspect ratio is resized (bilinear) to (height, width), as
    Keras documents: then a 10x10 image with RandomCrop(8, 8) is the whole image resized
    to 8x8, not its central 8x8 (Resizing(8, 8, crop_to_aspect_ratio=True) does the same).

    >>> import numpy as np
    >>> crop = RandomCrop(2, 3, seed=0)
    >>> crop(np.zeros((5, 4, 4, 1)), training=True).shape
    (5, 2, 3, 1)
    """

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(height, width, seed=seed, data_format=data_format, **kwargs)

    def _window_start(self, h, w, training):
        if not training:
            return None
        generator = self._random()
        return (int(generator.integers(0, h - self.height + 1)),
                int(generator.integers(0, w - self.width + 1)))


class RandomContrast(_RandomImageLayer):
    """Scale each image's deviations from its mean by a random factor, in training:

        outputs = clip((x - mean) * contrast + mean, *value_range)

    with `mean` per image and channel (over height and width), and one `contrast` per
    image drawn from [1 - lower, 1 + upper].

    factor: a number f in [0, 1] (lower = upper = f), or a (lower, upper) pair in [0, 1].
    value_range: the (low, high) range of the pixel values, that outputs are clipped to.

    >>> import numpy as np
    >>> image = np.array([[[100.0], [200.0]]])                          # one 1x2 image
    >>> out = RandomContrast(0.5, seed=0)(image, training=True).data.ravel()
    >>> float(out.mean()), bool(0.5 * 100 <= out[1] - out[0] <= 1.5 * 100)
    (150.0, True)
    """

    augments = True

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = list(_factor_bounds(self, "factor", factor, lowest=0.0))
        self.value_range = _check_value_range(self, value_range)

    def _transform(self, images, training):
        lower, upper = self.factor
        contrast = self._random().uniform(1 - lower, 1 + upper, (images.shape[0], 1, 1, 1))
        mean = images.mean(axis=(1, 2), keepdims=True)
        return clip((images - mean) * contrast.astype(images.dtype) + mean, *self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomBrightness(_RandomImageLayer):
    """Add a random amount to all pixels of each image, in training:

        outputs = clip(x + delta * (high - low), low, high),   (low, high) = value_range

    with one delta per image drawn from [lower, upper].

    factor: a number f for delta in [-f, f], or a (lower, upper) pair; within [-1, 1]
        (-1 makes any image black, 1 white).
    value_range: the (low, high) range of the pixel values: (0, 255) by default, (0, 1)
        for images already rescaled.

    >>> import numpy as np
    >>> image = np.array([[[10.0], [250.0]]])
    >>> RandomBrightness((0.1, 0.1))(image, training=True).data.ravel().tolist()
    [35.5, 255.0]
    """

    augments = True

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = list(_factor_bounds(self, "factor", factor))
        self.value_range = _check_value_range(self, value_range)

    def _transform(self, images, training):
        low, high = self.value_range
        delta = self._random().uniform(*self.factor, (images.shape[0], 1, 1, 1)) * (high - low)
        return clip(images + delta.astype(images.dtype), low, high)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


def _half_of_the_time(generator, changed, images):
    """Per image, `changed` with probability 1/2, else `images` (Tensors (batch, ...))."""
    chosen = generator.random(images.shape[0]) < 0.5
    return where(chosen.reshape(-1, *[1] * (images.ndim - 1)), changed, images)


# --- argument checks -------------------------------------------------------------------------

def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_choice(layer, name, value, choices, also=""):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{type(layer).__name__} {name} must be one of "
                         f"{', '.join(map(repr, choices))}, got {value!r}{also}")
    return value


def _check_number(layer, name, value):
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"{type(layer).__name__} {name} must be a finite number, got {value!r}")
    return float(value)


def _check_size(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{type(layer).__name__} {name} must be a positive integer, "
                         f"got {value!r}")
    return int(value)


def _factor_bounds(layer, name, factor, lowest=-1.0):
    """(lower, upper) from Keras's factor forms: a number f, meaning (-|f|, |f|) (or (f, f)
    for magnitudes, when lowest is 0), or a (lower, upper) pair; all in [lowest, 1]."""
    def error():
        return ValueError(f"{type(layer).__name__} {name} must be a number or a (lower, upper) "
                          f"pair of numbers in [{lowest:g}, 1], got {factor!r}")

    if _is_number(factor):
        if not lowest <= factor <= 1:
            raise error()
        f = abs(float(factor))
        return (-f, f) if lowest < 0 else (f, f)
    if isinstance(factor, (tuple, list)) and len(factor) == 2 \
            and all(_is_number(v) and lowest <= v <= 1 for v in factor):
        lower, upper = sorted(float(v) for v in factor)
        return lower, upper
    raise error()


def _as_config(factor):
    """A factor as given, JSON-friendly (a float, or a list of two)."""
    return float(factor) if _is_number(factor) else [float(v) for v in factor]


def _check_value_range(layer, value_range):
    if not (isinstance(value_range, (tuple, list)) and len(value_range) == 2
            and all(_is_number(v) and math.isfinite(v) for v in value_range)
            and value_range[0] != value_range[1]):
        raise ValueError(f"{type(layer).__name__} value_range must be two different numbers "
                         f"(low, high), e.g. (0, 255) or (0, 1), got {value_range!r}")
    return sorted(float(v) for v in value_range)


def _check_images_rank(layer, shape):
    if len(shape) in (3, 4):
        return
    if layer.data_format == "channels_first":
        batch, one = "(batch, channels, height, width)", "(channels, height, width)"
    else:
        batch, one = "(batch, height, width, channels)", "(height, width, channels)"
    hint = ""
    if len(shape) == 2:
        hint = ": one grayscale image, or a batch of them, needs a channel axis, x[..., None]"
    raise ValueError(f"{type(layer).__name__} '{layer.name}' expects images of shape {batch} "
                     f"or one image {one}, got shape {tuple(shape)}{hint}")
