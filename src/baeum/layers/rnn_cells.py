"""RNN cells and the generic `RNN` layer that runs one over a sequence (Keras 3's API).

A cell computes one time step; `RNN` loops over the steps in Python:

    cell(inputs_t, states, training=...) -> (output_t, new_states)
    inputs_t (batch, features); states: a list of (batch, size) tensors, one per state

    layer = RNN(LSTMCell(64))                     # the same results as LSTM(64)
    layer = RNN([LSTMCell(64), LSTMCell(32)])     # a stack: StackedRNNCells

The built-in cells are written with ordinary differentiable ops (matmul, sigmoid,
tanh, slicing), so autograd backpropagates through time over the Python loop. They
have the weights of the fused layers in `baeum.layers.recurrent` (the same names,
shapes, layout and initializers), so `RNN(LSTMCell(u))` given `LSTM(u)`'s weights
gives the same outputs and gradients. The fused layers are several times faster;
the cells are for reading, for changing a formula, and for writing your own cell.

The cell protocol (Keras's), which a cell of your own follows too:
  - a Layer with `call(inputs, states)` (and optionally `training=`) returning
    `(output, new_states)`,
  - `state_size`: an int (one state (batch, n)) or a list with one entry per state
    (an int, or a shape tuple for a state of more axes: (u2, u3) -> (batch, u2, u3)),
  - optionally `output_size` (default: the first state's size) and
    `get_initial_state(batch_size)` (default: zeros).

    class MinimalRNNCell(baeum.layers.Layer):      # Keras's "Working with RNNs" guide
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units, self.state_size = units, units
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer="uniform",
                                                    name="recurrent_kernel")
        def call(self, inputs, states):
            output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
            return output, [output]
"""

import numpy as np

from baeum import activations
from baeum import functional as F
from baeum.autograd.tensor import Tensor
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.layers.recurrent import (
    _RNN,
    GRU,
    LSTM,
    _Stateful,
    stateful_layers_made,
)
from baeum.layers.symbolic import _flatten
from baeum.layers.weight_settings import set_weight_settings, weight_settings_config
from baeum.ops.elementwise import where
from baeum.ops.shaping import stack


