"""Activation functions by name, for the `activation=` argument of layers.

    Dense(10, activation="relu")    # baeum.activations.get("relu") is F.relu
"""

import numpy as np

from baeum import functional as F
from baeum.autograd import grad_mode
from baeum.ops import activations as _act
from baeum.ops.elementwise import _operand
from baeum.ops.elementwise import exp as _exp


def linear(x):
    return x


def relu(x):
    return F.relu(x)


def sigmoid(x):
    return F.sigmoid(x)


def tanh(x):
    return F.tanh(x)


def softmax(x, axis=-1):
    return F.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return F.log_softmax(x, axis=axis)


def leaky_relu(x, negative_slope=0.2):
    """Keras's default slope is 0.2 (torch's is 0.01)."""
    return F.leaky_relu(x, negative_slope)


def elu(x, alpha=1.0):
    return F.elu(x, alpha)


def softplus(x):
    return F.softplus(x)


def gelu(x, approximate=False):
    return F.gelu(x, "tanh" if approximate else "none")


def silu(x):
    return x * F.sigmoid(x)


swish = silu


def step(x):
    return F.step(x)


# SELU's constants (Klambauer et al., 2017), as Keras and torch write them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """scale * (x if x > 0 else alpha (e^x - 1)), alpha = 1.67326..., scale = 1.05070...

    With lecun_normal weights (and AlphaDropout instead of Dropout) it keeps activations
    near mean 0 and variance 1 layer after layer.
    """
    return _act.ELU.apply(_operand(x), SELU_ALPHA, SELU_SCALE)


def softsign(x):
    """x / (1 + |x|), in (-1, 1)."""
    return _act.Softsign.apply(_operand(x))


def relu6(x):
    """min(max(x, 0), 6), elementwise (any shape).

    >>> import baeum
    >>> relu6(baeum.tensor([-1.0, 3.0, 9.0])).tolist()
    [0.0, 3.0, 6.0]
    """
    return _act.ReLU6.apply(_operand(x))


def hard_sigmoid(x):
    """relu6(x + 3) / 6 (Keras 3): 0 for x <= -3, 1 for x >= 3, x/6 + 1/2 between.

    (Keras 2 used the slope 0.2: clip(0.2 x + 0.5, 0, 1). torch's hardsigmoid is this one.)

    >>> import baeum
    >>> hard_sigmoid(baeum.tensor([-4.0, 0.0, 1.5, 4.0])).tolist()
    [0.0, 0.5, 0.75, 1.0]
    """
    return _act.ReLU6.apply(_operand(x), 3.0, 1 / 6)


def hard_silu(x):
    """x * relu6(x + 3) / 6 (hard swish): 0 for x <= -3, x for x >= 3."""
    return _act.HardSilu.apply(_operand(x))


hard_swish = hard_silu


def exponential(x):
    """e^x."""
    return _exp(x)


def mish(x):
    """x * tanh(softplus(x))."""
    return _act.Mish.apply(_operand(x))


_ALL = {f.__name__: f for f in (linear, relu, sigmoid, tanh, softmax, log_softmax, leaky_relu,
                                 elu, selu, softplus, softsign, gelu, silu, hard_sigmoid,
                                 hard_silu, relu6, exponential, mish, step)}
_ALL["swish"] = silu
_ALL["hard_swish"] = hard_silu


def apply_to_fresh(activation, y):
    """activation(y) for a Tensor y that the calling layer has just computed and nothing else
    references (the output of Dense's or Conv2D's op): ReLU and tanh overwrite it instead of
    allocating another array as large. At batch 1000 the MNIST CNN's first conv outputs
    100 MB, and a fresh array costs a page fault per 4 KiB on top of the math; in training
    the in-place op still records its backward, which needs only its own output."""
    if activation is linear:
        return y
    in_place = _IN_PLACE.get(activation)
    if in_place is None:
        return activation(y)
    op, args, on_array = in_place
    if grad_mode.enabled:
        return op.apply(y, *args, in_place=True)
    on_array(y.data)
    return y


def _forward_in_place(op, *args):
    """(op, args, overwrite-an-array) for an op whose forward takes in_place=True."""
    return op, args, lambda a: op().forward(a, *args, in_place=True)


_IN_PLACE = {
    relu: (_act.ReLU, (), lambda a: _act.relu_array(a, a)),
    tanh: (_act.Tanh, (), lambda a: np.tanh(a, out=a)),
    elu: _forward_in_place(_act.ELU, 1.0),
    selu: _forward_in_place(_act.ELU, SELU_ALPHA, SELU_SCALE),
    relu6: _forward_in_place(_act.ReLU6),
    hard_sigmoid: _forward_in_place(_act.ReLU6, 3.0, 1 / 6),
    softsign: _forward_in_place(_act.Softsign),
}


def get(identifier):
    """A function from a name ("relu"), None (linear) or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _ALL:
            from baeum.saving.registry import get_registered_object

            # A function registered with @register_serializable (or given as custom_objects).
            fn = get_registered_object(identifier)
            if callable(fn) and not isinstance(fn, type):
                return fn
            raise ValueError(f"unknown activation {identifier!r}; expected one of {sorted(_ALL)}")
        return _ALL[identifier]
    if callable(identifier):
        return identifier
    raise TypeError(f"an activation must be a string or a callable, got {identifier!r}")


def serialize(fn):
    name = getattr(fn, "__name__", None)
    if _ALL.get(name) is fn:
        return name
    from baeum.saving.registry import get_registered_name

    registered = get_registered_name(fn)
    if ">" in registered:  # saved as "package>name", found again by get()
        return registered
    raise ValueError(
        f"activation {fn!r} is not a built-in one, so it cannot be saved by name; "
        "register it with @baeum.saving.register_serializable()"
    )
