"""Activation functions as layers, with Keras's arguments: ReLU, LeakyReLU, Softmax, ELU,
PReLU."""

import math
import numbers

import numpy as np

from baeum import constraints, initializers, regularizers
from baeum import functional as F
from baeum.autograd.tensor import Tensor
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.ops import activations as _act
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


class ELU(Layer):
    """f(x) = x if x > 0 else alpha * (e^x - 1). Keras's default alpha is 1.0.

    >>> import baeum, numpy as np
    >>> baeum.layers.ELU(dtype="float64")(np.array([-1.0, 2.0])).data.round(4).tolist()
    [-0.6321, 2.0]
    """

    supports_masking = True

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) \
                or not math.isfinite(alpha):
            raise ValueError(f"ELU alpha must be a finite number, got {alpha!r}")
        self.alpha = float(alpha)

    def call(self, inputs):
        return F.elu(inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """f(x) = x if x > 0 else alpha * x, with alpha learned (He et al., 2015).

    alpha has the shape of one sample, inputs.shape[1:], with size 1 on `shared_axes`
    (axes of the input, 1 = the first after the batch): for images (batch, h, w, c),
    shared_axes=[1, 2] learns one alpha per channel (torch.nn.PReLU(c)). It starts at
    `alpha_initializer` (Keras: zeros, so PReLU starts as ReLU).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.PReLU(shared_axes=[1, 2])
    >>> layer(np.ones((2, 5, 5, 3))).shape, layer.count_params()
    ((2, 5, 5, 3), 3)
    """

    supports_masking = True

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) \
                else [shared_axes]
            if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                       for a in axes):
                raise ValueError(f"PReLU shared_axes must be integers, got {shared_axes!r}")
            self.shared_axes = [int(a) for a in axes]

    def build(self, input_shape):
        ndim = len(input_shape)
        if ndim < 2:
            raise ValueError(f"PReLU '{self.name}' needs inputs with a batch axis and at "
                             f"least one more, got shape {tuple(input_shape)}")
        shared = set()
        for a in self.shared_axes or ():
            axis = a + ndim if a < 0 else a  # -1: the last axis
            if not 1 <= axis < ndim:
                raise ValueError(
                    f"PReLU '{self.name}' shared_axes {self.shared_axes} must be axes 1 to "
                    f"{ndim - 1} of inputs of shape {tuple(input_shape)} (0 is the batch)"
                )
            shared.add(axis)
        shape = tuple(1 if i in shared else input_shape[i] for i in range(1, ndim))
        if None in shape:
            raise ValueError(
                f"PReLU '{self.name}' needs known sizes for its alpha, got inputs of shape "
                f"{tuple(input_shape)}: share the unknown axes (shared_axes=[...])"
            )
        self.alpha = self.add_weight("alpha", shape, self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.input_spec = InputSpec(
            ndim=ndim, axes={i: input_shape[i] for i in range(1, ndim) if i not in shared})

    def call(self, inputs):
        return _act.PReLU.apply(inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": None if self.shared_axes is None else list(self.shared_axes),
        }
