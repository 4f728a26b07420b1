"""Python arithmetic on symbolic tensors in a functional model (`Dense(x) + inputs`), as
Keras 3 allows: recorded as TensorOp layers, run on the real tensors, saved as names."""

import json

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Dense, Input
from baeum.models import Model, load_model


def _residual_model():
    inputs = Input(shape=(4,))
    h = Dense(4, activation="relu")(inputs)
    x = Dense(4)(h) + inputs                     # the residual connection
    x = 2.0 - 0.5 * x                            # numbers on either side
    x = -(x / 4) + x * x - 1
    return Model(inputs, 3 / (1 + x * x))


def test_arithmetic_runs_the_same_operators_on_the_real_tensors(rng):
    layers.clear_session()                       # names start over: add, multiply, ...
    model = _residual_model()
    names = [layer.name for layer in model.layers if isinstance(layer, layers.TensorOp)]
    assert names[:3] == ["add", "multiply", "subtract"]
    x = rng.standard_normal((5, 4)).astype(np.float32)
    d1, d2 = model.layers[1].kernel, model.layers[2]
    h = np.maximum(x @ d1.data + model.layers[1].bias.data, 0)
    r = h @ d2.kernel.data + d2.bias.data + x
    r = 2.0 - 0.5 * r
    r = -(r / 4) + r * r - 1
    np.testing.assert_allclose(model.predict(x), 3 / (1 + r * r), rtol=1e-5)


def test_gradients_flow_through_the_operators(rng):
    model = _residual_model()
    x = baeum.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    model(x).sum().backward()
    assert x.grad is not None and np.all(np.isfinite(x.grad.data))
    assert all(w.grad is not None for w in model.trainable_weights)
    model.compile(baeum.optimizers.Adam(0.01), "mse")
    xs = rng.standard_normal((64, 4)).astype(np.float32)
    target = np.zeros((64, 4), np.float32)
    first = model.train_on_batch(xs, target)
    for _ in range(30):
        last = model.train_on_batch(xs, target)
    assert last < first


def test_save_and_load_keep_the_operators_as_names(rng, tmp_path):
    model = _residual_model()
    model.save(tmp_path / "residual.baeum")
    loaded = load_model(tmp_path / "residual.baeum")
    x = rng.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    config = [layer.get_config() for layer in model.layers if isinstance(layer, layers.TensorOp)]
    json.dumps(config)
    assert {c["op"] for c in config} == {"add", "subtract", "multiply", "divide", "negative"}


def test_float64_models_stay_float64():
    inputs = Input(shape=(2,), dtype="float64")
    model = Model(inputs, inputs * 3 + 1)
    out = model(np.array([[1.0, 2.0]]))
    assert out.dtype == np.float64 and out.data.tolist() == [[4.0, 7.0]]


def test_arrays_and_unknown_operators_are_clear_errors():
    x = Input(shape=(3,))
    with pytest.raises(TypeError, match="another symbolic tensor or a number, got ndarray"):
        _ = x + np.ones(3)
    with pytest.raises(TypeError, match="another symbolic tensor or a number, got ndarray"):
        _ = np.ones(3) * x
    with pytest.raises(TypeError, match="got bool"):
        _ = x + True
    with pytest.raises(ValueError, match="unknown operator 'power'"):
        layers.TensorOp("power")
    with pytest.raises(ValueError, match=r"operands of shapes \[\(None, 3\), \(None, 4\)\] do not"):
        _ = Input(shape=(3,)) + Input(shape=(4,))


def test_shapes_broadcast_as_numpy_does():
    a, b = Input(shape=(1, 4)), Input(shape=(3, 1))
    total = a + b
    assert total.shape == (None, 3, 4)
    out = Model([a, b], total)([np.ones((2, 1, 4)), np.ones((2, 3, 1))])
    assert out.shape == (2, 3, 4)
