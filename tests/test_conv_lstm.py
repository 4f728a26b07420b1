"""ConvLSTM2D and ConvLSTM1D: outputs, states and the gradients of the input, the initial
states and every weight against a ConvLSTM written here with torch ops (torch has no
ConvLSTM layer), Keras's parameter counts and weight layout, return_sequences /
return_state / go_backwards / initial_state / masks / dropout, config and save/load, a
tiny next-frame task that learns, and the errors."""

import numpy as np
import pytest

import baeum
from baeum import functional as F
from baeum import layers
from baeum.layers import Input
from baeum.models import Sequential, load_model
from layer_harness import run_layer_test
from oracle import requires_torch, torch

if torch is not None:
    import torch.nn.functional as tF  # noqa: N812


# --- the torch reference -----------------------------------------------------------------------
def torch_conv_lstm(x, kernel, recurrent_kernel, bias, h0=None, c0=None, *, rank, strides,
                    padding, dilation, go_backwards=False, masks=None, recurrent_masks=None):
    """Keras's ConvLSTM step by step with torch convolutions. x (N, T, *spatial, C), the
    weights in Keras's layout (*k, in, 4f), states (N, *spatial', f), masks (4 per gate,
    each of a step's shape) channels-last; returns (sequence, h, c) channels-last."""
    conv = tF.conv1d if rank == 1 else tF.conv2d
    ksize = kernel.shape[:rank]
    f = kernel.shape[-1] // 4
    ones = (1,) * rank

    def nc(t):  # (N, *spatial, C) -> (N, C, *spatial)
        return t.movedim(-1, 1)

    def torch_kernel(k):  # (*k, in, out) -> (out, in, *k)
        return k.permute(rank + 1, rank, *range(rank))

    def pad_same(t, stride, dil):  # TensorFlow's "same": an odd pixel of padding at the end
        pads = []
        for n, k, s, d in zip(t.shape[2:], ksize, stride, dil):
            total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        return tF.pad(t, [p for pair in reversed(pads) for p in pair])

    def gate_convs(t, k, b, gate_masks, stride, dil, pad):
        outs = []
        for g in range(4):
            tg = t if gate_masks is None else t * nc(gate_masks[g])
            tg = pad_same(tg, stride, dil) if pad == "same" else tg
            bg = None if b is None else b[g * f:(g + 1) * f]
            outs.append(conv(tg, torch_kernel(k[..., g * f:(g + 1) * f]), bg, stride=stride,
                             dilation=dil))
        return outs

    h = None if h0 is None else nc(h0)
    c = None if c0 is None else nc(c0)
    seq = []
    for t in (range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])):
        xi, xf, xc, xo = gate_convs(nc(x[:, t]), kernel, bias, masks, strides, dilation,
                                    padding)
        if h is None:
            h = torch.zeros_like(xi)
            c = torch.zeros_like(xi)
        hi, hf, hc, ho = gate_convs(h, recurrent_kernel, None, recurrent_masks, ones, ones,
                                    "same")
        i, fg, o = torch.sigmoid(xi + hi), torch.sigmoid(xf + hf), torch.sigmoid(xo + ho)
        c = fg * c + i * torch.tanh(xc + hc)
        h = o * torch.tanh(c)
        seq.append(h.movedim(1, -1))
    return torch.stack(seq, 1), h.movedim(1, -1), c.movedim(1, -1)


CASES = [  # (layer class, kwargs, input shape)
    (layers.ConvLSTM2D, dict(filters=3, kernel_size=3), (2, 4, 6, 5, 2)),
    (layers.ConvLSTM2D, dict(filters=2, kernel_size=(3, 2), strides=2, padding="same"),
     (2, 3, 7, 6, 3)),
    (layers.ConvLSTM2D, dict(filters=2, kernel_size=2, padding="same", dilation_rate=2,
                             use_bias=False), (1, 3, 6, 6, 1)),
    (layers.ConvLSTM2D, dict(filters=2, kernel_size=(2, 4), padding="same",
                             unit_forget_bias=False), (2, 3, 5, 6, 2)),
    (layers.ConvLSTM1D, dict(filters=3, kernel_size=3), (2, 4, 9, 2)),
    (layers.ConvLSTM1D, dict(filters=2, kernel_size=4, strides=3, padding="same"),
     (2, 3, 11, 3)),
    (layers.ConvLSTM1D, dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"),
     (3, 3, 8, 1)),
]


def _random_weights(layer, rng):
    """Random weights, the bias too (zeros and ones would hide a gate mix-up)."""
    layer.set_weights([rng.standard_normal(w.shape) * 0.5 for w in layer.weights])


