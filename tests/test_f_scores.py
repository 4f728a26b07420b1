"""F1Score, FBetaScore and R2Score: Keras's own test tables and docstring examples,
scikit-learn on random data, accumulation over batches (so fit's epoch value is the score
of the whole epoch), config and names, and fit/evaluate with the progress bar."""

import warnings

import numpy as np
import pytest
import sklearn.metrics as sk  # an independent oracle (a test dependency)

import baeum
from baeum import metrics, optimizers
from baeum.layers import Dense, Input
from baeum.metrics import F1Score, FBetaScore, R2Score
from test_metrics_confusion import all_at_once

# --- F-beta: Keras's tables (keras/src/metrics/f_score_metrics_test.py) -------------------------

P3 = [[0.7, 0.7, 0.7], [1, 0, 0], [0.9, 0.8, 0]]

# six samples, one label each, scored with argmax (threshold=None)
Y6 = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 0, 1]]
P6 = [[0.9, 0.1, 0], [0.2, 0.6, 0.2], [0, 0, 1], [0.4, 0.3, 0.3], [0, 0.9, 0.1], [0, 0, 1]]

KERAS_TABLE = [
    # y_true, y_pred, sample_weight, threshold, average, beta, result
    *[([[1, 1, 1], [1, 0, 0], [1, 1, 0]], P3, None, 0.66, avg, beta, 1.0)     # perfect
      for avg in ("micro", "macro", "weighted") for beta in (0.5, 1.0, 2.0)],
    *[([[0, 0, 0], [0, 1, 0], [0, 0, 1]], P3, None, 0.66, avg, beta, 0.0)     # worst
      for avg in ("micro", "macro", "weighted") for beta in (0.5, 1.0, 2.0)],
    *[([[0, 0, 1], [1, 1, 0], [1, 1, 1]], P3, None, 0.66, avg, beta, result)
      for avg, beta, result in [
          (None, 0.5, [0.71428573, 0.5, 0.833334]), (None, 1.0, [0.8, 0.5, 0.6666667]),
          (None, 2.0, [0.9090904, 0.5, 0.555556]), ("micro", 0.5, 0.6666667),
          ("micro", 1.0, 0.6666667), ("micro", 2.0, 0.6666667), ("macro", 0.5, 0.6825397),
          ("macro", 1.0, 0.6555555), ("macro", 2.0, 0.6548822),
          ("weighted", 0.5, 0.6825397), ("weighted", 1.0, 0.6555555),
          ("weighted", 2.0, 0.6548822)]],
    *[(Y6, P6, sw, None, avg, beta, result) for avg, beta, sw, result in [
        (None, 0.5, None, [0.9090904, 0.555556, 1.0]),
        (None, 1.0, None, [0.8, 0.6666667, 1.0]),
        (None, 2.0, None, [0.71428573, 0.833334, 1.0]),
        ("micro", 0.5, None, 0.833334), ("micro", 2.0, None, 0.833334),
        ("macro", 0.5, None, 0.821549), ("macro", 1.0, None, 0.822222),
        ("macro", 2.0, None, 0.849206), ("weighted", 0.5, None, 0.880471),
        ("weighted", 1.0, None, 0.844445), ("weighted", 2.0, None, 0.829365),
        (None, 0.5, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 1.0]),
        (None, 0.5, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], [0.9375, 0.714286, 1.0]),
        (None, 1.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], [0.857143, 0.8, 1.0]),
        (None, 2.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], [0.789474, 0.909091, 1.0]),
        ("micro", 0.5, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], 1.0),
        ("micro", 1.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.9),
        ("macro", 0.5, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], 0.666667),
        ("macro", 0.5, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.883929),
        ("macro", 1.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.885714),
        ("macro", 2.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.899522),
        ("weighted", 0.5, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], 1.0),
        ("weighted", 0.5, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.917857),
        ("weighted", 1.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.902857),
        ("weighted", 2.0, [0.5, 1.0, 1.0, 1.0, 0.5, 1.0], 0.897608),
    ]],
]


@pytest.mark.parametrize("y_true, y_pred, sample_weight, threshold, average, beta, result",
                         KERAS_TABLE)
def test_fbeta_keras_table(y_true, y_pred, sample_weight, threshold, average, beta, result):
    m = FBetaScore(average=average, beta=beta, threshold=threshold)
    m.update_state(y_true, y_pred, sample_weight=sample_weight)
    value = m.result()
    if average is None:
        assert isinstance(value, np.ndarray) and value.shape == (3,)
    else:
        assert isinstance(value, float)
    np.testing.assert_allclose(value, result, atol=1e-6)


