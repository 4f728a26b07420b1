"""Loss functions with Keras names and semantics: one value per sample.

`y_true` first, `y_pred` second, as in Keras. Functions return a tensor of shape
(batch,) (the mean over the last axis where Keras takes it); the loss classes and
`fit` average that over the batch. The from_logits paths are fused ops (stable
log-sum-exp); the probability paths clip to [eps, 1 - eps] like Keras.
"""

import math
import warnings

import numpy as np

from baeum.autograd.tensor import Tensor
from baeum.functional import log_softmax, sigmoid, softplus
from baeum.layers.layer import snake_case
from baeum.ops import losses as _fused
from baeum.ops.elementwise import _operand, abs, clip, exp, log, maximum, sqrt, where
from baeum.ops.reduce import max, mean, sum

EPSILON = 1e-7


def _pair(y_true, y_pred):
    y_pred = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
    if isinstance(y_true, Tensor):
        y_true_t = y_true
    else:
        y_true_t = Tensor(np.asarray(y_true))
    if y_true_t.dtype != y_pred.dtype and y_pred.dtype.kind == "f":
        y_true_t = y_true_t.astype(y_pred.dtype)
    if y_true_t.shape != y_pred.shape:
        # Keras squeezes a trailing 1 so (batch,) targets fit (batch, 1) outputs.
        if y_true_t.shape + (1,) == y_pred.shape:
            y_true_t = y_true_t.reshape(*y_pred.shape)
        elif y_pred.shape + (1,) == y_true_t.shape:
            y_true_t = y_true_t.reshape(*y_pred.shape)
        else:
            raise ValueError(
                f"y_true and y_pred must have the same shape, got y_true {y_true_t.shape} "
                f"and y_pred {y_pred.shape}"
            )
    return y_true_t, y_pred


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)^2, axis=-1): (batch, d) -> (batch,)."""
    y_true, y_pred = _pair(y_true, y_pred)
    d = y_pred - y_true
    return mean(d * d, axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return mean(abs(y_pred - y_true), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta); mean over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    e = y_pred - y_true
    a = abs(e)
    quad = 0.5 * e * e
    lin = delta * a - 0.5 * delta * delta
    return mean(where(a.data <= delta, quad, lin), axis=-1)


def _check_label_smoothing(label_smoothing):
    if isinstance(label_smoothing, bool) or not 0 <= label_smoothing <= 1:
        raise ValueError(f"label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
    return float(label_smoothing)


def _binary_crossentropy_values(y_true, y_pred, from_logits):
    """-(t log p + (1 - t) log(1 - p)) elementwise, no mean: the shared core of
    binary_crossentropy and binary_focal_crossentropy.

    Logits go through the fused sigmoid + cross-entropy op (stable for any logit);
    probabilities are clipped to [eps, 1 - eps] first, as in Keras, so log never sees 0.
    """
    if from_logits:
        return _fused.SigmoidBinaryCrossEntropy.apply(y_pred, y_true)
    p = clip(y_pred, EPSILON, 1 - EPSILON)
    return -(y_true * log(p) + (1 - y_true) * log(1 - p))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-(t log p + (1 - t) log(1 - p)), mean over `axis`: (batch, d) -> (batch,).

    label_smoothing s moves the targets toward 0.5 first: t * (1 - s) + 0.5 * s.

    >>> values = binary_crossentropy(np.array([[0.0, 1.0], [0.0, 0.0]]),
    ...                              np.array([[0.6, 0.4], [0.4, 0.6]]))
    >>> [round(v, 3) for v in values.tolist()]
    [0.916, 0.714]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    s = _check_label_smoothing(label_smoothing)
    if s:
        y_true = y_true * (1.0 - s) + 0.5 * s
    return mean(_binary_crossentropy_values(y_true, y_pred, from_logits), axis=axis)


def _check_one_hot(y_true, y_pred, what):
    """The targets of a categorical loss must be one-hot rows of y_pred's shape; integer
    class ids get a hint toward the sparse loss."""
    t = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if t.shape != y_pred.shape:
        hint = ""
        if t.shape in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,)):
            hint = (
                "; the labels look like integer class ids: use "
                "sparse_categorical_crossentropy, or one-hot them with baeum.data.to_categorical"
            )
        raise ValueError(
            f"{what} expects one-hot targets of shape {y_pred.shape}, got {t.shape}{hint}"
        )


def _smooth_categorical(y_true, label_smoothing, axis):
    """t * (1 - s) + s / C for C classes along `axis`: 0.1 gives 0.9 + 0.1 / C to the true
    class and 0.1 / C to the others."""
    s = _check_label_smoothing(label_smoothing)
    if not s:
        return y_true
    return y_true * (1.0 - s) + s / y_true.shape[axis]


def _categorical_probs(y_pred, from_logits, axis):
    """(p, log p) along `axis`: the probabilities and their logs, shared by the categorical
    cross-entropies.

    Logits: log p = log_softmax (log-sum-exp, finite for any logit) and p = exp(log p).
    Probabilities: rescaled to sum to 1, clipped to [eps, 1 - eps] (Keras), then logged.
    """
    if from_logits:
        log_p = log_softmax(y_pred, axis=axis)
        return exp(log_p), log_p
    p = clip(y_pred / sum(y_pred, axis=axis, keepdims=True), EPSILON, 1 - EPSILON)
    return p, log(p)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(t log p) over the class axis: targets one-hot (batch, C) -> (batch,).

    label_smoothing s: t * (1 - s) + s / C first.

    >>> values = categorical_crossentropy(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    ...                                   np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))
    >>> [round(v, 4) for v in values.tolist()]
    [0.0513, 2.3026]
    """
    y_pred = _operand(y_pred) if isinstance(y_pred, Tensor) else Tensor(y_pred)
    _check_one_hot(y_true, y_pred, "categorical_crossentropy")
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing, axis)
    if from_logits:
        ax = axis % y_pred.ndim
        if ax != y_pred.ndim - 1:  # the fused op works on the last axis: move it there
            perm = [i for i in range(y_pred.ndim) if i != ax] + [ax]
            y_pred, y_true = y_pred.transpose(perm), y_true.transpose(perm)
        return _fused.SoftmaxCrossEntropy.apply(y_pred, y_true)
    _, log_p = _categorical_probs(y_pred, False, axis)
    return -sum(y_true * log_p, axis=axis)


