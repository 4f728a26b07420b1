"""SimpleRNN, LSTM, GRU layers: harness runs with Keras parameter counts, outputs and
gradients against torch.nn.RNN / LSTM / GRU with copied weights (the mapping of
baeum/ops/recurrent.py), go_backwards, initial states, dropout, and errors."""

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Input
from baeum.models import Sequential, load_model
from layer_harness import run_layer_test
from oracle import requires_torch, torch

N, T, D, U = 3, 6, 4, 5


# --- harness and Keras parameter counts ---------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, out_shape, n_weights, params", [
    (layers.SimpleRNN, {"units": 5}, (2, 5), 3, 55),
    (layers.SimpleRNN, {"units": 3, "return_sequences": True, "activation": "relu"},
     (2, 7, 3), 3, 3 * (5 + 3 + 1)),
    (layers.SimpleRNN, {"units": 3, "return_state": True, "use_bias": False},
     [(2, 3), (2, 3)], 2, 3 * (5 + 3)),
    (layers.LSTM, {"units": 5}, (2, 5), 3, 220),
    (layers.LSTM, {"units": 4, "return_sequences": True, "return_state": True,
                   "go_backwards": True}, [(2, 7, 4), (2, 4), (2, 4)], 3, 4 * (20 + 16 + 4)),
    (layers.LSTM, {"units": 3, "dropout": 0.5, "unit_forget_bias": False,
                   "kernel_regularizer": "l2"}, (2, 3), 3, 4 * (15 + 9 + 3)),
    (layers.GRU, {"units": 5}, (2, 5), 3, 180),
    (layers.GRU, {"units": 5, "reset_after": False}, (2, 5), 3, 165),
    (layers.GRU, {"units": 2, "return_state": True, "return_sequences": True},
     [(2, 7, 2), (2, 2)], 3, 3 * (10 + 4 + 2 * 2)),
])
def test_recurrent_harness(cls, kwargs, out_shape, n_weights, params):
    run_layer_test(cls, kwargs, (2, 7, 5), out_shape, n_weights, 0, params)


def test_keras_weight_shapes():
    lstm, gru = layers.LSTM(U), layers.GRU(U)
    x = np.zeros((N, T, D), np.float32)
    lstm(x), gru(x)
    assert [w.shape for w in lstm.weights] == [(D, 4 * U), (U, 4 * U), (4 * U,)]
    assert [w.shape for w in gru.weights] == [(D, 3 * U), (U, 3 * U), (2, 3 * U)]
    assert [w.name for w in lstm.weights] == [f"{lstm.name}/{n}" for n in
                                              ("kernel", "recurrent_kernel", "bias")]


def test_unit_forget_bias_and_recurrent_initializer():
    lstm = layers.LSTM(U)
    lstm(np.zeros((N, T, D), np.float32))
    b = lstm.bias.data
    np.testing.assert_array_equal(b[U:2 * U], 1)
    np.testing.assert_array_equal(np.delete(b, np.s_[U:2 * U]), 0)
    rk = layers.LSTM(U, unit_forget_bias=False)
    rk(np.zeros((N, T, D), np.float32))
    np.testing.assert_array_equal(rk.bias.data, 0)
    # recurrent_initializer="orthogonal": (U, 4U) has orthonormal rows.
    r = lstm.recurrent_kernel.data
    np.testing.assert_allclose(r @ r.T, np.eye(U), atol=1e-5)


