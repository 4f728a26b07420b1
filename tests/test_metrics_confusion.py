"""Confusion-matrix metrics: TruePositives ... FalseNegatives, Precision, Recall and AUC.

A prediction is positive at threshold t when y_pred > t; the metrics sum weighted counts
over batches, so what fit reports for an epoch is the metric of the whole epoch. Small
cases are Keras's docstring examples (worked by hand in the comments); AUC on random
data is compared with the exact area computed here from the ranking of the scores.
"""

import math

import numpy as np
import pytest

import baeum
from baeum import metrics, optimizers
from baeum.layers import Dense, Input
from baeum.metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)

# --- the four counts ---------------------------------------------------------------------------

COUNTS = [
    # metric, y_true, y_pred, count, count with sample_weight [0, 0, 1, 0]
    (TruePositives, [0, 1, 1, 1], [1, 0, 1, 1], 2.0, 1.0),    # positives at 2 and 3
    (FalsePositives, [0, 1, 0, 0], [0, 0, 1, 1], 2.0, 1.0),   # predicted 1 at 2 and 3, label 0
    (TrueNegatives, [0, 1, 0, 0], [1, 1, 0, 0], 2.0, 1.0),    # 0 and 0 at 2 and 3
    (FalseNegatives, [0, 1, 1, 1], [0, 1, 0, 0], 2.0, 1.0),   # label 1, predicted 0 at 2, 3
]


@pytest.mark.parametrize("cls, y_true, y_pred, count, weighted", COUNTS,
                         ids=[row[0].__name__ for row in COUNTS])
def test_counts(cls, y_true, y_pred, count, weighted):
    m = cls()
    m.update_state(y_true, y_pred)
    assert m.result() == count
    m.reset_state()
    m.update_state(y_true, y_pred, sample_weight=[0, 0, 1, 0])
    assert m.result() == weighted


def test_counts_at_several_thresholds():
    y_true = [0, 0, 1, 1, 1]
    y_pred = [0.1, 0.6, 0.4, 0.7, 0.95]
    # threshold:                     0.5        0.3        0.9   (given order is kept)
    expected = {TruePositives: [2, 3, 1], FalsePositives: [1, 1, 0],
                TrueNegatives: [1, 1, 2], FalseNegatives: [1, 0, 2]}
    for cls, counts in expected.items():
        np.testing.assert_array_equal(cls(thresholds=[0.5, 0.3, 0.9])(y_true, y_pred), counts)


def test_a_prediction_equal_to_the_threshold_is_negative():
    assert TruePositives(thresholds=0.5)([1, 1], [0.5, 0.50001]) == 1.0


def test_counts_equal_a_loop_over_thresholds(rng):
    """The one-pass histogram gives what comparing at each threshold in turn gives."""
    y_true = rng.integers(0, 2, (50, 3))
    y_pred = rng.random((50, 3))
    w = rng.random(50)
    thresholds = [0.9, 0.1, 0.5, 0.0, 1.0, 0.33]
    counts = metrics.confusion_counts(y_true != 0, y_pred, np.broadcast_to(w[:, None], (50, 3)),
                                      thresholds)
    per_label = metrics.confusion_counts(y_true != 0, y_pred, None, thresholds, per_label=True)
    for i, t in enumerate(thresholds):
        predicted, label = y_pred > t, y_true == 1
        for count, cell in zip(counts, [predicted & label, predicted & ~label,
                                        ~predicted & ~label, ~predicted & label]):
            assert count[i] == pytest.approx((cell * w[:, None]).sum())
        for count, cell in zip(per_label, [predicted & label, predicted & ~label,
                                           ~predicted & ~label, ~predicted & label]):
            np.testing.assert_array_equal(count[i], cell.sum(axis=0))


# --- precision and recall -------------------------------------------------------------------

