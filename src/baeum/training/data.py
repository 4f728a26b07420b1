"""Where the batches of fit/evaluate/predict come from: arrays, generators, PyDatasets.

Every input is a `BatchSource`: it knows how many batches one pass over it holds
(`num_batches`), hands them out as (x, y, sample_weight) tuples (`batches`) and turns
passes into epochs by Keras's rules (`epochs`, used by fit, evaluate and predict alike).

- `ArrayData(x, y, sample_weight)` accepts what Keras accepts: an array, a list of
  arrays (several inputs or outputs) or a dict of arrays (by input/output name). It
  checks once per call of fit what a user can get wrong (lengths that differ, NaN or
  inf), casts float inputs to the model's float dtype once, and then hands out
  batches: plain slices (views) in order, or fancy-indexed slices of a permutation
  drawn from baeum's generator when shuffling.
- `BatchStream`: batches someone else made - a Python generator or iterator, an
  iterable with len() (`baeum.data.batches(...)`, a torch DataLoader), or a
  `baeum.utils.PyDataset`. Each batch is checked and cast as it arrives (through
  ArrayData, so the checks and messages are the same).
"""

import itertools
import math
import warnings
from collections.abc import Iterator

import numpy as np

from baeum import backend, random
from baeum.autograd.tensor import Tensor
from baeum.utils import PyDataset

# Keras's words (keras/src/trainers/epoch_iterator.py) when data ends before `steps` batches.
RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or "
    "generator can generate at least `steps_per_epoch * epochs` batches. You may need to "
    "use the `.repeat()` function when building your dataset."
)
_END = object()


def _holds_arrays(value):
    """A list of arrays is several inputs; a list of numbers or of lists is one array
    (so `fit([[0, 0], [0, 1]], [0, 1])` works like `fit(np.array(...), ...)`)."""
    return any(isinstance(v, (np.ndarray, Tensor, dict)) for v in value)


class Structure:
    """How a flat list of arrays maps back to what the user gave: one, a list, a dict."""

    def __init__(self, value):
        if isinstance(value, dict):
            self.kind, self.keys = "dict", list(value)
        elif isinstance(value, (list, tuple)) and _holds_arrays(value):
            self.kind, self.keys = "list", None
        else:
            self.kind, self.keys = "single", None

    def flatten(self, value):
        if self.kind == "dict":
            return [value[k] for k in self.keys]
        if self.kind == "list":
            return list(value)
        return [value]

    def pack(self, arrays):
        if self.kind == "dict":
            return dict(zip(self.keys, arrays))
        if self.kind == "list":
            return list(arrays)
        return arrays[0]


