"""Matrix products: matmul (with NumPy's batching rules) and the fused x @ W + b."""

import numpy as np

from baeum.autograd.function import Function, sum_rows, sum_to
from baeum.autograd.tensor import Tensor
from baeum.ops.activations import relu_array, relu_grad


class MatMul(Function):
    """a @ b. 1-D operands are promoted like NumPy: (n,) @ (n, m) and (n, m) @ (m,)."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul needs at least 1-D operands, got {a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} do not fit: the last dimension of the "
                f"first ({a.shape[-1]}) must equal the "
                f"{'first' if b.ndim == 1 else 'second-to-last'} dimension of the second "
                f"({b.shape[0 if b.ndim == 1 else -2]})"
            )
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        a, b = self.a, self.b
        na, nb = self.needs_input_grad
        # Promote 1-D operands to matrices and give g the matching unit axes
        # (b first: for vector @ vector, g is 0-d and becomes (1, 1)).
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:
            g = g[..., None]
        if a.ndim == 1:
            g = g[..., None, :]
        ga = gb = None
        if na:
            ga = g @ np.swapaxes(b2, -1, -2)
            ga = sum_to(ga, a2.shape).reshape(a.shape) if ga.shape != a.shape else ga
        if nb:
            if a2.ndim == 2 and g.ndim == 2:
                gb = a2.T @ g
            else:
                gb = np.swapaxes(a2, -1, -2) @ g
            gb = sum_to(gb, b2.shape).reshape(b.shape) if gb.shape != b.shape else gb
        return ga, gb


class Linear(Function):
    """y = x @ W + b over the last axis of x, fused: one matmul forward, two backward.

    x: (..., in), W: (in, out), b: (out,) or None -> y: (..., out)
    relu=True: y = max(x @ W + b, 0) in the same op (Dense(activation="relu")), in place
    on the product; backward first zeroes g where y is 0.
    """

    def forward(self, x, w, b=None, relu=False):
        if w.ndim != 2:
            raise ValueError(f"linear: the weight must be 2-D (in, out), got shape {w.shape}")
        if x.ndim == 0:
            raise ValueError("linear: inputs must have at least 1 dimension, got a scalar")
        if x.shape[-1] != w.shape[0]:
            raise ValueError(
                f"linear: inputs with last dimension {x.shape[-1]} (shape {x.shape}) do not "
                f"fit a weight of shape {w.shape}, which expects {w.shape[0]}"
            )
        if x.dtype.kind != "f":  # integer inputs compute in the weight's dtype (as in Keras),
            x = x.astype(w.dtype)  # not NumPy's int64 @ float32 -> float64
        self.x, self.w = x, w
        y = x @ w
        if b is not None:
            self.b_shape = b.shape  # usually (out,); a (1, out) bias must get its own shape back
            y += b
        self.y = relu_array(y, y) if relu else None
        return y

    def backward(self, g):
        x, w = self.x, self.w
        nx, nw, nb = (self.needs_input_grad + [False])[:3]
        if self.y is not None:
            g = relu_grad(g, self.y)
        # (..., out) as rows: a batch of sequences counts every step as a sample.
        g2, x2 = (g, x) if g.ndim == 2 else (g.reshape(-1, g.shape[-1]),
                                             x.reshape(-1, x.shape[-1]))
        gx = (g @ w.T) if nx else None
        gw = (x2.T @ g2) if nw else None
        gb = None
        if nb:
            gb = sum_rows(g2)
            if gb.shape != self.b_shape:
                gb = sum_to(g, self.b_shape)
        return gx, gw, gb


def matmul(a, b):
    return MatMul.apply(_tensor(a), _tensor(b))


def linear(x, weight, bias=None, relu=False):
    """x @ weight + bias (weight is (in, out), the Keras layout); relu=True: then max(., 0),
    in the same op."""
    if relu:
        return Linear.apply(_tensor(x), weight, bias, relu=True)
    if bias is None:
        return Linear.apply(_tensor(x), weight)
    return Linear.apply(_tensor(x), weight, bias)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)