def _run_both(layer, x, rng, initial=False, go_backwards=False, masks=None,
              recurrent_masks=None, training=None):
    """Outputs and gradients (input, states, weights) of the layer and of the reference."""
    cell = layer.cell
    out_shape = layer.compute_output_shape(x.shape)
    state_shape = out_shape[1]
    h0 = rng.standard_normal(state_shape) if initial else None
    c0 = rng.standard_normal(state_shape) if initial else None
    upstream = [rng.standard_normal(s) for s in out_shape]

    xb = baeum.tensor(x, requires_grad=True)
    states = None if h0 is None else [baeum.tensor(h0, requires_grad=True),
                                      baeum.tensor(c0, requires_grad=True)]
    outs = layer(xb, initial_state=states, training=training)
    loss = sum((o * u).sum() for o, u in zip(outs, upstream))
    loss.backward()
    got = [o.data for o in outs] + [xb.grad.data] + \
        ([s.grad.data for s in states] if states else []) + [w.grad.data for w in layer.weights]

    xt = torch.tensor(x, requires_grad=True)
    wt = [torch.tensor(w.data.copy(), requires_grad=True) for w in layer.weights]
    kernel, recurrent_kernel = wt[0], wt[1]
    bias = wt[2] if cell.use_bias else None
    st = None if h0 is None else [torch.tensor(h0, requires_grad=True),
                                  torch.tensor(c0, requires_grad=True)]

    def as_torch(ms):
        return None if ms is None else [torch.tensor(m) for m in ms]

    seq, h, c = torch_conv_lstm(
        xt, kernel, recurrent_kernel, bias, *(st or [None, None]), rank=cell.rank,
        strides=cell.strides, padding=cell.padding, dilation=cell.dilation_rate,
        go_backwards=go_backwards, masks=as_torch(masks),
        recurrent_masks=as_torch(recurrent_masks))
    touts = [seq if layer.return_sequences else h, h, c]
    sum((o * torch.tensor(u)).sum() for o, u in zip(touts, upstream)).backward()
    want = [o.detach().numpy() for o in touts] + [xt.grad.numpy()] + \
        ([s.grad.numpy() for s in st] if st else []) + [w.grad.numpy() for w in wt]
    return got, want


def _assert_all_close(got, want):
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10, err_msg=f"result {i} differs")


# --- against torch -------------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("cls, kwargs, shape", CASES)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_outputs_states_and_every_gradient_match_torch(cls, kwargs, shape, return_sequences,
                                                       rng):
    layer = cls(**kwargs, return_sequences=return_sequences, return_state=True,
                dtype="float64")
    x = rng.standard_normal(shape)
    layer.build(x.shape)
    _random_weights(layer, rng)
    got, want = _run_both(layer, x, rng)
    _assert_all_close(got, want)


@requires_torch
@pytest.mark.parametrize("cls, kwargs, shape", [CASES[1], CASES[5]])
def test_initial_state_and_go_backwards_match_torch(cls, kwargs, shape, rng):
    layer = cls(**kwargs, return_sequences=True, return_state=True, go_backwards=True,
                dtype="float64")
    x = rng.standard_normal(shape)
    layer.build(x.shape)
    _random_weights(layer, rng)
    got, want = _run_both(layer, x, rng, initial=True, go_backwards=True)
    assert len(got) == 3 + 1 + 2 + 3  # outputs, x, h0 and c0, the weights
    _assert_all_close(got, want)


@requires_torch
@pytest.mark.parametrize("cls, kwargs, shape", [CASES[0], CASES[5]])
def test_dropout_four_masks_per_sequence_match_torch(cls, kwargs, shape, rng):
    # Keras: each gate's convolution sees its own mask, drawn once per sequence: the
    # input's four first, then h's four, from the layer's seed stream.
    layer = cls(**kwargs, dropout=0.4, recurrent_dropout=0.3, seed=5, return_state=True,
                dtype="float64")
    x = rng.standard_normal(shape)
    layer.build(x.shape)
    _random_weights(layer, rng)
    stream = np.random.default_rng(5)
    state_shape = layer.compute_output_shape(x.shape)[1]

    def draw(like_shape, rate):
        ones = baeum.tensor(np.ones(like_shape))
        return [F.dropout(ones, rate, training=True, generator=stream).data for _ in range(4)]

    masks = draw((shape[0], *shape[2:]), 0.4)
    recurrent_masks = draw(state_shape, 0.3)
    assert not all(np.array_equal(masks[0], m) for m in masks[1:])
    got, want = _run_both(layer, x, rng, masks=masks, recurrent_masks=recurrent_masks,
                          training=True)
    _assert_all_close(got, want)


