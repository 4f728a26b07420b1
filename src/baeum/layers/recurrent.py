"""Recurrent layers: SimpleRNN, LSTM, GRU (Keras 3 names, arguments and weight layouts).

Each runs a whole sequence as one fused op (`baeum.ops.recurrent`):

    inputs (batch, timesteps, features) -> (batch, units)              by default
                                        -> (batch, timesteps, units)   return_sequences=True
    return_state=True: [output, h] (SimpleRNN, GRU) or [output, h, c] (LSTM)
    stateful=True: each call starts from the states the previous call ended with
    (`layer.states`; `layer.reset_state()` sets them to zeros; see `_Stateful`)

Weights (G gates: 1 SimpleRNN, 4 LSTM (i, f, c, o), 3 GRU (z, r, h)):
kernel (features, G*units), recurrent_kernel (units, G*units), bias (G*units,)
or, for GRU with reset_after=True, (2, 3*units) (input and recurrent biases).
"""

import numpy as np

from baeum import activations, backend, regularizers
from baeum import functional as F
from baeum.autograd.tensor import Tensor
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.layers.weight_settings import set_weight_settings, weight_settings_config

#: How many stateful layers were made: while none, predict need not look for them.
stateful_layers_made = [0]


class _Stateful:
    """stateful=True (Keras's): each call starts from the states the previous one ended
    with, sample i of a batch continuing sample i of the previous batch.

    `states` holds them: None until the batch size is known (at build, from
    Input(batch_shape=...) or batch_size=, else at the first call), then zeros, then each
    call's final states, as values (no gradient flows back into the previous batch, as in
    Keras). Every batch must then have that many samples. An initial_state given to a
    call wins over them. `reset_state()` sets them back to zeros. The states are not
    weights: they are neither trained nor saved.
    """

    states = None

    def reset_state(self):
        """Set the kept states back to zeros (stateful=True; nothing to do otherwise)."""
        if self.states is not None:
            self.states = [Tensor(np.zeros_like(s.data)) for s in self.states]

    def reset_states(self):
        """Keras's older name of reset_state()."""
        self.reset_state()

    def _start_states(self, batch):
        """The states to start from at build, for `batch` samples (None: not known yet)."""
        if batch is not None:
            self.states = self._first_states(batch)

    def _kept_states(self, batch):
        """The states this call starts from: the kept ones, checked against its batch."""
        if self.states is None:
            self.states = self._first_states(batch)
        kept = self.states[0].shape[0]
        if kept != batch:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' is stateful (stateful=True): it keeps "
                f"the states of a batch of {kept} samples, one per sample index, but got a "
                f"batch of {batch}. Every batch of a stateful RNN must have the same batch "
                f"size: fix it with Input(batch_shape=({kept}, ...)) or batch_size={kept}, "
                f"and give fit/predict a number of samples that is a multiple of it, with "
                f"batch_size={kept} (and shuffle=False)"
            )
        return self.states

    def _keep(self, states):
        """Keep the final states, as values cut from the graph, for the next call."""
        self.states = [Tensor(np.array(s.data)) for s in states]


