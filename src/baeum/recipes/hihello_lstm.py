"""hihello-lstm: an LSTM learns to say "hello" one character ahead (the classic RNN lab).

Input "hihell", target "ihello": at each position the model predicts the next
character. The vocabulary is h, i, e, l, o; inputs are one-hot (1, 6, 5).
LSTM(5, return_sequences=True) -> Dense(5) logits per timestep, Adam 0.1, one step
per update on the single sequence. Each step prints the loss and the predicted
string; the headline is the first step whose prediction is "ihello".
"""

import math

import numpy as np

from baeum import layers, losses, optimizers
from baeum.data import to_categorical
from baeum.models import Sequential
from baeum.recipes.run import Result

CHARS = ["h", "i", "e", "l", "o"]
SOURCE, TARGET_TEXT = "hihell", "ihello"
TARGET_STEP = 50


def encode(string):
    return np.array([[CHARS.index(c) for c in string]])  # (1, 6) ids


def decode(ids):
    return "".join(CHARS[i] for i in ids)


def data():
    x = to_categorical(encode(SOURCE), num_classes=len(CHARS))  # (1, 6, 5) one-hot
    return x, encode(TARGET_TEXT)                                # (1, 6) next-character ids


def build_model(lr):
    model = Sequential([
        layers.Input(shape=(len(SOURCE), len(CHARS))),
        layers.LSTM(5, return_sequences=True),  # (1, 6, 5): one output per character
        layers.Dense(len(CHARS)),               # logits over h, i, e, l, o at each step
    ])
    model.compile(optimizer=optimizers.Adam(learning_rate=lr),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def predict_string(model, x):
    return decode(model.predict_on_batch(x)[0].argmax(axis=-1))


def train(settings, run):
    steps = 5 if settings.smoke else settings.pick("epochs", TARGET_STEP)
    lr = settings.pick("lr", 0.1)
    run.write_config(steps=steps, model="LSTM(5) + Dense(5)")
    x, y = data()
    model = build_model(lr)
    history = {"loss": [], "accuracy": []}  # one row per step; accuracy = correct characters
    for step in range(1, steps + 1):
        loss = model.train_on_batch(x, y)
        predicted = predict_string(model, x)
        history["loss"].append(float(loss))
        history["accuracy"].append(np.mean([p == t for p, t in zip(predicted, TARGET_TEXT)]))
        if settings.verbose:
            print(f"step {step:3d}  loss: {float(loss):.4f}  prediction: {predicted}  "
                  f"true: {TARGET_TEXT}")
    run.write_history(history)
    run.save_model(model)
    return _result(history["accuracy"], predict_string(model, x))


def evaluate(model, settings, run):
    """The headline comes from the run's history; the reloaded model must still say it."""
    import csv

    with open(run.path("history.csv")) as f:
        accuracy = [float(row["accuracy"]) for row in csv.DictReader(f)]
    predicted = predict_string(model, data()[0])
    if settings.verbose:
        print(f"reloaded model: {SOURCE} -> {predicted}")
    return _result(accuracy, predicted)


def _result(accuracy, final_prediction):
    # Every character right <=> the prediction is "ihello"; never -> inf (not reached).
    first = next((i + 1 for i, a in enumerate(accuracy) if a == 1.0), math.inf)
    return Result(f"first step predicting {TARGET_TEXT!r}", float(first), TARGET_STEP,
                  higher_is_better=False, extra={"final_prediction": final_prediction})
