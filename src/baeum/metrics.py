"""Metrics with Keras names: functions on arrays and stateful objects that average them.

A metric function takes `(y_true, y_pred)` as NumPy arrays (Tensors are accepted and
read through `.data`) and returns one value per sample, shape (batch,). Metrics are
never part of the graph: `fit` computes them on the arrays of each batch.

A metric object keeps a running total (`update_state`), reports the average
(`result`) and starts over (`reset_state`). The average is weighted by the number of
samples, so a metric over an epoch does not depend on how the epoch was batched. The
confusion-matrix metrics (Precision, Recall, AUC, TruePositives, ...) keep weighted counts
at their thresholds instead, summed the same way: their value over an epoch is the metric
of the whole epoch, not an average of batch values. So do F1Score/FBetaScore (per-class
counts) and R2Score (per-output sums); with average=None / class_aggregation=None their
result is an array, one value per class or output.

>>> import numpy as np
>>> m = SparseCategoricalAccuracy()
>>> m.update_state(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]))
>>> m.update_state(np.array([1]), np.array([[0.3, 0.7]]))
>>> round(m.result(), 4)        # 2 right out of 3
0.6667
"""

import warnings

import numpy as np

from baeum import losses as _losses
from baeum.autograd import grad_mode
from baeum.autograd.tensor import Tensor
from baeum.layers.layer import snake_case


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
binary_focal_crossentropy = _from_loss(_losses.binary_focal_crossentropy)
categorical_focal_crossentropy = _from_loss(_losses.categorical_focal_crossentropy)
sparse_categorical_crossentropy = _from_loss(_losses.sparse_categorical_crossentropy)
kl_divergence = _from_loss(_losses.kl_divergence)
huber = _from_loss(_losses.huber)
mean_absolute_percentage_error = _from_loss(_losses.mean_absolute_percentage_error)
mean_squared_logarithmic_error = _from_loss(_losses.mean_squared_logarithmic_error)
hinge = _from_loss(_losses.hinge)
squared_hinge = _from_loss(_losses.squared_hinge)
categorical_hinge = _from_loss(_losses.categorical_hinge)
log_cosh = _from_loss(_losses.log_cosh)
poisson = _from_loss(_losses.poisson)


def cosine_similarity(y_true, y_pred, axis=-1):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): +cos, so 1 is the best value
    (the loss of the same name is -cos, to be minimized).

    >>> cosine_similarity([[1.0, 0.0], [0.0, 1.0]], [[3.0, 0.0], [1.0, 0.0]]).tolist()
    [1.0, 0.0]
    """
    with grad_mode.no_grad():
        return -_losses.cosine_similarity(_array(y_true), _array(y_pred), axis=axis).data


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
logcosh = log_cosh


# --- metric objects -----------------------------------------------------------------------


class Metric:
    """Base class: `update_state(...)` accumulates, `result()` reports, `reset_state()` clears.

    Calling the object updates it and returns the result, like Keras.
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype
        self._variables = []
        try:
            self.reset_state()
        except AttributeError:
            # A subclass written as Keras's guide writes it creates its state after
            # super().__init__() (self.add_variable(...)); that state starts as initialized.
            pass

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """A state variable of the metric (Keras's `Metric.add_variable`): a Tensor that
        update_state changes in place with `assign_add` / `assign`, outside any graph.
        (aggregation is Keras's setting for distributed training: accepted, unused.)"""
        from baeum import backend, initializers

        dtype = backend.as_dtype(dtype or self.dtype or backend.floatx)
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        variable = Tensor(np.asarray(initializers.get(initializer)(shape, dtype=dtype), dtype))
        variable.name = f"{self.name}/{name}" if name else self.name
        self._variables.append(variable)
        return variable

    add_weight = add_variable  # Keras 2's name

    @property
    def variables(self):
        """The state variables made with add_variable, in creation order."""
        return list(getattr(self, "_variables", []))

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
                              "The running binary cross-entropy.", from_logits=False,
                              label_smoothing=0.0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", categorical_crossentropy,
                                   "categorical_crossentropy",
                                   "The running categorical cross-entropy.", from_logits=False,
                                   label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "The running sparse categorical cross-entropy.",
    from_logits=False,
)
KLDivergence = _wrapper("KLDivergence", kl_divergence, "kl_divergence",
                        "The running KL divergence.")
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "The running mean absolute percentage error (in %).",
)
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "The running mean squared logarithmic error.",
)
Hinge = _wrapper("Hinge", hinge, "hinge", "The running hinge loss (labels -1/1 or 0/1).")
SquaredHinge = _wrapper("SquaredHinge", squared_hinge, "squared_hinge",
                        "The running squared hinge loss (labels -1/1 or 0/1).")
