"""SimpleRNN, LSTM and GRU ops: forward and every gradient (x, kernel, recurrent_kernel,
bias, h0, c0) against torch.nn.RNN / LSTM / GRU fed the same Keras-layout weights, under a
random upstream gradient on the outputs AND the final states; finite-difference checks."""

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum.ops.recurrent import gru, lstm, simple_rnn
from oracle import compare, requires_torch, torch

# (N, T, D, U): T=1, the hihello LSTM (1, 6, 5) -> 5, and some uneven ones.
SHAPES = [(1, 1, 1, 1), (1, 6, 5, 5), (2, 3, 4, 2), (3, 7, 2, 3), (4, 2, 3, 5), (2, 1, 3, 4)]
N_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _flat(outputs, cat):
    """All outputs in one vector, so one random upstream gradient covers every output."""
    return cat([o.reshape(-1) for o in outputs])


def _baeum_flat(*outs):
    return _flat(outs, baeum.concatenate)


def _torch_flat(*outs):
    return _flat(outs, torch.cat)


def _inputs(rng, kind, N, T, D, U, bias_shape=None):
    G = N_GATES[kind]
    x = rng.standard_normal((N, T, D))
    kernel = rng.standard_normal((D, G * U)) / np.sqrt(D)
    rec = rng.standard_normal((U, G * U)) / np.sqrt(U)
    bias = rng.standard_normal(bias_shape or (G * U,)) * 0.5
    h0 = rng.standard_normal((N, U))
    c0 = rng.standard_normal((N, U))
    return x, kernel, rec, bias, h0, c0


def _gru_torch_order(w):
    """Keras GRU column blocks (z, r, h) -> torch's (r, z, n), on the last axis."""
    U = w.shape[-1] // 3
    return torch.cat([w[..., U : 2 * U], w[..., :U], w[..., 2 * U :]], dim=-1)


def _torch_call(module, weights, *args):
    return torch.func.functional_call(module, weights, args)


# --- torch oracle: the nn modules with our weights --------------------------------------
@requires_torch
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("use_bias", [True, False])
def test_lstm_matches_torch(rng, shape, use_bias):
    N, T, D, U = shape
    x, k, rk, b, h0, c0 = _inputs(rng, "lstm", N, T, D, U)
    module = torch.nn.LSTM(D, U, batch_first=True, bias=use_bias).double()

    def torch_fn(x, k, rk, h0, c0, b=None):
        w = {"weight_ih_l0": k.T, "weight_hh_l0": rk.T}
        if b is not None:  # torch's two biases add up to Keras's one
            w |= {"bias_ih_l0": b, "bias_hh_l0": torch.zeros_like(b)}
        out, (h, c) = _torch_call(module, w, x, (h0[None], c0[None]))
        return _torch_flat(out, h[0], c[0])

    def baeum_fn(x, k, rk, h0, c0, b=None):
        return _baeum_flat(*lstm(x, k, rk, b, h0, c0))

    compare(baeum_fn, torch_fn, [x, k, rk, h0, c0] + ([b] if use_bias else []))


@requires_torch
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("use_bias", [True, False])
def test_gru_matches_torch(rng, shape, use_bias):
    N, T, D, U = shape
    x, k, rk, b, h0, _ = _inputs(rng, "gru", N, T, D, U, bias_shape=(2, 3 * U))
    module = torch.nn.GRU(D, U, batch_first=True, bias=use_bias).double()

    def torch_fn(x, k, rk, h0, b=None):
        w = {"weight_ih_l0": _gru_torch_order(k).T, "weight_hh_l0": _gru_torch_order(rk).T}
        if b is not None:
            w |= {"bias_ih_l0": _gru_torch_order(b[0]), "bias_hh_l0": _gru_torch_order(b[1])}
        out, h = _torch_call(module, w, x, h0[None])
        return _torch_flat(out, h[0])

    def baeum_fn(x, k, rk, h0, b=None):
        return _baeum_flat(*gru(x, k, rk, b, h0, reset_after=True))

    compare(baeum_fn, torch_fn, [x, k, rk, h0] + ([b] if use_bias else []))


@requires_torch
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_simple_rnn_matches_torch(rng, shape, activation):
    N, T, D, U = shape
    x, k, rk, b, h0, _ = _inputs(rng, "rnn", N, T, D, U)
    module = torch.nn.RNN(D, U, nonlinearity=activation, batch_first=True).double()

    def torch_fn(x, k, rk, b, h0):
        w = {"weight_ih_l0": k.T, "weight_hh_l0": rk.T, "bias_ih_l0": b,
             "bias_hh_l0": torch.zeros_like(b)}
        out, h = _torch_call(module, w, x, h0[None])
        return _torch_flat(out, h[0])

    def baeum_fn(x, k, rk, b, h0):
        return _baeum_flat(*simple_rnn(x, k, rk, b, h0, activation=activation))

    compare(baeum_fn, torch_fn, [x, k, rk, b, h0])


