"""sine-rnn: an LSTM forecasts the next value of a noisy sine wave from the last 20.

series[t] = sin(2 pi t / 50) + 0.1 * noise; windows of 20 past values -> the next one.
The first 80% of the series trains, the last 20% validates (in time order, so the
validation part is the future). LSTM(32) -> Dense(1), MSE, Adam 1e-2 with cosine decay
over 20 epochs.

The yardstick is the last-value baseline (tomorrow = today): it pays the noise twice
(2 * 0.1^2) plus the sine's own change over one step, about 0.03 in all, while a good
forecaster averages the noise out and pays only the next value's noise (~0.1^2).
Headline: validation MSE divided by the baseline's, expected <= 0.5.
"""

import numpy as np

from baeum import layers, optimizers
from baeum.datasets import synthetic
from baeum.models import Sequential
from baeum.recipes import figures
from baeum.recipes.run import Result

TARGET = 0.5
WINDOW, PERIOD, NOISE = 20, 50.0, 0.1


def load(settings):
    """((x_train, y_train), (x_val, y_val), t_val): x (N, 20, 1), y (N, 1), t the time of y."""
    n_steps = 300 if settings.smoke else 2000
    series = synthetic.noisy_sine(n_steps, noise=NOISE, seed=settings.seed, period=PERIOD)
    x, y = synthetic.make_windows(series, WINDOW)
    split = int(0.8 * len(x))
    t_val = np.arange(split, len(x)) + WINDOW  # y[i] is series[i + WINDOW]
    return (x[:split], y[:split]), (x[split:], y[split:]), t_val


def build_model(lr, decay_steps):
    # The rate decays to 0 along a cosine, so the last epochs settle instead of
    # jittering around the minimum (the validation MSE is then stable epoch to epoch).
    schedule = optimizers.schedules.CosineDecay(lr, decay_steps)
    model = Sequential([
        layers.Input(shape=(WINDOW, 1)),
        layers.LSTM(32),
        layers.Dense(1),
    ])
    model.compile(optimizer=optimizers.Adam(learning_rate=schedule), loss="mse")
    return model


def train(settings, run):
    train_data, val_data, _ = load(settings)
    epochs = 1 if settings.smoke else settings.pick("epochs", 20)
    batch_size = settings.pick("batch_size", 32)
    steps = epochs * -(-len(train_data[0]) // batch_size)
    model = build_model(settings.pick("lr", 1e-2), decay_steps=steps)
    run.write_config(epochs=epochs, window=WINDOW, period=PERIOD, noise=NOISE,
                     model="LSTM(32) + Dense(1)")
    history = model.fit(*train_data, batch_size=batch_size, epochs=epochs,
                        validation_data=val_data, verbose=settings.verbose)
    run.write_history(history.history)
    run.save_model(model)
    return evaluate(model, settings, run)


def evaluate(model, settings, run):
    _, (x_val, y_val), t_val = load(settings)
    predicted = model.predict(x_val, batch_size=256)
    mse = float(np.mean((predicted - y_val) ** 2))
    baseline = float(np.mean((x_val[:, -1] - y_val) ** 2))  # predict the last value seen
    if settings.verbose:
        print(f"validation MSE: LSTM {mse:.5f}, last-value baseline {baseline:.5f}")
    clean = np.sin(2 * np.pi * t_val / PERIOD)
    figures.lines({"true series (noisy)": (t_val, y_val[:, 0]),
                   "LSTM forecast": (t_val, predicted[:, 0]),
                   "noise-free sine": (t_val, clean)},
                  run.path("forecast.png"), xlabel="time step", ylabel="value",
                  title=f"sine-rnn on the validation part: MSE {mse:.4f} "
                        f"(last-value baseline {baseline:.4f})")
    return Result("validation MSE / last-value baseline MSE", mse / baseline, TARGET,
                  higher_is_better=False, extra={"val_mse": mse, "baseline_mse": baseline})
