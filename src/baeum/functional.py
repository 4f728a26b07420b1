"""`baeum.functional` (import as F): the ops as functions, with torch.nn.functional names.

>>> import baeum, baeum.functional as F
>>> F.relu(baeum.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""

from baeum.autograd.tensor import Tensor
from baeum.ops import activations as _act
from baeum.ops import nn as _nn
from baeum.ops.conv import conv2d, conv2d_transpose
from baeum.ops.elementwise import _operand
from baeum.ops.linalg import linear
from baeum.ops.pool import avg_pool2d, global_avg_pool2d, global_max_pool2d, max_pool2d, upsample2d
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
    return _act.Softplus.apply(_operand(x), float(beta), float(threshold))


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
    mask_shape = None
    if noise_shape is not None:
        if len(noise_shape) != x.ndim or any(
                d not in (None, 1, n) for d, n in zip(noise_shape, x.shape)):
            raise ValueError(
                f"dropout noise_shape {tuple(noise_shape)} does not fit inputs of shape "
                f"{x.shape}: it needs one entry per axis, each the axis size, 1 or None"
            )
        mask_shape = tuple(n if d is None else d for d, n in zip(noise_shape, x.shape))
    return _nn.Dropout.apply(x, float(rate), mask_shape, generator)


def embedding(ids, table):
    """Rows of `table` (vocab, dim) picked by integer `ids` (...) -> (..., dim)."""
    import numpy as np

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
    "log_softmax", "dropout", "embedding", "linear",
    "conv2d", "conv2d_transpose", "max_pool2d", "avg_pool2d", "global_avg_pool2d",
    "global_max_pool2d", "upsample2d",
    "simple_rnn", "lstm", "gru",
]
