"""XOR with baeum's low-level API: tensors, ops, backward() and a hand-written SGD loop.

    python examples/xor_lowlevel.py

A 2-8-1 network with tanh hidden units and a sigmoid output learns the XOR truth
table, which no single perceptron can (it is not linearly separable).
"""

import numpy as np

import baeum
import baeum.functional as F
from baeum.losses import binary_crossentropy

baeum.random.seed(0)
x = baeum.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
y = baeum.tensor([[0], [1], [1], [0]], dtype="float32")

w1 = baeum.randn(2, 8, requires_grad=True)
b1 = baeum.zeros(8, requires_grad=True)
w2 = baeum.randn(8, 1, requires_grad=True)
b2 = baeum.zeros(1, requires_grad=True)
params = [w1, b1, w2, b2]

for step in range(2001):
    h = F.tanh(x @ w1 + b1)                               # (4, 8) hidden layer
    logits = h @ w2 + b2                                  # (4, 1)
    loss = binary_crossentropy(y, logits, from_logits=True).mean()
    for p in params:
        p.grad = None
    loss.backward()                                       # fills p.grad for every parameter
    with baeum.no_grad():
        for p in params:
            p.data -= 0.5 * p.grad.data                   # gradient descent step
    if step % 500 == 0:
        print(f"step {step:4d}  loss {loss.item():.4f}")

with baeum.no_grad():
    prob = F.sigmoid(F.tanh(x @ w1 + b1) @ w2 + b2).numpy()[:, 0]
print("\n x1 x2 | target  p(1)  output")
for (x1, x2), t, p in zip(x.numpy(), y.numpy()[:, 0], prob):
    print(f"  {x1:.0f}  {x2:.0f} |   {t:.0f}    {p:.3f}    {int(p > 0.5)}")
accuracy = np.mean((prob > 0.5) == (y.numpy()[:, 0] > 0.5))
print(f"accuracy: {accuracy:.0%}")
