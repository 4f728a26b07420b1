"""What the MNIST recipes share: loading and scaling the data, and the test-set report.

The split follows the course (TensorFlow's tutorials): the first 55,000 training images
train, the last 5,000 validate (the curves), and the 10,000 test images give the headline.
"""

from pathlib import Path

import numpy as np

from baeum.datasets import mnist
from baeum.recipes import figures
from baeum.recipes.run import Result

N_TRAIN = 55_000
SMOKE_TRAIN, SMOKE_VAL, SMOKE_TEST = 300, 100, 100  # --smoke: 3 steps of 100, for tests


def load(settings, flat=False, n_train=N_TRAIN):
    """-> (x_train, y_train), (x_val, y_val), (x_test, y_test); pixels float32 in [0, 1].

    x is (N, 784) when `flat`, else (N, 28, 28, 1) (channels-last images).
    """
    path = None if settings.data_dir is None else Path(settings.data_dir) / "mnist"
    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data(path=path)
    except FileNotFoundError as e:
        raise FileNotFoundError(
            f"{e}\nFor `baeum train`: put the four files in DATA_DIR/mnist/ and pass "
            "--data-dir DATA_DIR (or set BAEUM_DATA=DATA_DIR)."
        ) from None
    shape = (-1, 784) if flat else (-1, 28, 28, 1)
    scale = np.float32(1 / 255)

    def prepare(x, y):
        return x.reshape(shape).astype(np.float32) * scale, y.astype(np.int64)

    if settings.smoke:
        return (prepare(x_train[:SMOKE_TRAIN], y_train[:SMOKE_TRAIN]),
                prepare(x_train[-SMOKE_VAL:], y_train[-SMOKE_VAL:]),
                prepare(x_test[:SMOKE_TEST], y_test[:SMOKE_TEST]))
    return (prepare(x_train[:n_train], y_train[:n_train]),
            prepare(x_train[n_train:], y_train[n_train:]),
            prepare(x_test, y_test))


def fit_and_report(model, data, settings, run, target, batch_size, epochs):
    """What every MNIST classifier recipe does after building its model: fit with the
    validation split, write history and model to the run folder, report the test set."""
    train_set, val_set, test_set = data
    if settings.verbose:
        model.summary()
    history = model.fit(*train_set, batch_size=batch_size, epochs=epochs,
                        validation_data=val_set, verbose=settings.verbose)
    run.write_history(history.history)
    run.save_model(model)
    return report_test_set(model, *test_set, run, target)


def report_test_set(model, x_test, y_test, run, target):
    """Test accuracy, confusion matrix and misclassified digits -> Result."""
    pred = model.predict(x_test, batch_size=500, verbose=0).argmax(axis=1)
    accuracy = float(np.mean(pred == y_test))
    figures.confusion_matrix(y_test, pred, run.path("confusion_matrix.png"),
                             title=f"{run.recipe}: test accuracy {accuracy:.4f}")
    figures.misclassified(x_test.reshape(-1, 28, 28), y_test, pred, run.path("misclassified.png"),
                          limit=10 if run.settings.smoke else 30)  # a 30-image grid takes ~1 s
    return Result("test accuracy", accuracy, target)
