"""The classic RNN lab: an LSTM learns to turn "hihell" into "ihello" (next character).

    python examples/hihello_lstm.py

Vocabulary h, i, e, l, o; the input is one-hot, the model predicts the next character at
every position. Same as `baeum train hihello-lstm`.
"""

import numpy as np

import baeum
from baeum import layers, losses, optimizers
from baeum.data import to_categorical
from baeum.models import Sequential

baeum.random.seed(0)
chars = ["h", "i", "e", "l", "o"]
x = to_categorical([[chars.index(c) for c in "hihell"]], num_classes=5)  # (1, 6, 5)
y = np.array([[chars.index(c) for c in "ihello"]])                      # (1, 6)

model = Sequential([
    layers.Input(shape=(6, 5)),
    layers.LSTM(5, return_sequences=True),  # one output per input character
    layers.Dense(5),                        # logits over the 5 characters
])
model.compile(optimizer=optimizers.Adam(learning_rate=0.1),
              loss=losses.SparseCategoricalCrossentropy(from_logits=True))

for step in range(1, 51):
    loss = model.train_on_batch(x, y)
    predicted = "".join(chars[i] for i in model.predict_on_batch(x)[0].argmax(axis=-1))
    print(f"step {step:2d}  loss: {float(loss):.4f}  prediction: {predicted}")