# --- the cells ----------------------------------------------------------------------------
class _Cell(Layer):
    """What SimpleRNNCell, LSTMCell and GRUCell share: config, weights, dropout masks.

    The weights are built by the fused layers' own `build` (`_RNN.build`, with the same
    `n_gates`, `_bias_shape` and `_bias_init` hooks), from the settings their shared
    `set_weight_settings` stores, so both kinds are one definition.
    """

    n_gates = 1
    _bias_shape = _RNN._bias_shape
    _bias_init = _RNN._bias_init

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{kind} units must be a positive integer, got {units!r}")
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= rate < 1:
                raise ValueError(f"{kind} {arg} must be in [0, 1), got {rate}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_settings(
            self, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        # seed: the cell's own stream for its dropout masks (as Keras's seed=)
        self._generator = None if seed is None else np.random.default_rng(seed)
        self._dropout_mask = self._recurrent_dropout_mask = None
        self.state_size = self.units
        self.output_size = self.units
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        _RNN.build(self, input_shape)
        # ...which expects whole sequences; a cell takes one step (batch, features).
        self.input_spec = InputSpec(ndim=2, axes={-1: input_shape[-1]})

    def get_initial_state(self, batch_size=None):
        return _zero_states(self.state_size, batch_size, self.dtype)

    # --- dropout: one mask per sequence, drawn at its first step ------------------------
    # (Keras's DropoutRNNCell; RNN resets the masks before and after each sequence.)
    def get_dropout_mask(self, step_input):
        if self._dropout_mask is None or self._dropout_mask.shape != step_input.shape:
            self._dropout_mask = self._new_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input):
        if (self._recurrent_dropout_mask is None
                or self._recurrent_dropout_mask.shape != step_input.shape):
            self._recurrent_dropout_mask = self._new_mask(step_input, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def _new_mask(self, like, rate):
        ones = Tensor(np.ones(like.shape, like.dtype))
        return F.dropout(ones, rate, training=True, generator=self._generator)

    def _dropped(self, inputs, h, training):
        """The step's inputs and h_{t-1} with their dropout masks applied (in training)."""
        if training and self.dropout:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and self.recurrent_dropout:
            h = h * self.get_recurrent_dropout_mask(h)
        return inputs, h

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weight_settings_config(self),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class _GatedCell(_Cell):
    """LSTMCell and GRUCell: a recurrent_activation for the gates, too."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation)}


class SimpleRNNCell(_Cell):
    """One step of SimpleRNN: h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel).

    inputs (batch, features), states [h (batch, units)] -> (h_t, [h_t]).
    Weights as SimpleRNN's: kernel (features, units), recurrent_kernel (units, units),
    bias (units,). dropout masks x_t, recurrent_dropout masks h_{t-1} in the matmul.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.RNN(baeum.layers.SimpleRNNCell(5))
    >>> layer(np.ones((2, 7, 5), np.float32)).shape, layer.count_params()   # 25 + 25 + 5
    ((2, 5), 55)
    """

    def call(self, inputs, states, training=None):
        x, h = self._dropped(inputs, states[0], training)
        h = self.activation(F.linear(x, self.kernel, self.bias) + h @ self.recurrent_kernel)
        return h, [h]


class LSTMCell(_GatedCell):
    """One step of LSTM, Keras's formulation; gates i, f, c, o in that column order:

        a = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias          (batch, 4 units)
        i, f, o = recurrent_activation(a_i, a_f, a_o);  g = activation(a_c)
        c_t = f * c_{t-1} + i * g;   h_t = o * activation(c_t)

    inputs (batch, features), states [h, c] (each (batch, units)) -> (h_t, [h_t, c_t]).
    Weights as LSTM's: kernel (features, 4u), recurrent_kernel (u, 4u), bias (4u,);
    unit_forget_bias=True starts the forget gate's bias at 1.

    >>> import baeum, numpy as np
    >>> cell = baeum.layers.LSTMCell(5)
    >>> out, (h, c) = cell(np.ones((2, 5), np.float32), cell.get_initial_state(2))
    >>> out.shape, c.shape, cell.state_size, cell.count_params()
    ((2, 5), (2, 5), [5, 5], 220)
    """

    n_gates = 4
    _bias_init = LSTM._bias_init  # unit_forget_bias: the fused layer's initializer

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def call(self, inputs, states, training=None):
        h, c = states
        x, h = self._dropped(inputs, h, training)
        u, gate = self.units, self.recurrent_activation
        a = F.linear(x, self.kernel, self.bias) + h @ self.recurrent_kernel
        i, f, o = gate(a[:, :u]), gate(a[:, u:2 * u]), gate(a[:, 3 * u:])
        c = f * c + i * self.activation(a[:, 2 * u:3 * u])
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_GatedCell):
    """One step of GRU, Keras's formulation; gates z, r, h in that column order.

    reset_after=True (Keras 3's default), bias (2, 3u) = (input bias, recurrent bias):
        xw = x_t @ kernel + bias[0];   hw = h_{t-1} @ recurrent_kernel + bias[1]
        z, r = recurrent_activation(xw_z + hw_z, xw_r + hw_r)
        hh = activation(xw_h + r * hw_h)
    reset_after=False, bias (3u,): hh = activation(xw_h + (r * h_{t-1}) @ recurrent_kernel_h)
    h_t = z * h_{t-1} + (1 - z) * hh

    inputs (batch, features), states [h (batch, units)] -> (h_t, [h_t]).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.RNN(baeum.layers.GRUCell(5))
    >>> layer(np.ones((2, 7, 5), np.float32)).shape, layer.count_params()
    ((2, 5), 180)
    """

    n_gates = 3
    _bias_shape = GRU._bias_shape  # (2, 3u) with reset_after, as the fused layer's

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.reset_after = bool(reset_after)

    def call(self, inputs, states, training=None):
        h_prev = states[0]
        x, h = self._dropped(inputs, h_prev, training)
        u, gate, rk = self.units, self.recurrent_activation, self.recurrent_kernel
        b = self.bias
        if self.reset_after:
            b_in, b_rec = (None, None) if b is None else (b[0], b[1])
            xw = F.linear(x, self.kernel, b_in)
            hw = F.linear(h, rk, b_rec)
            z = gate(xw[:, :u] + hw[:, :u])
            r = gate(xw[:, u:2 * u] + hw[:, u:2 * u])
            hh = self.activation(xw[:, 2 * u:] + r * hw[:, 2 * u:])
        else:
            xw = F.linear(x, self.kernel, b)
            hw = h @ rk[:, :2 * u]
            z = gate(xw[:, :u] + hw[:, :u])
            r = gate(xw[:, u:2 * u] + hw[:, u:])
            hh = self.activation(xw[:, 2 * u:] + (r * h) @ rk[:, 2 * u:])
        h = z * h_prev + (1 - z) * hh
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


class StackedRNNCells(Layer):
    """Several cells as one: each step runs them in order, each one's output the next's input.

    states: one list per cell ([[h1, c1], [h2, c2]] for two LSTMCells); the output is the
    last cell's. `RNN([cell_1, cell_2])` makes one. A stack of two LSTMCells in one RNN
    computes what LSTM(return_sequences=True) followed by LSTM computes.

    >>> import baeum, numpy as np
    >>> cells = baeum.layers.StackedRNNCells([baeum.layers.LSTMCell(4),
    ...                                       baeum.layers.GRUCell(3)])
    >>> out = baeum.layers.RNN(cells)(np.ones((2, 7, 5), np.float32))
    >>> out.shape, cells.state_size, cells.output_size
    ((2, 3), [[4, 4], 3], 3)
    """

    def __init__(self, cells, **kwargs):
        cells = list(cells)
        if not cells:
            raise ValueError("StackedRNNCells needs a list of at least one cell, got []")
        for cell in cells:
            _check_cell(cell, "StackedRNNCells")
        kwargs.setdefault("dtype", cells[0].dtype)  # inputs are cast to the cells' dtype
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self):
        # A cell's tuple of sizes becomes a list: inside a list, a tuple is a state's shape.
        return [s if isinstance(s, (int, np.integer)) else list(s)
                for s in (c.state_size for c in self.cells)]

    @property
    def output_size(self):
        last = self.cells[-1]
        size = getattr(last, "output_size", None)
        if size is not None:
            return size
        first = _state_shapes(last.state_size)[0]  # Keras's default: the first state's
        return first[0] if len(first) == 1 else first

    def get_initial_state(self, batch_size=None):
        return [_initial_state(cell, batch_size) for cell in self.cells]

    def build(self, input_shape):
        batch = _flatten(input_shape, leaf=_is_shape)[0][0]
        for cell in self.cells:
            cell.build_from_shape(input_shape)
            shapes, single = _output_shapes(cell)
            if not single:
                raise ValueError(f"StackedRNNCells: cell '{cell.name}' has several outputs; "
                                 "only the last cell of a stack may")
            input_shape = (batch, *shapes[0])

    def call(self, inputs, states, training=None):
        new_states = []
        for cell, cell_states in zip(self.cells, states, strict=True):
            inputs, cell_states = _call_cell(cell, inputs, cell_states, training)
            new_states.append(cell_states)
        return inputs, new_states

    def reset_dropout_mask(self):
        _reset_dropout_masks(self.cells)

    def get_config(self):
        from baeum.saving.serialization import serialize_layer

        return {**super().get_config(), "cells": [serialize_layer(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config):
        from baeum.saving.serialization import deserialize_layer

        config = dict(config)
        return cls([deserialize_layer(c) for c in config.pop("cells")], **config)


# --- the layer --------------------------------------------------------------------------------
class RNN(_Stateful, Layer):
    """Runs a cell over every time step of a sequence: `RNN(LSTMCell(64))`.

    inputs (batch, timesteps, features) -> (batch, output_size)            by default
                                        -> (batch, timesteps, output_size) return_sequences
    return_state=True: [output, *last states] (the states flat: [output, h1, c1, h2, c2]
    for a stack of two LSTMCells). A list of cells is a StackedRNNCells.

    Each step: output_t, states = cell(x_t, states, training=training). Gradients come
    from autograd through the Python loop (backpropagation through time).

    mask (batch, timesteps) booleans (from Embedding(mask_zero=True), or mask=): on a
    False step a sample keeps its states and repeats its previous output (zeros before
    its first real step), as Keras's, so padding does not change the result.
    zero_output_for_mask=True: with return_sequences, masked steps output zeros instead.
    go_backwards: read the sequence from the end (the outputs in that processing order).
    initial_state: the cell's states to start from (default: the cell's
    get_initial_state, zeros). unroll: accepted; the loop is always unrolled.
    stateful=True: each call starts from the states the previous call ended with (the
    cell's initial states at first, zeros after reset_state()), as Keras's; see
    `baeum.layers.recurrent._Stateful`.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.RNN(baeum.layers.LSTMCell(5), return_sequences=True,
    ...                          return_state=True)
    >>> out, h, c = layer(np.ones((2, 7, 5), np.float32))
    >>> out.shape, h.shape, c.shape, layer.count_params()
    ((2, 7, 5), (2, 5), (2, 5), 220)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        _check_cell(cell, "RNN")
        kwargs.setdefault("dtype", cell.dtype)  # inputs are cast to the cell's dtype
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.states = None  # stateful: the states the last call ended with, flat
        stateful_layers_made[0] += self.stateful
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.input_spec = InputSpec(min_ndim=3)

    @property
    def state_size(self):
        return self.cell.state_size

    def get_initial_state(self, batch_size):
        """The cell's states to start from for `batch_size` samples (zeros by default)."""
        return _initial_state(self.cell, batch_size)

    def build(self, input_shape):
        # The cell sees one step: the time axis (1) removed from every input.
        step = _map_shapes(input_shape, lambda s: (s[0], *s[2:]))
        self.cell.build_from_shape(step)
        if _is_shape(input_shape):
            self.input_spec = InputSpec(ndim=len(input_shape), axes={-1: input_shape[-1]})
        if self.stateful:
            self._start_states(_flatten(input_shape, leaf=_is_shape)[0][0])

    def _first_states(self, batch):
        # Keras's: the cell's initial states at first (reset_state() sets zeros)
        return _flatten(self.get_initial_state(batch))

    def call(self, sequences, initial_state=None, mask=None, training=None):
        flat_inputs = _flatten(sequences)
        batch, steps = flat_inputs[0].shape[:2]
        if steps == 0 or any(x.shape[:2] != (batch, steps) for x in flat_inputs):
            raise ValueError(
                f"RNN '{self.name}' needs inputs (batch, timesteps, ...) with at least one "
                f"timestep, the same batch and timesteps for every input, got "
                f"{[x.shape for x in flat_inputs]}"
            )
        if self.stateful and initial_state is None:
            initial_state = self._kept_states(batch)
        states = self._initial_state(initial_state, batch, flat_inputs[0].dtype)
        keep = self._step_mask(mask, batch, steps)
        zero_masked = self.zero_output_for_mask and self.return_sequences
        _reset_dropout_masks([self.cell])  # fresh dropout masks for this sequence
        outputs, output = [], None
        for t in (range(steps - 1, -1, -1) if self.go_backwards else range(steps)):
            x_t = sequences[:, t] if isinstance(sequences, Tensor) else \
                [x[:, t] for x in flat_inputs]
            out_t, new_states = _call_cell(self.cell, x_t, states, training)
            if keep is not None and not keep[:, t].all():
                # Masked samples keep their states and their previous output.
                k = keep[:, t]
                previous = output if output is not None and not zero_masked else \
                    _zeros_like(out_t)
                out_t = _pack_like(out_t, [_select(k, a, b) for a, b in
                                           zip(_flatten(out_t), _flatten(previous))])
                new_states = _pack_like(states, [
                    _select(k, a, b) for a, b in zip(_flatten(new_states), _flatten(states))])
            output, states = out_t, new_states
            if self.return_sequences:
                outputs.append(output)
        _reset_dropout_masks([self.cell])  # a cell called on its own draws its own masks
        if self.stateful:
            self._keep(_flatten(states))
        if self.return_sequences:
            output = _pack_like(output, [stack(leaf, axis=1) for leaf in
                                         zip(*[_flatten(o) for o in outputs])])
        if not self.return_state:
            return output
        return [*_flatten(output), *_flatten(states)]

    def _initial_state(self, initial_state, batch, dtype):
        """The cell's states to start from: its default, or `initial_state` checked against
        the default's structure and shapes (given nested as the cell's states, or flat)."""
        default = self.get_initial_state(batch)
        if initial_state is None:
            return default
        expected = _flatten(default)
        given = _flatten(initial_state)
        if len(given) != len(expected):
            raise ValueError(
                f"RNN '{self.name}' expects initial_state with {len(expected)} state(s) of "
                f"shapes {[s.shape for s in expected]} (the state_size of its cell "
                f"'{self.cell.name}' is {self.cell.state_size}), got {len(given)}"
            )
        states = []
        for s, ref in zip(given, expected):
            s = s if isinstance(s, Tensor) else Tensor(np.asarray(s))
            if s.dtype != dtype and s.dtype.kind == "f":
                s = s.astype(dtype)
            if s.shape != ref.shape:
                raise ValueError(
                    f"RNN '{self.name}': initial_state has a state of shape {s.shape} where "
                    f"its cell '{self.cell.name}' has {ref.shape}"
                )
            states.append(s)
        return _pack_like(default, states)

    def _step_mask(self, mask, batch, steps):
        if isinstance(mask, (list, tuple)):  # nested inputs: the first input's mask
            mask = next((m for m in mask if m is not None), None)
        if mask is None:
            return None
        mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(bool)
        if mask.shape != (batch, steps):
            raise ValueError(
                f"RNN '{self.name}': the mask must have shape (batch, timesteps) = "
                f"{(batch, steps)}, got {mask.shape}"
            )
        return mask

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = next((m for m in mask if m is not None), None)
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape):
        first = _flatten(input_shape, leaf=_is_shape)[0]
        batch, steps = first[0], first[1]
        shapes, single = _output_shapes(self.cell)
        time = (steps,) if self.return_sequences else ()
        outs = [(batch, *time, *s) for s in shapes]
        if not self.return_state:
            return outs[0] if single else outs
        return [*outs, *[(batch, *s) for s in _state_shapes(self.cell.state_size)]]

    def get_config(self):
        from baeum.saving.serialization import serialize_layer

        return {
            **super().get_config(),
            "cell": serialize_layer(self.cell),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }

    @classmethod
    def from_config(cls, config):
        from baeum.saving.serialization import deserialize_layer

        config = dict(config)
        return cls(deserialize_layer(config.pop("cell")), **config)


