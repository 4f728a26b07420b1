"""Activation functions by name, for the `activation=` argument of layers.

    Dense(10, activation="relu")    # baeum.activations.get("relu") is F.relu
"""

import numpy as np

from baeum import functional as F
from baeum.autograd import grad_mode
from baeum.ops import activations as _act


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


_ALL = {f.__name__: f for f in (linear, relu, sigmoid, tanh, softmax, log_softmax, leaky_relu,
                                 elu, softplus, gelu, silu, step)}
_ALL["swish"] = silu


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
    op, on_array = in_place
    if grad_mode.enabled:
        return op.apply(y, in_place=True)
    on_array(y.data)
    return y


_IN_PLACE = {
    relu: (_act.ReLU, lambda a: _act.relu_array(a, a)),
    tanh: (_act.Tanh, lambda a: np.tanh(a, out=a)),
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
