"""The arrays fit/evaluate/predict iterate over: checked once, cast once, sliced per batch.

`ArrayData(x, y, sample_weight)` accepts what Keras accepts: an array, a list of
arrays (several inputs or outputs) or a dict of arrays (by input/output name). It
checks once per call of fit what a user can get wrong (lengths that differ, NaN or
inf), casts float inputs to the model's float dtype once, and then hands out
batches: plain slices (views) in order, or fancy-indexed slices of a permutation
drawn from baeum's generator when shuffling.
"""

import math

import numpy as np

from baeum import backend, random
from baeum.autograd.tensor import Tensor


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


class ArrayData:
    """x, y and sample_weight as flat lists of equally long arrays."""

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
    def num_batches(self, batch_size):
        return max(1, math.ceil(self.num_samples / batch_size))

    def batches(self, batch_size, shuffle=False):
        """Yield (x, y, sample_weight) per batch, x and y in the user's structure."""
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
            yield xb, yb, (None if sw is None else sw[index])


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