def _as_array(value, what, float_dtype):
    if isinstance(value, Tensor):
        value = value.data
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype.kind not in "fiub":
        raise TypeError(f"{what} must be numeric arrays, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and float_dtype is not None and arr.dtype != float_dtype:
        arr = arr.astype(float_dtype)
    if arr.ndim == 0:
        raise ValueError(f"{what} must have a batch axis, got a scalar {arr!r}")
    return arr


def _is_finite(arr):
    # One reduction is a fast test: any NaN or inf makes it non-finite. On a contiguous
    # float32/64 array the dot product with itself (BLAS) is 2.5x faster than a sum.
    # (An overflowing result of finite values goes to the exact check in
    # _raise_non_finite, which then passes.)
    if arr.dtype.kind != "f":
        return True
    if arr.flags.c_contiguous and arr.dtype.itemsize >= 4:
        flat = arr.reshape(-1)
        return bool(np.isfinite(flat @ flat))
    return bool(np.isfinite(arr.sum()))


def _raise_non_finite(arr, what):
    bad = arr.size - int(np.count_nonzero(np.isfinite(arr)))
    if bad:  # (_is_finite's sum of huge finite values can overflow: then nothing is wrong)
        n_nan = int(np.count_nonzero(np.isnan(arr)))
        raise ValueError(
            f"{what} contains {bad} non-finite value(s) ({n_nan} NaN, {bad - n_nan} inf) "
            f"out of {arr.size}; clean or impute them before training "
            "(e.g. np.nan_to_num, or drop those rows)"
        )


class BatchSource:
    """Where batches come from. A subclass says how many batches one pass over it holds
    (`num_batches`: None if unknown) and hands them out (`batches`); `epochs` cuts the
    passes into epochs, the same way for every kind of input."""

    rereadable = True    # a new pass can start (arrays, PyDataset); a generator has just one
    bare_passes = False  # a pass needs no hooks around it and no count: handed out as it is
    ys = None            # the targets, when known before training (checked up front)
    kind = "data"        # what the user gave, for messages

    def num_batches(self, batch_size):
        """The number of batches in one pass; None if unknown (a generator) or endless."""
        raise NotImplementedError

    def batches(self, batch_size, shuffle=False):
        """Yield one pass of batches (pack_x_y_sample_weight), x and y in the user's structure."""
        raise NotImplementedError

    def on_epoch_begin(self):
        """Called before each epoch (a PyDataset's hook)."""

    def on_epoch_end(self):
        """Called after each complete epoch (a PyDataset's hook)."""

    def steps_per_epoch(self, batch_size, steps=None):
        """Batches per epoch, for the progress bar and callbacks: None if not known."""
        return steps if steps is not None else self.num_batches(batch_size)

    def epochs(self, batch_size, shuffle=False, steps=None, count=1, steps_name="steps"):
        """The batches of each epoch in turn: an iterator of iterables of batches.

        Keras's rules (keras/src/trainers/epoch_iterator.py). Without `steps` an epoch
        is one pass over the data. With `steps` it is the next `steps` batches of a pass
        that goes on from epoch to epoch; when the pass ends inside an epoch, that epoch
        ends early with Keras's warning and the next one starts a new pass. A generator
        has a single pass: once it runs out, no further epoch begins (the iterator
        ends, and so does training). count: how many epochs will be read, so that a
        generator without `steps` fails here if it would be read more than once.
        """
        n = self.num_batches(batch_size)
        if steps is not None and (isinstance(steps, bool) or
                                  not isinstance(steps, (int, np.integer)) or steps < 1):
            raise ValueError(f"{steps_name} must be a positive integer or None, got {steps!r}")
        if steps is None and not self.rereadable and count > 1:
            raise ValueError(
                f"`{steps_name}=None` is only valid for a generator based on the "
                f"`baeum.utils.PyDataset` class. Please specify `{steps_name}` or use the "
                "`baeum.utils.PyDataset` class: a generator cannot start over, so without "
                f"`{steps_name}` it is read for one epoch only (and an endless one never "
                "ends it)"
            )
        if steps is None and n is None and self.rereadable:
            raise ValueError(
                f"`{steps_name}=None` needs a {self.kind} of known length, but this one's "
                f"`num_batches` is None (endless): please specify `{steps_name}`"
            )
        if n == 0:
            raise ValueError(f"The {self.kind} has length 0: it gives no batches")
        return self._epochs(batch_size, shuffle, None if steps is None else int(steps), n)

    def _epochs(self, batch_size, shuffle, steps, n):
        short = False   # whether the last epoch ended before its `steps` batches

        def epoch(batches):   # one epoch: the hooks around it, and a count of its batches
            nonlocal short
            self.on_epoch_begin()
            count = 0
            for batch in batches:
                count += 1
                yield batch
            short = steps is not None and count < steps
            if short:
                warnings.warn(RAN_OUT, stacklevel=2)
            self.on_epoch_end()

        if not self.rereadable:   # one stream; an epoch begins only if a batch is left
            stream = iter(self.batches(batch_size, shuffle))
            for number in itertools.count():
                first = next(stream, _END)
                if first is _END:
                    if number == 0:
                        raise ValueError(f"the {self.kind} gave no batches")
                    if not short:   # (a short last epoch has warned already)
                        warnings.warn(RAN_OUT, stacklevel=2)
                    return
                rest = itertools.islice(stream, None if steps is None else steps - 1)
                yield epoch(itertools.chain((first,), rest))
        elif steps is None:       # an epoch is one whole pass
            while True:
                batches = self.batches(batch_size, shuffle)
                yield batches if self.bare_passes else epoch(batches)
        else:                     # `steps` at a time from a pass that outlives the epoch
            one_pass, left = None, 0
            while True:
                if left == 0:     # the pass ended with the last epoch: a new one begins
                    one_pass, left = iter(self.batches(batch_size, shuffle)), n
                take = steps if left is None else min(steps, left)   # (None: endless)
                left = None if left is None else left - take
                yield epoch(itertools.islice(one_pass, take))


class ArrayData(BatchSource):
    """x, y and sample_weight as flat lists of equally long arrays."""

    bare_passes = True   # a pass is exactly num_batches slices: nothing is added per batch
    kind = "array"

    def __init__(self, x, y=None, sample_weight=None, float_dtype=None, check_finite=True,
                 prefix=""):
        float_dtype = float_dtype or backend.floatx
        if x is None:
            raise ValueError(f"{prefix}x is None: give the input data as an array")
        self.x_structure = Structure(x)
        self.xs = [_as_array(a, f"{prefix}x", float_dtype) for a in self.x_structure.flatten(x)]
        self.y_structure = None if y is None else Structure(y)
        self.ys = None if y is None else [
            _as_array(a, f"{prefix}y", float_dtype) for a in self.y_structure.flatten(y)
        ]
        self.sample_weight = None
        if sample_weight is not None:
            self.sample_weight = _as_array(sample_weight, f"{prefix}sample_weight", float_dtype)
        arrays = self.xs + (self.ys or []) + (
            [] if self.sample_weight is None else [self.sample_weight])
        # Names ("x", "y[1]", ...) are only built for an error message.
        if any(len(a) != len(arrays[0]) for a in arrays):
            listed = ", ".join(f"{name} has {len(a)}" for name, a in self.named_arrays(prefix))
            raise ValueError(
                f"data cardinality is ambiguous: {listed} samples; every input, target and "
                "sample_weight array must have the same length (first axis)"
            )
        self._prefix = prefix
        if check_finite:
            self.check_finite()
        self.num_samples = len(self.xs[0]) if self.xs else 0
        if self.num_samples == 0:
            raise ValueError(f"{prefix}x has no samples (its first axis has length 0)")

    def check_finite(self):
        """Raise a ValueError naming the first array that holds NaN or inf."""
        arrays = self.xs + (self.ys or []) + (
            [] if self.sample_weight is None else [self.sample_weight])
        if not all(_is_finite(a) for a in arrays):
            for name, a in self.named_arrays(self._prefix):
                if not _is_finite(a):
                    _raise_non_finite(a, name)

    def named_arrays(self, prefix=""):
        """(name, array) pairs like "x", "x[1]", "y['label']", "sample_weight"."""
        out = []
        for label, structure, arrays in (("x", self.x_structure, self.xs),
                                         ("y", self.y_structure, self.ys)):
            if arrays is None:
                continue
            if structure.kind == "single":
                names = [label]
            elif structure.kind == "dict":
                names = [f"{label}[{k!r}]" for k in structure.keys]
            else:
                names = [f"{label}[{i}]" for i in range(len(arrays))]
            out += [(prefix + n, a) for n, a in zip(names, arrays)]
        if self.sample_weight is not None:
            out.append((prefix + "sample_weight", self.sample_weight))
        return out

    # --- splitting and weighting --------------------------------------------------------
    def split(self, validation_split):
        """(train, validation): the validation part is the LAST fraction, as in Keras."""
        if not 0 < validation_split < 1:
            raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
        cut = int(math.floor(self.num_samples * (1.0 - validation_split)))
        if cut == 0 or cut == self.num_samples:
            raise ValueError(
                f"validation_split={validation_split} of {self.num_samples} samples leaves "
                f"{cut} for training and {self.num_samples - cut} for validation; both need "
                "at least one"
            )
        return self._take(slice(0, cut)), self._take(slice(cut, None))

    def _take(self, index):
        part = object.__new__(ArrayData)
        part.x_structure, part.y_structure = self.x_structure, self.y_structure
        part.xs = [a[index] for a in self.xs]
        part.ys = None if self.ys is None else [a[index] for a in self.ys]
        part.sample_weight = None if self.sample_weight is None else self.sample_weight[index]
        part.num_samples = len(part.xs[0])
        return part

    def apply_class_weight(self, class_weight):
        """Turn {class: weight} into per-sample weights (Keras's rule), once per fit."""
        if not class_weight:
            return
        if self.sample_weight is not None:
            raise ValueError("You cannot use `class_weight` and `sample_weight` at the same time.")
        if self.ys is None or len(self.ys) != 1:
            raise ValueError("`class_weight` is only supported for models with a single output.")
        y = self.ys[0]
        if y.ndim >= 2 and y.shape[-1] > 1:
            classes = np.argmax(y, axis=-1)
        else:
            classes = np.round(y.reshape(len(y), -1)[:, 0] if y.ndim >= 2 else y).astype(np.int64)
        keys = [int(k) for k in class_weight]
        table = np.ones(max(max(keys), int(classes.max(initial=0))) + 1, dtype=backend.floatx)
        for k, w in class_weight.items():
            table[int(k)] = w
        if classes.size and classes.min() < 0:
            raise ValueError(f"class_weight needs class ids >= 0, got {classes.min()}")
        self.sample_weight = table[classes]

    # --- batching -------------------------------------------------------------------------
    def as_batch(self):
        """All the data as one batch, packed as Keras packs it (pack_x_y_sample_weight)."""
        return pack_x_y_sample_weight(
            self.x_structure.pack(self.xs),
            None if self.ys is None else self.y_structure.pack(self.ys), self.sample_weight)

    def num_batches(self, batch_size):
        return max(1, math.ceil(self.num_samples / batch_size))

    def batches(self, batch_size, shuffle=False):
        """Yield each batch packed as Keras does, x and y in the user's structure."""
        n = self.num_samples
        order = random.get_generator().permutation(n) if shuffle else None
        xs, ys, sw = self.xs, self.ys, self.sample_weight
        pack_x = self.x_structure.pack
        pack_y = self.y_structure.pack if ys is not None else None
        for start in range(0, n, batch_size):
            index = slice(start, start + batch_size) if order is None else \
                order[start:start + batch_size]
            xb = pack_x([a[index] for a in xs])
            yb = None if ys is None else pack_y([a[index] for a in ys])
            yield pack_x_y_sample_weight(xb, yb, None if sw is None else sw[index])


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """A batch as Keras hands it to train_step: (x, y, sample_weight), or (x, y) without
    sample weights, or x alone ((x,) when x is a tuple or list) without targets, so that
    a custom `train_step` may write `x, y = data`."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """(x,), (x, y) or (x, y, sample_weight) -> x, y, sample_weight (as in Keras)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        "data must be (x,), (x, y) or (x, y, sample_weight); "
        f"got a tuple of {len(data)} items"
    )


