"""Loss functions with Keras names and semantics: one value per sample.

`y_true` first, `y_pred` second, as in Keras. Functions return a tensor of shape
(batch,) (the mean over the last axis where Keras takes it); the loss classes and
`fit` average that over the batch. The from_logits paths are fused ops (stable
log-sum-exp); the probability paths clip to [eps, 1 - eps] like Keras.
"""

import numpy as np

from baeum.autograd.tensor import Tensor
from baeum.ops import losses as _fused
from baeum.ops.elementwise import _operand, abs, clip, log, where
from baeum.ops.reduce import mean, sum

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


def binary_crossentropy(y_true, y_pred, from_logits=False):
    """-(t log p + (1 - t) log(1 - p)), mean over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    if from_logits:
        return mean(_fused.SigmoidBinaryCrossEntropy.apply(y_pred, y_true), axis=-1)
    p = clip(y_pred, EPSILON, 1 - EPSILON)
    bce = y_true * log(p) + (1 - y_true) * log(1 - p)
    return -mean(bce, axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """-sum(t log p) over the class axis: targets one-hot (batch, C) -> (batch,)."""
    y_pred = _operand(y_pred) if isinstance(y_pred, Tensor) else Tensor(y_pred)
    t = y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if t.shape != y_pred.shape:
        hint = ""
        if t.shape in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,)):
            hint = (
                "; the labels look like integer class ids: use "
                "sparse_categorical_crossentropy, or one-hot them with baeum.data.to_categorical"
            )
        raise ValueError(
            f"categorical_crossentropy expects one-hot targets of shape {y_pred.shape}, "
            f"got {t.shape}{hint}"
        )
    y_true, y_pred = _pair(y_true, y_pred)
    if from_logits:
        return _fused.SoftmaxCrossEntropy.apply(y_pred, y_true)
    p = y_pred / sum(y_pred, axis=axis, keepdims=True)
    p = clip(p, EPSILON, 1 - EPSILON)
    return -sum(y_true * log(p), axis=axis)


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
    if t.size and (t.min() < 0 or t.max() >= n):
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


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
kld = KLD = kl_divergence
