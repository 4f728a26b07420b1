"""Data helpers: one-hot labels, train/test split, mini-batches. Pure NumPy.

>>> import numpy as np
>>> from baeum.data import to_categorical, batches
>>> to_categorical([0, 2, 1], num_classes=3).tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
>>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
>>> [yb.tolist() for xb, yb in batches(x, y, batch_size=2, shuffle=False)]
[[0, 1], [2, 3], [4]]
"""

import math
from collections.abc import Mapping

import numpy as np

__all__ = ["to_categorical", "train_test_split", "BatchIterator", "batches"]


# ------------------------------------------------------------ to_categorical


def to_categorical(y, num_classes=None, dtype="float32"):
    """Integer class labels -> one-hot matrix, as ``keras.utils.to_categorical``.

    Args:
        y: integer labels of any shape; a trailing axis of size 1 is dropped,
            as Keras does (so (N, 1) gives (N, num_classes)).
        num_classes: total number of classes; default ``max(y) + 1``.
        dtype: dtype of the result.

    Returns:
        array of shape ``y.shape + (num_classes,)`` with a single 1 per row.

    Raises:
        ValueError: a label is negative, not an integer, or >= num_classes
            (Keras would silently wrap negative labels or fail with an
            IndexError; here the message names the offending label).

    >>> to_categorical([[1], [0]]).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    y = np.asarray(y)
    if not (
        y.dtype == bool or np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)
    ):
        raise ValueError(f"to_categorical expects integer class labels, got dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.floating):
        # Float labels are fine if they hold whole numbers (e.g. loaded from CSV).
        bad = ~np.isfinite(y) | (y != np.round(y))
        if bad.any():
            raise ValueError(
                f"to_categorical expects integer class labels, got {y[bad].ravel()[0].item()!r}"
            )
    y = y.astype(np.int64)

    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = input_shape[:-1]
    y = y.ravel()

    if y.size and y.min() < 0:
        raise ValueError(f"labels must be >= 0, got {int(y.min())}")
    if num_classes is None:
        if y.size == 0:
            raise ValueError("cannot infer num_classes from an empty label array; pass it")
        num_classes = int(y.max()) + 1
    elif not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    elif y.size and y.max() >= num_classes:
        raise ValueError(
            f"label {int(y.max())} is out of range for num_classes={num_classes} "
            f"(labels must be in 0..{num_classes - 1})"
        )

    out = np.zeros((y.size, int(num_classes)), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(input_shape + (int(num_classes),))


# --------------------------------------------------------- train_test_split


def train_test_split(
    *arrays,
    test_size=None,
    train_size=None,
    random_state=None,
    shuffle=True,
    stratify=None,
    seed=None,
):
    """Split arrays into train and test parts, as ``sklearn.model_selection.train_test_split``.

    Uses scikit-learn's function when it is installed, and otherwise a small
    NumPy version with the same arguments and sizes (the same seed then gives
    a different, but still fixed, split). `seed` is an alias of
    `random_state`.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]`` for ``arrays = (a, b, ...)``.

    >>> x, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, seed=0)
    >>> x_tr.shape, x_te.shape
    ((7, 2), (3, 2))
    """
    if seed is not None:
        if random_state is not None:
            raise ValueError("pass seed or random_state, not both")
        random_state = seed
    try:
        from sklearn.model_selection import train_test_split as sk_split
    except ImportError:
        sk_split = _numpy_train_test_split
    return sk_split(
        *arrays,
        test_size=test_size,
        train_size=train_size,
        random_state=random_state,
        shuffle=shuffle,
        stratify=stratify,
    )


def _split_sizes(n, test_size, train_size):
    """Same rules as sklearn: floats are fractions (test rounded up), ints are counts."""
    if test_size is None and train_size is None:
        test_size = 0.25

    def count(size, name, ceil):
        if size is None:
            return None
        if isinstance(size, (float, np.floating)):
            if not 0 < size < 1:
                raise ValueError(f"{name}={size} should be a float in (0, 1) or an integer")
            return math.ceil(size * n) if ceil else math.floor(size * n)
        if isinstance(size, (int, np.integer)) and 0 < size < n:
            return int(size)
        raise ValueError(f"{name}={size!r} should be a float in (0, 1) or an integer in 1..{n - 1}")

    n_test = count(test_size, "test_size", ceil=True)
    n_train = count(train_size, "train_size", ceil=False)
    if n_test is None:
        n_test = n - n_train
    if n_train is None:
        n_train = n - n_test
    if n_train + n_test > n or n_train < 1 or n_test < 1:
        raise ValueError(
            f"with {n} samples, test_size={test_size} and train_size={train_size} give "
            f"{n_train} train and {n_test} test samples; both must be >= 1 and sum to <= {n}"
        )
    return n_train, n_test


def _numpy_train_test_split(
    *arrays, test_size=None, train_size=None, random_state=None, shuffle=True, stratify=None
):
    if not arrays:
        raise ValueError("at least one array is required")
    arrays = [np.asarray(a) for a in arrays]
    n = len(arrays[0])
    for i, a in enumerate(arrays[1:], 1):
        if len(a) != n:
            raise ValueError(
                f"arrays must have the same length: array 0 has {n}, array {i} has {len(a)}"
            )
    n_train, n_test = _split_sizes(n, test_size, train_size)
    rng = np.random.default_rng(random_state)

    if stratify is None:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train, test = order[:n_train], order[n_train : n_train + n_test]
    else:
        if not shuffle:
            raise ValueError("stratified splitting needs shuffle=True")
        classes, y = np.unique(np.asarray(stratify), return_inverse=True)
        y = y.ravel()
        if len(y) != n:
            raise ValueError(f"stratify has {len(y)} labels for {n} samples")
        # Give each class its share of the test set; the rounding remainder goes to the
        # classes with the largest fractional parts (largest remainder method).
        per_class = np.bincount(y, minlength=len(classes))
        exact = per_class * n_test / n
        take = np.floor(exact).astype(int)
        leftover = n_test - take.sum()
        take[np.argsort(-(exact - take), kind="stable")[:leftover]] += 1
        train, test = [], []
        for c in range(len(classes)):
            idx = rng.permutation(np.flatnonzero(y == c))
            test.append(idx[: take[c]])
            train.append(idx[take[c] :])
        train = rng.permutation(np.concatenate(train))[:n_train]
        test = rng.permutation(np.concatenate(test))
    out = []
    for a in arrays:
        out += [a[train], a[test]]
    return out


# ---------------------------------------------------------------- batches


def _flatten(data, name):
    """A structure (array, or tuple/list/dict of arrays) -> (list of (label, array), rebuild)."""
    if isinstance(data, Mapping):
        keys = list(data)
        leaves = [(f"{name}[{k!r}]", np.asarray(data[k])) for k in keys]
        return leaves, lambda parts: dict(zip(keys, parts))
    if isinstance(data, (tuple, list)) and data and all(hasattr(a, "shape") for a in data):
        kind = type(data)
        leaves = [(f"{name}[{i}]", np.asarray(a)) for i, a in enumerate(data)]
        return leaves, lambda parts: kind(parts)
    return [(name, np.asarray(data))], lambda parts: parts[0]


class BatchIterator:
    """Iterate over mini-batches of ``(x, y)``; a fresh shuffle on every pass.

    Args:
        x: array (N, ...), or a tuple/list/dict of such arrays (a multi-input
            model). A list or tuple counts as several inputs only when all its
            items are arrays; a nested list of numbers is one array.
        y: same forms as `x`, or None.
        batch_size: samples per batch; the last batch may be smaller.
        shuffle: visit the samples in a new random order on each pass.
        drop_last: drop the last batch if it has fewer than `batch_size` samples.
        seed: seed for the shuffles (the sequence of epochs is then fixed).
            None uses the global generator of ``baeum.random``, so
            ``baeum.random.seed(n)`` makes the shuffles reproducible.

    Yields:
        ``(xb, yb)`` with the same structure as ``(x, y)`` and ``batch_size``
        samples each, or just ``xb`` when `y` is None. Without shuffling the
        batches are views of the inputs; with shuffling they are copies.

    ``len(iterator)`` is the number of batches per pass.

    >>> it = BatchIterator(np.zeros((10, 3)), np.arange(10), batch_size=4, seed=0)
    >>> len(it), [len(yb) for _, yb in it]
    (3, [4, 4, 2])
    """

    def __init__(self, x, y=None, batch_size=32, shuffle=True, drop_last=False, seed=None):
        if (
            not isinstance(batch_size, (int, np.integer))
            or isinstance(batch_size, bool)
            or (batch_size < 1)
        ):
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self._x_leaves, self._x_rebuild = _flatten(x, "x")
        self._has_y = y is not None
        self._y_leaves, self._y_rebuild = _flatten(y, "y") if self._has_y else ([], None)

        leaves = self._x_leaves + self._y_leaves
        for label, a in leaves:
            if a.ndim == 0:
                raise ValueError(f"{label} must have a batch axis, got a scalar")
        self.num_samples = len(leaves[0][1])
        for label, a in leaves[1:]:
            if len(a) != self.num_samples:
                raise ValueError(
                    f"{label} has {len(a)} samples but {leaves[0][0]} has {self.num_samples}; "
                    "every input and target needs the same length"
                )
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        # With a seed the generator lives as long as the iterator: epoch 2 gets a new
        # order, and the sequence of orders is the same on every run.
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def __len__(self):
        if self.drop_last:
            return self.num_samples // self.batch_size
        return math.ceil(self.num_samples / self.batch_size)

    def _generator(self):
        if self._rng is not None:
            return self._rng
        try:
            from baeum import random as brandom
        except ImportError:  # baeum.random not there (yet): fall back to fresh entropy
            return np.random.default_rng()
        return brandom.get_generator()

    def __iter__(self):
        n, bs = self.num_samples, self.batch_size
        order = self._generator().permutation(n) if self.shuffle else None
        for b in range(len(self)):
            lo, hi = b * bs, min((b + 1) * bs, n)
            # Slices keep views when the order is natural; shuffled batches need a gather.
            index = slice(lo, hi) if order is None else order[lo:hi]
            xb = self._x_rebuild([a[index] for _, a in self._x_leaves])
            if not self._has_y:
                yield xb
                continue
            yield xb, self._y_rebuild([a[index] for _, a in self._y_leaves])


def batches(x, y=None, batch_size=32, shuffle=True, drop_last=False, seed=None):
    """Mini-batches of ``(x, y)``: a `BatchIterator` (re-iterable, ``len()`` = batches per pass).

    >>> [xb.tolist() for xb in batches(np.arange(5), batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    return BatchIterator(
        x, y, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed
    )
