"""Masking: mark the padded steps of float sequences, so the layers after it skip them.

Embedding(mask_zero=True) does this for token ids; Masking does it for sequences of
feature vectors (sensor readings, audio frames) padded with a `mask_value`:

    model = Sequential([Input(shape=(None, 3)), Masking(mask_value=0.0), LSTM(16),
                        Dense(1)])
"""

import numpy as np

from baeum.autograd.tensor import Tensor
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer


class Masking(Layer):
    """A step is padding when every one of its features equals `mask_value`.

    inputs (batch, timesteps, features) -> outputs of the same shape, with
        mask    = any(inputs != mask_value, axis=-1)       (batch, timesteps) booleans
        outputs = inputs * mask[..., None]                  padded steps become 0
    The mask rides on the output (as Embedding(mask_zero=True)'s does): LSTM, GRU,
    SimpleRNN and Bidirectional keep their state over masked steps,
    GlobalAveragePooling1D averages the real steps only, and the losses and metrics
    leave them out. No gradient reaches a masked step.

    >>> import baeum, numpy as np
    >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], np.float32)
    >>> baeum.layers.Masking()(x)._keras_mask.tolist()
    [[True, False, True]]
    """

    supports_masking = True   # an incoming mask is replaced by the one computed here
    makes_mask = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)
        self.input_spec = InputSpec(min_ndim=2)

    def compute_mask(self, inputs, mask=None):
        values = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        return np.any(values != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = self.compute_mask(inputs)
        # A constant factor: the gradient of a masked step is multiplied by 0.
        return inputs * keep[..., None].astype(inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
