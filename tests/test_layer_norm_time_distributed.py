"""LayerNormalization (against torch's layer_norm, values and gradients) and
TimeDistributed (the wrapped layer on every timestep, one set of weights)."""

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Dense, Input
from baeum.models import Sequential, load_model
from layer_harness import run_layer_test
from oracle import requires_torch, torch


@pytest.mark.parametrize("cls, kwargs, shape, out_shape, n_weights, params", [
    (layers.LayerNormalization, {}, (2, 10, 64), (2, 10, 64), 2, 128),
    (layers.LayerNormalization, {"axis": [1, 2], "center": False}, (2, 3, 4), (2, 3, 4), 1, 12),
    (layers.TimeDistributed, {"layer": Dense(4)}, (2, 5, 3), (2, 5, 4), 2, 16),
])
def test_harness(cls, kwargs, shape, out_shape, n_weights, params):
    if cls is layers.TimeDistributed:
        kwargs = {"layer": Dense(4)}  # a fresh inner layer for each run of the harness
    run_layer_test(cls, kwargs, shape, out_shape, n_weights, 0, expected_params=params)


@requires_torch
@pytest.mark.parametrize("axis, torch_shape", [(-1, (6,)), ([1, 2], (4, 6))])
def test_layer_normalization_matches_torch(axis, torch_shape, rng):
    layer = layers.LayerNormalization(axis=axis, dtype="float64", epsilon=1e-3,
                                      gamma_initializer="random_normal",
                                      beta_initializer="random_normal")
    x = 3.0 + 2.0 * rng.standard_normal((3, 4, 6))
    xb = baeum.tensor(x, requires_grad=True)
    y = layer(xb)
    xt = torch.tensor(x, requires_grad=True)
    gt = torch.tensor(layer.gamma.data, requires_grad=True)
    bt = torch.tensor(layer.beta.data, requires_grad=True)
    yt = torch.nn.functional.layer_norm(xt, torch_shape, gt, bt, eps=1e-3)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    r = rng.standard_normal(y.shape)
    (y * baeum.tensor(r)).sum().backward()
    (yt * torch.from_numpy(r)).sum().backward()
    for ours, theirs in [(xb.grad, xt.grad), (layer.gamma.grad, gt.grad), (layer.beta.grad,
                                                                            bt.grad)]:
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-9, atol=1e-11)


def test_layer_normalization_is_per_sample_and_the_same_in_training():
    x = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    layer = layers.LayerNormalization(epsilon=1e-6)
    a, b = layer(x, training=True).data, layer(x, training=False).data
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[0], a[1], rtol=1e-5)        # a row's scale does not matter
    np.testing.assert_allclose(a.mean(axis=1), 0, atol=1e-6)
    with pytest.raises(ValueError, match="after the batch axis"):
        layers.LayerNormalization(axis=0)(x)
    with pytest.raises(TypeError, match="integer or a list"):
        layers.LayerNormalization(axis="features")


def test_time_distributed_is_the_layer_on_each_step_with_one_set_of_weights(rng):
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    dense = Dense(4)
    wrapped = layers.TimeDistributed(dense)
    out = wrapped(x).data
    for t in range(5):
        np.testing.assert_allclose(out[:, t], dense(x[:, t]).data, rtol=1e-6)
    assert wrapped.count_params() == 16 and wrapped.weights == dense.weights
    frames = layers.TimeDistributed(layers.Conv2D(8, 3))(Input(shape=(4, 28, 28, 1)))
    assert frames.shape == (None, 4, 26, 26, 8)
    with pytest.raises(ValueError, match="rank >= 3, got shape \\(2, 3\\)"):
        layers.TimeDistributed(Dense(2))(np.ones((2, 3)))
    with pytest.raises(ValueError, match="wraps a layer"):
        layers.TimeDistributed("dense")


def test_tagger_with_time_distributed_and_layer_norm_trains_saves_and_loads(rng, tmp_path):
    # One label per step: is this step's value bigger than the previous one?
    x = rng.standard_normal((300, 6, 1)).astype(np.float32)
    y = np.concatenate([np.zeros((300, 1)), (np.diff(x[..., 0], axis=1) > 0)], axis=1)
    model = Sequential([Input(shape=(6, 1)), layers.LSTM(16, return_sequences=True),
                        layers.LayerNormalization(),
                        layers.TimeDistributed(Dense(2, activation="softmax"))])
    model.compile(baeum.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y.astype(np.int64), epochs=30, batch_size=32, verbose=0)
    assert model.evaluate(x, y.astype(np.int64), verbose=0)[1] > 0.9
    model.save(tmp_path / "tagger.baeum")
    loaded = load_model(tmp_path / "tagger.baeum")
    np.testing.assert_array_equal(loaded.predict(x[:3]), model.predict(x[:3]))
