"""Activation functions as layers, with Keras's arguments: ReLU, LeakyReLU, Softmax."""

import numpy as np

from baeum import functional as F
from baeum.autograd.tensor import Tensor
from baeum.layers.layer import Layer
from baeum.ops.elementwise import minimum, where


class ReLU(Layer):
    """f(x) = min(x, max_value) if x > threshold else negative_slope * (x - threshold).

    With the defaults (max_value=None, negative_slope=0, threshold=0) it is max(x, 0);
    ReLU(max_value=6.0) is ReLU6.

    >>> import baeum, numpy as np
    >>> baeum.layers.ReLU(max_value=6.0)(np.array([-1.0, 3.0, 9.0])).tolist()
    [0.0, 3.0, 6.0]
    """

    supports_masking = True

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU max_value cannot be negative, got {max_value}")
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"ReLU negative_slope must be >= 0, got {negative_slope}")
        if threshold is None or threshold < 0:
            raise ValueError(f"ReLU threshold must be >= 0, got {threshold}")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs):
        if self.threshold == 0 and self.max_value is None:
            if self.negative_slope == 0:
                return F.relu(inputs)
            return F.leaky_relu(inputs, self.negative_slope)
        t = self.threshold
        below = (inputs - t) * self.negative_slope if self.negative_slope else 0.0
        out = where(inputs.data > t, inputs, below)
        if self.max_value is not None:
            out = minimum(out, np.asarray(self.max_value, inputs.dtype))
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """f(x) = x if x > 0 else negative_slope * x. Keras's default slope is 0.3.

    (The function `baeum.activations.leaky_relu` defaults to 0.2 and torch to 0.01,
    as in Keras and torch; the Keras 2 name `alpha` is accepted.)
    """

    supports_masking = True

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                f"LeakyReLU negative_slope must be a number >= 0, got {negative_slope!r}"
            )
        self.negative_slope = float(negative_slope)

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class Softmax(Layer):
    """exp(x) / sum(exp(x)) along `axis` (default -1).

    `mask` (optional, same shape as inputs or broadcastable, true = keep) gives masked
    positions probability ~0, as Keras does.
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            keep = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
            # Keras adds a large negative number (not -inf: a fully masked row stays finite).
            adder = np.where(keep.astype(bool), 0.0, -1e9).astype(inputs.dtype)
            inputs = inputs + adder
        axis = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis
        if isinstance(axis, tuple) and len(axis) == 1:
            axis = axis[0]
        return F.softmax(inputs, axis=axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        axis = list(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis
        return {**super().get_config(), "axis": axis}
