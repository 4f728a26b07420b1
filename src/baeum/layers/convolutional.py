"""2-D convolution layers on channels-last images: Conv2D, Conv2DTranspose,
DepthwiseConv2D and SeparableConv2D."""

import numpy as np

from baeum import activations
from baeum import functional as F
from baeum.autograd import grad_mode
from baeum.autograd.tensor import Tensor
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.layers.weight_settings import set_weight_settings, weight_settings_config
from baeum.ops import conv_max_pool, winograd
from baeum.ops.activations import relu_array
from baeum.ops.conv import _transpose_out_size, conv_geometry
from baeum.ops.conv import int_pair as _pair
from baeum.ops.grouped_conv import grouped_conv2d


class Conv2D(Layer):
    """outputs = activation(conv2d(inputs, kernel) + bias), images (N, H, W, C).

    inputs (batch, H, W, C_in) -> (batch, H_out, W_out, filters); kernel
    (kh, kw, C_in // groups, filters), bias (filters,). padding "valid":
    H_out = (H - kh) // s + 1 (with dilation d, kh becomes (kh - 1) d + 1); "same":
    H_out = ceil(H / s). groups=g splits the channels into g groups, each convolved with
    its own filters // g filters (ops/grouped_conv.py); C_in and filters divisible by g.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Conv2D(32, 3)
    >>> layer(np.ones((2, 28, 28, 1), np.float32)).shape
    (2, 26, 26, 32)
    >>> layer.count_params()   # 3*3*1*32 weights + 32 biases
    320
    """

    rank = 2                            # spatial axes (Conv3D: 3)
    _int_tuple = staticmethod(_pair)    # an int or `rank` ints -> a tuple of `rank`

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
        self.kernel_size = self._int_tuple(kind, "kernel_size", kernel_size)
        self.strides = self._int_tuple(kind, "strides", strides)
        self.dilation_rate = self._int_tuple(kind, "dilation_rate", dilation_rate)
        self.padding = _padding(kind, padding)
        self.data_format = _data_format(kind, data_format)
        if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
            raise ValueError(f"{kind} groups must be a positive integer, got {groups!r}")
        if self.filters % groups:
            raise ValueError(
                f"{kind}: filters={self.filters} must be divisible by groups={groups} "
                f"(each group gets filters // groups of them)"
            )
        self.groups = int(groups)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{kind}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), "
                f"got strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_settings(self, kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer,
                            kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _kernel_shape(self, in_channels):
        return (*self.kernel_size, in_channels // self.groups, self.filters)

    def build(self, input_shape):
        in_channels = _in_channels(self, input_shape)
        if in_channels % self.groups:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the input's {in_channels} channels "
                f"must be divisible by groups={self.groups} (input shape {tuple(input_shape)})"
            )
        if self.groups > 1:
            # The grouped layer's own call, chosen here: the groups=1 call tests nothing.
            self.call = self._grouped_call
        self.kernel = self.add_weight("kernel", self._kernel_shape(in_channels),
                                      self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: in_channels})

    def call(self, inputs, max_pool=None):
        """max_pool: a MaxPooling2D layer that this layer's output goes to and nowhere else
        (Sequential and functional models pass it, see fuses_with): then the pooled output
        is returned, computed in one step where it can be (see _max_pooled)."""
        if max_pool is not None:
            return self._max_pooled(inputs, max_pool)
        y = F.conv2d(inputs, self.kernel, self.bias, strides=self.strides,
                     padding=self.padding, dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)

    def _grouped_call(self, inputs, max_pool=None):
        """call with groups > 1 (build makes it the layer's call); never fused."""
        y = grouped_conv2d(inputs, self.kernel, self.bias, self.groups, strides=self.strides,
                           padding=self.padding, dilation_rate=self.dilation_rate)
        y = activations.apply_to_fresh(self.activation, y)
        return y if max_pool is None else max_pool(y)

    def fuses_with(self, pool):
        """Whether this layer and `pool` may run as one step (_max_pooled): a plain Conv2D
        (groups=1), no activity regularizer (it would need the conv's own output), then a
        built MaxPooling2D. Sequential and functional models ask it of adjacent layers."""
        from baeum.layers.pooling import MaxPooling2D  # pooling imports this module

        return (self.__class__ is Conv2D and self.groups == 1
                and self.activity_regularizer is None
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
        n, *spatial, _ = input_shape
        return (n, *(_conv_out(size, k, s, d, self.padding) for size, k, s, d in zip(
            spatial, self.kernel_size, self.strides, self.dilation_rate)), self.filters)

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
            **weight_settings_config(self),
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
            kind = type(self).__name__
            output_padding = self._int_tuple(kind, "output_padding", output_padding,
                                             minimum=0)
            if any(p >= s for p, s in zip(output_padding, self.strides)):
                raise ValueError(
                    f"{kind} output_padding must be smaller than strides, got "
                    f"output_padding={output_padding} with strides={self.strides}"
                )
        self.output_padding = output_padding

    def _kernel_shape(self, in_channels):
        return (*self.kernel_size, self.filters, in_channels)

    def call(self, inputs):
        y = F.conv2d_transpose(inputs, _image_kernel(self.kernel), self.bias,
                               strides=self.strides,
                               padding=self.padding, output_padding=self.output_padding,
                               dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)

    def compute_output_shape(self, input_shape):
        n, *spatial, _ = input_shape
        pads = self.output_padding or (None,) * self.rank
        return (n, *(_transpose_out(size, k, s, d, self.padding, p) for size, k, s, d, p in zip(
            spatial, self.kernel_size, self.strides, self.dilation_rate, pads)), self.filters)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = (None if self.output_padding is None
                                    else list(self.output_padding))
        return config


class DepthwiseConv2D(Layer):
    """outputs = activation(depthwise_conv2d(inputs, kernel) + bias): every input channel
    convolved with its own depth_multiplier filters, channels never mixed.

    inputs (batch, H, W, C) -> (batch, H_out, W_out, C * depth_multiplier), output channel
    c * depth_multiplier + m from input channel c; kernel (kh, kw, C, depth_multiplier)
    (named "kernel", as in Keras 3), bias (C * depth_multiplier,). H_out as Conv2D.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.DepthwiseConv2D(3, depth_multiplier=2)
    >>> layer(np.ones((2, 8, 8, 4), np.float32)).shape
    (2, 6, 6, 8)
    >>> layer.count_params()   # 3*3*4*2 weights + 8 biases
    80
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.depth_multiplier = _depth_multiplier(kind, depth_multiplier)
        _init_window(self, kind, kernel_size, strides, padding, data_format, dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_settings(self, depthwise_initializer=depthwise_initializer,
                             bias_initializer=bias_initializer,
                             depthwise_regularizer=depthwise_regularizer,
                             bias_regularizer=bias_regularizer,
                             activity_regularizer=activity_regularizer,
                             depthwise_constraint=depthwise_constraint,
                             bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=4)

    def _kernel_shape(self, in_channels):
        return (*self.kernel_size, in_channels, self.depth_multiplier)

    def build(self, input_shape):
        in_channels = _in_channels(self, input_shape)
        self.kernel = self.add_weight("kernel", self._kernel_shape(in_channels),
                                      self.depthwise_initializer,
                                      regularizer=self.depthwise_regularizer,
                                      constraint=self.depthwise_constraint)
        self.bias = (self.add_weight("bias", (in_channels * self.depth_multiplier,),
                                     self.bias_initializer, regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=4, axes={-1: in_channels})

    @property
    def depthwise_kernel(self):
        """The kernel (kh, kw, C, depth_multiplier) under its Keras 2 name."""
        return self.kernel

    def call(self, inputs):
        y = F.depthwise_conv2d(inputs, _image_kernel(self.kernel), self.bias,
                               strides=self.strides, padding=self.padding,
                               dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return (n, *_window_out(self, h, w), None if c is None else c * self.depth_multiplier)

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "depth_multiplier": self.depth_multiplier,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weight_settings_config(self),
        }


class SeparableConv2D(Layer):
    """Depthwise separable convolution: a depthwise conv (each channel on its own), then a
    1x1 conv that mixes the channels, then the bias and the activation:

        outputs = activation(depthwise_conv2d(inputs, depthwise_kernel) @ pointwise + bias)

    inputs (batch, H, W, C) -> (batch, H_out, W_out, filters); depthwise_kernel
    (kh, kw, C, depth_multiplier), pointwise_kernel (1, 1, C * depth_multiplier, filters),
    bias (filters,). H_out as Conv2D. kh*kw*C*M + C*M*filters + filters parameters instead
    of Conv2D's kh*kw*C*filters + filters.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.SeparableConv2D(8, 3)
    >>> layer(np.ones((2, 8, 8, 3), np.float32)).shape
    (2, 6, 6, 8)
    >>> layer.count_params()   # 3*3*3 + 3*8 + 8
    59
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{kind} filters must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        self.depth_multiplier = _depth_multiplier(kind, depth_multiplier)
        _init_window(self, kind, kernel_size, strides, padding, data_format, dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_settings(self, depthwise_initializer=depthwise_initializer,
                             pointwise_initializer=pointwise_initializer,
                             bias_initializer=bias_initializer,
                             depthwise_regularizer=depthwise_regularizer,
                             pointwise_regularizer=pointwise_regularizer,
                             bias_regularizer=bias_regularizer,
                             activity_regularizer=activity_regularizer,
                             depthwise_constraint=depthwise_constraint,
                             pointwise_constraint=pointwise_constraint,
                             bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=4)

    def _kernel_shape(self, in_channels):
        return (*self.kernel_size, in_channels, self.depth_multiplier)

    def _pointwise_shape(self, mid):
        return (1, 1, mid, self.filters)

    def build(self, input_shape):
        in_channels = _in_channels(self, input_shape)
        mid = in_channels * self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self._kernel_shape(in_channels),
            self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", self._pointwise_shape(mid), self.pointwise_initializer,
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=4, axes={-1: in_channels})

    def call(self, inputs):
        y = F.depthwise_conv2d(inputs, _image_kernel(self.depthwise_kernel),
                               strides=self.strides, padding=self.padding,
                               dilation_rate=self.dilation_rate)
        # The 1x1 conv is a matmul over the channel axis: one fused op with the bias.
        pointwise = self.pointwise_kernel.reshape(self.pointwise_kernel.shape[-2], self.filters)
        y = F.linear(y, pointwise, self.bias)
        return activations.apply_to_fresh(self.activation, y)

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        return (n, *_window_out(self, h, w), self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "depth_multiplier": self.depth_multiplier,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weight_settings_config(self),
        }


def _image_kernel(kernel):
    """The kernel as the 2-D op takes it: a 1-D layer's (k, ...) kernel (the layers of
    convolutional1d.py) is the (1, k, ...) kernel of an image one row high."""
    return kernel if kernel.ndim == 4 else kernel.reshape(1, *kernel.shape)


def _depth_multiplier(kind, depth_multiplier):
    if not isinstance(depth_multiplier, (int, np.integer)) or isinstance(depth_multiplier, bool) \
            or depth_multiplier < 1:
        raise ValueError(
            f"{kind} depth_multiplier must be an integer >= 1 (output channels per input "
            f"channel), got {depth_multiplier!r}"
        )
    return int(depth_multiplier)


def _init_window(layer, kind, kernel_size, strides, padding, data_format, dilation_rate):
    """The window arguments DepthwiseConv2D and SeparableConv2D share with Conv2D, checked
    and stored on the layer."""
    layer.kernel_size = _pair(kind, "kernel_size", kernel_size)
    layer.strides = _pair(kind, "strides", strides)
    layer.dilation_rate = _pair(kind, "dilation_rate", dilation_rate)
    layer.padding = _padding(kind, padding)
    layer.data_format = _data_format(kind, data_format)
    if max(layer.strides) > 1 and max(layer.dilation_rate) > 1:
        raise ValueError(
            f"{kind}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), "
            f"got strides={layer.strides}, dilation_rate={layer.dilation_rate}"
        )


def _in_channels(layer, input_shape):
    in_channels = input_shape[-1]
    if in_channels is None:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': the channel axis (last) of the input "
            f"shape {tuple(input_shape)} must be known"
        )
    return in_channels


def _window_out(layer, h, w):
    return tuple(_conv_out(size, k, s, d, layer.padding) for size, k, s, d in zip(
        (h, w), layer.kernel_size, layer.strides, layer.dilation_rate))


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


_LAYOUTS = {  # what a layer of kind ...1D, ...2D, ...3D takes, and how to transpose to it
    "1D": ("sequences as (N, T, C)", "(N, C, T) inputs with x.transpose(0, 2, 1)"),
    "2D": ("images as (N, H, W, C)", "NCHW inputs with x.transpose(0, 2, 3, 1)"),
    "3D": ("volumes as (N, D, H, W, C)", "(N, C, D, H, W) inputs with x.transpose(0, 2, 3, 4, 1)"),
}


def _data_format(kind, data_format):
    if data_format not in (None, "channels_last"):
        layout = next((v for k, v in _LAYOUTS.items() if k in kind), _LAYOUTS["2D"])
        raise NotImplementedError(
            f"{kind} supports data_format='channels_last' only ({layout[0]}), "
            f"got {data_format!r}; transpose {layout[1]}"
        )
    return "channels_last"

