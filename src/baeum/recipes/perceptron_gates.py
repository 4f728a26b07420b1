"""perceptron-gates: one perceptron learns the AND and OR truth tables, and cannot learn XOR.

The perceptron (Rosenblatt, 1958) computes ``y = step(w1*x1 + w2*x2 + b)`` (``F.step``: 1 if
the sum is > 0, else 0). After each input it is nudged by the perceptron learning rule

    w += lr * (t - y) * x        b += lr * (t - y)

which changes nothing when the output y equals the target t. If a line
``w1*x1 + w2*x2 + b = 0`` separates the 1s from the 0s, the rule finds one in a finite
number of updates (the perceptron convergence theorem). AND and OR are linearly
separable; XOR is not: (0, 1) and (1, 0) must be on one side and (0, 0) and (1, 1) on
the other, which no straight line does, so at least one of the four rows stays wrong
in every epoch. A hidden layer fixes that (see the `xor-mlp` recipe).

What the course reports: AND and OR learned exactly, XOR not. What this recipe reached
with the defaults (lr 0.1, 20 epochs, seed 0): AND exact after 6 epochs, OR after 11;
XOR still gets 2 of 4 rows wrong after 20 epochs (seeds 0-9: AND and OR always exact
within 11 epochs, XOR always 2 or 3 rows wrong). Training takes milliseconds.

The perceptron is a few NumPy arrays, not a baeum model, so no model.baeum is written:
`baeum evaluate` retrains it (deterministic, instant) and reprints the tables.
"""

import numpy as np

import baeum
import baeum.functional as F
from baeum.datasets import synthetic
from baeum.recipes import decision_boundary
from baeum.recipes.run import Result

GATES = ("and", "or", "xor")
SEPARABLE = ("and", "or")


class Perceptron:
    """``y = step(x @ w + b)`` for x of shape (n, inputs); w (inputs,), b a scalar."""

    def __init__(self, n_inputs, rng):
        self.w = rng.uniform(-0.5, 0.5, n_inputs).astype(np.float32)
        self.b = np.float32(0.0)

    def weighted_sum(self, x):
        return baeum.tensor(x) @ baeum.tensor(self.w) + self.b

    def __call__(self, x):
        return F.step(self.weighted_sum(x)).numpy()

    def learn(self, x, t, lr):
        """One epoch of the perceptron rule, one row at a time; returns the rows it got wrong."""
        lr = np.float32(lr)
        wrong = 0
        for xi, ti in zip(x, t):
            yi = self(xi[None])[0]
            self.w += lr * (ti - yi) * xi
            self.b += lr * (ti - yi)
            wrong += int(yi != ti)
        return wrong


def fit_gates(settings):
    """Train one perceptron per gate; returns ({gate: Perceptron}, {gate: errors per epoch})."""
    epochs = 2 if settings.smoke else settings.pick("epochs", 20)
    lr = settings.pick("lr", 0.1)
    rng = baeum.random.get_generator()
    perceptrons, errors = {}, {}
    for gate in GATES:
        x, t = synthetic.logic_gates(gate)
        p = Perceptron(2, rng)
        # Record mistakes made on the whole table after each epoch (0 = learned exactly).
        errors[gate] = []
        for _ in range(epochs):
            p.learn(x, t, lr)
            errors[gate].append(int(np.sum(p(x) != t)))
        perceptrons[gate] = p
    return perceptrons, errors


def truth_table(gate, p):
    """The table the course draws: each input, its weighted terms, the sum, output, target."""
    x, t = synthetic.logic_gates(gate)
    y = p(x)
    lines = [
        f"{gate.upper()}: w1 = {p.w[0]:+.2f}, w2 = {p.w[1]:+.2f}, bias b = {p.b:+.2f}",
        "  x1  x2   w1*x1   w2*x2   sum (+b)  output  target",
    ]
    for (x1, x2), yi, ti in zip(x, y, t):
        w1x1, w2x2 = p.w[0] * x1 + 0.0, p.w[1] * x2 + 0.0  # + 0.0 prints -0.0 as +0.00
        total = w1x1 + w2x2 + p.b
        mark = "" if yi == ti else "   <- wrong"
        lines.append(f"  {x1:.0f}   {x2:.0f}   {w1x1:+.2f}   {w2x2:+.2f}"
                     f"    {total:+.2f}      {yi:.0f}       {ti:.0f}{mark}")
    return "\n".join(lines)


def train(settings, run):
    run.write_config(model="one perceptron per gate, step activation, perceptron rule",
                     epochs=2 if settings.smoke else settings.pick("epochs", 20),
                     lr=settings.pick("lr", 0.1))
    perceptrons, errors = fit_gates(settings)
    run.write_history({f"{g.upper()} rows wrong": errors[g] for g in GATES})
    return report(perceptrons, errors, settings, run)


def evaluate(model, settings, run):
    # No model file: the perceptrons are retrained (same seed, same result) and reported.
    baeum.random.seed(settings.seed)
    perceptrons, errors = fit_gates(settings)
    return report(perceptrons, errors, settings, run)


def report(perceptrons, errors, settings, run):
    learned = {}
    for gate, p in perceptrons.items():
        x, t = synthetic.logic_gates(gate)
        learned[gate] = bool(np.all(p(x) == t))
        if settings.verbose:
            print(truth_table(gate, p), "\n")
    epochs = len(errors["xor"])
    xor_wrong = errors["xor"][-1]
    why = (f"XOR: after {epochs} epochs the perceptron still gets {xor_wrong} of 4 rows wrong. "
           "XOR is not linearly separable: no line w1*x1 + w2*x2 + b = 0 puts (0,1) and (1,0) "
           "on one side and (0,0) and (1,1) on the other, so no weights make all 4 right.")
    if settings.verbose:
        for gate in SEPARABLE:
            first = next((i + 1 for i, e in enumerate(errors[gate]) if e == 0), None)
            state = f"learned exactly after {first} epoch(s)" if learned[gate] else "NOT learned"
            print(f"{gate.upper()}: {state}")
        print(why if not learned["xor"] else "XOR: learned?! (this should be impossible)")

    decision_boundary.plot(
        [(f"{g.upper()}: {'learned' if learned[g] else 'not learned'} "
          f"({errors[g][-1]} of 4 wrong)",
          perceptrons[g], *synthetic.logic_gates(g)) for g in GATES],
        run.path("decision_boundary.png"),
        suptitle="one perceptron: a straight line per gate",
    )
    score = sum(learned[g] for g in SEPARABLE) / len(SEPARABLE)
    return Result("separable gates learned exactly (AND, OR)", score, 1.0,
                  extra={"learned": learned, "xor_rows_wrong": xor_wrong, "xor": why})