PRECISION_RECALL = [
    # metric, arguments, y_true, y_pred, sample_weight, expected
    # predicted positive at 0, 2, 3; right at 2, 3
    (Precision, {}, [0, 1, 1, 1], [1, 0, 1, 1], None, 2 / 3),
    (Precision, {}, [0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], 1.0),
    # labels positive at 1, 2, 3; found at 2, 3
    (Recall, {}, [0, 1, 1, 1], [1, 0, 1, 1], None, 2 / 3),
    (Recall, {}, [0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], 1.0),
    # top_k=2 of four equal predictions: the first two, both label 0
    (Precision, {"top_k": 2}, [0, 0, 1, 1], [1, 1, 1, 1], None, 0.0),
    (Precision, {"top_k": 4}, [0, 0, 1, 1], [1, 1, 1, 1], None, 0.5),
    # Keras: top_k=2 over [0.2, 0.1, 0.5, 0] keeps classes 0 and 2; labels 0, 2 -> 1 of 2 right
    (Precision, {"top_k": 2}, [0, 0, 1, 0], [0.2, 0.1, 0.5, 0], None, 0.5),
    (Recall, {"top_k": 2}, [0, 0, 1, 0], [0.2, 0.1, 0.5, 0], None, 1.0),
    # class_id=2 looks at column 2 only: predictions [0.6, 0.1, 0.9], labels [1, 1, 0]
    (Precision, {"class_id": 2}, [[0, 0, 1], [0, 0, 1], [1, 0, 0]],
     [[0.1, 0.3, 0.6], [0.2, 0.7, 0.1], [0.05, 0.05, 0.9]], None, 0.5),
    (Recall, {"class_id": 2}, [[0, 0, 1], [0, 0, 1], [1, 0, 0]],
     [[0.1, 0.3, 0.6], [0.2, 0.7, 0.1], [0.05, 0.05, 0.9]], None, 0.5),
    # logits with thresholds=0 (Keras's advice for from_logits losses)
    (Precision, {"thresholds": 0}, [1, 0, 1], [2.3, -0.4, -1.5], None, 1.0),
    # nothing predicted positive yet: 0, not NaN
    (Precision, {}, [1, 1], [0.1, 0.2], None, 0.0),
]


@pytest.mark.parametrize("cls, kwargs, y_true, y_pred, sample_weight, expected",
                         PRECISION_RECALL)
def test_precision_recall(cls, kwargs, y_true, y_pred, sample_weight, expected):
    m = cls(**kwargs)
    m.update_state(y_true, y_pred, sample_weight=sample_weight)
    assert m.result() == pytest.approx(expected)


def test_precision_and_recall_at_several_thresholds():
    p = Precision(thresholds=[0.3, 0.7])
    r = Recall(thresholds=[0.3, 0.7])
    y_true, y_pred = [0, 1, 1, 0], [0.5, 0.8, 0.4, 0.2]
    np.testing.assert_allclose(p(y_true, y_pred), [2 / 3, 1.0])   # 0.5, 0.8, 0.4 / 0.8
    np.testing.assert_allclose(r(y_true, y_pred), [1.0, 0.5])


def test_state_is_summed_over_batches(rng):
    """Precision over an epoch is TP / (TP + FP) of all batches together, which is not the
    mean of the batches' precisions."""
    y_true = rng.integers(0, 2, 100)
    y_pred = rng.random(100)
    whole = Precision()
    whole.update_state(y_true, y_pred)
    batched, per_batch = Precision(), []
    for start in range(0, 100, 32):
        batch = slice(start, start + 32)
        batched.update_state(y_true[batch], y_pred[batch])
        per_batch.append(Precision()(y_true[batch], y_pred[batch]))
    predicted = y_pred > 0.5
    assert whole.result() == batched.result() == \
        pytest.approx((predicted & (y_true == 1)).sum() / predicted.sum())
    assert batched.result() != pytest.approx(np.mean(per_batch))
    batched.reset_state()
    assert batched.result() == 0.0 and batched.true_positives.tolist() == [0.0]


def test_labels_and_weights_shapes():
    # (batch,) labels meet (batch, 1) predictions; a (batch, 1) weight column works too
    m = Recall()
    m.update_state(np.array([1, 1, 0]), np.array([[0.9], [0.2], [0.8]]),
                   sample_weight=np.array([[1.0], [3.0], [1.0]]))
    assert m.result() == pytest.approx(1 / 4)
    # a weight per sample covers all of its values
    m = Precision()
    m.update_state([[1, 0], [1, 1]], [[0.9, 0.8], [0.7, 0.6]], sample_weight=[0.0, 1.0])
    assert m.result() == 1.0


def test_config_round_trip():
    for m in (Precision(thresholds=[0.2, 0.8], class_id=1, name="p1"),
              Recall(top_k=3), TruePositives(thresholds=0.25),
              AUC(num_thresholds=50, curve="PR", summation_method="majoring", name="pr"),
              AUC(thresholds=[0.75, 0.25], multi_label=True, num_labels=2,
                  label_weights=[1.0, 3.0], from_logits=True)):
        config = metrics.serialize(m)
        again = metrics.get(config)
        assert type(again) is type(m) and again.get_config() == m.get_config()
        assert again.thresholds == m.thresholds
    assert Precision(thresholds=[0.2, 0.8]).get_config()["thresholds"] == [0.2, 0.8]
    assert AUC(thresholds=[0.75, 0.25]).get_config()["thresholds"] == [0.25, 0.75]


