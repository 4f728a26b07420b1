"""baeum.callbacks: EarlyStopping, ModelCheckpoint, TerminateOnNaN, CSVLogger,
LearningRateScheduler, ReduceLROnPlateau and LambdaCallback, on small real fits."""

import csv
import math

import numpy as np
import pytest

import baeum
from baeum import callbacks, layers


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)
    return x, y


def _model(optimizer=None, learning_rate=0.05):
    model = baeum.Sequential([layers.Input(shape=(3,)), layers.Dense(1, name="dense")])
    model.compile(optimizer=optimizer or baeum.optimizers.SGD(learning_rate), loss="mse")
    return model


class FixedLogs(callbacks.Callback):
    """Overwrites the epoch logs' `key` with scripted values (runs before the callback under
    test, which sees them), so that behaviour on plateaus is tested exactly."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, list(values)

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


# --- EarlyStopping ---------------------------------------------------------------------------


def test_early_stopping_after_patience(data):
    x, y = data
    model = _model()
    stop = callbacks.EarlyStopping(monitor="loss", patience=2)
    #              improves..., then no improvement for 2 epochs -> stops after epoch 4
    values = [5.0, 4.0, 3.0, 3.5, 3.2, 1.0, 0.5]
    history = model.fit(x, y, epochs=7, verbose=0,
                        callbacks=[FixedLogs("loss", values), stop])
    assert len(history.history["loss"]) == 5
    assert stop.stopped_epoch == 4 and stop.best == 3.0


def test_early_stopping_min_delta_and_mode_max(data):
    x, y = data
    model = _model()
    stop = callbacks.EarlyStopping(monitor="val_accuracy", min_delta=0.05, patience=1)
    # 0.52 - 0.5 is not more than min_delta: no improvement, and patience 1 stops at once.
    values = [0.5, 0.52, 0.9]
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[FixedLogs("val_accuracy", values), stop])
    assert history.epoch == [0, 1]


def test_early_stopping_baseline(data):
    x, y = data
    model = _model()
    stop = callbacks.EarlyStopping(monitor="loss", patience=2, baseline=1.0)
    # Improving, but never below the baseline: stops after `patience` epochs.
    history = model.fit(x, y, epochs=6, verbose=0,
                        callbacks=[FixedLogs("loss", [5.0, 4.0, 3.0, 2.0, 1.5, 1.2]), stop])
    assert history.epoch == [0, 1]


def test_early_stopping_start_from_epoch(data):
    x, y = data
    model = _model()
    stop = callbacks.EarlyStopping(monitor="loss", patience=0, start_from_epoch=3)
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]   # worse every epoch: only the warm-up runs on
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[FixedLogs("loss", values), stop])
    assert history.epoch == [0, 1, 2, 3, 4]


def test_early_stopping_restores_best_weights(data):
    x, y = data
    model = _model()
    snapshots = []
    record = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    stop = callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    values = [3.0, 1.0, 2.0, 2.5, 0.1]
    model.fit(x, y, epochs=5, verbose=0,
              callbacks=[record, FixedLogs("loss", values), stop])
    assert stop.best_epoch == 1 and stop.stopped_epoch == 3
    for restored, best in zip(model.get_weights(), snapshots[1]):
        assert np.array_equal(restored, best)
    assert not np.array_equal(model.get_weights()[0], snapshots[-1][0])


def test_early_stopping_on_real_validation_loss(data):
    x, y = data
    model = _model(learning_rate=0.1)
    stop = callbacks.EarlyStopping(patience=1, min_delta=1.0)   # monitor="val_loss"
    history = model.fit(x, y, epochs=30, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[stop])
    assert "val_loss" in history.history
    assert len(history.epoch) < 30


def test_early_stopping_warns_when_the_value_is_missing(data):
    x, y = data
    model = _model()
    with pytest.warns(UserWarning, match=r"'val_loss'.*validation_data or validation_split"):
        history = model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.EarlyStopping()])
    assert history.epoch == [0, 1]


def test_early_stopping_argument_errors():
    with pytest.raises(ValueError, match="mode must be"):
        callbacks.EarlyStopping(mode="lowest")
    with pytest.raises(ValueError, match="mode='max'"):
        callbacks.EarlyStopping(monitor="my_score")
    assert callbacks.EarlyStopping(monitor="my_score", mode="max").mode == "max"


# --- ModelCheckpoint -----------------------------------------------------------------------------


def test_checkpoint_every_epoch_with_formatted_names(tmp_path, data):
    x, y = data
    model = _model()
    pattern = str(tmp_path / "ckpt" / "model-{epoch:02d}-{val_loss:.2f}.baeum")
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.ModelCheckpoint(pattern)])
    expected = sorted(f"model-{e + 1:02d}-{v:.2f}.baeum"
                      for e, v in enumerate(history.history["val_loss"]))
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == expected
    last = baeum.models.load_model(tmp_path / "ckpt" / expected[-1])
    assert np.array_equal(last.predict(x), model.predict(x))


def test_checkpoint_save_best_only(tmp_path, data):
    x, y = data
    model = _model()
    path = tmp_path / "best.weights.safetensors"
    epoch_box, saved_in = [0], []
    real_save_weights = model.save_weights

    def recording_save_weights(filepath, **kwargs):
        saved_in.append(epoch_box[0])
        real_save_weights(filepath, **kwargs)

    model.save_weights = recording_save_weights
    weights_at = {}
    track = callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: epoch_box.__setitem__(0, epoch),
        on_epoch_end=lambda epoch, logs: weights_at.update({epoch: model.get_weights()}))
    ckpt = callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True,
                                     save_weights_only=True)
    model.fit(x, y, epochs=5, verbose=0,
              callbacks=[track, FixedLogs("val_loss", [3.0, 2.0, 2.5, 1.0, 1.0]), ckpt])
    assert saved_in == [0, 1, 3] and ckpt.best == 1.0   # 2.5 and the tie 1.0 are no better
    fresh = _model()
    fresh.load_weights(path)
    for a, b in zip(fresh.get_weights(), weights_at[3]):
        assert np.array_equal(a, b)
    assert not np.array_equal(fresh.get_weights()[0], weights_at[4][0])


def test_checkpoint_save_best_only_keeps_the_best_epoch(tmp_path, data):
    x, y = data
    model = _model()
    path = tmp_path / "best.baeum"
    weights_at = {}
    keep = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: weights_at.update({epoch: model.get_weights()}))
    ckpt = callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    model.fit(x, y, epochs=4, verbose=0,
              callbacks=[FixedLogs("val_loss", [3.0, 1.0, 2.0, 1.5]), keep, ckpt])
    loaded = baeum.models.load_model(path)
    for a, b in zip(loaded.get_weights(), weights_at[1]):
        assert np.array_equal(a, b)
    assert not np.array_equal(loaded.get_weights()[0], model.get_weights()[0])


def test_checkpoint_every_n_batches(tmp_path, data):
    x, y = data
    model = _model()
    pattern = str(tmp_path / "w-{epoch}-{batch}.weights.safetensors")
    # 32 samples / 8 = 4 batches per epoch, 2 epochs = 8 batches -> saved after 3 and 6.
    model.fit(x, y, epochs=2, batch_size=8, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(pattern, save_weights_only=True,
                                                   save_freq=3)])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "w-1-3.weights.safetensors", "w-2-2.weights.safetensors"]


def test_checkpoint_argument_errors(tmp_path, data):
    with pytest.raises(ValueError, match=r"must end in '\.baeum'"):
        callbacks.ModelCheckpoint(tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"'\.weights\.safetensors'"):
        callbacks.ModelCheckpoint(tmp_path / "m.baeum", save_weights_only=True)
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.ModelCheckpoint(tmp_path / "m.baeum", save_freq="batch")
    x, y = data
    model = _model()
    bad = callbacks.ModelCheckpoint(str(tmp_path / "m-{val_acc:.2f}.baeum"))
    with pytest.raises(KeyError, match=r"val_acc.*available: epoch, loss"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[bad])


# --- TerminateOnNaN ----------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # it diverges on purpose
def test_terminate_on_nan_stops_a_diverging_fit(data, capsys):
    x, y = data
    model = _model(learning_rate=1e6)   # explodes within a few batches
    seen = []
    count = callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    with pytest.warns(RuntimeWarning, match="not finite"):
        history = model.fit(x * 100, y, epochs=20, batch_size=4, verbose=0,
                            callbacks=[count, callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 1 and len(seen) < 8
    assert not math.isfinite(history.history["loss"][-1])
    assert "invalid loss" in capsys.readouterr().out


def test_terminate_on_nan_lets_a_healthy_fit_run(data):
    x, y = data
    history = _model().fit(x, y, epochs=3, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert history.epoch == [0, 1, 2]


# --- CSVLogger ---------------------------------------------------------------------------------


def test_csv_logger_writes_one_row_per_epoch(tmp_path, data):
    x, y = data
    path = tmp_path / "log.csv"
    model = _model()
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.CSVLogger(path)])
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["epoch", "loss", "val_loss"]
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert [float(r["loss"]) for r in rows] == history.history["loss"]
    assert [float(r["val_loss"]) for r in rows] == history.history["val_loss"]


def test_csv_logger_append_and_separator(tmp_path, data):
    x, y = data
    path = tmp_path / "log.tsv"
    model = _model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path, separator="\t")])
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[callbacks.CSVLogger(path, separator="\t", append=True)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch\tloss" and len(lines) == 4     # one header, three rows
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, separator="\t")])
    assert len(path.read_text().splitlines()) == 2           # append=False starts over


# --- LearningRateScheduler --------------------------------------------------------------------


def test_learning_rate_scheduler_sets_the_rate_each_epoch(data):
    x, y = data
    model = _model(learning_rate=0.1)
    calls, used = [], []

    def schedule(epoch, lr):
        calls.append((epoch, lr))
        return lr * 0.5 if epoch > 0 else lr

    track = callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: used.append(model.optimizer.learning_rate))
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[callbacks.LearningRateScheduler(schedule), track])
    assert calls == [(0, 0.1), (1, 0.1), (2, 0.05)]
    assert used == [0.1, 0.05, 0.025]
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]


def test_learning_rate_scheduler_changes_training(data):
    x, y = data
    model = _model(learning_rate=0.05)
    start = model.get_weights()
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 0.0)])
    for a, b in zip(model.get_weights(), start):   # a zero rate: no step moves a weight
        assert np.array_equal(a, b)
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 0.05)])
    assert not np.array_equal(model.get_weights()[0], start[0])


def test_learning_rate_scheduler_rejects_bad_values(data):
    x, y = data
    with pytest.raises(TypeError, match="schedule"):
        callbacks.LearningRateScheduler(0.1)
    model = _model()
    with pytest.raises(ValueError, match=r"returned nan at epoch 0"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda e, lr: float("nan"))])


# --- ReduceLROnPlateau -------------------------------------------------------------------------


def test_reduce_lr_on_plateau_with_patience_and_cooldown(data):
    x, y = data
    model = _model(learning_rate=1.0)
    rates = []
    track = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: rates.append(model.optimizer.learning_rate))
    reduce = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2,
                                         cooldown=2)
    values = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]   # a flat plateau
    history = model.fit(x * 0, y * 0, epochs=8, verbose=0,
                        callbacks=[FixedLogs("val_loss", values), reduce, track])
    # Keras's rule: reduce at epoch 2 (2 epochs without improvement); cooldown counts down
    # at epochs 3 and 4, waiting restarts at 4; reduce again at 5; cooldown 6, 7.
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_reduce_lr_on_plateau_respects_min_lr_and_improvement(data):
    x, y = data
    model = _model(learning_rate=0.1)
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.1, patience=1,
                                         min_lr=0.05)
    values = [2.0, 1.0, 1.0, 1.0, 0.5]
    model.fit(x * 0, y * 0, epochs=5, verbose=0,
              callbacks=[FixedLogs("loss", values), reduce])
    assert model.optimizer.learning_rate == 0.05     # 0.1 -> max(0.01, 0.05), then stays
    with pytest.raises(ValueError, match="factor"):
        callbacks.ReduceLROnPlateau(factor=1.5)


# --- LambdaCallback ----------------------------------------------------------------------------


def test_lambda_callback_calls_every_hook(data):
    x, y = data
    events = []
    cb = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"epoch_begin {epoch}"),
        on_train_batch_begin=lambda batch, logs: events.append(f"batch_begin {batch}"),
        on_train_batch_end=lambda batch, logs: events.append(f"batch_end {batch} "
                                                             f"{'loss' in logs}"),
        on_epoch_end=lambda epoch, logs: events.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: events.append("train_end"),
    )
    _model().fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])
    assert events == [
        "train_begin",
        "epoch_begin 0", "batch_begin 0", "batch_end 0 True", "batch_begin 1",
        "batch_end 1 True", "epoch_end 0 ['loss']",
        "epoch_begin 1", "batch_begin 0", "batch_end 0 True", "batch_begin 1",
        "batch_end 1 True", "epoch_end 1 ['loss']",
        "train_end",
    ]


def test_lambda_callback_rejects_non_functions():
    with pytest.raises(TypeError, match="on_epoch_end must be a function"):
        callbacks.LambdaCallback(on_epoch_end=3)
