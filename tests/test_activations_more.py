"""selu, softsign, hard_sigmoid, hard_silu, relu6, exponential, mish (vs torch and by
finite differences, kinks included), their names, and the ELU and PReLU layers."""

import numpy as np
import pytest

import baeum
from baeum import activations, layers
from baeum.models import Sequential
from layer_harness import assert_layer_equals_composition, run_layer_test
from oracle import compare, requires_torch, torch

if torch is not None:
    import torch.nn.functional as TF

NEW = ["selu", "softsign", "hard_sigmoid", "hard_silu", "relu6", "exponential", "mish"]

TORCH = {
    "selu": lambda t: TF.selu(t),
    "softsign": lambda t: TF.softsign(t),
    "hard_sigmoid": lambda t: TF.hardsigmoid(t),
    "hard_silu": lambda t: TF.hardswish(t),
    "relu6": lambda t: TF.relu6(t),
    "exponential": lambda t: torch.exp(t),
    "mish": lambda t: TF.mish(t),
}

# The corners of every piecewise activation, exactly, and points just beside them.
KINKS = np.array([-6.0, -3.0 - 1e-9, -3.0, -3.0 + 1e-9, -1e-9, 0.0, 1e-9, 3.0 - 1e-9, 3.0,
                  3.0 + 1e-9, 6.0 - 1e-9, 6.0, 6.0 + 1e-9, 7.5])


