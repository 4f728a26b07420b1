"""`baeum.utils`: the helpers Keras tutorials import from `keras.utils`.

    y_train = baeum.utils.to_categorical(y_train, 10)   # one-hot labels
    baeum.utils.set_random_seed(42)                     # reproducible weights and shuffles
    x_train = baeum.utils.pad_sequences(reviews, maxlen=200)   # (N, 200) word ids
    model.fit(MyBatches(x, y, batch_size=64), epochs=5)        # a PyDataset subclass
    train_ds = baeum.utils.image_dataset_from_directory("photos", image_size=(180, 180))
"""

import random as _python_random

import numpy as np

from baeum import not_in_baeum as _not_in_baeum
from baeum import random as _random
from baeum.backend import clear_session  # noqa: F401 - Keras 3's keras.utils.clear_session
from baeum.data import to_categorical

__all__ = ["set_random_seed", "to_categorical", "pad_sequences", "normalize", "PyDataset",
           "Sequence", "timeseries_dataset_from_array", "clear_session",
           "image_dataset_from_directory", "text_dataset_from_directory", "load_img",
           "img_to_array", "array_to_img", "save_img"]


def set_random_seed(seed):
    """Seed Python's `random`, NumPy's global generator and baeum's (initializers, dropout,
    shuffling), as `keras.utils.set_random_seed` does."""
    _random.seed(seed)  # checks the seed; also seeds np.random
    _python_random.seed(seed)


# --- sequences ------------------------------------------------------------------------------

