"""The regression, hinge, count and similarity losses Keras tutorials use: MAPE, MSLE,
hinge, squared hinge, categorical hinge, log-cosh, Poisson and cosine similarity.

Each is checked three ways: a small table computed by hand (mostly Keras's docstring
examples), its gradient against PyTorch and against finite differences, and its names
(`get("mape")`, serialize/deserialize, compile). Their metric twins are at the end.
"""

import math

import numpy as np
import pytest

import baeum
from baeum import losses, metrics, optimizers
from baeum.layers import Dense, Input
from oracle import compare, requires_torch, torch

EPS = 1e-7  # Keras's backend.epsilon()

# --- values computed by hand -----------------------------------------------------------------
#
# Most rows use Keras's docstring pair  y_true = [[0, 1], [0, 0]],  y_pred = [[1, 1], [0, 0]]
# (or [[0.6, 0.4], [0.4, 0.6]] for the hinges). "per sample" is the function (shape (2,)),
# "loss" the class with the default reduction (the mean over the batch).

T01 = [[0.0, 1.0], [0.0, 0.0]]
P11 = [[1.0, 1.0], [0.0, 0.0]]
P64 = [[0.6, 0.4], [0.4, 0.6]]

KNOWN_VALUES = [
    # class, function, y_true, y_pred, per sample, loss
    # MAPE: 100 * mean |(t - p) / t|; sample 1: 100 * (1/2 + 1/4) / 2, sample 2: 100 * 0.5 / 2
    (losses.MeanAbsolutePercentageError, losses.mean_absolute_percentage_error,
     [[2.0, 4.0], [-1.0, 10.0]], [[1.0, 5.0], [-1.5, 10.0]], [37.5, 25.0], 31.25),
    # MSLE: only the first value differs, by log(1 + 1) - log(1 + 0) = log 2
    (losses.MeanSquaredLogarithmicError, losses.mean_squared_logarithmic_error,
     T01, P11, [math.log(2) ** 2 / 2, 0.0], math.log(2) ** 2 / 4),
    # hinge: labels 0/1 become -1/1: [[-1, 1], [-1, -1]]; max(1 - t p, 0)
    #   sample 1: (1.6 + 0.6) / 2 = 1.1, sample 2: (1.4 + 1.6) / 2 = 1.5
    (losses.Hinge, losses.hinge, T01, P64, [1.1, 1.5], 1.3),
    # squared hinge: (1.6^2 + 0.6^2) / 2 = 1.46, (1.4^2 + 1.6^2) / 2 = 2.26
    (losses.SquaredHinge, losses.squared_hinge, T01, P64, [1.46, 2.26], 1.86),
    # categorical hinge: max(neg - pos + 1, 0); sample 1: pos 0.4, neg 0.6 -> 1.2;
    #   sample 2 (no true class): pos 0, neg 0.6 -> 1.6
    (losses.CategoricalHinge, losses.categorical_hinge, T01, P64, [1.2, 1.6], 1.4),
    # log-cosh: one error of 1 among four values
    (losses.LogCosh, losses.log_cosh, T01, P11, [math.log(math.cosh(1)) / 2, 0.0],
     math.log(math.cosh(1)) / 4),
    # Poisson: mean(p - t log p); sample 1: (1 - 0) + (1 - 1 log 1) = 2 -> 1; sample 2: 0
    (losses.Poisson, losses.poisson, T01, P11, [1.0, 0.0], 0.5),
    # cosine similarity (a loss: -cos): [0, 1] vs [1, 0] are orthogonal, [1, 1] vs [1, 1] agree
    (losses.CosineSimilarity, losses.cosine_similarity, [[0.0, 1.0], [1.0, 1.0]],
     [[1.0, 0.0], [1.0, 1.0]], [0.0, -1.0], -0.5),
]


@pytest.mark.parametrize("cls, fn, y_true, y_pred, per_sample, loss", KNOWN_VALUES,
                         ids=[row[0].__name__ for row in KNOWN_VALUES])
