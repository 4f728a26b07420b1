"""Classify iris flowers with a 4-10-20-10-3 MLP.

    python examples/iris_mlp.py        (needs scikit-learn, which ships the data)

(With figures and a run folder: `baeum train iris-mlp`.)
"""

import numpy as np

from baeum import layers, optimizers, random
from baeum.datasets import iris
from baeum.models import Sequential

random.seed(0)
(x_train, y_train), (x_test, y_test) = iris.load_data(seed=0)   # 120 / 30 flowers
mean, std = x_train.mean(axis=0), x_train.std(axis=0)           # standardize with train stats
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

model = Sequential([
    layers.Input(shape=(4,)),
    layers.Dense(10, activation="relu"),
    layers.Dense(20, activation="relu"),
    layers.Dense(10, activation="relu"),
    layers.Dense(3, activation="softmax"),        # one probability per species
])
model.compile(optimizer=optimizers.Adam(learning_rate=3e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(x_train, y_train, batch_size=16, epochs=60, validation_split=0.1, verbose=2)

pred = model.predict(x_test, verbose=0).argmax(axis=1)
print(f"\ntest accuracy: {np.mean(pred == y_test):.3f}")
for i in np.flatnonzero(pred != y_test):
    print(f"  a {iris.CLASS_NAMES[y_test[i]]} taken for a {iris.CLASS_NAMES[pred[i]]}")
