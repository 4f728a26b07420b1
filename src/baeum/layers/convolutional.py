"""2-D convolution layers on channels-last images: Conv2D and Conv2DTranspose."""

import numpy as np

from baeum import activations, constraints, initializers, regularizers
from baeum import functional as F
from baeum.autograd import grad_mode
from baeum.autograd.tensor import Tensor
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.ops import conv_max_pool, winograd
from baeum.ops.activations import relu_array
from baeum.ops.conv import _transpose_out_size, conv_geometry
from baeum.ops.conv import int_pair as _pair


class Conv2D(Layer):
    """outputs = activation(conv2d(inputs, kernel) + bias), images (N, H, W, C).

    inputs (batch, H, W, C_in) -> (batch, H_out, W_out, filters); kernel
    (kh, kw, C_in, filters), bias (filters,). padding "valid": H_out = (H - kh) // s + 1
    (with dilation d, kh becomes (kh - 1) d + 1); "same": H_out = ceil(H / s).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Conv2D(32, 3)
    >>> layer(np.ones((2, 28, 28, 1), np.float32)).shape
    (2, 26, 26, 32)
    >>> layer.count_params()   # 3*3*1*32 weights + 32 biases
    320
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{kind} filters must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = _pair(kind, "kernel_size", kernel_size)
        self.strides = _pair(kind, "strides", strides)
        self.dilation_rate = _pair(kind, "dilation_rate", dilation_rate)
        self.padding = _padding(kind, padding)
        self.data_format = _data_format(kind, data_format)
        if groups != 1:
            raise NotImplementedError(f"{kind} supports groups=1 only, got groups={groups!r}")
        self.groups = 1
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{kind}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), "
                f"got strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=4)

    def _kernel_shape(self, in_channels):
        return (*self.kernel_size, in_channels, self.filters)

    def build(self, input_shape):
        in_channels = input_shape[-1]
        if in_channels is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the channel axis (last) of the input "
                f"shape {tuple(input_shape)} must be known"
            )
        self.kernel = self.add_weight("kernel", self._kernel_shape(in_channels),
                                      self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=4, axes={-1: in_channels})

    def call(self, inputs, max_pool=None):
        """max_pool: a MaxPooling2D layer that this layer's output goes to and nowhere else
        (Sequential and functional models pass it, see fuses_with): then the pooled output
        is returned, computed in one step where it can be (see _max_pooled)."""
        if max_pool is not None:
            return self._max_pooled(inputs, max_pool)
        y = F.conv2d(inputs, self.kernel, self.bias, strides=self.strides,
                     padding=self.padding, dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)

    def fuses_with(self, pool):
        """Whether this layer and `pool` may run as one step (_max_pooled): a plain Conv2D,
        no activity regularizer (it would need the conv's own output), then a built
        MaxPooling2D. Sequential and functional models ask it of adjacent layers."""
        from baeum.layers.pooling import MaxPooling2D  # pooling imports this module

        return (self.__class__ is Conv2D and self.activity_regularizer is None
                and pool.__class__ is MaxPooling2D and pool.built)

    def _max_pooled(self, inputs, pool):
        """pool(self(inputs)) in one step. ReLU commutes with the maximum, so it runs after
        the pool, on a quarter of the values. A 2x2 pool with stride 2 runs as one op whose
        conv writes each window position as a block of its own, so the pool reads
        contiguous memory (ops/conv_max_pool.py); in inference, a 3x3 stride-1 kernel as
        Winograd's F(2x2, 3x3) with the pool built in instead, where winograd.applies
        (ops/winograd.py). Anything else runs as conv2d, then the pool."""
        relu = self.activation is activations.relu
        if not relu and self.activation is not activations.linear:
            return pool(self.call(inputs))
        geo = conv_geometry("conv2d", inputs.shape[1:3], self.kernel_size, self.strides,
                            self.padding, self.dilation_rate)
        if pool.pool_size == (2, 2) and pool.strides == (2, 2) and pool.padding == "valid" \
                and min(geo.out) >= 2:
            if grad_mode.enabled:
                return conv_max_pool.conv2d_max_pool2x2(inputs, self.kernel, self.bias, geo, relu)
            bias = None if self.bias is None else self.bias.data
            if winograd.applies(self.kernel.shape, self.strides, self.dilation_rate):
                return Tensor(winograd.conv3x3_max_pool2x2(inputs.data, self.kernel.data, bias,
                                                           self.padding, relu))
            return Tensor(conv_max_pool.pooled_inference(inputs.data, self.kernel.data, bias,
                                                         geo, relu))
        y = pool(F.conv2d(inputs, self.kernel, self.bias, strides=self.strides,
                          padding=self.padding, dilation_rate=self.dilation_rate))
        if not relu:
            return y
        if grad_mode.enabled:  # not in place: the pool's backward reads its output
            return F.relu(y)
        relu_array(y.data, y.data)
        return y

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        return (n, *(_conv_out(size, k, s, d, self.padding) for size, k, s, d in zip(
            (h, w), self.kernel_size, self.strides, self.dilation_rate)), self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Conv2DTranspose(Conv2D):
    """Transposed convolution ("deconvolution"): upsamples, the gradient of a Conv2D.

    inputs (batch, H, W, C_in) -> (batch, H_out, W_out, filters); kernel
    (kh, kw, filters, C_in) (Keras's layout), bias (filters,). Per axis, with
    k = (kh - 1) * d + 1: "valid": H_out = (H - 1) * s + max(k, s); "same": H * s;
    with output_padding p: (H - 1) * s + k + p ("valid"), (H - 1) * s + k % 2 + p ("same").

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Conv2DTranspose(8, 3, strides=2, padding="same")
    >>> layer(np.ones((2, 7, 7, 16), np.float32)).shape
    (2, 14, 14, 8)
    >>> layer.count_params()   # 3*3*8*16 + 8
    1160
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 **kwargs):
        super().__init__(
            filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, **kwargs,
        )
        if output_padding is not None:
            output_padding = _pair("Conv2DTranspose", "output_padding", output_padding,
                                   minimum=0)
            if any(p >= s for p, s in zip(output_padding, self.strides)):
                raise ValueError(
                    f"Conv2DTranspose output_padding must be smaller than strides, got "
                    f"output_padding={output_padding} with strides={self.strides}"
                )
        self.output_padding = output_padding

    def _kernel_shape(self, in_channels):
        return (*self.kernel_size, self.filters, in_channels)

    def call(self, inputs):
        y = F.conv2d_transpose(inputs, self.kernel, self.bias, strides=self.strides,
                               padding=self.padding, output_padding=self.output_padding,
                               dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        pads = self.output_padding or (None, None)
        return (n, *(_transpose_out(size, k, s, d, self.padding, p) for size, k, s, d, p in zip(
            (h, w), self.kernel_size, self.strides, self.dilation_rate, pads)), self.filters)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = (None if self.output_padding is None
                                    else list(self.output_padding))
        return config


def _conv_out(size, kernel, stride, dilation, padding):
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    return (size - (kernel - 1) * dilation - 1) // stride + 1


def _transpose_out(size, kernel, stride, dilation, padding, output_padding):
    if size is None:
        return None
    return _transpose_out_size(size, kernel, stride, padding, output_padding, dilation)


def _padding(kind, padding):
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in ("valid", "same"):
        raise ValueError(f"{kind} padding must be 'valid' or 'same', got {padding!r}")
    return mode


def _data_format(kind, data_format):
    if data_format not in (None, "channels_last"):
        layout = ("sequences as (N, T, C)", "(N, C, T) inputs with x.transpose(0, 2, 1)") \
            if kind.endswith("1D") else \
            ("images as (N, H, W, C)", "NCHW inputs with x.transpose(0, 2, 3, 1)")
        raise NotImplementedError(
            f"{kind} supports data_format='channels_last' only ({layout[0]}), "
            f"got {data_format!r}; transpose {layout[1]}"
        )
    return "channels_last"