def test_fbeta_by_hand_and_keras_docstrings():
    y_true = [[1, 1, 1], [1, 0, 0], [1, 1, 0]]
    y_pred = [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]]
    # threshold 0.5 predicts [[0, 1, 1], [0, 1, 1], [1, 1, 0]]; per class (TP, FP, FN):
    #   class 0: (1, 0, 2), class 1: (2, 1, 0), class 2: (1, 1, 0)
    precision, recall = np.array([1, 2 / 3, 1 / 2]), np.array([1 / 3, 1, 1])
    for beta, keras_doc in [(1.0, [0.5, 0.8, 0.6666667]),
                            (2.0, [0.3846154, 0.90909094, 0.8333334])]:
        by_hand = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)
        np.testing.assert_allclose(by_hand, keras_doc, atol=1e-7)
        m = FBetaScore(beta=beta, threshold=0.5) if beta != 1 else F1Score(threshold=0.5)
        m.update_state(y_true, y_pred)
        np.testing.assert_allclose(m.result(), by_hand, atol=1e-6)   # Keras's epsilons
        np.testing.assert_array_equal(m.true_positives, [1, 2, 1])
        np.testing.assert_array_equal(m.false_positives, [0, 1, 1])
        np.testing.assert_array_equal(m.false_negatives, [2, 0, 0])


def test_f1_is_fbeta_with_beta_1(rng):
    y = (rng.random((40, 4)) > 0.6).astype(int)
    p = rng.random((40, 4))
    w = rng.random(40)
    for average in (None, "micro", "macro", "weighted"):
        for threshold in (None, 0.4):
            a, b = F1Score(average, threshold), FBetaScore(average, 1.0, threshold)
            a.update_state(y, p, w)
            b.update_state(y, p, w)
            np.testing.assert_array_equal(a.result(), b.result())


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("beta", [0.5, 1.0, 3.0])
def test_fbeta_matches_sklearn(rng, average, beta):
    y = (rng.random((200, 5)) > 0.7).astype(int)       # multi-label
    p = np.clip(y * 0.35 + rng.random((200, 5)) * 0.7, 0, 1)
    w = rng.random(200)
    m = FBetaScore(average=average, beta=beta, threshold=0.5)
    m.update_state(y, p, sample_weight=w)
    want = sk.fbeta_score(y, (p > 0.5).astype(int), beta=beta, average=average,
                          sample_weight=w, zero_division=0)
    np.testing.assert_allclose(m.result(), want, rtol=1e-5)   # Keras's 1e-7 epsilons


def test_argmax_mode_predicts_each_rows_top_class_and_nothing_for_a_zero_row():
    m = F1Score(average=None)     # threshold None: the argmax of each row
    # row 0 ties classes 0 and 1: both count; row 2 is all zero: no prediction at all
    m.update_state([[1, 0, 0], [0, 0, 1], [0, 1, 0]], [[0.5, 0.5, 0], [0.1, 0.2, 0.7], [0, 0, 0]])
    np.testing.assert_array_equal(m.true_positives, [1, 0, 1])
    np.testing.assert_array_equal(m.false_positives, [0, 1, 0])
    np.testing.assert_array_equal(m.false_negatives, [0, 1, 0])


def test_epoch_value_is_the_score_of_all_the_data_not_a_mean_of_batches(rng):
    y = np.eye(4)[rng.integers(0, 4, 90)]
    p = rng.random((90, 4))
    w = rng.random(90)
    for average in (None, "micro", "macro", "weighted"):
        whole, parts = FBetaScore(average, 2.0), FBetaScore(average, 2.0)
        whole.update_state(y, p, w)
        batch_scores = []
        for i in range(0, 90, 16):
            parts.update_state(y[i:i + 16], p[i:i + 16], w[i:i + 16])
            batch_scores.append(FBetaScore(average, 2.0)(y[i:i + 16], p[i:i + 16],
                                                         w[i:i + 16]))
        np.testing.assert_allclose(parts.result(), whole.result(), rtol=1e-12)
        assert not np.allclose(np.mean(batch_scores, axis=0), whole.result(), rtol=1e-6)
    parts.reset_state()
    assert not parts.true_positives.any()
    assert parts.result() == pytest.approx(0.0)