CategoricalHinge = _wrapper("CategoricalHinge", categorical_hinge, "categorical_hinge",
                            "The running categorical hinge loss (one-hot labels).")
LogCoshError = _wrapper("LogCoshError", log_cosh, "logcosh",
                        "The running mean of log(cosh(y_pred - y_true)).")
Poisson = _wrapper("Poisson", poisson, "poisson",
                   "The running Poisson loss, mean(y_pred - y_true * log(y_pred)).")
CosineSimilarity = _wrapper("CosineSimilarity", cosine_similarity, "cosine_similarity",
                            "The running mean cosine similarity (+cos: 1 is best).", axis=-1)


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


# --- confusion-matrix metrics: weighted TP, FP, TN, FN counts at thresholds ---------------
#
# A prediction p is "positive" at threshold t when p > t; a label is positive when it is
# not 0. The counts are summed over every update_state since the last reset, so a result
# over an epoch is the metric of the whole epoch (not an average of batch values).

#: The threshold of top_k precision/recall: every prediction kept in the top k is above it.
NEG_INF = -1e10


def _parse_thresholds(thresholds, default):
    """[default] for None; else the number or list of numbers, each checked to be in [0, 1]."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) \
        else [thresholds]
    bad = [t for t in values if not isinstance(t, (int, float, np.number)) or not 0 <= t <= 1]
    if bad or not values:
        raise ValueError(
            f"thresholds must be numbers in [0, 1] (a number or a list), got {thresholds!r}"
            + (f"; out of range: {bad}" if bad else "")
        )
    return [float(t) for t in values]


def _thresholds_config(thresholds):
    """The thresholds argument as given, as JSON (None, a number or a list of numbers)."""
    if thresholds is None or isinstance(thresholds, (int, float, np.number)):
        return None if thresholds is None else float(thresholds)
    return [float(t) for t in thresholds]


def _divide_no_nan(a, b):
    """a / b, and 0 where b is 0 (e.g. precision before any positive prediction)."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    return np.divide(a, b, out=np.zeros(a.shape), where=b != 0)


def _confusion_inputs(y_true, y_pred, sample_weight, what):
    """y_true, y_pred and a weight per value (or None), as arrays of y_pred's shape.

    (batch,) labels meet (batch, 1) predictions; a weight per sample, (batch,) or
    (batch, 1), covers all of that sample's values (Keras's broadcasting rules).
    """
    y_true, y_pred = np.asarray(_array(y_true)), np.asarray(_array(y_pred))
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(np.float64)
    if y_true.shape != y_pred.shape:
        if y_true.shape + (1,) == y_pred.shape or y_true.shape == y_pred.shape + (1,):
            y_true = y_true.reshape(y_pred.shape)
        else:
            hint = ""
            if y_pred.ndim > 1 and y_true.shape == y_pred.shape[:-1]:
                hint = ("; the labels look like class ids: one-hot them "
                        "(baeum.data.to_categorical), and pick a class with class_id=")
            raise ValueError(
                f"{what} expects y_true with the shape of y_pred {y_pred.shape}, "
                f"got {y_true.shape}{hint}"
            )
    if np.isnan(y_pred).any():
        raise ValueError(f"{what} got NaN predictions: the model's outputs are not finite")
    if sample_weight is None:
        return y_true, y_pred, None
    sw = np.asarray(_array(sample_weight), np.float64)
    if sw.ndim == y_pred.ndim + 1 and sw.shape[-1] == 1:
        sw = sw[..., 0]
    try:
        weights = np.broadcast_to(sw.reshape(sw.shape + (1,) * (y_pred.ndim - sw.ndim)),
                                  y_pred.shape)
    except ValueError:
        raise ValueError(
            f"sample_weight of shape {sw.shape} does not fit predictions of shape "
            f"{y_pred.shape}; give one weight per sample, shape ({len(y_pred)},)"
        ) from None
    return y_true, y_pred, weights


