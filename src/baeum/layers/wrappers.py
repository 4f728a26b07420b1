"""Wrappers: Bidirectional, a recurrent layer run over the sequence both ways, outputs
merged; TimeDistributed, a layer applied to every timestep of a sequence.

    model = Sequential([
        Input(shape=(None,), dtype="int64"), Embedding(20000, 64),
        Bidirectional(LSTM(64)),            # (None, 128): forward and backward, concatenated
        Dense(1, activation="sigmoid"),
    ])

The wrapped layer is the template for two fresh copies: `forward_layer`, and
`backward_layer` with go_backwards flipped. The backward layer reads the sequence from
the end; with return_sequences its outputs are put back in time order before merging,
so step t of the result sees the whole sequence around t.
"""

import numpy as np

from baeum.layers.layer import Layer
from baeum.ops import shaping as shape_ops

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """merge_mode: "concat" (default), "sum", "mul", "ave", or None for [forward, backward].
    With return_state=True the states follow the merged output: forward's, then backward's
    ([out, h_f, c_f, h_b, c_b] for an LSTM)."""

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not _is_recurrent(layer):
            raise ValueError(
                "Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU or RNN(cell)), "
                f"got {type(layer).__name__}"
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional merge_mode must be one of {list(MERGE_MODES)}, "
                             f"got {merge_mode!r}")
        kwargs.setdefault("dtype", layer.dtype)  # inputs are cast to the wrapped layer's
        super().__init__(**kwargs)
        self.merge_mode = merge_mode
        self.forward_layer = _copy(layer, "forward_" + layer.name, layer.go_backwards)
        if backward_layer is None:
            self.backward_layer = _copy(layer, "backward_" + layer.name, not layer.go_backwards)
            self._custom_backward = False
        else:
            if not _is_recurrent(backward_layer) or backward_layer.go_backwards == \
                    layer.go_backwards:
                raise ValueError(
                    "Bidirectional backward_layer must be a recurrent layer with go_backwards "
                    "opposite to the forward layer's"
                )
            for attr in ("return_sequences", "return_state"):
                if getattr(backward_layer, attr) != getattr(layer, attr):
                    raise ValueError(f"Bidirectional: forward and backward layers must have "
                                     f"the same {attr}")
            self.backward_layer = backward_layer
            self._custom_backward = True
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def build(self, input_shape):
        self.forward_layer.build_from_shape(input_shape)
        self.backward_layer.build_from_shape(input_shape)

    def call(self, inputs, training=None, mask=None):
        forward = self.forward_layer(inputs, training=training, mask=mask)
        backward = self.backward_layer(inputs, training=training, mask=mask)
        states = []
        if self.return_state:
            forward, *forward_states = forward
            backward, *backward_states = backward
            states = forward_states + backward_states
        if self.return_sequences:
            backward = backward[:, ::-1]   # back in time order
            if mask is not None:  # as Keras: masked steps output zeros in both directions
                keep = np.asarray(mask, forward.dtype)[:, :, None]
                forward, backward = forward * keep, backward * keep
        if self.merge_mode is None:
            return [forward, backward, *states]
        if self.merge_mode == "concat":
            out = shape_ops.concatenate([forward, backward], axis=-1)
        elif self.merge_mode == "sum":
            out = forward + backward
        elif self.merge_mode == "mul":
            out = forward * backward
        else:
            out = (forward + backward) * 0.5
        return [out, *states] if states else out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape):
        shapes = self.forward_layer.compute_output_shape(input_shape)
        out, states = (shapes[0], list(shapes[1:])) if self.return_state else (shapes, [])
        if self.merge_mode is None:
            return [out, out, *states, *states]
        if self.merge_mode == "concat":
            out = (*out[:-1], 2 * out[-1])
        return [out, *states, *states] if self.return_state else out

    def get_config(self):
        from baeum.saving.serialization import serialize_layer

        template = self.forward_layer.get_config()
        template["name"] = template["name"].removeprefix("forward_")
        config = {**super().get_config(), "merge_mode": self.merge_mode,
                  "layer": {"class_name": type(self.forward_layer).__name__,
                            "config": template}}
        if self._custom_backward:
            config["backward_layer"] = serialize_layer(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config):
        from baeum.saving.serialization import deserialize_layer

        config = dict(config)
        layer = deserialize_layer(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize_layer(backward)
        return cls(layer, backward_layer=backward, **config)


def _is_recurrent(layer):
    from baeum.layers.recurrent import _RNN
    from baeum.layers.rnn_cells import RNN

    return isinstance(layer, (_RNN, RNN))


def _copy(layer, name, go_backwards):
    """A fresh layer with `layer`'s config, another name and direction (no weights yet)."""
    config = {**layer.get_config(), "name": name, "go_backwards": go_backwards}
    return type(layer).from_config(config)


class TimeDistributed(Layer):
    """The same layer on every timestep: (batch, timesteps, ...) -> (batch, timesteps, ...').

    The steps are folded into the batch, (batch * timesteps, ...), for one call of the
    wrapped layer (one set of weights for all steps), and unfolded after:

        TimeDistributed(Conv2D(8, 3))      # (batch, frames, 28, 28, 1) -> (.., 26, 26, 8)
    """

    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed wraps a layer, got {type(layer).__name__}: "
                             f"{layer!r}")
        kwargs.setdefault("dtype", layer.dtype)
        super().__init__(**kwargs)
        self.layer = layer

    def _check(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed '{self.name}' needs inputs (batch, timesteps, ...) of rank "
                f">= 3, got shape {tuple(input_shape)}"
            )

    def build(self, input_shape):
        self._check(input_shape)
        self.layer.build_from_shape((None, *input_shape[2:]))

    def call(self, inputs, training=None):
        self._check(inputs.shape)
        n, t = inputs.shape[:2]
        folded = inputs.reshape(n * t, *inputs.shape[2:])
        out = self.layer(folded, training=training)
        return out.reshape(n, t, *out.shape[1:])

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        inner = self.layer.compute_output_shape((None, *input_shape[2:]))
        if inner is None:
            return None
        return (input_shape[0], input_shape[1], *inner[1:])

    def get_config(self):
        from baeum.saving.serialization import serialize_layer

        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config):
        from baeum.saving.serialization import deserialize_layer

        config = dict(config)
        return cls(deserialize_layer(config.pop("layer")), **config)