def test_names_resolve_like_keras():
    for name, cls in [("precision", Precision), ("recall", Recall), ("auc", AUC),
                      ("true_positives", TruePositives), ("false_positives", FalsePositives),
                      ("true_negatives", TrueNegatives), ("false_negatives", FalseNegatives),
                      ("Precision", Precision), ("AUC", AUC)]:
        m = metrics.get(name)
        assert type(m) is cls, name
    assert [cls().name for cls in (Precision, Recall, AUC, TruePositives, FalseNegatives)] == \
        ["precision", "recall", "auc", "true_positives", "false_negatives"]


# --- AUC ------------------------------------------------------------------------------------
#
# Keras's docstring case, worked by hand. num_thresholds=3: thresholds -1e-7, 0.5, 1 + 1e-7.
# y_true [0, 0, 1, 1], y_pred [0, 0.5, 0.3, 0.9]:
#   tp = [2, 1, 0], fp = [2, 0, 0], tn = [0, 2, 2], fn = [0, 1, 2]
#   ROC: TP rate y = [1, 0.5, 0] against FP rate x = [1, 0, 0]
#   PR:  precision y = [0.5, 1, 0 (no positive predicted)] against recall x = [1, 0.5, 0]
# The area is a sum over the two intervals of (x_left - x_right) * height:
Y_TRUE, Y_PRED = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]
SMALL_AUC = [
    # curve, summation_method, area
    ("ROC", "interpolation", 1 * (1 + 0.5) / 2 + 0 * (0.5 + 0) / 2),    # 0.75
    ("ROC", "minoring", 1 * 0.5 + 0 * 0),                                # 0.5
    ("ROC", "majoring", 1 * 1 + 0 * 0.5),                                # 1.0
    ("PR", "minoring", 0.5 * 0.5 + 0.5 * 0),                             # 0.25
    ("PR", "majoring", 0.5 * 1 + 0.5 * 1),                               # 1.0
    # PR interpolation (Davis & Goadrich): TP and P = TP + FP linear in each interval.
    # Interval 1: P 4 -> 1, TP 2 -> 1: slope dTP/dP = 1/3, intercept = 1 - 1/3 = 2/3,
    #   area = slope * (dTP + intercept * log(4 / 1)) / positives. Interval 2: P 1 -> 0,
    #   TP 1 -> 0: slope 1, intercept 0, area = 1 * 1 / 2.
    ("PR", "interpolation", (1 / 3) * (1 + (2 / 3) * math.log(4)) / 2 + 1 / 2),
]


@pytest.mark.parametrize("curve, summation_method, area", SMALL_AUC)
def test_auc_small_case_by_hand(curve, summation_method, area):
    m = AUC(num_thresholds=3, curve=curve, summation_method=summation_method)
    m.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(m.true_positives, [2, 1, 0])
    np.testing.assert_array_equal(m.false_positives, [2, 0, 0])
    np.testing.assert_array_equal(m.true_negatives, [0, 2, 2])
    np.testing.assert_array_equal(m.false_negatives, [0, 1, 2])
    assert m.result() == pytest.approx(area, rel=1e-12)


def test_auc_keras_examples():
    m = AUC(num_thresholds=3)
    m.update_state(Y_TRUE, Y_PRED)
    assert m.result() == 0.75
    m.reset_state()
    m.update_state(Y_TRUE, Y_PRED, sample_weight=[1, 0, 0, 1])
    assert m.result() == 1.0
    assert m.thresholds == [-1e-7, 0.5, 1 + 1e-7]
    assert len(AUC().thresholds) == 200


