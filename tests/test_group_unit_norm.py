"""GroupNormalization (against torch.nn.GroupNorm on channels-last inputs, gradients
included), UnitNormalization (Keras's epsilon; against torch's F.normalize) and Identity:
harness runs with Keras parameter counts, saving, masks and errors."""

import doctest

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Input
from baeum.models import Sequential, load_model
from layer_harness import run_layer_test
from oracle import requires_torch, torch


# --- GroupNormalization -----------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, n_weights, params", [
    ({"groups": 2}, (2, 4, 4, 6), 2, 12),
    ({"groups": 3, "center": False}, (2, 5, 6), 1, 6),
    ({"groups": -1, "center": False}, (2, 5, 6), 1, 6),          # instance normalization
    ({"groups": 1, "axis": 1, "gamma_regularizer": "l2"}, (2, 4, 3), 2, 8),
    ({"groups": 2, "center": False, "scale": False}, (3, 4), 0, 0),
])
def test_group_normalization_harness(kwargs, input_shape, n_weights, params):
    run_layer_test(layers.GroupNormalization, kwargs, input_shape, input_shape, n_weights, 0,
                   params)


def test_group_normalization_keras_defaults():
    layer = layers.GroupNormalization()
    assert (layer.groups, layer.axis, layer.epsilon, layer.center, layer.scale) == \
        (32, -1, 1e-3, True, True)
    layer(np.ones((2, 3, 64), np.float32))
    assert [w.name for w in layer.weights] == [f"{layer.name}/gamma", f"{layer.name}/beta"]
    assert layer.count_params() == 128