def _keep_top_k(y_pred, k):
    """The k largest values along the last axis stay, the others become NEG_INF (ties: the
    first ones stay), so only a sample's top k predictions can be positive."""
    top = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    kept = np.full_like(y_pred, NEG_INF)
    np.put_along_axis(kept, top, np.take_along_axis(y_pred, top, axis=-1), axis=-1)
    return kept


def confusion_counts(positive, y_pred, weights, thresholds, per_label=False):
    """Weighted (tp, fp, tn, fn) at each threshold, "predicted positive" meaning p > t.

    positive: bool labels; y_pred, weights (or None): the same shape. thresholds: T values.
    Returns four arrays of shape (T,), or (T, L) with per_label=True for (N, L) inputs
    (the counts of each label, i.e. each column, apart).

    One pass for all thresholds, no loop over them: a prediction's bucket k, the number of
    thresholds below it (a binary search), says it is positive at the k lowest thresholds.
    A weighted histogram of the buckets summed from the top gives tp (positive labels) and
    fp (negative ones); summed from the bottom, fn and tn. O(N log T + T) per update.

    >>> counts = confusion_counts(np.array([0, 0, 1, 1]) != 0, np.array([0.1, 0.6, 0.4, 0.9]),
    ...                           None, [0.3, 0.5])
    >>> [c.tolist() for c in counts]     # tp, fp, tn, fn at thresholds 0.3 and 0.5
    [[2.0, 1.0], [1.0, 1.0], [1.0, 1.0], [0.0, 1.0]]
    """
    thresholds = np.asarray(thresholds, dtype=y_pred.dtype)  # compared in y_pred's precision
    order = np.argsort(thresholds, kind="stable")
    n = len(thresholds)
    columns = y_pred.shape[-1] if per_label else 1
    y_pred, positive = y_pred.reshape(-1, columns), positive.reshape(-1, columns)
    weights = np.ones(y_pred.shape) if weights is None else weights.reshape(-1, columns)
    bucket = np.searchsorted(thresholds[order], y_pred, side="left")  # count of t < p
    bucket = bucket + (n + 1) * np.arange(columns)  # each column has its own n + 1 buckets

    def histogram(w):  # (columns, n + 1): the weight in each bucket
        return np.bincount(bucket.ravel(), w.ravel(), minlength=(n + 1) * columns) \
            .reshape(columns, n + 1)

    pos = histogram(np.where(positive, weights, 0.0))
    neg = histogram(np.where(positive, 0.0, weights))
    # tp[i]: positives in buckets above i; fn[i]: positives in buckets 0..i (same for fp, tn).
    tp, fp = (h[:, ::-1].cumsum(axis=1)[:, ::-1][:, 1:] for h in (pos, neg))
    fn, tn = (h.cumsum(axis=1)[:, :n] for h in (pos, neg))
    out = []
    for sorted_counts in (tp, fp, tn, fn):
        counts = np.empty_like(sorted_counts)
        counts[:, order] = sorted_counts  # back to the thresholds' given order
        out.append(counts.T if per_label else counts[0])
    return tuple(out)


