"""LearningRateScheduler: set the learning rate at the start of each epoch."""

import math

from baeum.callbacks.callback import Callback


class LearningRateScheduler(Callback):
    """Before each epoch: `optimizer.learning_rate = schedule(epoch, current_lr)`.

    `epoch` counts from 0. The rate used is logged as "learning_rate" at epoch end.

    >>> def halve_after_ten(epoch, lr):
    ...     return lr if epoch < 10 else lr * 0.5
    >>> scheduler = LearningRateScheduler(halve_after_ten)
    >>> # model.fit(x, y, epochs=20, callbacks=[scheduler])

    For a rate that changes every step, give the optimizer a
    `baeum.optimizers.schedules` schedule instead.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                f"LearningRateScheduler needs a function schedule(epoch, lr) -> new lr, "
                f"got {schedule!r}"
            )
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = _optimizer(self.model, "LearningRateScheduler")
        lr = self.schedule(epoch, float(optimizer.learning_rate))
        try:
            lr = float(lr)
        except (TypeError, ValueError):
            raise ValueError(
                f"LearningRateScheduler: the schedule must return a number, got {lr!r} "
                f"at epoch {epoch}"
            ) from None
        if not math.isfinite(lr) or lr < 0:
            raise ValueError(
                f"LearningRateScheduler: the schedule returned {lr} at epoch {epoch}; "
                "a learning rate must be a finite number >= 0"
            )
        optimizer.learning_rate = lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(_optimizer(self.model, "LearningRateScheduler")
                                          .learning_rate)


def _optimizer(model, owner):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(f"{owner} needs a compiled model: call model.compile(optimizer=...) "
                         "first")
    return optimizer
