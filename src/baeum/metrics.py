"""Metrics with Keras names: functions on arrays and stateful objects that average them.

A metric function takes `(y_true, y_pred)` as NumPy arrays (Tensors are accepted and
read through `.data`) and returns one value per sample, shape (batch,). Metrics are
never part of the graph: `fit` computes them on the arrays of each batch.

A metric object keeps a running total (`update_state`), reports the average
(`result`) and starts over (`reset_state`). The average is weighted by the number of
samples, so a metric over an epoch does not depend on how the epoch was batched.

>>> import numpy as np
>>> m = SparseCategoricalAccuracy()
>>> m.update_state(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]))
>>> m.update_state(np.array([1]), np.array([[0.3, 0.7]]))
>>> round(m.result(), 4)        # 2 right out of 3
0.6667
"""

import numpy as np

from baeum import losses as _losses
from baeum.autograd import grad_mode
from baeum.autograd.tensor import Tensor


def _array(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _same_rank(y_true, y_pred):
    """Drop a trailing axis of size 1 so (batch,) labels meet (batch, 1) predictions."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred[..., 0]
    return y_true, y_pred


# --- metric functions: (y_true, y_pred) arrays -> one value per sample --------------------


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """mean(y_true == (y_pred > threshold)) over the last axis: (batch, d) -> (batch,)."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    hits = y_true == (y_pred > threshold)
    return hits.mean(axis=-1) if hits.ndim > 1 else hits.astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) == argmax(y_true) (one-hot targets), else 0."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals the integer label y_true (batch,) or (batch, 1)."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return (np.argmax(y_pred, axis=-1) == y_true).astype(np.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the true class (argmax of one-hot y_true) is among the k largest predictions."""
    return sparse_top_k_categorical_accuracy(np.argmax(_array(y_true), axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the integer label is among the k largest predictions."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    k = min(k, y_pred.shape[-1])
    top = np.argpartition(y_pred, -k, axis=-1)[..., -k:]
    return (top == y_true[..., None]).any(axis=-1).astype(np.float32)


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)^2) over the last axis."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    d = y_pred - y_true
    return np.mean(d * d, axis=-1) if d.ndim > 1 else d * d


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    d = np.abs(y_pred - y_true)
    return np.mean(d, axis=-1) if d.ndim > 1 else d


def _from_loss(fn):
    """A loss function used as a metric: computed without a graph, returned as an array."""
    def metric(y_true, y_pred, **kwargs):
        with grad_mode.no_grad():
            return fn(_array(y_true), _array(y_pred), **kwargs).data

    metric.__name__ = fn.__name__
    metric.__doc__ = fn.__doc__
    return metric


binary_crossentropy = _from_loss(_losses.binary_crossentropy)
categorical_crossentropy = _from_loss(_losses.categorical_crossentropy)
sparse_categorical_crossentropy = _from_loss(_losses.sparse_categorical_crossentropy)
kl_divergence = _from_loss(_losses.kl_divergence)
huber = _from_loss(_losses.huber)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
kld = KLD = kl_divergence


# --- metric objects -----------------------------------------------------------------------


class Metric:
    """Base class: `update_state(...)` accumulates, `result()` reports, `reset_state()` clears.

    Calling the object updates it and returns the result, like Keras.
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.dtype = dtype
        self.reset_state()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result")

    def reset_state(self):
        pass

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The weighted mean of every value given so far: sum(values * w) / sum(w).

    >>> m = Mean()
    >>> m.update_state([1.0, 3.0])
    >>> m.update_state(5.0, sample_weight=2.0)
    >>> m.result()      # (1 + 3 + 2*5) / (1 + 1 + 2)
    3.5
    """

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        if isinstance(values, float) and isinstance(sample_weight, (int, float)):
            # The per-batch loss weighted by the batch size: the common case, kept cheap.
            self.total += values * sample_weight
            self.count += sample_weight
            return
        values = _array(values)
        if sample_weight is None:
            self.total += float(np.sum(values))
            self.count += values.size
            return
        sw = _array(sample_weight).astype(np.float64, copy=False)
        if sw.ndim > values.ndim or sw.shape != values.shape[:sw.ndim]:
            if sw.ndim == values.ndim + 1 and sw.shape[-1] == 1:
                sw = sw[..., 0]
            else:
                raise ValueError(
                    f"sample_weight of shape {sw.shape} does not fit metric values of shape "
                    f"{values.shape}"
                )
        sw = np.broadcast_to(sw.reshape(sw.shape + (1,) * (values.ndim - sw.ndim)), values.shape)
        self.total += float(np.sum(values * sw))
        self.count += float(np.sum(sw))

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The running mean of a metric function: `MeanMetricWrapper(fn, name, **fn_kwargs)`."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self.fn = fn
        self._fn_kwargs = kwargs
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper(class_name, fn, default_name, doc, **defaults):
    """A MeanMetricWrapper subclass with Keras's name and keyword defaults (e.g. k=5)."""
    def __init__(self, name=default_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name} got unexpected keyword argument(s) {sorted(unknown)}")
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **{**defaults, **kwargs})

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})


BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                          "How often y_pred > threshold matches binary labels.", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy,
                               "categorical_accuracy",
                               "How often argmax(y_pred) matches one-hot labels.")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy",
                                     "How often argmax(y_pred) matches integer labels.")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy",
                                   "How often the one-hot target is in the top k.", k=5)
SparseTopKCategoricalAccuracy = _wrapper(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", "How often the integer label is in the top k.", k=5,
)
MeanSquaredError = _wrapper("MeanSquaredError", mean_squared_error, "mean_squared_error",
                            "The running mean squared error.")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
                             "The running mean absolute error.")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                              "The running binary cross-entropy.", from_logits=False)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", categorical_crossentropy,
                                   "categorical_crossentropy",
                                   "The running categorical cross-entropy.", from_logits=False)
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "The running sparse categorical cross-entropy.",
    from_logits=False,
)
KLDivergence = _wrapper("KLDivergence", kl_divergence, "kl_divergence",
                        "The running KL divergence.")


class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly (Keras's `Accuracy` class; the string
    "accuracy" in compile picks binary/categorical/sparse accuracy instead)."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(_exact_accuracy, name=name, dtype=dtype)


def _exact_accuracy(y_true, y_pred):
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    hits = y_true == y_pred
    return hits.mean(axis=-1) if hits.ndim > 1 else hits.astype(np.float32)


class RootMeanSquaredError(Mean):
    """sqrt of the running mean squared error."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(mean_squared_error(y_true, y_pred), sample_weight)

    def result(self):
        return float(np.sqrt(super().result()))


def _snake(name):
    import re

    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


# --- looking metrics up by name -----------------------------------------------------------

_FUNCTIONS = {f.__name__: f for f in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
    mean_absolute_error, binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, huber,
)}
_FUNCTIONS.update(mse=mse, MSE=mse, mae=mae, MAE=mae, kld=kld, KLD=kld)
_CLASSES = {cls.__name__: cls for cls in (
    Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
    MeanAbsoluteError, RootMeanSquaredError, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, KLDivergence,
)}
#: "accuracy" and "acc" are resolved by compile from the loss and the label shapes.
ACCURACY_ALIASES = ("accuracy", "acc")


def get(identifier):
    """A metric from a name ("mae" -> the function), a class name (an instance), a
    serialized dict, a Metric or a function (returned as is)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        if identifier in ACCURACY_ALIASES:
            return Accuracy(name=identifier)
        raise ValueError(
            f"unknown metric {identifier!r}; expected one of "
            f"{sorted(set(_FUNCTIONS) | set(ACCURACY_ALIASES))} or a class name "
            f"{sorted(_CLASSES)}"
        )
    if isinstance(identifier, dict):
        cls = _CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"unknown metric config {identifier!r}")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"could not interpret metric {identifier!r}: expected a name such as 'accuracy', a "
        "Metric, or a function (y_true, y_pred) -> per-sample values"
    )


def serialize(metric):
    if isinstance(metric, Metric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return getattr(metric, "__name__", str(metric))