def test_fscore_config_and_names():
    m = FBetaScore(average="macro", beta=0.5, threshold=0.3, name="f05")
    assert m.get_config() == {"name": "f05", "dtype": None, "average": "macro", "beta": 0.5,
                              "threshold": 0.3}
    again = metrics.get(metrics.serialize(m))
    assert type(again) is FBetaScore and again.get_config() == m.get_config()
    f1 = F1Score(average="weighted")
    assert f1.get_config() == {"name": "f1_score", "dtype": None, "average": "weighted",
                               "threshold": None}
    assert F1Score.from_config(f1.get_config()).average == "weighted"
    assert FBetaScore().name == "fbeta_score"
    # class names and Keras's snake_case of them
    for name, cls in [("F1Score", F1Score), ("f1_score", F1Score), ("FBetaScore", FBetaScore),
                      ("f_beta_score", FBetaScore), ("R2Score", R2Score), ("r2_score", R2Score)]:
        assert type(metrics.get(name)) is cls, name
    assert F1Score().result() == 0.0            # nothing seen yet


def test_fscore_bad_arguments_and_data():
    with pytest.raises(ValueError, match=r"average must be one of \[None, 'micro', 'macro'"):
        F1Score(average="samples")
    with pytest.raises(ValueError, match="beta must be a number > 0"):
        FBetaScore(beta=0.0)
    with pytest.raises(ValueError, match=r"threshold must be None or a number in \(0, 1\]"):
        F1Score(threshold=1.1)
    with pytest.raises(ValueError, match="threshold"):
        F1Score(threshold=0)
    with pytest.raises(ValueError, match="look like class ids.*to_categorical"):
        F1Score()([0, 2], [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, classes\)"):
        F1Score()(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))
    m = F1Score()
    m.update_state([[1, 0]], [[0.6, 0.4]])
    with pytest.raises(ValueError, match="built for 2 classes"):
        m.update_state([[1, 0, 0]], [[0.6, 0.4, 0.0]])
    with pytest.raises(ValueError, match="NaN predictions"):
        F1Score()([[1, 0]], [[np.nan, 0.4]])
    # Keras wants Python floats; a whole number is accepted here
    assert FBetaScore(beta=2).beta == 2.0


# --- R2: Keras's tables (keras/src/metrics/regression_metrics_test.py) ------------------------

R2_TRUE = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


@pytest.mark.parametrize("aggregation, regressors, y_pred, sample_weight, result", [
    (None, 0, [[0.4, 0.5, 0.6], [0.1, 0.2, 0.3], [0.5, 0.8, 0.2]], None, [0.37, -1.295, 0.565]),
    ("uniform_average", 0, [[0.4, 0.5, 0.6], [0.1, 0.2, 0.3], [0.5, 0.8, 0.2]], None, -0.12),
    ("variance_weighted_average", 0, [[0.4, 0.5, 0.6], [0.1, 0.2, 0.3], [0.5, 0.8, 0.2]],
     None, -0.12),
    # the TF-Addons comparison, with weights; adjusted R2 counts n = 3 x 3 values (Keras)
    *[(agg, k, [[0.4, 0.9, 1.6], [0.1, 1.2, 0.6], [1.5, 0.8, 0.6]], [0.8, 0.1, 0.4], result)
      for agg, k, result in [
          (None, 0, [0.17305559, -8.836666, -0.521]),
          (None, 1, [0.054920673, -10.241904, -0.7382858]),
          (None, 2, [-0.10259259, -12.115555, -1.0280001]),
          ("uniform_average", 0, -3.0615367889404297),
          ("uniform_average", 1, -3.641756534576416),
          ("uniform_average", 2, -4.415382385253906),
          ("variance_weighted_average", 0, -1.3710224628448486),
          ("variance_weighted_average", 1, -1.7097399234771729),
          ("variance_weighted_average", 2, -2.161363363265991)]],
])
def test_r2_keras_table(aggregation, regressors, y_pred, sample_weight, result):
    m = R2Score(class_aggregation=aggregation, num_regressors=regressors)
    m.update_state(R2_TRUE, y_pred, sample_weight=sample_weight)
    np.testing.assert_allclose(m.result(), result, atol=1e-5)


