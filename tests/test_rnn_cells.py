"""RNN cells and the generic RNN layer: harness runs with Keras parameter counts; cell by
cell against the fused layers and torch.nn.RNN / LSTM / GRU (outputs, last states, input,
state and weight gradients under a random upstream gradient, float64); masks; stacks;
a cell of one's own (Keras's guide) that trains, saves and loads; errors."""

import doctest

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Input
from baeum.models import Model, Sequential, load_model
from layer_harness import run_layer_test
from oracle import requires_torch, torch
from test_recurrent_layers import D, N, T, U, _copy_weights, _torch_grads, _torch_module

CELLS = {"SimpleRNN": layers.SimpleRNNCell, "LSTM": layers.LSTMCell, "GRU": layers.GRUCell}


def _pair(kind, dtype="float64", **kwargs):
    """A fused layer and RNN(its cell) with the same (random) weights."""
    fused = getattr(layers, kind)(U, dtype=dtype, bias_initializer="random_normal", **kwargs)
    flags = {k: kwargs.pop(k) for k in list(kwargs)
             if k in ("return_sequences", "return_state", "go_backwards")}
    cell = CELLS[kind](U, dtype=dtype, **kwargs)
    looped = layers.RNN(cell, **flags)
    fused.build((None, T, D))
    looped.build((None, T, D))
    looped.set_weights(fused.get_weights())
    return fused, looped


def _run(layer, x, states=None, mask=None, seed=0):
    """Outputs of layer(x) and the gradients of sum(outputs * random) w.r.t. the input, the
    initial states and the weights."""
    xb = baeum.tensor(x, requires_grad=True)
    sb = None if states is None else [baeum.tensor(s, requires_grad=True) for s in states]
    for w in layer.weights:
        w.grad = None
    outs = layer(xb, initial_state=sb, mask=mask)
    outs = outs if isinstance(outs, list) else [outs]
    total = 0
    for i, o in enumerate(outs):
        total = total + (o * baeum.tensor(np.random.default_rng(seed + i)
                                          .standard_normal(o.shape))).sum()
    total.backward()
    grads = [xb.grad.data] + ([] if sb is None else [s.grad.data for s in sb])
    return [o.data for o in outs], grads, [w.grad.data for w in layer.weights]


def _assert_all_close(a, b, rtol=1e-10, atol=1e-12):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=rtol, atol=atol)


# --- harness and Keras parameter counts -------------------------------------------------------
@pytest.mark.parametrize("make, out_shape, n_weights, params", [
    (lambda: layers.SimpleRNNCell(5), (2, 5), 3, 55),
    (lambda: layers.SimpleRNNCell(3, activation="relu", use_bias=False), (2, 3), 2, 24),
    (lambda: layers.LSTMCell(5), (2, 5), 3, 220),
    (lambda: layers.LSTMCell(3, unit_forget_bias=False, dropout=0.5, recurrent_dropout=0.3,
                             kernel_regularizer="l2"), (2, 3), 3, 4 * (15 + 9 + 3)),
    (lambda: layers.GRUCell(5), (2, 5), 3, 180),
    (lambda: layers.GRUCell(5, reset_after=False), (2, 5), 3, 165),
    (lambda: layers.StackedRNNCells([layers.LSTMCell(4), layers.GRUCell(3)]), (2, 3), 6,
     4 * (20 + 16 + 4) + 3 * (4 + 3 + 2) * 3),
])
def test_rnn_harness_with_each_cell(make, out_shape, n_weights, params):
    run_layer_test(layers.RNN, {"cell": make()}, (2, 7, 5), out_shape, n_weights, 0, params)


@pytest.mark.parametrize("kwargs, shapes", [
    ({"return_sequences": True}, (2, 7, 4)),
    ({"return_state": True}, [(2, 4), (2, 4), (2, 4)]),
    ({"return_sequences": True, "return_state": True, "go_backwards": True,
      "zero_output_for_mask": True}, [(2, 7, 4), (2, 4), (2, 4)]),
])
def test_rnn_harness_flags(kwargs, shapes):
    run_layer_test(layers.RNN, {"cell": layers.LSTMCell(4), **kwargs}, (2, 7, 5), shapes, 3, 0)


