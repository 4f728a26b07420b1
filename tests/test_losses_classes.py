"""Loss classes: Keras names, reductions, sample weights, label smoothing, lookup by name."""

import warnings

import numpy as np
import pytest

import baeum
from baeum import losses
from oracle import requires_torch, torch


def _probs(rng, n, c):
    z = rng.standard_normal((n, c))
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _one_hot(labels, c):
    return np.eye(c)[labels]


@pytest.mark.parametrize("cls, fn, kwargs", [
    (losses.MeanSquaredError, losses.mean_squared_error, {}),
    (losses.MeanAbsoluteError, losses.mean_absolute_error, {}),
    (losses.Huber, losses.huber, {"delta": 0.7}),
    (losses.KLDivergence, losses.kl_divergence, {}),
])
def test_regression_classes_are_the_batch_mean_of_the_function(rng, cls, fn, kwargs):
    y_true, y_pred = rng.random((6, 3)), rng.random((6, 3)) * 2
    value = cls(**kwargs)(y_true, y_pred)
    expected = fn(y_true, y_pred, **kwargs).data.mean()
    assert value.shape == ()
    np.testing.assert_allclose(value.data, expected, rtol=1e-12)


def test_mse_known_value():
    # Keras docs: y_true [[0, 1], [0, 0]], y_pred [[1, 1], [1, 0]] -> 0.5
    value = losses.MeanSquaredError()(np.array([[0.0, 1.0], [0.0, 0.0]]),
                                      np.array([[1.0, 1.0], [1.0, 0.0]]))
    assert float(value) == pytest.approx(0.5)


def test_huber_formula(rng):
    e = np.array([[0.3, -2.0, 1.0, -0.9]])
    value = losses.Huber(delta=1.0)(np.zeros_like(e), e)
    a = np.abs(e)
    expected = np.where(a <= 1.0, 0.5 * e * e, a - 0.5).mean()
    np.testing.assert_allclose(value.data, expected)


@pytest.mark.parametrize("from_logits", [False, True])
def test_crossentropy_classes(rng, from_logits):
    labels = rng.integers(0, 4, 8)
    logits = rng.standard_normal((8, 4))
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    y_pred = logits if from_logits else probs
    expected = -np.log(probs[np.arange(8), labels]).mean()
    sparse = losses.SparseCategoricalCrossentropy(from_logits=from_logits)(labels, y_pred)
    dense = losses.CategoricalCrossentropy(from_logits=from_logits)(_one_hot(labels, 4), y_pred)
    np.testing.assert_allclose(sparse.data, expected, rtol=1e-6)
    np.testing.assert_allclose(dense.data, expected, rtol=1e-6)


@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy_class(rng, from_logits):
    t = rng.integers(0, 2, (10, 1)).astype(float)
    z = rng.standard_normal((10, 1))
    p = 1 / (1 + np.exp(-z))
    value = losses.BinaryCrossentropy(from_logits=from_logits)(t, z if from_logits else p)
    expected = -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean()
    np.testing.assert_allclose(value.data, expected, rtol=1e-6)


def test_sample_weight_is_sum_over_batch_size(rng):
    """Keras's default reduction: sum(values * w) / batch size (not / sum(w))."""
    y_true, y_pred = rng.random((5, 2)), rng.random((5, 2))
    w = np.array([1.0, 0.0, 2.0, 0.5, 0.0])
    per_sample = ((y_true - y_pred) ** 2).mean(-1)
    value = losses.MeanSquaredError()(y_true, y_pred, sample_weight=w)
    np.testing.assert_allclose(value.data, (per_sample * w).sum() / 5)
    # a (batch, 1) column of weights works too
    value = losses.MeanSquaredError()(y_true, y_pred, sample_weight=w[:, None])
    np.testing.assert_allclose(value.data, (per_sample * w).sum() / 5)


def test_sample_weight_of_the_wrong_length_is_an_error(rng):
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\).*shape \(5,\)"):
        losses.MeanSquaredError()(rng.random((5, 2)), rng.random((5, 2)), sample_weight=np.ones(3))


def test_reductions(rng):
    y_true, y_pred = rng.random((4, 3)), rng.random((4, 3))
    per_sample = np.abs(y_true - y_pred).mean(-1)
    np.testing.assert_allclose(
        losses.MeanAbsoluteError(reduction="sum")(y_true, y_pred).data, per_sample.sum())
    np.testing.assert_allclose(
        losses.MeanAbsoluteError(reduction="none")(y_true, y_pred).data, per_sample)
    np.testing.assert_allclose(
        losses.MeanAbsoluteError(reduction=None)(y_true, y_pred).data, per_sample)
    with pytest.raises(ValueError, match="unknown reduction 'avg'"):
        losses.MeanAbsoluteError(reduction="avg")


