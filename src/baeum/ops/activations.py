"""Activation functions and softmax, each forward beside its backward."""

import math

import numpy as np

from baeum.autograd.function import Function, constant_vector, sum_to


class ReLU(Function):
    """max(x, 0). `in_place=True` overwrites x (for a layer's fresh pre-activation, which
    nothing else reads: Linear's and Conv2D's backward need their inputs, not their output)."""

    def forward(self, x, in_place=False):
        self.y = relu_array(x, x if in_place else None)  # the mask is taken in backward
        return self.y

    def backward(self, g):
        return (relu_grad(g, self.y),)


def relu_grad(g, y):
    """ReLU's backward: g where the output y is > 0, else 0."""
    mask = (y > 0).astype(g.dtype)  # a float mask, then one float product:
    mask *= g                       # 15% faster than g * bool_mask
    return mask


# np.maximum(x, 0) runs NumPy's scalar-broadcast loop, 4-5x slower than its SIMD loop for
# two arrays (11 vs 2.6 us on 100x256 float32), so x is compared with a block of zeros.
_ZEROS_BLOCK = 1 << 16  # elements: 256 KB of float32, stays in L2 cache


def relu_array(x, out=None):
    """max(x, 0) into `out` (a new array if None; may be x itself)."""
    n = x.size
    if n < 4096 or x.dtype.kind != "f" or not x.flags.c_contiguous or (
            out is not None and not out.flags.c_contiguous):  # (small: one call is faster)
        return np.maximum(x, 0, out=out)
    if out is None:
        out = np.empty_like(x)
    zeros = constant_vector(0, _ZEROS_BLOCK, x.dtype)
    src, dst = x.reshape(-1), out.reshape(-1)
    if n <= _ZEROS_BLOCK:
        np.maximum(src, zeros[:n], out=dst)
    else:
        for i in range(0, n, _ZEROS_BLOCK):
            j = min(i + _ZEROS_BLOCK, n)
            np.maximum(src[i:j], zeros[:j - i], out=dst[i:j])
    return out


class LeakyReLU(Function):
    """x if x > 0 else slope * x.

    Arithmetic instead of np.where: with a random sign pattern, np.where's per-element
    branch mispredicts and runs ~10x slower than max/multiply passes.
    """

    def forward(self, x, slope):
        self.slope = np.asarray(slope, x.dtype)
        self.mask = x > 0
        # max(x, slope x) picks x where x > 0 for any slope <= 1 (min for a slope > 1)
        pick = np.maximum if slope <= 1 else np.minimum
        return pick(x, x * self.slope)

    def backward(self, g):
        factor = ~self.mask * self.slope  # slope where x <= 0, else 0 ...
        factor += self.mask  # ... and exactly 1 where x > 0
        return (g * factor, None)


class ELU(Function):
    """scale * (x if x > 0 else alpha (e^x - 1)): ELU with scale = 1, SELU with its constants.

    The slope at x = 0 is scale * alpha, as torch's. `in_place=True` overwrites x (see ReLU;
    backward needs only the mask and the negative part). (Arithmetic, not np.where: see
    LeakyReLU. np.clip with an infinite bound runs NumPy's fast loop, np.minimum(x, 0) the
    2.5x slower scalar one.)
    """

    def forward(self, x, alpha, scale=1.0, in_place=False):
        self.mask = x > 0
        neg = np.clip(x, -np.inf, 0)
        np.expm1(neg, out=neg)
        neg *= alpha  # alpha (e^x - 1), exactly 0 where x > 0
        self.neg, self.alpha, self.scale = neg, alpha, scale
        y = np.clip(x, 0, np.inf, out=x if in_place else None)
        y += neg
        if scale != 1.0:
            y *= scale
        return y

    def backward(self, g):
        factor = self.neg + self.alpha  # alpha e^x, the slope where x <= 0
        factor *= ~self.mask
        factor += self.mask
        grad = g * factor
        if self.scale != 1.0:
            grad *= self.scale
        return (grad, None, None)


class ReLU6(Function):
    """min(max(x + shift, 0), 6) * scale. relu6 is shift 0, scale 1; hard_sigmoid is
    relu6(x + 3) / 6 (Keras 3's definition): 0 below -3, 1 above 3, x/6 + 1/2 between.

    The gradient is scale * g strictly inside the ramp and 0 at both corners, as torch's
    relu6 and hardsigmoid. (The corners are tested on y: x + 3 is exact at x = +-3 and
    6 * (1/6) == 1, so y == 0 or y == 6 * scale exactly there.) `in_place=True` overwrites x.
    """

    def forward(self, x, shift=0.0, scale=1.0, in_place=False):
        y = x if in_place else None
        if shift != 0.0:
            y = np.add(x, shift, out=y)
            x = y
        y = np.clip(x, 0, 6, out=y)  # np.clip's loop: 3.5x faster than maximum + minimum
        if scale != 1.0:
            y *= scale
        self.y, self.scale = y, scale
        return y

    def backward(self, g):
        y = self.y
        inside = y > 0
        inside &= y < 6 * self.scale
        grad = inside.astype(g.dtype)
        grad *= g
        if self.scale != 1.0:
            grad *= self.scale
        return (grad, None, None)


class HardSilu(Function):
    """Hard SiLU (hard swish): x * relu6(x + 3) / 6. 0 below -3, x above 3.

    The gradient is 0 for x <= -3, x/3 + 1/2 for -3 < x < 3 and 1 for x >= 3: the corners
    take the outer slope, as torch's hardswish and the autodiff of Keras's formula do.
    """

    def forward(self, x):
        self.x = x
        y = np.add(x, 3.0)
        np.clip(y, 0, 6, out=y)
        y *= 1 / 6
        y *= x
        return y

    def backward(self, g):
        x = self.x
        slope = x * (1 / 3)
        slope += 0.5
        inner = x > -3
        inner &= x < 3
        slope *= inner
        slope += x >= 3  # (a bool array adds as 0/1)
        slope *= g
        return (slope,)


class Softsign(Function):
    """x / (1 + |x|); its derivative is 1 / (1 + |x|)^2. `in_place=True` overwrites x."""

    def forward(self, x, in_place=False):
        d = np.abs(x)
        d += 1
        self.d = d
        return np.divide(x, d, out=x if in_place else None)

    def backward(self, g):
        grad = g / self.d
        grad /= self.d
        return (grad,)


class Mish(Function):
    """x tanh(softplus(x)) (Misra, 2019).

    With e = e^x, tanh(log(1 + e)) = e (e + 2) / (e (e + 2) + 2): one exp, no log and no
    tanh (np.logaddexp is ~40x slower than np.exp). Above x = 20 that ratio is 1 in float64
    and float32, so x is clipped there first (no overflow). Derivative:
    t + x sigmoid(x) (1 - t^2), with t = tanh(softplus(x)) and sigmoid(x) = e / (1 + e).
    """

    def forward(self, x):
        e = np.clip(x, -np.inf, 20.0)
        np.exp(e, out=e)
        t = e + 2
        t *= e              # e (e + 2)
        denominator = t + 2
        t /= denominator    # tanh(softplus(x))
        self.x, self.e, self.t = x, e, t
        return x * t

    def backward(self, g):
        e, t = self.e, self.t
        sig = e + 1
        np.divide(e, sig, out=sig)
        slope = t * t
        np.subtract(1, slope, out=slope)
        slope *= sig
        slope *= self.x
        slope += t
        slope *= g
        return (slope,)


class PReLU(Function):
    """x if x > 0 else alpha * x, with a learned alpha broadcast against x.

    x (batch, ...), alpha of x.shape[1:] or with 1s on shared axes. Gradients: g where
    x > 0 else alpha * g for x (at x = 0 the alpha side, as torch's prelu); the sum over
    the broadcast axes of g * min(x, 0) for alpha.
    """

    def forward(self, x, alpha):
        self.x, self.alpha = x, alpha
        self.neg = np.clip(x, -np.inf, 0)
        y = self.neg * alpha
        y += np.clip(x, 0, np.inf)
        return y

    def backward(self, g):
        need_x, need_alpha = self.needs_input_grad
        gx = galpha = None
        if need_x:
            positive = self.x > 0
            gx = ~positive * self.alpha  # alpha where x <= 0, else 0 ...
            gx += positive               # ... and 1 where x > 0
            gx *= g
        if need_alpha:
            galpha = sum_to(g * self.neg, self.alpha.shape)
        return (gx, galpha)


class Sigmoid(Function):
    """1 / (1 + e^-x), computed without overflow for large |x|."""

    def forward(self, x):
        self.y = sigmoid_array(x)
        return self.y

    def backward(self, g):
        y = self.y
        return (g * y * (1 - y),)


