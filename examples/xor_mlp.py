"""XOR with Keras-style layers: a 2-8-1 network, Sequential + compile + fit.

    python examples/xor_mlp.py

(The same with tensors and a hand-written loop: xor_lowlevel.py. With figures and a run
folder: `baeum train xor-mlp`.)
"""

from baeum import layers, optimizers, random
from baeum.datasets import synthetic
from baeum.models import Sequential

random.seed(0)
x, y = synthetic.logic_gates("xor")               # x (4, 2), y (4,)

model = Sequential([
    layers.Input(shape=(2,)),
    layers.Dense(8, activation="tanh"),           # try 2 units, or "sigmoid"
    layers.Dense(1, activation="sigmoid"),        # p(output = 1)
])
model.compile(optimizer=optimizers.Adam(learning_rate=0.05),
              loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, batch_size=4, epochs=100, verbose=0)
print(f"final loss {history.history['loss'][-1]:.4f}")

p = model.predict(x, verbose=0)[:, 0]
print("\n  x1  x2 | p(1)   output  target")
for (x1, x2), pi, ti in zip(x, p, y):
    print(f"  {x1:.0f}   {x2:.0f}  | {pi:.3f}    {int(pi > 0.5)}       {ti:.0f}")
print(f"accuracy: {((p > 0.5) == (y > 0.5)).mean():.0%}")