def _check_focal(gamma, alpha=None):
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.number)) or gamma < 0:
        raise ValueError(f"gamma must be a number >= 0, got {gamma!r}")
    if alpha is not None and (isinstance(alpha, bool) or
                              not isinstance(alpha, (int, float, np.number)) or
                              not 0 <= alpha <= 1):
        raise ValueError(f"alpha must be a number in [0, 1], got {alpha!r}")


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy with a focal factor (Lin et al., 2018), mean over `axis`:
    (batch, d) -> (batch,)::

        p    = sigmoid(y_pred) if from_logits else y_pred
        p_t  = t * p + (1 - t) * (1 - p)        (the probability given to the label)
        loss = (1 - p_t) ** gamma * bce(t, y_pred)
        with apply_class_balancing: loss *= t * alpha + (1 - t) * (1 - alpha)

    The factor shrinks the loss of well-classified values (p_t near 1), so training
    focuses on the hard ones; gamma=0 is plain binary cross-entropy. bce is that of
    `binary_crossentropy` (fused with the sigmoid for logits, clipped for probabilities),
    label_smoothing s as there: t * (1 - s) + 0.5 * s.

    >>> values = binary_focal_crossentropy(np.array([[0.0, 1.0], [0.0, 0.0]]),
    ...                                    np.array([[0.6, 0.4], [0.4, 0.6]]))
    >>> [round(v, 3) for v in values.tolist()]
    [0.33, 0.206]
    """
    _check_focal(gamma, alpha)
    y_true, y_pred = _pair(y_true, y_pred)
    s = _check_label_smoothing(label_smoothing)
    if s:
        y_true = y_true * (1.0 - s) + 0.5 * s
    bce = _binary_crossentropy_values(y_true, y_pred, from_logits)
    p = sigmoid(y_pred) if from_logits else y_pred
    p_t = y_true * p + (1 - y_true) * (1 - p)
    focal = (1.0 - p_t) ** float(gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1.0 - alpha)) * focal
    return mean(focal, axis=axis)


def _class_weights(alpha, y_pred, axis):
    """alpha as a number, or a list of one weight per class shaped to broadcast along `axis`."""
    if isinstance(alpha, (int, float, np.number)) and not isinstance(alpha, bool):
        return float(alpha)
    weights = np.asarray(alpha, dtype=y_pred.dtype)
    n = y_pred.shape[axis]
    if weights.ndim != 1 or weights.size != n:
        raise ValueError(
            f"alpha must be a number or a list of one weight per class ({n} classes along "
            f"axis {axis}), got {alpha!r}"
        )
    shape = [1] * y_pred.ndim
    shape[axis] = n
    return weights.reshape(shape)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy with a focal factor (Lin et al., 2018), summed over the class
    axis: one-hot targets (batch, C) -> (batch,)::

        p    = softmax(y_pred) if from_logits else y_pred / sum(y_pred)   (clipped)
        loss = sum(alpha * (1 - p) ** gamma * -t * log p)

    alpha is a number or one weight per class (e.g. inverse class frequencies); gamma=0
    and alpha=1 give plain categorical cross-entropy. label_smoothing s: t (1 - s) + s / C.

    >>> values = categorical_focal_crossentropy(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    ...                                         np.array([[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]))
    >>> [round(v, 6) for v in values.tolist()]
    [0.000263, 0.675912]
    """
    _check_focal(gamma)
    y_pred = _operand(y_pred) if isinstance(y_pred, Tensor) else Tensor(y_pred)
    _check_one_hot(y_true, y_pred, "categorical_focal_crossentropy")
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing, axis)
    p, log_p = _categorical_probs(y_pred, from_logits, axis)
    weight = (1.0 - p) ** float(gamma) * _class_weights(alpha, y_pred, axis)
    return sum(weight * (-y_true * log_p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """-log p[label]: integer labels (batch,) and predictions (batch, C) -> (batch,)."""
    y_pred = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
    labels = _sparse_labels(y_true, y_pred.shape)
    if from_logits:
        return _fused.SparseSoftmaxCrossEntropy.apply(y_pred, labels)
    p = y_pred / sum(y_pred, axis=-1, keepdims=True)
    p = clip(p, EPSILON, 1 - EPSILON)
    picked = p[(*np.indices(labels.shape), labels)]
    return -log(picked)


def _sparse_labels(y_true, pred_shape):
    t = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if t.shape == pred_shape[:-1] + (1,):
        t = t.reshape(pred_shape[:-1])
    if t.shape != pred_shape[:-1]:
        hint = ""
        if t.shape == pred_shape:
            hint = (
                "; the labels look one-hot: use categorical_crossentropy, or pass the class "
                "ids (y.argmax(-1))"
            )
        raise ValueError(
            f"sparse_categorical_crossentropy expects integer labels of shape {pred_shape[:-1]} "
            f"for predictions of shape {pred_shape}, got {t.shape}{hint}"
        )
    if t.dtype.kind == "f":
        if not np.all(t == np.round(t)):
            raise ValueError("sparse_categorical_crossentropy labels must be integer class ids")
    t = t.astype(np.int64, copy=False)
    n = pred_shape[-1]
    # One pass for both bounds: as unsigned, a negative id is larger than any class.
    if t.size and t.view(np.uint64).max() >= n:
        raise ValueError(
            f"labels must be class ids in [0, {n}) for {n} classes, "
            f"got values from {t.min()} to {t.max()}"
        )
    return t


def kl_divergence(y_true, y_pred):
    """sum(t log(t / p)) over the last axis, both clipped to [eps, 1]."""
    y_true, y_pred = _pair(y_true, y_pred)
    t = clip(y_true, EPSILON, 1.0)
    p = clip(y_pred, EPSILON, 1.0)
    return sum(t * log(t / p), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1): (batch, d) -> (batch,).

    A target of 0 is divided by eps = 1e-7 (as in Keras), so the value is huge there.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    relative = abs((y_true - y_pred) / maximum(abs(y_true), EPSILON))
    return 100.0 * mean(relative, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2, axis=-1).

    Values below eps (zeros and negatives) count as eps, as in Keras.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    d = log(maximum(y_pred, EPSILON) + 1.0) - log(maximum(y_true, EPSILON) + 1.0)
    return mean(d * d, axis=-1)


def _hinge_labels(y_true):
    """Keras's habit: labels that are all 0 or 1 become -1 or 1; others stay as given."""
    t = y_true.data
    if np.all((t == 0) | (t == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0), axis=-1), labels -1/1 (0/1 are converted).

    >>> hinge(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]])).tolist()  # labels [-1, 1]
    [1.1]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return mean(maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2, axis=-1), labels -1/1 (0/1 are converted)."""
    y_true, y_pred = _pair(y_true, y_pred)
    margin = maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)
    return mean(margin * margin, axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(neg - pos + 1, 0) for one-hot y_true (batch, C) -> (batch,), where
    pos = sum(y_true * y_pred) (the true class's score) and
    neg = max((1 - y_true) * y_pred) (the best wrong class's score)."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = sum(y_true * y_pred, axis=-1)
    neg = max((1.0 - y_true) * y_pred, axis=-1)
    return maximum(neg - pos + 1.0, 0.0)


_LOG_2 = math.log(2.0)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1): about e^2 / 2 for a small error e and
    |e| - log 2 for a large one (robust like Huber, smooth everywhere).

    Computed as e + softplus(-2e) - log 2, which never overflows (cosh(e) does past |e| ~ 710).

    >>> loss = log_cosh(np.array([[0.0, 0.0]]), np.array([[1000.0, 0.0]]))
    >>> round(float(loss[0]), 4)        # (1000 - log 2) / 2: no overflow
    499.6534
    """
    y_true, y_pred = _pair(y_true, y_pred)
    e = y_pred - y_true
    return mean(e + softplus(-2.0 * e) - _LOG_2, axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + eps), axis=-1): y_pred is a rate (>= 0), e.g.
    the output of an exp or softplus activation; y_true are counts."""
    y_true, y_pred = _pair(y_true, y_pred)
    if y_pred.size and y_pred.data.min() < 0:
        raise ValueError(
            f"poisson expects non-negative predictions (rates), got a minimum of "
            f"{y_pred.data.min()}; end the model with activation='exponential' or 'softplus'"
        )
    return mean(y_pred - y_true * log(y_pred + EPSILON), axis=-1)


def _l2_normalize(x, axis):
    """x / max(||x||, eps) along `axis`: a zero vector stays zero (no division by 0)."""
    return x / sqrt(maximum(sum(x * x, axis=axis, keepdims=True), EPSILON * EPSILON))


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for vectors pointing the
    same way, 0 for orthogonal ones (or a zero vector), 1 for opposite ones. Minimizing it
    maximizes the cosine similarity; the metric `baeum.metrics.CosineSimilarity` is +cos.

    >>> cosine_similarity(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [2.0, 2.0]]))
    tensor([-0., -1.], dtype=float64)
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return -sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
logcosh = log_cosh


# --- loss classes: Keras's objects, reducing the per-sample values to the batch loss ------


class Loss:
    """Base class: `loss(y_true, y_pred, sample_weight=None)` -> the batch loss.

    A subclass writes `call(y_true, y_pred)` returning one value per sample; `__call__`
    weights them by `sample_weight` (shape (batch,)) and reduces:
    "sum_over_batch_size" (Keras's default: sum of weighted values / their count),
    "sum", or "none"/None (the weighted values themselves).

    >>> import numpy as np
    >>> loss = MeanSquaredError()
    >>> float(loss(np.array([[0.0], [1.0]]), np.array([[1.0], [1.0]])))
    0.5
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"unknown reduction {reduction!r}; expected one of "
                f"{sorted(r for r in _REDUCTIONS if r)} or None"
            )
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        # A sequence output with a mask (Embedding(mask_zero=True) ... return_sequences):
        # padded steps do not count, as in Keras.
        mask = getattr(y_pred, "_keras_mask", None) if isinstance(y_pred, Tensor) else None
        if mask is not None and mask.shape == values.shape:
            sample_weight = _mask_weights(mask, sample_weight, values.dtype, self.reduction)
        return reduce_weighted_values(values, sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


def _mask_weights(mask, sample_weight, dtype, reduction):
    """Keras's apply_mask: weights that drop the masked values. For the mean reductions
    the real ones are scaled by total / real, so the mean is over the real values only."""
    weights = np.asarray(mask, dtype)
    if reduction == "sum_over_batch_size":
        weights *= weights.size / (weights.sum() + 1e-7)
    if sample_weight is not None:
        sw = np.asarray(sample_weight.data if isinstance(sample_weight, Tensor)
                        else sample_weight, dtype)
        if sw.ndim == weights.ndim + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        weights = weights * sw.reshape(sw.shape + (1,) * (weights.ndim - sw.ndim))
    return weights


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight per-sample loss values (batch, ...) by sample_weight (batch,) and reduce."""
    if sample_weight is not None:
        sw = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
        sw = np.asarray(sw, dtype=values.dtype)
        if sw.ndim == values.ndim + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        if sw.ndim > values.ndim or sw.shape != values.shape[:sw.ndim]:
            raise ValueError(
                f"sample_weight of shape {sw.shape} does not fit loss values of shape "
                f"{values.shape}; give one weight per sample, shape ({values.shape[0]},)"
            )
        sw = sw.reshape(sw.shape + (1,) * (values.ndim - sw.ndim))
        values = values * sw
    if reduction is None or reduction == "none" or values.ndim == 0:
        return values
    if reduction == "sum":
        return sum(values)
    return mean(values)  # sum_over_batch_size: the sum of weighted values / their count


class LossFunctionWrapper(Loss):
    """A loss class around a loss function: `LossFunctionWrapper(huber, delta=2.0)`."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


class MeanSquaredError(LossFunctionWrapper):
    """mean((y_true - y_pred)^2) over the last axis, then over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    """mean(|y_true - y_pred|) over the last axis, then over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    """Quadratic for |error| <= delta, linear beyond (the DQN loss)."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        super().__init__(huber, reduction=reduction, name=name, delta=float(delta))


class KLDivergence(LossFunctionWrapper):
    """sum(y_true * log(y_true / y_pred)) over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence"):
        super().__init__(kl_divergence, reduction=reduction, name=name)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """100 * mean(|(y_true - y_pred) / y_true|) over the last axis, then over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """mean((log(y_pred + 1) - log(y_true + 1))^2) over the last axis, then over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error"):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name)


class Hinge(LossFunctionWrapper):
    """max(1 - y_true * y_pred, 0) for labels -1/1 (0/1 are converted): the SVM loss."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(hinge, reduction=reduction, name=name)


class SquaredHinge(LossFunctionWrapper):
    """max(1 - y_true * y_pred, 0)^2 for labels -1/1 (0/1 are converted)."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge"):
        super().__init__(squared_hinge, reduction=reduction, name=name)


