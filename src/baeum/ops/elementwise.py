"""Elementwise arithmetic: + - * / **, exp, log, log1p, expm1, sin, cos, sqrt, abs, clip,
maximum, minimum, where.

Binary ops broadcast like NumPy; their backward sums the gradient back to each
input's shape with the shared `sum_to`. A Python number mixed with a tensor stays a
weak scalar (NumPy 2 rules), so `float32_tensor * 2.0` stays float32.
"""

import numpy as np

from baeum.autograd.function import Function, sum_to
from baeum.autograd.tensor import Tensor


def _shape(x):
    return x.shape if isinstance(x, np.ndarray) else np.shape(x)


def _operand(x):
    """Pass tensors, arrays and Python numbers through; turn lists into float32-aware arrays.

    A NumPy scalar becomes a Python number: np.float64(2) * float32 tensor would be
    float64 under NumPy 2's rules, while a Python number keeps the tensor's dtype.
    """
    if isinstance(x, (Tensor, np.ndarray)):
        return x
    if isinstance(x, np.generic):  # checked before float: np.float64 is a float
        return x.item()
    if isinstance(x, (int, float, bool)):
        return x
    return Tensor(x)


class Add(Function):
    def forward(self, a, b):
        self.a, self.b = a, b  # only for their shapes (kept alive by the graph anyway)
        return a + b

    def backward(self, g):
        na, nb = self.needs_input_grad
        return (
            sum_to(g, _shape(self.a)) if na else None,
            sum_to(g, _shape(self.b)) if nb else None,
        )


class Sub(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a - b

    def backward(self, g):
        na, nb = self.needs_input_grad
        return (
            sum_to(g, _shape(self.a)) if na else None,
            sum_to(-g, _shape(self.b)) if nb else None,
        )


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        na, nb = self.needs_input_grad
        a, b = self.a, self.b
        return (
            sum_to(g * b, _shape(a)) if na else None,
            sum_to(g * a, _shape(b)) if nb else None,
        )


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        na, nb = self.needs_input_grad
        a, b = self.a, self.b
        gb = g / b
        return (
            sum_to(gb, _shape(a)) if na else None,
            sum_to(-gb * a / b, _shape(b)) if nb else None,
        )


class Pow(Function):
    """a ** b for tensors a and b: d/da = b a^(b-1), d/db = a^b log a."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a**b
        return self.y

    def backward(self, g):
        na, nb = self.needs_input_grad
        a, b = self.a, self.b
        ga = sum_to(g * b * a ** (b - 1), _shape(a)) if na else None
        gb = None
        if nb:
            # d/db = a^b log a, taken as 0 where a <= 0 (0^b is flat in b for b > 0).
            positive = np.asarray(a > 0)
            log_a = np.log(np.where(positive, a, 1), dtype=self.y.dtype) * positive
            gb = sum_to(g * self.y * log_a, _shape(b))
        return ga, gb


class PowScalar(Function):
    """x ** p for a constant number p."""

    def forward(self, x, p):
        self.x, self.p = x, p
        return x**p

    def backward(self, g):
        p = self.p
        if p == 0:  # x**0 is constant; x ** -1 would give 0 * inf = nan at x = 0
            return (np.zeros_like(g), None)
        return (g * p * self.x ** (p - 1), None)


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


class Exp(Function):
    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, g):
        return (g * self.y,)


class Log(Function):
    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, g):
        return (g / self.x,)


class Log1p(Function):
    """log(1 + x), accurate for small x."""

    def forward(self, x):
        self.x = x
        return np.log1p(x)

    def backward(self, g):
        return (g / (1 + self.x),)


class Expm1(Function):
    """exp(x) - 1, accurate for small x."""

    def forward(self, x):
        self.y = np.expm1(x)
        return self.y

    def backward(self, g):
        return (g * (self.y + 1),)


class Sin(Function):
    def forward(self, x):
        self.x = x
        return np.sin(x)

    def backward(self, g):
        return (g * np.cos(self.x),)


class Cos(Function):
    def forward(self, x):
        self.x = x
        return np.cos(x)

    def backward(self, g):
        return (-g * np.sin(self.x),)


class Sqrt(Function):
    def forward(self, x):
        self.y = np.sqrt(x)
        return self.y

    def backward(self, g):
        return (g / (2 * self.y),)


class Abs(Function):
    def forward(self, x):
        self.x = x
        return np.abs(x)

    def backward(self, g):
        return (g * np.sign(self.x),)


class Clip(Function):
    """Clamp to [lo, hi]; the gradient passes where lo <= x <= hi (as torch.clamp)."""

    def forward(self, x, lo, hi):
        self.x, self.lo, self.hi = x, lo, hi
        return np.clip(x, lo, hi)

    def backward(self, g):
        x, lo, hi = self.x, self.lo, self.hi
        mask = np.ones(x.shape, dtype=bool)
        if lo is not None:
            mask &= x >= lo
        if hi is not None:
            mask &= x <= hi
        return (g * mask, None, None)


class Maximum(Function):
    """Elementwise max; on a tie each input gets half the gradient (as torch.maximum)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, g):
        return _split_by_choice(g, self.a, self.b, self.a > self.b, self.needs_input_grad)


