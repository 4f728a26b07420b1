"""1-D convolution and pooling over sequences (batch, steps, channels): Conv1D,
Conv1DTranspose, DepthwiseConv1D, SeparableConv1D, MaxPooling1D, AveragePooling1D.

Each is its 2-D counterpart on an image one row high: (batch, steps, channels) is viewed
as (batch, 1, steps, channels), and a kernel of size k as (1, k). The ops, and so the
gradients, are the 2-D ones (baeum/ops/conv.py, depthwise_conv.py, grouped_conv.py,
pool.py); the weights have Keras's 1-D shapes, the 2-D kernels without their leading 1.

    model = Sequential([Input(shape=(100,), dtype="int64"), Embedding(5000, 32),
                        Conv1D(64, 5, activation="relu"), MaxPooling1D(2),
                        GlobalMaxPooling1D(), Dense(1, activation="sigmoid")])
"""

import numpy as np

from baeum import activations
from baeum.layers.convolutional import (
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    SeparableConv2D,
    _conv_out,
)
from baeum.layers.input_spec import InputSpec
from baeum.layers.pooling import AveragePooling2D, MaxPooling2D
from baeum.ops import shaping as shape_ops
from baeum.ops.grouped_conv import grouped_conv2d


def _one_int(kind, name, value, minimum=1):
    """Keras takes 3, (3,) or [3] for a 1-D size."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{kind} {name} must be {what}, got {value!r}")
    return int(value)


def _row_window(kind, kernel_size, strides, dilation_rate):
    """A 1-D layer's kernel_size, strides and dilation_rate as the (1, n) pairs of the
    2-D layer it runs as."""
    return tuple((1, _one_int(kind, name, value)) for name, value in
                 (("kernel_size", kernel_size), ("strides", strides),
                  ("dilation_rate", dilation_rate)))


class Conv1D(Conv2D):
    """outputs = activation(conv1d(inputs, kernel) + bias) over the steps.

    inputs (batch, steps, C_in) -> (batch, new_steps, filters); kernel
    (kernel_size, C_in // groups, filters), bias (filters,). padding "valid", "same", or
    "causal" (zeros in front only: step t sees steps <= t, for sequence models). groups
    as Conv2D's.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Conv1D(8, 3)
    >>> layer(np.ones((2, 10, 4), np.float32)).shape
    (2, 8, 8)
    >>> layer.count_params()   # 3*4*8 weights + 8 biases
    104
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, **kwargs):
        kind = type(self).__name__
        k = _one_int(kind, "kernel_size", kernel_size)
        s = _one_int(kind, "strides", strides)
        d = _one_int(kind, "dilation_rate", dilation_rate)
        mode = padding.lower() if isinstance(padding, str) else padding
        self.causal = mode == "causal"
        super().__init__(filters, (1, k), strides=(1, s), padding="valid" if self.causal
                         else padding, data_format=data_format, dilation_rate=(1, d),
                         groups=groups, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _kernel_shape(self, in_channels):
        return (self.kernel_size[1], in_channels // self.groups, self.filters)

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})

    def call(self, inputs):
        k, d = self.kernel_size[1], self.dilation_rate[1]
        if self.causal:
            inputs = shape_ops.pad(inputs, ((0, 0), ((k - 1) * d, 0), (0, 0)))
        n, t, c = inputs.shape
        kernel = self.kernel.reshape(1, *self.kernel.shape)
        y = grouped_conv2d(inputs.reshape(n, 1, t, c), kernel, self.bias, self.groups,
                           strides=self.strides, padding=self.padding,
                           dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y.reshape(n, y.shape[2], self.filters))

    # Conv2D.build makes a grouped layer's call _grouped_call; Conv1D's call above
    # already takes any groups (grouped_conv2d is conv2d when groups=1).
    _grouped_call = call

    def fuses_with(self, pool):
        return False

    def compute_output_shape(self, input_shape):
        n, t, _ = input_shape
        k, s, d = self.kernel_size[1], self.strides[1], self.dilation_rate[1]
        if self.causal:
            return (n, None if t is None else (t - 1) // s + 1, self.filters)
        return (n, _conv_out(t, k, s, d, self.padding), self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(kernel_size=[self.kernel_size[1]], strides=[self.strides[1]],
                      dilation_rate=[self.dilation_rate[1]],
                      padding="causal" if self.causal else self.padding)
        return config


class _OneRow:
    """A 1-D layer that is its 2-D base (the next class in its bases) on (batch, 1, steps,
    channels): the same call, output shape and config, with 1-D weights and sizes."""

    def _kernel_shape(self, in_channels):
        return super()._kernel_shape(in_channels)[1:]

    def _pointwise_shape(self, mid):
        return super()._pointwise_shape(mid)[1:]

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})

    def call(self, inputs):
        n, t, c = inputs.shape
        y = super().call(inputs.reshape(n, 1, t, c))
        return y.reshape(n, y.shape[2], y.shape[3])

    def compute_output_shape(self, input_shape):
        n, t, c = input_shape
        out = super().compute_output_shape((n, 1, t, c))
        return (out[0], out[2], out[3])

    def get_config(self):
        config = super().get_config()
        for key in ("kernel_size", "strides", "dilation_rate", "output_padding"):
            if config.get(key) is not None:
                config[key] = config[key][1:]
        return config


