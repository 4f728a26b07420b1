"""A folder of images or texts, one subfolder per class -> batches for fit, as Keras 3's
`keras.utils.image_dataset_from_directory` and `text_dataset_from_directory`.

    main_directory/
    ...class_a/
    ......a_image_1.jpg
    ......a_image_2.jpg
    ...class_b/
    ......b_image_1.jpg

    train_ds, val_ds = baeum.utils.image_dataset_from_directory(
        "main_directory", validation_split=0.2, subset="both", seed=1337,
        image_size=(180, 180), batch_size=32)
    train_ds.class_names                       # ['class_a', 'class_b']
    for images, labels in train_ds.take(1):   # float32 (32, 180, 180, 3), int32 (32,)
        ...
    model.fit(train_ds, validation_data=val_ds, epochs=25)

Keras returns a tf.data.Dataset; baeum has no tf.data, so these return a
`DirectoryDataset`: a `baeum.utils.PyDataset` whose batch i is `dataset[i]`, an (x, y)
pair of NumPy arrays (x alone with labels=None), with `len()` (the number of batches),
iteration, `take(n)`, `cardinality()`, `.class_names` and `.file_paths`. What differs
from tf.data:
- the batches are NumPy arrays, so a tutorial's `images[i].numpy()` is just `images[i]`;
- there is no map/prefetch/cache/batch/unbatch/repeat (the error says what to do
  instead): put preprocessing and augmentation layers in the model, and let fit's
  `epochs` repeat the data. The files are read and decoded when a batch is asked for,
  in the main thread (no prefetching in the background);
- shuffle=True reshuffles the samples after every complete pass (each epoch of fit, each
  `for` loop that runs to the end), from `seed`; the first pass reads them in the order of
  `.file_paths` (which Keras's shuffle buffer does not promise). `take(n)` is the first n
  batches of the current pass, so two `take(1)` loops see the same batch.
"""

import os

import numpy as np

from baeum.image_utils import (
    check_color_mode,
    check_size,
    convert_color,
    pil_image_module,
    standardize_data_format,
)
from baeum.utils import PyDataset

__all__ = ["image_dataset_from_directory", "text_dataset_from_directory", "DirectoryDataset"]

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
TEXT_FORMATS = (".txt",)
LABEL_MODES = ("int", "categorical", "binary", None)
INTERPOLATIONS = ("bilinear", "nearest")
# Keras's other resize methods (TensorFlow's), which baeum does not have.
KERAS_ONLY_INTERPOLATIONS = ("bicubic", "area", "lanczos3", "lanczos5", "gaussian",
                             "mitchellcubic")

# tf.data methods a tutorial may call, and what to do in baeum instead.
NOT_HERE = {
    "map": "put the preprocessing in the model (Rescaling, RandomFlip, ... layers run "
           "inside fit) or subclass baeum.utils.PyDataset and change the batch in "
           "__getitem__",
    "prefetch": "drop it: the batches are the same without it (baeum reads each batch "
                "when fit asks for it)",
    "cache": "drop it: the batches are the same without it (the files are read again each "
             "epoch)",
    "batch": "pass batch_size=... to the function that made this dataset",
    "unbatch": "pass batch_size=None to the function that made this dataset",
    "rebatch": "pass batch_size=... to the function that made this dataset",
    "shuffle": "shuffle=True (the default) already reshuffles the samples every epoch; "
               "pass seed=... for a reproducible order",
    "repeat": "fit reads the dataset once per epoch: use fit(..., epochs=n)",
    "skip": "index the batches: dataset[i] is batch i",
    "filter": "filter the files before building the dataset",
}


def _print(verbose, message):
    if verbose:
        print(message)


# --- the datasets ----------------------------------------------------------------------------

