"""stateful=True in SimpleRNN, LSTM, GRU, RNN(cell) and ConvLSTM (Keras 3's): each call
starts from the states the previous call ended with, as values (no gradient into the
previous batch); reset_state(); a fixed batch size; initial_state wins; config, save and
load; fit; predict runs a stateful model's batch whole and continues its states."""

import numpy as np
import pytest

import baeum
from baeum import layers, parallel
from baeum.layers import Input
from baeum.models import Model, Sequential, load_model
from oracle import requires_torch, torch

N, T, D, U = 3, 8, 4, 5
H = T // 2

MAKERS = {
    "SimpleRNN": lambda **kw: layers.SimpleRNN(U, dtype="float64", **kw),
    "LSTM": lambda **kw: layers.LSTM(U, dtype="float64", **kw),
    "GRU": lambda **kw: layers.GRU(U, dtype="float64", **kw),
    "RNN(LSTMCell)": lambda **kw: layers.RNN(layers.LSTMCell(U, dtype="float64"), **kw),
}
KINDS = list(MAKERS)


@pytest.fixture
def x():
    return np.random.default_rng(0).standard_normal((N, T, D))


def _pair(kind, x, **kwargs):
    """(a plain layer, a stateful layer with its weights), both built."""
    plain = MAKERS[kind](return_sequences=True, return_state=True, **kwargs)
    stateful = MAKERS[kind](return_sequences=True, return_state=True, stateful=True,
                            **kwargs)
    plain.build((N, T, D))
    stateful.build((N, T, D))
    stateful.set_weights(plain.get_weights())
    return plain, stateful


def _data(outs):
    return [o.data for o in outs]


@pytest.mark.parametrize("kind", KINDS)
def test_two_stateful_halves_are_one_call_of_the_whole(kind, x):
    plain, stateful = _pair(kind, x)
    whole = _data(plain(x))
    first, second = _data(stateful(x[:, :H])), _data(stateful(x[:, H:]))
    np.testing.assert_allclose(np.concatenate([first[0], second[0]], axis=1), whole[0],
                               rtol=1e-12, atol=1e-12)
    for got, want, kept in zip(second[1:], whole[1:], stateful.states):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(kept.data, got)   # the kept states: the final ones


@pytest.mark.parametrize("kind", KINDS)
def test_reset_state_restores_zeros(kind, x):
    plain, stateful = _pair(kind, x)
    assert all(not s.data.any() for s in stateful.states)   # zeros from build on
    stateful(x)
    assert any(s.data.any() for s in stateful.states)
    stateful.reset_state()
    assert [s.shape for s in stateful.states] == [(N, U)] * len(stateful.states)
    assert all(not s.data.any() for s in stateful.states)
    np.testing.assert_array_equal(stateful(x)[0].data, plain(x)[0].data)
    stateful.reset_states()   # Keras's older name
    assert all(not s.data.any() for s in stateful.states)
    plain.reset_state()       # nothing kept: nothing to do
    assert plain.states is None


@pytest.mark.parametrize("kind", KINDS)
def test_a_changed_batch_size_is_refused(kind, x):
    _, stateful = _pair(kind, x)
    stateful(x)
    with pytest.raises(ValueError, match=r"stateful.*batch of 3 samples.*got a batch of 2.*"
                                         r"batch_size=3"):
        stateful(x[:2])


def test_the_batch_size_is_taken_from_the_first_call_when_unknown_at_build(x):
    layer = layers.GRU(U, stateful=True, dtype="float64")
    layer.build((None, T, D))
    assert layer.states is None
    layer(x[:2])
    assert layer.states[0].shape == (2, U)
    with pytest.raises(ValueError, match="got a batch of 3"):
        layer(x)


