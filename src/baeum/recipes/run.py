"""What every recipe run shares: settings, the run folder, and the files written into it.

A run folder holds `config.json` (the settings), `history.csv` (one row per epoch),
`model.baeum` (the trained model), `curves.png` (loss and metrics per epoch, train and
validation), the recipe's own figures, and `result.json` (the headline number).
"""

import csv
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Settings:
    """The command-line knobs every recipe understands (None = the recipe's default)."""

    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    seed: int = 0
    data_dir: str | None = None
    out: str | None = None
    smoke: bool = False           # a tiny budget, for tests: few steps on a small subset
    verbose: int = 1

    def pick(self, name, default):
        value = getattr(self, name)
        return default if value is None else value

    def budget(self, epochs, batch_size, lr):
        """(epochs, batch_size, lr): the recipe's defaults unless given on the command line;
        a smoke run trains one epoch."""
        return (1 if self.smoke else self.pick("epochs", epochs),
                self.pick("batch_size", batch_size), self.pick("lr", lr))


@dataclass
class Result:
    """The headline number of a run next to what the course reports."""

    metric: str
    value: float
    target: float
    higher_is_better: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def reached(self):
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def line(self):
        sign = ">=" if self.higher_is_better else "<="
        mark = "reached" if self.reached else "NOT reached"
        return f"{self.metric}: {self.value:.4f} (expected {sign} {self.target}) - {mark}"


class Run:
    """A run folder and the writers for its files."""

    def __init__(self, recipe_name, settings):
        self.settings = settings
        stamp = time.strftime("%Y%m%d-%H%M%S")
        root = Path(settings.out) if settings.out else Path("runs") / f"{recipe_name}-{stamp}"
        root.mkdir(parents=True, exist_ok=True)
        self.dir = root
        self.recipe = recipe_name

    def path(self, name):
        return self.dir / name

    def write_config(self, **extra):
        config = {"recipe": self.recipe, **asdict(self.settings), **extra}
        _write_atomic(self.path("config.json"), json.dumps(config, indent=2, default=str))

    def write_history(self, history):
        """history: a dict of per-epoch lists (History.history) -> history.csv and curves.png."""
        keys = list(history)
        n = max((len(v) for v in history.values()), default=0)
        rows = [["epoch", *keys]] + [
            [i + 1, *(history[k][i] if i < len(history[k]) else "" for k in keys)]
            for i in range(n)
        ]
        tmp = self.path("history.csv.tmp")
        with open(tmp, "w", newline="") as f:
            csv.writer(f).writerows(rows)
        os.replace(tmp, self.path("history.csv"))
        if n:
            from baeum.recipes import figures

            figures.curves(history, self.path("curves.png"), title=self.recipe)

    def save_model(self, model):
        model.save(str(self.path("model.baeum")))

    def write_result(self, result):
        _write_atomic(self.path("result.json"), json.dumps(
            {"recipe": self.recipe, **asdict(result), "reached": result.reached}, indent=2))


def _write_atomic(path, text):
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
