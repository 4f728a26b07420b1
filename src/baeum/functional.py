"""`baeum.functional` (import as F): the ops as functions, with torch.nn.functional names.

>>> import baeum, baeum.functional as F
>>> F.relu(baeum.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""

import numpy as np

from baeum.autograd.tensor import Tensor
from baeum.ops import activations as _act
from baeum.ops import nn as _nn
from baeum.ops.conv import conv2d, conv2d_transpose
from baeum.ops.conv3d import conv3d, conv3d_transpose
from baeum.ops.depthwise_conv import depthwise_conv2d
from baeum.ops.einsum_op import einsum
from baeum.ops.elementwise import _operand
from baeum.ops.linalg import linear
from baeum.ops.pool import avg_pool2d, global_avg_pool2d, global_max_pool2d, max_pool2d, upsample2d
from baeum.ops.pool3d import (
    avg_pool3d,
    global_avg_pool3d,
    global_max_pool3d,
    max_pool3d,
    upsample3d,
)
from baeum.ops.recurrent import gru, lstm, simple_rnn


def relu(x):
    return _act.ReLU.apply(_operand(x))


def sigmoid(x):
    return _act.Sigmoid.apply(_operand(x))


def tanh(x):
    return _act.Tanh.apply(_operand(x))


# Constants are made Python floats: a NumPy float64 scalar would upcast float32 values.
def leaky_relu(x, negative_slope=0.01):
    return _act.LeakyReLU.apply(_operand(x), float(negative_slope))


def elu(x, alpha=1.0):
    return _act.ELU.apply(_operand(x), float(alpha))


def softplus(x, beta=1.0, threshold=20.0):
    """log(1 + e^(beta x)) / beta, and x where beta x > threshold (torch's)."""
    if beta == 0:
        raise ValueError("softplus beta must not be 0 (the result is divided by it)")
    return _act.Softplus.apply(_operand(x), float(beta), float(threshold))


# SELU's constants (Klambauer et al., 2017), as Keras and torch write them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """scale * (x if x > 0 else alpha (e^x - 1)), alpha = 1.67326..., scale = 1.05070..."""
    return _act.ELU.apply(_operand(x), SELU_ALPHA, SELU_SCALE)


def relu6(x):
    """min(max(x, 0), 6)."""
    return _act.ReLU6.apply(_operand(x))


def hardsigmoid(x):
    """relu6(x + 3) / 6: 0 for x <= -3, 1 for x >= 3, x/6 + 1/2 between."""
    return _act.ReLU6.apply(_operand(x), 3.0, 1 / 6)


def hardswish(x):
    """x * relu6(x + 3) / 6 (hard SiLU): 0 for x <= -3, x for x >= 3."""
    return _act.HardSilu.apply(_operand(x))


def mish(x):
    """x * tanh(softplus(x))."""
    return _act.Mish.apply(_operand(x))


def softsign(x):
    """x / (1 + |x|)."""
    return _act.Softsign.apply(_operand(x))


def prelu(x, weight):
    """x if x > 0 else weight * x, any shape; `weight` broadcasts against x, keeping its shape.

    Channels-last: a (C,) weight is per channel of x (N, ..., C), the last axis. (torch's
    prelu applies a (C,) weight along axis 1, its channels-first channel axis; on (N, C)
    inputs, and for a weight of one value, the two agree.)
    """
    x, weight = _operand(x), _operand(weight)
    try:
        fits = np.broadcast_shapes(np.shape(x), np.shape(weight)) == np.shape(x)
    except ValueError:  # shapes that do not broadcast at all
        fits = False
    if not fits:
        raise ValueError(f"prelu weight of shape {np.shape(weight)} does not broadcast "
                         f"against inputs of shape {np.shape(x)} (it must not enlarge them)")
    return _act.PReLU.apply(x, weight)


def gelu(x, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")
    return _act.GELU.apply(_operand(x), approximate)


def step(x):
    """Heaviside step (1 if x > 0 else 0). No gradient flows through it (zero everywhere)."""
    return _act.Step.apply(_operand(x))


def softmax(x, axis=-1):
    return _act.Softmax.apply(_operand(x), axis)


def log_softmax(x, axis=-1):
    return _act.LogSoftmax.apply(_operand(x), axis)


def dropout(x, rate, training=True, noise_shape=None, generator=None):
    """Inverted dropout: zero a `rate` fraction, scale the rest by 1/(1-rate); identity when
    not training. (Keras's argument name `rate`; torch calls it p.)

    noise_shape: the shape of the random mask, as in Keras: (batch, 1, features) drops
    a feature at every timestep at once; None entries take x's size.
    generator: a numpy Generator to draw the mask from (default: baeum's global one).
    """
    if not 0 <= rate < 1:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    x = _operand(x)
    if not training or rate == 0:
        return x
    return _nn.Dropout.apply(x, float(rate), noise_mask_shape(noise_shape, x.shape), generator)


def noise_mask_shape(noise_shape, shape, owner="dropout"):
    """The shape of a random mask for inputs of `shape`, from Keras's `noise_shape`.

    noise_shape: None (a mask value per input value: `shape` itself), or one entry per
    axis: the axis size, 1 (one mask value shared along the axis) or None (the axis size).
    `owner` starts the error message, e.g. "dropout" or "AlphaDropout 'alpha_dropout'".
    Shared by F.dropout and the dropout layers that draw their own masks (AlphaDropout).

    >>> noise_mask_shape((None, 1, 8), (32, 10, 8))
    (32, 1, 8)
    """
    if noise_shape is None:
        return tuple(shape)
    if len(noise_shape) != len(shape) or any(
            d not in (None, 1, n) for d, n in zip(noise_shape, shape)):
        raise ValueError(
            f"{owner} noise_shape {tuple(noise_shape)} does not fit inputs of shape "
            f"{tuple(shape)}: it needs one entry per axis, each the axis size, 1 or None"
        )
    return tuple(n if d is None else d for d, n in zip(noise_shape, shape))


def embedding(ids, table):
    """Rows of `table` (vocab, dim) picked by integer `ids` (...) -> (..., dim)."""
    ids = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"embedding ids must be integers, got dtype {ids.dtype}")
    n = table.shape[0]
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise IndexError(
            f"embedding ids must be in [0, {n}) for a table of {n} rows, "
            f"got values from {ids.min()} to {ids.max()}"
        )
    return _nn.Embedding.apply(ids, table)


__all__ = [
    "relu", "sigmoid", "tanh", "leaky_relu", "elu", "softplus", "gelu", "step", "softmax",
    "selu", "relu6", "hardsigmoid", "hardswish", "mish", "softsign", "prelu",
    "log_softmax", "dropout", "embedding", "linear",
    "conv2d", "conv2d_transpose", "depthwise_conv2d", "max_pool2d", "avg_pool2d",
    "global_avg_pool2d", "global_max_pool2d", "upsample2d",
    "conv3d", "conv3d_transpose", "max_pool3d", "avg_pool3d", "global_avg_pool3d",
    "global_max_pool3d", "upsample3d",
    "simple_rnn", "lstm", "gru", "einsum",
]
