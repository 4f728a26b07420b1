"""Known results from the textbook: perceptron truth tables, XOR with a hand-written MLP,
and a training loop whose memory stays flat (the graph is freed every step)."""

import gc

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum import losses

INPUTS = baeum.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


def perceptron(x, w, b):
    """y = step(x . w + b): 1 if the weighted sum is positive, else 0."""
    return F.step(x @ baeum.tensor(w) + b)


@pytest.mark.parametrize(
    "w, b, expected",
    [
        ((0.5, 0.5), -0.7, [0, 0, 0, 1]),  # AND
        ((0.5, 0.5), -0.2, [0, 1, 1, 1]),  # OR
        ((-0.5, -0.5), 0.7, [1, 1, 1, 0]),  # NAND
    ],
    ids=["AND", "OR", "NAND"],
)
def test_perceptron_truth_tables(w, b, expected):
    y = perceptron(INPUTS, w, b)
    assert y.dtype == np.float32
    assert y.tolist() == expected


def test_xor_from_two_layers_of_perceptrons():
    # XOR = AND(NAND(x), OR(x)): what a single perceptron cannot do, two layers can.
    s = baeum.stack([perceptron(INPUTS, (-0.5, -0.5), 0.7), perceptron(INPUTS, (0.5, 0.5), -0.2)],
                    axis=1)
    assert perceptron(s, (0.5, 0.5), -0.7).tolist() == [0, 1, 1, 0]


def test_step_passes_no_gradient():
    x = baeum.tensor([-1.0, 0.5], requires_grad=True)
    F.step(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("hidden_activation", [F.sigmoid, F.tanh])
def test_xor_mlp_trained_by_hand(hidden_activation):
    """A 2-4-1 MLP, no layers and no optimizer: forward, loss, backward, w -= lr * grad."""
    baeum.random.seed(1)  # (seed 0 puts the tanh net in a local minimum; that happens)
    x = INPUTS
    y = baeum.tensor([[0.0], [1.0], [1.0], [0.0]])
    w1 = baeum.randn(2, 4, requires_grad=True)
    b1 = baeum.zeros(4, requires_grad=True)
    w2 = baeum.randn(4, 1, requires_grad=True)
    b2 = baeum.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    lr = 2.0
    for _ in range(1000):
        h = hidden_activation(x @ w1 + b1)
        p = F.sigmoid(h @ w2 + b2)
        loss = ((p - y) ** 2).mean()
        loss.backward()
        with baeum.no_grad():
            for w in params:
                w.data = w.data - lr * w.grad.data
                w.grad = None
    assert loss.dtype == np.float32 and loss.item() < 0.01
    predictions = (p.data > 0.5).astype(np.float32)
    np.testing.assert_array_equal(predictions, y.data)  # 100% accuracy


def _rss_mb():
    psutil = pytest.importorskip("psutil")
    return psutil.Process().memory_info().rss / 2**20


def test_training_loop_memory_stays_flat():
    baeum.random.seed(1)
    x = baeum.randn(64, 32)
    labels = np.random.default_rng(0).integers(0, 10, 64)
    w1 = baeum.tensor(baeum.randn(32, 64).data * 0.1, requires_grad=True)
    b1 = baeum.zeros(64, requires_grad=True)
    w2 = baeum.tensor(baeum.randn(64, 10).data * 0.1, requires_grad=True)
    b2 = baeum.zeros(10, requires_grad=True)
    params = [w1, b1, w2, b2]
    history = []

    def step():
        h = F.dropout(F.relu(F.linear(x, w1, b1)), 0.2)
        logits = F.linear(h, w2, b2)
        loss = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True).mean()
        loss.backward()
        with baeum.no_grad():
            for w in params:
                w.data -= 0.05 * w.grad.data
                w.grad = None
        history.append(loss)  # the loss tensor is kept, but its freed graph holds no arrays

    for _ in range(100):  # warm-up: allocator pools, lazy imports
        step()
    gc.collect()
    before = _rss_mb()
    for _ in range(1000):
        step()
    gc.collect()
    grown = _rss_mb() - before
    assert grown < 5, f"RSS grew by {grown:.1f} MB over 1,000 steps"
    assert history[-1].item() < history[0].item()  # and it did learn


def test_keeping_losses_does_not_keep_their_graphs():
    # A freed graph holds no arrays: only the small Function shells stay reachable.
    w = baeum.randn(200, 200, requires_grad=True)
    kept = []
    for _ in range(20):
        loss = (w * 2.0).sum()
        loss.backward()
        kept.append(loss)
    for t in kept:
        assert t._ctx.parents is None
        assert not any(isinstance(v, np.ndarray) for v in vars(t._ctx).values())
