"""Ops that move values around without changing them: reshape, transpose, indexing,
concatenate, stack, split, pad, squeeze, expand_dims, broadcast_to."""

import numpy as np

from baeum.autograd.function import Function, sum_to
from baeum.autograd.tensor import Tensor


class Reshape(Function):
    def forward(self, x, shape):
        self.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {x.shape} ({x.size} elements) into {shape}"
            ) from None

    def backward(self, g):
        return (g.reshape(self.shape), None)


class Transpose(Function):
    def forward(self, x, axes):
        y = x.transpose(axes)
        # The inverse permutation; axes may be negative, so normalise them first.
        self.inverse = None if axes is None else np.argsort([a % x.ndim for a in axes])
        return y

    def backward(self, g):
        return (g.transpose(self.inverse), None)


class GetItem(Function):
    """x[index]; repeated integer indices accumulate their gradients."""

    def forward(self, x, index):
        self.shape, self.dtype, self.index = x.shape, x.dtype, index
        return x[index]

    def backward(self, g):
        gx = np.zeros(self.shape, self.dtype)
        if _is_advanced(self.index):
            np.add.at(gx, self.index, g)
        else:
            gx[self.index] = g
        return (gx, None)


def _is_advanced(index):
    """Integer-array indices may repeat a position, so their gradients must accumulate
    (np.add.at); slices, ints and boolean masks never repeat (plain assignment)."""
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype != bool for i in items)


def _plain_index(index):
    """Tensors inside an index become arrays; lists become integer/bool arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    return index


class Concatenate(Function):
    def forward(self, *xs, axis=0):
        self.axis = axis
        self.bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=axis)

    def backward(self, g):
        return tuple(np.split(g, self.bounds, axis=self.axis))


class Stack(Function):
    def forward(self, *xs, axis=0):
        self.axis = axis
        return np.stack(xs, axis=axis)

    def backward(self, g):
        return tuple(np.moveaxis(g, self.axis, 0))


class Pad(Function):
    def forward(self, x, pad_width, value):
        self.slices = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, x.shape))
        return np.pad(x, pad_width, constant_values=value)

    def backward(self, g):
        return (g[self.slices], None, None)


class BroadcastTo(Function):
    def forward(self, x, shape):
        self.shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(self, g):
        return (sum_to(g, self.shape), None)


# --- the functions users call ------------------------------------------------------
def reshape(x, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Reshape.apply(_tensor(x), shape)


def transpose(x, *axes):
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    return Transpose.apply(_tensor(x), axes or None)


def flatten(x):
    """All values in one dimension (like torch.flatten; Keras's Flatten layer keeps the batch)."""
    return Reshape.apply(_tensor(x), (-1,))


def squeeze(x, axis=None):
    x = _tensor(x)
    return Reshape.apply(x, np.squeeze(x.data, axis=axis).shape)


def expand_dims(x, axis):
    x = _tensor(x)
    return Reshape.apply(x, np.expand_dims(x.data, axis).shape)


def getitem(x, index):
    return GetItem.apply(x, _plain_index(index))


def concatenate(tensors, axis=0):
    tensors = [_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    _check_same_rank("concatenate", tensors, axis)
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis=0):
    tensors = [_tensor(t) for t in tensors]
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack needs tensors of one shape, got {[t.shape for t in tensors]}")
    return Stack.apply(*tensors, axis=axis)


def split(x, indices_or_sections, axis=0):
    """Split into pieces along `axis` (NumPy's rule: a count of equal parts or cut points)."""
    x = _tensor(x)
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of size {n} does not divide into {indices_or_sections} parts"
            )
        step = n // indices_or_sections
        cuts = list(range(step, n, step))
    else:
        cuts = list(indices_or_sections)
    edges = [0, *cuts, n]
    index = [slice(None)] * x.ndim
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        index[axis] = slice(lo, hi)
        out.append(GetItem.apply(x, tuple(index)))
    return out


def pad(x, pad_width, value=0.0):
    """Constant padding; pad_width as in numpy.pad: ((before, after), ...) per axis."""
    x = _tensor(x)
    pw = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    return Pad.apply(x, tuple(map(tuple, pw.tolist())), value)


def broadcast_to(x, shape):
    return BroadcastTo.apply(_tensor(x), tuple(shape))


def _check_same_rank(op, tensors, axis):
    ref = tensors[0].shape
    if not ref:
        raise ValueError(f"{op}: zero-dimensional tensors have no axis to join on; use stack")
    for t in tensors[1:]:
        if len(t.shape) != len(ref) or any(
            a != b for i, (a, b) in enumerate(zip(t.shape, ref)) if i != axis % len(ref)
        ):
            raise ValueError(
                f"{op}: all shapes must match except on axis {axis}, "
                f"got {[u.shape for u in tensors]}"
            )


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)