def test_cells_have_the_fused_layers_weights_and_keras_protocol():
    for kind, cls in CELLS.items():
        fused, cell = getattr(layers, kind)(U), cls(U)
        fused.build((None, T, D))
        cell.build((None, D))
        assert [w.shape for w in cell.weights] == [w.shape for w in fused.weights]
        assert [w.name for w in cell.weights] == [f"{cell.name}/{n}" for n in
                                                  ("kernel", "recurrent_kernel", "bias")]
        assert cell.output_size == U
        assert [s.shape for s in cell.get_initial_state(3)] == [(3, U)] * fused.n_states
    assert layers.LSTMCell(U).state_size == [U, U] and layers.GRUCell(U).state_size == U
    assert layers.LSTMCell(U).name.startswith("lstm_cell")
    assert layers.RNN(layers.GRUCell(U)).name.startswith("rnn")
    lstm = layers.LSTMCell(U)
    lstm.build((None, D))          # unit_forget_bias: the forget gate's bias starts at 1
    np.testing.assert_array_equal(lstm.bias.data, np.r_[np.zeros(U), np.ones(U),
                                                        np.zeros(2 * U)])


def test_cell_called_on_its_own_takes_one_step(rng):
    cell = layers.GRUCell(U, dtype="float64")
    x = rng.standard_normal((N, D))
    h0 = [rng.standard_normal((N, U))]
    out, states = cell(x, h0)
    assert out.shape == (N, U) and len(states) == 1
    # ... the step RNN takes: a one-step sequence gives the same.
    np.testing.assert_allclose(layers.RNN(cell)(x[:, None], initial_state=h0).data, out.data)


# --- against the fused layers and torch -------------------------------------------------------
@pytest.mark.parametrize("kind, kwargs", [
    ("SimpleRNN", {}), ("SimpleRNN", {"use_bias": False}),
    ("SimpleRNN", {"activation": "relu"}),
    ("LSTM", {}), ("LSTM", {"use_bias": False}),
    ("GRU", {}), ("GRU", {"reset_after": False}), ("GRU", {"use_bias": False}),
])
@pytest.mark.parametrize("flags", [
    {"return_sequences": True, "return_state": True},
    {"return_state": True, "go_backwards": True},
])
def test_rnn_of_cell_equals_the_fused_layer(kind, kwargs, flags, rng):
    fused, looped = _pair(kind, **kwargs, **flags)
    x = rng.standard_normal((N, T, D))
    states = [rng.standard_normal((N, U)) for _ in range(fused.n_states)]
    want, got = _run(fused, x, states), _run(looped, x, states)
    for a, b in zip(got, want):
        _assert_all_close(a, b)


@requires_torch
@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_rnn_of_cell_matches_torch(kind, return_sequences, rng):
    # The weights go to torch through the fused layer's mapping (test_recurrent_layers).
    fused, looped = _pair(kind, return_sequences=return_sequences, return_state=True)
    module = _torch_module(kind, True)
    _copy_weights(fused, module)
    x = rng.standard_normal((N, T, D))
    states = [rng.standard_normal((N, U)) for _ in range(fused.n_states)]
    outs, input_grads, weight_grads = _run(looped, x, states)

    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s[None], requires_grad=True) for s in states]
    seq, last = module(xt, st[0] if kind != "LSTM" else tuple(st))
    last = [last] if kind != "LSTM" else list(last)
    t_outs = [seq if return_sequences else seq[:, -1]] + [s[0] for s in last]
    total = 0
    for i, o in enumerate(t_outs):
        total = total + (o * torch.from_numpy(
            np.random.default_rng(i).standard_normal(o.shape))).sum()
    total.backward()
    _assert_all_close(outs, [o.detach().numpy() for o in t_outs], rtol=1e-7, atol=1e-10)
    _assert_all_close(input_grads, [xt.grad.numpy()] + [s.grad.numpy()[0] for s in st],
                      rtol=1e-7, atol=1e-10)
    _assert_all_close(weight_grads, _torch_grads(fused, module), rtol=1e-7, atol=1e-10)


