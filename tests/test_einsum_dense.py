"""EinsumDense: Keras's kernel, bias and output shapes (its docstring's examples and its own
test table), parameter counts, the layer against a hand-written einsum, the initializer's
fans, training, config and save/load, and the errors of a bad equation or shape."""

import json

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import EinsumDense, Input
from baeum.models import load_model
from layer_harness import run_layer_test


# --- Keras's docstring examples ------------------------------------------------------------
@pytest.mark.parametrize("equation, output_shape, bias_axes, input_shape, out, kernel, params", [
    ("ab,bc->ac", 64, "c", (32,), (None, 64), (32, 64), 32 * 64 + 64),
    ("abc,cd->abd", (None, 64), "d", (32, 128), (None, 32, 64), (128, 64), 128 * 64 + 64),
    ("...x,xy->...y", 64, "y", (32, 128), (None, 32, 64), (128, 64), 128 * 64 + 64),
    ("abc,cde->abde", (None, 8, 64), None, (32, 128), (None, 32, 8, 64), (128, 8, 64),
     128 * 8 * 64),
    ("abc,cde->abde", (None, 8, 64), "de", (32, 128), (None, 32, 8, 64), (128, 8, 64),
     128 * 8 * 64 + 8 * 64),
])
def test_keras_docstring_examples(equation, output_shape, bias_axes, input_shape, out, kernel,
                                  params):
    layer = EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes)
    y = layer(Input(shape=input_shape))
    assert y.shape == out
    assert layer.kernel.shape == kernel
    assert layer.count_params() == params


# --- Keras's own test table (einsum_dense_test.py): kernel, bias and output shapes ----------
KERAS_CASES = [
    # equation, bias_axes, input_shape, output_shape, kernel, bias, output
    ("ab,b->a", None, (2, 32), (), (32,), None, (2,)),
    ("ab,bc->ac", None, (2, 32), 64, (32, 64), None, (2, 64)),
    ("abc,cde->abde", None, (2, 1, 2), (1, 3, 4), (2, 3, 4), None, (2, 1, 3, 4)),
    ("abc,cde->abde", "e", (2, 1, 2), (1, 3, 4), (2, 3, 4), (4,), (2, 1, 3, 4)),
    ("abc,cde->abde", "d", (2, 1, 2), (1, 3, 4), (2, 3, 4), (3, 1), (2, 1, 3, 4)),
    ("abc,cde->abde", "be", (2, 7, 2), (7, 3, 4), (2, 3, 4), (7, 1, 4), (2, 7, 3, 4)),
    ("BFNH,NHD->BFD", None, (2, 1, 2, 3), (1, 4), (2, 3, 4), None, (2, 1, 4)),
    ("abc,cd->abd", None, (2, 1, 2), (1, 4), (2, 4), None, (2, 1, 4)),
    ("i,d->id", None, (2,), (2,), (2,), None, (2, 2)),
    ("ibd,nd->ibn", None, (2, 2, 1), (2, 2), (2, 1), None, (2, 2, 2)),
    ("...b,bc->...c", None, (2, 32), (64,), (32, 64), None, (2, 64)),
    ("...bc,bc->...b", None, (2, 32, 64), (32,), (32, 64), None, (2, 32)),
    ("...b,bc->...c", None, (2, 3, 32), (64,), (32, 64), None, (2, 3, 64)),
    ("...c,cde->...de", None, (2, 1, 2), (3, 4), (2, 3, 4), None, (2, 1, 3, 4)),
    ("...c,cde->...de", "e", (2, 1, 2), (3, 4), (2, 3, 4), (4,), (2, 1, 3, 4)),
    ("...c,cde->...de", "d", (2, 1, 2), (3, 4), (2, 3, 4), (3, 1), (2, 1, 3, 4)),
    ("...c,cde->...de", "de", (2, 1, 2), (3, 4), (2, 3, 4), (3, 4), (2, 1, 3, 4)),
    ("bc...,cd->bd...", None, (2, 1, 2, 3), (4,), (1, 4), None, (2, 4, 2, 3)),
    ("bc...,cde->bde...", None, (2, 1, 2), (3, 4), (1, 3, 4), None, (2, 3, 4, 2)),
    ("bc...,cde->bde...", "d", (2, 1, 2), (3, 4), (1, 3, 4), (3, 1, 1), (2, 3, 4, 2)),
    ("bc...,cde->bde...", "e", (2, 1, 2), (3, 4), (1, 3, 4), (4, 1), (2, 3, 4, 2)),
    ("bc...,cde->bde...", "de", (2, 1, 2), (3, 4), (1, 3, 4), (3, 4, 1), (2, 3, 4, 2)),
    # more than one leading axis besides the batch passes through in order
    ("...b,bc->...c", "c", (2, 3, 5, 32), (64,), (32, 64), (64,), (2, 3, 5, 64)),
]


