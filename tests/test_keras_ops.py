"""`from baeum import ops`: Keras 3's `keras.ops` names on baeum's differentiable ops.

Values against NumPy, gradients against torch (float64, random upstream gradient), Keras's
defaults where they differ from torch's, and the same functions on symbolic tensors
inside a functional model: recorded as TensorOp layers, trained, saved and loaded."""

import numpy as np
import pytest

import baeum
from baeum import layers, ops
from baeum.models import load_model
from oracle import compare, requires_torch, torch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
POSITIVE = RNG.uniform(0.5, 2.0, (3, 4))


# --- values: the same numbers as NumPy ---------------------------------------------------
@pytest.mark.parametrize("name, call, expected", [
    ("square", lambda x: ops.square(x), X ** 2),
    ("mean axis 1", lambda x: ops.mean(x, axis=1), X.mean(axis=1)),
    ("sum axes", lambda x: ops.sum(x, axis=[0, 1]), X.sum()),
    ("max keepdims", lambda x: ops.max(x, axis=0, keepdims=True), X.max(0, keepdims=True)),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=-1), np.log(np.exp(X).sum(-1))),
    ("logsumexp all", lambda x: ops.logsumexp(x), np.log(np.exp(X).sum())),
    ("norm", lambda x: ops.norm(x), np.linalg.norm(X)),
    ("norm 1 axis", lambda x: ops.norm(x, ord=1, axis=1), np.abs(X).sum(1)),
    ("tile", lambda x: ops.tile(x, (2, 3)), np.tile(X, (2, 3))),
    ("tile int", lambda x: ops.tile(x, 2), np.tile(X, 2)),
    ("tile more axes", lambda x: ops.tile(x, (2, 1, 1)), np.tile(X, (2, 1, 1))),
    ("repeat axis 1", lambda x: ops.repeat(x, 2, axis=1), np.repeat(X, 2, axis=1)),
    ("repeat flat", lambda x: ops.repeat(x, 3), np.repeat(X, 3)),
    ("take axis 1", lambda x: ops.take(x, [3, 0, 0], axis=1), np.take(X, [3, 0, 0], axis=1)),
    ("take flat", lambda x: ops.take(x, [5, 1]), np.take(X, [5, 1])),
    ("transpose", lambda x: ops.transpose(x), X.T),
    ("reshape", lambda x: ops.reshape(x, (2, -1)), X.reshape(2, -1)),
    ("expand_dims", lambda x: ops.expand_dims(x, 1), X[:, None]),
    ("clip", lambda x: ops.clip(x, -0.5, 0.5), np.clip(X, -0.5, 0.5)),
    ("where", lambda x: ops.where(x > 0, x, 0.0), np.where(X > 0, X, 0.0)),
    ("relu6", lambda x: ops.relu6(6 * x), np.clip(6 * X, 0, 6)),
    ("softmax", lambda x: ops.softmax(x), np.exp(X) / np.exp(X).sum(-1, keepdims=True)),
    ("leaky_relu: Keras's slope 0.2", lambda x: ops.leaky_relu(x), np.where(X > 0, X, 0.2 * X)),
    ("silu", lambda x: ops.silu(x), X / (1 + np.exp(-X))),
    ("sin", lambda x: ops.sin(x), np.sin(X)),
    ("cos", lambda x: ops.cos(x), np.cos(X)),
    ("power", lambda x: ops.power(x, 2), X ** 2),
    ("dot", lambda x: ops.dot(x, x.T), X @ X.T),
    ("matmul", lambda x: ops.matmul(x, np.ones((4, 2))), X @ np.ones((4, 2))),
    ("concatenate", lambda x: ops.concatenate([x, x], axis=1), np.concatenate([X, X], 1)),
    ("stack", lambda x: ops.stack([x, x], axis=0), np.stack([X, X])),
    ("std", lambda x: ops.std(x, axis=0), X.std(axis=0)),
])
def test_ops_give_numpys_values(name, call, expected):
    out = call(baeum.tensor(X))
    assert isinstance(out, baeum.Tensor)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


def test_ops_take_arrays_and_numbers():
    np.testing.assert_allclose(ops.exp(np.zeros(3)).data, np.ones(3))
    np.testing.assert_allclose(ops.add(X, 1.0).data, X + 1)
    np.testing.assert_allclose(ops.mean([[1.0, 2.0], [3.0, 4.0]], axis=0).data, [2.0, 3.0])
    assert ops.shape(np.zeros((2, 5))) == (2, 5)
    assert ops.shape(baeum.Input(shape=(7,))) == (None, 7)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.ones((2,))), [1.0, 1.0])
    assert ops.convert_to_tensor([1, 2], dtype="float32").dtype == np.float32
    assert ops.zeros((2, 3)).shape == (2, 3) and ops.full(2, 7.0).data.tolist() == [7.0, 7.0]
    np.testing.assert_array_equal(ops.eye(2).data, np.eye(2))


def test_ops_without_gradients_say_so_by_their_dtype():
    x = baeum.tensor(X, requires_grad=True)
    assert ops.argmax(x, axis=1).data.tolist() == X.argmax(1).tolist()
    assert not ops.argmax(x).requires_grad and not ops.sign(x).requires_grad
    assert ops.greater(x, 0).data.dtype == bool
    np.testing.assert_array_equal(ops.equal(x, x).data, np.ones((3, 4), bool))
    assert not ops.stop_gradient(x).requires_grad
    # one_hot as Keras: out-of-range ids give a row of zeros
    np.testing.assert_array_equal(ops.one_hot(np.array([0, 2, 5]), 3).data,
                                  [[1, 0, 0], [0, 0, 1], [0, 0, 0]])