class Conv1DTranspose(_OneRow, Conv2DTranspose):
    """Transposed 1-D convolution ("deconvolution"): upsamples sequences, the gradient of a
    Conv1D.

    inputs (batch, steps, C_in) -> (batch, new_steps, filters); kernel
    (kernel_size, filters, C_in) (Keras's layout), bias (filters,). With
    k = (kernel_size - 1) * dilation_rate + 1 and s = strides: "valid":
    new_steps = (steps - 1) * s + max(k, s); "same": steps * s; with output_padding p:
    (steps - 1) * s + k + p ("valid"), (steps - 1) * s + k % 2 + p ("same").

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Conv1DTranspose(8, 3, strides=2)
    >>> layer(np.ones((2, 10, 4), np.float32)).shape
    (2, 21, 8)
    >>> layer.count_params()   # 3*8*4 weights + 8 biases
    104
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        kind = type(self).__name__
        kernel_size, strides, dilation_rate = _row_window(kind, kernel_size, strides,
                                                          dilation_rate)
        if output_padding is not None:
            output_padding = (0, _one_int(kind, "output_padding", output_padding, minimum=0))
        super().__init__(
            filters, kernel_size, strides=strides, padding=padding,
            output_padding=output_padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs,
        )
        self.input_spec = InputSpec(ndim=3)


class DepthwiseConv1D(_OneRow, DepthwiseConv2D):
    """outputs = activation(depthwise_conv1d(inputs, kernel) + bias): every input channel
    convolved over the steps with its own depth_multiplier filters, channels never mixed.

    inputs (batch, steps, C) -> (batch, new_steps, C * depth_multiplier), output channel
    c * depth_multiplier + m from input channel c; kernel (kernel_size, C,
    depth_multiplier), bias (C * depth_multiplier,). padding "valid" or "same", new_steps
    as Conv1D's.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.DepthwiseConv1D(3, depth_multiplier=2)
    >>> layer(np.ones((2, 10, 4), np.float32)).shape
    (2, 8, 8)
    >>> layer.count_params()   # 3*4*2 weights + 8 biases
    32
    """

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        kernel_size, strides, dilation_rate = _row_window(type(self).__name__, kernel_size,
                                                          strides, dilation_rate)
        super().__init__(
            kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=3)


class SeparableConv1D(_OneRow, SeparableConv2D):
    """Depthwise separable 1-D convolution: a depthwise conv over the steps (each channel
    on its own), then a pointwise (size-1) conv that mixes the channels, then the bias and
    the activation.

    inputs (batch, steps, C) -> (batch, new_steps, filters); depthwise_kernel
    (kernel_size, C, depth_multiplier), pointwise_kernel (1, C * depth_multiplier,
    filters), bias (filters,). padding "valid" or "same", new_steps as Conv1D's.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.SeparableConv1D(8, 3)
    >>> layer(np.ones((2, 10, 4), np.float32)).shape
    (2, 8, 8)
    >>> layer.count_params()   # 3*4 + 4*8 + 8
    52
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        kernel_size, strides, dilation_rate = _row_window(type(self).__name__, kernel_size,
                                                          strides, dilation_rate)
        super().__init__(
            filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
            activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=3)


class _Pooling1D:
    """The 2-D pool with a (1, pool_size) window, over (batch, steps, channels)."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        kind = type(self).__name__
        p = _one_int(kind, "pool_size", pool_size)
        s = p if strides is None else _one_int(kind, "strides", strides)
        super().__init__((1, p), strides=(1, s), padding=padding, data_format=data_format,
                         **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        n, t, c = inputs.shape
        y = super().call(inputs.reshape(n, 1, t, c))
        return y.reshape(n, y.shape[2], c)

    def compute_output_shape(self, input_shape):
        n, t, c = input_shape
        return (n, _conv_out(t, self.pool_size[1], self.strides[1], 1, self.padding), c)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=[self.pool_size[1]], strides=[self.strides[1]])
        return config


class MaxPooling1D(_Pooling1D, MaxPooling2D):
    """The maximum of each window of pool_size steps, moved by strides (default: pool_size):
    (batch, steps, C) -> (batch, new_steps, C)."""


class AveragePooling1D(_Pooling1D, AveragePooling2D):
    """The mean of each window of pool_size steps (with "same", padded steps are left out)."""


MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