class _Batches(PyDataset):
    """Iteration, take, cardinality and tf.data's names for a dataset of batches."""

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]
        self._pass_ended()

    def _pass_ended(self):
        """Called when a `for` loop has read every batch."""

    def take(self, count):
        """The first `count` batches (all of them if count is -1 or more than len), as a
        PyDataset: `for images, labels in dataset.take(1):` reads one batch."""
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < -1:
            raise ValueError(f"take: `count` must be an integer >= 0 (or -1 for all), "
                             f"got {count!r}")
        return _Taken(self, len(self) if count == -1 else min(int(count), len(self)))

    def cardinality(self):
        """The number of batches (tf.data's name for len)."""
        return len(self)

    def as_numpy_iterator(self):
        """An iterator over the batches (they are NumPy arrays already)."""
        return iter(self)

    def _check_index(self, index):
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"{type(self).__name__} indices must be integers (batch numbers), "
                            f"got {type(index).__name__}")
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of a {type(self).__name__} of {len(self)} batches")
        return int(index)

    def __getattr__(self, name):
        if name in NOT_HERE:
            raise AttributeError(f"{type(self).__name__} has no {name}() (tf.data.Dataset's): "
                                 f"{NOT_HERE[name]}")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class _Taken(_Batches):
    """The first `count` batches of another dataset (what `take` returns)."""

    def __init__(self, source, count):
        super().__init__()
        self.source, self.count = source, count

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        return self.source[self._check_index(index)]


