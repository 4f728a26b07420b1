"""Forecast a noisy sine wave with an LSTM: the last 20 values -> the next one.

    python examples/sine_rnn.py

Compares the LSTM with the last-value baseline (predict that nothing changes).
Same as `baeum train sine-rnn`.
"""

import numpy as np

import baeum
from baeum import layers, optimizers
from baeum.datasets import synthetic
from baeum.models import Sequential

baeum.random.seed(0)
series = synthetic.noisy_sine(2000, noise=0.1, period=50.0)
x, y = synthetic.make_windows(series, 20)          # x (1980, 20, 1), y (1980, 1)
split = int(0.8 * len(x))                          # the future validates: no shuffling
x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]

epochs, batch_size = 20, 32
schedule = optimizers.schedules.CosineDecay(1e-2, decay_steps=epochs * -(-split // batch_size))
model = Sequential([layers.Input(shape=(20, 1)), layers.LSTM(32), layers.Dense(1)])
model.compile(optimizer=optimizers.Adam(learning_rate=schedule), loss="mse")
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
          validation_data=(x_val, y_val), verbose=2)

mse = float(np.mean((model.predict(x_val) - y_val) ** 2))
baseline = float(np.mean((x_val[:, -1] - y_val) ** 2))
print(f"validation MSE: LSTM {mse:.4f}, last-value baseline {baseline:.4f} "
      f"(ratio {mse / baseline:.2f})")