# --- gradients against torch -------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("name, b_fn, t_fn, data", [
    ("square", ops.square, torch.square, X),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=1),
     lambda x: torch.logsumexp(x, dim=1), X),
    ("norm", ops.norm, torch.linalg.norm, X),
    ("norm axis", lambda x: ops.norm(x, axis=0, keepdims=True),
     lambda x: torch.linalg.vector_norm(x, dim=0, keepdim=True), X),
    ("tile", lambda x: ops.tile(x, (2, 3)), lambda x: x.tile((2, 3)), X),
    ("repeat", lambda x: ops.repeat(x, 3, axis=0),
     lambda x: torch.repeat_interleave(x, 3, dim=0), X),
    ("take", lambda x: ops.take(x, [2, 2, 0], axis=1),
     lambda x: x[:, [2, 2, 0]], X),
    ("log1p", ops.log1p, torch.log1p, POSITIVE),
    ("expm1", ops.expm1, torch.expm1, X),
    ("gelu: Keras's tanh form", ops.gelu,
     lambda x: torch.nn.functional.gelu(x, approximate="tanh"), X),
    ("gelu exact", lambda x: ops.gelu(x, approximate=False), torch.nn.functional.gelu, X),
    ("leaky_relu", ops.leaky_relu,
     lambda x: torch.nn.functional.leaky_relu(x, 0.2), X),
    ("silu", ops.silu, torch.nn.functional.silu, X),
    ("relu6", lambda x: ops.relu6(4 * x), lambda x: torch.nn.functional.relu6(4 * x), X),
    ("log_softmax", ops.log_softmax, lambda x: torch.log_softmax(x, -1), X),
    ("softplus", ops.softplus, torch.nn.functional.softplus, X),
    ("where", lambda x: ops.where(x.data > 0, x, ops.square(x)),
     lambda x: torch.where(x > 0, x, x * x), X),
])
def test_gradients_match_torch(name, b_fn, t_fn, data):
    compare(b_fn, t_fn, [data])


# --- errors ------------------------------------------------------------------------------
def test_unsupported_arguments_are_clear_errors():
    with pytest.raises(ValueError, match=r"norm: baeum computes ord None, 'fro', 2 or 1"):
        ops.norm(X, ord=3)
    with pytest.raises(TypeError, match=r"one_hot expects integer class ids, got dtype float"):
        ops.one_hot(np.array([0.0, 1.0]), 2)
    with pytest.raises(ValueError, match=r"repeat: baeum takes one int for repeats"):
        ops.repeat(X, [1, 2], axis=0)


# --- on symbolic tensors: a functional model ---------------------------------------------
def _pooled_model():
    inputs = baeum.Input(shape=(6, 3))
    h = layers.Dense(4, activation="tanh")(inputs)
    pooled = ops.concatenate([ops.mean(h, axis=1), ops.max(h, axis=1)], axis=-1)
    return baeum.Model(inputs, layers.Dense(2)(ops.square(pooled) * 0.5))


def test_ops_on_symbolic_tensors_record_layers_that_compute_the_same(tmp_path):
    model = _pooled_model()
    assert [type(layer).__name__ for layer in model.layers].count("TensorOp") == 5
    assert model.output_shape == (None, 2)
    assert [layer.output.shape for layer in model.layers[2:5]] == [(None, 4), (None, 4),
                                                                   (None, 8)]
    x = RNG.standard_normal((5, 6, 3)).astype(np.float32)
    dense, head = model.layers[1], model.layers[-1]
    h = np.tanh(x @ dense.kernel.data + dense.bias.data)
    pooled = np.concatenate([h.mean(1), h.max(1)], -1)
    expected = (pooled ** 2 * 0.5) @ head.kernel.data + head.bias.data
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)

    path = tmp_path / "pooled.baeum"
    model.save(path)
    np.testing.assert_array_equal(load_model(path).predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_a_model_built_with_ops_learns():
    # Which of two features is larger, on average over the steps: mean pooling decides it.
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400, 6, 3)).astype(np.float32)
    y = (x[:, :, 0].mean(1) > x[:, :, 1].mean(1)).astype(int)
    baeum.random.seed(0)
    model = _pooled_model()
    model.compile(baeum.optimizers.Adam(0.02),
                  baeum.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=40, batch_size=50, verbose=0)
    assert history.history["accuracy"][-1] > 0.95


def test_symbolic_tensors_refuse_to_become_arrays_or_to_save_arrays():
    inputs = baeum.Input(shape=(3,))
    with pytest.raises(TypeError, match=r"is symbolic: it has a shape but no values"):
        np.asarray(inputs)
    with pytest.raises(TypeError, match=r"is symbolic"):
        baeum.tensor(inputs)
    with pytest.raises(TypeError, match=r"ops.add on symbolic tensors: its argument 2 "
                                        r"\(ndarray\) cannot be saved with the model"):
        ops.add(inputs, np.ones(3))
    with pytest.raises(ValueError, match=r"TensorOp: baeum.ops has no function 'no_such'"):
        layers.TensorOp("no_such", arguments={"args": [], "kwargs": {}})
