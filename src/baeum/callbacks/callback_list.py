"""`CallbackList`: calls one hook on every callback, in order.

`fit` wraps the user's callbacks in one of these, adding `History` (always) and the
progress bar (`ProgbarLogger`, unless verbose=0). Batch hooks are skipped entirely
when no callback overrides them, so a plain `fit` pays nothing per batch for them.
"""

from baeum.callbacks.callback import Callback
from baeum.callbacks.history import History
from baeum.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = (
    "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_batch_begin", "on_predict_batch_end",
)


_overridden = {}   # callback class -> the batch hooks it overrides


# Keras 2's names, which the training batch hooks call: overriding one counts for both.
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(callback, hook):
    cls = type(callback)
    hooks = _overridden.get(cls)
    if hooks is None:
        hooks = _overridden[cls] = frozenset(
            h for h in _BATCH_HOOKS
            if any(getattr(cls, name) is not getattr(Callback, name)
                   for name in (h, _ALIASES.get(h, h))))
    return hook in hooks


class CallbackList:
    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        if callbacks is None:
            callbacks = []
        elif isinstance(callbacks, Callback):
            callbacks = [callbacks]
        self.callbacks = list(callbacks)
        for c in self.callbacks:
            if not isinstance(c, Callback):
                raise TypeError(
                    f"callbacks must be baeum.callbacks.Callback instances, got {c!r}"
                )
        self.history = None
        if add_history:
            existing = [c for c in self.callbacks if isinstance(c, History)]
            self.history = existing[0] if existing else History()
            if not existing:
                self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.insert(0, ProgbarLogger())
        self.model = model
        self.params = params
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)
        # Which batch hooks some callback actually overrides (the rest are free).
        self._active = {hook: [c for c in self.callbacks if _overrides(c, hook)]
                        for hook in _BATCH_HOOKS}

    def append(self, callback):
        self.callbacks.append(callback)
        for hook in _BATCH_HOOKS:
            if _overrides(callback, hook):
                self._active[hook].append(callback)

    def set_model(self, model):
        self.model = model
        for c in self.callbacks:
            c.set_model(model)

    def set_params(self, params):
        self.params = params
        for c in self.callbacks:
            c.set_params(params)

    def _call(self, hook, *args):
        for c in self.callbacks:
            getattr(c, hook)(*args)

    def _call_batch(self, hook, batch, logs):
        for c in self._active[hook]:
            getattr(c, hook)(batch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("on_train_batch_end", batch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("on_test_batch_end", batch, logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("on_predict_batch_end", batch, logs)

    def wants_batch_logs(self, hook):
        """True when some callback overrides `hook` (so fit must build the batch logs)."""
        return bool(self._active[hook])