def sigmoid_array(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Tanh(Function):
    """tanh(x); `in_place=True` overwrites x (see ReLU)."""

    def forward(self, x, in_place=False):
        self.y = np.tanh(x, out=x if in_place else None)
        return self.y

    def backward(self, g):
        return (g * (1 - self.y * self.y),)


class Softplus(Function):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (torch's softplus).

    x: any shape; y: the same shape and float dtype (integers give the default float).
    Computed as softplus(z) = max(z, 0) + log1p(e^-|z|) with z = beta x: no overflow for
    any z, and exact to rounding for very negative z, where the value is tiny (e^z).
    (np.logaddexp(0, z) gives the same, 10-20x slower.)

    The gradient is sigmoid(beta x), and g itself above the threshold. It is taken from the
    output: sigmoid(z) = 1 - e^-softplus(z) = -expm1(-beta y), one pass with no second exp
    of x, also exact to rounding where it is tiny.

    >>> import baeum, baeum.functional as F
    >>> [round(v, 4) for v in F.softplus(baeum.tensor([-30.0, 0.0, 2.0, 25.0])).tolist()]
    [0.0, 0.6931, 2.1269, 25.0]
    """

    def forward(self, x, beta, threshold):
        if x.dtype.kind != "f":  # float64 here; Function.apply makes it the default float
            x = x.astype(np.float64)
        z = x * beta if beta != 1 else x  # (a Python float beta keeps x's dtype)
        linear = z > threshold
        y = np.abs(z)
        np.negative(y, out=y)
        np.exp(y, out=y)
        np.log1p(y, out=y)  # log1p(e^-|z|)
        # max(z, 0) with np.clip's fast loop (see ELU); z is ours to overwrite unless it is x
        y += np.clip(z, 0, np.inf, out=None if z is x else z)
        if beta != 1:
            y /= beta
        # The linear part, where softplus(z) is z to within e^-threshold: exactly x there.
        self.linear = linear if linear.any() else None
        if self.linear is not None:
            np.copyto(y, x, where=linear)
        self.y, self.beta = y, beta
        return y

    def backward(self, g):
        grad = np.multiply(self.y, -self.beta)
        np.expm1(grad, out=grad)  # -sigmoid(beta x)
        grad *= g
        np.negative(grad, out=grad)
        if self.linear is not None:
            np.copyto(grad, g, where=self.linear)
        return (grad, None, None)


class GELU(Function):
    """x Phi(x): exact with erf (approximate="none") or the tanh approximation."""

    def forward(self, x, approximate):
        self.x, self.approximate = x, approximate
        if approximate == "tanh":
            c = math.sqrt(2 / math.pi)
            self.t = np.tanh(c * (x + 0.044715 * x**3))
            return 0.5 * x * (1 + self.t)
        self.cdf = 0.5 * (1 + _erf(x / math.sqrt(2)))
        return x * self.cdf

    def backward(self, g):
        x = self.x
        if self.approximate == "tanh":
            c = math.sqrt(2 / math.pi)
            t = self.t
            dt = (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
            return (g * (0.5 * (1 + t) + 0.5 * x * dt), None)
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return (g * (self.cdf + x * pdf).astype(x.dtype, copy=False), None)


def _erf(x):
    try:  # SciPy's erf is vectorised; without SciPy fall back to math.erf per element
        from scipy.special import erf
    except ImportError:
        erf = np.vectorize(math.erf, otypes=[np.float64])
    return erf(x).astype(x.dtype, copy=False)


class Step(Function):
    """Heaviside step: 1 where x > 0, else 0 (the perceptron's activation).

    Its derivative is zero almost everywhere, so the gradient passed back is zero:
    a perceptron learns with the perceptron rule, not with backpropagation.
    """

    def forward(self, x):
        return (x > 0).astype(x.dtype)

    def backward(self, g):
        return (np.zeros_like(g),)


class Softmax(Function):
    def forward(self, x, axis):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        self.y = e / e.sum(axis=axis, keepdims=True)
        self.axis = axis
        return self.y

    def backward(self, g):
        y = self.y
        return (y * (g - (g * y).sum(axis=self.axis, keepdims=True)), None)


class LogSoftmax(Function):
    def forward(self, x, axis):
        self.y = log_softmax_array(x, axis)
        self.axis = axis
        return self.y

    def backward(self, g):
        return (g - np.exp(self.y) * g.sum(axis=self.axis, keepdims=True), None)


def log_softmax_array(x, axis=-1):
    """Stable log-softmax on arrays: x - max - log(sum(exp(x - max)))."""
    if x.ndim == 2 and axis in (-1, 1) and x.shape[1] <= 64 and x.shape[0] >= 32 \
            and x.dtype.kind == "f":
        # A batch of class scores: NumPy reduces many short rows slowly (6.5 us for the
        # max of 100 x 10); the max down the columns of the transposed copy and a BLAS row
        # sum take 2.4 and 2.2 us. (Below ~32 rows the plain reductions are faster.)
        shifted = x - np.ascontiguousarray(x.T).max(axis=0)[:, None]
        shifted -= np.log(np.exp(shifted) @ constant_vector(1, x.shape[1], x.dtype))[:, None]
        return shifted
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