@pytest.mark.parametrize("kind", KINDS)
def test_the_kept_state_carries_no_gradient_into_the_previous_batch(kind, x):
    _, stateful = _pair(kind, x)
    x1 = baeum.tensor(x[:, :H], requires_grad=True)
    x2 = baeum.tensor(x[:, H:], requires_grad=True)
    stateful(x1)
    out = stateful(x2)[0]
    (out * out).sum().backward()
    assert x1.grad is None or not np.any(x1.grad.data)
    assert x2.grad is not None and np.any(x2.grad.data)
    assert all(not s.requires_grad for s in stateful.states)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_a_stateful_call_is_a_call_given_the_previous_final_states(kind, go_backwards, x):
    """With a mask and go_backwards: the kept states are the returned final states."""
    plain, stateful = _pair(kind, x, go_backwards=go_backwards)
    mask = np.ones((N, H), bool)
    mask[0, -2:] = False   # padding at the end of one sample
    mask[1, :1] = False    # and at the start of another
    first = _data(plain(x[:, :H], mask=mask))
    want = _data(plain(x[:, H:], initial_state=first[1:], mask=mask))
    stateful(x[:, :H], mask=mask)
    got = _data(stateful(x[:, H:], mask=mask))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_a_given_initial_state_wins_and_its_final_states_are_kept(kind, x):
    plain, stateful = _pair(kind, x)
    stateful(x[:, :H])   # some kept states, which the given ones replace
    n = len(stateful.states)
    init = [np.random.default_rng(k).standard_normal((N, U)) for k in range(n)]
    want = _data(plain(x[:, H:], initial_state=init))
    got = _data(stateful(x[:, H:], initial_state=init))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    for kept, w in zip(stateful.states, want[1:]):
        np.testing.assert_array_equal(kept.data, w)