class _RNN(_Stateful, Layer):
    """What SimpleRNN, LSTM and GRU share: config, weights, dropout, states, outputs."""

    n_gates = 1
    n_states = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{kind} units must be a positive integer, got {units!r}")
        if not 0 <= dropout < 1:
            raise ValueError(f"{kind} dropout must be in [0, 1), got {dropout}")
        if recurrent_dropout != 0:
            raise NotImplementedError(
                f"{kind}: recurrent_dropout is not supported (the fused op has no per-step "
                f"mask), got recurrent_dropout={recurrent_dropout}; use dropout= (on the "
                "inputs) or a Dropout layer"
            )
        self.units = int(units)
        self.activation = _activation_name(kind, "activation", activation)
        self.recurrent_activation = _activation_name(kind, "recurrent_activation",
                                                     recurrent_activation)
        self.use_bias = bool(use_bias)
        set_weight_settings(
            self, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.dropout = float(dropout)
        self.recurrent_dropout = 0.0
        self.seed = seed
        # seed: this layer's own stream for its dropout masks (as Keras's seed=)
        self._generator = None if seed is None else np.random.default_rng(seed)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.states = None  # stateful: the states the last call ended with (see _Stateful)
        stateful_layers_made[0] += self.stateful
        self.unroll = bool(unroll)  # accepted for Keras compatibility; the op always loops
        self.input_spec = InputSpec(ndim=3)

    # --- weights -----------------------------------------------------------------------
    def _bias_shape(self):
        return (self.n_gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the feature axis (last) of the input "
                f"shape {tuple(input_shape)} must be known"
            )
        width = self.n_gates * self.units
        self.kernel = self.add_weight("kernel", (features, width), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, width),
                                                self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = (self.add_weight("bias", self._bias_shape(), self._bias_init(),
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=3, axes={-1: features})
        if getattr(self, "stateful", False):  # (the cells build with this, too)
            self._start_states(input_shape[0])

    def _first_states(self, batch):
        return [Tensor(np.zeros((batch, self.units), self.dtype))
                for _ in range(self.n_states)]

    # --- calling -----------------------------------------------------------------------
    def call(self, inputs, initial_state=None, mask=None, training=None, _all_states=False):
        """mask: (batch, timesteps) booleans (from Embedding(mask_zero=True), or given);
        on a False step a sample keeps its states and repeats its previous output, as in
        Keras, so padding at either end does not change the result.
        (_all_states: the stateful call's, which needs the final states.)"""
        if self.stateful and not _all_states:
            return self._stateful_call(inputs, initial_state, mask, training)
        states = self._initial_states(initial_state, inputs)
        x = inputs
        if mask is not None:
            mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(bool)
            if mask.shape != tuple(inputs.shape[:2]):
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': the mask must have shape (batch, "
                    f"timesteps) = {tuple(inputs.shape[:2])}, got {mask.shape}"
                )
        if self.go_backwards:
            x = x[:, ::-1]
            mask = None if mask is None else mask[:, ::-1]
        if training and self.dropout:
            # One mask per sequence, the same at every timestep (as Keras's RNN cells).
            n, _, d = x.shape
            x = x * F.dropout(Tensor(np.ones((n, 1, d), x.dtype)), self.dropout, training=True,
                              generator=self._generator)
        outputs, *last = self._run(x, *states, mask=mask)
        out = outputs if self.return_sequences else last[0]
        if mask is not None and states[0] is not None:
            out = _zero_before_first_step(out, mask, self.return_sequences)
        return [out, *last] if self.return_state or _all_states else out

    def _stateful_call(self, inputs, initial_state, mask, training):
        if initial_state is None:
            initial_state = self._kept_states(inputs.shape[0])
        out, *last = self.call(inputs, initial_state, mask, training, _all_states=True)
        self._keep(last)
        return [out, *last] if self.return_state else out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def _initial_states(self, initial_state, inputs):
        kind = type(self).__name__
        if initial_state is None:
            return [None] * self.n_states
        if isinstance(initial_state, (Tensor, np.ndarray)):
            initial_state = [initial_state]
        if len(initial_state) != self.n_states:
            what = "[h0, c0]" if self.n_states == 2 else "[h0]"
            raise ValueError(
                f"{kind} '{self.name}' expects initial_state={what} ({self.n_states} "
                f"state(s) of shape (batch, {self.units})), got {len(initial_state)}"
            )
        states = []
        for s in initial_state:
            s = s if isinstance(s, Tensor) else Tensor(np.asarray(s))
            if s.dtype != inputs.dtype and s.dtype.kind == "f":
                s = s.astype(inputs.dtype)
            if s.shape != (inputs.shape[0], self.units):
                raise ValueError(
                    f"{kind} '{self.name}': each initial state must have shape (batch, units) "
                    f"= ({inputs.shape[0]}, {self.units}), got {s.shape}"
                )
            states.append(s)
        return states

    def compute_output_shape(self, input_shape):
        n, t = input_shape[0], input_shape[1]
        out = (n, t, self.units) if self.return_sequences else (n, self.units)
        if not self.return_state:
            return out
        return [out] + [(n, self.units)] * self.n_states

    # --- config ------------------------------------------------------------------------
    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation,
            "use_bias": self.use_bias,
            **weight_settings_config(self),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
        }


class SimpleRNN(_RNN):
    """h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias).

    Parameters: features*units + units*units + units.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.SimpleRNN(5)
    >>> layer(np.ones((2, 7, 5), np.float32)).shape
    (2, 5)
    >>> layer.count_params()   # 5*5 + 5*5 + 5
    55
    """

    def __init__(self, units, activation="tanh", **kwargs):
        if "recurrent_activation" in kwargs:
            raise TypeError("SimpleRNN has no recurrent_activation argument")
        super().__init__(units, activation=activation, **kwargs)
        if self.activation not in ("tanh", "relu", "sigmoid", "linear"):
            raise NotImplementedError(
                f"SimpleRNN supports activation 'tanh', 'relu', 'sigmoid' or None (linear), "
                f"got {self.activation!r}"
            )

    def _run(self, x, h0, mask=None):
        return F.simple_rnn(x, self.kernel, self.recurrent_kernel, self.bias, h0,
                            activation=self.activation, mask=mask)