def test_known_values(cls, fn, y_true, y_pred, per_sample, loss):
    y_true, y_pred = np.array(y_true), np.array(y_pred)
    np.testing.assert_allclose(fn(y_true, y_pred).data, per_sample, rtol=1e-6, atol=1e-6)
    value = cls()(y_true, y_pred)
    assert value.shape == ()
    assert float(value) == pytest.approx(loss, rel=1e-6, abs=1e-6)
    # reduction and sample_weight work as for every LossFunctionWrapper
    w = np.array([2.0, 0.5])
    np.testing.assert_allclose(cls(reduction="none")(y_true, y_pred).data, per_sample,
                               rtol=1e-6, atol=1e-6)
    assert float(cls(reduction="sum")(y_true, y_pred, sample_weight=w)) == \
        pytest.approx(float(np.dot(per_sample, w)), rel=1e-6, abs=1e-6)


def test_hinge_labels_0_1_mean_the_same_as_minus_1_plus_1(rng):
    t01 = rng.integers(0, 2, (5, 3)).astype(float)
    p = rng.standard_normal((5, 3))
    for fn in (losses.hinge, losses.squared_hinge):
        np.testing.assert_allclose(fn(t01, p).data, fn(2 * t01 - 1, p).data)
    # labels that are not all 0/1 are used as they are (Keras): here -1 and 1 already


def test_mape_divides_a_zero_target_by_epsilon():
    value = losses.mean_absolute_percentage_error(np.array([[0.0]]), np.array([[1.0]]))
    assert float(value[0]) == pytest.approx(100 * 1 / EPS, rel=1e-6)


def test_msle_counts_negative_values_as_epsilon():
    value = losses.mean_squared_logarithmic_error(np.array([[-3.0]]), np.array([[1.0]]))
    assert float(value[0]) == pytest.approx((math.log(2) - math.log(1 + EPS)) ** 2)


def test_log_cosh_is_stable_for_large_errors():
    # cosh(1000) overflows float64; log(cosh(e)) = |e| - log 2 there, and about e^2 / 2 near 0.
    e = np.array([[1000.0, -1000.0, 1e-4]])
    value = losses.log_cosh(np.zeros_like(e), e)
    expected = (1000 - math.log(2) + 1000 - math.log(2) + 0.5e-8) / 3
    assert np.isfinite(value.data).all()
    assert float(value[0]) == pytest.approx(expected, rel=1e-12)


def test_poisson_rejects_negative_rates():
    with pytest.raises(ValueError, match="non-negative predictions.*softplus"):
        losses.poisson(np.array([[1.0, 2.0]]), np.array([[0.5, -0.1]]))


def test_cosine_similarity_axis_and_zero_vector():
    t = np.array([[1.0, 0.0], [0.0, 2.0]])
    p = np.array([[3.0, 0.0], [0.0, 0.0]])        # the second prediction is a zero vector
    np.testing.assert_allclose(losses.cosine_similarity(t, p).data, [-1.0, 0.0])
    # axis=0: the cosine of the columns [1, 0] . [3, 0] and [0, 2] . [0, 0]
    np.testing.assert_allclose(losses.cosine_similarity(t, p, axis=0).data, [-1.0, 0.0])
    assert losses.CosineSimilarity(axis=0).get_config()["axis"] == 0


def test_float32_stays_float32(rng):
    t = rng.random((4, 3)).astype(np.float32) + 0.5
    p = rng.random((4, 3)).astype(np.float32) + 0.5
    for fn in (losses.mape, losses.msle, losses.hinge, losses.squared_hinge,
               losses.categorical_hinge, losses.log_cosh, losses.poisson,
               losses.cosine_similarity):
        assert fn(t, p).dtype == np.float32, fn.__name__


# --- gradients: PyTorch and finite differences -----------------------------------------------


def _torch_hinge_labels(t):
    return 2 * t - 1 if bool(((t == 0) | (t == 1)).all()) else t


