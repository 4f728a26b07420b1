"""CSVLogger: write each epoch's logs as one row of a CSV file."""

import csv
import os

import numpy as np

from baeum.callbacks.callback import Callback


class CSVLogger(Callback):
    """One row per epoch: `epoch` (from 0, as Keras writes it), then the logs by name.

        epoch,loss,val_loss
        0,0.6931,0.6902
        1,0.5120,0.5301

    An array value (a metric with several thresholds) is written as Keras writes it, one
    field "[0.5, 0.6666666865348816]" (quoted by the csv module when it holds the separator).

    Args (Keras's): filename, separator=",", append=False (True: add to an existing
    file, writing the header only if the file is empty).
    Each row is flushed when written, so the file can be read while training runs.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self.writer = None
        self.csv_file = None

    def on_train_begin(self, logs=None):
        has_rows = (self.append and os.path.exists(self.filename)
                    and os.path.getsize(self.filename) > 0)
        self._write_header = not has_rows
        self.keys = None
        self.csv_file = open(self.filename, "a" if self.append else "w",  # noqa: SIM115
                             newline="", encoding="utf-8")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys],
                                         delimiter=self.sep, extrasaction="ignore",
                                         lineterminator="\n")
            if self._write_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        for key in self.keys:
            row[key] = _format(logs.get(key, "NA"))
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None


def _format(value):
    """A number as repr(float) ('0.6931'), an array as '[0.5, 0.6667]', anything else as str."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":  # text such as "NA" for a key missing this epoch
        return str(value)
    if array.ndim == 0:
        return repr(float(array))
    return str(array.astype(np.float64).tolist())  # Python floats: "[0.5, 0.25]", nested if 2-D