class LSTM(_RNN):
    """Long short-term memory (Hochreiter and Schmidhuber, 1997), Keras's formulation.

    Gates i, f, c, o (in that column order): a = x_t K + h R + b;
    i, f, o = sigmoid(a_i, a_f, a_o); c_t = f c + i tanh(a_c); h_t = o tanh(c_t).
    unit_forget_bias=True starts the forget gate's bias at 1 (remember by default).
    Parameters: 4 * (features*units + units*units + units).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.LSTM(5, return_state=True)
    >>> out, h, c = layer(np.ones((2, 7, 5), np.float32))
    >>> out.shape, h.shape, c.shape, layer.count_params()
    ((2, 5), (2, 5), (2, 5), 220)
    """

    n_gates = 4
    n_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, use_cudnn="auto", **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        _fused_only("LSTM", self.activation, self.recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.use_cudnn = use_cudnn  # accepted for Keras compatibility; there is no GPU here

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, units = self.bias_initializer, self.units

        def bias_with_forget_ones(shape, dtype=None):
            dtype = dtype or backend.floatx
            return np.concatenate([
                np.asarray(init((units,), dtype=dtype), dtype),
                np.ones((units,), dtype),
                np.asarray(init((2 * units,), dtype=dtype), dtype),
            ])

        return bias_with_forget_ones

    def _run(self, x, h0, c0, mask=None):
        return F.lstm(x, self.kernel, self.recurrent_kernel, self.bias, h0, c0, mask=mask)

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation,
                "unit_forget_bias": self.unit_forget_bias, "use_cudnn": self.use_cudnn}


class GRU(_RNN):
    """Gated recurrent unit (Cho et al., 2014), Keras's formulation.

    Gates z, r, h (in that column order): z, r = sigmoid(...);
    hh = tanh(x K_h + b_in_h + r * (h R_h + b_rec_h)) (reset_after=True, Keras 3's and
    cuDNN's default; reset_after=False applies r before the matmul: (r * h) R_h);
    h_t = z h_{t-1} + (1 - z) hh.
    Parameters: 3 * (features*units + units*units + units) + (3*units if reset_after).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.GRU(5)
    >>> layer(np.ones((2, 7, 5), np.float32)).shape, layer.count_params()
    ((2, 5), 180)
    """

    n_gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, use_cudnn="auto", **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        _fused_only("GRU", self.activation, self.recurrent_activation)
        self.reset_after = bool(reset_after)
        self.use_cudnn = use_cudnn

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _run(self, x, h0, mask=None):
        return F.gru(x, self.kernel, self.recurrent_kernel, self.bias, h0,
                     reset_after=self.reset_after, mask=mask)

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation,
                "reset_after": self.reset_after, "use_cudnn": self.use_cudnn}


def _activation_name(kind, arg, activation):
    """The activation's registered name ("tanh", ..., "linear" for None)."""
    fn = activations.get(activation)
    try:
        return activations.serialize(fn)
    except ValueError:
        raise NotImplementedError(
            f"{kind} {arg} must be a built-in activation name, got {activation!r}"
        ) from None


def _fused_only(kind, activation, recurrent_activation):
    if activation != "tanh" or recurrent_activation != "sigmoid":
        raise NotImplementedError(
            f"{kind} supports activation='tanh' with recurrent_activation='sigmoid' only (the "
            f"fused op's formulas), got activation={activation!r}, "
            f"recurrent_activation={recurrent_activation!r}; for other activations use "
            f"layers.RNN(layers.{kind}Cell(units, activation=..., recurrent_activation=...)), "
            "the same layer step by step"
        )


def _zero_before_first_step(out, mask, sequences):
    """Keras outputs zeros until a sample's first real step; the fused ops repeat the state
    there, which is the initial state when one is given. out (N, T, U) or (N, U); mask
    (N, T) in processing order."""
    started = np.logical_or.accumulate(mask, axis=1)
    if started.all():
        return out
    keep = started[:, :, None] if sequences else started[:, -1:]
    return out * keep.astype(out.dtype)