def test_r2_by_hand_and_keras_docstring():
    # targets [1, 4, 3] (mean 8/3), predictions [2, 4, 4]:
    # residuals 1 + 0 + 1 = 2, total (5/3)^2 + (4/3)^2 + (1/3)^2 = 42/9 -> 1 - 2 * 9 / 42
    m = R2Score()
    m.update_state(np.array([[1], [4], [3]], np.float32), np.array([[2], [4], [4]], np.float32))
    assert m.result() == pytest.approx(1 - 18 / 42, rel=1e-12)
    assert m.result() == pytest.approx(0.57142854, abs=1e-7)
    # the TF-Addons single-output cases
    for y, p, want in [([10, 600, 4, 9.77], [1, 70, 40, 5.7], -0.073607),
                       ([10, 600, 3, 9.77], [1, 340, 40, 5.7], 0.7376327),
                       ([100, 700, 40, 5.7], [100, 700, 40, 5.7], 1.0)]:
        m = R2Score()
        m.update_state(np.array(y)[:, None], np.array(p)[:, None])
        assert m.result() == pytest.approx(want, abs=1e-6)


@pytest.mark.parametrize("aggregation, sklearn_name", [
    (None, "raw_values"), ("uniform_average", "uniform_average"),
    ("variance_weighted_average", "variance_weighted")])
def test_r2_matches_sklearn(rng, aggregation, sklearn_name):
    y = rng.random((64, 3)) * [1.0, 10.0, 100.0] + [0.0, 1e3, -5.0]
    p = y + rng.standard_normal((64, 3)) * [0.3, 2.0, 40.0]
    w = rng.random(64)
    m = R2Score(class_aggregation=aggregation)
    m.update_state(y, p, sample_weight=w)
    np.testing.assert_allclose(m.result(), sk.r2_score(y, p, sample_weight=w,
                                                       multioutput=sklearn_name), rtol=1e-9)


def test_r2_accumulates_over_batches(rng):
    y = rng.standard_normal((70, 2)) * 3 + 1
    p = y + rng.standard_normal((70, 2))
    whole, parts = R2Score(num_regressors=3), R2Score(num_regressors=3)
    whole.update_state(y, p)
    for i in range(0, 70, 16):
        parts.update_state(y[i:i + 16], p[i:i + 16])
    assert parts.result() == pytest.approx(whole.result(), rel=1e-12)
    assert parts.num_samples == 140
    parts.reset_state()
    assert parts.num_samples == 0 and not parts.sum.any()