def _torch_losses():
    """The same losses written with torch ops (or torch's own function where it has one)."""
    F = torch.nn.functional
    return {
        "mape": lambda t, p: 100 * ((t - p) / t.abs().clamp(min=EPS)).abs().mean(-1),
        "msle": lambda t, p: ((p.clamp(min=EPS) + 1).log() - (t.clamp(min=EPS) + 1).log())
        .pow(2).mean(-1),
        "hinge": lambda t, p: (1 - _torch_hinge_labels(t) * p).clamp(min=0).mean(-1),
        "squared_hinge": lambda t, p: (1 - _torch_hinge_labels(t) * p).clamp(min=0).pow(2)
        .mean(-1),
        "categorical_hinge": lambda t, p: ((1 - t) * p).amax(-1).sub((t * p).sum(-1)).add(1)
        .clamp(min=0),
        "log_cosh": lambda t, p: torch.cosh(p - t).log().mean(-1),
        "poisson": lambda t, p: F.poisson_nll_loss(p, t, log_input=False, full=False, eps=EPS,
                                                   reduction="none").mean(-1),
        "cosine_similarity": lambda t, p: -F.cosine_similarity(t, p, dim=-1),
    }


def _inputs(name, rng, shape=(6, 4)):
    """(y_true, y_pred) away from every kink: margins not 0, predictions > 0 where needed."""
    if name in ("hinge", "squared_hinge"):
        return rng.choice([-1.0, 1.0], shape), rng.uniform(-2, 2, shape)
    if name == "categorical_hinge":
        return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[0])], rng.standard_normal(shape)
    if name in ("msle", "poisson"):
        return rng.uniform(0.1, 3, shape), rng.uniform(0.1, 3, shape)
    if name == "mape":
        return rng.uniform(0.5, 2, shape) * rng.choice([-1, 1], shape), rng.standard_normal(shape)
    return rng.standard_normal(shape), rng.standard_normal(shape)


LOSS_NAMES = ["mape", "msle", "hinge", "squared_hinge", "categorical_hinge", "log_cosh",
              "poisson", "cosine_similarity"]


@requires_torch
@pytest.mark.torch
@pytest.mark.parametrize("name", LOSS_NAMES)
def test_loss_and_its_gradients_match_torch(rng, name):
    y_true, y_pred = _inputs(name, rng)
    # both inputs are leaves: the gradient with respect to y_true is checked too
    compare(losses.get(name), _torch_losses()[name], [y_true, y_pred], rtol=1e-9, atol=1e-12)


@requires_torch
@pytest.mark.torch
def test_hinge_with_0_1_labels_matches_torch(rng):
    t = rng.integers(0, 2, (5, 3)).astype(float)
    compare(losses.hinge, _torch_losses()["hinge"], [t, rng.uniform(-2, 2, (5, 3))],
            grad=[False, True], rtol=1e-12)


@requires_torch
@pytest.mark.torch
def test_weighted_class_loss_matches_torch(rng):
    y_true, y_pred = _inputs("log_cosh", rng, (7, 3))
    w = rng.random(7)
    compare(lambda t, p: losses.LogCosh()(t, p, sample_weight=w),
            lambda t, p: (_torch_losses()["log_cosh"](t, p) * torch.tensor(w)).sum() / 7,
            [y_true, y_pred], rtol=1e-10)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_gradient_matches_finite_differences(rng, name):
    y_true, y_pred = _inputs(name, rng, (4, 3))
    fn = losses.get(name)
    baeum.gradcheck(lambda p: fn(y_true, p), y_pred)


# --- names: get, serialize, compile ----------------------------------------------------------

ALIASES = [
    # name, function, class
    ("mean_absolute_percentage_error", losses.mean_absolute_percentage_error,
     losses.MeanAbsolutePercentageError),
    ("mape", losses.mean_absolute_percentage_error, losses.MeanAbsolutePercentageError),
    ("MAPE", losses.mean_absolute_percentage_error, losses.MeanAbsolutePercentageError),
    ("mean_squared_logarithmic_error", losses.mean_squared_logarithmic_error,
     losses.MeanSquaredLogarithmicError),
    ("msle", losses.mean_squared_logarithmic_error, losses.MeanSquaredLogarithmicError),
    ("MSLE", losses.mean_squared_logarithmic_error, losses.MeanSquaredLogarithmicError),
    ("hinge", losses.hinge, losses.Hinge),
    ("squared_hinge", losses.squared_hinge, losses.SquaredHinge),
    ("categorical_hinge", losses.categorical_hinge, losses.CategoricalHinge),
    ("log_cosh", losses.log_cosh, losses.LogCosh),
    ("logcosh", losses.log_cosh, losses.LogCosh),
    ("poisson", losses.poisson, losses.Poisson),
    ("cosine_similarity", losses.cosine_similarity, losses.CosineSimilarity),
]