# --- the cell protocol's helpers ------------------------------------------------------------
def _check_cell(cell, owner):
    if not isinstance(cell, Layer):
        raise TypeError(f"{owner} needs an RNN cell, a Layer with call(inputs, states) and a "
                        f"state_size, got {type(cell).__name__}: {cell!r}")
    if type(cell).call is Layer.call:
        raise ValueError(f"{owner}: the cell '{cell.name}' ({type(cell).__name__}) has no "
                         "call(inputs, states) method returning (output, new_states)")
    size = getattr(cell, "state_size", None)
    if size is None:
        raise ValueError(
            f"{owner}: the cell '{cell.name}' ({type(cell).__name__}) has no state_size. "
            "An RNN cell says what states it carries: set self.state_size in its __init__ "
            "(an int for one state of that size, or a list with one size per state, e.g. "
            "[units, units] for an LSTM-like cell)"
        )
    try:
        _state_shapes(size)
    except TypeError:
        raise ValueError(f"{owner}: the state_size of cell '{cell.name}' must be an int or a "
                         f"list of ints (one per state), got {size!r}") from None


def _state_shapes(state_size):
    """Each state's shape without the batch axis, flat: 5 -> [(5,)]; [5, 5] -> [(5,), (5,)];
    [(2, 3)] -> [(2, 3)] (a shape tuple inside a list); [[4, 4], 3] (a stack's) ->
    [(4,), (4,), (3,)]."""
    if isinstance(state_size, (int, np.integer)):
        return [(int(state_size),)]
    if not isinstance(state_size, (list, tuple)):
        raise TypeError(f"bad state_size {state_size!r}")
    shapes = []
    for entry in state_size:
        if isinstance(entry, (int, np.integer)):
            shapes.append((int(entry),))
        elif isinstance(entry, tuple) and all(isinstance(d, (int, np.integer)) for d in entry):
            shapes.append(tuple(int(d) for d in entry))
        else:
            shapes.extend(_state_shapes(entry))
    return shapes


