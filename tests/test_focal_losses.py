"""Focal losses (BinaryFocalCrossentropy, CategoricalFocalCrossentropy) and label smoothing
in the binary/categorical cross-entropy functions.

Checked three ways: Keras's docstring examples, the formula written with torch ops
(torchvision's sigmoid_focal_loss for the binary one) for the value and both gradients,
and finite differences. Then names, config, compile/fit and saving.
"""

import math

import numpy as np
import pytest

import baeum
from baeum import losses, metrics, optimizers
from baeum.layers import Dense, Input
from oracle import compare, requires_torch, torch

EPS = 1e-7  # Keras's backend.epsilon()

# --- Keras's docstring examples -----------------------------------------------------------

LOGITS_1 = ([0.0, 1.0, 0.0, 0.0], [-18.6, 0.51, 2.94, -12.8])            # one sample of 4
LOGITS_2 = ([[0.0, 1.0], [0.0, 0.0]], [[-18.6, 0.51], [2.94, -12.8]])    # two samples of 2

BINARY_FOCAL_KERAS = [
    # data, class arguments, sample_weight, expected (Keras prints 3 or 4 digits)
    (LOGITS_1, {"gamma": 2}, None, 0.691),
    (LOGITS_1, {"gamma": 2, "apply_class_balancing": True}, None, 0.51),
    (LOGITS_2, {"gamma": 3}, None, 0.647),
    (LOGITS_2, {"gamma": 3, "apply_class_balancing": True}, None, 0.482),
    (LOGITS_2, {"gamma": 3}, [0.8, 0.2], 0.133),
    (LOGITS_2, {"gamma": 3, "apply_class_balancing": True}, [0.8, 0.2], 0.097),
    (LOGITS_2, {"gamma": 4, "reduction": "sum"}, None, 1.222),
    (LOGITS_2, {"gamma": 4, "apply_class_balancing": True, "reduction": "sum"}, None, 0.914),
    (LOGITS_2, {"gamma": 5, "reduction": None}, None, [0.0017, 1.1561]),
    (LOGITS_2, {"gamma": 5, "apply_class_balancing": True, "reduction": None}, None,
     [0.0004, 0.8670]),
]


@pytest.mark.parametrize("data, kwargs, sample_weight, expected", BINARY_FOCAL_KERAS)
def test_binary_focal_keras_examples(data, kwargs, sample_weight, expected):
    y_true, y_pred = (np.array(a) for a in data)
    loss = losses.BinaryFocalCrossentropy(from_logits=True, **kwargs)
    value = loss(y_true, y_pred, sample_weight=sample_weight).data
    np.testing.assert_allclose(value, expected, atol=6e-4)


def test_binary_focal_function_keras_example_by_hand():
    # y_true [[0, 1], [0, 0]], y_pred [[0.6, 0.4], [0.4, 0.6]], gamma 2 -> [0.330, 0.206]
    # sample 1: label 0, p 0.6: 0.6^2 * -log 0.4; label 1, p 0.4: 0.6^2 * -log 0.4
    # sample 2: label 0, p 0.4: 0.4^2 * -log 0.6; label 0, p 0.6: 0.6^2 * -log 0.4
    value = losses.binary_focal_crossentropy(np.array([[0.0, 1.0], [0.0, 0.0]]),
                                             np.array([[0.6, 0.4], [0.4, 0.6]]), gamma=2)
    by_hand = [0.36 * -math.log(0.4),
               (0.16 * -math.log(0.6) + 0.36 * -math.log(0.4)) / 2]
    np.testing.assert_allclose(value.data, by_hand, rtol=1e-12)
    np.testing.assert_allclose(value.data, [0.330, 0.206], atol=5e-4)


CATEGORICAL_T = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
CATEGORICAL_P = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]