# --- batches made elsewhere: generators, iterables, PyDatasets ------------------------------

class BatchStream(BatchSource):
    """Ready-made batches, checked and cast one at a time as they arrive (through
    ArrayData: the same checks and messages as arrays given to fit).

    A batch is a tuple (x, y) or (x, y, sample_weight) of arrays of shape (batch, ...),
    x a list or dict for several inputs; x alone or (x,) where no targets are needed
    (predict drops any y). As in Keras, a list is read as a tuple (x, y, ...), so a
    batch of several inputs for predict is ([x1, x2],). y, sample_weight and batch_size
    belong inside the batches, so fit must not be given them.
    """

    def __init__(self, source, y=None, sample_weight=None, batch_size=None,
                 targets="optional", float_dtype=None, prefix="", check_finite=True):
        for arg, value, what in (("y", y, "the targets"),
                                 ("sample_weights", sample_weight, "the sample weights")):
            if value is not None:   # Keras's words (keras/src/trainers/data_adapters)
                raise ValueError(
                    f"When providing `x` as a {self.kind}, `{arg}` should not be passed. "
                    f"Instead, {what} should be included as part of the {self.kind}."
                )
        if batch_size is not None:
            raise ValueError(
                "The `batch_size` argument must not be specified for the given input type. "
                f"Received input: {source!r}, batch_size: {batch_size} (a {self.kind} "
                "makes its own batches: leave batch_size=None)"
            )
        self.source = source
        self.targets = targets
        self.float_dtype = float_dtype
        self.prefix = prefix
        self.check_finite = check_finite
        self.class_weight = None

    def split(self, validation_split):
        raise ValueError(
            "Argument `validation_split` is only supported for tensors or NumPy arrays. "
            f"Found incompatible type in the input: {[type(self.source)]}; pass "
            "validation_data (arrays, a generator or a PyDataset) instead"
        )

    def apply_class_weight(self, class_weight):
        self.class_weight = class_weight or None   # applied to each batch as it arrives

    def as_batch(self):
        raise TypeError(
            f"train_on_batch, test_on_batch and predict_on_batch take one batch of arrays, "
            f"not a {self.kind}: use fit, evaluate or predict"
        )

    def batches(self, batch_size, shuffle=False):
        for label, batch in self._labelled_batches(shuffle):
            yield self._checked(batch, label)

    def _labelled_batches(self, shuffle):
        """Yield (name for messages, batch as given) for one pass."""
        raise NotImplementedError

    def _checked(self, batch, label):
        x, y, sample_weight = unpack_x_y_sample_weight(batch)
        if self.targets == "ignored":
            y = sample_weight = None
        elif y is None and self.targets == "required":
            shape = getattr(batch, "shape", None)
            raise ValueError(
                f"{label} is a single {type(batch).__name__}"
                f"{'' if shape is None else f' of shape {tuple(shape)}'}, but this model was "
                f"compiled with a loss, so it needs targets: a {self.kind} must give tuples, "
                "either (inputs, targets) or (inputs, targets, sample_weights)"
            )
        data = ArrayData(x, y, sample_weight, self.float_dtype, self.check_finite,
                         prefix=f"{label}: ")
        data.apply_class_weight(self.class_weight)
        return data.as_batch()


