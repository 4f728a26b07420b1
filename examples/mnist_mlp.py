"""MNIST with a 784-256-256-10 ReLU network, Adam, batch 100, 10 epochs.

    BAEUM_DATA=/path/to/datasets python examples/mnist_mlp.py

(With figures and a run folder: `baeum train mnist-mlp`.)
"""

from baeum import layers, optimizers, random
from baeum.datasets import mnist
from baeum.models import Sequential

random.seed(0)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255

model = Sequential([
    layers.Input(shape=(784,)),
    layers.Dense(256, activation="relu"),
    layers.Dense(256, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer=optimizers.Adam(learning_rate=1e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(x_train[:55000], y_train[:55000], batch_size=100, epochs=10,
          validation_data=(x_train[55000:], y_train[55000:]))

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
model.save("mnist_mlp.baeum")                     # reload with baeum.models.load_model
