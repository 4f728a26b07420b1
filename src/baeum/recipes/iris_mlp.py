"""iris-mlp: a 4-10-20-10-3 multilayer perceptron classifies Fisher's iris flowers.

Four measurements (cm) are standardized with the training set's mean and standard
deviation, then three ReLU layers of 10, 20 and 10 units and a softmax over the three
species. Adam (learning rate 3e-3), batches of 16, 60 epochs; 120 flowers train (the last 12 of
them validate, for the curves), 30 test (a stratified split, fixed seed).

What the course reports: >= 0.93 test accuracy (at most 2 of the 30 test flowers wrong).
What this recipe reached with the defaults (seed 0): 1.000 (30 of 30) in about 3 s of
CPU; seeds 1, 2, 4 (each its own split) give 0.967-1.0, seed 3's split 0.833.
"""

import numpy as np

from baeum import layers, optimizers
from baeum.datasets import iris
from baeum.models import Sequential
from baeum.recipes import figures
from baeum.recipes.run import Result

TARGET = 0.93


def build_model(lr):
    model = Sequential([
        layers.Input(shape=(4,)),
        layers.Dense(10, activation="relu"),
        layers.Dense(20, activation="relu"),
        layers.Dense(10, activation="relu"),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=optimizers.Adam(learning_rate=lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def load(settings):
    """Standardized features: (x_train, y_train), (x_test, y_test)."""
    (x_train, y_train), (x_test, y_test) = iris.load_data(seed=settings.seed)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return ((x_train - mean) / std, y_train), ((x_test - mean) / std, y_test)


def train(settings, run):
    (x_train, y_train), test_set = load(settings)
    epochs = 2 if settings.smoke else settings.pick("epochs", 60)
    batch_size = settings.pick("batch_size", 16)
    lr = settings.pick("lr", 3e-3)
    run.write_config(model="iris-mlp", epochs=epochs, batch_size=batch_size, lr=lr)
    model = build_model(lr)
    if settings.verbose:
        model.summary()
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
                        validation_split=0.1, verbose=settings.verbose)
    run.write_history(history.history)
    run.save_model(model)
    return evaluate(model, settings, run, test_set)


def evaluate(model, settings, run, test_set=None):
    x_test, y_test = test_set if test_set is not None else load(settings)[1]
    pred = model.predict(x_test, verbose=0).argmax(axis=1)
    accuracy = float(np.mean(pred == y_test))
    figures.confusion_matrix(y_test, pred, run.path("confusion_matrix.png"),
                             labels=list(iris.CLASS_NAMES),
                             title=f"iris-mlp: test accuracy {accuracy:.3f}")
    plot_misclassified(x_test, y_test, pred, run.path("misclassified.png"))
    if settings.verbose:
        for i in np.flatnonzero(pred != y_test):
            print(f"test flower {i}: a {iris.CLASS_NAMES[y_test[i]]} taken for a "
                  f"{iris.CLASS_NAMES[pred[i]]}")
    return Result("test accuracy", accuracy, TARGET)


def plot_misclassified(x, y_true, y_pred, path):
    """The test flowers on the two petal measurements (standardized), mistakes circled."""
    plt = figures._plt()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for c, (name, color) in enumerate(zip(iris.CLASS_NAMES, ("tab:blue", "tab:orange",
                                                             "tab:green"))):
        pick = y_true == c
        ax.scatter(x[pick, 2], x[pick, 3], c=color, label=f"{name} (true)", edgecolors="k")
    wrong = np.flatnonzero(y_true != y_pred)
    ax.scatter(x[wrong, 2], x[wrong, 3], s=260, facecolors="none", edgecolors="red",
               linewidths=2, label=f"misclassified ({len(wrong)})")
    for i in wrong:
        ax.annotate(f"pred {iris.CLASS_NAMES[y_pred[i]]}", (x[i, 2], x[i, 3]),
                    textcoords="offset points", xytext=(10, -12), fontsize=8, color="red")
    ax.set_xlabel("petal length (standardized)")
    ax.set_ylabel("petal width (standardized)")
    ax.set_title("iris-mlp: test flowers")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
