"""The differentiable ops, grouped by kind, and the Tensor methods that call them.

`baeum.ops` also holds Keras 3's `keras.ops` names (ops.mean, ops.square, ops.shape, ...),
from keras_ops.py: code written for Keras runs with `from baeum import ops`.
"""

import numpy as np

from baeum.autograd.tensor import Tensor
from baeum.ops import activations, creation, elementwise, linalg, reduce, shaping
from baeum.ops.elementwise import _operand


def _binary(op_class):
    """`tensor OP other` straight to the op (self is already a Tensor: one check less)."""
    return lambda self, other: op_class.apply(self, _operand(other))


def _reflected(op):
    return lambda self, other: op(_operand(other), self)


def _compare(ufunc):
    def method(self, other):
        return ufunc(self.data, other.data if isinstance(other, Tensor) else other)

    return method


def _install_tensor_methods():
    E, R, S = elementwise, reduce, shaping
    T = Tensor
    T.__add__, T.__radd__ = _binary(E.Add), _reflected(E.add)
    T.__sub__, T.__rsub__ = _binary(E.Sub), _reflected(E.sub)
    T.__mul__, T.__rmul__ = _binary(E.Mul), _reflected(E.mul)
    T.__truediv__, T.__rtruediv__ = _binary(E.Div), _reflected(E.div)
    T.__pow__, T.__rpow__ = E.pow, _reflected(E.pow)
    T.__matmul__, T.__rmatmul__ = linalg.matmul, _reflected(linalg.matmul)
    T.__neg__, T.__abs__ = E.neg, E.abs
    T.__pos__ = lambda self: self
    # Comparisons give plain boolean arrays: they are not differentiable.
    T.__lt__, T.__le__ = _compare(np.less), _compare(np.less_equal)
    T.__gt__, T.__ge__ = _compare(np.greater), _compare(np.greater_equal)
    T.__eq__, T.__ne__ = _compare(np.equal), _compare(np.not_equal)
    T.__getitem__ = S.getitem
    T.exp, T.log, T.sqrt, T.abs, T.clip = E.exp, E.log, E.sqrt, E.abs, E.clip
    T.astype = E.astype
    T.sum, T.mean, T.max, T.min = R.sum, R.mean, R.max, R.min
    T.var, T.std, T.argmax, T.argmin = R.var, R.std, R.argmax, R.argmin
    T.reshape, T.transpose, T.flatten = S.reshape, S.transpose, S.flatten
    T.squeeze, T.expand_dims = S.squeeze, S.expand_dims
    T.T = property(lambda self: S.transpose(self))
    T.matmul = linalg.matmul
    T.relu = lambda self: activations.ReLU.apply(self)
    T.sigmoid = lambda self: activations.Sigmoid.apply(self)
    T.tanh = lambda self: activations.Tanh.apply(self)


_install_tensor_methods()

from baeum.ops import keras_ops  # noqa: E402 - it uses the Tensor methods installed above
from baeum.ops.keras_ops import *  # noqa: E402, F403 - Keras's names, as keras.ops has them

__all__ = ["activations", "creation", "elementwise", "linalg", "reduce", "shaping",
           *keras_ops.__all__]
