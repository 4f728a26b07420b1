"""Keras 3's guide "Customizing what happens in fit() with PyTorch", on baeum.

A Model subclass overrides train_step (zero_grad, forward, compute_loss, backward,
optimizer.apply, metrics) and is built functionally, `CustomModel(inputs, outputs)`;
fit, evaluate, saving and sample weights then work as the guide shows."""

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.models import load_model


@baeum.saving.register_serializable(package="Guide")
class CustomModel(baeum.Model):
    def train_step(self, data):
        x, y = data                                      # no sample weights: (x, y)
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with baeum.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:                      # the loss tracker first
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 32)).astype(np.float32)
    y = x @ rng.standard_normal((32, 1)).astype(np.float32) * 0.1
    return x, y


def _model(cls=CustomModel):
    inputs = baeum.Input(shape=(32,))
    return cls(inputs, layers.Dense(1)(inputs))


def test_a_subclass_built_functionally_keeps_its_train_step():
    model = _model()
    assert isinstance(model, CustomModel) and isinstance(model, baeum.models.Functional)
    assert type(model).__name__ == "CustomModel"
    model.compile(optimizer=baeum.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    x, y = _data()
    history = model.fit(x, y, epochs=5, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_the_lower_level_version_with_metrics_of_its_own():
    class LowLevel(baeum.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = baeum.metrics.Mean(name="loss")
            self.mae_metric = baeum.metrics.MeanAbsoluteError(name="mae")
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = baeum.losses.mean_squared_error(y, y_pred).mean()
            loss.backward()
            weights = self.trainable_weights
            with baeum.no_grad():
                self.optimizer.apply([w.grad for w in weights], weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]   # reset by fit at each epoch

    model = LowLevel()
    model.compile(optimizer=baeum.optimizers.Adam(0.01))   # no loss: the step has its own
    x, y = _data()
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.3 * losses[0]
    # fit resets the step's own metrics at each epoch: the last value is the last epoch's
    # mean, which evaluating the same batches' losses again would give
    assert losses[-1] == pytest.approx(model.loss_tracker.result())


def test_sample_weights_reach_the_step_as_a_third_element():
    seen = []

    class Weighted(CustomModel):
        def train_step(self, data):
            x, y, sample_weight = data
            seen.append(None if sample_weight is None else np.asarray(sample_weight).copy())
            return super().train_step((x, y))

    model = _model(Weighted)
    model.compile("sgd", "mse")
    x, y = _data(64)
    model.fit(x, y, sample_weight=np.arange(64.0), batch_size=64, epochs=1, shuffle=False,
              verbose=0)
    np.testing.assert_array_equal(seen[0], np.arange(64.0))


def test_a_custom_test_step_serves_evaluate():
    class Evaluated(CustomModel):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            self.compute_loss(y=y, y_pred=y_pred)
            return {"double_mae": 2 * float(np.abs(y_pred.data - y).mean())}

    model = _model(Evaluated)
    model.compile("adam", "mse")
    x, y = _data(32)
    result = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    expected = 2 * np.abs(model.predict(x, verbose=0) - y).mean()
    assert result["double_mae"] == pytest.approx(expected, rel=1e-5)


def test_the_subclass_saves_and_loads_as_itself(tmp_path):
    model = _model()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "custom.baeum")
    again = load_model(tmp_path / "custom.baeum")
    assert type(again).__name__ == "CustomModel" and isinstance(again, CustomModel)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    again.fit(x, y, epochs=1, verbose=0)                 # its own train_step, loaded


def test_a_subclass_with_its_own_init_still_refuses_inputs_and_outputs():
    class WithInit(baeum.Model):
        def __init__(self, units):
            super().__init__()
            self.dense = layers.Dense(units)

    inputs = baeum.Input(shape=(3,))
    with pytest.raises(TypeError, match=r"got unexpected|takes|positional"):
        WithInit(inputs, layers.Dense(2)(inputs))
