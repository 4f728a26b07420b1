"""Pooling and upsampling layers on channels-last images (N, H, W, C).

MaxPooling2D / AveragePooling2D (aliases MaxPool2D, AvgPool2D), GlobalAveragePooling2D,
GlobalMaxPooling2D, UpSampling2D, and over sequences (N, T, C) GlobalAveragePooling1D and
GlobalMaxPooling1D. None has weights.
"""

import numpy as np

from baeum import functional as F
from baeum.layers.convolutional import _conv_out, _data_format, _padding, _pair
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer


class _Pooling2D(Layer):
    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.pool_size = _pair(kind, "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else _pair(kind, "strides", strides)
        self.padding = _padding(kind, padding)
        self.data_format = _data_format(kind, data_format)
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return (n, *(_conv_out(size, k, s, 1, self.padding) for size, k, s in zip(
            (h, w), self.pool_size, self.strides)), c)

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding,
                "data_format": self.data_format}


class MaxPooling2D(_Pooling2D):
    """The maximum of each pool_size window, moved by strides (default: pool_size).

    (batch, H, W, C) -> (batch, H_out, W_out, C); "valid": H_out = (H - ph) // s + 1,
    "same": ceil(H / s).

    >>> import baeum, numpy as np
    >>> baeum.layers.MaxPooling2D()(np.ones((1, 28, 28, 3), np.float32)).shape
    (1, 14, 14, 3)
    """

    def call(self, inputs):
        return F.max_pool2d(inputs, self.pool_size, strides=self.strides, padding=self.padding)


class AveragePooling2D(_Pooling2D):
    """The mean of each pool_size window, moved by strides (default: pool_size).

    With padding="same" the padded positions are left out of the mean (as Keras).
    """

    def call(self, inputs):
        return F.avg_pool2d(inputs, self.pool_size, strides=self.strides, padding=self.padding)


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D


class _GlobalPooling(Layer):
    """Over every axis between the batch and the channels: `rank` of them (2 for images
    (N, H, W, C), 1 for sequences (N, T, C))."""

    rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        n, c = input_shape[0], input_shape[-1]
        return (n, *(1,) * self.rank, c) if self.keepdims else (n, c)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}



class GlobalAveragePooling2D(_GlobalPooling):
    """(batch, H, W, C) -> (batch, C): the mean over each channel's whole map.

    keepdims=True gives (batch, 1, 1, C).
    """

    def call(self, inputs):
        return F.global_avg_pool2d(inputs, keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling):
    """(batch, H, W, C) -> (batch, C): the maximum over each channel's whole map."""

    def call(self, inputs):
        return F.global_max_pool2d(inputs, keepdims=self.keepdims)


class _GlobalPooling1D(_GlobalPooling):
    rank = 1


class GlobalAveragePooling1D(_GlobalPooling1D):
    """(batch, steps, features) -> (batch, features): the mean over the steps (a bag of
    embeddings, in the text classification tutorials). keepdims=True gives
    (batch, 1, features). With a mask (Embedding(mask_zero=True)) it is the mean over the
    unmasked steps only."""

    def call(self, inputs, mask=None):
        if mask is None:
            return inputs.mean(axis=1, keepdims=self.keepdims)
        weights = np.asarray(mask, inputs.dtype)[:, :, None]        # (batch, steps, 1)
        total = (inputs * weights).sum(axis=1, keepdims=self.keepdims)
        count = weights.sum(axis=1, keepdims=self.keepdims)
        return total / count


class GlobalMaxPooling1D(_GlobalPooling1D):
    """(batch, steps, features) -> (batch, features): the maximum over the steps."""

    def call(self, inputs):
        return inputs.max(axis=1, keepdims=self.keepdims)


class UpSampling2D(Layer):
    """Repeat rows and columns: (batch, H, W, C) -> (batch, H*sh, W*sw, C) (nearest), or
    interpolate between them (interpolation="bilinear": Keras's resize, with half-pixel
    centres, as torch's interpolate(align_corners=False)).

    >>> import baeum, numpy as np
    >>> baeum.layers.UpSampling2D()(np.ones((1, 7, 7, 4), np.float32)).shape
    (1, 14, 14, 4)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = _pair("UpSampling2D", "size", size)
        self.data_format = _data_format("UpSampling2D", data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D interpolation must be 'nearest' or 'bilinear', "
                             f"got {interpolation!r}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        if self.interpolation == "nearest":
            return F.upsample2d(inputs, size=self.size)
        from baeum.layers.image_preprocessing import resize

        _, h, w, _ = inputs.shape
        return resize(inputs, h * self.size[0], w * self.size[1], "bilinear")

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        sh, sw = self.size
        return (n, None if h is None else h * sh, None if w is None else w * sw, c)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size),
                "data_format": self.data_format, "interpolation": self.interpolation}
