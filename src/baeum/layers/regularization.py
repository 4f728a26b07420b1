"""Regularization layers: SpatialDropout1D/2D, GaussianNoise, GaussianDropout, AlphaDropout
and ActivityRegularization (Dropout itself is in core.py).

The noise layers act only in training (fit, or a call with training=True) and are the
identity in evaluate and predict. Each draws from baeum's global generator, which
`baeum.random.seed(n)` fixes, or, given `seed`, from a stream of its own (as Dropout does).
They pass masks on unchanged. Inputs of any shape (the spatial dropouts: 3-D and 4-D),
outputs of the same shape.

    model = Sequential([Input((28, 28, 1)), GaussianNoise(0.1), Conv2D(32, 3, activation="relu"),
                        SpatialDropout2D(0.2), ...])

>>> import baeum, numpy as np
>>> noise = baeum.layers.GaussianDropout(0.5, seed=0)
>>> x = np.ones((2, 3), np.float32)
>>> bool((noise(x).data == x).all()), bool((noise(x, training=True).data == x).any())
(True, False)
"""

import math
import numbers

import numpy as np

from baeum import random, regularizers
from baeum.functional import noise_mask_shape
from baeum.layers.core import Dropout
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer


class SpatialDropout1D(Dropout):
    """Dropout of whole channels: inputs (batch, steps, channels).

    Each (sample, channel) is zeroed at every step at once, or kept and scaled by
    1/(1-rate): Dropout with noise_shape (batch, 1, channels). For sequences whose
    neighbouring steps are alike, where dropping single values hardly regularizes.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, noise_shape=(None, 1, None), seed=seed, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]  # fixed by the class
        return config


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps: inputs (batch, rows, cols, channels).

    Each (sample, channel) map is zeroed everywhere at once, or kept and scaled by
    1/(1-rate): Dropout with noise_shape (batch, 1, 1, channels) ((batch, channels, 1, 1)
    with data_format="channels_first").
    """

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        data_format = "channels_last" if data_format is None else str(data_format).lower()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError("SpatialDropout2D data_format must be 'channels_last' or "
                             f"'channels_first', got {data_format!r}")
        noise_shape = (None, 1, 1, None) if data_format == "channels_last" \
            else (None, None, 1, 1)
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)
        self.data_format = data_format
        self.input_spec = InputSpec(ndim=4)

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]  # fixed by data_format
        return {**config, "data_format": self.data_format}


class _Noise(Layer):
    """What the noise layers share: identity unless training (or when `_active` is false),
    a seeded stream of their own or baeum's global one, masks passed on, same shape out.
    A subclass writes `_noisy(inputs, generator)`."""

    supports_masking = True

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or seed < 0):
            raise ValueError(f"{type(self).__name__} seed must be None or an integer >= 0, "
                             f"got {seed!r}")
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def call(self, inputs, training=None):
        if not training or not self._active():
            return inputs
        # The global generator is looked up now: baeum.random.seed() replaces it.
        return self._noisy(inputs, self._generator or random.get_generator())

    def _active(self):
        return True

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def _check_rate(layer, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"{type(layer).__name__} rate must be in [0, 1), got {rate!r}")
    return float(rate)


def _standard_normal(generator, shape, dtype):
    """N(0, 1) noise drawn directly in float32 or float64 (no float64 draw to cast down)."""
    if dtype in (np.float32, np.float64):
        return generator.standard_normal(shape, dtype=dtype)
    return generator.standard_normal(shape, dtype=np.float32).astype(dtype)


class GaussianNoise(_Noise):
    """outputs = inputs + noise, noise ~ N(0, stddev^2) drawn anew at every training call.

    Like random data augmentation: the model never sees the same input twice.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) \
                or not (math.isfinite(stddev) and stddev >= 0):
            raise ValueError(f"GaussianNoise stddev must be a finite number >= 0, got {stddev!r}")
        self.stddev = float(stddev)

    def _active(self):
        return self.stddev > 0

    def _noisy(self, inputs, generator):
        noise = _standard_normal(generator, inputs.shape, inputs.dtype)
        noise *= self.stddev
        return inputs + noise

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


class GaussianDropout(_Noise):
    """outputs = inputs * noise, noise ~ N(1, rate / (1 - rate)), drawn anew in training.

    The multiplicative noise has mean 1 and the variance of Dropout's mask (which is 0
    or 1/(1-rate) with probability rate and 1-rate): std sqrt(rate / (1 - rate)).
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(self, rate)

    def _active(self):
        return self.rate > 0

    def _noisy(self, inputs, generator):
        noise = _standard_normal(generator, inputs.shape, inputs.dtype)
        noise *= math.sqrt(self.rate / (1.0 - self.rate))
        noise += 1.0
        return inputs * noise

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


# SELU's negative saturation value, -scale * alpha: what SELU gives for x -> -infinity.
_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


class AlphaDropout(_Noise):
    """Dropout for SELU networks: keeps inputs of mean 0 and variance 1 at mean 0, variance 1.

    A dropped value is set to SELU's saturation value alpha' = -scale * alpha (not 0), then
    all values get the affine map that restores the mean and variance (Klambauer et al.,
    2017, as Keras 3 computes it)::

        keep ~ Bernoulli(1 - rate), with the shape noise_shape (default: the input's)
        a = ((1 - rate) * (1 + rate * alpha'^2)) ** -0.5,   b = -a * alpha' * rate
        outputs = a * (inputs * keep + alpha' * (1 - keep)) + b

    noise_shape: as Dropout's, e.g. (None, 1, features) (None takes the input's size).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(self, rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        if self.noise_shape is not None and not all(
                d is None or (isinstance(d, numbers.Integral) and d > 0)
                for d in self.noise_shape):
            raise ValueError(f"AlphaDropout noise_shape entries must be None or positive "
                             f"integers, got {noise_shape!r}")

    def _active(self):
        return self.rate > 0

    def _noisy(self, inputs, generator):
        rate = self.rate
        a = ((1 - rate) * (1 + rate * _ALPHA_P**2)) ** -0.5
        shape = noise_mask_shape(self.noise_shape, inputs.shape, f"AlphaDropout '{self.name}'")
        keep = (generator.random(shape, dtype=np.float32) >= rate).astype(inputs.dtype)
        # a * (x keep + alpha' (1 - keep)) + b  ==  x * (a keep) + a alpha' ((1 - rate) - keep)
        shift = np.subtract(1.0 - rate, keep)
        shift *= a * _ALPHA_P
        keep *= a
        return inputs * keep + shift

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class ActivityRegularization(Layer):
    """The identity, adding l1 * sum(|x|) + l2 * sum(x^2) of its input to the model's losses.

    It is an `activity_regularizer` on its own: like Dense(activity_regularizer=...), the
    term of the latest call is in `layer.losses` and fit adds it to the loss. The sum runs
    over the whole batch, not averaged over samples (Keras 3; tf.keras 2 divided by the
    batch size).
    """

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                    or not (math.isfinite(value) and value >= 0):
                raise ValueError(
                    f"ActivityRegularization {name} must be a finite number >= 0, got {value!r}"
                )
        self.l1, self.l2 = float(l1), float(l2)
        self.activity_regularizer = regularizers.L1L2(l1=self.l1, l2=self.l2)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