def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (or cut) sequences to one length: a list of N sequences -> array (N, maxlen).

    As `keras.utils.pad_sequences`: `maxlen` defaults to the longest sequence; shorter
    ones are filled with `value` before them (padding="pre") or after them ("post");
    longer ones lose their first (truncating="pre") or last ("post") steps. A sequence
    may hold vectors: every non-empty one must then have the same sample shape S, and
    the result is (N, maxlen, *S). `dtype=object` pads variable-length strings.

    >>> sequence = [[1], [2, 3], [4, 5, 6]]
    >>> pad_sequences(sequence).tolist()
    [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    >>> pad_sequences(sequence, padding="post").tolist()
    [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
    >>> pad_sequences(sequence, maxlen=2).tolist()
    [[0, 1], [2, 3], [5, 6]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    lengths, sample_shape = [], None
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError as e:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {s}") from e
        if sample_shape is None and len(s):  # the first non-empty sequence sets it
            sample_shape = np.asarray(s).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_dtype_str = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_dtype_str:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings.")
    x = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    for i, (s, length) in enumerate(zip(sequences, lengths)):
        keep = min(length, maxlen)
        if keep == 0:  # an empty sequence (or maxlen=0): all padding
            continue
        trunc = np.asarray(s[length - keep:] if truncating == "pre" else s[:keep], dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at position {i} is different "
                f"from expected shape {sample_shape}")
        if padding == "post":
            x[i, :keep] = trunc
        else:
            x[i, maxlen - keep:] = trunc
    return x


def normalize(x, axis=-1, order=2):
    """x divided by its `order`-norm along `axis` (vectors of norm 0 stay 0), as
    `keras.utils.normalize`: a NumPy array of x's shape (float).

    >>> normalize([[3.0, 4.0], [0.0, 0.0]]).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    x = np.asarray(x)
    norm = np.linalg.norm(x, order, axis, keepdims=True)   # (keepdims: x's shape stays)
    norm[norm == 0] = 1
    return x / norm


# --- datasets of whole batches ----------------------------------------------------------------

class PyDataset:
    """A dataset that hands out whole batches, for `fit`, `evaluate` and `predict`, as
    `keras.utils.PyDataset` (`Sequence` is its Keras 2 name).

    A subclass defines `__len__` (the number of batches) and `__getitem__(index)`, which
    returns batch `index` (0 <= index < len): a tuple `(x, y)` or `(x, y, sample_weight)`
    of arrays of shape (batch, ...) - x may be a list or dict for several inputs - or
    `x` / `(x,)` alone for `predict`. `fit(dataset, epochs=...)` reads every batch once
    per epoch (in a new random order each epoch with shuffle=True, drawn from
    `baeum.random`) and calls `on_epoch_begin()` before and `on_epoch_end()` after each
    epoch (e.g. to reshuffle samples). An endless dataset returns None from the
    `num_batches` property instead of defining `__len__`; fit then needs steps_per_epoch.

    workers, use_multiprocessing, max_queue_size: accepted as in Keras, so Keras code runs
        unchanged, but baeum reads the batches in the main thread, one at a time, in order
        (a NumPy step already keeps the cores busy).

    >>> import math
    >>> class Batches(PyDataset):
    ...     def __init__(self, x, y, batch_size, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x, self.y, self.batch_size = x, y, batch_size
    ...     def __len__(self):
    ...         return math.ceil(len(self.x) / self.batch_size)
    ...     def __getitem__(self, index):
    ...         rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
    ...         return self.x[rows], self.y[rows]
    >>> data = Batches(np.zeros((10, 3)), np.arange(10), batch_size=4)
    >>> len(data), data[2][1].tolist()
    (3, [8, 9])
    """

    # Class defaults, so a subclass that forgets super().__init__() still works.
    workers, use_multiprocessing, max_queue_size = 1, False, 10

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index):
        """Batch number `index`."""
        raise NotImplementedError

    @property
    def num_batches(self):
        """The number of batches: len(self), or None for an endless dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            "You need to implement the `num_batches` property:\n\n"
            "@property\ndef num_batches(self):\n  return ...")

    def on_epoch_begin(self):
        """Called at the beginning of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""


Sequence = PyDataset


# --- time series --------------------------------------------------------------------------

class TimeseriesWindows(PyDataset):
    """The batches of sliding windows `timeseries_dataset_from_array` returns."""

    def __init__(self, data, targets, starts, steps, batch_size):
        super().__init__()
        self.data, self.targets, self.starts, self.steps = data, targets, starts, steps
        self.batch_size = len(starts) if batch_size is None else batch_size

    def __len__(self):
        return -(-len(self.starts) // self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        starts = self.starts[index * self.batch_size:(index + 1) * self.batch_size]
        windows = self.data[starts[:, None] + self.steps]        # (batch, sequence_length, ...)
        return windows if self.targets is None else (windows, self.targets[starts])


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Sliding windows over a time series, in batches, as Keras's function of this name.

    data (T, ...): consecutive time steps; targets (T', ...) or None: `targets[i]` goes
    with the window that starts at step i. Window k holds steps
    s_k, s_k + sampling_rate, ..., s_k + (sequence_length - 1) * sampling_rate, with
    s_k = start_index + k * sequence_stride, as long as the whole window fits before
    end_index. Returns a PyDataset of batches (batch, sequence_length, ...) - with their
    targets (batch, ...) when given - that fit, evaluate and predict take;
    shuffle=True draws the windows in a random order (seed: an int for the same order).
    (fit(..., shuffle=True), its default, also reorders whole batches each epoch.)

    >>> windows = timeseries_dataset_from_array(np.arange(99), None, sequence_length=10,
    ...                                         sampling_rate=2, sequence_stride=3)
    >>> windows[0][0].tolist(), windows[0][-1].tolist()[:3]
    ([0, 2, 4, 6, 8, 10, 12, 14, 16, 18], [78, 80, 82])
    """
    data = np.asarray(data)
    n = len(data)
    start = 0 if start_index is None else int(start_index)
    end = n if end_index is None else int(end_index)
    for name, value, lowest in (("sequence_length", sequence_length, 1),
                                ("sequence_stride", sequence_stride, 1),
                                ("sampling_rate", sampling_rate, 1)):
        if not isinstance(value, (int, np.integer)) or value < lowest:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    if not 0 <= start < n:
        raise ValueError(f"`start_index` must be 0 or greater and lower than the length of the "
                         f"data. Received: start_index={start_index}, for data of length {n}")
    if not start < end <= n:
        raise ValueError(f"`end_index` must be higher than `start_index` and at most the "
                         f"length of the data. Received: start_index={start_index}, "
                         f"end_index={end_index}, for data of length {n}")
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or
                                   batch_size < 1):
        raise ValueError(f"`batch_size` must be a positive integer or None, got {batch_size!r}")
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)[start:]
        count = min(count, len(targets))
    if count <= 0:
        raise ValueError(f"no window of {sequence_length} steps (sampling_rate={sampling_rate}) "
                         f"fits in the {end - start} steps from {start} to {end}")
    starts = np.arange(0, count, sequence_stride)
    if shuffle:
        np.random.default_rng(seed).shuffle(starts)
    steps = np.arange(sequence_length) * sampling_rate
    return TimeseriesWindows(data[start:end], targets, starts, steps, batch_size)

# --- files: images and texts in folders (imported last: they subclass PyDataset) ------------

from baeum.dataset_from_directory import (  # noqa: E402
    image_dataset_from_directory,
    text_dataset_from_directory,
)
from baeum.image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: E402

# Keras names baeum does not have: the error says what to use instead.
__getattr__ = _not_in_baeum.module_getattr(__name__)

