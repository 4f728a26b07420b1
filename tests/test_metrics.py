"""Metrics: the functions on arrays, the stateful objects, and "accuracy" in compile."""

import numpy as np
import pytest

import baeum
from baeum import metrics
from baeum.layers import Dense


def test_binary_accuracy_known_values():
    # Keras docs: y_true [1, 1, 0, 0], y_pred [0.98, 1, 0, 0.6] -> 0.75; weights -> 0.5
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    assert m.result() == pytest.approx(0.75)
    m.reset_state()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]],
                   sample_weight=[1, 0, 0, 1])
    assert m.result() == pytest.approx(0.5)
    assert metrics.BinaryAccuracy(threshold=0.99)([[1], [1]], [[0.98], [1.0]]) == 0.5


def test_accuracy_functions(rng):
    probs = rng.random((20, 5))
    labels = rng.integers(0, 5, 20)
    hit = (probs.argmax(-1) == labels).astype(float)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels, probs), hit)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels[:, None], probs), hit)
    np.testing.assert_array_equal(metrics.categorical_accuracy(np.eye(5)[labels], probs), hit)
    top2 = np.argsort(probs, -1)[:, -2:]
    in_top2 = (top2 == labels[:, None]).any(-1).astype(float)
    np.testing.assert_array_equal(
        metrics.sparse_top_k_categorical_accuracy(labels, probs, k=2), in_top2)
    np.testing.assert_array_equal(
        metrics.top_k_categorical_accuracy(np.eye(5)[labels], probs, k=2), in_top2)
    assert metrics.TopKCategoricalAccuracy()(np.eye(5)[labels], probs) == 1.0  # k=5 of 5


def test_binary_accuracy_with_flat_labels(rng):
    p = rng.random((10, 1))
    t = rng.integers(0, 2, 10)
    np.testing.assert_array_equal(metrics.binary_accuracy(t, p), (t == (p[:, 0] > 0.5)))


def test_regression_metric_functions(rng):
    t, p = rng.random((6, 3)), rng.random((6, 3))
    np.testing.assert_allclose(metrics.mse(t, p), ((t - p) ** 2).mean(-1))
    np.testing.assert_allclose(metrics.mae(t, p), np.abs(t - p).mean(-1))
    rmse = metrics.RootMeanSquaredError()
    rmse.update_state(t, p)
    assert rmse.result() == pytest.approx(np.sqrt(((t - p) ** 2).mean()))


def test_metric_functions_accept_tensors(rng):
    p = rng.random((4, 3))
    labels = np.array([0, 1, 2, 0])
    np.testing.assert_array_equal(
        metrics.sparse_categorical_accuracy(baeum.tensor(labels), baeum.tensor(p)),
        metrics.sparse_categorical_accuracy(labels, p))


def test_mean_is_weighted_by_sample_count_so_batching_does_not_matter(rng):
    probs = rng.random((37, 4))
    labels = rng.integers(0, 4, 37)
    whole = metrics.SparseCategoricalAccuracy()
    whole.update_state(labels, probs)
    batched = metrics.SparseCategoricalAccuracy()
    for start in range(0, 37, 10):       # batches of 10, 10, 10, 7
        batched.update_state(labels[start:start + 10], probs[start:start + 10])
    assert batched.result() == pytest.approx(whole.result(), abs=1e-15)
    assert whole.result() == pytest.approx((probs.argmax(-1) == labels).mean())


def test_mean_metric():
    m = metrics.Mean()
    m.update_state([1.0, 3.0])
    m.update_state(5.0, sample_weight=2.0)
    assert m.result() == pytest.approx(3.5)
    m.reset_state()
    assert m.result() == 0.0
    assert m(4.0) == 4.0          # calling updates and returns the result


def test_mean_metric_wrapper_of_a_custom_function(rng):
    def within_one(y_true, y_pred):
        return (np.abs(y_true - y_pred) <= 1).mean(-1)

    m = metrics.MeanMetricWrapper(within_one)
    assert m.name == "within_one"
    t, p = rng.random((5, 2)) * 3, rng.random((5, 2)) * 3
    m.update_state(t, p)
    assert m.result() == pytest.approx((np.abs(t - p) <= 1).mean())


def test_get_and_unknown_names():
    assert metrics.get("mae") is metrics.mean_absolute_error
    assert metrics.get("sparse_categorical_accuracy") is metrics.sparse_categorical_accuracy
    assert isinstance(metrics.get("BinaryAccuracy"), metrics.BinaryAccuracy)
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    with pytest.raises(ValueError, match="unknown metric 'acuracy'.*'accuracy'"):
        metrics.get("acuracy")


def test_metric_names_and_config():
    m = metrics.TopKCategoricalAccuracy(k=3, name="top3")
    assert m.name == "top3" and m.get_config()["k"] == 3
    assert metrics.SparseCategoricalAccuracy().name == "sparse_categorical_accuracy"
    with pytest.raises(TypeError, match="unexpected keyword"):
        metrics.CategoricalAccuracy(k=3)


def _resolved_accuracy(loss, y, units, activation):
    model = baeum.Sequential([baeum.Input(shape=(3,)), Dense(units, activation=activation)])
    model.compile("sgd", loss=loss, metrics=["accuracy"])
    model.evaluate(np.ones((4, 3), np.float32), y, verbose=0)
    (metric,) = model.compiled_metrics.metrics
    assert metric.name == "accuracy"
    return type(metric)


def test_accuracy_string_is_resolved_from_loss_and_label_shape():
    assert _resolved_accuracy("sparse_categorical_crossentropy", np.array([0, 1, 2, 1]),
                              3, "softmax") is metrics.SparseCategoricalAccuracy
    assert _resolved_accuracy("categorical_crossentropy", np.eye(3)[[0, 1, 2, 1]],
                              3, "softmax") is metrics.CategoricalAccuracy
    assert _resolved_accuracy("binary_crossentropy", np.array([[0], [1], [1], [0]]),
                              1, "sigmoid") is metrics.BinaryAccuracy
    assert _resolved_accuracy("mse", np.array([0.0, 1.0, 1.0, 0.0]),
                              1, None) is metrics.BinaryAccuracy           # one output unit
    # multi-label: binary loss on several sigmoid units is binary accuracy too
    assert _resolved_accuracy("binary_crossentropy", np.eye(3)[[0, 1, 2, 1]],
                              3, "sigmoid") is metrics.BinaryAccuracy