class DirectoryDataset(_Batches):
    """The files found in a directory, with their labels, read batch by batch.

    What image_dataset_from_directory and text_dataset_from_directory return. Batch i
    (`dataset[i]`, 0 <= i < len(dataset)) is (x, labels), or x alone when there are no
    labels; with batch_size=None, item i is one sample instead of a batch. The labels
    are int32 (batch,) for label_mode="int", float32 (batch, 1) for "binary" and
    float32 (batch, num_classes) one-hot for "categorical". The last batch may be
    smaller. Attributes: `class_names` (None without labels), `file_paths` (in the order
    of the first pass).
    """

    def __init__(self, file_paths, labels, class_names, batch_size, shuffle, seed):
        super().__init__()
        self.file_paths = list(file_paths)
        self.class_names = class_names
        self.batch_size = batch_size
        self._labels = labels
        self._order = np.arange(len(self.file_paths))
        self._rng = np.random.default_rng(seed) if shuffle else None

    def __len__(self):
        n = len(self.file_paths)
        return n if self.batch_size is None else -(-n // self.batch_size)

    def __getitem__(self, index):
        index = self._check_index(index)
        if self.batch_size is None:
            row = self._order[index]
            x = self._load(self.file_paths[row])
            return x if self._labels is None else (x, self._labels[row])
        rows = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        x = self._stack([self._load(self.file_paths[row]) for row in rows])
        return x if self._labels is None else (x, self._labels[rows])

    def on_epoch_end(self):
        """Reshuffle the samples (shuffle=True) for the next epoch."""
        if self._rng is not None:
            self._order = self._rng.permutation(len(self.file_paths))

    def _pass_ended(self):
        self.on_epoch_end()

    def _load(self, path):
        """One sample, read from the file at `path`."""
        raise NotImplementedError

    def _stack(self, samples):
        return np.stack(samples)

    def __repr__(self):
        batches = ("single samples" if self.batch_size is None
                   else f"{len(self)} batches of {self.batch_size}")
        classes = "" if self.class_names is None else f", classes {self.class_names}"
        return (f"<{type(self).__name__}: {len(self.file_paths)} files in {batches}"
                f"{classes}>")


class ImageDirectoryDataset(DirectoryDataset):
    """Images read with Pillow and resized as TensorFlow's resize does (see
    image_dataset_from_directory): float32 (batch, height, width, channels)."""

    def __init__(self, file_paths, labels, class_names, batch_size, shuffle, seed,
                 image_size, color_mode, interpolation, crop_to_aspect_ratio,
                 pad_to_aspect_ratio, data_format):
        super().__init__(file_paths, labels, class_names, batch_size, shuffle, seed)
        self.image_size = image_size
        self.color_mode = color_mode
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.data_format = data_format

    def _load(self, path):
        image = decode_image(path, self.color_mode)
        image = resize_image(image, self.image_size, self.interpolation,
                             self.crop_to_aspect_ratio, self.pad_to_aspect_ratio)
        return image.transpose(2, 0, 1) if self.data_format == "channels_first" else image


class TextDirectoryDataset(DirectoryDataset):
    """Texts read as UTF-8 (see text_dataset_from_directory): a (batch,) array of str."""

    def __init__(self, file_paths, labels, class_names, batch_size, shuffle, seed,
                 max_length):
        super().__init__(file_paths, labels, class_names, batch_size, shuffle, seed)
        self.max_length = max_length

    def _load(self, path):
        return np.str_(read_text(path, self.max_length))

    def _stack(self, samples):
        return np.array(samples, dtype=str)


# --- reading one file ----------------------------------------------------------------------

def decode_image(path, color_mode):
    """The image file at `path` as float32 (height, width, channels), values 0..255, with
    1 ("grayscale"), 3 ("rgb") or 4 ("rgba") channels; a GIF's first frame. 16-bit gray
    images are brought to 0..255 as TensorFlow's decoder does (value // 256)."""
    Image = pil_image_module("image_dataset_from_directory")
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("I;16", "I;16B", "I;16L", "I"):
                image = Image.fromarray((np.asarray(image, np.int64) // 256).clip(0, 255)
                                        .astype(np.uint8), "L")
            image = convert_color(image, color_mode)
            pixels = np.asarray(image, dtype=np.float32)
    except (OSError, ValueError, SyntaxError) as e:   # what Pillow raises on a bad file
        raise ValueError(f"image_dataset_from_directory could not decode the image file "
                         f"{path!r}: {e}. Remove or replace it (Keras's tutorials filter "
                         "such files out first)") from e
    return pixels[:, :, None] if pixels.ndim == 2 else pixels


def resize_image(image, size, interpolation, crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False):
    """(h, w, c) -> float32 (height, width, c), as Keras's TensorFlow pipeline resizes.

    Plain: tf.image.resize (half-pixel centres, no antialiasing). crop_to_aspect_ratio:
    first crop the largest centred window with the aspect ratio height : width (Keras's
    smart_resize). pad_to_aspect_ratio: resize to fit inside (height, width) keeping the
    aspect ratio, then pad with zeros (tf.image.resize_with_pad).
    """
    from baeum.layers.image_preprocessing import resize  # here: keeps utils light to import

    height, width = size
    h, w = image.shape[:2]
    batch = image[None]
    if crop_to_aspect_ratio:
        crop_h = max(min(h, int(float(w * height) / width)), 1)
        crop_w = max(min(w, int(float(h * width) / height)), 1)
        top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
        batch = batch[:, top:top + crop_h, left:left + crop_w]
    elif pad_to_aspect_ratio:
        f32 = np.float32
        ratio = max(f32(w) / f32(width), f32(h) / f32(height))
        new_h, new_w = f32(h) / ratio, f32(w) / ratio
        top = max(0, int(np.floor((f32(height) - new_h) / 2)))
        left = max(0, int(np.floor((f32(width) - new_w) / 2)))
        new_h, new_w = max(1, int(np.floor(new_h))), max(1, int(np.floor(new_w)))
        out = np.zeros((height, width, image.shape[2]), np.float32)
        out[top:top + new_h, left:left + new_w] = resize(batch, new_h, new_w, interpolation)[0]
        return out
    return np.asarray(resize(batch, height, width, interpolation)[0], dtype=np.float32)


def read_text(path, max_length=None):
    """The file at `path` as a str (UTF-8), cut to its first `max_length` bytes as
    tf.strings.substr does (a character the cut splits is dropped)."""
    with open(path, "rb") as f:
        data = f.read()
    cut = max_length is not None and len(data) > max_length
    if cut:
        data = data[:max_length]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if cut and e.end >= len(data) - 3 and e.reason == "unexpected end of data":
            return data[:e.start].decode("utf-8")
        raise ValueError(f"text_dataset_from_directory reads UTF-8 text, but {path!r} is not "
                         f"UTF-8 ({e})") from e


# --- finding the files (Keras's dataset_utils.index_directory) -------------------------------

def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """The files under `directory` whose names end with one of `formats`, with labels.

    labels="inferred": each subfolder (alphanumeric order, hidden ones skipped, or the
    order of `class_names`) is a class, and its files, at any depth, have its index.
    Otherwise the whole tree is listed (labels None, or a list with one label per file).
    Within a folder, files come in alphanumeric order, folders by their path. shuffle:
    one permutation from np.random.RandomState(seed), applied to files and labels alike.
    Returns (file_paths, labels as int32 array or None, class_names).
    """
    directory = os.fspath(directory)
    if not os.path.exists(directory):
        raise FileNotFoundError(f"The directory {directory!r} does not exist")
    if not os.path.isdir(directory):
        raise NotADirectoryError(f"{directory!r} is a file, not a directory of files")
    inferred = isinstance(labels, str) and labels == "inferred"
    if inferred:
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories "
                    f"of the target directory. Expected: {subdirs} (or a subset of it), but "
                    f"received: class_names={class_names}")
            subdirs = list(class_names)   # keep the order given
    else:
        subdirs = [""]
    files, file_labels = [], []
    for label, subdir in enumerate(subdirs):
        top = os.path.join(directory, subdir)
        for root, _, names in sorted(os.walk(top, followlinks=follow_links),
                                     key=lambda walked: walked[0]):
            for name in sorted(names):
                if name.lower().endswith(formats):
                    relative = os.path.relpath(os.path.join(root, name), top)
                    files.append(os.path.join(directory, subdir, relative))
                    file_labels.append(label)
    if inferred:
        class_names = subdirs
        labels = np.array(file_labels, dtype=np.int32)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(files):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(files)} files "
                f"in directory {directory}.")
        labels = np.asarray(labels, dtype=np.int32)
        class_names = [str(label) for label in sorted(set(labels.tolist()))]
    if labels is None:
        _print(verbose, f"Found {len(files)} files.")
    else:
        _print(verbose, f"Found {len(files)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        order = np.arange(len(files))
        np.random.RandomState(seed).shuffle(order)
        files = [files[i] for i in order]
        if labels is not None:
            labels = labels[order]
    return files, labels, class_names


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Keras's checks of validation_split, subset and seed."""
    if validation_split is not None and (
            isinstance(validation_split, bool) or
            not isinstance(validation_split, (int, float, np.floating, np.integer))):
        raise ValueError(f"`validation_split` must be a float between 0 and 1, "
                         f"received: {validation_split!r}")
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, "
                         f"received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely. "
                         f"Received: validation_split={validation_split}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         f"received: {subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and "
            "validation subset.")


def split(paths, labels, validation_split, subset, verbose):
    """The training part (the first files) or the validation part (the last
    int(validation_split * n) files) of the shuffled files, as Keras splits them."""
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    start, stop = (0, len(paths) - n_val) if subset == "training" else (len(paths) - n_val,
                                                                         len(paths))
    _print(verbose, f"Using {stop - start} files for {subset}.")
    return paths[start:stop], None if labels is None else labels[start:stop]


def _check_labels(labels, label_mode, class_names):
    """labels: "inferred", None or one integer per file; class_names only when inferred."""
    if isinstance(labels, str):
        if labels != "inferred":
            raise ValueError(f'`labels` must be "inferred", None, or a list/tuple of integer '
                             f"labels, one per file. Received: labels={labels!r}")
    elif labels is not None:
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same "
                "size as the number of files in the target directory. If you wish to infer "
                "the labels from the subdirectory names in the target directory, pass "
                '`labels="inferred"`. If you wish to get a dataset that only contains the '
                f"samples (no labels), pass `labels=None`. Received: labels={labels!r}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
        array = np.asarray(labels)
        if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
            raise ValueError(f"`labels` must be a flat list of integers, one per file; got "
                             f"an array of shape {array.shape} and dtype {array.dtype}")
        labels = array.astype(np.int32)
    elif class_names is not None:
        raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be "
                         "specified.")
    if label_mode not in LABEL_MODES:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", '
                         f'"binary", or None. Received: label_mode={label_mode!r}')
    return labels