@pytest.mark.parametrize("name, fn, cls", ALIASES, ids=[row[0] for row in ALIASES])
def test_names_give_the_function_and_compile_wraps_it_in_the_class(name, fn, cls):
    from baeum.training.compile_utils import resolve_loss

    assert losses.get(name) is fn
    assert isinstance(losses.get(cls.__name__), cls)
    assert isinstance(resolve_loss(name), cls)
    assert losses.serialize(fn) in {row[0] for row in ALIASES if row[1] is fn}


@pytest.mark.parametrize("cls", sorted({row[2] for row in ALIASES}, key=lambda c: c.__name__))
def test_serialize_round_trip(cls):
    loss = cls(reduction="sum", name="mine")
    config = losses.serialize(loss)
    assert config["class_name"] == cls.__name__
    again = losses.deserialize(config)
    assert type(again) is cls and again.get_config() == loss.get_config()
    assert again.name == "mine" and again.reduction == "sum"


def test_keras_default_names():
    assert [cls().name for cls in (
        losses.MeanAbsolutePercentageError, losses.MeanSquaredLogarithmicError, losses.Hinge,
        losses.SquaredHinge, losses.CategoricalHinge, losses.LogCosh, losses.Poisson,
        losses.CosineSimilarity)] == [
        "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "hinge",
        "squared_hinge", "categorical_hinge", "log_cosh", "poisson", "cosine_similarity"]


def _regression_data(rng, n=64):
    x = rng.standard_normal((n, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.1).astype(np.float32)
    return x, y


@pytest.mark.parametrize("loss, cls", [("log_cosh", losses.LogCosh),
                                       ("cosine_similarity", losses.CosineSimilarity)])
def test_compile_and_fit_with_a_new_loss(rng, loss, cls):
    x, y = _regression_data(rng)
    if loss == "cosine_similarity":
        y = np.concatenate([y, -y, 2 * y], axis=1)   # a direction to match, 3 values a sample
    model = baeum.Sequential([Input(shape=(3,)), Dense(y.shape[1])])
    model.compile(optimizers.Adam(learning_rate=0.05), loss=loss, metrics=["mae"])
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    assert list(history.history) == ["loss", "mae"]
    assert isinstance(model.compiled_loss.losses[0], cls)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # evaluate's loss is the class's loss over all the data at once
    value = model.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)["loss"]
    assert value == pytest.approx(float(cls()(y, model.predict(x))), rel=1e-5)


