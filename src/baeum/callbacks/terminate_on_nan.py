"""TerminateOnNaN: stop training as soon as the loss becomes NaN or infinite."""

import math

from baeum.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """After each batch, stop `fit` if the batch loss is NaN or inf (a diverged model).

    A classic cause is a learning rate that is too high; training on after that only
    wastes time, since every later weight is NaN too.
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            print(f"Batch {batch}: invalid loss {float(loss)}, terminating training")
            self.model.stop_training = True
