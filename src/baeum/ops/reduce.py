"""Reductions: sum, mean, max, min, var, std (axis may be an int, a tuple or None)."""

import builtins
import math

import numpy as np

from baeum.autograd.function import Function
from baeum.autograd.tensor import Tensor


def _normalize_axis(axis, ndim):
    """The reduced axes as a tuple of non-negative ints (a 0-d tensor reduces over none)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    out = []
    for a in axis:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        if ndim:
            out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"axis {tuple(axis)} repeats an axis")
    return tuple(out)


def _kept_shape(shape, axes):
    """The shape of the result with keepdims=True: reduced axes become 1."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g, shape, kept_shape):
    """Copy a reduced gradient back over the input's shape (a fresh, writeable array;
    np.empty + assignment is several times faster than np.broadcast_to + expand_dims)."""
    out = np.empty(shape, g.dtype)
    out[...] = g.reshape(kept_shape)
    return out


class Sum(Function):
    def forward(self, x, axis, keepdims):
        axes = _normalize_axis(axis, x.ndim)
        self.shape, self.kept_shape = x.shape, _kept_shape(x.shape, axes)
        return x.sum(axis=axes, keepdims=keepdims)

    def backward(self, g):
        return (_spread(g, self.shape, self.kept_shape), None, None)


class Mean(Function):
    def forward(self, x, axis, keepdims):
        if axis is None:  # the usual loss reduction: no axes to check
            axes, self.count = None, x.size
            self.kept_shape = (1,) * x.ndim
        else:
            axes = _normalize_axis(axis, x.ndim)
            self.kept_shape = _kept_shape(x.shape, axes)
            self.count = math.prod(x.shape[a] for a in axes)
        self.shape = x.shape
        # sum / count is what np.mean computes, without its Python-level overhead.
        return np.add.reduce(x, axis=axes, keepdims=keepdims) / self.count

    def backward(self, g):
        return (_spread(g / self.count, self.shape, self.kept_shape), None, None)


class Max(Function):
    """Max over axes; tied maxima share the gradient equally (as torch.amax)."""

    reducer = staticmethod(np.max)

    def forward(self, x, axis, keepdims):
        if x.size == 0:
            raise ValueError(f"{type(self).__name__.lower()}() of an empty tensor {x.shape}")
        self.x, self.axes, self.keepdims = x, _normalize_axis(axis, x.ndim), keepdims
        self.y = self.reducer(x, axis=self.axes, keepdims=True)
        return self.y if keepdims else np.squeeze(self.y, axis=self.axes)

    def backward(self, g):
        mask = self.x == self.y
        count = mask.sum(axis=self.axes, keepdims=True).astype(g.dtype)
        return (mask * (g.reshape(self.y.shape) / count), None, None)


class Min(Max):
    reducer = staticmethod(np.min)


class Var(Function):
    """Variance with `ddof` (0 = population variance, as NumPy and Keras)."""

    def forward(self, x, axis, keepdims, ddof):
        axes = _normalize_axis(axis, x.ndim)
        self.axes, self.keepdims = axes, keepdims
        n = math.prod(x.shape[a] for a in axes)
        self.denom = n - ddof
        if self.denom <= 0:
            raise ValueError(f"var with ddof={ddof} needs more than {ddof} elements, got {n}")
        self.centered = x - x.sum(axis=axes, keepdims=True) / n
        self.kept_shape = _kept_shape(x.shape, axes)
        return (self.centered * self.centered).sum(axis=axes, keepdims=keepdims) / self.denom

    def backward(self, g):
        g = g.reshape(self.kept_shape)
        return (g * (2 / self.denom) * self.centered, None, None, None)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return Sum.apply(_tensor(x), axis, keepdims)


def mean(x, axis=None, keepdims=False):
    return Mean.apply(_tensor(x), axis, keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return Max.apply(_tensor(x), axis, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return Min.apply(_tensor(x), axis, keepdims)


def var(x, axis=None, keepdims=False, ddof=0):
    return Var.apply(_tensor(x), axis, keepdims, ddof)


def std(x, axis=None, keepdims=False, ddof=0):
    from baeum.ops.elementwise import sqrt

    return sqrt(var(x, axis, keepdims, ddof))


def argmax(x, axis=None):
    """Index of the largest value (an integer array; not differentiable)."""
    return np.argmax(x.data if isinstance(x, Tensor) else x, axis=axis)


def argmin(x, axis=None):
    return np.argmin(x.data if isinstance(x, Tensor) else x, axis=axis)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)
