"""Tensors made from nothing: zeros, ones, full, randn, rand, arange, *_like."""

import numpy as np

from baeum import backend, random
from baeum.autograd.tensor import Tensor


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _dtype(dtype):
    return backend.floatx if dtype is None else backend.as_dtype(dtype)


def zeros(*shape, dtype=None, requires_grad=False):
    return Tensor(np.zeros(_shape(shape), _dtype(dtype)), requires_grad=requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    return Tensor(np.ones(_shape(shape), _dtype(dtype)), requires_grad=requires_grad)


def full(shape, value, dtype=None, requires_grad=False):
    return Tensor(np.full(_shape((shape,)), value, _dtype(dtype)), requires_grad=requires_grad)


def zeros_like(x, dtype=None, requires_grad=False):
    return zeros(*np.shape(x.data if isinstance(x, Tensor) else x),
                 dtype=dtype or x.dtype, requires_grad=requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    return ones(*np.shape(x.data if isinstance(x, Tensor) else x),
                dtype=dtype or x.dtype, requires_grad=requires_grad)


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal samples from baeum's global generator (see baeum.random.seed)."""
    data = random.get_generator().standard_normal(_shape(shape)).astype(_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    data = random.get_generator().random(_shape(shape)).astype(_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None):
    """Like torch.arange: integers stay int64, a float anywhere gives the default float."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None and values.dtype.kind == "f":
        dtype = backend.floatx
    return Tensor(values if dtype is None else values.astype(backend.as_dtype(dtype)))