# --- Keras's layout, counts and shapes ------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, in_shape, out_shape, params", [
    (layers.ConvLSTM2D, {"filters": 8, "kernel_size": 3}, (2, 4, 6, 6, 2), (2, 4, 4, 8),
     3 * 3 * 2 * 32 + 3 * 3 * 8 * 32 + 32),
    (layers.ConvLSTM2D, {"filters": 4, "kernel_size": (3, 2), "padding": "same",
                         "return_sequences": True, "return_state": True},
     (2, 3, 5, 4, 3), [(2, 3, 5, 4, 4), (2, 5, 4, 4), (2, 5, 4, 4)],
     3 * 2 * 3 * 16 + 3 * 2 * 4 * 16 + 16),
    (layers.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "strides": 2, "use_bias": False,
                         "dropout": 0.2, "recurrent_dropout": 0.2,
                         "kernel_regularizer": "l2"}, (2, 3, 7, 7, 1), (2, 3, 3, 2),
     3 * 3 * 1 * 8 + 3 * 3 * 2 * 8),
    (layers.ConvLSTM1D, {"filters": 4, "kernel_size": 3}, (2, 5, 10, 3), (2, 8, 4),
     3 * 3 * 16 + 3 * 4 * 16 + 16),
    (layers.ConvLSTM1D, {"filters": 3, "kernel_size": 2, "padding": "same",
                         "return_sequences": True, "go_backwards": True},
     (2, 4, 7, 2), (2, 4, 7, 3), 2 * 2 * 12 + 2 * 3 * 12 + 12),
])
def test_harness_and_keras_parameter_counts(cls, kwargs, in_shape, out_shape, params):
    n_weights = 3 if kwargs.get("use_bias", True) else 2
    run_layer_test(cls, kwargs, in_shape, out_shape, n_weights, 0, params)


def test_keras_weight_names_shapes_and_initializers():
    layer = layers.ConvLSTM2D(8, 3)
    layer(np.zeros((2, 3, 6, 6, 2), np.float32))
    assert layer.count_params() == 2912
    assert [w.shape for w in layer.weights] == [(3, 3, 2, 32), (3, 3, 8, 32), (32,)]
    assert [w.name.split("/")[-1] for w in layer.weights] == \
        ["kernel", "recurrent_kernel", "bias"]
    b = layer.cell.bias.data  # gates i, f, c, o: unit_forget_bias sets f's quarter to 1
    np.testing.assert_array_equal(b[8:16], 1)
    np.testing.assert_array_equal(np.delete(b, np.s_[8:16]), 0)
    r = layer.cell.recurrent_kernel.data.reshape(-1, 32)  # orthogonal, flattened as Keras's
    np.testing.assert_allclose(r.T @ r, np.eye(32), atol=1e-5)
    one = layers.ConvLSTM1D(4, 5)
    one(np.zeros((1, 2, 9, 3), np.float32))
    assert [w.shape for w in one.weights] == [(5, 3, 16), (5, 4, 16), (16,)]
    assert (layer.filters, layer.kernel_size, layer.padding) == (8, (3, 3), "valid")
    assert (one.kernel_size, one.strides, one.dilation_rate) == ((5,), (1,), (1,))