@pytest.mark.parametrize("equation, bias_axes, input_shape, output_shape, kernel, bias, out",
                         KERAS_CASES, ids=[f"{c[0]}-{c[1]}" for c in KERAS_CASES])
def test_keras_shapes_with_the_layer_harness(equation, bias_axes, input_shape, output_shape,
                                             kernel, bias, out):
    n_weights = 1 if bias is None else 2
    layer = run_layer_test(
        EinsumDense, {"equation": equation, "output_shape": output_shape,
                      "bias_axes": bias_axes},
        input_shape=input_shape, expected_output_shape=out,
        expected_num_trainable_weights=n_weights, expected_num_non_trainable_weights=0,
        expected_params=int(np.prod(kernel)) + (0 if bias is None else int(np.prod(bias))))
    assert layer.kernel.shape == kernel
    assert (None if layer.bias is None else layer.bias.shape) == bias
    built = EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes)
    built.build(input_shape)        # Keras's habit: build by hand, then read the shapes
    assert built.kernel.shape == kernel


# --- the computation ---------------------------------------------------------------------------
@pytest.mark.parametrize("equation, output_shape, bias_axes, x_shape, bias_view", [
    ("ab,bc->ac", 5, "c", (4, 3), lambda b: b),
    ("abc,cde->abde", (None, 2, 5), "de", (4, 3, 6), lambda b: b),
    ("abc,cde->abde", (None, 2, 5), "d", (4, 3, 6), lambda b: b),          # bias (2, 1)
    ("...x,xy->...y", 5, "y", (4, 2, 3, 6), lambda b: b),
    ("bc...,cd->bd...", (5,), "d", (4, 6, 2, 3), lambda b: b),             # bias (5, 1, 1)
])
def test_output_is_einsum_plus_bias_then_activation(equation, output_shape, bias_axes, x_shape,
                                                    bias_view):
    x = np.random.default_rng(0).standard_normal(x_shape)
    layer = EinsumDense(equation, output_shape, activation="tanh", bias_axes=bias_axes,
                        bias_initializer="random_normal", dtype="float64")
    y = layer(x)
    expected = np.tanh(np.einsum(equation, x, layer.kernel.data) + bias_view(layer.bias.data))
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)


def test_without_bias_and_with_relu():
    x = np.random.default_rng(0).standard_normal((4, 3, 6)).astype(np.float32)
    layer = EinsumDense("abc,cd->abd", (None, 5), activation="relu")
    y = layer(x)
    assert layer.bias is None and len(layer.weights) == 1
    expected = np.maximum(np.einsum("abc,cd->abd", x, layer.kernel.data), 0)
    np.testing.assert_allclose(y.data, expected, rtol=1e-6, atol=1e-6)
    assert y.dtype == np.float32


def test_equal_to_dense_on_the_same_weights():
    x = np.random.default_rng(0).standard_normal((8, 7)).astype(np.float32)
    einsum_layer = EinsumDense("ab,bc->ac", 3, bias_axes="c", bias_initializer="ones")
    dense = layers.Dense(3, bias_initializer="ones")
    einsum_layer(x), dense(x)
    dense.set_weights(einsum_layer.get_weights())
    np.testing.assert_allclose(einsum_layer(x).data, dense(x).data, rtol=1e-6, atol=1e-6)


def test_gradients_by_finite_differences():
    layer = EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="e", dtype="float64",
                        bias_initializer="random_normal")
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    layer(x)

    def through(x, kernel, bias):
        layer.kernel, layer.bias = kernel, bias
        return layer(x)

    kernel, bias = layer.kernel, layer.bias
    try:
        assert baeum.gradcheck(through, x, kernel.data.copy(), bias.data.copy())
    finally:
        layer.kernel, layer.bias = kernel, bias


def test_kernel_initializer_uses_keras_fans():
    # A (128, 8, 64) kernel: fan_in = 8 * 128, fan_out = 64 * 128 (Keras's compute_fans),
    # so glorot_uniform draws from +-sqrt(6 / (1024 + 8192)).
    layer = EinsumDense("abc,cde->abde", (None, 8, 64))
    layer.build((None, 32, 128))
    limit = np.sqrt(6 / (8 * 128 + 64 * 128))
    values = np.abs(layer.kernel.data)
    assert values.max() <= limit and values.max() > 0.99 * limit
    assert layer.kernel.dtype == np.float32