def test_auc_of_perfect_and_reversed_rankings():
    y = np.array([0, 0, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    for curve in ("ROC", "PR"):
        assert AUC(curve=curve)(y, s) == pytest.approx(1.0)
    assert AUC()(y, 1 - s) == pytest.approx(0.0)


def _exact_roc_auc(y, s):
    """P(score of a positive > score of a negative), ties counting 1/2 (Mann-Whitney)."""
    d = s[y == 1][:, None] - s[y == 0][None, :]
    return ((d > 0) + 0.5 * (d == 0)).mean()


def _exact_pr_auc(y, s):
    """The area under the PR curve through every score, interpolated as Davis & Goadrich:
    going down the ranking, a positive with `fp` negatives and `n` samples above it adds
    (1 / positives) * integral_0^1 (tp + x) / (n + x) dx = (1 - fp log((n + 1) / n)) / P."""
    y = y[np.argsort(-s)]
    negative = 1 - y
    fp_above = np.cumsum(negative) - negative
    n_above = np.arange(len(y))
    adds = np.where(fp_above == 0, 1.0,
                    1 - fp_above * np.log((n_above + 1) / np.maximum(n_above, 1)))
    return adds[y == 1].sum() / y.sum()


@pytest.mark.parametrize("curve, exact", [("ROC", _exact_roc_auc), ("PR", _exact_pr_auc)])
def test_auc_approaches_the_exact_area(rng, curve, exact):
    y = rng.integers(0, 2, 400)
    s = 1 / (1 + np.exp(-(rng.standard_normal(400) + 1.2 * (2 * y - 1))))
    m = AUC(num_thresholds=2000, curve=curve)
    for start in range(0, 400, 64):             # in batches, as fit gives them
        m.update_state(y[start:start + 64], s[start:start + 64])
    assert m.result() == pytest.approx(exact(y, s), abs=1e-3)
    # the default 200 thresholds are coarser, but close
    assert AUC(curve=curve)(y, s) == pytest.approx(exact(y, s), abs=1e-2)


def test_auc_from_logits_is_auc_of_the_sigmoid(rng):
    y = rng.integers(0, 2, 50)
    z = rng.standard_normal(50) * 3
    assert AUC(from_logits=True)(y, z) == AUC()(y, 1 / (1 + np.exp(-z)))


def test_multi_label_auc_is_the_mean_of_the_labels_aucs(rng):
    y = rng.integers(0, 2, (60, 3))
    s = rng.random((60, 3))
    per_label = [AUC()(y[:, j], s[:, j]) for j in range(3)]
    m = AUC(multi_label=True)
    m.update_state(y, s)
    assert m.true_positives.shape == (200, 3)
    assert m.result() == pytest.approx(np.mean(per_label), rel=1e-12)
    weighted = AUC(multi_label=True, label_weights=[1.0, 0.0, 3.0])(y, s)
    assert weighted == pytest.approx((per_label[0] + 3 * per_label[2]) / 4, rel=1e-12)
    # not multi-label: every value is one data point
    assert AUC()(y, s) == pytest.approx(AUC()(y.ravel(), s.ravel()), rel=1e-12)


# --- in compile / fit / evaluate -------------------------------------------------------------


def _binary_data(rng, n=120):
    x = rng.standard_normal((n, 3)).astype(np.float32)
    y = (x[:, :1] - 0.5 * x[:, 1:2] + 0.8 * rng.standard_normal((n, 1)) > 0).astype(np.float32)
    return x, y


def all_at_once(metric, y, p):
    """The metric of predictions p for y given in one batch."""
    metric.update_state(y, p)
    return metric.result()


def test_fit_reports_each_epochs_metric_over_the_whole_epoch(rng):
    x, y = _binary_data(rng)
    model = baeum.Sequential([Input(shape=(3,)), Dense(1, activation="sigmoid")])
    # learning_rate 0: the predictions stay the same during the epoch, so the epoch's value
    # must equal the metric of predict(x) on all the data
    model.compile(optimizers.SGD(learning_rate=0.0), loss="binary_crossentropy",
                  metrics=[Precision(), Recall(), "auc", AUC(curve="PR", name="pr_auc")])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0,
                        validation_data=(x[:50], y[:50]))
    assert list(history.history) == ["loss", "precision", "recall", "auc", "pr_auc",
                                     "val_loss", "val_precision", "val_recall", "val_auc",
                                     "val_pr_auc"]
    p, p_val = model.predict(x), model.predict(x[:50])
    for name, make in [("precision", Precision), ("recall", Recall), ("auc", AUC),
                       ("pr_auc", lambda: AUC(curve="PR"))]:
        for epoch in range(2):
            assert history.history[name][epoch] == pytest.approx(all_at_once(make(), y, p),
                                                                 abs=1e-12)
            assert history.history["val_" + name][epoch] == \
                pytest.approx(all_at_once(make(), y[:50], p_val), abs=1e-12)
    # ... which is not the mean of the batches' values
    batch_means = np.mean([Precision()(y[i:i + 16], p[i:i + 16]) for i in range(0, 120, 16)])
    assert history.history["precision"][0] != pytest.approx(batch_means)


def test_training_with_auc_and_evaluate_in_small_batches(rng):
    x, y = _binary_data(rng)
    model = baeum.Sequential([Input(shape=(3,)), Dense(1)])          # logits
    model.compile(optimizers.Adam(learning_rate=0.05),
                  loss=baeum.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[AUC(from_logits=True), Precision(thresholds=0)])
    history = model.fit(x, y, batch_size=16, epochs=10, verbose=0)
    assert history.history["auc"][-1] > 0.8
    logs = model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)
    z = model.predict(x)
    assert logs["auc"] == pytest.approx(all_at_once(AUC(from_logits=True), y, z), abs=1e-12)
    assert logs["precision"] == pytest.approx(
        float(((z > 0) & (y == 1)).sum() / (z > 0).sum()), abs=1e-12)


