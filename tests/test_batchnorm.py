"""BatchNormalization: the fused op against torch and a NumPy reference, and the layer.

Keras and torch agree on the normalization (biased batch variance) and, with
torch_momentum = 1 - keras_momentum, on the moving mean. They differ on the moving
variance: torch averages in the *unbiased* batch variance (divide by M - 1), Keras the
biased one (divide by M). The moving variance is therefore checked against Keras's
formula in NumPy, and the torch difference is pinned down by its own test.
"""

import numpy as np
import pytest

import baeum
from baeum.layers import BatchNormalization, Input
from baeum.ops.normalization import batch_norm
from layer_harness import run_layer_test
from oracle import compare, requires_torch, torch


def _keras_reference(x, gamma, beta, moving_mean, moving_var, momentum, eps, axis=-1):
    """NumPy transcription of Keras's training step: output and new moving stats."""
    axes = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)   # biased, as keras.ops.moments
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = y * gamma.reshape(shape) + beta.reshape(shape)
    return (y, moving_mean * momentum + mean * (1 - momentum),
            moving_var * momentum + var * (1 - momentum))


def _state(c, rng):
    return (baeum.tensor(rng.standard_normal(c)), baeum.tensor(rng.uniform(0.5, 2.0, c)))


# --- the op against torch (float64, forward and every gradient) ---------------------------
@requires_torch
@pytest.mark.parametrize("shape", [(16, 5), (4, 3, 5, 6)])
def test_training_forward_and_grads_match_torch(shape, rng):
    c = shape[-1]
    mm, mv = _state(c, rng)
    t_mm, t_mv = torch.tensor(mm.data.copy()), torch.tensor(mv.data.copy())

    def torch_bn(x, g, b):
        if x.ndim == 4:  # torch is channels-first
            y = torch.nn.functional.batch_norm(x.permute(0, 3, 1, 2), t_mm, t_mv, g, b,
                                               training=True, momentum=0.01, eps=1e-3)
            return y.permute(0, 2, 3, 1)
        return torch.nn.functional.batch_norm(x, t_mm, t_mv, g, b, training=True,
                                              momentum=0.01, eps=1e-3)

    compare(lambda x, g, b: batch_norm(x, mm, mv, g, b, training=True, momentum=0.99,
                                       epsilon=1e-3),
            torch_bn,
            [rng.standard_normal(shape) * 3 + 1, rng.uniform(0.5, 2, c),
             rng.standard_normal(c)])
    # The moving mean follows the same rule in both (torch momentum = 1 - Keras momentum).
    np.testing.assert_allclose(mm.data, t_mm.numpy(), rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("shape", [(16, 5), (4, 3, 5, 6)])
def test_inference_forward_and_grads_match_torch(shape, rng):
    c = shape[-1]
    mm, mv = _state(c, rng)
    t_mm, t_mv = torch.tensor(mm.data.copy()), torch.tensor(mv.data.copy())

    def torch_bn(x, g, b):
        xc = x.permute(0, 3, 1, 2) if x.ndim == 4 else x
        y = torch.nn.functional.batch_norm(xc, t_mm, t_mv, g, b, training=False, eps=1e-3)
        return y.permute(0, 2, 3, 1) if x.ndim == 4 else y

    before = mm.data.copy()
    compare(lambda x, g, b: batch_norm(x, mm, mv, g, b, training=False, epsilon=1e-3),
            torch_bn,
            [rng.standard_normal(shape), rng.uniform(0.5, 2, c), rng.standard_normal(c)])
    np.testing.assert_array_equal(mm.data, before)   # inference never updates the state


@requires_torch
def test_torch_running_var_uses_unbiased_variance_keras_does_not(rng):
    x = rng.standard_normal((8, 3))
    mm, mv = baeum.tensor(np.zeros(3)), baeum.tensor(np.ones(3))
    batch_norm(baeum.tensor(x), mm, mv, training=True, momentum=0.9)
    t_mm, t_mv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    torch.nn.functional.batch_norm(torch.tensor(x), t_mm, t_mv, training=True, momentum=0.1)
    m = x.shape[0]
    np.testing.assert_allclose(mv.data, 0.9 + 0.1 * x.var(axis=0), rtol=1e-12)
    np.testing.assert_allclose(t_mv.numpy(), 0.9 + 0.1 * x.var(axis=0) * m / (m - 1),
                               rtol=1e-12)


# --- the op against Keras's formulas, and finite differences --------------------------------
@pytest.mark.parametrize("shape, axis", [((10, 4), -1), ((3, 4, 5, 2), -1), ((3, 4, 5, 2), 1)])
def test_training_step_matches_keras_formula(shape, axis, rng):
    x = rng.standard_normal(shape) * 2 + 3
    c = shape[axis]
    gamma, beta = rng.uniform(0.5, 2, c), rng.standard_normal(c)
    mm0, mv0 = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    mm, mv = baeum.tensor(mm0.copy()), baeum.tensor(mv0.copy())
    y = batch_norm(baeum.tensor(x), mm, mv, baeum.tensor(gamma), baeum.tensor(beta),
                   training=True, momentum=0.9, epsilon=1e-3, axis=axis)
    ref_y, ref_mm, ref_mv = _keras_reference(x, gamma, beta, mm0, mv0, 0.9, 1e-3, axis)
    np.testing.assert_allclose(y.data, ref_y, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mm.data, ref_mm, rtol=1e-12)
    np.testing.assert_allclose(mv.data, ref_mv, rtol=1e-12)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("center, scale", [(True, True), (False, True), (True, False),
                                           (False, False)])
def test_gradcheck(training, center, scale, rng):
    c = 3
    mm, mv = _state(c, rng)
    inputs = [rng.standard_normal((2, 3, 2, c))]
    if scale:
        inputs.append(rng.uniform(0.5, 2, c))
    if center:
        inputs.append(rng.standard_normal(c))

    def fn(x, *params):
        gamma = params[0] if scale else None
        beta = params[-1] if center else None
        return batch_norm(x, mm, mv, gamma, beta, training=training, epsilon=1e-3)

    assert baeum.gradcheck(fn, *inputs)


def test_gradcheck_channels_first_axis(rng):
    mm, mv = _state(3, rng)
    assert baeum.gradcheck(
        lambda x, g, b: batch_norm(x, mm, mv, g, b, training=True, axis=1),
        rng.standard_normal((2, 3, 2, 2)), rng.uniform(0.5, 2, 3), rng.standard_normal(3))


# --- the layer ---------------------------------------------------------------------------------
def test_layer_harness_2d():
    run_layer_test(BatchNormalization, {}, input_shape=(8, 64), expected_output_shape=(8, 64),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=2,
                   expected_params=256)


def test_layer_harness_4d():
    run_layer_test(BatchNormalization, {"momentum": 0.9, "epsilon": 1e-5},
                   input_shape=(4, 5, 5, 16), expected_output_shape=(4, 5, 5, 16),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=2,
                   expected_params=64)


def test_layer_harness_without_center_and_scale():
    run_layer_test(BatchNormalization, {"center": False}, input_shape=(8, 6),
                   expected_output_shape=(8, 6), expected_num_trainable_weights=1,
                   expected_num_non_trainable_weights=2, expected_params=18)
    run_layer_test(BatchNormalization, {"center": False, "scale": False}, input_shape=(8, 6),
                   expected_output_shape=(8, 6), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=2, expected_params=12)


def test_keras_param_count_on_64_channels():
    bn = BatchNormalization()
    bn(np.zeros((2, 4, 4, 64), np.float32))
    assert bn.count_params() == 256
    assert sum(w.size for w in bn.non_trainable_weights) == 128
    assert [w.name for w in bn.weights] == [f"{bn.name}/gamma", f"{bn.name}/beta",
                                            f"{bn.name}/moving_mean",
                                            f"{bn.name}/moving_variance"]


def test_layer_training_updates_state_inference_uses_it(rng):
    x = (rng.standard_normal((32, 4)) * 3 + 5).astype(np.float32)
    bn = BatchNormalization(momentum=0.5)
    y = bn(x, training=True)
    # Training output: normalized with the batch's statistics.
    np.testing.assert_allclose(y.data.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.data, 0.5 * x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.data, 0.5 + 0.5 * x.var(axis=0), rtol=1e-5)
    # Inference (the default): the moving statistics, and no update.
    state = [w.data.copy() for w in bn.non_trainable_weights]
    y = bn(x)
    expected = (x - bn.moving_mean.data) / np.sqrt(bn.moving_variance.data + 1e-3)
    np.testing.assert_allclose(y.data, expected, rtol=1e-5, atol=1e-5)
    for w, before in zip(bn.non_trainable_weights, state):
        np.testing.assert_array_equal(w.data, before)


def test_moving_stats_are_never_trained(rng):
    bn = BatchNormalization()
    x = rng.standard_normal((8, 3)).astype(np.float32)
    (bn(x, training=True) ** 2).mean().backward()
    assert bn.moving_mean.grad is None and bn.moving_variance.grad is None
    assert not bn.moving_mean.requires_grad
    assert all(w.grad is not None for w in bn.trainable_weights)
    assert len(bn.trainable_weights) == 2
    assert {id(w) for w in bn.trainable_weights}.isdisjoint(
        {id(bn.moving_mean), id(bn.moving_variance)})


def test_frozen_layer_runs_in_inference_mode(rng):
    bn = BatchNormalization()
    x = (rng.standard_normal((8, 3)) + 4).astype(np.float32)
    bn(x)
    bn.trainable = False
    y = bn(x, training=True)
    np.testing.assert_array_equal(bn.moving_mean.data, np.zeros(3, np.float32))
    np.testing.assert_allclose(y.data, x / np.sqrt(1 + 1e-3), rtol=1e-6)


def test_float32_stays_float32(rng):
    bn = BatchNormalization()
    x = baeum.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    for training in (True, False):
        y = bn(x, training=training)
        assert y.dtype == np.float32
        y.sum().backward()
        assert x.grad.dtype == np.float32
    assert bn.moving_variance.dtype == np.float32


def test_wrong_channel_count_is_a_clear_error():
    bn = BatchNormalization()
    bn(np.zeros((2, 4, 4, 64), np.float32))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 64"):
        bn(np.zeros((2, 4, 4, 32), np.float32))
    with pytest.raises(ValueError, match="expected ndim=4"):
        bn(np.zeros((2, 64), np.float32))


def test_symbolic_channel_mismatch_after_build():
    bn = BatchNormalization()
    bn(Input(shape=(5, 5, 8)))
    with pytest.raises(ValueError, match="to have value 8"):
        bn(Input(shape=(5, 5, 3)))


def test_bad_arguments():
    with pytest.raises(ValueError, match="momentum"):
        BatchNormalization(momentum=1.5)
    with pytest.raises(TypeError, match="axis"):
        BatchNormalization(axis=[1, 2])
    with pytest.raises(ValueError, match="out of range"):
        BatchNormalization(axis=3)(np.zeros((2, 3), np.float32))
