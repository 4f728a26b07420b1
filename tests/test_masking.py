"""Masking, Keras's way: Embedding(mask_zero=True) marks id 0 as padding; recurrent
layers keep their states over padded steps, GlobalAveragePooling1D averages the real
ones, Bidirectional zeroes them. Checked against torch's packed sequences, against the
same sequences without padding, and by finite differences."""

import warnings

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Dense, Input
from baeum.models import Sequential, load_model
from baeum.ops.recurrent import gru, lstm, simple_rnn
from oracle import requires_torch, torch

N, T, D, U = 4, 6, 3, 5
LENGTHS = [6, 4, 1, 3]                  # right padding: sample i has LENGTHS[i] real steps


def _right_padded_mask():
    return np.arange(T)[None, :] < np.array(LENGTHS)[:, None]


def _weights(kind, rng):
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    k, rk = rng.standard_normal((D, gates * U)), rng.standard_normal((U, gates * U))
    b = rng.standard_normal((2, 3 * U) if kind == "gru" else (gates * U,))
    return [0.5 * k, 0.5 * rk, 0.1 * b]


def _run(kind, x, weights, mask):
    op = {"rnn": simple_rnn, "lstm": lstm, "gru": gru}[kind]
    return op(x, *weights, mask=mask)


@requires_torch
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_right_padding_matches_torch_packed_sequences(kind, rng):
    x = rng.standard_normal((N, T, D))
    mask = _right_padded_mask()
    weights = _weights(kind, rng)
    xb = baeum.tensor(x, requires_grad=True)
    wb = [baeum.tensor(w, requires_grad=True) for w in weights]
    out, h = _run(kind, xb, wb, mask)[:2]

    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        D, U, batch_first=True, dtype=torch.float64)
    k, rk, b = weights
    perm = np.r_[U:2 * U, 0:U, 2 * U:3 * U] if kind == "gru" else slice(None)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor(k[:, perm].T))
        module.weight_hh_l0.copy_(torch.tensor(rk[:, perm].T))
        if kind == "gru":
            module.bias_ih_l0.copy_(torch.tensor(b[0, perm]))
            module.bias_hh_l0.copy_(torch.tensor(b[1, perm]))
        else:
            module.bias_ih_l0.copy_(torch.tensor(b))
            module.bias_hh_l0.zero_()
    xt = torch.tensor(x, requires_grad=True)
    packed = torch.nn.utils.rnn.pack_padded_sequence(xt, LENGTHS, batch_first=True,
                                                     enforce_sorted=False)
    out_packed, h_t = module(packed)
    h_t = (h_t[0] if kind == "lstm" else h_t)[0]
    out_t, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, batch_first=True,
                                                      total_length=T)
    np.testing.assert_allclose(h.data, h_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    valid = mask[:, :, None]
    np.testing.assert_allclose(out.data * valid, out_t.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    # Keras: a padded step repeats the sample's last real output.
    last = out.data[np.arange(N), np.array(LENGTHS) - 1]
    np.testing.assert_allclose(out.data[:, -1], last)

    r_out, r_h = rng.standard_normal(out.shape) * valid, rng.standard_normal(h.shape)
    ((out * baeum.tensor(r_out)).sum() + (h * baeum.tensor(r_h)).sum()).backward()
    ((out_t * torch.from_numpy(r_out)).sum() + (h_t * torch.from_numpy(r_h)).sum()).backward()
    np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert np.all(xb.grad.data[~mask] == 0)                      # padding gets no gradient
    tk = module.weight_ih_l0.grad.numpy().T
    inv = np.argsort(np.arange(3 * U)[perm]) if kind == "gru" else slice(None)
    np.testing.assert_allclose(wb[0].grad.data, tk[:, inv], rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(wb[1].grad.data, module.weight_hh_l0.grad.numpy().T[:, inv],
                               rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru", "gru_reset_before"])
def test_masks_with_holes_pass_gradcheck_initial_states_included(kind, rng):
    mask = rng.random((3, 5)) < 0.6
    mask[0] = False                                   # a sample that is all padding
    x = rng.standard_normal((3, 5, 2))
    gates = {"rnn": 1, "lstm": 4}.get(kind, 3)
    k, rk = 0.5 * rng.standard_normal((2, gates * 3)), 0.5 * rng.standard_normal((3, gates * 3))
    b = 0.1 * rng.standard_normal((2, 9) if kind == "gru" else (gates * 3,))
    h0 = rng.standard_normal((3, 3))
    if kind == "lstm":
        def fn(x, k, rk, b, h0, c0):
            out, h, c = lstm(x, k, rk, b, h0, c0, mask=mask)
            return out.sum(axis=2) + h.sum(axis=1, keepdims=True) + c.sum(axis=1, keepdims=True)
        assert baeum.gradcheck(fn, x, k, rk, b, h0, rng.standard_normal((3, 3)))
    else:
        op = {"rnn": simple_rnn, "gru": gru,
              "gru_reset_before": lambda *a, **kw: gru(*a, reset_after=False, **kw)}[kind]

        def fn(x, k, rk, b, h0):
            out, h = op(x, k, rk, b, h0, mask=mask)
            return out.sum(axis=2) + h.sum(axis=1, keepdims=True)
        assert baeum.gradcheck(fn, x, k, rk, b, h0)
    out, h = simple_rnn(x, k[:, :3], rk[:, :3], None, h0, mask=mask)[:2]
    np.testing.assert_array_equal(h.data[0], h0[0])   # all padding: the state never moves


@pytest.mark.parametrize("padding", ["post", "pre"])
@pytest.mark.parametrize("make", [
    lambda: layers.LSTM(4),
    lambda: layers.GRU(4, go_backwards=True),
    lambda: layers.Bidirectional(layers.SimpleRNN(4)),
])
def test_padded_sequences_give_the_unpadded_result(make, padding, rng):
    embed = layers.Embedding(20, 3, mask_zero=True)
    recurrent = make()
    sentences = [[5, 3, 9], [7], [2, 8, 4, 4, 1]]
    width = 6
    padded = np.zeros((3, width), np.int64)
    for row, ids in zip(padded, sentences):
        if padding == "post":
            row[:len(ids)] = ids
        else:
            row[width - len(ids):] = ids
    together = recurrent(embed(padded)).data
    for i, ids in enumerate(sentences):
        alone = recurrent(embed(np.array([ids]))).data
        np.testing.assert_allclose(together[i], alone[0], rtol=1e-5, atol=1e-6)


def test_stacked_recurrent_layers_and_dense_pass_the_mask_on(rng):
    model = Sequential([Input(shape=(5,), dtype="int64"), layers.Embedding(10, 3, mask_zero=True),
                        Dense(4), layers.LSTM(4, return_sequences=True), layers.GRU(2)])
    short, padded = np.array([[3, 1, 4]]), np.array([[3, 1, 4, 0, 0]])
    np.testing.assert_allclose(model(padded).data, model(short).data, rtol=1e-5, atol=1e-6)
    seq = Sequential([Input(shape=(5,), dtype="int64"), layers.Embedding(10, 3, mask_zero=True),
                      layers.Bidirectional(layers.LSTM(2, return_sequences=True))])
    out = seq(padded).data
    assert np.all(out[0, 3:] == 0) and np.all(out[0, :3] != 0)   # Keras zeroes padded steps


def test_global_average_pooling_1d_averages_the_real_steps_only():
    embed = layers.Embedding(10, 2, mask_zero=True, embeddings_initializer="ones")
    pooled = layers.GlobalAveragePooling1D()(embed(np.array([[4, 0, 0, 0], [1, 2, 0, 0]])))
    np.testing.assert_allclose(pooled.data, np.ones((2, 2)))      # not 0.25 and 0.5
    x = baeum.tensor(np.array([[[2.0], [4.0], [9.0]]]), requires_grad=True)
    out = layers.GlobalAveragePooling1D()(x, mask=np.array([[True, True, False]]))
    out.sum().backward()
    assert out.data.tolist() == [[3.0]] and x.grad.data[0, :, 0].tolist() == [0.5, 0.5, 0.0]


def test_without_mask_zero_padding_counts():
    embed = layers.Embedding(10, 2, embeddings_initializer="ones")
    assert not hasattr(embed(np.array([[1, 0]])), "_keras_mask")
    pooled = layers.GlobalAveragePooling1D()(embed(np.array([[1, 0]]))).data
    np.testing.assert_allclose(pooled, [[1.0, 1.0]])              # zeros' rows are ones too


def test_mask_of_the_wrong_shape_is_a_clear_error():
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, timesteps\) = "
                                         r"\(2, 3\), got \(2, 4\)"):
        layers.LSTM(2)(np.ones((2, 3, 1)), mask=np.ones((2, 4), bool))


def test_text_classifier_with_padding_learns_and_round_trips(rng, tmp_path):
    # The "text classification with an RNN" tutorial's model: Embedding(mask_zero=True),
    # Bidirectional(LSTM), Dense. Sentences of 2-8 ids, zero-padded at the end; the label
    # is whether the sentence's last word is 7. Without the mask the model would see a
    # padded sentence's last word as 0.
    lengths = rng.integers(2, 9, size=400)
    ids = np.zeros((400, 8), np.int64)
    for row, n in zip(ids, lengths):
        row[:n] = rng.integers(1, 10, size=n)
    ids[:200, :][np.arange(200), lengths[:200] - 1] = 7
    y = (ids[np.arange(400), lengths - 1] == 7).astype(np.int64)
    model = Sequential([Input(shape=(8,), dtype="int64"),
                        layers.Embedding(10, 8, mask_zero=True),
                        layers.Bidirectional(layers.LSTM(8)),
                        Dense(2, activation="softmax")])
    model.compile(baeum.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(ids, y, epochs=15, batch_size=32, verbose=0)
    assert model.evaluate(ids, y, verbose=0)[1] > 0.95
    model.save(tmp_path / "text.baeum")
    loaded = load_model(tmp_path / "text.baeum")
    np.testing.assert_array_equal(loaded.predict(ids[:6]), model.predict(ids[:6]))


def test_padded_steps_count_in_neither_the_loss_nor_the_metrics(rng):
    # A tagger: one label per word. The labels under the padding are junk; Keras leaves
    # the padded steps out of the loss (a mean over the real steps) and of the metrics.
    ids = np.array([[3, 5, 2, 0, 0], [4, 1, 0, 0, 0], [2, 2, 2, 2, 6]])
    tags = rng.integers(0, 3, size=ids.shape)
    model = Sequential([Input(shape=(5,), dtype="int64"), layers.Embedding(7, 4, mask_zero=True),
                        layers.LSTM(4, return_sequences=True), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    logs = model.evaluate(ids, tags, return_dict=True, verbose=0)
    probs, real = model.predict(ids), ids != 0
    picked = np.take_along_axis(probs, tags[..., None], axis=-1)[..., 0]
    np.testing.assert_allclose(logs["loss"], -np.log(picked[real]).mean(), rtol=1e-5)
    hits = probs.argmax(-1) == tags
    np.testing.assert_allclose(logs["accuracy"], hits[real].mean(), rtol=1e-6)

    junk = tags.copy()
    junk[~real] = (junk[~real] + 1) % 3                 # other labels under the padding only
    before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(ids, tags)
    after_tags = model.get_weights()
    model.set_weights(before)
    model.optimizer = baeum.optimizers.Adam()           # the same fresh optimizer state
    model.compile(model.optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.train_on_batch(ids, junk)
    for a, b in zip(after_tags, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_merging_layers_combine_their_inputs_masks():
    # Two padded sentences, embedded twice: the masks are OR-ed by the elementwise merges
    # and by a concatenation of features, joined by a concatenation of steps.
    ids_a = np.array([[3, 1, 0, 0]])
    ids_b = np.array([[5, 0, 0, 0]])
    embed = layers.Embedding(10, 2, mask_zero=True)
    a, b = embed(ids_a), embed(ids_b)
    assert layers.Add()([a, b])._keras_mask.tolist() == [[True, True, False, False]]
    assert layers.Concatenate()([a, b])._keras_mask.tolist() == [[True, True, False, False]]
    steps = layers.Concatenate(axis=1)([a, b])
    assert steps._keras_mask.tolist() == [[True, True, False, False, True, False, False, False]]
    plain = baeum.tensor(np.ones((1, 4, 2), np.float32))
    assert not hasattr(layers.Add()([a, plain]), "_keras_mask")       # as Keras: no mask
    assert layers.Concatenate()([a, plain])._keras_mask.tolist() == [[True] * 4]
    # A recurrent layer after the merge skips the padded steps.
    lstm = layers.LSTM(3)
    merged = lstm(layers.Add()([a, b])).data
    short = lstm(layers.Add()([embed(ids_a[:, :2]), embed(ids_b[:, :2])])).data
    np.testing.assert_allclose(merged, short, rtol=1e-5, atol=1e-6)


def test_a_layer_that_cannot_use_the_mask_says_it_drops_it_once():
    # Conv1D and GlobalMaxPooling1D have no masking in Keras 3 either: Keras warns.
    model = Sequential([Input(shape=(5,)), layers.Embedding(10, 4, mask_zero=True),
                        layers.Conv1D(3, 2), layers.GlobalMaxPooling1D(), Dense(1)])
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    with pytest.warns(UserWarning, match=r"Layer 'conv1d\w*' \(of type Conv1D\) was passed "
                      r"an input with a mask .* will therefore destroy the mask"):
        model.predict(ids, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # once per layer, not once per batch
        model.predict(ids, verbose=0)


def test_layers_that_use_or_pass_the_mask_do_not_warn():
    inputs = Input(shape=(5, 4))
    x = layers.Dense(4)(inputs)                              # passes it on
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(x)
    a = layers.GlobalAveragePooling1D()(x)                   # uses it
    b = layers.LSTM(2)(x)                                    # uses it, returns no sequence
    inner = baeum.Model(inputs, Dense(1)(layers.concatenate([a, b])))
    model = Sequential([Input(shape=(5,)), layers.Embedding(10, 4, mask_zero=True),
                        inner])                              # a model hands it to its layers
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        masked = model.predict(ids, verbose=0)
    # The mask reached the inner model's layers: what the padding id embeds to is unused.
    embedding = model.layers[0]
    embedding.embeddings.data[0] = 100.0
    np.testing.assert_allclose(model.predict(ids, verbose=0), masked, rtol=1e-6)