def test_categorical_focal_keras_examples():
    t, p = np.array(CATEGORICAL_T), np.array(CATEGORICAL_P)
    # by hand: alpha (1 - p)^gamma (-log p) of the true class:
    #   0.25 * 0.05^2 * -log 0.95 = 3.2058e-05 and 0.25 * 0.9^2 * -log 0.1 = 0.46627
    per_sample = [0.25 * 0.05**2 * -math.log(0.95), 0.25 * 0.9**2 * -math.log(0.1)]
    np.testing.assert_allclose(
        losses.CategoricalFocalCrossentropy(reduction=None)(t, p).data, per_sample, rtol=1e-6)
    np.testing.assert_allclose(per_sample, [3.2058331e-05, 4.6627346e-01], rtol=1e-6)
    loss = losses.CategoricalFocalCrossentropy()
    assert float(loss(t, p)) == pytest.approx(0.23315276, rel=1e-6)
    assert float(loss(t, p, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(0.1632,
                                                                                  abs=1e-4)
    assert float(losses.CategoricalFocalCrossentropy(reduction="sum")(t, p)) == \
        pytest.approx(0.46631, abs=1e-5)
    # the function's example
    value = losses.categorical_focal_crossentropy(
        np.array(CATEGORICAL_T), np.array([[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]))
    np.testing.assert_allclose(value.data, [2.63401289e-04, 6.75912094e-01], rtol=1e-7)


def test_gamma_0_is_plain_crossentropy(rng):
    t = rng.integers(0, 2, (5, 3)).astype(float)
    z = rng.standard_normal((5, 3))
    for from_logits, y_pred in [(True, z), (False, 1 / (1 + np.exp(-z)))]:
        np.testing.assert_allclose(
            losses.binary_focal_crossentropy(t, y_pred, gamma=0, from_logits=from_logits).data,
            losses.binary_crossentropy(t, y_pred, from_logits=from_logits).data, rtol=1e-12)
    onehot = np.eye(4)[rng.integers(0, 4, 6)]
    z = rng.standard_normal((6, 4))
    for from_logits, y_pred in [(True, z), (False, np.exp(z) / np.exp(z).sum(-1, keepdims=True))]:
        np.testing.assert_allclose(
            losses.categorical_focal_crossentropy(onehot, y_pred, alpha=1.0, gamma=0,
                                                  from_logits=from_logits).data,
            losses.categorical_crossentropy(onehot, y_pred, from_logits=from_logits).data,
            rtol=1e-10)


def test_focal_factor_shrinks_easy_examples_most():
    # Confident and right (p_t = 0.95) vs unsure (p_t = 0.6): the focal loss cuts the easy
    # one by (1 - 0.95)^2 = 1/400, the hard one by only (1 - 0.6)^2 = 0.16.
    t = np.array([[1.0], [1.0]])
    p = np.array([[0.95], [0.6]])
    ratio = losses.binary_focal_crossentropy(t, p).data / losses.binary_crossentropy(t, p).data
    np.testing.assert_allclose(ratio, [0.05**2, 0.4**2], rtol=1e-9)


def test_large_logits_stay_finite():
    # The logits path of both losses is the fused, log-sum-exp one: no log(0) at |z| = 1000.
    t = np.array([[1.0, 0.0]])
    z = np.array([[-1000.0, 1000.0]])
    b = baeum.tensor(z, requires_grad=True)
    value = losses.binary_focal_crossentropy(t, b, gamma=2, from_logits=True)
    value.backward(np.ones(1))
    assert np.isfinite(value.data).all() and np.isfinite(b.grad.data).all()
    assert float(value[0]) == pytest.approx(1000.0)          # (1 - 0)^2 * 1000 twice, mean
    c = baeum.tensor(z, requires_grad=True)
    value = losses.categorical_focal_crossentropy(t, c, gamma=2, from_logits=True)
    value.backward(np.ones(1))
    assert float(value[0]) == pytest.approx(0.25 * 2000.0)   # alpha * 1^2 * -log_softmax
    assert np.isfinite(c.grad.data).all()


# --- gradients: torch and finite differences ------------------------------------------------


def _torch_binary_focal(t, z, gamma, alpha=None, from_logits=True, smoothing=0.0):
    """torchvision.ops.sigmoid_focal_loss (its reduction="none"), then the mean over the
    last axis as Keras; alpha=None: no class balancing. Probabilities are clipped for the
    log only, as in Keras."""
    F = torch.nn.functional
    if smoothing:
        t = t * (1 - smoothing) + 0.5 * smoothing
    if from_logits:
        p = torch.sigmoid(z)
        ce = F.binary_cross_entropy_with_logits(z, t, reduction="none")
    else:
        p = z
        pc = z.clamp(EPS, 1 - EPS)
        ce = -(t * pc.log() + (1 - t) * (1 - pc).log())
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss.mean(-1)


def _torch_categorical_focal(t, y, gamma, alpha, from_logits=True, smoothing=0.0, axis=-1):
    if smoothing:
        t = t * (1 - smoothing) + smoothing / t.shape[axis]
    if from_logits:
        logp = torch.log_softmax(y, dim=axis)
        p = logp.exp()
    else:
        p = (y / y.sum(axis, keepdim=True)).clamp(EPS, 1 - EPS)
        logp = p.log()
    return (alpha * (1 - p) ** gamma * -t * logp).sum(axis)


BINARY_TORCH_CASES = [
    # gamma, alpha (None: no class balancing), from_logits, label_smoothing
    (2.0, 0.25, True, 0.0),      # torchvision's defaults
    (2.0, None, True, 0.0),      # Keras's defaults, logits
    (1.5, 0.6, True, 0.1),
    (2.0, None, False, 0.0),
    (3.0, 0.25, False, 0.2),
]


@requires_torch
@pytest.mark.torch
@pytest.mark.parametrize("gamma, alpha, from_logits, smoothing", BINARY_TORCH_CASES)
def test_binary_focal_matches_torch(rng, gamma, alpha, from_logits, smoothing):
    t = rng.uniform(0.05, 0.95, (6, 4))       # soft targets: the gradient in y_true too
    z = rng.standard_normal((6, 4)) * 2
    y_pred = z if from_logits else rng.uniform(0.02, 0.98, (6, 4))

    def ours(t, y):
        return losses.binary_focal_crossentropy(
            t, y, apply_class_balancing=alpha is not None,
            alpha=0.25 if alpha is None else alpha, gamma=gamma, from_logits=from_logits,
            label_smoothing=smoothing)

    compare(ours, lambda t, y: _torch_binary_focal(t, y, gamma, alpha, from_logits, smoothing),
            [t, y_pred], rtol=1e-9, atol=1e-12)


@requires_torch
@pytest.mark.torch
def test_binary_focal_matches_torchvision_formula_on_hard_labels(rng):
    t = rng.integers(0, 2, (8, 3)).astype(float)
    compare(lambda t, z: losses.BinaryFocalCrossentropy(apply_class_balancing=True,
                                                        from_logits=True)(t, z),
            lambda t, z: _torch_binary_focal(t, z, 2.0, 0.25).mean(),
            [t, rng.standard_normal((8, 3)) * 3], grad=[False, True], rtol=1e-10)


CATEGORICAL_TORCH_CASES = [
    # gamma, alpha, from_logits, label_smoothing
    (2.0, 0.25, True, 0.0),
    (2.0, 0.25, False, 0.0),
    (0.5, [0.2, 0.3, 0.1, 0.4], True, 0.1),
    (4.0, [1.0, 2.0, 0.5, 1.0], False, 0.2),
]


@requires_torch
@pytest.mark.torch
@pytest.mark.parametrize("gamma, alpha, from_logits, smoothing", CATEGORICAL_TORCH_CASES)
def test_categorical_focal_matches_torch(rng, gamma, alpha, from_logits, smoothing):
    t = np.eye(4)[rng.integers(0, 4, 7)] * 0.8 + 0.05      # soft rows summing to 1
    y_pred = rng.standard_normal((7, 4)) if from_logits else rng.uniform(0.05, 1.0, (7, 4))
    alpha_t = torch.tensor(alpha, dtype=torch.float64) if isinstance(alpha, list) else alpha
    compare(lambda t, y: losses.categorical_focal_crossentropy(
                t, y, alpha=alpha, gamma=gamma, from_logits=from_logits,
                label_smoothing=smoothing),
            lambda t, y: _torch_categorical_focal(t, y, gamma, alpha_t, from_logits, smoothing),
            [t, y_pred], rtol=1e-9, atol=1e-12)


@requires_torch
@pytest.mark.torch
@pytest.mark.parametrize("from_logits", [True, False])
def test_categorical_focal_on_a_middle_axis_matches_torch(rng, from_logits):
    # (batch, classes, steps) with the classes on axis 1; alpha per class along that axis
    t = np.moveaxis(np.eye(3)[rng.integers(0, 3, (4, 5))], -1, 1)
    y_pred = rng.standard_normal((4, 3, 5)) if from_logits else rng.uniform(0.1, 1, (4, 3, 5))
    alpha = [0.5, 0.25, 1.0]
    compare(lambda t, y: losses.categorical_focal_crossentropy(
                t, y, alpha=alpha, from_logits=from_logits, label_smoothing=0.1, axis=1),
            lambda t, y: _torch_categorical_focal(
                t, y, 2.0, torch.tensor(alpha, dtype=torch.float64).reshape(1, 3, 1),
                from_logits, 0.1, axis=1),
            [t, y_pred], grad=[False, True], rtol=1e-9, atol=1e-12)


@requires_torch
@pytest.mark.torch
@pytest.mark.parametrize("from_logits", [True, False])
def test_label_smoothing_of_the_crossentropy_functions_matches_torch(rng, from_logits):
    F = torch.nn.functional
    t = rng.integers(0, 2, (5, 3)).astype(float)
    z = rng.standard_normal((5, 3))
    y = z if from_logits else 1 / (1 + np.exp(-z))

    def torch_bce(t, y):
        ts = t * 0.8 + 0.1
        if from_logits:
            return F.binary_cross_entropy_with_logits(y, ts, reduction="none").mean(-1)
        return F.binary_cross_entropy(y.clamp(EPS, 1 - EPS), ts, reduction="none").mean(-1)

    compare(lambda t, y: losses.binary_crossentropy(t, y, from_logits=from_logits,
                                                    label_smoothing=0.2),
            torch_bce, [t, y], grad=[False, True], rtol=1e-9)
    labels = rng.integers(0, 4, 6)
    z = rng.standard_normal((6, 4))
    y = z if from_logits else np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    compare(lambda y: losses.categorical_crossentropy(np.eye(4)[labels], y,
                                                      from_logits=from_logits,
                                                      label_smoothing=0.1),
            lambda y: F.cross_entropy(y if from_logits else y.log(), torch.tensor(labels),
                                      label_smoothing=0.1, reduction="none"),
            [y], rtol=1e-9)


GRADCHECK_CASES = [
    ("binary", {"from_logits": True}),
    ("binary", {"from_logits": False, "apply_class_balancing": True, "gamma": 1.5}),
    ("binary", {"from_logits": True, "label_smoothing": 0.1, "apply_class_balancing": True}),
    ("categorical", {"from_logits": True}),
    ("categorical", {"from_logits": False, "alpha": [0.1, 0.4, 0.5], "gamma": 3.0}),
    ("categorical", {"from_logits": True, "label_smoothing": 0.2, "gamma": 0.5}),
]


@pytest.mark.parametrize("kind, kwargs", GRADCHECK_CASES)
def test_gradient_matches_finite_differences(rng, kind, kwargs):
    if kind == "binary":
        t = rng.integers(0, 2, (4, 3)).astype(float)
        fn = losses.binary_focal_crossentropy
    else:
        t = np.eye(3)[rng.integers(0, 3, 4)]
        fn = losses.categorical_focal_crossentropy
    y_pred = rng.standard_normal((4, 3)) if kwargs["from_logits"] \
        else rng.uniform(0.1, 0.9, (4, 3))
    assert baeum.gradcheck(lambda p: fn(t, p, **kwargs), y_pred)


def test_focal_class_gradient_with_sample_weight_matches_finite_differences(rng):
    t = np.eye(3)[rng.integers(0, 3, 5)]
    loss = losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1)
    w = rng.random(5)
    assert baeum.gradcheck(lambda z: loss(t, z, sample_weight=w), rng.standard_normal((5, 3)))


# --- label smoothing in the cross-entropy functions (Keras 3's arguments) ----------------------


def test_crossentropy_functions_take_label_smoothing(rng):
    t = rng.integers(0, 2, (6, 1)).astype(float)
    p = rng.uniform(0.05, 0.95, (6, 1))
    ts = t * 0.9 + 0.05                                     # 0 -> 0.05, 1 -> 0.95
    by_hand = -(ts * np.log(p) + (1 - ts) * np.log(1 - p))[:, 0]
    np.testing.assert_allclose(losses.binary_crossentropy(t, p, label_smoothing=0.1).data,
                               by_hand, rtol=1e-12)
    # the class gives the batch mean of the same values
    assert float(losses.BinaryCrossentropy(label_smoothing=0.1)(t, p)) == \
        pytest.approx(by_hand.mean(), rel=1e-12)
    onehot = np.eye(3)[rng.integers(0, 3, 5)]
    q = rng.dirichlet(np.ones(3), 5)
    smooth = onehot * 0.7 + 0.1                             # s = 0.3: 0.3 / 3 to every class
    np.testing.assert_allclose(
        losses.categorical_crossentropy(onehot, q, label_smoothing=0.3).data,
        -(smooth * np.log(q)).sum(-1), rtol=1e-12)
    # metrics take it too (Keras's metric classes have the argument)
    m = metrics.BinaryCrossentropy(label_smoothing=0.1)
    m.update_state(t, p)
    assert m.result() == pytest.approx(by_hand.mean(), rel=1e-9)
    assert m.get_config()["label_smoothing"] == 0.1


def test_categorical_crossentropy_class_takes_any_axis(rng):
    # (batch, classes, steps): axis=1 is the transposed (batch, steps, classes) problem
    t = np.moveaxis(np.eye(4)[rng.integers(0, 4, (3, 5))], -1, 1)
    z = rng.standard_normal((3, 4, 5))
    for from_logits, y in [(True, z), (False, np.exp(z) / np.exp(z).sum(1, keepdims=True))]:
        loss = losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.1,
                                              axis=1)
        moved = losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.1)
        np.testing.assert_allclose(float(loss(t, y)),
                                   float(moved(np.moveaxis(t, 1, -1), np.moveaxis(y, 1, -1))),
                                   rtol=1e-12)
    assert loss.get_config()["axis"] == 1


