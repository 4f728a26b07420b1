"""What EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share: watching one logged value.

`mode="auto"` picks the direction from the name, as Keras does: losses and errors
should go down ("min"); accuracy-like values ("accuracy", "acc", "auc", "precision",
"recall", ...) should go up ("max").
The monitored value must be one number: a metric with several thresholds logs an array,
and asking to monitor it is an error that names a one-threshold metric to use instead.
"""

import math
import warnings

import numpy as np

from baeum.callbacks.progbar_logger import format_value

_UP = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "top_k", "iou", "r2")


def check_mode(owner, mode):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    return mode


def direction(owner, monitor, mode):
    """'min' or 'max' for `monitor` under `mode`."""
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    if "loss" in name or "error" in name or name in ("mse", "mae", "mape", "msle", "kld"):
        return "min"
    if any(part in name for part in _UP):
        return "max"
    raise ValueError(
        f"{owner} got monitor={monitor!r} and cannot tell whether it should go up or down; "
        "pass mode='max' (stop/save on the highest value) or mode='min' (on the lowest)"
    )


def is_improvement(current, reference, mode, min_delta):
    """True when `current` beats `reference` by more than `min_delta` in direction `mode`."""
    if mode == "min":
        return current < reference - min_delta
    return current > reference + min_delta


def worst(mode):
    return math.inf if mode == "min" else -math.inf


def monitor_value(owner, monitor, logs, model=None):
    """The monitored value as a float, or None (with a warning naming what is logged).

    `model` (the callback's) is only read to name the metric in the error for an array.
    """
    logs = logs or {}
    value = logs.get(monitor)
    if value is None:
        warnings.warn(
            f"{owner} is monitoring {monitor!r}, which is not in the logs; available: "
            f"{', '.join(sorted(logs)) or 'nothing'}"
            + (" (val_ values need validation_data or validation_split in fit)"
               if monitor.startswith("val_") else ""),
            stacklevel=3,
        )
        return None
    array = np.asarray(value)
    if array.size != 1:
        raise ValueError(_not_a_number_message(owner, monitor, array, model))
    return float(array.item())


def _not_a_number_message(owner, monitor, array, model):
    """Why an array cannot be monitored, and the one-threshold metric to compile instead."""
    message = (f"{owner} can only monitor a single number, but {monitor!r} is an array of "
               f"shape {array.shape}: {format_value(array)}")
    prefix = "val_" if monitor.startswith("val_") else ""
    name = monitor.removeprefix("val_")
    metric = next((m for m in getattr(model, "metrics", None) or [] if m.name == name), None)
    thresholds = getattr(metric, "thresholds", None)
    if thresholds is None or len(thresholds) < 2:
        return message + "; monitor a metric that logs one number"
    # A metric with several thresholds logs one value per threshold: suggest one of them.
    t = thresholds[0]
    return (f"{message} (one value per threshold of {type(metric).__name__}"
            f"(thresholds={list(thresholds)})). To monitor it, compile a second metric with one "
            f"threshold, e.g. metrics=[baeum.metrics.{type(metric).__name__}(thresholds={t}, "
            f"name='{name}_at_{t}')], and pass monitor='{prefix}{name}_at_{t}'")
