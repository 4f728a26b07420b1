"""3-D convolution and pooling layers on channels-last volumes (batch, D, H, W, C): video
clips (frames, rows, columns) or medical scans (slices, rows, columns).

Conv3D, Conv3DTranspose, MaxPooling3D / AveragePooling3D (aliases MaxPool3D, AvgPool3D),
GlobalAveragePooling3D, GlobalMaxPooling3D and UpSampling3D. Their ops, with the
gradients, are in baeum/ops/conv3d.py and baeum/ops/pool3d.py. (ZeroPadding3D and
Cropping3D are in reshaping.py.)

    model = Sequential([Input(shape=(16, 32, 32, 3)),
                        Conv3D(8, 3, activation="relu"), MaxPooling3D(2),
                        GlobalAveragePooling3D(), Dense(10, activation="softmax")])
"""

import numpy as np

from baeum import activations, constraints, initializers, regularizers
from baeum import functional as F
from baeum.layers.convolutional import _conv_out, _padding, _transpose_out
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.layers.pooling import _GlobalPooling
from baeum.ops.conv3d import int_triple


class Conv3D(Layer):
    """outputs = activation(conv3d(inputs, kernel) + bias) over volumes.

    inputs (batch, D, H, W, C_in) -> (batch, D_out, H_out, W_out, filters); kernel
    (kd, kh, kw, C_in, filters), bias (filters,). Per axis, padding "valid":
    D_out = (D - kd) // s + 1 (with dilation d, kd becomes (kd - 1) d + 1); "same":
    D_out = ceil(D / s), the odd extra pixel of padding at the end (as TensorFlow).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Conv3D(8, 3, activation="relu")
    >>> layer(np.ones((2, 6, 7, 8, 2), np.float32)).shape
    (2, 4, 5, 6, 8)
    >>> layer.count_params()   # 3*3*3*2*8 weights + 8 biases
    440
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{kind} filters must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = int_triple(kind, "kernel_size", kernel_size)
        self.strides = int_triple(kind, "strides", strides)
        self.dilation_rate = int_triple(kind, "dilation_rate", dilation_rate)
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
        self.input_spec = InputSpec(ndim=5)

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
        self.input_spec = InputSpec(ndim=5, axes={-1: in_channels})

    def call(self, inputs):
        y = F.conv3d(inputs, self.kernel, self.bias, strides=self.strides,
                     padding=self.padding, dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)

    def compute_output_shape(self, input_shape):
        n, *dhw, _ = input_shape
        return (n, *(_conv_out(size, k, s, d, self.padding) for size, k, s, d in zip(
            dhw, self.kernel_size, self.strides, self.dilation_rate)), self.filters)

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


class Conv3DTranspose(Conv3D):
    """Transposed 3-D convolution: upsamples volumes, the gradient of a Conv3D.

    inputs (batch, D, H, W, C_in) -> (batch, D_out, H_out, W_out, filters); kernel
    (kd, kh, kw, filters, C_in) (Keras's layout), bias (filters,). Per axis, with
    k = (kd - 1) * d + 1: "valid": D_out = (D - 1) * s + max(k, s); "same": D * s; with
    output_padding p: (D - 1) * s + k + p ("valid"), (D - 1) * s + k % 2 + p ("same").

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Conv3DTranspose(4, 2, strides=2)
    >>> layer(np.ones((2, 3, 4, 5, 6), np.float32)).shape
    (2, 6, 8, 10, 4)
    >>> layer.count_params()   # 2*2*2*4*6 + 4
    196
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(
            filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs,
        )
        if output_padding is not None:
            output_padding = int_triple("Conv3DTranspose", "output_padding", output_padding,
                                        minimum=0)
            if any(p >= s for p, s in zip(output_padding, self.strides)):
                raise ValueError(
                    f"Conv3DTranspose output_padding must be smaller than strides, got "
                    f"output_padding={output_padding} with strides={self.strides}"
                )
        self.output_padding = output_padding

    def _kernel_shape(self, in_channels):
        return (*self.kernel_size, self.filters, in_channels)

    def call(self, inputs):
        y = F.conv3d_transpose(inputs, self.kernel, self.bias, strides=self.strides,
                               padding=self.padding, output_padding=self.output_padding,
                               dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)

    def compute_output_shape(self, input_shape):
        n, *dhw, _ = input_shape
        pads = self.output_padding or (None,) * 3
        return (n, *(_transpose_out(size, k, s, d, self.padding, p) for size, k, s, d, p in zip(
            dhw, self.kernel_size, self.strides, self.dilation_rate, pads)), self.filters)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = (None if self.output_padding is None
                                    else list(self.output_padding))
        return config


class _Pooling3D(Layer):
    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.pool_size = int_triple(kind, "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else int_triple(kind, "strides",
                                                                          strides)
        self.padding = _padding(kind, padding)
        self.data_format = _data_format(kind, data_format)
        self.input_spec = InputSpec(ndim=5)

    def compute_output_shape(self, input_shape):
        n, *dhw, c = input_shape
        return (n, *(_conv_out(size, k, s, 1, self.padding) for size, k, s in zip(
            dhw, self.pool_size, self.strides)), c)

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "padding": self.padding, "strides": list(self.strides),
                "data_format": self.data_format}