def test_label_smoothing(rng):
    labels = rng.integers(0, 3, 6)
    probs = _probs(rng, 6, 3)
    smooth = _one_hot(labels, 3) * 0.8 + 0.2 / 3
    expected = -(smooth * np.log(probs)).sum(-1).mean()
    value = losses.CategoricalCrossentropy(label_smoothing=0.2)(_one_hot(labels, 3), probs)
    np.testing.assert_allclose(value.data, expected, rtol=1e-6)

    t = rng.integers(0, 2, (6, 1)).astype(float)
    p = rng.uniform(0.05, 0.95, (6, 1))
    ts = t * 0.9 + 0.05
    expected = -(ts * np.log(p) + (1 - ts) * np.log(1 - p)).mean()
    value = losses.BinaryCrossentropy(label_smoothing=0.1)(t, p)
    np.testing.assert_allclose(value.data, expected, rtol=1e-6)


def test_loss_class_gradient_matches_finite_differences(rng):
    y_true = rng.standard_normal((4, 3))
    w = np.array([0.5, 1.0, 0.0, 2.0])
    loss = losses.Huber(delta=0.5)
    baeum.gradcheck(lambda p: loss(y_true, p, sample_weight=w), rng.standard_normal((4, 3)))


@requires_torch
def test_weighted_sparse_crossentropy_against_torch(rng):
    logits = rng.standard_normal((7, 5))
    labels = rng.integers(0, 5, 7)
    w = rng.random(7)
    x = baeum.tensor(logits, requires_grad=True)
    value = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, x, sample_weight=w)
    value.backward()
    xt = torch.tensor(logits, requires_grad=True)
    ref = (torch.nn.functional.cross_entropy(xt, torch.tensor(labels), reduction="none")
           * torch.tensor(w)).sum() / 7
    ref.backward()
    np.testing.assert_allclose(value.data, ref.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)


@requires_torch
def test_sparse_crossentropy_mean_from_logits_is_one_op_equal_to_torch(rng):
    # The default reduction from logits runs as a single fused op (mean included).
    logits = rng.standard_normal((2, 6, 5))             # a sequence: labels (2, 6)
    labels = rng.integers(0, 5, (2, 6))
    x = baeum.tensor(logits, requires_grad=True)
    value = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, x)
    assert type(value._ctx).__name__ == "SparseSoftmaxCrossEntropy" and value.shape == ()
    value.backward(np.array(3.0))                       # an upstream gradient that is not 1
    xt = torch.tensor(logits, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(xt.reshape(12, 5), torch.tensor(labels).reshape(12))
    (3 * ref).backward()
    np.testing.assert_allclose(value.data, ref.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match=r"class ids in \[0, 5\).*from -1 to 4"):
        losses.SparseCategoricalCrossentropy(from_logits=True)(np.array([[-1, 4]]),
                                                               rng.standard_normal((1, 2, 5)))


def test_softmax_outputs_given_as_logits_warn_once(rng):
    probs = _probs(rng, 8, 4)
    labels = rng.integers(0, 4, 8)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    with pytest.warns(UserWarning, match="look like softmax probabilities"):
        loss(labels, probs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss(labels, probs)                       # checked once per loss object
        losses.CategoricalCrossentropy(from_logits=True)(
            _one_hot(labels, 4), rng.standard_normal((8, 4)))   # real logits: no warning


def test_get_resolves_keras_names():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("mean_squared_error") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error
    assert losses.get("kld") is losses.kl_divergence
    assert losses.get("huber") is losses.huber
    for name in ("binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy"):
        assert losses.get(name) is getattr(losses, name)
    assert isinstance(losses.get("Huber"), losses.Huber)
    assert isinstance(losses.get(losses.MeanSquaredError), losses.MeanSquaredError)
    obj = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(obj) is obj
    assert losses.get(None) is None


def test_unknown_loss_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown loss 'msee'.*'mean_squared_error'"):
        losses.get("msee")


def test_serialize_round_trip():
    loss = losses.Huber(delta=2.5, reduction="sum", name="h")
    config = losses.serialize(loss)
    assert config == {"class_name": "Huber",
                      "config": {"name": "h", "reduction": "sum", "delta": 2.5}}
    again = losses.get(config)
    assert isinstance(again, losses.Huber) and again.get_config() == loss.get_config()
    cce = losses.get(losses.serialize(losses.CategoricalCrossentropy(from_logits=True)))
    assert cce.from_logits is True
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"


def test_loss_functions_error_messages_reach_the_classes(rng):
    with pytest.raises(ValueError, match="look like integer class ids"):
        losses.CategoricalCrossentropy()(np.array([0, 2, 1]), _probs(rng, 3, 3))
    with pytest.raises(ValueError, match="look one-hot"):
        losses.SparseCategoricalCrossentropy()(_one_hot([0, 2, 1], 3), _probs(rng, 3, 3))
