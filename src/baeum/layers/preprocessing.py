"""Layers that put raw inputs on a common scale: Rescaling and Normalization.

    model = Sequential([Input(shape=(28, 28, 1)), Rescaling(1 / 255), ...])   # pixels to [0, 1]

    normalizer = Normalization()          # per-feature mean 0, variance 1
    normalizer.adapt(x_train)             # learns the mean and variance from the data
    model = Sequential([normalizer, Dense(64, activation="relu"), Dense(1)])

Neither trains: Normalization's mean and variance are non-trainable weights, set by
adapt() (or given), and saved with the model.
"""

import numpy as np

from baeum.autograd.tensor import Tensor
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer

EPSILON = 1e-7  # the smallest standard deviation divided by (Keras's epsilon)


class Rescaling(Layer):
    """inputs * scale + offset, e.g. Rescaling(1 / 255) for pixel values."""

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = _number_or_list(scale), _number_or_list(offset)

    def call(self, inputs):
        scale = np.asarray(self.scale, self.dtype)
        out = inputs * scale
        return out + np.asarray(self.offset, self.dtype) if np.any(self.offset) else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """(inputs - mean) / sqrt(variance), with a mean and variance per index of `axis`.

    axis: the axis (or axes) that keep their own statistics; -1 (the default) is one
        mean and variance per feature of the last axis; None, a single pair for all.
    mean, variance: give the statistics directly instead of calling adapt().
    invert: apply the inverse, mean + inputs * sqrt(variance) (to turn normalized
        predictions back into the data's units).

    >>> layer = Normalization()
    >>> layer.adapt(np.array([[0.0, 7.0], [2.0, 9.0]]))
    >>> layer(np.array([[1.0, 7.0]])).data.tolist()
    [[0.0, -1.0]]
    """

    supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)):
            axis = (int(axis),)
        self.axis = tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization: give both mean and variance, or neither (then call adapt()); "
                f"got mean={mean} and variance={variance}"
            )
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(
                f"Normalization: mean and variance must have the same shape, got "
                f"{np.shape(mean)} and {np.shape(variance)}"
            )
        self.input_mean = None if mean is None else _number_or_list(mean)
        self.input_variance = None if variance is None else _number_or_list(variance)
        self.invert = bool(invert)

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(
                f"Normalization '{self.name}': axis={self.axis} does not fit inputs of shape "
                f"{tuple(input_shape)}"
            )
        # Kept axes counted from the end, so that data of another rank (a 1-D array for
        # adapt() with axis=None, say) lines up the same way.
        self._keep = tuple(sorted(a % ndim - ndim for a in self.axis))
        stats_shape = tuple(input_shape[a] for a in self._keep)
        if None in stats_shape:
            raise ValueError(
                f"Normalization '{self.name}': the kept axes {list(self._keep)} must have "
                f"known sizes, got inputs of shape {tuple(input_shape)}"
            )
        if self.input_mean is None:
            self.mean = self.add_weight("mean", stats_shape, "zeros", trainable=False)
            self.variance = self.add_weight("variance", stats_shape, "ones", trainable=False)
            # The number of values adapt() averaged over (Keras keeps this weight too).
            self.count = self.add_weight("count", (), "zeros", dtype="int64", trainable=False)
        else:
            self.mean = Tensor(_broadcast(self, self.input_mean, stats_shape))
            self.variance = Tensor(_broadcast(self, self.input_variance, stats_shape))
        self.input_spec = InputSpec(min_ndim=len(self._keep), axes=dict(zip(self._keep,
                                                                            stats_shape)))

    def adapt(self, data):
        """Set the mean and variance to those of `data` (an array of samples), over every
        axis but the kept ones."""
        if self.input_mean is not None:
            raise ValueError(
                f"Normalization '{self.name}' was given mean and variance; adapt() would "
                "overwrite them: create it without them to learn them from data"
            )
        data = np.asarray(data.data if isinstance(data, Tensor) else data, dtype=np.float64)
        if data.ndim == 0 or data.size == 0:
            raise ValueError(f"Normalization '{self.name}': adapt() needs an array of samples, "
                             f"got shape {data.shape}")
        if not self.built:
            self.build((None, *data.shape[1:]) if data.ndim > 1 else data.shape)
            self.built = True
        stats_shape = self.mean.shape
        if data.ndim < len(self._keep) or tuple(data.shape[a] for a in self._keep) != stats_shape:
            raise ValueError(
                f"Normalization '{self.name}' keeps statistics of shape {stats_shape} (axes "
                f"{list(self._keep)}); adapt() got data of shape {data.shape}"
            )
        if not np.all(np.isfinite(data)):
            raise ValueError(f"Normalization '{self.name}': adapt() data contains NaN or inf")
        reduce = tuple(a for a in range(-data.ndim, 0) if a not in self._keep)
        self.mean.data[...] = data.mean(axis=reduce).reshape(stats_shape)
        self.variance.data[...] = data.var(axis=reduce).reshape(stats_shape)
        self.count.data[...] = data.size // max(int(np.prod(stats_shape)), 1)

    def call(self, inputs):
        shape = [1] * max(inputs.ndim, len(self._keep))
        for a, size in zip(self._keep, self.mean.shape):
            shape[a] = size
        mean = self.mean.data.reshape(shape).astype(self.dtype, copy=False)
        std = np.maximum(np.sqrt(self.variance.data), EPSILON)
        std = std.reshape(shape).astype(self.dtype, copy=False)
        if self.invert:
            return inputs * std + mean
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": list(self.axis), "mean": self.input_mean,
                "variance": self.input_variance, "invert": self.invert}


def _number_or_list(value):
    """A float, or nested lists of floats (JSON-friendly, for the config)."""
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr.tolist()


def _broadcast(layer, value, stats_shape):
    """Given statistics, broadcast to the kept axes' shape (aligned at the right)."""
    try:
        return np.broadcast_to(np.asarray(value, layer.dtype), stats_shape).copy()
    except ValueError:
        raise ValueError(
            f"Normalization '{layer.name}': mean and variance of shape {np.shape(value)} do not "
            f"broadcast to the statistics' shape {stats_shape}"
        ) from None
