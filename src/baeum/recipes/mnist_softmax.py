"""mnist-softmax: softmax regression on MNIST, ``y = softmax(x @ W + b)``, 784 -> 10.

The course's first MNIST model (TensorFlow's "MNIST for ML beginners"): one Dense layer
with a softmax, cross-entropy loss, plain SGD with learning rate 0.5, batches of 100,
1,000 steps. Here the 1,000 steps are 2 epochs over the first 50,000 training images
(500 batches each); the last 10,000 training images are the validation set.

What the course reports: about 92 % test accuracy (>= 0.91 expected). What this recipe
reached with the defaults (seed 0): 0.9183 (validation 0.9208), in about 8 s of training.
"""

import numpy as np

from baeum import layers, optimizers
from baeum.models import Sequential
from baeum.recipes import mnist_common

TARGET = 0.91
N_TRAIN = 50_000  # 500 batches of 100 per epoch, so 2 epochs = the course's 1,000 steps


def build_model(lr):
    model = Sequential([
        layers.Input(shape=(784,)),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=optimizers.SGD(learning_rate=lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train(settings, run):
    train_set, val_set, test_set = mnist_common.load(settings, flat=True, n_train=N_TRAIN)
    epochs, batch_size, lr = settings.budget(epochs=2, batch_size=100, lr=0.5)
    run.write_config(model="mnist-softmax", epochs=epochs, batch_size=batch_size, lr=lr,
                     steps=epochs * int(np.ceil(len(train_set[0]) / batch_size)))
    model = build_model(lr)
    return mnist_common.fit_and_report(model, (train_set, val_set, test_set), settings, run,
                                       TARGET, batch_size, epochs)


def evaluate(model, settings, run):
    _, _, test_set = mnist_common.load(settings, flat=True, n_train=N_TRAIN)
    return mnist_common.report_test_set(model, *test_set, run, TARGET)