def test_return_sequences_state_and_go_backwards_agree(rng):
    x = rng.standard_normal((2, 4, 6, 6, 2)).astype(np.float32)
    full = layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True, return_state=True)
    seq, h, c = full(x)
    assert seq.shape == (2, 4, 6, 6, 3) and h.shape == c.shape == (2, 6, 6, 3)
    np.testing.assert_array_equal(seq.data[:, -1], h.data)
    last = layers.ConvLSTM2D.from_config({**full.get_config(), "return_sequences": False,
                                          "return_state": False, "name": "last"})
    last.build(x.shape)
    last.set_weights(full.get_weights())
    np.testing.assert_array_equal(last(x).data, h.data)
    # go_backwards: the reversed sequence, the outputs in processing order (as Keras's)
    back = layers.ConvLSTM2D.from_config({**full.get_config(), "go_backwards": True,
                                          "name": "back"})
    back.build(x.shape)
    back.set_weights(full.get_weights())
    seq_b, h_b, c_b = back(x)
    seq_r, h_r, c_r = full(x[:, ::-1].copy())
    for a, b in ((seq_b, seq_r), (h_b, h_r), (c_b, c_r)):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-6, atol=1e-7)
    # initial_state: continuing from the states of the first half is running it all
    _, h1, c1 = full(x[:, :2])
    seq2, h2, c2 = full(x[:, 2:], initial_state=[h1, c1])
    np.testing.assert_allclose(seq2.data, seq.data[:, 2:], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(c2.data, c.data, rtol=1e-6, atol=1e-7)


def test_mask_keeps_the_states_over_padding(rng):
    layer = layers.ConvLSTM1D(3, 3, padding="same", return_state=True)
    x = rng.standard_normal((3, 5, 6, 2)).astype(np.float32)
    lengths = [5, 3, 1]
    mask = np.arange(5)[None, :] < np.array(lengths)[:, None]
    padded = layer(x, mask=mask)
    for i, n in enumerate(lengths):
        alone = layer(x[i:i + 1, :n])
        for a, b in zip(padded, alone):
            np.testing.assert_allclose(a.data[i:i + 1], b.data, rtol=1e-5, atol=1e-6)


def test_dropout_only_in_training_and_repeatable_with_a_seed(rng):
    x = rng.standard_normal((2, 3, 5, 5, 1)).astype(np.float32)
    layer = layers.ConvLSTM2D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=3)
    plain = layers.ConvLSTM2D(2, 3)
    plain.build(x.shape)
    layer.build(x.shape)
    plain.set_weights(layer.get_weights())
    np.testing.assert_array_equal(layer(x).data, plain(x).data)
    a = layer(x, training=True).data
    assert not np.allclose(a, plain(x).data)
    again = layers.ConvLSTM2D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=3)
    again.build(x.shape)
    again.set_weights(layer.get_weights())
    np.testing.assert_array_equal(again(x, training=True).data, a)


def test_symbolic_and_functional_shapes():
    inputs = Input(shape=(5, 8, 8, 1))
    seq, h, c = layers.ConvLSTM2D(4, 3, strides=2, padding="same", return_sequences=True,
                                  return_state=True)(inputs)
    assert (seq.shape, h.shape, c.shape) == ((None, 5, 4, 4, 4), (None, 4, 4, 4),
                                             (None, 4, 4, 4))
    out = layers.ConvLSTM1D(2, 3)(Input(shape=(None, 9, 3)))
    assert out.shape == (None, 7, 2)


def test_bidirectional_wraps_it_as_keras_does(rng):
    x = rng.standard_normal((2, 4, 6, 6, 2)).astype(np.float32)
    bi = layers.Bidirectional(layers.ConvLSTM2D(3, 3, padding="same"))
    y = bi(x)
    assert y.shape == (2, 6, 6, 6) and bi.count_params() == 2 * (3 * 3 * 2 * 12 + 3 * 3 * 3 * 12
                                                                 + 12)
    np.testing.assert_array_equal(y.data[..., :3], bi.forward_layer(x).data)


def test_conv_lstm3d_is_still_missing_and_says_what_exists():
    with pytest.raises(AttributeError, match="ConvLSTM3D.*ConvLSTM1D and ConvLSTM2D"):
        layers.ConvLSTM3D  # noqa: B018