def test_fit_with_squared_hinge_on_0_1_labels(rng):
    x = rng.standard_normal((80, 2)).astype(np.float32)
    y = (x[:, :1] + x[:, 1:] > 0).astype(np.float32)    # labels 0/1, turned into -1/1
    model = baeum.Sequential([Input(shape=(2,)), Dense(1, activation="tanh")])
    model.compile(optimizers.SGD(learning_rate=0.1), loss="squared_hinge",
                  metrics=["squared_hinge"])
    history = model.fit(x, y, batch_size=16, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert ((model.predict(x) > 0) == (y > 0)).mean() > 0.9


def test_saved_model_keeps_a_new_loss(rng, tmp_path):
    x, y = _regression_data(rng, 16)
    model = baeum.Sequential([Input(shape=(3,)), Dense(1, activation="softplus")])
    model.compile("adam", loss=losses.Poisson(reduction="sum"), metrics=["msle"])
    model.fit(x, np.abs(y), epochs=1, verbose=0)
    model.save(tmp_path / "m.baeum")
    loaded = baeum.saving.load_model(tmp_path / "m.baeum")
    assert isinstance(loaded.loss, losses.Poisson) and loaded.loss.reduction == "sum"
    np.testing.assert_allclose(loaded.evaluate(x, np.abs(y), verbose=0),
                               model.evaluate(x, np.abs(y), verbose=0), rtol=1e-6)


# --- the same functions as metrics -----------------------------------------------------------

METRIC_VALUES = [
    # Keras's metric docstrings: y_true [[0, 1], [0, 0]], y_pred [[1, 1], [0, 0]]; then with
    # sample_weight [1, 0] (only the first sample counts)
    (metrics.MeanAbsolutePercentageError, "mean_absolute_percentage_error", 2.5e8, 5e8),
    (metrics.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error",
     math.log(2) ** 2 / 4, math.log(2) ** 2 / 2),
    (metrics.LogCoshError, "logcosh", math.log(math.cosh(1)) / 4, math.log(math.cosh(1)) / 2),
    (metrics.Poisson, "poisson", 0.5, 1.0),
    # labels [[-1, 1], [-1, -1]]: max(1 - t p, 0) = [[2, 0], [1, 1]] -> means 1, 1
    (metrics.Hinge, "hinge", 1.0, 1.0),
    (metrics.SquaredHinge, "squared_hinge", 1.5, 2.0),       # [[4, 0], [1, 1]]
    # neg - pos + 1: sample 1: 1 - 1 + 1, sample 2 (all zero): 0 - 0 + 1
    (metrics.CategoricalHinge, "categorical_hinge", 1.0, 1.0),
]


@pytest.mark.parametrize("cls, name, value, weighted", METRIC_VALUES,
                         ids=[row[0].__name__ for row in METRIC_VALUES])
def test_metric_known_values(cls, name, value, weighted):
    m = cls()
    assert m.name == name
    m.update_state(T01, P11)
    assert m.result() == pytest.approx(value, rel=1e-6)
    m.reset_state()
    m.update_state(T01, P11, sample_weight=[1, 0])
    assert m.result() == pytest.approx(weighted, rel=1e-6)


def test_cosine_similarity_metric_is_plus_cos():
    # Keras's docstring: cos = [0, 1] for the two samples -> 0.5; weights [0.3, 0.7] -> 0.7
    m = metrics.CosineSimilarity(axis=1)
    m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
    assert m.result() == pytest.approx(0.5)
    m.reset_state()
    m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]], sample_weight=[0.3, 0.7])
    assert m.result() == pytest.approx(0.7)
    assert m.get_config() == {"name": "cosine_similarity", "dtype": None, "axis": 1}
    np.testing.assert_allclose(metrics.cosine_similarity([[1.0, 0.0]], [[-2.0, 0.0]]), [-1.0])


def test_metric_names_resolve_like_keras():
    # function names give the functions (then compile logs them under the given name) ...
    for name, fn in [("mape", metrics.mean_absolute_percentage_error),
                     ("MAPE", metrics.mean_absolute_percentage_error),
                     ("msle", metrics.mean_squared_logarithmic_error),
                     ("MSLE", metrics.mean_squared_logarithmic_error),
                     ("hinge", metrics.hinge), ("squared_hinge", metrics.squared_hinge),
                     ("categorical_hinge", metrics.categorical_hinge),
                     ("logcosh", metrics.log_cosh), ("log_cosh", metrics.log_cosh),
                     ("poisson", metrics.poisson),
                     ("cosine_similarity", metrics.cosine_similarity)]:
        assert metrics.get(name) is fn, name
    # ... and class names (or Keras's snake_case of them) give instances
    assert isinstance(metrics.get("LogCoshError"), metrics.LogCoshError)
    assert isinstance(metrics.get("log_cosh_error"), metrics.LogCoshError)
    m = metrics.get(metrics.serialize(metrics.CosineSimilarity(axis=0, name="cos")))
    assert isinstance(m, metrics.CosineSimilarity) and m.name == "cos"


def test_compile_logs_new_metrics_under_their_names(rng):
    x, y = _regression_data(rng, 20)
    y = np.abs(y) + 0.5
    model = baeum.Sequential([Input(shape=(3,)), Dense(1, activation="softplus")])
    model.compile("sgd", loss="mse",
                  metrics=["mape", "msle", "logcosh", "poisson", metrics.CosineSimilarity()])
    logs = model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "mape", "msle", "logcosh", "poisson", "cosine_similarity"]
    p = model.predict(x)
    assert logs["mape"] == pytest.approx(100 * np.mean(np.abs((y - p) / y)), rel=1e-5)
    assert logs["poisson"] == pytest.approx(np.mean(p - y * np.log(p + EPS)), rel=1e-5)
    assert logs["cosine_similarity"] == pytest.approx(1.0)   # one value a sample: cos = +-1
