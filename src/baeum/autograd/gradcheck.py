"""`gradcheck`: compare backward() with central finite differences, in float64."""

import numpy as np

from baeum.autograd.grad_mode import no_grad
from baeum.autograd.tensor import Tensor


class GradcheckError(AssertionError):
    pass


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-4, seed=0):
    """Check the gradient of `fn` with respect to every floating-point input.

    The output is contracted with a random upstream gradient r (all-ones would hide
    transpose bugs), so the checked scalar is sum(fn(*inputs) * r). Each input element
    is nudged by +-eps and the slope compared with what backward() computed.

    Returns True, or raises GradcheckError naming the input, the worst element and
    both values.

    >>> import baeum
    >>> baeum.gradcheck(lambda x: (x * x).sum(), baeum.randn(3))
    True
    """
    xs = []
    for x in inputs:
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        if data.dtype.kind == "f":
            xs.append(Tensor(data.astype(np.float64), requires_grad=True))
        else:
            xs.append(Tensor(data))
    out = fn(*xs)
    rng = np.random.default_rng(seed)
    r = rng.standard_normal(out.shape)
    out.backward(r)
    analytic = [x.grad.data.copy() if x.grad is not None else np.zeros(x.shape) for x in xs]

    def value():
        with no_grad():  # only the number is needed: build no graph
            return float((fn(*xs).data.astype(np.float64) * r).sum())

    for i, x in enumerate(xs):
        if not x.requires_grad:
            continue
        numeric = np.zeros(x.shape)
        flat = x.data.reshape(-1)
        num_flat = numeric.reshape(-1)
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            up = value()
            flat[j] = orig - eps
            down = value()
            flat[j] = orig
            num_flat[j] = (up - down) / (2 * eps)
        err = np.abs(analytic[i] - numeric) - (atol + rtol * np.abs(numeric))
        if err.size and err.max() > 0:
            k = tuple(int(j) for j in np.unravel_index(int(np.argmax(err)), x.shape))
            raise GradcheckError(
                f"gradcheck failed for input {i} (shape {x.shape}) at element {k}: "
                f"backward gave {analytic[i][k]:.8g}, finite differences give {numeric[k]:.8g}"
            )
    return True