def test_r2_shapes_weights_and_edge_cases():
    # (batch,) targets of a (batch, 1) output, or two vectors: one output
    for y, p in [([1.0, 4.0, 3.0], [[2.0], [4.0], [4.0]]), ([1.0, 4.0, 3.0], [2.0, 4.0, 4.0])]:
        assert R2Score()(y, p) == pytest.approx(1 - 18 / 42)
    # per-output weights (batch, outputs) are used as they are
    m = R2Score(class_aggregation=None)
    m.update_state([[1.0, 1.0], [4.0, 4.0], [3.0, 3.0]], [[2.0, 2.0], [4.0, 4.0], [4.0, 9.0]],
                   sample_weight=[[1.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(m.result(), [1 - 18 / 42, 1 - 1 / 4.5])
    # constant targets: 1 if predicted exactly, else 0 (no division by zero)
    np.testing.assert_array_equal(R2Score(class_aggregation=None)(
        [[2.0, 2.0], [2.0, 2.0]], [[2.0, 1.0], [2.0, 2.0]]), [1.0, 0.0])
    assert R2Score().result() == 0.0            # nothing seen yet


def test_r2_adjusted_falls_back_with_a_warning():
    y, p = [[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]]
    m = R2Score(num_regressors=1)      # n = 3: 1 - (1 - R2) * 2 / 1
    m.update_state(y, p)
    assert m.result() == pytest.approx(1 - (18 / 42) * 2)
    for k in (2, 5):                   # n - k - 1 <= 0
        m = R2Score(num_regressors=k)
        m.update_state(y, p)
        with pytest.warns(UserWarning, match="returning the plain R2"):
            assert m.result() == pytest.approx(1 - 18 / 42)


def test_r2_config_and_errors():
    m = R2Score(class_aggregation=None, num_regressors=2, name="r2")
    assert m.get_config() == {"name": "r2", "dtype": None, "class_aggregation": None,
                              "num_regressors": 2}
    again = metrics.get(metrics.serialize(m))
    assert type(again) is R2Score and again.get_config() == m.get_config()
    with pytest.raises(ValueError, match="class_aggregation must be one of"):
        R2Score(class_aggregation="wrong")
    with pytest.raises(ValueError, match="num_regressors must be an integer >= 0"):
        R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match=r"one shape \(batch, outputs\)"):
        R2Score()(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN or inf"):
        R2Score()([[1.0], [2.0]], [[np.inf], [2.0]])
    with pytest.raises(ValueError, match="does not fit targets"):
        R2Score()([[1.0], [2.0]], [[1.0], [2.0]], sample_weight=[1.0, 2.0, 3.0])
    m = R2Score()
    m.update_state([[1.0, 2.0]], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="built for 2 outputs"):
        m.update_state([[1.0]], [[1.0]])


# --- fit and evaluate --------------------------------------------------------------------------


def _classification(rng, n=96):
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[np.argmax(x[:, :3] + 0.5 * x[:, 3:], axis=1)]
    return x, y


def test_fit_reports_the_epochs_f_scores_over_the_whole_epoch(rng):
    x, y = _classification(rng)
    model = baeum.Sequential([Input(shape=(4,)), Dense(3, activation="softmax")])
    # learning_rate 0: predictions stay fixed, so each epoch's value must be the metric of
    # predict(x) on all the data at once
    makers = {
        "f1_score": lambda: F1Score(),                                  # one value per class
        "macro_f1": lambda: F1Score(average="macro", name="macro_f1"),
        "f2": lambda: FBetaScore(average="weighted", beta=2.0, name="f2"),
        "micro": lambda: FBetaScore(average="micro", threshold=0.3, name="micro"),
    }
    model.compile(optimizers.SGD(learning_rate=0.0), loss="categorical_crossentropy",
                  metrics=[make() for make in makers.values()])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0,
                        validation_data=(x[:40], y[:40]))
    p, p_val = model.predict(x), model.predict(x[:40])
    for name, make in makers.items():
        for epoch in range(2):
            np.testing.assert_allclose(history.history[name][epoch],
                                       all_at_once(make(), y, p), atol=1e-12)
            np.testing.assert_allclose(history.history["val_" + name][epoch],
                                       all_at_once(make(), y[:40], p_val), atol=1e-12)
    assert np.shape(history.history["f1_score"][0]) == (3,)
    logs = model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["macro_f1"], all_at_once(makers["macro_f1"](), y, p),
                               atol=1e-12)


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_bar_shows_averaged_scores(rng, capsys, verbose):
    x, y = _classification(rng, 48)
    model = baeum.Sequential([Input(shape=(4,)), Dense(3, activation="softmax")])
    model.compile(optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=[F1Score(average="macro"), FBetaScore(average="micro", beta=0.5)])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=verbose)
    out = capsys.readouterr().out
    assert f"f1_score: {history.history['f1_score'][-1]:.4f}" in out
    assert f"fbeta_score: {history.history['fbeta_score'][-1]:.4f}" in out


def test_fit_regression_with_r2(rng, capsys, tmp_path):
    x = rng.standard_normal((80, 3)).astype(np.float32)
    y = (x @ np.array([[1.0, 0.5], [-2.0, 0.0], [0.5, 3.0]]) + [0.1, 5.0]).astype(np.float32)
    model = baeum.Sequential([Input(shape=(3,)), Dense(2)])
    model.compile(optimizers.Adam(0.1), loss="mse",
                  metrics=["r2_score", R2Score(class_aggregation=None, name="r2_each")])
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=2)
    assert "r2_score: " in capsys.readouterr().out
    assert history.history["r2_score"][-1] > 0.9 > history.history["r2_score"][0]
    assert np.shape(history.history["r2_each"][-1]) == (2,)
    logs = model.evaluate(x, y, batch_size=9, verbose=0, return_dict=True)
    p = model.predict(x)
    assert logs["r2_score"] == pytest.approx(all_at_once(R2Score(), y, p), rel=1e-9)
    np.testing.assert_allclose(logs["r2_each"],
                               all_at_once(R2Score(class_aggregation=None), y, p), rtol=1e-9)
    model.save(tmp_path / "m.baeum")
    loaded = baeum.saving.load_model(tmp_path / "m.baeum")
    again = loaded.evaluate(x, y, batch_size=9, verbose=0, return_dict=True)
    assert again["r2_score"] == pytest.approx(logs["r2_score"], rel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # nothing to warn about here
        R2Score(num_regressors=3)(y, p)
