"""BatchNormalization: normalize each channel with batch statistics, keep moving averages.
LayerNormalization: normalize each sample over its features.
GroupNormalization: normalize each sample within groups of channels.
UnitNormalization: scale each sample to unit L2 norm."""

from baeum import constraints, initializers, regularizers
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.ops.elementwise import maximum, sqrt
from baeum.ops.normalization import batch_norm


class BatchNormalization(Layer):
    """y = gamma * (x - mean) / sqrt(var + epsilon) + beta, per channel (`axis`).

    training=True (in `fit`): mean and var are the batch's (biased variance), and the
    moving averages are updated: moving = moving * momentum + batch * (1 - momentum).
    Otherwise (predict, evaluate, or a frozen layer) the moving averages are used.
    Weights: gamma, beta (trainable), moving_mean, moving_variance (non-trainable
    state, never touched by an optimizer), each of shape (C,).

    >>> import baeum, numpy as np
    >>> bn = baeum.layers.BatchNormalization()
    >>> bn(np.ones((8, 4, 4, 64), np.float32)).shape
    (8, 4, 4, 64)
    >>> bn.count_params(), len(bn.trainable_weights), len(bn.non_trainable_weights)
    (256, 2, 2)
    """

    supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"BatchNormalization axis must be an integer, got {axis!r}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization momentum must be in [0, 1], got {momentum}")
        if epsilon <= 0:
            raise ValueError(f"BatchNormalization epsilon must be positive, got {epsilon}")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        _set_gamma_beta_settings(self, beta_initializer, gamma_initializer, beta_regularizer,
                                 gamma_regularizer, beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(
                f"BatchNormalization '{self.name}': axis {self.axis} is out of range for "
                f"inputs of shape {tuple(input_shape)}"
            )
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(
                f"BatchNormalization '{self.name}': the channel axis {self.axis} of the input "
                f"shape {tuple(input_shape)} must be known"
            )
        shape = (channels,)
        self.gamma, self.beta = _add_gamma_beta(self, shape)
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               self.moving_variance_initializer, trainable=False)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: channels})

    def call(self, inputs, training=None):
        # As Keras: a frozen layer (trainable=False) always runs in inference mode, the
        # usual fine-tuning behaviour.
        return batch_norm(inputs, self.moving_mean, self.moving_variance, self.gamma,
                          self.beta, training=bool(training) and self.trainable,
                          momentum=self.momentum, epsilon=self.epsilon, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            **_affine_config(self),
            "momentum": self.momentum,
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
        }



class LayerNormalization(Layer):
    """y = gamma * (x - mean) / sqrt(var + epsilon) + beta, the mean and (biased) variance
    taken over `axis` (default: the last, the features) of each sample separately, so
    training and inference compute the same thing. gamma, beta: one per feature.

    >>> import baeum, numpy as np
    >>> ln = baeum.layers.LayerNormalization()
    >>> print(ln(np.array([[1.0, 2.0, 3.0]])).data.round(3))
    [[-1.224  0.     1.224]]
    """

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise TypeError(f"LayerNormalization axis must be an integer or a list of them, "
                            f"got {axis!r}")
        if epsilon <= 0:
            raise ValueError(f"LayerNormalization epsilon must be positive, got {epsilon}")
        self.axis = axis if isinstance(axis, int) else list(axes)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        _set_gamma_beta_settings(self, beta_initializer, gamma_initializer, beta_regularizer,
                                 gamma_regularizer, beta_constraint, gamma_constraint)

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = (self.axis,) if isinstance(self.axis, int) else tuple(self.axis)
        if any(not -ndim <= a < ndim for a in axes) or any(a % ndim == 0 for a in axes):
            raise ValueError(
                f"LayerNormalization '{self.name}': axis={self.axis} must name axes after the "
                f"batch axis of inputs of shape {tuple(input_shape)}"
            )
        self._axes = tuple(sorted(a % ndim for a in axes))
        # gamma and beta broadcast against the inputs: size 1 on the other axes.
        self._param_shape = tuple(input_shape[a] if a in self._axes else 1
                                  for a in range(ndim))[1:]
        shape = tuple(input_shape[a] for a in self._axes)
        if None in shape:
            raise ValueError(f"LayerNormalization '{self.name}': the normalized axes must have "
                             f"known sizes, got inputs of shape {tuple(input_shape)}")
        self.gamma, self.beta = _add_gamma_beta(self, shape)
        self.input_spec = InputSpec(ndim=ndim, axes={a: input_shape[a] for a in self._axes})

    def call(self, inputs):
        return _scale_and_shift(self, _standardize(inputs, self._axes, self.epsilon))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), **_affine_config(self)}


def _set_gamma_beta_settings(layer, beta_initializer, gamma_initializer, beta_regularizer,
                             gamma_regularizer, beta_constraint, gamma_constraint):
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def _add_gamma_beta(layer, shape):
    """The scale gamma and offset beta of `shape` (None where scale / center is off)."""
    gamma = (layer.add_weight("gamma", shape, layer.gamma_initializer,
                              regularizer=layer.gamma_regularizer,
                              constraint=layer.gamma_constraint) if layer.scale else None)
    beta = (layer.add_weight("beta", shape, layer.beta_initializer,
                             regularizer=layer.beta_regularizer,
                             constraint=layer.beta_constraint) if layer.center else None)
    return gamma, beta