class CategoricalHinge(LossFunctionWrapper):
    """max(best wrong score - true score + 1, 0) for one-hot targets (batch, C)."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge"):
        super().__init__(categorical_hinge, reduction=reduction, name=name)


class LogCosh(LossFunctionWrapper):
    """mean(log(cosh(y_pred - y_true))) over the last axis, then over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh"):
        super().__init__(log_cosh, reduction=reduction, name=name)


class Poisson(LossFunctionWrapper):
    """mean(y_pred - y_true * log(y_pred)) over the last axis: counts y_true, rates y_pred."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson"):
        super().__init__(poisson, reduction=reduction, name=name)


class CosineSimilarity(LossFunctionWrapper):
    """-cos(y_true, y_pred) along `axis`, then the batch mean (so -1 is the best value)."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity"):
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)


class _ProbabilisticLoss(Loss):
    """Shared by the cross-entropies: from_logits, label smoothing, the softmax warning."""

    def __init__(self, from_logits=False, label_smoothing=0.0, reduction="sum_over_batch_size",
                 name=None):
        super().__init__(name=name, reduction=reduction)
        if not 0 <= label_smoothing <= 1:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self._checked_logits = False

    def _check_logits(self, y_pred):
        """Warn (once) when softmax probabilities are passed to a from_logits=True loss."""
        if not self.from_logits or self._checked_logits:
            return
        self._checked_logits = True
        p = y_pred.data if isinstance(y_pred, Tensor) else np.asarray(y_pred)
        if p.ndim >= 2 and p.shape[-1] > 1 and p.size and p.min() >= 0 and p.max() <= 1 and \
                np.allclose(p.sum(axis=-1), 1.0, atol=1e-3):
            warnings.warn(
                f"{type(self).__name__}(from_logits=True) received values in [0, 1] whose rows "
                "sum to 1: they look like softmax probabilities, not logits. Remove the "
                "softmax activation from the last layer, or use from_logits=False.",
                UserWarning, stacklevel=3,
            )

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"axis must be an integer, got {axis!r}")
    return int(axis)


