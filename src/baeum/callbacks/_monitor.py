"""What EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share: watching one logged value.

`mode="auto"` picks the direction from the name, as Keras does: losses and errors
should go down ("min"); accuracy-like values ("accuracy", "acc", "auc", "precision",
"recall", ...) should go up ("max").
"""

import math
import warnings

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


def monitor_value(owner, monitor, logs):
    """The monitored value as a float, or None (with a warning naming what is logged)."""
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
    return float(value)