def normal(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# --- against torch -----------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("name", NEW)
def test_matches_torch(name, shape):
    # 4 sigma: every piece of the piecewise ones (|x| > 3 and > 6) is reached
    compare(activations.get(name), TORCH[name], [4.0 * normal(shape)])


@requires_torch
@pytest.mark.parametrize("name", NEW)
def test_matches_torch_at_the_kinks(name):
    # Which one-sided slope a corner takes is a convention: torch's is followed (0 at the
    # corners of relu6 and hard_sigmoid; 0 at -3 and 1 at 3 for hard_silu).
    compare(activations.get(name), TORCH[name], [KINKS])


@requires_torch
@pytest.mark.parametrize("name", [n for n in NEW if n != "exponential"])
def test_matches_torch_at_large_values(name):
    x = np.array([-800.0, -50.0, -30.0, -20.0, -1e-3, 1e-3, 19.0, 20.0, 21.0, 30.0, 50.0,
                  800.0])
    compare(activations.get(name), TORCH[name], [x], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", NEW)
def test_gradcheck(name):
    # (4 sigma reaches every piece; exp's values up to e^10 would swamp the differences)
    x = normal((4, 5), seed=3) * (1 if name == "exponential" else 4)
    x[np.abs(np.abs(x) - 3) < 1e-3] += 0.01  # off the corners: finite differences need smoothness
    x[np.abs(np.abs(x) - 6) < 1e-3] += 0.01
    x[np.abs(x) < 1e-3] += 0.01
    assert baeum.gradcheck(activations.get(name), x)


# --- values, dtypes, in place --------------------------------------------------------------
def test_known_values():
    x = np.array([-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0, 7.0])
    get = {name: activations.get(name)(baeum.tensor(x)).data for name in NEW}
    np.testing.assert_allclose(get["relu6"], [0, 0, 0, 0, 1.5, 3, 4, 6])
    np.testing.assert_allclose(get["hard_sigmoid"], [0, 0, 0.25, 0.5, 0.75, 1, 1, 1])
    np.testing.assert_allclose(get["hard_silu"], x * np.clip(x + 3, 0, 6) / 6)
    np.testing.assert_allclose(get["softsign"], x / (1 + np.abs(x)))
    np.testing.assert_allclose(get["exponential"], np.exp(x))
    np.testing.assert_allclose(get["mish"], x * np.tanh(np.log1p(np.exp(x))), rtol=1e-14)
    alpha, scale = 1.67326324, 1.05070098
    np.testing.assert_allclose(get["selu"], scale * np.where(x > 0, x, alpha * np.expm1(x)),
                               rtol=1e-8)


def test_selu_keeps_a_standard_normal_standard():
    # Its constants are chosen so: mean 0 and variance 1 in, mean 0 and variance 1 out.
    y = activations.selu(baeum.tensor(normal(400_000, seed=4))).data
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01


@pytest.mark.parametrize("name", NEW)
def test_float32_stays_float32(name):
    x = baeum.tensor((4.0 * normal((3, 5))).astype(np.float32), requires_grad=True)
    y = activations.get(name)(x)
    assert y.dtype == np.float32
    y.backward(np.ones((3, 5), np.float32))
    assert x.grad.dtype == np.float32
    want = activations.get(name)(baeum.tensor(x.data.astype(np.float64))).data
    np.testing.assert_allclose(y.data, want, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", NEW)
def test_inputs_are_not_modified(name):
    x = 4.0 * normal((3, 5))
    before = x.copy()
    t = baeum.tensor(x, requires_grad=True)
    activations.get(name)(t).backward(normal((3, 5), seed=1))
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("name", ["elu", "selu", "relu6", "hard_sigmoid", "softsign"])
def test_dense_in_place_activation_equals_the_composition(name, rng):
    # Dense applies these in place on its fresh pre-activation (under no_grad and in
    # training): the values and every gradient must be those of act(linear(x)).
    import baeum.functional as F

    act = activations.get(name)
    x = 4.0 * rng.standard_normal((6, 5))
    dense = layers.Dense(50, activation=name, dtype="float64",
                         kernel_initializer="he_normal", bias_initializer="ones")
    dense(x)
    y = assert_layer_equals_composition(
        dense, lambda t: act(F.linear(t, dense.kernel, dense.bias)), x,
        rng.standard_normal((6, 50)))
    with baeum.no_grad():
        np.testing.assert_array_equal(dense(x).data, y)


# --- names ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NEW + ["hard_swish"])
def test_names_work_in_layers_and_round_trip(name):
    fn = activations.get(name)
    assert activations.get(activations.serialize(fn)) is fn
    layer = layers.Dense(3, activation=name)
    layer(np.ones((2, 4), np.float32))
    again = layers.Dense.from_config(layer.get_config())
    assert again.activation is fn
    assert layers.Activation(name)(np.zeros((2, 2), np.float32)).shape == (2, 2)


def test_hard_swish_is_hard_silu():
    assert activations.hard_swish is activations.hard_silu
    assert activations.serialize(activations.hard_swish) == "hard_silu"  # as Keras saves it


def test_unknown_name_lists_the_new_ones():
    with pytest.raises(ValueError, match="unknown activation 'selu6'") as info:
        activations.get("selu6")
    for name in NEW + ["hard_swish"]:
        assert f"'{name}'" in str(info.value)


# --- ELU and PReLU layers ------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"alpha": 0.5}])
def test_elu_layer_harness(kwargs):
    run_layer_test(layers.ELU, kwargs, (3, 4, 5), (3, 4, 5), 0, 0, expected_params=0)


def test_elu_layer_values_and_errors():
    x = np.array([-2.0, -0.5, 0.0, 1.5])
    assert layers.ELU().alpha == 1.0
    np.testing.assert_allclose(layers.ELU(alpha=0.5, dtype="float64")(x).data,
                               np.where(x > 0, x, 0.5 * np.expm1(x)))
    with pytest.raises(ValueError, match="ELU alpha must be a finite number"):
        layers.ELU(alpha="big")


@pytest.mark.parametrize("kwargs, input_shape, params", [
    ({}, (3, 4, 5), 20),                                  # alpha: one per input value
    ({"shared_axes": [1]}, (3, 4, 5), 5),                 # shared over time: per feature
    ({"shared_axes": 1}, (3, 4, 5), 5),
    ({"shared_axes": [1, 2]}, (2, 6, 6, 3), 3),           # per channel, as torch's PReLU(c)
    ({"alpha_regularizer": "l2"}, (4, 7), 7),
])
def test_prelu_layer_harness_and_keras_parameter_counts(kwargs, input_shape, params):
    # (alpha from ones: at Keras's zeros, mean(output**2) has a zero gradient in alpha)
    layer = run_layer_test(layers.PReLU, {"alpha_initializer": "ones", **kwargs}, input_shape,
                           input_shape, 1, 0, expected_params=params)
    assert layer.alpha.name.endswith("/alpha")
    assert layers.PReLU(**kwargs).get_config()["alpha_initializer"]["class_name"] == "Zeros"


def test_prelu_starts_as_relu_and_regularizes_alpha():
    x = normal((4, 6))
    layer = layers.PReLU(dtype="float64")
    np.testing.assert_array_equal(layer(x).data, np.maximum(x, 0))  # alpha starts at 0
    reg = layers.PReLU(alpha_initializer="ones", alpha_regularizer="l2", dtype="float64")
    reg(x)
    assert reg.losses[0].item() == pytest.approx(0.01 * 6)


@requires_torch
def test_prelu_matches_torch_per_channel(rng):
    # baeum is channels-last: shared_axes=[1, 2] on (n, h, w, c) is torch's PReLU(c) on
    # (n, c, h, w). Values, input gradient and alpha gradient, under a random upstream grad.
    x = rng.standard_normal((2, 5, 4, 3))
    x[0, 0, 0] = 0.0  # x == 0 takes the alpha side, as torch's
    alpha = rng.standard_normal(3)
    layer = layers.PReLU(shared_axes=[1, 2], dtype="float64")
    layer(x)
    layer.set_weights([alpha.reshape(1, 1, 3)])
    ours_x = baeum.tensor(x, requires_grad=True)
    y = layer(ours_x)
    r = rng.standard_normal(y.shape)
    y.backward(r)

    module = torch.nn.PReLU(3).double()
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(alpha))
    tx = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    ty = module(tx)
    ty.backward(torch.from_numpy(r.transpose(0, 3, 1, 2).copy()))
    np.testing.assert_allclose(y.data, ty.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12)
    np.testing.assert_allclose(ours_x.grad.data, tx.grad.numpy().transpose(0, 2, 3, 1),
                               rtol=1e-12)
    np.testing.assert_allclose(layer.alpha.grad.data.reshape(3), module.weight.grad.numpy(),
                               rtol=1e-10)


@requires_torch
@pytest.mark.parametrize("x_shape, alpha_shape", [((4, 6), (6,)), ((2, 3, 4), (3, 4)),
                                                   ((2, 3, 4), (1, 4)), ((2, 3, 4), (3, 1))])
def test_prelu_op_matches_torch_with_every_alpha_shape(x_shape, alpha_shape):
    from baeum.ops.activations import PReLU

    x = normal(x_shape, 1)
    x.flat[::5] = 0.0
    compare(PReLU.apply, lambda t, a: torch.where(t > 0, t, a * t),
            [x, normal(alpha_shape, 2)])
    assert baeum.gradcheck(PReLU.apply, normal(x_shape, 3), normal(alpha_shape, 4))


def test_prelu_errors():
    with pytest.raises(ValueError, match="shared_axes .* must be axes 1 to 2"):
        layers.PReLU(shared_axes=[3])(np.ones((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="shared_axes .* must be axes 1 to 2"):
        layers.PReLU(shared_axes=[0])(np.ones((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="shared_axes must be integers"):
        layers.PReLU(shared_axes=["time"])
    with pytest.raises(ValueError, match=r"unknown constraint 'positive'; expected one of"):
        layers.PReLU(alpha_constraint="positive")
    layer = layers.PReLU()
    layer(np.ones((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="expected axis 2 of input shape to have value 4"):
        layer(np.ones((2, 3, 5), np.float32))
    seq = layers.PReLU()
    with pytest.raises(ValueError, match="needs known sizes"):
        seq(layers.Input(shape=(None, 4)))
    layers.PReLU(shared_axes=[1])(layers.Input(shape=(None, 4)))  # shared: any length
    assert layers.PReLU(shared_axes=-1)(np.ones((2, 3, 4), np.float32)) is not None


# --- in a model ----------------------------------------------------------------------------
@pytest.mark.parametrize("hidden", [
    lambda: [layers.Dense(16), layers.PReLU()],
    lambda: [layers.Dense(16, activation="selu", kernel_initializer="lecun_normal")],
    lambda: [layers.Dense(16, activation="mish")],
    lambda: [layers.Dense(16, activation="hard_silu"), layers.ELU()],
])
def test_small_model_trains_with_fit(hidden):
    r = np.random.default_rng(0)
    x = r.standard_normal((128, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR of the signs: needs the hidden layer
    model = Sequential([layers.Input(shape=(2,)), *hidden(), layers.Dense(2)])
    model.compile(optimizer=baeum.optimizers.Adam(0.02),
                  loss=baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, epochs=40, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0]