class BinaryCrossentropy(_ProbabilisticLoss):
    """-(t log p + (1 - t) log(1 - p)) for targets t in [0, 1]; logits with from_logits=True.

    The mean over `axis`, then over the batch. label_smoothing s moves targets toward 0.5:
    t * (1 - s) + 0.5 * s (the GAN trick: the discriminator's "real" label becomes 0.95 for
    s = 0.1).
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy"):
        super().__init__(from_logits, label_smoothing, reduction, name)
        self.axis = _check_axis(axis)

    def call(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, from_logits=self.from_logits,
                                   label_smoothing=self.label_smoothing, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class CategoricalCrossentropy(_ProbabilisticLoss):
    """-sum(t log p) for one-hot targets (batch, C); softmax of logits with from_logits=True.

    `axis` is the class axis. label_smoothing s: t * (1 - s) + s / C.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy"):
        super().__init__(from_logits, label_smoothing, reduction, name)
        self.axis = _check_axis(axis)

    def call(self, y_true, y_pred):
        self._check_logits(y_pred)
        return categorical_crossentropy(y_true, y_pred, from_logits=self.from_logits,
                                        label_smoothing=self.label_smoothing, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class BinaryFocalCrossentropy(_ProbabilisticLoss):
    """Binary cross-entropy times the focal factor (1 - p_t) ** gamma, where p_t is the
    probability the prediction gives to the label; see `binary_focal_crossentropy`.

    apply_class_balancing=True also weighs class 1 by alpha and class 0 by 1 - alpha
    (the form of Lin et al. and torchvision's sigmoid_focal_loss).

    >>> loss = BinaryFocalCrossentropy(gamma=2, from_logits=True)
    >>> round(float(loss(np.array([0, 1, 0, 0]), np.array([-18.6, 0.51, 2.94, -12.8]))), 3)
    0.691
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy"):
        super().__init__(from_logits, label_smoothing, reduction, name)
        _check_focal(gamma, alpha)
        self.axis = _check_axis(axis)
        self.apply_class_balancing = bool(apply_class_balancing)
        self.alpha = float(alpha)
        self.gamma = float(gamma)

    def call(self, y_true, y_pred):
        return binary_focal_crossentropy(
            y_true, y_pred, apply_class_balancing=self.apply_class_balancing, alpha=self.alpha,
            gamma=self.gamma, from_logits=self.from_logits,
            label_smoothing=self.label_smoothing, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis,
                "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma}


class CategoricalFocalCrossentropy(_ProbabilisticLoss):
    """Categorical cross-entropy of one-hot targets, each class's term weighted by
    alpha * (1 - p) ** gamma; see `categorical_focal_crossentropy`. alpha: a number or a
    list of one weight per class.

    >>> loss = CategoricalFocalCrossentropy()
    >>> y_true = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> round(float(loss(y_true, np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))), 4)
    0.2332
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy"):
        super().__init__(from_logits, label_smoothing, reduction, name)
        _check_focal(gamma)
        self.axis = _check_axis(axis)
        if isinstance(alpha, (int, float, np.number)) and not isinstance(alpha, bool):
            self.alpha = float(alpha)
        else:  # one weight per class, kept as a list so that the config is JSON
            self.alpha = [float(a) for a in np.asarray(alpha, dtype=np.float64).reshape(-1)]
        self.gamma = float(gamma)

    def call(self, y_true, y_pred):
        self._check_logits(y_pred)
        return categorical_focal_crossentropy(
            y_true, y_pred, alpha=self.alpha, gamma=self.gamma, from_logits=self.from_logits,
            label_smoothing=self.label_smoothing, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "alpha": self.alpha,
                "gamma": self.gamma}


