"""Training-step speed of baeum's low-level API against PyTorch (CPU, 2 threads).

    python benchmarks/bench_core.py [--repeats 7] [--steps 20]

(a) MLP 784-256-256-10, ReLU, softmax cross-entropy, SGD, batch 100 (also written by hand
    in NumPy, to show the floor a NumPy framework's per-op overhead is measured against)
(b) CNN conv3x3(32, same)-relu-maxpool2-conv3x3(64, same)-relu-maxpool2-dense256-relu-dense10,
    Adam, batch 100, 28x28x1 inputs
Prints samples/s and the ratio baeum/torch (above 1 means baeum is faster).
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import TorchWorker, interleaved, report  # noqa: E402

import baeum  # noqa: E402
import baeum.functional as F  # noqa: E402
from baeum.losses import sparse_categorical_crossentropy  # noqa: E402


def glorot(rng, fan_in, fan_out, shape):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return baeum.tensor(rng.uniform(-limit, limit, shape).astype(np.float32), requires_grad=True)


def zeros(n):
    return baeum.zeros(n, requires_grad=True)


# ---- (a) the MLP ------------------------------------------------------------------------
def baeum_mlp(x, y, lr=0.1):
    rng = np.random.default_rng(0)
    params = [glorot(rng, 784, 256, (784, 256)), zeros(256),
              glorot(rng, 256, 256, (256, 256)), zeros(256),
              glorot(rng, 256, 10, (256, 10)), zeros(10)]
    w1, b1, w2, b2, w3, b3 = params
    xt = baeum.tensor(x)

    def step():
        h = F.relu(F.linear(xt, w1, b1))
        h = F.relu(F.linear(h, w2, b2))
        loss = sparse_categorical_crossentropy(y, F.linear(h, w3, b3), from_logits=True).mean()
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:  # plain SGD, in place on the weight arrays
            p.data -= lr * p.grad.data
        return loss

    return step


def numpy_mlp(x, y, lr=0.1):
    """The same step written by hand in NumPy, no framework: the floor for per-op overhead
    (what baeum's low level could reach with none of its own)."""
    rng = np.random.default_rng(0)
    ws = [glorot(rng, 784, 256, (784, 256)).data, np.zeros(256, np.float32),
          glorot(rng, 256, 256, (256, 256)).data, np.zeros(256, np.float32),
          glorot(rng, 256, 10, (256, 10)).data, np.zeros(10, np.float32)]
    w1, b1, w2, b2, w3, b3 = ws
    n, rows = len(y), np.arange(len(y))

    def step():
        h1 = np.maximum(x @ w1 + b1, 0)
        h2 = np.maximum(h1 @ w2 + b2, 0)
        z = h2 @ w3 + b3
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, y]).mean()
        p[rows, y] -= 1  # d loss / d z = (softmax - onehot) / n
        dz = p / n
        grads = [None, None, h2.T @ dz, dz.sum(axis=0)]
        dh = (dz @ w3.T) * (h2 > 0)
        grads[:2] = h1.T @ dh, dh.sum(axis=0)
        dh = (dh @ w2.T) * (h1 > 0)
        for w, g in zip(ws, [x.T @ dh, dh.sum(axis=0), *grads]):
            w -= lr * g
        return loss

    return step


# ---- (b) the CNN ------------------------------------------------------------------------
def baeum_cnn(x, y):
    rng = np.random.default_rng(0)
    params = [glorot(rng, 9, 9 * 32, (3, 3, 1, 32)), zeros(32),
              glorot(rng, 9 * 32, 9 * 64, (3, 3, 32, 64)), zeros(64),
              glorot(rng, 3136, 256, (3136, 256)), zeros(256),
              glorot(rng, 256, 10, (256, 10)), zeros(10)]
    k1, c1, k2, c2, w3, b3, w4, b4 = params
    opt = baeum.optimizers.Adam(params, learning_rate=1e-3)
    xt = baeum.tensor(x)

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(xt, k1, c1, padding="same")), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, k2, c2, padding="same")), 2)
        h = F.relu(F.linear(h.reshape(h.shape[0], -1), w3, b3))
        loss = sparse_categorical_crossentropy(y, F.linear(h, w4, b4), from_logits=True).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--only", choices=["mlp", "cnn"], default=None)
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads; give NumPy's BLAS the same: OPENBLAS_NUM_THREADS=N")
    args = parser.parse_args()

    torch = TorchWorker(args.threads)  # torch's cases, in a process without baeum
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.version}, {os.cpu_count()} cores")
    ratios = {}
    if args.only in (None, "mlp"):
        x = rng.random((100, 784), dtype=np.float32)
        y = rng.integers(0, 10, 100)
        t = interleaved({"baeum": baeum_mlp(x, y), "numpy by hand": numpy_mlp(x, y),
                         "torch": torch.case("mlp", x, y)}, args.steps * 5, args.repeats)
        ratios["mlp"] = report("(a) MLP 784-256-256-10, SGD", 100, t)["baeum"]
    if args.only in (None, "cnn"):
        x = rng.random((100, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, 100)
        t = interleaved({"baeum": baeum_cnn(x, y), "torch": torch.case("cnn", x, y)},
                        args.steps, args.repeats)
        ratios["cnn"] = report("(b) CNN, Adam", 100, t)["baeum"]
    print("\nratio baeum/torch: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items()))
    torch.close()


if __name__ == "__main__":
    main()
