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


from baeum import activations
from baeum import functional as F
from baeum.layers.convolutional import (
    Conv2D,
    Conv2DTranspose,
    _conv_out,
    _data_format,
    _padding,
)
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.layers.pooling import _GlobalPooling
from baeum.ops.conv3d import int_triple


class Conv3D(Conv2D):
    """outputs = activation(conv3d(inputs, kernel) + bias) over volumes: Conv2D with a
    third spatial axis (its arguments, weights, config), run by ops/conv3d.py.

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

    rank = 3
    _int_tuple = staticmethod(int_triple)

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if groups != 1:
            raise NotImplementedError(
                f"{type(self).__name__} supports groups=1 only, got groups={groups!r}")
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)

    def call(self, inputs):
        y = F.conv3d(inputs, self.kernel, self.bias, strides=self.strides,
                     padding=self.padding, dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)


class Conv3DTranspose(Conv2DTranspose):
    """Transposed 3-D convolution: upsamples volumes, the gradient of a Conv3D; as
    Conv2DTranspose with a third spatial axis.

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

    rank = 3
    _int_tuple = staticmethod(int_triple)

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, **kwargs)

    def call(self, inputs):
        y = F.conv3d_transpose(inputs, self.kernel, self.bias, strides=self.strides,
                               padding=self.padding, output_padding=self.output_padding,
                               dilation_rate=self.dilation_rate)
        return activations.apply_to_fresh(self.activation, y)


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