class _ConfusionMatrixMetric(Metric):
    """Shared state of the confusion-matrix metrics: `true_positives`, `false_positives`,
    `true_negatives`, `false_negatives`, float arrays of shape (T,) (one per threshold),
    or (T, labels) for a multi-label AUC, summed over the update_state calls."""

    def __init__(self, thresholds, name=None, dtype=None, top_k=None, class_id=None,
                 multi_label=False, num_labels=None, label_weights=None):
        self.thresholds = list(thresholds)
        self.top_k = top_k
        self.class_id = class_id
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self._labels = num_labels  # a multi-label AUC learns it at the first update if None
        self.label_weights = None if label_weights is None else \
            np.asarray(label_weights, np.float64)
        if top_k is not None and (not isinstance(top_k, (int, np.integer)) or top_k < 1):
            raise ValueError(f"top_k must be a positive integer or None, got {top_k!r}")
        if class_id is not None and (not isinstance(class_id, (int, np.integer)) or
                                     class_id < 0):
            raise ValueError(f"class_id must be a class index >= 0 or None, got {class_id!r}")
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        labels = () if not self.multi_label else None if self._labels is None else (self._labels,)
        for count in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, count, None if labels is None else
                    np.zeros((len(self.thresholds), *labels)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        what = type(self).__name__
        y_true, y_pred, weights = _confusion_inputs(y_true, y_pred, sample_weight, what)
        if self.label_weights is not None and not self.multi_label:
            if y_pred.ndim < 1 or y_pred.shape[-1] != self.label_weights.size:
                raise ValueError(f"{what} has {self.label_weights.size} label_weights but "
                                 f"predictions of shape {y_pred.shape}")
            weights = self.label_weights if weights is None else weights * self.label_weights
            weights = np.broadcast_to(weights, y_pred.shape)
        if self.top_k is not None:
            y_pred = _keep_top_k(y_pred, self.top_k)
        if self.class_id is not None:
            if y_pred.ndim < 2 or self.class_id >= y_pred.shape[-1]:
                raise ValueError(
                    f"{what}(class_id={self.class_id}) needs predictions of shape (batch, "
                    f"classes) with more than {self.class_id} classes, got {y_pred.shape}"
                )
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
            weights = None if weights is None else weights[..., self.class_id]
        if self.multi_label and y_pred.ndim != 2:
            raise ValueError(f"{what}(multi_label=True) needs predictions of shape (batch, "
                             f"labels), got {y_pred.shape}")
        counts = confusion_counts(y_true != 0, y_pred, weights, self.thresholds,
                                  self.multi_label)
        if self.true_positives is None:
            self._labels = y_pred.shape[-1]
            self.reset_state()
        if counts[0].shape != self.true_positives.shape:
            raise ValueError(f"{what} was built for {self._labels} labels, got predictions "
                             f"of shape {y_pred.shape}")
        self.true_positives += counts[0]
        self.false_positives += counts[1]
        self.true_negatives += counts[2]
        self.false_negatives += counts[3]

    def _per_threshold(self, values):
        """A float for one threshold (the usual case), else an array of one per threshold."""
        return float(values[0]) if len(self.thresholds) == 1 else np.array(values)


class _ConfusionCount(_ConfusionMatrixMetric):
    """The weighted count of one cell of the confusion matrix, at each threshold."""

    _count = None  # the name of the count the result reports

    def __init__(self, thresholds=None, name=None, dtype=None):
        self._thresholds_arg = _thresholds_config(thresholds)
        super().__init__(_parse_thresholds(thresholds, 0.5), name=name, dtype=dtype)

    def result(self):
        return self._per_threshold(getattr(self, self._count))

    def get_config(self):
        return {**super().get_config(), "thresholds": self._thresholds_arg}


class TruePositives(_ConfusionCount):
    """The (weighted) number of positive labels predicted positive (y_pred > threshold).

    >>> m = TruePositives()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> m.result()
    2.0
    """

    _count = "true_positives"


class FalsePositives(_ConfusionCount):
    """The (weighted) number of negative labels predicted positive (y_pred > threshold).

    >>> FalsePositives()([0, 1, 0, 0], [0, 0, 1, 1])
    2.0
    """

    _count = "false_positives"


class TrueNegatives(_ConfusionCount):
    """The (weighted) number of negative labels predicted negative (y_pred <= threshold).

    >>> TrueNegatives()([0, 1, 0, 0], [1, 1, 0, 0])
    2.0
    """

    _count = "true_negatives"


class FalseNegatives(_ConfusionCount):
    """The (weighted) number of positive labels predicted negative (y_pred <= threshold).

    >>> FalseNegatives()([0, 1, 1, 1], [0, 1, 0, 0])
    2.0
    """

    _count = "false_negatives"


class _PrecisionRecall(_ConfusionMatrixMetric):
    """Precision and Recall: thresholds (default 0.5, or none with top_k), top_k, class_id."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self._thresholds_arg = _thresholds_config(thresholds)
        # With top_k alone every top-k prediction counts as positive, whatever its value.
        default = 0.5 if top_k is None else NEG_INF
        super().__init__(_parse_thresholds(thresholds, default), name=name, dtype=dtype,
                         top_k=top_k, class_id=class_id)

    def get_config(self):
        return {**super().get_config(), "thresholds": self._thresholds_arg,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """TP / (TP + FP): how many of the predicted positives (y_pred > threshold) are right.

    Labels and predictions have one shape, e.g. (batch, 1) for one sigmoid output or
    (batch, C) multi-hot; all values are pooled unless class_id picks one column. top_k
    counts only each sample's k highest predictions as positive. For logits (a loss with
    from_logits=True) use thresholds=0.

    >>> m = Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(m.result(), 4)        # 2 of the 3 predicted positives are positive
    0.6667
    >>> m.reset_state()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    >>> m.result()
    1.0
    """

    def result(self):
        tp = self.true_positives
        return self._per_threshold(_divide_no_nan(tp, tp + self.false_positives))


class Recall(_PrecisionRecall):
    """TP / (TP + FN): how many of the positive labels are predicted positive.

    Same arguments as Precision.

    >>> m = Recall()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(m.result(), 4)        # 2 of the 3 positives are found
    0.6667
    """

    def result(self):
        tp = self.true_positives
        return self._per_threshold(_divide_no_nan(tp, tp + self.false_negatives))


_AUC_CURVES = ("ROC", "PR")
_AUC_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(_ConfusionMatrixMetric):
    """Area under the ROC curve (TP rate against FP rate) or the PR curve (precision
    against recall), from the counts at `num_thresholds` thresholds (Keras's algorithm).

    Thresholds: -eps, 1/(n-1), 2/(n-1), ..., (n-2)/(n-1), 1 + eps (n = num_thresholds), or
    `thresholds` (values in (0, 1)) between the same two ends. The area is a sum over the
    intervals between neighbouring thresholds, with x = FP rate (ROC) or recall (PR):
      "interpolation" (default): ROC with trapezoids (the mean height of the two ends);
        PR with TP and FP varying linearly in each interval (Davis & Goadrich 2006), whose
        area has a closed form (see `_interpolated_pr_auc`);
      "minoring" / "majoring": rectangles of the lower / higher of the two heights.
    multi_label=True: one AUC per label (column of (batch, labels)), then their mean
    (weighted by label_weights); else every value is one data point. from_logits=True
    applies a sigmoid to the predictions first.

    >>> m = AUC(num_thresholds=3)       # thresholds -1e-7, 0.5, 1 + 1e-7
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> m.result()      # TP rate [1, 0.5, 0], FP rate [1, 0, 0]: (1 + 0.5) / 2 * (1 - 0)
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        curve_name = curve.upper() if isinstance(curve, str) else curve
        if curve_name not in _AUC_CURVES:
            raise ValueError(f"AUC curve must be one of {list(_AUC_CURVES)}, got {curve!r}")
        method = summation_method.lower() if isinstance(summation_method, str) else None
        if method not in _AUC_SUMMATIONS:
            raise ValueError(f"AUC summation_method must be one of {list(_AUC_SUMMATIONS)}, "
                             f"got {summation_method!r}")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = np.sort(_parse_thresholds(thresholds, None))
            num_thresholds = len(inner) + 2
        else:
            if not isinstance(num_thresholds, (int, np.integer)) or num_thresholds <= 1:
                raise ValueError(f"AUC num_thresholds must be an integer > 1, got "
                                 f"{num_thresholds!r}")
            inner = np.arange(1, num_thresholds - 1) / (num_thresholds - 1)
        if num_labels is not None and not multi_label:
            raise ValueError("AUC num_labels is only used with multi_label=True")
        self.num_thresholds = int(num_thresholds)
        self.curve = curve_name
        self.summation_method = method
        self.from_logits = bool(from_logits)
        # The end thresholds -eps and 1 + eps: predictions of exactly 0 and 1 are counted.
        eps = _losses.EPSILON
        super().__init__([-eps, *inner.tolist(), 1.0 + eps], name=name,
                         dtype=dtype, multi_label=multi_label, num_labels=num_labels,
                         label_weights=label_weights)

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = np.asarray(_array(y_pred))
        if self.from_logits:
            p = 1.0 / (1.0 + np.exp(-p))
        elif p.size and not (p.min() >= 0 and p.max() <= 1):  # also catches NaN
            raise ValueError(
                f"AUC expects probabilities in [0, 1], got values from {p.min()} to {p.max()}; "
                "for logits (no sigmoid on the last layer) use AUC(from_logits=True)"
            )
        super().update_state(y_true, p, sample_weight)

    def result(self):
        if self.true_positives is None:  # a multi-label AUC that has seen no data
            return 0.0
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        if self.curve == "PR" and self.summation_method == "interpolation":
            areas = _interpolated_pr_auc(tp, fp, fn)
        else:
            recall = _divide_no_nan(tp, tp + fn)
            if self.curve == "ROC":
                x, y = _divide_no_nan(fp, fp + tn), recall
            else:
                x, y = recall, _divide_no_nan(tp, tp + fp)
            heights = {"interpolation": (y[:-1] + y[1:]) / 2,
                       "minoring": np.minimum(y[:-1], y[1:]),
                       "majoring": np.maximum(y[:-1], y[1:])}[self.summation_method]
            areas = (x[:-1] - x[1:]) * heights  # the thresholds rise as x falls
        area = areas.sum(axis=0)
        if not self.multi_label:
            return float(area)
        if self.label_weights is None:
            return float(area.mean())
        return float(_divide_no_nan((area * self.label_weights).sum(), self.label_weights.sum()))

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None
                  else self.label_weights.tolist(),
                  "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]  # without the two end thresholds
        return config


def _interpolated_pr_auc(tp, fp, fn):
    """The area under the PR curve, each interval [A, B] between neighbouring thresholds
    integrated with TP and P = TP + FP varying linearly (Davis & Goadrich 2006; Keras's
    interpolate_pr_auc). With slope = dTP / dP and intercept = TP_B - slope * P_B,
    precision = slope + intercept / P, and its integral over recall = TP / positives is

        slope * (dTP + intercept * log(P_A / P_B)) / positives

    (the log term drops where P_A or P_B is 0). Returns one area per interval, (T - 1, ...).
    """
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    slope = _divide_no_nan(dtp, np.maximum(dp, 0))
    intercept = tp[1:] - slope * p[1:]
    both_positive = (p[:-1] > 0) & (p[1:] > 0)
    p_ratio = np.where(both_positive, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
    return _divide_no_nan(slope * (dtp + intercept * np.log(p_ratio)),
                          np.maximum(tp[1:] + fn[1:], 0))


# --- F-scores: per-class TP, FP, FN counts of thresholded predictions -----------------------


class FBetaScore(Metric):
    """F-beta score: the weighted harmonic mean of precision and recall, per class::

        b2 = beta ** 2
        precision = TP / (TP + FP),  recall = TP / (TP + FN)    (+ 1e-7 in each denominator)
        F_beta = (1 + b2) * precision * recall / (b2 * precision + recall)

    Inputs are (batch, classes): one-hot or multi-hot labels and scores. A score counts as a
    positive prediction when it is > `threshold`, or, with threshold=None, when it is its
    row's maximum (the argmax class; ties all count, a row of zeros predicts nothing).
    The weighted counts are summed over every update since the last reset, so an epoch's
    value is the score of the whole epoch, not a mean of batch scores.

    average: None (one score per class, an array of shape (classes,)), "micro" (the score of
    the counts summed over the classes), "macro" (the mean of the class scores) or
    "weighted" (their mean weighted by each class's number of true labels). beta > 1
    favours recall, beta < 1 precision.

    >>> m = FBetaScore(beta=2.0, threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> m.result().round(4).tolist()
    [0.3846, 0.9091, 0.8333]
    """

    _AVERAGES = (None, "micro", "macro", "weighted")

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        what = type(self).__name__
        if average not in self._AVERAGES:
            raise ValueError(f"{what} average must be one of {list(self._AVERAGES)}, "
                             f"got {average!r}")
        if isinstance(beta, bool) or not isinstance(beta, (int, float, np.number)) or \
                not beta > 0:
            raise ValueError(f"{what} beta must be a number > 0, got {beta!r}")
        if threshold is not None and (
                isinstance(threshold, bool) or
                not isinstance(threshold, (int, float, np.number)) or not 0 < threshold <= 1):
            raise ValueError(f"{what} threshold must be None or a number in (0, 1], "
                             f"got {threshold!r}")
        self.average = average
        self.beta = float(beta)
        self.threshold = None if threshold is None else float(threshold)
        self.true_positives = None  # (classes,) arrays, made at the first update
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        classes = getattr(self, "_classes", None)
        for count in ("true_positives", "false_positives", "false_negatives",
                      "intermediate_weights"):  # intermediate_weights: the true labels
            setattr(self, count, None if classes is None else np.zeros(classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        what = type(self).__name__
        if np.ndim(_array(y_true)) == 1 and np.ndim(_array(y_pred)) == 2 and \
                np.shape(_array(y_pred))[1] > 1:
            raise ValueError(
                f"{what} expects one-hot (or multi-hot) labels of shape (batch, classes) = "
                f"{np.shape(_array(y_pred))}, got {np.shape(_array(y_true))}: the labels look "
                "like class ids; one-hot them with baeum.data.to_categorical")
        y_true, y_pred, weights = _confusion_inputs(y_true, y_pred, sample_weight, what)
        if y_pred.ndim != 2:
            raise ValueError(f"{what} expects inputs of shape (batch, classes), got "
                             f"y_pred of shape {y_pred.shape}")
        if self.true_positives is None:
            self._classes = y_pred.shape[-1]
            self.reset_state()
        if y_pred.shape[-1] != self._classes:
            raise ValueError(f"{what} was built for {self._classes} classes, got predictions "
                             f"of shape {y_pred.shape}")
        if self.threshold is None:
            # 1e-9, not 0: a row of zeros is no prediction, not a prediction of every class
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(np.float64)
        true = np.asarray(y_true, np.float64)  # soft labels count by their value, as in Keras
        if weights is not None:
            predicted_w, true_w = predicted * weights, true * weights
        else:
            predicted_w, true_w = predicted, true
        self.true_positives += (predicted_w * true).sum(axis=0)
        self.false_positives += (predicted_w * (1.0 - true)).sum(axis=0)
        self.false_negatives += ((1.0 - predicted) * true_w).sum(axis=0)
        self.intermediate_weights += true_w.sum(axis=0)

    def result(self):
        if self.true_positives is None:  # nothing seen yet
            return 0.0
        eps = _losses.EPSILON  # Keras's epsilon in each denominator: 0, not NaN, for 0 / 0
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        b2 = self.beta ** 2
        score = (1 + b2) * precision * recall / (b2 * precision + recall + eps)
        if self.average == "weighted":
            support = self.intermediate_weights
            return float((score * support / (support.sum() + eps)).sum())
        if self.average is not None:  # micro (one value already) and macro
            return float(np.mean(score))
        return score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score: 2 * precision * recall / (precision + recall), per class or averaged;
    `FBetaScore` with beta = 1 (see there for `average` and `threshold`).

    >>> m = F1Score(threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> m.result().round(4).tolist()
    [0.5, 0.8, 0.6667]
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


# --- R2: sums of the targets, their squares and the squared errors -----------------------------


class R2Score(Metric):
    """The coefficient of determination, per output (column) of (batch, outputs) data::

        R2 = 1 - sum((y_true - y_pred) ** 2) / sum((y_true - mean(y_true)) ** 2)

    1 is a perfect fit, 0 is no better than predicting the mean, below 0 is worse. The sums
    are kept as sum(w y), sum(w y^2), sum(w (y - p)^2) and sum(w) per output over every
    update since the last reset, so an epoch's value is the R2 of the whole epoch.

    class_aggregation: "uniform_average" (the mean over outputs), "variance_weighted_average"
    (weighted by each output's total sum of squares) or None (an array, one per output).
    num_regressors p > 0 gives the adjusted R2, 1 - (1 - R2) (n - 1) / (n - p - 1), where n
    counts the values seen (as in Keras: samples times outputs); it falls back to R2, with a
    warning, when n - p - 1 <= 0. An output whose targets are all equal has no variance:
    its R2 is 1 when it is predicted exactly, else 0 (Keras: NaN and 0).

    >>> m = R2Score()
    >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
    >>> round(m.result(), 6)
    0.571429
    """

    _AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        if class_aggregation not in self._AGGREGATIONS:
            raise ValueError(f"R2Score class_aggregation must be one of "
                             f"{list(self._AGGREGATIONS)}, got {class_aggregation!r}")
        if isinstance(num_regressors, bool) or \
                not isinstance(num_regressors, (int, np.integer)) or num_regressors < 0:
            raise ValueError(f"R2Score num_regressors must be an integer >= 0, "
                             f"got {num_regressors!r}")
        self.class_aggregation = class_aggregation
        self.num_regressors = int(num_regressors)
        self.sum = None  # (outputs,) arrays, made at the first update
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        outputs = getattr(self, "_outputs", None)
        for total in ("sum", "squared_sum", "total_mse", "count"):
            setattr(self, total, None if outputs is None else np.zeros(outputs))
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = np.asarray(_array(y_true), np.float64)
        y_pred = np.asarray(_array(y_pred), np.float64)
        if y_true.shape + (1,) == y_pred.shape:  # (batch,) targets of a (batch, 1) output
            y_true = y_true[..., None]
        elif y_true.ndim == 1 and y_true.shape == y_pred.shape:  # one output, as a vector
            y_true, y_pred = y_true[:, None], y_pred[:, None]
        if y_true.shape != y_pred.shape or y_pred.ndim != 2:
            raise ValueError(f"R2Score expects y_true and y_pred of one shape (batch, outputs), "
                             f"got {y_true.shape} and {y_pred.shape}")
        if not (np.isfinite(y_pred).all() and np.isfinite(y_true).all()):
            raise ValueError("R2Score got NaN or inf values: the targets or the model's "
                             "outputs are not finite")
        # Sums in float64: sum(y^2) - sum(y) * mean cancels digits when the mean is large.
        if self.sum is None:
            self._outputs = y_pred.shape[-1]
            self.reset_state()
        if y_pred.shape[-1] != self._outputs:
            raise ValueError(f"R2Score was built for {self._outputs} outputs, got shape "
                             f"{y_pred.shape}")
        if sample_weight is None:
            w = np.ones_like(y_true)
        else:
            sw = np.asarray(_array(sample_weight), np.float64)
            if sw.ndim == 1:  # one weight per sample, for all of its outputs
                sw = sw[:, None]
            try:
                w = np.broadcast_to(sw, y_true.shape)
            except ValueError:
                raise ValueError(f"sample_weight of shape {np.shape(sample_weight)} does not "
                                 f"fit targets of shape {y_true.shape}") from None
        self.sum += (w * y_true).sum(axis=0)
        self.squared_sum += (w * y_true * y_true).sum(axis=0)
        self.total_mse += (w * (y_true - y_pred) ** 2).sum(axis=0)
        self.count += w.sum(axis=0)
        self.num_samples += y_true.size

    def result(self):
        if self.sum is None:  # nothing seen yet
            return 0.0
        mean = _divide_no_nan(self.sum, self.count)
        total = self.squared_sum - self.sum * mean  # sum(w (y - mean)^2)
        # total 0: constant targets; 1 if also predicted exactly, else 0 (not +-inf or NaN)
        raw = np.where(total > 0, 1.0 - _divide_no_nan(self.total_mse, total),
                       np.where(self.total_mse == 0, 1.0, 0.0))
        if self.class_aggregation == "uniform_average":
            score = float(raw.mean())
        elif self.class_aggregation == "variance_weighted_average":
            score = float(_divide_no_nan((total * raw).sum(), total.sum()))
        else:
            score = raw
        if self.num_regressors:
            n, p = self.num_samples, self.num_regressors
            if p >= n - 1:
                warnings.warn(
                    f"R2Score: {p} regressors for {n} values is too many for the adjusted R2 "
                    "(it needs num_regressors < n - 1); returning the plain R2 score",
                    stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1) / (n - p - 1)
        return score

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


# --- looking metrics up by name -----------------------------------------------------------

_FUNCTIONS = {f.__name__: f for f in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
    mean_absolute_error, binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, huber, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, hinge, squared_hinge, categorical_hinge, log_cosh,
    poisson, cosine_similarity, binary_focal_crossentropy, categorical_focal_crossentropy,
)}
_FUNCTIONS.update(mse=mse, MSE=mse, mae=mae, MAE=mae, kld=kld, KLD=kld, mape=mape, MAPE=mape,
                  msle=msle, MSLE=msle, logcosh=logcosh)
_CLASSES = {cls.__name__: cls for cls in (
    Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
    MeanAbsoluteError, RootMeanSquaredError, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, KLDivergence, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Hinge, SquaredHinge, CategoricalHinge, LogCoshError, Poisson,
    CosineSimilarity, TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision,
    Recall, AUC, FBetaScore, F1Score, R2Score,
)}
# Keras also resolves a class by its snake_case name ("auc", "precision", "true_positives"),
# to an instance; a function of the same name ("mean_squared_error") comes first.
_CLASSES_BY_SNAKE_NAME = {snake_case(name): cls for name, cls in _CLASSES.items()
                          if snake_case(name) not in _FUNCTIONS}
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
        if identifier in _CLASSES_BY_SNAKE_NAME:
            return _CLASSES_BY_SNAKE_NAME[identifier]()
        if identifier in ACCURACY_ALIASES:
            return Accuracy(name=identifier)
        raise ValueError(
            f"unknown metric {identifier!r}; expected one of "
            f"{sorted(set(_FUNCTIONS) | set(_CLASSES_BY_SNAKE_NAME) | set(ACCURACY_ALIASES))} "
            f"or a class name {sorted(_CLASSES)}"
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
