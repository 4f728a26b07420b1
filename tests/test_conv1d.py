"""Conv1D, MaxPooling1D, AveragePooling1D: Keras's parameter counts and shapes, values and
gradients against torch's conv1d and 1-D pools, causal padding, and a text CNN that
learns."""

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Dense, Input
from baeum.models import Sequential, load_model
from layer_harness import run_layer_test
from oracle import requires_torch, torch


@pytest.mark.parametrize("cls, kwargs, shape, out_shape, n_weights, params", [
    (layers.Conv1D, {"filters": 8, "kernel_size": 3}, (2, 10, 4), (2, 8, 8), 2, 104),
    (layers.Conv1D, {"filters": 2, "kernel_size": (5,), "padding": "same", "use_bias": False},
     (2, 7, 3), (2, 7, 2), 1, 30),
    (layers.Conv1D, {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
     (2, 9, 1), (2, 9, 4), 2, 16),
    (layers.Conv1D, {"filters": 4, "kernel_size": 2, "strides": 3}, (2, 11, 2), (2, 4, 4), 2, 20),
    (layers.Conv1D, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "causal"},
     (2, 9, 1), (2, 5, 4), 2, 16),
    (layers.MaxPooling1D, {}, (2, 9, 3), (2, 4, 3), 0, 0),
    (layers.AveragePooling1D, {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 5, 3),
     (2, 5, 3), 0, 0),
])
def test_harness(cls, kwargs, shape, out_shape, n_weights, params):
    run_layer_test(cls, kwargs, shape, out_shape, n_weights, 0, expected_params=params)


def test_keras_kernel_layout_and_the_textbook_moving_sum():
    layer = layers.Conv1D(1, 3, use_bias=False, kernel_initializer="ones")
    x = np.array([[[1.0], [2.0], [3.0], [4.0], [5.0]]])
    assert layer(x).data[0, :, 0].tolist() == [6.0, 9.0, 12.0]   # sums of 3 neighbours
    assert layer.kernel.shape == (3, 1, 1)                       # (kernel_size, C_in, filters)
    causal = layers.Conv1D(1, 3, padding="causal", use_bias=False, kernel_initializer="ones")
    assert causal(x).data[0, :, 0].tolist() == [1.0, 3.0, 6.0, 9.0, 12.0]  # only the past


@requires_torch
@pytest.mark.parametrize("kwargs, torch_padding", [
    ({}, 0),
    ({"padding": "same"}, "same"),
    ({"strides": 2}, 0),
    ({"dilation_rate": 2}, 0),
    ({"padding": "causal", "dilation_rate": 2}, "causal"),
])
def test_conv1d_matches_torch(kwargs, torch_padding, rng):
    layer = layers.Conv1D(5, 3, dtype="float64", bias_initializer="random_normal", **kwargs)
    x = rng.standard_normal((2, 11, 4))
    xb = baeum.tensor(x, requires_grad=True)
    y = layer(xb)
    k, b = layer.kernel.data, layer.bias.data
    xt = torch.tensor(x, requires_grad=True)
    kt = torch.tensor(k.transpose(2, 1, 0).copy(), requires_grad=True)   # (out, in, k)
    bt = torch.tensor(b, requires_grad=True)
    xin = xt.transpose(1, 2)
    d = kwargs.get("dilation_rate", 1)
    if torch_padding == "causal":
        xin, torch_padding = torch.nn.functional.pad(xin, (2 * d, 0)), 0
    yt = torch.nn.functional.conv1d(xin, kt, bt, stride=kwargs.get("strides", 1),
                                    padding=torch_padding, dilation=d).transpose(1, 2)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    r = rng.standard_normal(y.shape)
    (y * baeum.tensor(r)).sum().backward()
    (yt * torch.from_numpy(r)).sum().backward()
    np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.kernel.grad.data, kt.grad.numpy().transpose(2, 1, 0),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.bias.grad.data, bt.grad.numpy(), rtol=1e-10, atol=1e-12)


@requires_torch
def test_pooling_1d_matches_torch(rng):
    x = rng.standard_normal((2, 9, 3))
    for layer, torch_fn in [
        (layers.MaxPooling1D(2, dtype="float64"),
         lambda t: torch.nn.functional.max_pool1d(t, 2)),
        (layers.AveragePooling1D(3, strides=2, dtype="float64"),
         lambda t: torch.nn.functional.avg_pool1d(t, 3, 2)),
    ]:
        xb, xt = baeum.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, yt = layer(xb), torch_fn(xt.transpose(1, 2)).transpose(1, 2)
        np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12)
        r = rng.standard_normal(y.shape)
        (y * baeum.tensor(r)).sum().backward()
        (yt * torch.from_numpy(r)).sum().backward()
        np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=1e-12)


def test_errors_and_aliases():
    assert layers.MaxPool1D is layers.MaxPooling1D and layers.AvgPool1D is layers.AveragePooling1D
    with pytest.raises(ValueError, match="kernel_size must be a positive integer"):
        layers.Conv1D(4, (3, 3))
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        layers.Conv1D(4, 3, padding="full")
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        layers.Conv1D(4, 3)(np.ones((1, 5, 5, 1)))
    with pytest.raises(NotImplementedError,
                       match=r"sequences as \(N, T, C\).*transpose\(0, 2, 1\)"):
        layers.MaxPooling1D(data_format="channels_first")


def test_text_cnn_finds_a_two_word_phrase(rng, tmp_path):
    # Label 1 when the bigram (5, 6) occurs somewhere in a sequence of 12 ids: a kernel of
    # size 2 over the embeddings, then the maximum over positions, can see it.
    ids = rng.integers(1, 10, size=(600, 12))
    for row, at in zip(ids[:300], rng.integers(0, 11, 300)):   # planted in half of them
        row[at:at + 2] = (5, 6)
    y = np.array([any(r[i] == 5 and r[i + 1] == 6 for i in range(11)) for r in ids], np.int64)
    model = Sequential([Input(shape=(12,), dtype="int64"), layers.Embedding(10, 8),
                        layers.Conv1D(16, 2, activation="relu"), layers.MaxPooling1D(2),
                        layers.GlobalMaxPooling1D(), Dense(2, activation="softmax")])
    model.compile(baeum.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(ids, y, epochs=25, batch_size=32, verbose=0)
    assert model.evaluate(ids, y, verbose=0)[1] > 0.95
    model.save(tmp_path / "text_cnn.baeum")
    loaded = load_model(tmp_path / "text_cnn.baeum")
    np.testing.assert_array_equal(loaded.predict(ids[:5]), model.predict(ids[:5]))