# --- against torch --------------------------------------------------------------------------------
def _torch_module(kind, bias):
    cls = {"SimpleRNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind]
    return cls(D, U, batch_first=True, bias=bias, dtype=torch.float64)


def _copy_weights(layer, module, suffix=""):
    """Keras layout -> torch parameters, per baeum/ops/recurrent.py's mapping (suffix
    "_reverse": the backward direction of a bidirectional module)."""
    k, rk = layer.kernel.data, layer.recurrent_kernel.data
    b = None if layer.bias is None else layer.bias.data
    perm = np.r_[U:2 * U, 0:U, 2 * U:3 * U] if isinstance(layer, layers.GRU) else slice(None)
    p = {name: getattr(module, name + "_l0" + suffix, None)
         for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    with torch.no_grad():
        p["weight_ih"].copy_(torch.tensor(k[:, perm].T))
        p["weight_hh"].copy_(torch.tensor(rk[:, perm].T))
        if b is not None:
            if b.ndim == 2:   # GRU reset_after: (input bias, recurrent bias)
                p["bias_ih"].copy_(torch.tensor(b[0, perm]))
                p["bias_hh"].copy_(torch.tensor(b[1, perm]))
            else:
                p["bias_ih"].copy_(torch.tensor(b))
                p["bias_hh"].zero_()


def _torch_grads(layer, module, suffix=""):
    """torch's parameter gradients in the layer's Keras layout, in layer.weights order."""
    perm = np.r_[U:2 * U, 0:U, 2 * U:3 * U] if isinstance(layer, layers.GRU) else slice(None)
    inv = np.argsort(np.arange(3 * U)[perm]) if isinstance(layer, layers.GRU) else slice(None)
    grad = {name: getattr(module, name + "_l0" + suffix).grad.numpy()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            if getattr(module, name + "_l0" + suffix, None) is not None}
    grads = [grad["weight_ih"].T[:, inv], grad["weight_hh"].T[:, inv]]
    if layer.bias is not None:
        gi = grad["bias_ih"][inv]
        grads.append(np.stack([gi, grad["bias_hh"][inv]]) if layer.bias.ndim == 2 else gi)
    return grads


@requires_torch
@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("use_bias", [True, False])
def test_matches_torch_outputs_states_and_all_gradients(kind, return_sequences, use_bias, rng):
    layer = getattr(layers, kind)(U, return_sequences=return_sequences, return_state=True,
                                  use_bias=use_bias, dtype="float64",
                                  bias_initializer="random_normal")
    module = _torch_module(kind, use_bias)
    x = rng.standard_normal((N, T, D))
    states = [rng.standard_normal((N, U)) for _ in range(2 if kind == "LSTM" else 1)]
    layer.build((None, T, D))
    _copy_weights(layer, module)

    xb = baeum.tensor(x, requires_grad=True)
    sb = [baeum.tensor(s, requires_grad=True) for s in states]
    outs = layer(xb, initial_state=sb)
    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s[None], requires_grad=True) for s in states]
    seq, last = module(xt, st[0] if kind != "LSTM" else tuple(st))
    last = [last] if kind != "LSTM" else list(last)
    t_outs = [seq if return_sequences else seq[:, -1]] + [s[0] for s in last]

    assert len(outs) == len(t_outs)
    total_b, total_t = 0, 0
    for i, (ob, ot) in enumerate(zip(outs, t_outs)):
        np.testing.assert_allclose(ob.data, ot.detach().numpy(), rtol=1e-7, atol=1e-10)
        r = np.random.default_rng(i).standard_normal(ob.shape)
        total_b = total_b + (ob * baeum.tensor(r)).sum()
        total_t = total_t + (ot * torch.from_numpy(r)).sum()
    total_b.backward()
    total_t.backward()
    np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=1e-7, atol=1e-10)
    for s_b, s_t in zip(sb, st):
        np.testing.assert_allclose(s_b.grad.data, s_t.grad.numpy()[0], rtol=1e-7, atol=1e-10)
    for w, g in zip(layer.weights, _torch_grads(layer, module)):
        np.testing.assert_allclose(w.grad.data, g, rtol=1e-7, atol=1e-10, err_msg=w.name)


@requires_torch
@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_go_backwards_reads_the_sequence_reversed(kind, rng):
    layer = getattr(layers, kind)(U, go_backwards=True, return_sequences=True, dtype="float64")
    module = _torch_module(kind, True)
    layer.build((None, T, D))
    _copy_weights(layer, module)
    x = rng.standard_normal((N, T, D))
    # Keras: the output sequence is in processing order (last input step first).
    expected = module(torch.tensor(x[:, ::-1].copy()))[0].detach().numpy()
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-7, atol=1e-10)


