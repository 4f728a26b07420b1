"""MNIST with softmax regression (784 -> 10): SGD, learning rate 0.5, batch 100, 1,000 steps.

    BAEUM_DATA=/path/to/datasets python examples/mnist_softmax.py

(With figures and a run folder: `baeum train mnist-softmax`.)
"""

from baeum import layers, optimizers, random
from baeum.datasets import mnist
from baeum.models import Sequential

random.seed(0)
(x_train, y_train), (x_test, y_test) = mnist.load_data()        # uint8 (N, 28, 28)
x_train = x_train.reshape(-1, 784).astype("float32") / 255      # (60000, 784) in [0, 1]
x_test = x_test.reshape(-1, 784).astype("float32") / 255

model = Sequential([
    layers.Input(shape=(784,)),
    layers.Dense(10, activation="softmax"),       # y = softmax(x @ W + b)
])
model.compile(optimizer=optimizers.SGD(learning_rate=0.5),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
# 50,000 images / batches of 100 = 500 steps per epoch; 2 epochs = 1,000 steps.
model.fit(x_train[:50000], y_train[:50000], batch_size=100, epochs=2,
          validation_data=(x_train[50000:], y_train[50000:]))

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