def test_weighted_metrics_use_sample_weight(rng):
    x, y = _binary_data(rng, 40)
    w = rng.random(40)
    model = baeum.Sequential([Input(shape=(3,)), Dense(1, activation="sigmoid")])
    model.compile("sgd", loss="binary_crossentropy", metrics=["recall"],
                  weighted_metrics=[Recall(name="weighted_recall")])
    logs = model.evaluate(x, y, sample_weight=w, batch_size=8, verbose=0, return_dict=True)
    p = model.predict(x)
    found, positive = (p[:, 0] > 0.5) & (y[:, 0] == 1), y[:, 0] == 1
    assert logs["recall"] == pytest.approx(found.sum() / positive.sum())
    assert logs["weighted_recall"] == pytest.approx((found * w).sum() / (positive * w).sum())


def test_saved_model_keeps_confusion_metrics(rng, tmp_path):
    x, y = _binary_data(rng, 32)
    model = baeum.Sequential([Input(shape=(3,)), Dense(1, activation="sigmoid")])
    model.compile("adam", loss="binary_crossentropy",
                  metrics=[AUC(num_thresholds=50, curve="PR"), Precision(thresholds=0.3)])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.baeum")
    loaded = baeum.saving.load_model(tmp_path / "m.baeum")
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0),
                               rtol=1e-6)


# --- bad input ------------------------------------------------------------------------------


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match=r"curve must be one of \['ROC', 'PR'\], got 'XYZ'"):
        AUC(curve="XYZ")
    with pytest.raises(ValueError, match="summation_method must be one of.*'interpolation'"):
        AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="num_thresholds must be an integer > 1, got 1"):
        AUC(num_thresholds=1)
    with pytest.raises(ValueError, match=r"thresholds must be numbers in \[0, 1\].*\[1.5\]"):
        Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        TruePositives(thresholds=-0.1)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        AUC(thresholds=[0.2, 2.0])
    with pytest.raises(ValueError, match="top_k must be a positive integer"):
        Recall(top_k=0)
    with pytest.raises(ValueError, match="num_labels is only used with multi_label=True"):
        AUC(num_labels=3)


def test_bad_data_is_a_clear_error():
    with pytest.raises(ValueError, match=r"AUC expects probabilities in \[0, 1\].*from_logits"):
        AUC()([0, 1], [-2.0, 3.0])
    with pytest.raises(ValueError, match=r"shape of y_pred \(3, 4\), got \(3,\).*class ids"):
        Precision()([0, 1, 3], np.full((3, 4), 0.25))
    with pytest.raises(ValueError, match=r"class_id=5.*more than 5 classes, got \(2, 3\)"):
        Recall(class_id=5)([[0, 1, 0], [1, 0, 0]], [[0.1, 0.8, 0.1], [0.6, 0.2, 0.2]])
    with pytest.raises(ValueError, match="NaN predictions"):
        Precision()([0, 1], [0.3, np.nan])
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\).*shape \(2,\)"):
        Recall()([0, 1], [0.3, 0.6], sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"multi_label=True\) needs predictions of shape"):
        AUC(multi_label=True)([0, 1], [0.3, 0.6])
    m = AUC(multi_label=True)
    m.update_state(np.eye(2), np.eye(2) * 0.5)
    with pytest.raises(ValueError, match="built for 2 labels"):
        m.update_state(np.eye(3), np.eye(3) * 0.5)