# --- saving -------------------------------------------------------------------------------------
@pytest.mark.parametrize("rank", [1, 2])
def test_config_and_save_load_round_trip(rank, rng, tmp_path):
    if rank == 2:
        x = rng.standard_normal((3, 4, 6, 6, 2)).astype(np.float32)
        model = Sequential([Input(shape=x.shape[1:]),
                            layers.ConvLSTM2D(3, (3, 2), padding="same", dropout=0.1,
                                              recurrent_regularizer="l2",
                                              return_sequences=True),
                            layers.ConvLSTM2D(2, 3, strides=2, unit_forget_bias=False),
                            layers.Flatten(), layers.Dense(1)])
    else:
        x = rng.standard_normal((3, 4, 9, 2)).astype(np.float32)
        model = Sequential([Input(shape=x.shape[1:]),
                            layers.ConvLSTM1D(3, 3, dilation_rate=2, go_backwards=True),
                            layers.Flatten(), layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(x, np.ones((3, 1), np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "conv_lstm.baeum")
    loaded = load_model(tmp_path / "conv_lstm.baeum")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(model.layers, loaded.layers):
        assert type(a) is type(b) and a.get_config() == b.get_config()
    config = model.layers[0].get_config()
    assert "cell" not in config and config["data_format"] == "channels_last"
    assert config["kernel_size"] == ([3, 2] if rank == 2 else [3])


# --- learning -----------------------------------------------------------------------------------
def _moving_dots(n, t, size, rng):
    """(n, t + 1, size, size, 1) frames of a dot moving one pixel per frame (right, left,
    down or up), staying inside the frame."""
    frames = np.zeros((n, t + 1, size, size, 1), np.float32)
    for k in range(n):
        dy, dx = [(0, 1), (0, -1), (1, 0), (-1, 0)][rng.integers(4)]
        start = [rng.integers(0, size) if d == 0 else
                 (0 if d > 0 else size - 1) + d * rng.integers(0, size - t) for d in (dy, dx)]
        for s in range(t + 1):
            frames[k, s, start[0] + s * dy, start[1] + s * dx, 0] = 1.0
    return frames


def test_learns_to_predict_the_next_frame_of_a_moving_dot():
    # From 5 frames of 8x8, where is the dot in the sixth? A softmax over the 64 pixels
    # of a 1x1 Conv2D on the ConvLSTM2D's last state; judged on unseen sequences.
    rng = np.random.default_rng(0)
    t, size = 5, 8
    train, test = _moving_dots(64, t, size, rng), _moving_dots(64, t, size, rng)
    x, y = train[:, :t], train[:, t].reshape(64, -1)
    model = Sequential([Input(shape=(t, size, size, 1)),
                        layers.ConvLSTM2D(8, 3, padding="same"),
                        layers.Conv2D(1, 1), layers.Flatten(), layers.Activation("softmax")])
    model.compile(baeum.optimizers.Adam(0.05), "categorical_crossentropy",
                  metrics=["accuracy"])
    before = model.evaluate(x, y, verbose=0)[0]
    model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    after = model.evaluate(x, y, verbose=0)[0]
    assert after < 0.1 * before, (before, after)
    accuracy = model.evaluate(test[:, :t], test[:, t].reshape(64, -1), verbose=0)[1]
    assert accuracy > 0.9, accuracy


# --- errors -------------------------------------------------------------------------------------
def test_wrong_input_rank_says_what_it_expects():
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, time, rows, cols, "
                                         r"channels\).*got shape \(2, 8, 8, 1\).*x\[:, None\]"):
        layers.ConvLSTM2D(2, 3)(np.ones((2, 8, 8, 1), np.float32))
    with pytest.raises(ValueError, match=r"\(batch, time, steps, channels\).*\(2, 9, 3\)"):
        layers.ConvLSTM1D(2, 3)(np.ones((2, 9, 3), np.float32))
    with pytest.raises(ValueError, match="expects inputs of shape"):
        layers.ConvLSTM2D(2, 3)(Input(shape=(8, 8, 1)))
    layer = layers.ConvLSTM2D(2, 3)
    layer(np.ones((1, 2, 8, 8, 1), np.float32))
    with pytest.raises(ValueError, match="expected axis 2 of input shape to have value 8"):
        layer(np.ones((1, 2, 9, 8, 1), np.float32))


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.ConvLSTM2D(2, 3, data_format="channels_first"), NotImplementedError,
     r"channels_last' only.*x.transpose\(0, 1, 3, 4, 2\)"),
    (lambda: layers.ConvLSTM1D(2, 3, data_format="channels_first"), NotImplementedError,
     r"x.transpose\(0, 1, 3, 2\)"),
    (lambda: layers.ConvLSTM2D(0, 3), ValueError, "filters must be a positive integer"),
    (lambda: layers.ConvLSTM2D(2, (3, 3, 3)), ValueError, "kernel_size must be a positive"),
    (lambda: layers.ConvLSTM1D(2, (3, 3)), ValueError, "kernel_size must be a positive int"),
    (lambda: layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2), ValueError,
     "strides > 1 cannot be combined with dilation_rate > 1"),
    (lambda: layers.ConvLSTM2D(2, 3, padding="causal"), ValueError, "'valid' or 'same'"),
    (lambda: layers.ConvLSTM2D(2, 3, dropout=1.0), ValueError, r"dropout must be in \[0, 1\)"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_kernel_larger_than_the_frame_and_bad_initial_state():
    with pytest.raises(ValueError, match="5x5 kernel is larger than the padded input 3x3"):
        layers.ConvLSTM2D(2, 5)(np.ones((1, 2, 3, 3, 1), np.float32))
    layer = layers.ConvLSTM2D(2, 3)
    x = np.ones((1, 2, 6, 6, 1), np.float32)
    with pytest.raises(ValueError, match="expects initial_state with 2 state"):
        layer(x, initial_state=[np.zeros((1, 4, 4, 2), np.float32)])
    with pytest.raises(ValueError, match=r"state of shape \(1, 6, 6, 2\).*\(1, 4, 4, 2\)"):
        layer(x, initial_state=[np.zeros((1, 6, 6, 2), np.float32)] * 2)