def test_dropout_masks_are_the_fused_layers_for_the_same_seed(rng):
    # One input mask per sequence, drawn from the seed's stream as the fused layer draws it.
    fused, looped = _pair("LSTM", dropout=0.5, seed=4, return_sequences=True)
    x = rng.standard_normal((N, T, D))
    np.testing.assert_allclose(looped(x, training=True).data, fused(x, training=True).data,
                               rtol=1e-12)
    np.testing.assert_allclose(looped(x).data, fused(x).data, rtol=1e-12)  # inference: none


def test_recurrent_dropout_one_mask_per_sequence_only_in_training(rng):
    # Linear SimpleRNNCell, kernel 0, recurrent kernel I, h0 = 1: output_t = dropped(h0),
    # the same at every step, since the mask is drawn once per sequence.
    cell = layers.SimpleRNNCell(D, activation=None, recurrent_dropout=0.5, use_bias=False,
                                kernel_initializer="zeros", recurrent_initializer="identity",
                                dtype="float64")
    layer = layers.RNN(cell, return_sequences=True)
    x, h0 = np.zeros((64, T, D)), [np.ones((64, D))]
    np.testing.assert_array_equal(layer(x, initial_state=h0).data, 1)
    y = layer(x, initial_state=h0, training=True).data
    kept = y[:, 0] != 0
    assert 0.3 < kept.mean() < 0.7
    # step t multiplies by the mask t times: a kept unit is 2**t, a dropped one stays 0
    np.testing.assert_allclose(y, kept[:, None] * 2.0 ** np.arange(1, T + 1)[None, :, None])
    assert not np.array_equal(layer(x, initial_state=h0, training=True).data, y)  # new masks