def _output_shapes(cell):
    """([each output's shape without the batch axis], whether there is one output)."""
    size = getattr(cell, "output_size", None)
    if size is None:
        return [_state_shapes(cell.state_size)[0]], True
    if isinstance(size, (int, np.integer)):
        return [(int(size),)], True
    if isinstance(size, tuple) and all(isinstance(d, (int, np.integer)) for d in size):
        return [tuple(size)], True
    return _state_shapes(list(size)), False  # several outputs (Keras's NestedCell)


def _zero_states(state_size, batch_size, dtype):
    return [Tensor(np.zeros((batch_size, *shape), dtype)) for shape in
            _state_shapes(state_size)]


def _initial_state(cell, batch_size):
    """The cell's get_initial_state(batch_size) as a list of Tensors, else zeros."""
    make = getattr(cell, "get_initial_state", None)
    if make is None:
        return _zero_states(cell.state_size, batch_size, cell.dtype)
    states = make(batch_size=batch_size)
    states = list(states) if isinstance(states, (list, tuple)) else [states]
    return _pack_like(states, [s if isinstance(s, Tensor) else Tensor(np.asarray(s))
                               for s in _flatten(states)])


def _call_cell(cell, inputs, states, training):
    """(output, new_states as a list): a cell may return a bare state for a single one."""
    output, new_states = cell(inputs, states, training=training)
    new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
    if len(_flatten(new_states)) != len(_flatten(states)):
        raise ValueError(
            f"the RNN cell '{cell.name}' returned {len(_flatten(new_states))} state(s), but "
            f"it was given {len(_flatten(states))} (its state_size is {cell.state_size})"
        )
    return output, new_states


def _reset_dropout_masks(cells):
    for cell in cells:
        for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
            if hasattr(cell, reset):
                getattr(cell, reset)()


def _select(keep, new, old):
    """new where keep (batch,) is True, else old: per sample, over all other axes."""
    return where(keep.reshape(-1, *[1] * (new.ndim - 1)), new, old)


def _zeros_like(structure):
    return _pack_like(structure, [Tensor(np.zeros(t.shape, t.dtype))
                                  for t in _flatten(structure)])


def _pack_like(structure, flat):
    """The values of `flat` in the nesting of `structure` (lists; a bare leaf stays one)."""
    values = iter(flat)

    def pack(s):
        return [pack(v) for v in s] if isinstance(s, (list, tuple)) else next(values)

    return pack(structure)


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer))
                                        for d in s)


def _map_shapes(shapes, fn):
    if _is_shape(shapes):
        return fn(shapes)
    return [_map_shapes(s, fn) for s in shapes]