def test_binary_crossentropy_axis_is_the_mean_axis(rng):
    t = rng.integers(0, 2, (4, 3)).astype(float)
    p = rng.uniform(0.1, 0.9, (4, 3))
    np.testing.assert_allclose(losses.binary_crossentropy(t, p, axis=0).data,
                               losses.binary_crossentropy(t.T, p.T).data, rtol=1e-12)
    loss = losses.BinaryCrossentropy(axis=0, reduction=None)
    np.testing.assert_allclose(loss(t, p).data, losses.binary_crossentropy(t.T, p.T).data)


# --- names, config, errors ----------------------------------------------------------------------


@pytest.mark.parametrize("name, fn, cls", [
    ("binary_focal_crossentropy", losses.binary_focal_crossentropy,
     losses.BinaryFocalCrossentropy),
    ("categorical_focal_crossentropy", losses.categorical_focal_crossentropy,
     losses.CategoricalFocalCrossentropy),
])
def test_names_resolve_like_keras(name, fn, cls):
    from baeum.training.compile_utils import resolve_loss

    assert losses.get(name) is fn
    assert isinstance(losses.get(cls.__name__), cls)
    assert isinstance(resolve_loss(name), cls)
    assert losses.serialize(fn) == name
    assert cls().name == name
    assert metrics.get(name) is getattr(metrics, name)


