"""ModelCheckpoint: save the model (or its weights) during training."""

import os

from baeum.callbacks import _monitor
from baeum.callbacks.callback import Callback

MODEL_SUFFIX = ".baeum"
WEIGHTS_SUFFIXES = (".weights.safetensors", ".safetensors")


class ModelCheckpoint(Callback):
    """Save the model every epoch (or every `save_freq` batches), or only when it improves.

    `filepath` may hold fields filled from the epoch (counted from 1) and the logs:
    "ckpt/{epoch:02d}-{val_loss:.2f}.baeum". A whole model goes to a `.baeum` file
    (`model.save`); with `save_weights_only=True` the path must end in
    `.weights.safetensors` (`model.save_weights`). Keras uses `.keras` / `.weights.h5`.
    Every save is atomic: an interrupted save leaves the previous file intact.

    With `save_best_only=True` a file is written only when `monitor` beats the best
    value so far (direction from `mode`, "auto" guesses it from the name).

    Args (Keras's names and defaults): filepath, monitor="val_loss", verbose=0,
        save_best_only=False, save_weights_only=False, mode="auto", save_freq="epoch".

    >>> ckpt = ModelCheckpoint("best.baeum", monitor="val_accuracy", save_best_only=True)
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch"):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = _monitor.check_mode("ModelCheckpoint", mode)
        self.save_freq = save_freq
        if save_freq != "epoch" and not (
            isinstance(save_freq, int) and not isinstance(save_freq, bool) and save_freq > 0
        ):
            raise ValueError(
                f"ModelCheckpoint: save_freq must be 'epoch' or a positive number of batches, "
                f"got {save_freq!r}"
            )
        if save_weights_only and not self.filepath.endswith(WEIGHTS_SUFFIXES):
            raise ValueError(
                "ModelCheckpoint: with save_weights_only=True the filepath must end in "
                f"'.weights.safetensors', got {self.filepath!r}"
            )
        if not save_weights_only and not self.filepath.endswith(MODEL_SUFFIX):
            raise ValueError(
                "ModelCheckpoint: the filepath must end in '.baeum' (a whole model), or use "
                f"save_weights_only=True with '.weights.safetensors'; got {self.filepath!r}"
            )
        self._direction = (_monitor.direction("ModelCheckpoint", monitor, mode)
                           if save_best_only else "min")
        self.best = _monitor.worst(self._direction)
        self._current_epoch = 0
        self._batches_since_save = 0

    def on_train_begin(self, logs=None):
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch, batch, logs):
        logs = dict(logs or {})
        filepath = self._format(epoch, batch, logs)
        if self.save_best_only:
            current = _monitor.monitor_value("ModelCheckpoint", self.monitor, logs, self.model)
            if current is None:
                return
            if not _monitor.is_improvement(current, self.best, self._direction, 0.0):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {filepath}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)

    def _format(self, epoch, batch, logs):
        fields = {k: float(v) for k, v in logs.items() if _is_number(v)}
        fields["epoch"] = epoch + 1
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError) as e:
            raise KeyError(
                f"ModelCheckpoint cannot fill the filepath {self.filepath!r}: no value for {e}; "
                f"available: {', '.join(sorted(fields))}"
            ) from None


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