# --- masks ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_right_padding_gives_the_unpadded_run(kind, rng):
    cell = CELLS[kind](U, dtype="float64")
    layer = layers.RNN(cell, return_state=True)
    lengths = [T, 2, 4]
    x = rng.standard_normal((N, T, D))
    mask = np.arange(T)[None, :] < np.array(lengths)[:, None]
    x[~mask] = 0.0
    padded = layer(x, mask=mask)
    for i, n in enumerate(lengths):
        alone = layer(x[i:i + 1, :n])
        for a, b in zip(padded, alone):
            np.testing.assert_allclose(a.data[i:i + 1], b.data, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_masks_with_holes_equal_the_fused_layer_gradients_included(kind, go_backwards, rng):
    fused, looped = _pair(kind, return_sequences=True, return_state=True,
                          go_backwards=go_backwards)
    x = rng.standard_normal((N, T, D))
    states = [rng.standard_normal((N, U)) for _ in range(fused.n_states)]
    mask = rng.random((N, T)) > 0.4
    mask[0] = False                      # all padding: outputs zeros, states stay initial
    mask[1, :3] = mask[1, -3:] = False   # leading padding (either way): zeros until a step
    mask[1, 3] = True
    for a, b in zip(_run(looped, x, states, mask), _run(fused, x, states, mask)):
        _assert_all_close(a, b)
    last_only = _pair(kind)
    for a, b in zip(_run(last_only[1], x, states, mask), _run(last_only[0], x, states, mask)):
        _assert_all_close(a, b)


def test_masked_steps_repeat_the_output_or_give_zeros(rng):
    x = rng.standard_normal((N, T, D))
    mask = np.ones((N, T), bool)
    mask[0, :2] = False                      # leading padding: zeros before the first step
    mask[1, 3:] = False                      # trailing padding: the last real output repeats
    cell = layers.GRUCell(U, dtype="float64")
    seq = layers.RNN(cell, return_sequences=True)(x, mask=mask).data
    np.testing.assert_array_equal(seq[0, :2], 0)
    np.testing.assert_array_equal(seq[1, 3:], np.repeat(seq[1, 2:3], T - 3, axis=0))
    zeroed = layers.RNN(cell, return_sequences=True, zero_output_for_mask=True)(x, mask=mask)
    np.testing.assert_array_equal(zeroed.data[~mask], 0)
    np.testing.assert_array_equal(zeroed.data[mask], seq[mask])
    # without return_sequences, the last output is the last real step's (Keras's docs)
    last = layers.RNN(cell, zero_output_for_mask=True)(x, mask=mask).data
    np.testing.assert_array_equal(last[1], seq[1, 2])


def test_embedding_mask_reaches_the_rnn_and_passes_on(rng):
    ids = rng.integers(1, 20, (N, T))
    ids[0, 3:] = 0
    model = Sequential([Input(shape=(T,), dtype="int64"), layers.Embedding(20, D, mask_zero=True),
                        layers.RNN(layers.LSTMCell(U), return_sequences=True),
                        layers.RNN(layers.GRUCell(U))])
    full = model(ids).data
    alone = model(ids[:1, :3]).data
    np.testing.assert_allclose(full[:1], alone, rtol=1e-5, atol=1e-6)


# --- stacks -----------------------------------------------------------------------------------
def test_stacked_lstm_cells_equal_two_stacked_lstm_layers(rng):
    first = layers.LSTM(U, return_sequences=True, return_state=True, dtype="float64",
                        bias_initializer="random_normal")
    second = layers.LSTM(U, return_state=True, dtype="float64",
                         bias_initializer="random_normal")
    first.build((None, T, D))
    second.build((None, T, U))
    stacked = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(U, dtype="float64"),
                                                 layers.LSTMCell(U, dtype="float64")]),
                         return_state=True)
    stacked.build((None, T, D))
    stacked.set_weights(first.get_weights() + second.get_weights())
    x = rng.standard_normal((N, T, D))
    states = [rng.standard_normal((N, U)) for _ in range(4)]

    xb = baeum.tensor(x, requires_grad=True)
    sb = [baeum.tensor(s, requires_grad=True) for s in states]
    seq, h1, c1 = first(xb, initial_state=sb[:2])
    out, h2, c2 = second(seq, initial_state=sb[2:])
    want = [out, h1, c1, h2, c2]
    total = sum((o * baeum.tensor(np.random.default_rng(i).standard_normal(o.shape))).sum()
                for i, o in enumerate(want))
    total.backward()
    # initial states flat here, nested (one list per cell) below; returned states come flat
    got = _run(stacked, x, states)
    _assert_all_close(got[0], [o.data for o in want])
    _assert_all_close(got[1], [xb.grad.data] + [s.grad.data for s in sb])
    _assert_all_close(got[2], [w.grad.data for w in first.weights + second.weights])
    nested = stacked(x, initial_state=[states[:2], states[2:]])
    _assert_all_close([o.data for o in nested], got[0])
    # A list of cells is a stack, as in Keras.
    assert isinstance(layers.RNN([layers.LSTMCell(2), layers.LSTMCell(3)]).cell,
                      layers.StackedRNNCells)


def test_stack_shapes_symbolic_and_config():
    cells = [layers.LSTMCell(4), layers.GRUCell(3)]
    layer = layers.RNN(cells, return_sequences=True, return_state=True)
    outs = layer(Input(shape=(None, 5)))
    assert [o.shape for o in outs] == [(None, None, 3), (None, 4), (None, 4), (None, 3)]
    assert layer.cell.state_size == [[4, 4], 3]
    config = layer.get_config()
    assert config["cell"]["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in config["cell"]["config"]["cells"]] == ["LSTMCell",
                                                                            "GRUCell"]
    clone = layers.RNN.from_config(config)
    assert clone.get_config() == config


