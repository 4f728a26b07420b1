"""`History`: what `fit` returns. `history.history["loss"]` is the loss of each epoch.

    history = model.fit(x, y, epochs=10, validation_split=0.2)
    history.history.keys()      # loss, accuracy, val_loss, val_accuracy
    history.epoch               # [0, 1, ..., 9]
    history.plot("curves.png")  # the learning curves, train and validation

A metric with several thresholds, e.g. Precision(thresholds=[0.3, 0.7]), logs an array
per epoch: `history.history["precision"]` is then a list of arrays of shape (2,).
"""

import numpy as np

from baeum.callbacks.callback import Callback


class History(Callback):
    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            # A copy: a metric may hand out its own state, which the next epoch changes.
            if isinstance(value, np.ndarray):
                value = value.copy()
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def plot(self, path=None, metrics=None, title=None):
        """Plot the loss and each metric per epoch (train solid, validation dashed).

        One panel per metric (`loss` first), epochs on the x axis. Writes a PNG to
        `path` when given (rendered with Agg: no display needed, pyplot untouched) and
        returns the matplotlib Figure.
        `metrics` picks the panels, e.g. ["loss"]; default: every train metric.
        """
        # A Figure without pyplot: no global backend change, no window; PNG via Agg.
        from matplotlib.figure import Figure

        if not self.history:
            raise ValueError("History.plot: nothing to plot (fit ran no epochs)")
        names = metrics or [k for k in self.history if not k.startswith("val_")]
        missing = [n for n in names if n not in self.history]
        if missing:
            raise ValueError(
                f"History.plot: no values for {missing}; recorded: {sorted(self.history)}"
            )
        epochs = [e + 1 for e in self.epoch] or list(range(1, len(self.history[names[0]]) + 1))
        fig = Figure(figsize=(4.5 * len(names), 3.5))
        axes = fig.subplots(1, len(names), squeeze=False)
        for ax, name in zip(axes[0], names):
            ax.plot(epochs[-len(self.history[name]):], self.history[name], "-o", ms=3,
                    label=f"train {name}")
            val = self.history.get("val_" + name)
            if val:
                ax.plot(epochs[-len(val):], val, "--o", ms=3, label=f"validation {name}")
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.set_title(name)
            ax.grid(alpha=0.3)
            ax.legend()
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=100)
        return fig
