"""MNIST with a CNN: two conv + max-pool blocks, a dense layer, and (optionally) dropout.

    BAEUM_DATA=/path/to/datasets python examples/mnist_cnn.py            # no dropout
    BAEUM_DATA=/path/to/datasets python examples/mnist_cnn.py --dropout

Adam from 1e-3, batch 100, 10 epochs; 10-45 minutes on 2 CPU cores. Set EPOCHS = 1 for
a first look. (With figures and a run folder: `baeum train mnist-cnn` / `mnist-cnn-dropout`.)
"""

import sys

from baeum import layers, optimizers, random
from baeum.datasets import mnist
from baeum.models import Sequential

EPOCHS = 10
DROPOUT = "--dropout" in sys.argv

random.seed(0)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train[..., None].astype("float32") / 255   # (60000, 28, 28, 1): channels last
x_test = x_test[..., None].astype("float32") / 255


def dropout(rate):
    return [layers.Dropout(rate)] if DROPOUT else []


model = Sequential([
    layers.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, 3, padding="same", activation="relu"),   # (28, 28, 32)
    layers.MaxPooling2D(2),                                     # (14, 14, 32)
    *dropout(0.25),
    layers.Conv2D(64, 3, padding="same", activation="relu"),   # (14, 14, 64)
    layers.MaxPooling2D(2),                                     # (7, 7, 64)
    *dropout(0.25),
    layers.Flatten(),                                           # (3136,)
    layers.Dense(256, activation="relu"),
    *dropout(0.5),
    layers.Dense(10, activation="softmax"),
])
# Without dropout the network soon fits the training set and a constant learning rate keeps
# it jumping around (test accuracy swings by tenths of a point between epochs): let the
# learning rate shrink by 0.7 after each epoch (550 steps) so the last epochs settle.
learning_rate = 1e-3 if DROPOUT else optimizers.schedules.ExponentialDecay(
    1e-3, decay_steps=550, decay_rate=0.7, staircase=True)
model.compile(optimizer=optimizers.Adam(learning_rate=learning_rate),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(x_train[:55000], y_train[:55000], batch_size=100, epochs=EPOCHS,
          validation_data=(x_train[55000:], y_train[55000:]))

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