@requires_torch
@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_matches_torch_bidirectional(kind, return_sequences, rng):
    inner = getattr(layers, kind)(U, return_sequences=return_sequences, dtype="float64",
                                  bias_initializer="random_normal")
    layer = layers.Bidirectional(inner)          # float64, the wrapped layer's dtype
    module = getattr(torch.nn, {"SimpleRNN": "RNN"}.get(kind, kind))(
        D, U, batch_first=True, bidirectional=True, dtype=torch.float64)
    layer.build((None, T, D))
    _copy_weights(layer.forward_layer, module)
    _copy_weights(layer.backward_layer, module, "_reverse")
    x = rng.standard_normal((N, T, D))
    xb, xt = baeum.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = layer(xb)
    seq, h = module(xt)
    h = h[0] if kind == "LSTM" else h
    # torch: both directions in time order; the last states, forward then backward.
    expected = seq if return_sequences else torch.cat([h[0], h[1]], dim=-1)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-7, atol=1e-10)
    r = rng.standard_normal(out.shape)
    (out * baeum.tensor(r)).sum().backward()
    (expected * torch.from_numpy(r)).sum().backward()
    np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=1e-7, atol=1e-10)
    torch_grads = _torch_grads(layer.forward_layer, module) + \
        _torch_grads(layer.backward_layer, module, "_reverse")
    for w, g in zip(layer.weights, torch_grads, strict=True):
        np.testing.assert_allclose(w.grad.data, g, rtol=1e-7, atol=1e-10, err_msg=w.name)


def test_bidirectional_keras_parameter_counts_shapes_and_merge_modes(rng):
    # Keras: Bidirectional(LSTM(64)) on 128-d embeddings has 2 * 4 * 64 * (128 + 64 + 1).
    inner = layers.LSTM(64, name="words")
    layer = layers.Bidirectional(inner)
    assert layer(np.zeros((1, 3, 128), np.float32)).shape == (1, 128)
    assert layer.count_params() == 2 * 4 * 64 * (128 + 64 + 1) == 98816
    assert layer.weights[0].name == "forward_words/kernel"
    assert layer.weights[3].name == "backward_words/kernel" and not inner.built  # copies
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    fwd_bwd = layers.Bidirectional(layers.GRU(4, return_sequences=True), merge_mode=None)
    f, b = fwd_bwd(x)
    for mode, combine in [("sum", f.data + b.data), ("mul", f.data * b.data),
                          ("ave", (f.data + b.data) / 2),
                          ("concat", np.concatenate([f.data, b.data], -1))]:
        merged = layers.Bidirectional(layers.GRU(4, return_sequences=True), merge_mode=mode)
        merged.build((None, 5, 3))
        merged.set_weights(fwd_bwd.get_weights())
        np.testing.assert_allclose(merged(x).data, combine, rtol=1e-6, atol=1e-7)
    with_states = layers.Bidirectional(layers.LSTM(4, return_state=True))
    states = with_states(x)
    assert [s.shape for s in states] == [(2, 8), (2, 4), (2, 4), (2, 4), (2, 4)]
    forward, backward = with_states.forward_layer(x), with_states.backward_layer(x)
    for got, want in zip(states[1:], forward[1:] + backward[1:]):  # forward's, then backward's
        np.testing.assert_array_equal(got.data, want.data)
    symbolic = layers.Bidirectional(layers.LSTM(4, return_state=True))(Input(shape=(5, 3)))
    assert [s.shape for s in symbolic] == [(None, 8)] + [(None, 4)] * 4


