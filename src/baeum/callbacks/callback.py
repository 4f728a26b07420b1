"""`Callback`: hooks that `fit`, `evaluate` and `predict` call, with Keras's names.

    class PrintLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"])

    model.fit(x, y, epochs=5, callbacks=[PrintLoss()])

`self.model` is the model being trained (set by `set_model`), `self.params` a dict
with `epochs`, `steps` and `verbose` (set by `set_params`). `logs` is a dict of the
current metric values: per batch the running averages of the epoch so far; at
epoch end the epoch's values, with `val_` entries when there is validation data.
Setting `self.model.stop_training = True` ends `fit` after the current batch.
"""


class Callback:
    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    # fit
    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)   # Keras 2's name, which Keras 3 still calls

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        """Keras 2's name for on_train_batch_begin (called by it)."""

    def on_batch_end(self, batch, logs=None):
        """Keras 2's name for on_train_batch_end (called by it)."""

    # evaluate (also the validation at the end of each epoch of fit)
    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    # predict
    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass
