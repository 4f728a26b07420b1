"""Predict a data centre's PUE from 19 sensor readings with a deep network, and compare it
with linear regression (least squares in NumPy).

    python examples/pue_regression.py

(With the predicted-vs-true figure and a run folder: `baeum train pue-regression`.)
"""

import numpy as np

from baeum import layers, optimizers, random
from baeum.data import train_test_split
from baeum.datasets import synthetic
from baeum.models import Sequential

random.seed(0)
x, pue = synthetic.datacenter_pue(n_samples=5000, seed=0)      # (5000, 19), (5000,)
x_train, x_test, y_train, y_test = train_test_split(x, pue[:, None], test_size=0.2, seed=0)

# Standardize inputs and target with the training set's statistics.
x_mean, x_std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_test = (x_train - x_mean) / x_std, (x_test - x_mean) / x_std
y_mean, y_std = y_train.mean(), y_train.std()

model = Sequential([layers.Input(shape=(19,))])
for _ in range(4):
    model.add(layers.Dense(50, activation="relu"))
model.add(layers.Dense(1))                        # linear output: a regression
model.compile(optimizer=optimizers.Adam(learning_rate=1e-3), loss="mse")
model.fit(x_train, (y_train - y_mean) / y_std, batch_size=32, epochs=60,
          validation_split=0.1, verbose=2)
dnn = model.predict(x_test, verbose=0) * y_std + y_mean


def mape(y_true, y_pred):
    return 100 * np.mean(np.abs((y_pred - y_true) / y_true))


# Linear regression: least squares on [x, 1].
ones = np.ones((len(x_train), 1), np.float32)
coef, *_ = np.linalg.lstsq(np.hstack([x_train, ones]), y_train, rcond=None)
linear = np.hstack([x_test, np.ones((len(x_test), 1), np.float32)]) @ coef

print(f"test MAPE: DNN {mape(y_test, dnn):.3f} %, linear regression {mape(y_test, linear):.3f} %")