def _encode_labels(labels, label_mode, class_names):
    """int32 (n,) ids -> what label_mode says, after checking they fit it."""
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    num_classes = len(class_names)
    if label_mode in ("binary", "categorical") and labels.size and (
            labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f'label_mode="{label_mode}" needs the labels to be 0..{num_classes - 1} (one per '
            f"class of class_names={class_names}); got labels from {labels.min()} to "
            f"{labels.max()}")
    if label_mode == "binary":
        return labels.astype(np.float32)[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    return labels


def _check_batch_size(batch_size):
    if batch_size is not None and (isinstance(batch_size, bool) or
                                   not isinstance(batch_size, (int, np.integer)) or
                                   batch_size < 1):
        raise ValueError(f"`batch_size` must be a positive integer, or None for single "
                         f"samples. Received: batch_size={batch_size!r}")
    return None if batch_size is None else int(batch_size)


def _from_directory(kind, directory, labels, label_mode, class_names, batch_size, shuffle,
                    seed, validation_split, subset, follow_links, verbose, formats, make):
    """What both functions share: index, split, encode the labels, build the datasets."""
    labels = _check_labels(labels, label_mode, class_names)
    if labels is None or label_mode is None:
        labels = label_mode = None
    batch_size = _check_batch_size(batch_size)
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats, class_names,
                                                 shuffle, seed, follow_links, verbose)
    if labels is not None:
        labels = _encode_labels(labels, label_mode, class_names)
    hint = f"Allowed formats: {formats}"
    if not paths and class_names == []:
        hint += (' (with labels="inferred", the files must be in subdirectories, one per '
                 "class; for files directly in the directory, pass labels=None)")
    if subset == "both":
        parts = [split(paths, labels, validation_split, part, verbose)
                 for part in ("training", "validation")]
        for (part_paths, _), part in zip(parts, ("training", "validation")):
            if not part_paths:
                raise ValueError(
                    f"No {part} {kind} found in directory {directory}: validation_split="
                    f"{validation_split} of the {len(paths)} files found leaves none for "
                    f"{part}. {hint}")
        (train_paths, train_labels), (val_paths, val_labels) = parts
        # As in Keras, the validation part is not shuffled.
        return (make(train_paths, train_labels, class_names, batch_size, shuffle, seed),
                make(val_paths, val_labels, class_names, batch_size, False, seed))
    part_paths, part_labels = split(paths, labels, validation_split, subset, verbose)
    if not part_paths:
        where = "" if subset is None else f" for {subset} (validation_split={validation_split})"
        raise ValueError(f"No {kind} found in directory {directory}{where}. {hint}")
    return make(part_paths, part_labels, class_names, batch_size, shuffle, seed)


