"""Array-valued metrics (several thresholds) in the logs: progress bar, History, evaluate,
CSVLogger, and the clear error when a callback is asked to monitor one."""

import csv
import json
import re

import numpy as np
import pytest

import baeum
from baeum import callbacks, layers
from baeum.callbacks.progbar_logger import format_logs, format_value

THRESHOLDS = [0.3, 0.7]


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, :1] + 0.5 * x[:, 1:2] > 0).astype(np.float32)
    return x, y


def _model(*metrics):
    model = baeum.Sequential([layers.Input(shape=(4,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=baeum.optimizers.SGD(0.1), loss="binary_crossentropy",
                  metrics=list(metrics) or [baeum.metrics.Precision(thresholds=THRESHOLDS)])
    return model


def _precision(y, p, t):
    predicted = p > t
    return (predicted & (y != 0)).sum() / max(predicted.sum(), 1)


# --- formatting -----------------------------------------------------------------------------


def test_format_value_numbers_and_arrays():
    assert format_value(0.31724) == "0.3172"
    assert format_value(np.float32(2e-5)) == "2.0000e-05"
    assert format_value(0) == "0.0000"
    assert format_value(np.array([0.5, 2 / 3])) == "[0.5000 0.6667]"
    assert format_value(np.array([[0.5, 1.0], [0.0, 0.25]])) == "[[0.5000 1.0000] [0.0000 0.2500]]"
    assert format_value("NA") == "NA"


def test_format_value_elides_long_arrays():
    text = format_value(np.linspace(0, 1, 200))
    assert text == "[0.0000 0.0050 0.0101 ... 0.9899 0.9950 1.0000]"


def test_format_logs_mixes_numbers_and_arrays():
    logs = {"loss": 0.25, "precision": np.array([0.5, 2 / 3])}
    assert format_logs(logs) == "loss: 0.2500 - precision: [0.5000 0.6667]"


# --- fit, History, evaluate -----------------------------------------------------------------


@pytest.mark.parametrize("verbose", [1, 2])
def test_fit_shows_array_metrics(data, capsys, verbose):
    x, y = data
    history = _model().fit(x, y, epochs=2, batch_size=16, validation_split=0.25,
                           verbose=verbose)
    out = capsys.readouterr().out
    last = history.history["val_precision"][-1]
    assert f"val_precision: [{last[0]:.4f} {last[1]:.4f}]" in out
    assert re.search(r" precision: \[\d\.\d{4} \d\.\d{4}\]", out)


def test_history_keeps_one_array_per_epoch(data):
    x, y = data
    history = _model().fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["loss", "precision", "val_loss", "val_precision"]
    for key in ("precision", "val_precision"):
        values = history.history[key]
        assert len(values) == 3
        assert all(isinstance(v, np.ndarray) and v.shape == (2,) for v in values)
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_history_copies_arrays_it_is_given():
    state = np.array([0.5, 0.25])
    history = callbacks.History()
    history.on_epoch_end(0, {"precision": state})
    state[:] = 0                      # a metric changing its own array next epoch
    np.testing.assert_array_equal(history.history["precision"][0], [0.5, 0.25])


def test_history_plot_draws_one_line_per_threshold(data):
    pytest.importorskip("matplotlib")
    x, y = data
    history = _model().fit(x, y, epochs=2, batch_size=16, verbose=0)
    fig = history.plot(metrics=["precision"])
    assert len(fig.axes[0].lines) == len(THRESHOLDS)


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_evaluate_returns_the_array(data, capsys, verbose):
    x, y = data
    model = _model()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    logs = model.evaluate(x, y, batch_size=16, verbose=verbose, return_dict=True)
    p = model.predict(x, verbose=0)
    expected = [_precision(y, p, t) for t in THRESHOLDS]
    np.testing.assert_allclose(logs["precision"], expected, rtol=1e-6)
    loss, precision = model.evaluate(x, y, batch_size=16, verbose=0)
    np.testing.assert_allclose(precision, expected, rtol=1e-6)
    out = capsys.readouterr().out
    if verbose:
        assert f"precision: [{expected[0]:.4f} {expected[1]:.4f}]" in out


# --- CSVLogger ------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [",", "\t"])
def test_csv_logger_writes_arrays_as_lists(tmp_path, data, separator):
    x, y = data
    path = tmp_path / "log.csv"
    history = _model().fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
                           callbacks=[callbacks.CSVLogger(path, separator=separator)])
    rows = list(csv.DictReader(path.open(), delimiter=separator))
    assert list(rows[0]) == ["epoch", "loss", "precision", "val_loss", "val_precision"]
    for key in ("precision", "val_precision"):
        assert rows[0][key].startswith("[") and ", " in rows[0][key]   # Keras's "[a, b]"
        written = [json.loads(r[key]) for r in rows]
        assert written == [v.tolist() for v in history.history[key]]
    assert [float(r["loss"]) for r in rows] == history.history["loss"]
    if separator == ",":  # the field holds the separator: csv quotes it
        assert '"[' in path.read_text().splitlines()[1]


# --- monitoring an array is an error that names what to use ---------------------------------


@pytest.mark.parametrize("make", [
    lambda m: callbacks.EarlyStopping(monitor=m, mode="max"),
    lambda m: callbacks.ReduceLROnPlateau(monitor=m, mode="max"),
    lambda m: callbacks.ModelCheckpoint("best.baeum", monitor=m, save_best_only=True,
                                        mode="max"),
], ids=["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
@pytest.mark.parametrize("monitor", ["precision", "val_precision"])
def test_monitoring_an_array_metric_is_an_error(tmp_path, monkeypatch, data, make, monitor):
    monkeypatch.chdir(tmp_path)
    x, y = data
    callback = make(monitor)
    with pytest.raises(ValueError) as info:
        _model().fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
                     callbacks=[callback])
    message = str(info.value)
    owner = type(callback).__name__
    assert f"{owner} can only monitor a single number, but {monitor!r} is an array" in message
    assert "Precision(thresholds=[0.3, 0.7])" in message
    prefix = "val_" if monitor.startswith("val_") else ""
    assert "baeum.metrics.Precision(thresholds=0.3, name='precision_at_0.3')" in message
    assert f"monitor='{prefix}precision_at_0.3'" in message
    assert not (tmp_path / "best.baeum").exists()


def test_the_suggested_metric_can_be_monitored(data):
    x, y = data
    model = _model(baeum.metrics.Precision(thresholds=THRESHOLDS),
                   baeum.metrics.Precision(thresholds=0.3, name="precision_at_0.3"))
    stop = callbacks.EarlyStopping(monitor="val_precision_at_0.3", patience=5)
    history = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=[stop])
    assert stop.best == max(history.history["val_precision_at_0.3"])
    np.testing.assert_allclose(history.history["val_precision_at_0.3"],
                               [v[0] for v in history.history["val_precision"]])


def test_monitoring_an_array_without_a_model_still_says_why():
    stop = callbacks.EarlyStopping(monitor="scores", mode="max")
    with pytest.raises(ValueError, match=r"single number, but 'scores' is an array of shape "
                                         r"\(3,\).*monitor a metric that logs one number"):
        stop.on_epoch_end(0, {"scores": np.array([1.0, 2.0, 3.0])})


def test_checkpoints_without_monitoring_accept_array_logs(tmp_path, data):
    x, y = data
    path = tmp_path / "ckpt-{epoch:02d}-{loss:.3f}.baeum"
    _model().fit(x, y, epochs=2, batch_size=16, verbose=0,
                 callbacks=[callbacks.ModelCheckpoint(path), callbacks.TerminateOnNaN()])
    assert len(list(tmp_path.glob("ckpt-0*-*.baeum"))) == 2