class SparseCategoricalCrossentropy(_ProbabilisticLoss):
    """-log p[label] for integer labels (batch,) and predictions (batch, C)."""

    def __init__(self, from_logits=False, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy"):
        super().__init__(from_logits, 0.0, reduction, name)

    def call(self, y_true, y_pred):
        self._check_logits(y_pred)
        return sparse_categorical_crossentropy(y_true, y_pred, from_logits=self.from_logits)

    def __call__(self, y_true, y_pred, sample_weight=None):
        # The usual case as one op: logits, the batch mean, no weights and no mask.
        if self.from_logits and sample_weight is None and \
                self.reduction == "sum_over_batch_size" and y_pred.__class__ is Tensor and \
                getattr(y_pred, "_keras_mask", None) is None:
            self._check_logits(y_pred)
            labels = _sparse_labels(y_true, y_pred.shape)
            return _fused.SparseSoftmaxCrossEntropy.apply(y_pred, labels, mean=True)
        return super().__call__(y_true, y_pred, sample_weight)

    def get_config(self):
        config = super().get_config()
        del config["label_smoothing"]
        return config


# --- looking losses up by name ------------------------------------------------------------

_FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "huber": huber, "huber_loss": huber,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "kl_divergence": kl_divergence, "kld": kl_divergence, "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "log_cosh": log_cosh, "logcosh": log_cosh,
    "poisson": poisson, "cosine_similarity": cosine_similarity,
}
# The class a loss function stands for, so compile can wrap "mse" in MeanSquaredError.
_CLASS_OF_FUNCTION = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    huber: Huber, binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    kl_divergence: KLDivergence,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge,
    log_cosh: LogCosh, poisson: Poisson, cosine_similarity: CosineSimilarity,
}
_CLASSES = {cls.__name__: cls for cls in _CLASS_OF_FUNCTION.values()}


def get(identifier):
    """A loss from a name, a class name, a serialized dict, or a callable (returned as is).

    Names give the function (Keras's habit): `get("mse") is mean_squared_error`;
    class names give an instance: `get("Huber")` is `Huber()`.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(
            f"unknown loss {identifier!r}; expected one of {sorted(_FUNCTIONS)} "
            f"or a class name {sorted(_CLASSES)}"
        )
    if isinstance(identifier, dict):
        cls = _CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(
                f"unknown loss config {identifier!r}; class_name must be one of {sorted(_CLASSES)}"
            )
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"could not interpret loss {identifier!r}: expected a name such as 'mse', a Loss, "
        "or a function (y_true, y_pred) -> per-sample losses"
    )


def serialize(loss):
    """`{"class_name": ..., "config": ...}` for a Loss; the name for a known function."""
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    name = getattr(loss, "__name__", None)
    if name in _FUNCTIONS:
        return name
    raise ValueError(f"cannot serialize loss {loss!r}: not a Loss or a known loss function")


def deserialize(config):
    return get(config)
