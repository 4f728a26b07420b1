"""One perceptron learns AND and OR with the perceptron rule, and cannot learn XOR.

    python examples/perceptron_gates.py

y = step(w1*x1 + w2*x2 + b); after each input: w += lr * (t - y) * x, b += lr * (t - y).
Try other gates ("nand", "nor", "xnor") or another learning rate.
(The same, with figures and a run folder: `baeum train perceptron-gates`.)
"""

import numpy as np

import baeum
import baeum.functional as F
from baeum.datasets import synthetic

LR, EPOCHS = 0.1, 20
baeum.random.seed(0)
rng = baeum.random.get_generator()

for gate in ("and", "or", "xor"):
    x, t = synthetic.logic_gates(gate)            # x (4, 2) inputs, t (4,) targets
    w = rng.uniform(-0.5, 0.5, 2).astype(np.float32)
    b = np.float32(0.0)
    for _ in range(EPOCHS):
        for xi, ti in zip(x, t):
            yi = F.step(baeum.tensor(xi) @ baeum.tensor(w) + b).item()
            w += np.float32(LR * (ti - yi)) * xi   # the perceptron rule: no change if right
            b += np.float32(LR * (ti - yi))

    y = F.step(baeum.tensor(x) @ baeum.tensor(w) + b).numpy()
    print(f"{gate.upper()}: w1 = {w[0]:+.2f}, w2 = {w[1]:+.2f}, b = {b:+.2f}")
    print("  x1  x2   w1*x1   w2*x2   sum (+b)  output  target")
    for (x1, x2), yi, ti in zip(x, y, t):
        w1x1, w2x2 = w[0] * x1 + 0.0, w[1] * x2 + 0.0
        print(f"  {x1:.0f}   {x2:.0f}   {w1x1:+.2f}   {w2x2:+.2f}    {w1x1 + w2x2 + b:+.2f}"
              f"      {yi:.0f}       {ti:.0f}")
    wrong = int(np.sum(y != t))
    print(f"  -> {'learned exactly' if wrong == 0 else f'{wrong} of 4 rows wrong'}\n")

print("XOR is not linearly separable: no line w1*x1 + w2*x2 + b = 0 puts (0,1) and (1,0)\n"
      "on one side and (0,0) and (1,1) on the other. A hidden layer fixes it: see xor_mlp.py.")
