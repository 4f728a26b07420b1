"""1-D convolution and pooling over sequences (batch, steps, channels): Conv1D,
MaxPooling1D, AveragePooling1D.

Each is its 2-D counterpart on an image one row high: (batch, steps, channels) is viewed
as (batch, 1, steps, channels), and a kernel of size k as (1, k). The ops, and so the
gradients, are conv2d's and the 2-D pools' (baeum/ops/conv.py, baeum/ops/pool.py).

    model = Sequential([Input(shape=(100,), dtype="int64"), Embedding(5000, 32),
                        Conv1D(64, 5, activation="relu"), MaxPooling1D(2),
                        GlobalMaxPooling1D(), Dense(1, activation="sigmoid")])
"""

import numpy as np

from baeum import activations
from baeum import functional as F
from baeum.layers.convolutional import Conv2D, _conv_out
from baeum.layers.input_spec import InputSpec
from baeum.layers.pooling import AveragePooling2D, MaxPooling2D
from baeum.ops import shaping as shape_ops


def _one_int(kind, name, value):
    """Keras takes 3, (3,) or [3] for a 1-D size."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{kind} {name} must be a positive integer, got {value!r}")
    return int(value)


class Conv1D(Conv2D):
    """outputs = activation(conv1d(inputs, kernel) + bias) over the steps.

    inputs (batch, steps, C_in) -> (batch, new_steps, filters); kernel
    (kernel_size, C_in, filters), bias (filters,). padding "valid", "same", or "causal"
    (zeros in front only: step t sees steps <= t, for sequence models).

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
        return (self.kernel_size[1], in_channels, self.filters)

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})

    def call(self, inputs):
        k, d = self.kernel_size[1], self.dilation_rate[1]
        if self.causal:
            inputs = shape_ops.pad(inputs, ((0, 0), ((k - 1) * d, 0), (0, 0)))
        n, t, c = inputs.shape
        kernel = self.kernel.reshape(1, k, c, self.filters)
        y = F.conv2d(inputs.reshape(n, 1, t, c), kernel, self.bias, strides=self.strides,
                     padding=self.padding, dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y.reshape(n, y.shape[2], self.filters))

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