class Minimum(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.minimum(a, b)

    def backward(self, g):
        return _split_by_choice(g, self.a, self.b, self.a < self.b, self.needs_input_grad)


def _split_by_choice(g, a, b, a_wins, needs):
    tie = a == b
    share_a = np.where(tie, 0.5, a_wins).astype(g.dtype)
    ga = sum_to(g * share_a, _shape(a)) if needs[0] else None
    gb = sum_to(g * (1 - share_a), _shape(b)) if needs[1] else None
    return ga, gb


class Where(Function):
    def forward(self, cond, a, b):
        self.cond, self.sa, self.sb = cond, _shape(a), _shape(b)
        return np.where(cond, a, b)

    def backward(self, g):
        _, na, nb = self.needs_input_grad
        zero = np.zeros((), g.dtype)
        return (
            None,
            sum_to(np.where(self.cond, g, zero), self.sa) if na else None,
            sum_to(np.where(self.cond, zero, g), self.sb) if nb else None,
        )


class Cast(Function):
    def forward(self, x, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return (g.astype(self.dtype), None)


# --- the functions users call ------------------------------------------------------
def add(a, b):
    return Add.apply(_operand(a), _operand(b))


def sub(a, b):
    return Sub.apply(_operand(a), _operand(b))


def mul(a, b):
    return Mul.apply(_operand(a), _operand(b))


def div(a, b):
    return Div.apply(_operand(a), _operand(b))


def pow(a, b):  # noqa: A001 - the operator's name
    a, b = _operand(a), _operand(b)
    if isinstance(b, (int, float)) and isinstance(a, Tensor):
        return PowScalar.apply(a, b)
    return Pow.apply(a, b)


def neg(x):
    return Neg.apply(x)


def exp(x):
    return Exp.apply(_operand(x))


def log(x):
    return Log.apply(_operand(x))


def log1p(x):
    return Log1p.apply(_operand(x))


def expm1(x):
    return Expm1.apply(_operand(x))


def sin(x):
    return Sin.apply(_operand(x))


def cos(x):
    return Cos.apply(_operand(x))


def sqrt(x):
    return Sqrt.apply(_operand(x))


def abs(x):  # noqa: A001
    return Abs.apply(_operand(x))


def clip(x, lo=None, hi=None):
    """Clamp values to [lo, hi] (either may be None)."""
    if lo is None and hi is None:
        raise ValueError("clip needs at least one of lo and hi")
    # NumPy scalar bounds become Python numbers, so they do not upcast float32 values.
    lo = lo.item() if isinstance(lo, np.generic) else lo
    hi = hi.item() if isinstance(hi, np.generic) else hi
    return Clip.apply(_operand(x), lo, hi)


def maximum(a, b):
    return Maximum.apply(_operand(a), _operand(b))


def minimum(a, b):
    return Minimum.apply(_operand(a), _operand(b))


def where(cond, a, b):
    """Pick `a` where `cond` is true, else `b` (cond is not differentiated)."""
    if isinstance(cond, Tensor):
        cond = cond.data
    return Where.apply(np.asarray(cond, dtype=bool), _operand(a), _operand(b))


def astype(x, dtype):
    from baeum.backend import as_dtype

    dtype = as_dtype(dtype)
    if x.data.dtype == dtype:
        return x
    if dtype.kind != "f" or x.data.dtype.kind != "f":
        return Tensor(x.data.astype(dtype))  # to or from integers: no gradient flows
    return Cast.apply(x, dtype)