def _torch_group_norm(groups, channels, gamma, beta, eps):
    module = torch.nn.GroupNorm(groups, channels, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        module.weight.copy_(torch.tensor(gamma))
        module.bias.copy_(torch.tensor(beta))
    return module


@requires_torch
@pytest.mark.parametrize("shape, groups", [((3, 5, 4, 6), 3), ((3, 7, 8), 2), ((4, 6), 3),
                                           ((2, 3, 4, 6), 1)])
def test_group_normalization_matches_torch_gradients_included(shape, groups, rng):
    channels = shape[-1]
    layer = layers.GroupNormalization(groups=groups, epsilon=1e-5, dtype="float64",
                                      gamma_initializer="random_normal",
                                      beta_initializer="random_normal")
    layer.build((None, *shape[1:]))
    gamma, beta = layer.gamma.data, layer.beta.data
    module = _torch_group_norm(groups, channels, gamma, beta, 1e-5)
    x = rng.standard_normal(shape) * 3 + 1
    xb = baeum.tensor(x, requires_grad=True)
    out = layer(xb)
    # torch is channels-first: move the channels to axis 1 and back.
    xt = torch.tensor(x, requires_grad=True)
    expected = module(xt.movedim(-1, 1)).movedim(1, -1)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    r = rng.standard_normal(out.shape)
    (out * baeum.tensor(r)).sum().backward()
    (expected * torch.from_numpy(r)).sum().backward()
    np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(layer.gamma.grad.data, module.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(layer.beta.grad.data, module.bias.grad.numpy(), rtol=1e-9)


@requires_torch
def test_group_normalization_channels_first_axis_matches_torch(rng):
    x = rng.standard_normal((2, 6, 5, 5))
    layer = layers.GroupNormalization(groups=3, axis=1, dtype="float64")
    module = _torch_group_norm(3, 6, np.ones(6), np.zeros(6), 1e-3)
    np.testing.assert_allclose(layer(x).data, module(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_group_normalization_special_cases(rng):
    x = rng.standard_normal((4, 5, 6))
    plain = {"center": False, "scale": False, "dtype": "float64"}
    # groups=1: each sample over everything, as LayerNormalization over all its axes
    np.testing.assert_allclose(
        layers.GroupNormalization(groups=1, **plain)(x).data,
        layers.LayerNormalization(axis=[1, 2], **plain)(x).data, rtol=1e-10, atol=1e-12)
    # groups=-1: each channel on its own (instance normalization)
    y = layers.GroupNormalization(groups=-1, **plain)(x).data
    np.testing.assert_allclose(y.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=1), 1 / (1 + 1e-3 / x.var(axis=1)), rtol=1e-10)
    # the same in training and inference: no batch statistics
    layer = layers.GroupNormalization(groups=2)
    np.testing.assert_array_equal(layer(x, training=True).data, layer(x).data)


def test_group_normalization_saves_and_loads(rng, tmp_path):
    model = Sequential([Input(shape=(6, 6, 4)), layers.Conv2D(8, 3),
                        layers.GroupNormalization(groups=4, gamma_initializer="random_normal"),
                        layers.UnitNormalization(axis=[1, 2]), layers.Identity(),
                        layers.Flatten(), layers.Dense(2)])
    model.save(tmp_path / "norms.baeum")
    loaded = load_model(tmp_path / "norms.baeum")
    x = rng.standard_normal((3, 6, 6, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    config = loaded.layers[1].get_config()
    assert config["groups"] == 4 and config["epsilon"] == 1e-3


def test_group_normalization_errors():
    with pytest.raises(ValueError, match=r"the 6 channels .* groups=4 .* groups must divide 6"):
        layers.GroupNormalization(groups=4)(np.ones((2, 6), np.float32))
    with pytest.raises(ValueError, match=r"the 3 channels .* groups=32"):
        layers.GroupNormalization()(np.ones((2, 5, 3), np.float32))
    with pytest.raises(ValueError, match="must be known"):
        layers.GroupNormalization(groups=2)(Input(shape=(4, None)))
    with pytest.raises(ValueError, match="after the batch axis"):
        layers.GroupNormalization(groups=1, axis=0)(np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(TypeError, match="axis must be an integer"):
        layers.GroupNormalization(axis=[1, 2])
    layer = layers.GroupNormalization(groups=2)
    layer(np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer(np.ones((2, 6), np.float32))


# --- UnitNormalization ------------------------------------------------------------------------
def test_unit_normalization_harness_and_values(rng):
    run_layer_test(layers.UnitNormalization, {}, (3, 5), (3, 5), 0, 0, 0)
    run_layer_test(layers.UnitNormalization, {"axis": [1, 2]}, (3, 4, 5), (3, 4, 5), 0, 0, 0)
    x = rng.standard_normal((4, 3, 5))
    y = layers.UnitNormalization(axis=(1, 2), dtype="float64")(x).data
    np.testing.assert_allclose((y ** 2).sum(axis=(1, 2)), 1, rtol=1e-12)
    assert layers.UnitNormalization(axis=(1, 2)).get_config()["axis"] == [1, 2]


def test_unit_normalization_epsilon_keeps_tiny_and_zero_vectors_finite():
    layer = layers.UnitNormalization(dtype="float64")
    x = baeum.tensor(np.array([[0.0, 0.0], [3e-8, 4e-8], [3.0, 4.0]]), requires_grad=True)
    y = layer(x)
    # Keras: x / sqrt(max(sum(x**2), 1e-12)): below a norm of 1e-6, divided by 1e-6
    np.testing.assert_allclose(y.data, [[0, 0], [0.03, 0.04], [0.6, 0.8]], rtol=1e-12)
    y.sum().backward()
    assert np.all(np.isfinite(x.grad.data))
    np.testing.assert_allclose(x.grad.data[:2], 1e6)   # x / 1e-6: slope 1e6


@requires_torch
def test_unit_normalization_matches_torch_normalize(rng):
    x = rng.standard_normal((4, 6))
    x[0] *= 1e-8  # below the epsilon: both divide by 1e-6
    xb, xt = baeum.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = layers.UnitNormalization(dtype="float64")(xb)
    expected = torch.nn.functional.normalize(xt, p=2.0, dim=-1, eps=1e-6)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-14)
    r = rng.standard_normal(x.shape)
    (out * baeum.tensor(r)).sum().backward()
    (expected * torch.from_numpy(r)).sum().backward()
    np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_unit_normalization_bad_axis():
    with pytest.raises(TypeError, match="axis must be an integer or a list"):
        layers.UnitNormalization(axis="last")


# --- Identity ---------------------------------------------------------------------------------
def test_identity_passes_inputs_and_masks(rng):
    run_layer_test(layers.Identity, {}, (2, 3, 4), (2, 3, 4), 0, 0, 0)
    x = rng.standard_normal((2, 3))
    layer = layers.Identity(dtype="float64")
    np.testing.assert_array_equal(layer(x).data, x)
    a, b = layer([x, 2 * x])
    np.testing.assert_array_equal(b.data, 2 * x)
    assert layer.compute_output_shape((None, 3)) == (None, 3)
    # the mask of Embedding(mask_zero=True) goes through, to the LSTM after it
    ids = np.array([[3, 4, 0, 0], [5, 6, 7, 1]])
    with_identity = Sequential([Input(shape=(4,), dtype="int64"),
                                layers.Embedding(8, 3, mask_zero=True), layers.Identity(),
                                layers.LSTM(2)])
    out = with_identity(ids).data
    alone = with_identity(ids[:1, :2]).data
    np.testing.assert_allclose(out[:1], alone, rtol=1e-6)
    seq = layers.Embedding(8, 3, mask_zero=True)(ids)
    np.testing.assert_array_equal(layers.Identity()(seq)._keras_mask, ids != 0)


def test_docstring_examples():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for cls in (layers.GroupNormalization, layers.UnitNormalization, layers.Identity):
        for test in finder.find(cls, globs={}):
            runner.run(test)
    assert runner.failures == 0 and runner.tries >= 6