# --- a cell of one's own (Keras's "Working with RNNs" guide) ----------------------------------
@baeum.saving.register_serializable(package="TestRNNCells")
class MinimalRNNCell(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = baeum.ops.matmul(inputs, self.kernel)
        output = h + baeum.ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_minimal_rnn_cell_trains_with_fit_and_round_trips(rng, tmp_path):
    # Sum of the sequence: a linear recurrence learns it.
    x = rng.uniform(-1, 1, (256, 6, 2)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None]
    model = Sequential([Input(shape=(None, 2)), layers.RNN(MinimalRNNCell(8)),
                        layers.Dense(1)])
    model.compile(baeum.optimizers.Adam(0.02), "mse")
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    assert model.layers[0].count_params() == 2 * 8 + 8 * 8
    model.save(tmp_path / "minimal.baeum")
    loaded = load_model(tmp_path / "minimal.baeum")
    assert type(loaded.layers[0].cell) is MinimalRNNCell
    np.testing.assert_array_equal(loaded.predict(x[:8], verbose=0),
                                  model.predict(x[:8], verbose=0))


def test_builtin_cells_save_and_load(rng, tmp_path):
    inp = Input(shape=(T, D))
    seq, h, c = layers.RNN(layers.LSTMCell(U), return_sequences=True, return_state=True)(inp)
    out = layers.RNN([layers.GRUCell(U, reset_after=False), layers.SimpleRNNCell(3)])(seq)
    model = Model(inp, [out, h])
    model.save(tmp_path / "cells.baeum")
    loaded = load_model(tmp_path / "cells.baeum")
    x = rng.standard_normal((N, T, D)).astype(np.float32)
    for a, b in zip(loaded.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_array_equal(a, b)


class NestedCell(layers.Layer):
    """The guide's NestedCell: two inputs per step, states of shapes (u1,) and (u2, u3)
    (shape tuples in a list), two outputs. (tf.einsum "bij,ijkl->bkl" as a reshape and a
    matmul.)"""

    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        super().__init__(**kwargs)
        self.unit_1, self.unit_2, self.unit_3 = unit_1, unit_2, unit_3
        self.state_size = [(unit_1,), (unit_2, unit_3)]
        self.output_size = [(unit_1,), (unit_2, unit_3)]

    def build(self, input_shapes):
        i1, (i2, i3) = input_shapes[0][1], input_shapes[1][1:]
        self.kernel_1 = self.add_weight(shape=(i1, self.unit_1), initializer="uniform",
                                        name="kernel_1")
        self.kernel_2_3 = self.add_weight(shape=(i2 * i3, self.unit_2 * self.unit_3),
                                          initializer="uniform", name="kernel_2_3")

    def call(self, inputs, states):
        input_1, input_2 = inputs
        s1, s2 = states
        output_1 = input_1 @ self.kernel_1
        output_2_3 = (input_2.reshape(input_2.shape[0], -1) @ self.kernel_2_3).reshape(
            -1, self.unit_2, self.unit_3)
        return (output_1, output_2_3), (s1 + output_1, s2 + output_2_3)


def test_nested_inputs_states_and_outputs(rng):
    in_1, in_2 = Input((None, 3)), Input((None, 4, 2))
    outputs = layers.RNN(NestedCell(2, 3, 5))((in_1, in_2))
    assert [o.shape for o in outputs] == [(None, 2), (None, 3, 5)]
    model = Model([in_1, in_2], outputs)
    model.compile("adam", "mse")
    x = [rng.random((16, 6, 3)), rng.random((16, 6, 4, 2))]
    y = [rng.random((16, 2)), rng.random((16, 3, 5))]
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    o1, o2 = model.predict(x, verbose=0)
    assert o1.shape == (16, 2) and o2.shape == (16, 3, 5)
    # return_state: the outputs, then the states, all flat
    out_1, out_2, s1, s2 = layers.RNN(model.layers[-1].cell, return_state=True)(x)
    np.testing.assert_allclose(out_1.data, o1, rtol=1e-6)
    assert s1.shape == (16, 2) and s2.shape == (16, 3, 5)


# --- behaviour and errors ---------------------------------------------------------------------
def test_docstring_examples():
    from baeum.layers import rnn_cells

    failures, tried = doctest.testmod(rnn_cells)
    assert failures == 0 and tried >= 5


def test_symbolic_shapes_and_initial_state_in_a_functional_model(rng):
    inp, h0 = Input(shape=(None, D)), Input(shape=(U,))
    seq = layers.RNN(layers.GRUCell(U), return_sequences=True)(inp, initial_state=[h0])
    assert seq.shape == (None, None, U)
    model = Model([inp, h0], seq)
    x, h = rng.standard_normal((N, T, D)), rng.standard_normal((N, U))
    assert model.predict([x, h], verbose=0).shape == (N, T, U)


def test_regularizers_of_the_cell_reach_the_layer():
    layer = layers.RNN(layers.LSTMCell(U, kernel_regularizer="l2",
                                       recurrent_regularizer="l1"))
    layer(np.ones((N, T, D), np.float32))
    assert len(layer.losses) == 2


def test_a_cell_without_state_size_is_a_clear_error():
    class NoStateCell(layers.Layer):
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ValueError, match=r"NoStateCell\) has no state_size.*self.state_size"):
        layers.RNN(NoStateCell())
    with pytest.raises(ValueError, match="has no state_size"):
        layers.StackedRNNCells([layers.LSTMCell(2), NoStateCell()])
    with pytest.raises(TypeError, match="needs an RNN cell"):
        layers.RNN(lambda x, s: (x, s))


def test_a_cell_returning_the_wrong_states_says_so():
    class BadCell(MinimalRNNCell):
        def call(self, inputs, states):
            out, _ = super().call(inputs, states)
            return out, [out, out]

    with pytest.raises(ValueError, match=r"returned 2 state\(s\), but it was given 1"):
        layers.RNN(BadCell(3))(np.ones((N, T, D), np.float32))


def test_initial_state_and_mask_errors():
    x = np.zeros((N, T, D), np.float32)
    with pytest.raises(ValueError, match=r"expects initial_state with 2 state\(s\).*\[5, 5\]"):
        layers.RNN(layers.LSTMCell(U))(x, initial_state=[np.zeros((N, U))])
    with pytest.raises(ValueError, match=r"state of shape \(3, 4\) where .* has \(3, 5\)"):
        layers.RNN(layers.GRUCell(U))(x, initial_state=[np.zeros((N, U - 1))])
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, timesteps\)"):
        layers.RNN(layers.GRUCell(U))(x, mask=np.ones((N, T + 1), bool))
    with pytest.raises(ValueError, match="expected min_ndim=3"):
        layers.RNN(layers.GRUCell(U))(np.zeros((N, D), np.float32))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer = layers.RNN(layers.GRUCell(U))
        layer(x)
        layer(np.zeros((N, T, D + 1), np.float32))


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.LSTMCell(0), ValueError, "units must be a positive integer"),
    (lambda: layers.GRUCell(U, dropout=1.0), ValueError, "dropout must be in"),
    (lambda: layers.SimpleRNNCell(U, recurrent_dropout=-0.1), ValueError, "recurrent_dropout"),
    (lambda: layers.StackedRNNCells([]), ValueError, "at least one cell"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_bidirectional_wraps_an_rnn_of_a_cell_as_the_fused_layer(kind, rng, tmp_path):
    x = rng.standard_normal((N, T, D))
    mask = np.ones((N, T), bool)
    mask[1, 3:] = False
    fused = layers.Bidirectional(getattr(layers, kind)(U, return_sequences=True,
                                                       dtype="float64"))
    looped = layers.Bidirectional(layers.RNN(CELLS[kind](U, dtype="float64"),
                                             return_sequences=True))
    fused.build((None, T, D))
    looped.build((None, T, D))
    looped.set_weights(fused.get_weights())
    np.testing.assert_allclose(looped(x, mask=mask).data, fused(x, mask=mask).data,
                               rtol=1e-10, atol=1e-12)
    model = Sequential([Input(shape=(T, D)), looped])
    model.save(tmp_path / "bi.baeum")
    np.testing.assert_array_equal(load_model(tmp_path / "bi.baeum").predict(x, verbose=0),
                                  model.predict(x, verbose=0))


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_other_activations_point_from_the_fused_layer_to_its_cell(kind, rng):
    with pytest.raises(NotImplementedError, match=rf"use layers.RNN\(layers.{kind}Cell\("):
        getattr(layers, kind)(4, activation="relu")
    looped = layers.RNN(CELLS[kind](4, activation="relu"), return_sequences=True)
    out = looped(rng.standard_normal((2, 3, D)).astype(np.float32)).data
    assert out.shape == (2, 3, 4) and np.isfinite(out).all()
    assert getattr(layers, kind)(4, stateful=True).stateful  # (tests/test_stateful_rnn.py)
