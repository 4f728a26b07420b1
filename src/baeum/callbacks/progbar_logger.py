"""`ProgbarLogger`: the progress display of fit/evaluate/predict (added by `verbose`).

verbose=1 (and "auto"): a tqdm bar per epoch with the running loss and metrics;
verbose=2: one line per epoch; verbose=0: nothing. Output goes to stdout, like Keras.
When the number of steps is not known (a generator without steps_per_epoch), the bar
is an open count of the steps done.
The bar's text is refreshed at most ten times a second, so it costs almost nothing
per batch.
"""

import sys
import time

import numpy as np

from baeum.callbacks.callback import Callback

_REFRESH_SECONDS = 0.1
_ARRAY_SUMMARY = 8  # arrays longer than this show their first and last 3 values, "..." between


def format_number(value):
    """0.3172 -> '0.3172', 0.00002 -> '2.0000e-05': Keras's 4 decimals, tiny values in e."""
    value = float(value)
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def format_value(value):
    """One logged value on one line: a number as format_number, an array as '[0.5000 0.6667]'.

    Arrays come from metrics with several thresholds, e.g. Precision(thresholds=[0.3, 0.7])
    logs shape (2,). A long array is elided like NumPy prints it, so the bar stays short.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":  # not a number (a callback may log text): as given
        return str(value)
    if array.ndim == 0:
        return format_number(array)
    text = np.array2string(array.astype(np.float64), formatter={"float_kind": format_number},
                           threshold=_ARRAY_SUMMARY, edgeitems=3, max_line_width=sys.maxsize)
    return text.replace("\n", "")  # rows of a 2-D array side by side: "[[a b] [c d]]"


def format_logs(logs):
    """'loss: 0.3172 - accuracy: 0.9120 - precision: [0.5000 0.6667]'."""
    return " - ".join(f"{key}: {format_value(value)}" for key, value in logs.items())


class ProgbarLogger(Callback):
    def __init__(self):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self._bar = None
        self._in_fit = False
        self._last_refresh = 0.0
        self._epoch_start = 0.0
        self._steps_done = 0   # in this epoch (the step count may be unknown beforehand)

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)

    # --- fit ----------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._close()
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        if self.verbose == 1:
            self._open(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._steps_done = batch + 1
        self._advance(logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.verbose == 1 and self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs), refresh=False)
            self._close()
        elif self.verbose == 2:
            seconds = time.perf_counter() - self._epoch_start
            steps = self._steps_done or 1
            print(f"Epoch {epoch + 1}/{self.epochs} - {seconds:.1f}s - "
                  f"{1000 * seconds / steps:.0f}ms/step - {format_logs(logs)}",
                  file=sys.stdout, flush=True)

    # --- evaluate and predict (not the validation inside fit: the epoch line shows it) ---
    def on_test_begin(self, logs=None):
        if not self._in_fit and self.verbose == 1:
            self._open("Evaluate")

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._advance(logs)

    def on_test_end(self, logs=None):
        if self._in_fit:
            return
        if self.verbose == 1 and self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
            self._close()
        elif self.verbose == 2:
            print(f"Evaluate - {format_logs(logs or {})}", file=sys.stdout, flush=True)

    def on_predict_begin(self, logs=None):
        if self.verbose == 1:
            self._open("Predict")

    def on_predict_batch_end(self, batch, logs=None):
        self._advance(None)

    def on_predict_end(self, logs=None):
        self._close()

    # --- the bar ------------------------------------------------------------------------
    def _open(self, description):
        from tqdm import tqdm

        self._close()
        self._bar = tqdm(total=self.params.get("steps"), desc=description, unit="step",
                         file=sys.stdout, dynamic_ncols=True, leave=True)
        self._last_refresh = 0.0

    def _advance(self, logs):
        bar = self._bar
        if bar is None:
            return
        now = time.perf_counter()
        if logs and now - self._last_refresh > _REFRESH_SECONDS:
            bar.set_postfix_str(format_logs(logs), refresh=False)
            self._last_refresh = now
        bar.update(1)

    def _close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
