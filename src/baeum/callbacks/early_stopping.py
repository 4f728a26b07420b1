"""EarlyStopping: stop training when a monitored value has stopped improving."""

from baeum.callbacks import _monitor
from baeum.callbacks.callback import Callback


class EarlyStopping(Callback):
    """Stop `fit` once `monitor` has not improved for `patience` epochs.

    After each epoch the monitored value (e.g. "val_loss") is compared with the best
    so far; an improvement must beat it by more than `min_delta`. After `patience`
    epochs without one, `model.stop_training` is set. With `baseline`, the wait only
    restarts on values that also beat the baseline. With `restore_best_weights`, the
    weights of the best epoch are put back when training ends. The first
    `start_from_epoch` epochs are a warm-up that is not watched.

    Args (Keras's names and defaults):
        monitor: "val_loss". min_delta: 0. patience: 0. verbose: 0.
        mode: "auto" | "min" | "max". baseline: None. restore_best_weights: False.
        start_from_epoch: 0.

    >>> stop = EarlyStopping(monitor="loss", patience=3)
    >>> # model.fit(x, y, epochs=100, callbacks=[stop]); stop.stopped_epoch tells when
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode = _monitor.check_mode("EarlyStopping", mode)
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._direction = _monitor.direction("EarlyStopping", monitor, mode)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = _monitor.worst(self._direction)
        self.best_weights = None
        self.best_epoch = 0

    def _improves(self, current, reference):
        return _monitor.is_improvement(current, reference, self._direction, self.min_delta)

    def on_train_begin(self, logs=None):
        self._reset()  # the same callback may be given to several fits

    def on_epoch_end(self, epoch, logs=None):
        current = _monitor.monitor_value("EarlyStopping", self.monitor, logs, self.model)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
                return
            # Better than before but not than the baseline: the wait goes on (Keras's docs:
            # "training will stop if the model doesn't show improvement over the baseline").
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