@requires_torch
def test_stateful_lstm_against_torch_fed_its_own_states_back(x):
    layer = layers.LSTM(U, return_sequences=True, stateful=True, dtype="float64")
    layer.build((N, T, D))
    module = torch.nn.LSTM(D, U, batch_first=True, dtype=torch.float64)
    with torch.no_grad():   # Keras's layout (i, f, c, o) is torch's (i, f, g, o), transposed
        module.weight_ih_l0.copy_(torch.tensor(layer.kernel.data.T))
        module.weight_hh_l0.copy_(torch.tensor(layer.recurrent_kernel.data.T))
        module.bias_ih_l0.copy_(torch.tensor(layer.bias.data))
        module.bias_hh_l0.zero_()
        t1, hc = module(torch.tensor(x[:, :H]))
        t2, (h, c) = module(torch.tensor(x[:, H:]), hc)
    np.testing.assert_allclose(layer(x[:, :H]).data, t1.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer(x[:, H:]).data, t2.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.states[0].data, h[0].numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.states[1].data, c[0].numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_config_round_trip_keeps_stateful(kind):
    layer = MAKERS[kind](stateful=True)
    config = layer.get_config()
    assert config["stateful"] is True
    again = type(layer).from_config(config)
    assert again.stateful is True and again.states is None
    assert MAKERS[kind]().get_config()["stateful"] is False


def _stateful_model(batch=N):
    inputs = Input(batch_shape=(batch, H, D), dtype="float64")
    hidden = layers.LSTM(U, return_sequences=True, stateful=True, dtype="float64")(inputs)
    outputs = layers.GRU(U, stateful=True, dtype="float64")(hidden)
    return Model(inputs, outputs)


def test_save_and_load_a_stateful_model_then_continue(x, tmp_path):
    """The states are not saved (as in Keras): the loaded model starts from zeros."""
    model = _stateful_model()
    lstm = model.layers[1]
    assert lstm.states[0].shape == (N, U)   # the Input's batch size, at build
    model.predict(x[:, :H], batch_size=N, verbose=0)
    model.save(tmp_path / "stateful.baeum")
    loaded = load_model(tmp_path / "stateful.baeum")
    assert [layer.stateful for layer in loaded.layers[1:]] == [True, True]
    assert all(not s.data.any() for s in loaded.layers[1].states)
    assert len(loaded.weights) == len(model.weights)    # no state among the weights
    for layer in model.layers[1:]:
        layer.reset_state()
    for step in (x[:, :H], x[:, H:]):   # and they go on alike
        np.testing.assert_allclose(loaded.predict(step, batch_size=N, verbose=0),
                                   model.predict(step, batch_size=N, verbose=0),
                                   rtol=1e-12, atol=1e-12)


def test_predict_runs_a_stateful_model_whole_and_continues_its_states(monkeypatch):
    big = 600   # enough rows that predict would run in slices on several threads
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((big, T, D)).astype(np.float32).astype(np.float64)  # (predict
    calls = []  # casts its inputs to float32)
    plan = parallel.plan
    monkeypatch.setattr(parallel, "plan", lambda *a, **k: calls.append(a) or plan(*a, **k))
    parallel.set_num_threads(2)
    try:
        plain = Sequential([Input(shape=(H, D), dtype="float64"),
                            layers.LSTM(U, dtype="float64")])
        plain.predict(xs[:, :H], batch_size=big, verbose=0)
        assert calls   # a model without a stateful layer is planned (it may be sliced)
        calls.clear()
        model = Sequential([Input(batch_shape=(big, H, D), dtype="float64"),
                            layers.LSTM(U, stateful=True, dtype="float64")])
        model.set_weights(plain.get_weights())
        first = model.predict(xs[:, :H], batch_size=big, verbose=0)
        second = model.predict(xs[:, H:], batch_size=big, verbose=0)
        assert not calls   # never planned: the batch ran whole, in this thread
    finally:
        parallel.set_num_threads(None)
    whole = layers.LSTM(U, return_state=True, dtype="float64")
    whole.build((big, T, D))
    whole.set_weights(plain.get_weights())
    out, h, c = whole(xs)
    np.testing.assert_allclose(second, out.data, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(first, whole(xs[:, :H])[0].data, rtol=1e-10, atol=1e-12)


def test_predict_finds_a_stateful_layer_inside_a_wrapper():
    inner = layers.LSTM(U, stateful=True)
    model = Sequential([Input(batch_shape=(4, H, D)), layers.Bidirectional(inner)])
    assert model._has_stateful_layer()
    assert not Sequential([Input(shape=(H, D)), layers.LSTM(U)])._has_stateful_layer()


def test_fit_with_stateful_layers_carries_the_states_over_the_batches(x):
    rng = np.random.default_rng(2)
    xs, ys = rng.standard_normal((4 * N, H, D)), rng.standard_normal((4 * N, U))
    model = _stateful_model()
    model.compile("adam", "mse")
    history = model.fit(xs, ys, batch_size=N, epochs=2, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    kept = [layer.states[0].data.copy() for layer in model.layers[1:]]
    assert all(k.shape == (N, U) and k.any() for k in kept)
    model.evaluate(xs, ys, batch_size=N, verbose=0)   # states carried on through evaluate
    assert not np.array_equal(model.layers[1].states[0].data, kept[0])
    with pytest.raises(ValueError, match="got a batch of 2"):
        model.fit(xs[:N + 2], ys[:N + 2], batch_size=N, shuffle=False, verbose=0)


@pytest.mark.parametrize("cls, shape", [(layers.ConvLSTM2D, (2, T, 5, 5, 1)),
                                        (layers.ConvLSTM1D, (2, T, 6, 2))])
def test_conv_lstm_stateful_halves(cls, shape):
    xs = np.random.default_rng(3).standard_normal(shape)
    plain = cls(2, 3, padding="same", return_sequences=True, return_state=True,
                dtype="float64")
    stateful = cls.from_config({**plain.get_config(), "stateful": True})
    plain.build(shape)
    stateful.build(shape)
    stateful.set_weights(plain.get_weights())
    whole = _data(plain(xs))
    first, second = _data(stateful(xs[:, :H])), _data(stateful(xs[:, H:]))
    np.testing.assert_allclose(np.concatenate([first[0], second[0]], axis=1), whole[0],
                               rtol=1e-12, atol=1e-12)
    for got, want in zip(second[1:], whole[1:]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    stateful.reset_state()
    assert all(not s.data.any() for s in stateful.states)