def _standardize(x, axes, epsilon):
    """(x - mean) / sqrt(var + epsilon), the mean and (biased) variance over `axes` of x."""
    centred = x - x.mean(axis=axes, keepdims=True)
    variance = (centred * centred).mean(axis=axes, keepdims=True)
    return centred / sqrt(variance + epsilon)


def _scale_and_shift(layer, y):
    """gamma * y + beta (either left out where scale / center is off), the two reshaped to
    `layer._param_shape` to broadcast against y."""
    if layer.gamma is not None:
        y = y * layer.gamma.reshape(layer._param_shape)
    if layer.beta is not None:
        y = y + layer.beta.reshape(layer._param_shape)
    return y


def _affine_config(layer):
    """The config both normalizations share: the axis, epsilon and their gamma and beta."""
    return {
        "axis": layer.axis,
        "epsilon": layer.epsilon,
        "center": layer.center,
        "scale": layer.scale,
        "beta_initializer": initializers.serialize(layer.beta_initializer),
        "gamma_initializer": initializers.serialize(layer.gamma_initializer),
        "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
        "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
        "beta_constraint": constraints.serialize(layer.beta_constraint),
        "gamma_constraint": constraints.serialize(layer.gamma_constraint),
    }


class GroupNormalization(Layer):
    """Normalize each sample within groups of channels (Wu and He, 2018).

    The C channels (`axis`, channels-last by default) split into `groups` groups of
    C / groups; each sample's values in a group (over the group's channels and every
    other non-batch axis) are standardized with their own mean and (biased) variance:

        y = gamma * (x - mean_group) / sqrt(var_group + epsilon) + beta

    gamma and beta: one per channel, shape (C,). No batch statistics, so training and
    inference compute the same thing and small batches are fine. groups=1 normalizes
    each sample over everything (LayerNormalization over all axes); groups=-1 (or C)
    normalizes each channel on its own (instance normalization).

    >>> import baeum, numpy as np
    >>> gn = baeum.layers.GroupNormalization(groups=2)
    >>> gn(np.ones((8, 4, 4, 6), np.float32)).shape, gn.count_params()
    ((8, 4, 4, 6), 12)
    """

    supports_masking = True

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        if not isinstance(groups, int) or isinstance(groups, bool) or not (
                groups > 0 or groups == -1):
            raise ValueError(f"GroupNormalization groups must be a positive integer (or -1 for "
                             f"one group per channel), got {groups!r}")
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"GroupNormalization axis must be an integer, got {axis!r}")
        if epsilon <= 0:
            raise ValueError(f"GroupNormalization epsilon must be positive, got {epsilon}")
        self.groups = groups
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        _set_gamma_beta_settings(self, beta_initializer, gamma_initializer, beta_regularizer,
                                 gamma_regularizer, beta_constraint, gamma_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(
                f"GroupNormalization '{self.name}': axis={self.axis} must name a channel axis "
                f"after the batch axis of inputs of shape {tuple(input_shape)}"
            )
        axis = self.axis % ndim
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(
                f"GroupNormalization '{self.name}': the channel axis {self.axis} of the input "
                f"shape {tuple(input_shape)} must be known"
            )
        groups = channels if self.groups == -1 else self.groups
        if groups > channels or channels % groups:
            raise ValueError(
                f"GroupNormalization '{self.name}': the {channels} channels (axis {self.axis} "
                f"of input shape {tuple(input_shape)}) do not split into groups={groups} "
                f"groups of equal size; groups must divide {channels}"
            )
        self._axis, self._groups = axis, groups
        # The channel axis becomes (groups, channels per group); statistics are taken over
        # every axis of that view but the batch and the group axis.
        self._reduce = tuple(a for a in range(1, ndim + 1) if a != axis)
        # gamma and beta broadcast against the inputs: size 1 on the other axes.
        self._param_shape = tuple(channels if a == axis else 1 for a in range(1, ndim))
        self.gamma, self.beta = _add_gamma_beta(self, (channels,))
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: channels})

    def call(self, inputs):
        shape, axis = inputs.shape, self._axis
        grouped = inputs.reshape(*shape[:axis], self._groups, shape[axis] // self._groups,
                                 *shape[axis + 1:])
        y = _standardize(grouped, self._reduce, self.epsilon).reshape(*shape)
        return _scale_and_shift(self, y)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, **_affine_config(self)}


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm over `axis` (an int or a list of ints):

        y = x / sqrt(max(sum(x ** 2 over axis), 1e-12))  =  x / max(||x||, 1e-6)

    Keras's epsilon: a vector shorter than 1e-6 is divided by 1e-6, not by its length,
    so an all-zero input gives zeros (not NaN) and a finite gradient.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.UnitNormalization(dtype="float64")
    >>> layer(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise TypeError(f"UnitNormalization axis must be an integer or a list of them, "
                            f"got {axis!r}")
        self.axis = axis if isinstance(axis, int) else axes

    def call(self, inputs):
        axes = self.axis if isinstance(self.axis, int) else tuple(self.axis)
        square_sum = (inputs * inputs).sum(axis=axes, keepdims=True)
        return inputs / sqrt(maximum(square_sum, 1e-12))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