@requires_torch
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_zero_initial_state_when_none(rng, kind):
    """h0=None (and c0=None) means zeros, as in Keras; the weights' gradients still match."""
    N, T, D, U = 2, 4, 3, 3
    bias_shape = (2, 3 * U) if kind == "gru" else None
    x, k, rk, b, _, _ = _inputs(rng, kind, N, T, D, U, bias_shape)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    module = module(D, U, batch_first=True).double()
    order = _gru_torch_order if kind == "gru" else (lambda w: w)

    def torch_fn(x, k, rk, b):
        b_ih, b_hh = (b[0], b[1]) if kind == "gru" else (b, torch.zeros_like(b))
        w = {"weight_ih_l0": order(k).T, "weight_hh_l0": order(rk).T,
             "bias_ih_l0": order(b_ih), "bias_hh_l0": order(b_hh)}
        out, state = _torch_call(module, w, x)
        h = state[0] if kind == "lstm" else state
        return _torch_flat(out, h[0])

    def baeum_fn(x, k, rk, b):
        op = {"rnn": simple_rnn, "lstm": lstm, "gru": gru}[kind]
        return _baeum_flat(*op(x, k, rk, b)[:2])

    compare(baeum_fn, torch_fn, [x, k, rk, b])


# --- Keras formulas torch has no module for: a step-by-step torch reference -----------------
def _gru_reset_before_reference(x, k, rk, b, h):
    """Keras GRU with reset_after=False: hh = tanh(x K_h + b_h + (r * h) R_h)."""
    U = h.shape[-1]
    outs = []
    for t in range(x.shape[1]):
        a = x[:, t] @ k + b
        z = torch.sigmoid(a[:, :U] + h @ rk[:, :U])
        r = torch.sigmoid(a[:, U : 2 * U] + h @ rk[:, U : 2 * U])
        hh = torch.tanh(a[:, 2 * U :] + (r * h) @ rk[:, 2 * U :])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return torch.stack(outs, dim=1), h


@requires_torch
@pytest.mark.parametrize("shape", SHAPES)
def test_gru_reset_before_matches_step_by_step_reference(rng, shape):
    N, T, D, U = shape
    x, k, rk, b, h0, _ = _inputs(rng, "gru", N, T, D, U)
    compare(
        lambda x, k, rk, b, h0: _baeum_flat(*gru(x, k, rk, b, h0, reset_after=False)),
        lambda x, k, rk, b, h0: _torch_flat(*_gru_reset_before_reference(x, k, rk, b, h0)),
        [x, k, rk, b, h0],
    )


@requires_torch
@pytest.mark.parametrize("activation", ["sigmoid", "linear", None])
def test_simple_rnn_other_activations_match_step_by_step_reference(rng, activation):
    N, T, D, U = 3, 5, 4, 3
    x, k, rk, b, h0, _ = _inputs(rng, "rnn", N, T, D, U)
    act = {"sigmoid": torch.sigmoid}.get(activation, lambda a: a)

    def torch_fn(x, k, rk, b, h):
        outs = []
        for t in range(T):
            h = act(x[:, t] @ k + h @ rk + b)
            outs.append(h)
        return _torch_flat(torch.stack(outs, dim=1), h)

    compare(
        lambda x, k, rk, b, h0: _baeum_flat(*simple_rnn(x, k, rk, b, h0, activation=activation)),
        torch_fn,
        [x, k, rk, b, h0],
    )


# --- finite differences (no torch needed) -------------------------------------------------
@pytest.mark.parametrize("shape", [(1, 1, 2, 2), (2, 3, 2, 2)])
def test_lstm_gradcheck(rng, shape):
    x, k, rk, b, h0, c0 = _inputs(rng, "lstm", *shape)
    assert baeum.gradcheck(
        lambda *a: _baeum_flat(*lstm(*a)), x, k, rk, b, h0, c0
    )


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("shape", [(1, 1, 2, 2), (2, 3, 2, 2)])
def test_gru_gradcheck(rng, shape, reset_after):
    N, T, D, U = shape
    x, k, rk, b, h0, _ = _inputs(rng, "gru", N, T, D, U, (2, 3 * U) if reset_after else None)
    assert baeum.gradcheck(
        lambda x, k, rk, b, h0: _baeum_flat(*gru(x, k, rk, b, h0, reset_after=reset_after)),
        x, k, rk, b, h0,
    )


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_simple_rnn_gradcheck(rng, activation):
    x, k, rk, b, h0, _ = _inputs(rng, "rnn", 2, 3, 2, 3)
    assert baeum.gradcheck(
        lambda *a: _baeum_flat(*simple_rnn(*a, activation=activation)), x, k, rk, b, h0
    )