# --- the two functions -----------------------------------------------------------------------

def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True):
    """Batches of images and labels from a directory, as Keras's function of this name.

    directory: where the images are: with labels="inferred", one subdirectory per class
        (at any depth inside it); otherwise the directory structure is ignored.
        Image files: .bmp, .gif (first frame), .jpeg, .jpg, .png; other files are skipped.
    labels: "inferred" (from the subdirectories), None (images only), or a list of
        integer labels, one per file, in the order of the sorted file paths.
    label_mode: "int" -> int32 (batch,); "categorical" -> float32 one-hot
        (batch, num_classes); "binary" (exactly 2 classes) -> float32 (batch, 1) of 0/1;
        None -> no labels (the batches are the images alone).
    class_names: with labels="inferred", the subdirectories to use and their order
        (default: all of them, in alphanumeric order).
    color_mode: "rgb" (3 channels), "rgba" (4) or "grayscale" (1).
    batch_size: 32; None gives single samples (height, width, channels).
    image_size: (height, width) every image is resized to (an int for a square).
    shuffle: shuffle the files (from `seed`), and reshuffle after every complete pass;
        False keeps the alphanumeric order.
    seed: an int; required with validation_split and shuffle, so that two calls (subset
        "training" then "validation") split the same shuffled list.
    validation_split: the fraction (0 < v < 1) of the files kept for validation: the last
        int(v * n) of the shuffled files; subset: "training", "validation" or "both"
        (returns (train_dataset, val_dataset); the validation one is not shuffled).
    interpolation: "bilinear" (default) or "nearest" (Keras's other, TensorFlow-only
        methods are not available).
    follow_links: also walk into subdirectories that are symbolic links.
    crop_to_aspect_ratio: crop the largest centred window with image_size's aspect ratio
        first, instead of stretching; pad_to_aspect_ratio: resize to fit and pad with
        zeros instead. At most one of them.
    data_format: None or "channels_last" -> (batch, height, width, channels);
        "channels_first" -> (batch, channels, height, width).
    verbose: print how many files and classes were found.

    Returns a `DirectoryDataset` (a PyDataset for fit/evaluate/predict), or a pair of them
    for subset="both": batch i is (images float32 (batch, height, width, channels) with
    values 0..255, labels), with `.class_names` and `.file_paths`; see this module's
    docstring for what differs from tf.data. Images are decoded with Pillow when their
    batch is read and resized like TensorFlow's tf.image.resize (half-pixel centres, no
    antialiasing), in float32 without rounding; the pixels may still differ by a unit
    from TensorFlow's where the decoders differ (JPEG, and the weights of the conversion
    from color to grayscale).

    >>> import os, tempfile
    >>> import numpy as np
    >>> from baeum.utils import save_img
    >>> folder = tempfile.TemporaryDirectory()
    >>> for name, gray in [("cat", 50), ("dog", 200)]:
    ...     os.makedirs(os.path.join(folder.name, name))
    ...     for i in range(3):
    ...         image = np.full((20 + i, 30, 3), gray, dtype="uint8")
    ...         save_img(os.path.join(folder.name, name, f"{i}.png"), image, scale=False)
    >>> train_ds, val_ds = image_dataset_from_directory(
    ...     folder.name, image_size=(8, 8), batch_size=4, validation_split=0.5,
    ...     subset="both", seed=1337)
    Found 6 files belonging to 2 classes.
    Using 3 files for training.
    Using 3 files for validation.
    >>> train_ds.class_names, len(train_ds), len(val_ds)
    (['cat', 'dog'], 1, 1)
    >>> images, labels = train_ds[0]
    >>> images.shape, images.dtype, labels.dtype
    ((3, 8, 8, 3), dtype('float32'), dtype('int32'))
    >>> [float(images[k].mean()) for k in range(3)] == [[50.0, 200.0][y] for y in labels]
    True
    >>> folder.cleanup()
    """
    check_color_mode(color_mode)
    size = check_size(image_size, "image_size")
    if not isinstance(interpolation, str):
        raise ValueError(f"Argument `interpolation` should be one of {INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation!r}")
    interpolation = interpolation.lower()
    if interpolation in KERAS_ONLY_INTERPOLATIONS:
        raise ValueError(f"interpolation={interpolation!r} is one of Keras's TensorFlow resize "
                         f"methods; baeum resizes with {INTERPOLATIONS} only")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be "
                         "set to `True`.")
    data_format = standardize_data_format(data_format)
    pil_image_module("image_dataset_from_directory")   # fail now, not at the first batch

    def make(paths, labels_, class_names_, batch_size_, shuffle_, seed_):
        return ImageDirectoryDataset(paths, labels_, class_names_, batch_size_, shuffle_,
                                     seed_, size, color_mode, interpolation,
                                     bool(crop_to_aspect_ratio), bool(pad_to_aspect_ratio),
                                     data_format)

    return _from_directory("images", directory, labels, label_mode, class_names, batch_size,
                           shuffle, seed, validation_split, subset, follow_links, verbose,
                           ALLOWLIST_FORMATS, make)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None,
                                shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """Batches of texts and labels from a directory of .txt files, as Keras's function.

    The arguments are image_dataset_from_directory's (directory, labels, label_mode,
    class_names, batch_size, shuffle, seed, validation_split, subset, follow_links,
    verbose), for .txt files (other files are skipped), and
    max_length: None, or the number of bytes of each file to keep (as Keras, which cuts
        with tf.strings.substr; a UTF-8 character the cut splits is dropped).

    Returns a `DirectoryDataset` (or a pair for subset="both"): batch i is (texts, labels)
    with texts a NumPy array of str (batch,) - the files' whole contents, decoded as
    UTF-8 (Keras gives bytes) - and labels as label_mode says; the texts alone when
    label_mode=None. `layers.TextVectorization` takes the texts: for Keras's
    `vectorize_layer.adapt(train_ds.map(lambda x, y: x))`, write
    `vectorize_layer.adapt(texts for texts, _ in train_ds)` (or adapt a dataset made with
    labels=None). `.class_names` and `.file_paths` as for images.

    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> for name, text in [("neg", "awful film"), ("pos", "what a film")]:
    ...     os.makedirs(os.path.join(folder.name, name))
    ...     with open(os.path.join(folder.name, name, "1.txt"), "w") as f:
    ...         _ = f.write(text)
    >>> texts = text_dataset_from_directory(folder.name, shuffle=False, verbose=False)
    >>> batch, labels = texts[0]
    >>> batch.tolist(), labels.tolist(), texts.class_names
    (['awful film', 'what a film'], [0, 1], ['neg', 'pos'])
    >>> folder.cleanup()
    """
    if max_length is not None and (isinstance(max_length, bool) or
                                   not isinstance(max_length, (int, np.integer)) or
                                   max_length < 0):
        raise ValueError(f"`max_length` must be None or a non-negative integer. "
                         f"Received: max_length={max_length!r}")

    def make(paths, labels_, class_names_, batch_size_, shuffle_, seed_):
        return TextDirectoryDataset(paths, labels_, class_names_, batch_size_, shuffle_,
                                    seed_, max_length)

    return _from_directory("text files", directory, labels, label_mode, class_names,
                           batch_size, shuffle, seed, validation_split, subset, follow_links,
                           verbose, TEXT_FORMATS, make)