def test_keras_defaults_and_config_round_trip():
    b = losses.BinaryFocalCrossentropy()
    assert b.get_config() == {
        "name": "binary_focal_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "label_smoothing": 0.0, "axis": -1,
        "apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0}
    c = losses.CategoricalFocalCrossentropy()
    assert c.get_config() == {
        "name": "categorical_focal_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "label_smoothing": 0.0, "axis": -1, "alpha": 0.25, "gamma": 2.0}
    for loss in [losses.BinaryFocalCrossentropy(True, 0.4, 3, True, 0.1, -1, "sum", "bf"),
                 losses.CategoricalFocalCrossentropy(np.array([0.2, 0.8]), 1.5, True, 0.05,
                                                     reduction=None, name="cf"),
                 losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, axis=0)]:
        config = losses.serialize(loss)
        again = losses.deserialize(config)
        assert type(again) is type(loss) and again.get_config() == loss.get_config()
    assert again.axis == 0
    # a per-class alpha is kept as a plain list: the config is JSON
    assert losses.CategoricalFocalCrossentropy(alpha=np.array([0.2, 0.8])).get_config()[
        "alpha"] == [0.2, 0.8]


def test_bad_arguments_are_clear_errors():
    t, p = np.array([[0.0, 1.0]]), np.array([[0.3, 0.7]])
    with pytest.raises(ValueError, match="gamma must be a number >= 0"):
        losses.BinaryFocalCrossentropy(gamma=-1)
    with pytest.raises(ValueError, match=r"alpha must be a number in \[0, 1\]"):
        losses.binary_focal_crossentropy(t, p, alpha=1.5)
    with pytest.raises(ValueError, match=r"label_smoothing must be a number in \[0, 1\]"):
        losses.binary_crossentropy(t, p, label_smoothing=2)
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        losses.CategoricalFocalCrossentropy(label_smoothing=-0.1)
    with pytest.raises(ValueError, match=r"one weight per class \(2 classes along axis -1\)"):
        losses.categorical_focal_crossentropy(t, p, alpha=[0.1, 0.2, 0.7])
    with pytest.raises(ValueError, match="look like integer class ids"):
        losses.CategoricalFocalCrossentropy()(np.array([1, 0]), np.array([[0.3, 0.7]] * 2))
    with pytest.raises(ValueError, match="axis must be an integer"):
        losses.BinaryCrossentropy(axis=True)


def test_probabilities_given_to_a_from_logits_focal_loss_warn():
    with pytest.warns(UserWarning, match="look like softmax probabilities"):
        losses.CategoricalFocalCrossentropy(from_logits=True)(
            np.array([[0.0, 1.0]]), np.array([[0.3, 0.7]]))


# --- compile, fit, save ---------------------------------------------------------------------


def _imbalanced(rng, n=120):
    x = rng.standard_normal((n, 2)).astype(np.float32)
    y = (x[:, :1] + x[:, 1:] > 1.0).astype(np.float32)     # about 1 in 4 positive
    return x, y


def test_fit_with_binary_focal_loss_learns(rng):
    x, y = _imbalanced(rng)
    model = baeum.Sequential([Input(shape=(2,)), Dense(1)])
    model.compile(optimizers.Adam(0.05),
                  loss=losses.BinaryFocalCrossentropy(apply_class_balancing=True,
                                                      from_logits=True),
                  metrics=["binary_focal_crossentropy"])
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert ((model.predict(x) > 0) == (y > 0)).mean() > 0.9
    # evaluate's loss is the class's loss of all the data at once
    value = model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)["loss"]
    expected = losses.BinaryFocalCrossentropy(apply_class_balancing=True,
                                              from_logits=True)(y, model.predict(x))
    assert value == pytest.approx(float(expected), rel=1e-5)


def test_fit_with_categorical_focal_loss_by_name_and_save(rng, tmp_path):
    x = rng.standard_normal((90, 3)).astype(np.float32)
    labels = np.argmax(x @ rng.standard_normal((3, 3)), axis=1)
    y = np.eye(3, dtype=np.float32)[labels]
    model = baeum.Sequential([Input(shape=(3,)), Dense(3, activation="softmax")])
    model.compile(optimizers.Adam(0.05), loss="categorical_focal_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=15, epochs=20, verbose=0)
    assert isinstance(model.compiled_loss.losses[0], losses.CategoricalFocalCrossentropy)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8
    model.compile(optimizers.Adam(0.05), loss=losses.CategoricalFocalCrossentropy(
        alpha=[0.5, 0.3, 0.2], gamma=1.0, label_smoothing=0.1))
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.baeum")
    loaded = baeum.saving.load_model(tmp_path / "m.baeum")
    assert loaded.loss.get_config() == model.loss.get_config()
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0),
                                                             rel=1e-6)