# --- behaviour --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_float32_in_float32_out_and_last_output_is_final_state(rng, kind):
    N, T, D, U = 2, 4, 3, 5
    bias_shape = (2, 3 * U) if kind == "gru" else None
    arrays = [a.astype(np.float32) for a in _inputs(rng, kind, N, T, D, U, bias_shape)]
    x, k, rk, b, h0, c0 = [baeum.tensor(a, requires_grad=True) for a in arrays]
    if kind == "lstm":
        out, h, c = lstm(x, k, rk, b, h0, c0)
        leaves = [x, k, rk, b, h0, c0]
    else:
        out, h = (simple_rnn if kind == "rnn" else gru)(x, k, rk, b, h0)
        leaves = [x, k, rk, b, h0]
    assert out.shape == (N, T, U) and h.shape == (N, U)
    assert out.dtype == np.float32 and h.dtype == np.float32
    np.testing.assert_array_equal(out.data[:, -1], h.data)
    (out[:, -1] * 2.0).sum().backward()  # return_sequences=False: the caller slices
    for leaf in leaves:
        assert leaf.grad.dtype == np.float32 and leaf.grad.shape == leaf.shape


def test_gradient_through_final_state_only(rng):
    """Only h_last feeds the loss (seq2seq encoder): outputs and c_last get zero gradient."""
    arrays = _inputs(rng, "lstm", 2, 3, 2, 2)
    x, k, rk, b, h0, c0 = [baeum.tensor(a, requires_grad=True) for a in arrays]
    _, h, _ = lstm(x, k, rk, b, h0, c0)
    h.sum().backward()
    expected = {}
    for leaf, name in ((x, "x"), (h0, "h0"), (c0, "c0")):
        expected[name] = leaf.grad.data.copy()
        leaf.grad = None
    out, _, _ = lstm(x, k, rk, b, h0, c0)
    out[:, -1].sum().backward()
    for leaf, name in ((x, "x"), (h0, "h0"), (c0, "c0")):
        np.testing.assert_allclose(leaf.grad.data, expected[name], rtol=1e-12)


def test_initial_state_from_another_graph_gets_gradient(rng):
    """initial_state computed by another op (an encoder) receives its gradient."""
    x, k, rk, b, h0, c0 = _inputs(rng, "lstm", 2, 3, 2, 2)
    enc = baeum.tensor(h0, requires_grad=True)
    out, _, _ = lstm(x, k, rk, b, F.tanh(enc), F.tanh(enc))
    out.sum().backward()
    assert enc.grad is not None and np.abs(enc.grad.data).sum() > 0


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_no_grad_gives_plain_tensors(rng, kind):
    x, k, rk, b, *_ = _inputs(rng, kind, 2, 3, 2, 2, (2, 6) if kind == "gru" else None)
    op = {"rnn": simple_rnn, "lstm": lstm, "gru": gru}[kind]
    w = baeum.tensor(k, requires_grad=True)
    with baeum.no_grad():
        outs = op(x, w, rk, b)
    assert all(not o.requires_grad for o in outs)


def test_wrappers_are_in_functional():
    assert F.lstm is lstm and F.gru is gru and F.simple_rnn is simple_rnn


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x, k, rk, b: lstm(x[0], k, rk, b), "x must be 3-D"),
        (lambda x, k, rk, b: lstm(x, k[:, :4], rk, b), "kernel must have shape"),
        (lambda x, k, rk, b: lstm(x, k, rk[:, :4], b), "recurrent_kernel must have shape"),
        (lambda x, k, rk, b: lstm(x, k, rk, b[:4]), "bias must have shape"),
        (lambda x, k, rk, b: lstm(x, k, rk, b, np.zeros((3, 2))), "h0 must have shape"),
        (lambda x, k, rk, b: lstm(x, k, rk, b, None, np.zeros((2, 3))), "c0 must have shape"),
        (lambda x, k, rk, b: lstm(x[:, :0], k, rk, b), "at least one timestep"),
        (lambda x, k, rk, b: gru(x, k[:, :6], rk[:, :6], b[:6]), r"\(2, 3 \* units\)"),
        (lambda x, k, rk, b: simple_rnn(x, k[:, :2], rk[:, :2], None, activation="elu"),
         "activation must be one of"),
    ],
)
def test_clear_errors(rng, call, message):
    x, k, rk, b, *_ = _inputs(rng, "lstm", 2, 3, 4, 2)
    with pytest.raises(ValueError, match=message):
        call(x, k, rk, b)