class MaxPooling3D(_Pooling3D):
    """The maximum of each pool_size window of a volume, moved by strides (default:
    pool_size).

    (batch, D, H, W, C) -> (batch, D_out, H_out, W_out, C); per axis "valid":
    D_out = (D - pd) // s + 1, "same": ceil(D / s).

    >>> import baeum, numpy as np
    >>> baeum.layers.MaxPooling3D()(np.ones((1, 8, 6, 5, 3), np.float32)).shape
    (1, 4, 3, 2, 3)
    """

    def call(self, inputs):
        return F.max_pool3d(inputs, self.pool_size, strides=self.strides, padding=self.padding)


class AveragePooling3D(_Pooling3D):
    """The mean of each pool_size window of a volume, moved by strides (default:
    pool_size). With padding="same" the padded positions are left out of the mean (as
    Keras). Shapes as MaxPooling3D.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.AveragePooling3D(2, strides=1, padding="same")
    >>> layer(np.ones((1, 3, 3, 3, 2), np.float32)).shape
    (1, 3, 3, 3, 2)
    """

    def call(self, inputs):
        return F.avg_pool3d(inputs, self.pool_size, strides=self.strides, padding=self.padding)


MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D


class _GlobalPooling3D(_GlobalPooling):
    rank = 3

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        _data_format(type(self).__name__, data_format)  # the volumes' wording of the error
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalAveragePooling3D(_GlobalPooling3D):
    """(batch, D, H, W, C) -> (batch, C): the mean over each channel's whole volume.

    keepdims=True gives (batch, 1, 1, 1, C).

    >>> import baeum, numpy as np
    >>> baeum.layers.GlobalAveragePooling3D()(np.ones((2, 3, 4, 5, 6), np.float32)).shape
    (2, 6)
    """

    def call(self, inputs):
        return F.global_avg_pool3d(inputs, keepdims=self.keepdims)


class GlobalMaxPooling3D(_GlobalPooling3D):
    """(batch, D, H, W, C) -> (batch, C): the maximum over each channel's whole volume.

    keepdims=True gives (batch, 1, 1, 1, C).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.GlobalMaxPooling3D(keepdims=True)
    >>> layer(np.ones((2, 3, 4, 5, 6), np.float32)).shape
    (2, 1, 1, 1, 6)
    """

    def call(self, inputs):
        return F.global_max_pool3d(inputs, keepdims=self.keepdims)


class UpSampling3D(Layer):
    """Repeat every voxel size[0] times along D, size[1] along H and size[2] along W
    (nearest neighbour): (batch, D, H, W, C) -> (batch, D*sd, H*sh, W*sw, C).

    >>> import baeum, numpy as np
    >>> baeum.layers.UpSampling3D((2, 2, 2))(np.ones((2, 1, 2, 1, 3), np.float32)).shape
    (2, 2, 4, 2, 3)
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = int_triple("UpSampling3D", "size", size)
        self.data_format = _data_format("UpSampling3D", data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        return F.upsample3d(inputs, size=self.size)

    def compute_output_shape(self, input_shape):
        n, *dhw, c = input_shape
        return (n, *(None if d is None else d * s for d, s in zip(dhw, self.size)), c)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size),
                "data_format": self.data_format}


def _data_format(kind, data_format):
    if data_format not in (None, "channels_last"):
        raise NotImplementedError(
            f"{kind} supports data_format='channels_last' only (volumes as "
            f"(N, D, H, W, C)), got {data_format!r}; transpose (N, C, D, H, W) inputs with "
            f"x.transpose(0, 2, 3, 4, 1)"
        )
    return "channels_last"
