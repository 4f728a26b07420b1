"""baeum.functional's selu, relu6, hardsigmoid, hardswish, mish, softsign and prelu against
torch.nn.functional (forward and every input gradient, float64), kinks and large values
included; prelu's broadcasting; softplus's beta/threshold against torch at extreme inputs;
the shared noise_shape check (F.noise_mask_shape) of F.dropout and AlphaDropout."""

import re

import numpy as np
import pytest

import baeum
import baeum.functional as F
from oracle import compare, requires_torch, torch

if torch is not None:
    import torch.nn.functional as TF

UNARY = ["selu", "relu6", "hardsigmoid", "hardswish", "mish", "softsign"]

# The corners of the piecewise ones, exactly and just beside them, and large values.
KINKS = np.array([-6.0, -3.0 - 1e-9, -3.0, -3.0 + 1e-9, -1e-9, 0.0, 1e-9, 3.0 - 1e-9, 3.0,
                  3.0 + 1e-9, 6.0 - 1e-9, 6.0, 6.0 + 1e-9, 7.5])
LARGE = np.array([-800.0, -50.0, -30.0, -20.0, -1e-3, 1e-3, 19.0, 20.0, 21.0, 30.0, 50.0, 800.0])


def normal(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@requires_torch
@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("inputs", ["normal", "kinks", "large"])
def test_unary_matches_torch(name, inputs):
    x = {"normal": 4.0 * normal((3, 4, 5)), "kinks": KINKS, "large": LARGE}[inputs]
    compare(getattr(F, name), getattr(TF, name), [x], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", UNARY)
def test_unary_keeps_float32(name):
    x = baeum.tensor(normal((4, 3)).astype(np.float32))
    assert getattr(F, name)(x).dtype == np.float32


@pytest.mark.parametrize("name", UNARY)
def test_unary_takes_lists_and_arrays(name):
    np.testing.assert_allclose(getattr(F, name)([-1.0, 2.0]).data,
                               getattr(F, name)(np.array([-1.0, 2.0], np.float32)).data)


# --- prelu ---------------------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("weight_shape", [(1,), (5,)])
def test_prelu_matches_torch_on_features(weight_shape):
    # (N, C): torch's channel axis 1 is the last one, so the two conventions agree.
    x = normal((6, 5))
    x[0, :3] = [0.0, -0.0, 1e-12]
    weight = 0.5 * normal(weight_shape, seed=1)
    compare(F.prelu, TF.prelu, [x, weight])


@requires_torch
def test_prelu_weight_per_channel_last_axis():
    # Channels-last (N, H, W, C) with a (C,) weight is torch's prelu on (N, C, H, W).
    x, weight = normal((2, 3, 4, 5)), 0.5 * normal((5,), seed=1)
    compare(F.prelu, lambda t, w: TF.prelu(t.permute(0, 3, 1, 2), w).permute(0, 2, 3, 1),
            [x, weight])


def test_prelu_float_weight_and_shape_check():
    x = baeum.tensor([-2.0, 3.0])
    assert F.prelu(x, 0.25).tolist() == [-0.5, 3.0]
    with pytest.raises(ValueError, match=r"prelu weight of shape \(4, 1, 3\) does not "
                                         r"broadcast against inputs of shape \(2, 3\)"):
        F.prelu(np.ones((2, 3)), np.ones((4, 1, 3)))
    with pytest.raises(ValueError, match="does not broadcast"):
        F.prelu(np.ones((2, 3)), np.ones(4))


def test_prelu_gradcheck():
    x = normal((3, 4))
    x[np.abs(x) < 1e-3] += 0.01
    assert baeum.gradcheck(F.prelu, x, 0.3 * normal((4,), seed=2))


# --- softplus: beta, threshold, extremes ---------------------------------------------------

SOFTPLUS_X = np.concatenate([
    np.array([-1e4, -800.0, -100.0, -40.0, -20.0, -1e-8, 0.0, 1e-8, 15.0, 40.0, 100.0, 800.0,
              1e4]),
    normal(20, seed=5) * 5,
])


@requires_torch
@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 20.0), (0.5, 3.0),
                                             (3.0, 1.5), (1.0, 100.0), (-1.0, 20.0)])
def test_softplus_matches_torch(beta, threshold):
    # Points at and around the threshold (beta x == threshold, where torch switches to x).
    around = np.array([threshold - 1e-6, threshold, threshold + 1e-6]) / beta
    x = np.concatenate([SOFTPLUS_X, around])
    compare(lambda t: F.softplus(t, beta=beta, threshold=threshold),
            lambda t: TF.softplus(t, beta=beta, threshold=threshold), [x],
            rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_is_finite_and_keeps_dtype(dtype):
    x = baeum.tensor(SOFTPLUS_X.astype(dtype), requires_grad=True)
    y = F.softplus(x, beta=2.0)
    y.backward(np.ones(x.shape, dtype))
    assert y.dtype == dtype and x.grad.dtype == dtype
    assert np.isfinite(y.data).all() and np.isfinite(x.grad.data).all()
    assert (y.data >= 0).all() and ((x.grad.data >= 0) & (x.grad.data <= 1)).all()


def test_softplus_rejects_beta_zero_and_takes_integers():
    with pytest.raises(ValueError, match="softplus beta must not be 0"):
        F.softplus(baeum.tensor([1.0]), beta=0)
    y = F.softplus(np.array([-3, 0, 2]))       # not truncated back to integers
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, np.logaddexp(0, [-3.0, 0.0, 2.0]), rtol=1e-6)


# --- noise_mask_shape: the one check of Keras's noise_shape --------------------------------


def test_noise_mask_shape_fills_none_and_keeps_ones():
    assert F.noise_mask_shape(None, (4, 3, 2)) == (4, 3, 2)
    assert F.noise_mask_shape((None, 1, 2), (4, 3, 2)) == (4, 1, 2)
    assert F.noise_mask_shape([4, 1, None], (4, 3, 2)) == (4, 1, 2)


@pytest.mark.parametrize("noise_shape", [(None, 2), (None, 1, 1, 5), (None, 1, 3)])
def test_noise_mask_shape_errors_name_the_owner(noise_shape):
    with pytest.raises(ValueError, match=rf"^AlphaDropout 'a' noise_shape "
                                         rf"{re.escape(str(noise_shape))} does not fit inputs "
                                         rf"of shape \(4, 3, 5\): it needs one entry per axis"):
        F.noise_mask_shape(noise_shape, (4, 3, 5), "AlphaDropout 'a'")
    with pytest.raises(ValueError, match=r"^dropout noise_shape .* does not fit"):
        F.dropout(np.ones((4, 3, 5), np.float32), 0.5, noise_shape=noise_shape)
    layer = baeum.layers.AlphaDropout(0.5, noise_shape=noise_shape, name="alpha")
    with pytest.raises(ValueError, match=r"^AlphaDropout 'alpha' noise_shape .* does not fit"):
        layer(np.ones((4, 3, 5), np.float32), training=True)
