"""ReduceLROnPlateau: lower the learning rate when a monitored value stops improving."""

from baeum.callbacks import _monitor
from baeum.callbacks.callback import Callback
from baeum.callbacks.lr_scheduler import _optimizer


class ReduceLROnPlateau(Callback):
    """After `patience` epochs without improvement: `lr = max(lr * factor, min_lr)`.

    An improvement beats the best value by more than `min_delta`. After a reduction,
    `cooldown` epochs pass before the waiting starts again. The rate is logged as
    "learning_rate" at each epoch end.

    Args (Keras's names and defaults): monitor="val_loss", factor=0.1, patience=10,
        verbose=0, mode="auto", min_delta=1e-4, cooldown=0, min_lr=0.0.

    >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=1e-5)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        if not 0 <= factor < 1:
            raise ValueError(
                f"ReduceLROnPlateau: factor must be in [0, 1) (the rate is multiplied by it), "
                f"got {factor}"
            )
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = patience
        self.verbose = verbose
        self.mode = _monitor.check_mode("ReduceLROnPlateau", mode)
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = float(min_lr)
        self._direction = _monitor.direction("ReduceLROnPlateau", monitor, mode)
        self._reset()

    def _reset(self):
        self.best = _monitor.worst(self._direction)
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = _optimizer(self.model, "ReduceLROnPlateau")
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = _monitor.monitor_value("ReduceLROnPlateau", self.monitor, logs, self.model)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if _monitor.is_improvement(current, self.best, self._direction, self.min_delta):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
