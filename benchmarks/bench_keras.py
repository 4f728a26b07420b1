"""Keras-level training speed against PyTorch and against baeum's own low level.

    python benchmarks/bench_keras.py [--repeats 7] [--steps 20]

Cases (batch sizes as in the course):
  mlp         784-256-256-10 MLP, SGD, batch 100: Sequential + train_on_batch, low level, torch
  cnn         the MNIST CNN, Adam, batch 100: Sequential + train_on_batch, low level, torch
  cnn-infer   the same CNN, inference at batch 1000 (predict_on_batch vs torch.no_grad)
  hihello     LSTM(5) + Dense(5) on a 6-step one-hot sequence, Adam, batch 1
  iris        4-10-20-10-3 MLP, full batch 150, Adam
Ratios above 1 mean baeum is faster; "keras/low" is the Keras-level path's cost over
the low-level path (the target is at most 1.10).
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from bench_core import baeum_cnn, baeum_mlp  # noqa: E402
from common import TorchWorker, interleaved, report  # noqa: E402

import baeum  # noqa: E402
from baeum import layers, optimizers  # noqa: E402
from baeum.models import Sequential  # noqa: E402


def keras_step(model, x, y):
    return lambda: model.train_on_batch(x, y)


def keras_mlp(x, y):
    model = Sequential([layers.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                        layers.Dense(256, activation="relu"), layers.Dense(10)])
    model.compile(optimizers.SGD(learning_rate=0.1),
                  baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def keras_cnn():
    model = Sequential([
        layers.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(256, activation="relu"), layers.Dense(10)])
    model.compile(optimizers.Adam(learning_rate=1e-3),
                  baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def hihello():
    """LSTM(5) + Dense(5) on the 6-step one-hot "hihell" -> "ihello" sequence, Adam 0.1."""
    chars = "hielo"
    x_ids, y_ids = [chars.index(c) for c in "hihell"], [chars.index(c) for c in "ihello"]
    x = np.eye(5, dtype=np.float32)[x_ids][None]          # (1, 6, 5)
    y = np.array(y_ids)[None]                              # (1, 6)
    model = Sequential([layers.Input(shape=(6, 5)), layers.LSTM(5, return_sequences=True),
                        layers.Dense(5)])
    model.compile(optimizers.Adam(learning_rate=0.1),
                  baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, x, y


def iris():
    """4-10-20-10-3 MLP, ReLU, full batch 150, Adam 1e-3."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((150, 4)).astype(np.float32)
    y = rng.integers(0, 3, 150)
    model = Sequential([layers.Input(shape=(4,)), layers.Dense(10, activation="relu"),
                        layers.Dense(20, activation="relu"), layers.Dense(10, activation="relu"),
                        layers.Dense(3)])
    model.compile(optimizers.Adam(learning_rate=1e-3),
                  baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, x, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads; give NumPy's BLAS the same: OPENBLAS_NUM_THREADS=N")
    args = parser.parse_args()

    torch = TorchWorker(args.threads)  # torch's cases, in a process without baeum
    wanted = set(args.only or ["mlp", "cnn", "cnn-infer", "hihello", "iris"])
    rng = np.random.default_rng(0)
    summary = {}
    if "mlp" in wanted:
        x = rng.random((100, 784), dtype=np.float32)
        y = rng.integers(0, 10, 100)
        t = interleaved({"keras": keras_step(keras_mlp(x, y), x, y), "low": baeum_mlp(x, y),
                         "torch": torch.case("mlp", x, y)}, args.steps * 5, args.repeats)
        r = report("MLP 784-256-256-10 train step", 100, t)
        summary["mlp train"] = (r["keras"], t["keras"] / t["low"])
    if "cnn" in wanted:
        x = rng.random((100, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, 100)
        t = interleaved({"keras": keras_step(keras_cnn(), x, y), "low": baeum_cnn(x, y),
                         "torch": torch.case("cnn", x, y)}, args.steps, args.repeats)
        r = report("CNN train step", 100, t)
        summary["cnn train"] = (r["keras"], t["keras"] / t["low"])
    if "cnn-infer" in wanted:
        x = rng.random((1000, 28, 28, 1), dtype=np.float32)
        model = keras_cnn()
        t = interleaved({"keras": lambda: model.predict_on_batch(x),
                         "torch": torch.case("cnn_inference", x)},
                        max(args.steps // 4, 3), args.repeats)
        summary["cnn inference b1000"] = (report("CNN inference", 1000, t)["keras"], None)
    if "hihello" in wanted:
        model, x, y = hihello()
        t = interleaved({"keras": keras_step(model, x, y), "torch": torch.case("hihello", x, y)},
                        args.steps * 10, args.repeats)
        summary["hihello lstm train"] = (report("hihello LSTM train step", 1, t)["keras"], None)
    if "iris" in wanted:
        model, x, y = iris()
        t = interleaved({"keras": keras_step(model, x, y), "torch": torch.case("iris", x, y)},
                        args.steps * 10, args.repeats)
        summary["iris mlp train"] = (report("iris MLP train step", 150, t)["keras"], None)
    print("\nsummary (baeum Keras level vs torch; keras/low = overhead over the low level)")
    for name, (ratio, overhead) in summary.items():
        extra = f"   keras/low {overhead:.2f}" if overhead is not None else ""
        print(f"  {name:<22} {ratio:5.2f}x torch{extra}")
    torch.close()


if __name__ == "__main__":
    main()