class IterableStream(BatchStream):
    """A generator or any iterator: one pass, which cannot start over. Or an iterable with
    len(), such as `baeum.data.batches(...)` or a torch DataLoader: a new pass each epoch."""

    def __init__(self, source, *args, **kwargs):
        self.rereadable = not isinstance(source, Iterator)
        self.kind = type(source).__name__ if self.rereadable else "generator"
        super().__init__(source, *args, **kwargs)

    def num_batches(self, batch_size):
        return len(self.source) if self.rereadable else None

    def _labelled_batches(self, shuffle):
        for i, batch in enumerate(self.source):
            yield f"{self.prefix}batch {i} of the {self.kind}", batch


class PyDatasetStream(BatchStream):
    """A `baeum.utils.PyDataset`: batch i is dataset[i]; shuffle permutes the batches' order
    each pass (from baeum.random); its on_epoch_begin/end hooks run around each epoch."""

    kind = "PyDataset"

    def num_batches(self, batch_size):
        return self.source.num_batches

    def on_epoch_begin(self):
        self.source.on_epoch_begin()

    def on_epoch_end(self):
        self.source.on_epoch_end()

    def _labelled_batches(self, shuffle):
        n = self.source.num_batches
        if n is None:     # endless: read in order (there is no whole to shuffle)
            order = itertools.count()
        else:
            order = random.get_generator().permutation(n).tolist() if shuffle else range(n)
        name = f"{self.prefix}{type(self.source).__name__}"
        for index in order:
            yield f"{name}[{index}]", self.source[index]