def test_training_reduces_the_loss():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 5, 6)).astype(np.float32)
    target = np.einsum("abc,cde->abde", x, rng.standard_normal((6, 2, 3))).astype(np.float32)
    model = baeum.Sequential([Input(shape=(5, 6)),
                              EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de")])
    model.compile(optimizer=baeum.optimizers.Adam(learning_rate=0.05), loss="mse")
    history = model.fit(x, target, epochs=20, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.1 * losses[0]


def test_config_round_trip_and_keras_keys():
    layer = EinsumDense("abc,cd->abd", output_shape=(None, 64), activation="relu",
                        bias_axes="d", kernel_initializer="he_normal",
                        kernel_regularizer="l2", bias_constraint="non_neg", name="proj")
    config = layer.get_config()
    json.dumps(config)
    assert config["output_shape"] == [None, 64] and config["equation"] == "abc,cd->abd"
    assert config["bias_axes"] == "d" and config["name"] == "proj"
    for key in ("activation", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                "bias_regularizer", "activity_regularizer", "kernel_constraint",
                "bias_constraint"):
        assert key in config
    clone = EinsumDense.from_config(config)
    assert clone.get_config() == config
    assert EinsumDense("ab,bc->ac", 64).get_config()["output_shape"] == [64]


def test_regularizer_adds_a_loss():
    layer = EinsumDense("ab,bc->ac", 3, kernel_regularizer=baeum.regularizers.L2(0.1))
    layer(np.ones((2, 4), np.float32))
    assert len(layer.losses) == 1
    np.testing.assert_allclose(layer.losses[0].item(), 0.1 * (layer.kernel.data ** 2).sum(),
                               rtol=1e-5)


def test_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5, 8)).astype(np.float32)
    inputs = Input(shape=(5, 8))
    heads = EinsumDense("abc,cde->abde", (None, 2, 4), bias_axes="de", name="heads")(inputs)
    merged = EinsumDense("abde,de->ab", (None,), activation="tanh", name="merge")(heads)
    assert merged.shape == (None, 5)
    model = baeum.Model(inputs, merged)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((6, 5), np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "einsum_dense.baeum")
    loaded = load_model(tmp_path / "einsum_dense.baeum")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.get_layer("heads").get_config() == model.get_layer("heads").get_config()


def test_sequential_save_load(tmp_path):
    x = np.random.default_rng(0).standard_normal((4, 3, 6)).astype(np.float32)
    model = baeum.Sequential([Input(shape=(3, 6)), EinsumDense("...x,xy->...y", 4, bias_axes="y"),
                              layers.Flatten(), layers.Dense(2)])
    model.save(tmp_path / "seq.baeum")
    loaded = load_model(tmp_path / "seq.baeum")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_exported_from_layers_and_no_longer_missing():
    from baeum import not_in_baeum

    assert layers.EinsumDense is EinsumDense
    assert "EinsumDense" not in not_in_baeum.MISSING["baeum.layers"]


# --- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    ({"equation": "ab,bc", "output_shape": 4}, r"invalid einsum equation 'ab,bc'"),
    ({"equation": "ab,bc,cd->ad", "output_shape": 4}, r"invalid einsum equation"),
    ({"equation": "a...b,bc->a...c", "output_shape": 4}, r"invalid einsum equation"),
    ({"equation": "ab,bc->ac", "output_shape": 0}, r"output_shape must be a positive int"),
    ({"equation": "ab,bc->ac", "output_shape": "64"}, r"output_shape must be a positive int"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "b"},
     r"bias dimension 'b' was requested, but is not part of the output spec 'ac'"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "lora_rank": 2},
     r"baeum has no LoRA \(got lora_rank=2"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EinsumDense(**kwargs)


@pytest.mark.parametrize("equation, output_shape, input_shape, message", [
    ("abc,cd->abd", (None, 64), (32, 128),
     r"names 3 input axes \('abc'\), but the inputs have shape \(32, 128\) \(2 axes\)"),
    ("abc,cd->abd", 64, (2, 32, 128),
     r"output_shape \(64,\) has 1 entries, .* needs 2: the sizes of 'bd'"),
    ("abc,cd->abd", (16, 64), (2, 32, 128),
     r"do not match at shared dimension 'b'. Input shape is 32, and output shape is 16"),
    ("abc,cd->abd", (None, None), (2, 32, 128), r"kernel's axis 'd' .* where it is None"),
    ("ab,bc->ad", 4, (2, 3), r"dimension 'd' was specified in the output 'ad' but has no"),
    ("ab,bcx->ac", 4, (2, 3), r"kernel dimension 'x' did not have a match"),
])
def test_build_errors(equation, output_shape, input_shape, message):
    with pytest.raises(ValueError, match=message):
        EinsumDense(equation, output_shape).build(input_shape)


def test_a_call_with_the_wrong_input_says_what_fits():
    layer = EinsumDense("abc,cd->abd", (None, 4))
    layer(np.ones((2, 3, 5), np.float32))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 5"):
        layer(np.ones((2, 3, 6), np.float32))
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=2"):
        layer(np.ones((2, 5), np.float32))
