"""Keras 3's `keras.ops` names, so that code written for Keras runs with `from baeum import ops`.

    from baeum import ops

    class Sampling(baeum.layers.Layer):            # from Keras's VAE guide, as written there
        def call(self, inputs):
            z_mean, z_log_var = inputs
            epsilon = baeum.random.normal(ops.shape(z_mean))
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

Each name is one of baeum's differentiable ops under Keras's name and argument names
(`ops.clip(x, x_min, x_max)`, `ops.concatenate(xs, axis=0)`): gradients flow through all
of them except the ones that return integers or booleans (argmax, one_hot, comparisons,
sign), as in Keras. Arrays and numbers are accepted wherever a tensor is.

Called on symbolic tensors (the outputs of `Input` and of layers), an op records a
weightless `TensorOp` layer in the functional graph, which applies the same op to real
tensors when the model runs and saves as the op's name and arguments, never code:

    inputs = Input(shape=(10, 8))
    outputs = Dense(1)(ops.mean(inputs, axis=1))    # (None, 8) -> (None, 1)
"""

import functools
import numbers

import numpy as np

from baeum import backend
from baeum.autograd.tensor import Tensor
from baeum.ops import activations as _act
from baeum.ops import creation, elementwise, linalg, reduce, shaping
from baeum.ops.einsum_op import einsum as _einsum
from baeum.ops.elementwise import _operand

#: name -> function, for every op below (TensorOp finds an op here by its saved name).
KERAS_OPS = {}


def _keras_op(fn, name=None):
    """Register `fn` under `name` (default: its own); on symbolic inputs, record it instead
    of running it."""
    name = name or fn.__name__

    @functools.wraps(fn)
    def op(*args, **kwargs):
        if any(_is_symbolic(a) for a in args) or any(_is_symbolic(v) for v in kwargs.values()):
            from baeum.layers.tensor_op import symbolic_keras_op

            return symbolic_keras_op(name, args, kwargs)
        return fn(*args, **kwargs)

    op.__name__ = name
    KERAS_OPS[name] = op
    return op


def _is_symbolic(value):
    if isinstance(value, (list, tuple)):
        return any(_is_symbolic(v) for v in value)
    return getattr(value, "_is_symbolic_tensor", False)


def _t(x):
    """A Tensor for x (a Tensor, an array, a number or a nested list)."""
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


def _int_axes(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# --- conversion and shapes ----------------------------------------------------------------
@_keras_op
def convert_to_tensor(x, dtype=None):
    """A Tensor of x (a Tensor stays itself unless `dtype` changes it)."""
    t = _t(x)
    return t if dtype is None else cast(t, dtype)


def convert_to_numpy(x):
    """x's values as a NumPy array."""
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def shape(x):
    """x's shape, a tuple (on a symbolic tensor, None for the batch axis)."""
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


@_keras_op
def cast(x, dtype):
    """x in another dtype; float -> float keeps the gradient."""
    return elementwise.astype(_t(x), dtype)


@_keras_op
def stop_gradient(x):
    """x's value, with no gradient flowing back through it."""
    return _t(x).detach()


# --- arithmetic ---------------------------------------------------------------------------
# baeum's elementwise functions already take tensors, arrays and numbers, as Keras's do.
add = _keras_op(elementwise.add, "add")
subtract = _keras_op(elementwise.sub, "subtract")
multiply = _keras_op(elementwise.mul, "multiply")
divide = true_divide = _keras_op(elementwise.div, "divide")
power = _keras_op(elementwise.pow, "power")
sqrt, exp, expm1, log, log1p, sin, cos, abs, maximum, minimum = (  # noqa: A001
    _keras_op(getattr(elementwise, name), name) for name in
    ("sqrt", "exp", "expm1", "log", "log1p", "sin", "cos", "abs", "maximum", "minimum"))
absolute = abs


@_keras_op
def where(condition, x1, x2):
    """x1 where condition holds, else x2 (the gradient flows to both by position)."""
    return elementwise.where(condition, x1, x2)


@_keras_op
def negative(x):
    return elementwise.neg(_t(x))


@_keras_op
def square(x):
    x = _t(x)
    return x * x


@_keras_op
def sign(x):
    """-1, 0 or 1 (no gradient)."""
    return Tensor(np.sign(_t(x).data))


@_keras_op
def clip(x, x_min, x_max):
    return elementwise.clip(_t(x), x_min, x_max)


def _comparison(ufunc):
    def compare(x1, x2):
        a, b = (v.data if isinstance(v, Tensor) else np.asarray(v) for v in (x1, x2))
        return Tensor(ufunc(a, b))

    compare.__name__ = ufunc.__name__
    compare.__doc__ = f"Elementwise {ufunc.__name__}, as booleans (no gradient)."
    return _keras_op(compare)


equal, not_equal = _comparison(np.equal), _comparison(np.not_equal)
greater, greater_equal = _comparison(np.greater), _comparison(np.greater_equal)
less, less_equal = _comparison(np.less), _comparison(np.less_equal)


# --- reductions ---------------------------------------------------------------------------
def _reduction(name, fn):
    def reduction(x, axis=None, keepdims=False):
        return fn(_t(x), _int_axes(axis), keepdims)

    reduction.__doc__ = f"{name} over `axis` (an int, a list of ints, or None for all)."
    return _keras_op(reduction, name)


sum, mean, max, min, var, std = (  # noqa: A001 - Keras's names
    _reduction(name, getattr(reduce, name)) for name in ("sum", "mean", "max", "min", "var",
                                                           "std"))


def _index_of(name, ufunc):
    def index_of(x, axis=None, keepdims=False):
        return Tensor(ufunc(_t(x).data, axis=axis, keepdims=keepdims))

    index_of.__doc__ = f"The index of the {name[3:]}imum along `axis` (no gradient)."
    return _keras_op(index_of, name)


argmax, argmin = _index_of("argmax", np.argmax), _index_of("argmin", np.argmin)


@_keras_op
def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))), computed stably around the maximum."""
    x = _t(x)
    axis = _int_axes(axis)
    top = Tensor(np.max(x.data, axis=axis, keepdims=True))
    total = reduce.sum(elementwise.exp(x - top), axis, keepdims=True)
    out = elementwise.log(total) + top
    return out if keepdims else shaping.squeeze(out, axis) if axis is not None \
        else out.reshape(())


@_keras_op
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's argument name
    """The L2 norm (ord None, 2 on a vector, or "fro") or the L1 norm (ord 1 on a vector)."""
    x = _t(x)
    axis = _int_axes(axis)
    vector = axis is not None and (isinstance(axis, int) or len(axis) == 1) or x.ndim == 1
    if ord is None or ord == "fro" or (ord == 2 and vector):
        return elementwise.sqrt(reduce.sum(x * x, axis, keepdims))
    if ord == 1 and vector:
        return reduce.sum(elementwise.abs(x), axis, keepdims)
    raise ValueError(f"norm: baeum computes ord None, 'fro', 2 or 1 (vector norms), got "
                     f"ord={ord!r} for axis={axis!r}")


# --- shapes -------------------------------------------------------------------------------
@_keras_op
def reshape(x, newshape):
    newshape = (newshape,) if isinstance(newshape, numbers.Integral) else tuple(newshape)
    return shaping.reshape(_t(x), *newshape)


@_keras_op
def transpose(x, axes=None):
    x = _t(x)
    return shaping.transpose(x) if axes is None else shaping.transpose(x, *axes)


@_keras_op
def expand_dims(x, axis):
    return shaping.expand_dims(_t(x), axis)


@_keras_op
def squeeze(x, axis=None):
    return shaping.squeeze(_t(x), axis)


@_keras_op
def concatenate(xs, axis=0):
    return shaping.concatenate([_t(x) for x in xs], axis=axis)


@_keras_op
def stack(x, axis=0):
    return shaping.stack([_t(v) for v in x], axis=axis)


@_keras_op
def split(x, indices_or_sections, axis=0):
    return shaping.split(_t(x), indices_or_sections, axis=axis)


@_keras_op
def broadcast_to(x, shape):  # noqa: F811 - Keras's argument name shadows shape() here only
    return shaping.broadcast_to(_t(x), tuple(shape))


@_keras_op
def tile(x, repeats):
    """x repeated as a whole `repeats[i]` times along each axis (np.tile)."""
    x = _t(x)
    repeats = (repeats,) if isinstance(repeats, numbers.Integral) else tuple(repeats)
    if len(repeats) < x.ndim:
        repeats = (1,) * (x.ndim - len(repeats)) + repeats
    x = x.reshape(*(1,) * (len(repeats) - x.ndim), *x.shape)
    # (a, b) tiled (r, s): broadcast to (r, a, s, b), then merge each pair of axes.
    spread = shaping.broadcast_to(
        x.reshape(*[d for n in x.shape for d in (1, n)]),
        tuple(d for r, n in zip(repeats, x.shape) for d in (r, n)))
    return spread.reshape(*(r * n for r, n in zip(repeats, x.shape)))


@_keras_op
def repeat(x, repeats, axis=None):
    """Each entry repeated `repeats` times along `axis` (flattened first when None)."""
    if not isinstance(repeats, numbers.Integral):
        raise ValueError(f"repeat: baeum takes one int for repeats, got {repeats!r}")
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = axis % x.ndim
    spread = shaping.expand_dims(x, axis + 1)
    size = (*x.shape[:axis + 1], repeats, *x.shape[axis + 1:])
    merged = (*x.shape[:axis], x.shape[axis] * repeats, *x.shape[axis + 1:])
    return shaping.broadcast_to(spread, size).reshape(*merged)


@_keras_op
def take(x, indices, axis=None):
    """x's entries at integer `indices` along `axis` (of the flattened x when None)."""
    x = _t(x)
    index = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if axis is None:
        return x.reshape(-1)[index]
    return x[(slice(None),) * (axis % x.ndim) + (index,)]