def test_bidirectional_trains_saves_and_loads(rng, tmp_path):
    # Is the larger of the first and the last step's value positive? Needs both ends.
    x = rng.standard_normal((256, 6, 1)).astype(np.float32)
    y = (np.maximum(x[:, 0, 0], x[:, -1, 0]) > 0.5).astype(np.int64)
    model = Sequential([Input(shape=(6, 1)), layers.Bidirectional(layers.GRU(8, name="ends")),
                        layers.Dense(2, activation="softmax")])
    model.compile(baeum.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=40, batch_size=32, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.95
    model.save(tmp_path / "bi.baeum")
    loaded = load_model(tmp_path / "bi.baeum")
    np.testing.assert_array_equal(loaded.predict(x[:4]), model.predict(x[:4]))
    config = model.layers[0].get_config()
    assert config["layer"]["class_name"] == "GRU" and config["layer"]["config"]["name"] == "ends"


def test_bidirectional_errors():
    with pytest.raises(ValueError, match="wraps a recurrent layer.*got Dense"):
        layers.Bidirectional(layers.Dense(3))
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        layers.Bidirectional(layers.LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards opposite"):
        layers.Bidirectional(layers.LSTM(3), backward_layer=layers.LSTM(3))


# --- behaviour ------------------------------------------------------------------------------------
def test_float32_end_to_end(rng):
    for cls in (layers.SimpleRNN, layers.LSTM, layers.GRU):
        layer = cls(U, return_state=True)
        x = baeum.tensor(rng.standard_normal((N, T, D)).astype(np.float32), requires_grad=True)
        outs = layer(x, initial_state=[np.zeros((N, U))] * layer.n_states)  # float64 states
        assert all(o.dtype == np.float32 for o in outs)
        outs[0].sum().backward()
        assert x.grad.dtype == np.float32


def test_dropout_one_mask_per_sequence_only_in_training(rng):
    # Linear SimpleRNN with kernel I, recurrent kernel 0: output_t = dropped(x_t).
    layer = layers.SimpleRNN(D, activation=None, dropout=0.5, return_sequences=True,
                             kernel_initializer="identity", recurrent_initializer="zeros",
                             dtype="float64")
    x = np.repeat(rng.uniform(1, 2, (64, 1, D)), T, axis=1)   # the same input every step
    np.testing.assert_array_equal(layer(x).data, x)             # inference: no dropout
    y = layer(x, training=True).data
    np.testing.assert_array_equal(y, y[:, :1].repeat(T, axis=1))  # same mask at every step
    kept = y != 0
    assert 0.3 < kept.mean() < 0.7
    np.testing.assert_allclose(y[kept], 2 * x[kept])             # scaled by 1 / (1 - rate)


def test_dropout_seed_gives_the_layer_its_own_repeatable_masks(rng):
    x = rng.uniform(1, 2, (8, T, D))
    outs = []
    for global_seed in (1, 2):
        layer = layers.GRU(U, dropout=0.5, seed=9, dtype="float64")
        layer.build((None, T, D))
        layer.set_weights([np.full(w.shape, 0.1) for w in layer.weights])
        baeum.random.seed(global_seed)        # the global stream does not matter
        outs.append(layer(x, training=True).data)
    np.testing.assert_array_equal(outs[0], outs[1])
    assert not np.array_equal(outs[0], layer(x, training=True).data)  # a stream, not a mask


def test_symbolic_call_with_states():
    inp = Input(shape=(T, D))
    out, h, c = layers.LSTM(U, return_sequences=True, return_state=True)(inp)
    assert (out.shape, h.shape, c.shape) == ((None, T, U), (None, U), (None, U))
    seq = layers.GRU(U, return_sequences=True)(Input(shape=(None, D)))   # any length
    assert seq.shape == (None, None, U)


# --- errors ---------------------------------------------------------------------------------------
def test_lstm_on_2d_input_says_what_it_expects():
    layer = layers.LSTM(U)
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=2.*expects \(batch, "
                                         r"timesteps, features\)"):
        layer(np.zeros((N, D), np.float32))
    assert not layer.built


def test_feature_mismatch_after_build():
    layer = layers.GRU(U)
    layer(np.zeros((N, T, D), np.float32))
    with pytest.raises(ValueError, match=f"expected axis -1 of input shape to have value {D}"):
        layer(np.zeros((N, T, D + 1), np.float32))


def test_initial_state_errors():
    x = np.zeros((N, T, D), np.float32)
    with pytest.raises(ValueError, match=r"initial_state=\[h0, c0\]"):
        layers.LSTM(U)(x, initial_state=[np.zeros((N, U))])
    with pytest.raises(ValueError, match=r"shape \(batch, units\) = \(3, 5\), got \(3, 4\)"):
        layers.GRU(U)(x, initial_state=[np.zeros((N, U - 1))])


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.LSTM(U, recurrent_dropout=0.2), NotImplementedError, "recurrent_dropout"),
    (lambda: layers.LSTM(U, activation="relu"), NotImplementedError, "activation='tanh'"),
    (lambda: layers.GRU(U, recurrent_activation="tanh"), NotImplementedError, "sigmoid"),
    (lambda: layers.SimpleRNN(U, activation="softmax"), NotImplementedError, "SimpleRNN"),
    (lambda: layers.SimpleRNN(0), ValueError, "units must be a positive integer"),
    (lambda: layers.GRU(U, dropout=1.0), ValueError, "dropout"),
])
def test_unsupported_or_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()