_ARRAY_INPUTS = (np.ndarray, list, tuple, dict, Tensor)


def is_batch_stream(x):
    """Does x hand out ready-made batches: a PyDataset, an iterator (a generator) or an
    iterable with len() that is not array-like (not a list, dict or DataFrame)?"""
    if isinstance(x, _ARRAY_INPUTS):   # the usual case, settled by one check
        return False
    return isinstance(x, (PyDataset, Iterator)) or (
        hasattr(x, "__iter__") and hasattr(x, "__len__") and not hasattr(x, "__array__")
        and not isinstance(x, (str, bytes)))


def batch_source(x, y=None, sample_weight=None, batch_size=None, targets="optional",
                 float_dtype=None, prefix="", check_finite=True):
    """The BatchSource of what fit/evaluate/predict were given: ArrayData for arrays, a
    BatchStream for a PyDataset, a generator or an iterable of batches.

    targets: "required" (a model compiled with a loss, in fit and evaluate), "optional",
        or "ignored" (predict: targets in the batches are dropped).
    """
    if is_batch_stream(x):
        stream = PyDatasetStream if isinstance(x, PyDataset) else IterableStream
        return stream(x, y, sample_weight, batch_size, targets, float_dtype, prefix,
                      check_finite)
    if y is None and targets == "required":
        raise ValueError(
            f"{prefix}targets y are missing: this model was compiled with a loss, so it "
            "needs y to compare its outputs with"
        )
    return ArrayData(x, y, sample_weight, float_dtype=float_dtype, check_finite=check_finite,
                     prefix=prefix)