# --- linear algebra -----------------------------------------------------------------------
@_keras_op
def matmul(x1, x2):
    return linalg.matmul(_t(x1), _t(x2))


@_keras_op
def dot(x1, x2):
    """Matrix product for 1-D and 2-D operands (as np.dot)."""
    return linalg.matmul(_t(x1), _t(x2))


@_keras_op
def einsum(subscripts, *operands):
    """Einstein summation: `ops.einsum("ij,jk->ik", a, b)` (see baeum/ops/einsum_op.py)."""
    return _einsum(subscripts, *operands)


# --- creation -----------------------------------------------------------------------------
def zeros(shape, dtype=None):
    return creation.zeros(*_tuple(shape), dtype=dtype)


def ones(shape, dtype=None):
    return creation.ones(*_tuple(shape), dtype=dtype)


def full(shape, fill_value, dtype=None):
    return creation.full(_tuple(shape), fill_value, dtype=dtype)


@_keras_op
def zeros_like(x, dtype=None):
    return creation.zeros_like(_t(x), dtype=dtype)


@_keras_op
def ones_like(x, dtype=None):
    return creation.ones_like(_t(x), dtype=dtype)


def arange(start, stop=None, step=1, dtype=None):
    return creation.arange(start, stop, step, dtype=dtype)


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's argument names
    return Tensor(np.eye(N, M, k, dtype=backend.as_dtype(dtype or backend.floatx)))


@_keras_op
def one_hot(x, num_classes, axis=-1, dtype=None):
    """Integer ids (...) -> one-hot rows (..., num_classes); ids outside [0, num_classes)
    give rows of zeros, as in Keras."""
    ids = np.asarray(_t(x).data)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"one_hot expects integer class ids, got dtype {ids.dtype}")
    out = (ids[..., None] == np.arange(num_classes)).astype(
        backend.as_dtype(dtype or backend.floatx))
    return Tensor(np.moveaxis(out, -1, axis) if axis != -1 else out)


def _tuple(shape):
    return (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)


# --- neural-network functions -------------------------------------------------------------
@_keras_op
def relu(x):
    return _act.ReLU.apply(_operand(x))


@_keras_op
def relu6(x):
    return elementwise.clip(_t(x), 0.0, 6.0)


@_keras_op
def sigmoid(x):
    return _act.Sigmoid.apply(_operand(x))


@_keras_op
def tanh(x):
    return _act.Tanh.apply(_operand(x))


@_keras_op
def softplus(x):
    return _act.Softplus.apply(_operand(x), 1.0, 20.0)


@_keras_op
def silu(x):
    x = _t(x)
    return x * _act.Sigmoid.apply(x)


swish = silu


@_keras_op
def elu(x, alpha=1.0):
    return _act.ELU.apply(_operand(x), float(alpha))


@_keras_op
def gelu(x, approximate=True):
    """Keras's default is the tanh approximation (torch's is the exact erf form)."""
    return _act.GELU.apply(_operand(x), "tanh" if approximate else "none")


@_keras_op
def leaky_relu(x, negative_slope=0.2):
    return _act.LeakyReLU.apply(_operand(x), float(negative_slope))


@_keras_op
def softmax(x, axis=-1):
    return _act.Softmax.apply(_operand(x), axis)


@_keras_op
def log_softmax(x, axis=-1):
    return _act.LogSoftmax.apply(_operand(x), axis)


__all__ = sorted({*KERAS_OPS, "convert_to_numpy", "shape", "zeros", "ones", "full", "arange",
                  "eye", "true_divide", "absolute", "swish"})
