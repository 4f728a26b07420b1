"""Keras 3's guide "Training & evaluation with the built-in methods", on baeum: custom
losses (a function, a Loss subclass), a custom Metric with add_variable, add_loss in a
functional model, several inputs and outputs with loss and metric dicts and
loss_weights, ModelCheckpoint with {epoch} in its path, a LearningRateSchedule subclass,
a Callback with Keras 2's on_batch_end, and class and sample weights."""

import numpy as np
import pytest

import baeum
from baeum import layers, ops

RNG = np.random.default_rng(0)
X = RNG.random((512, 784)).astype("float32")
Y = RNG.integers(0, 10, 512)


def get_uncompiled_model(activation="softmax"):
    inputs = baeum.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation=activation, name="predictions")(x)
    return baeum.Model(inputs=inputs, outputs=outputs)


def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


class CustomMSE(baeum.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


@pytest.mark.parametrize("loss, extra", [(custom_mean_squared_error, 0.0), (CustomMSE(), 0.1)])
def test_custom_losses_are_what_fit_reports(loss, extra):
    model = get_uncompiled_model()
    model.compile(optimizer=baeum.optimizers.Adam(), loss=loss)
    one_hot = ops.one_hot(Y, num_classes=10).data
    p = model.predict(X, verbose=0)
    expected = np.mean(((one_hot - p) ** 2).mean(-1) + extra * ((0.5 - p) ** 2).mean(-1))
    assert model.evaluate(X, one_hot, batch_size=512, verbose=0) == pytest.approx(expected,
                                                                                rel=1e-5)
    history = model.fit(X, one_hot, batch_size=64, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


class CategoricalTruePositives(baeum.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.argmax(y_pred, axis=1)
        values = ops.cast(ops.cast(y_true, "int32") == ops.cast(y_pred, "int32"), "float32")
        if sample_weight is not None:
            values = ops.multiply(values, ops.cast(sample_weight, "float32"))
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        self.true_positives.assign(0.0)


def test_a_custom_metric_with_add_variable_counts_over_each_epoch():
    metric = CategoricalTruePositives()
    assert metric.variables == [metric.true_positives] and metric.result().item() == 0
    model = get_uncompiled_model()
    model.compile(optimizer=baeum.optimizers.SGD(0.0),             # weights stay: same count
                  loss="sparse_categorical_crossentropy", metrics=[metric])
    history = model.fit(X, Y, batch_size=64, epochs=2, verbose=0)
    expected = float((model.predict(X, verbose=0).argmax(1) == Y).sum())
    assert history.history["categorical_true_positives"] == [expected, expected]
    assert all(isinstance(v, float) for v in history.history["categorical_true_positives"])


def test_add_loss_in_a_functional_model_adds_to_the_loss():
    class ActivityRegularizationLayer(layers.Layer):
        def call(self, inputs):
            self.add_loss(ops.sum(inputs) * 0.1)
            return inputs

    inputs = baeum.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = ActivityRegularizationLayer()(x)
    outputs = layers.Dense(10, name="predictions")(x)
    model = baeum.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=baeum.optimizers.RMSprop(learning_rate=1e-3),
                  loss=baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    logits = model.predict(X[:64], verbose=0).astype(np.float64)
    log_p = logits - logits.max(1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
    crossentropy = -log_p[np.arange(64), Y[:64]].mean()
    hidden = baeum.Model(inputs, x).predict(X[:64], verbose=0)
    assert model.evaluate(X[:64], Y[:64], batch_size=64, verbose=0) == pytest.approx(
        crossentropy + 0.1 * hidden.sum(), rel=1e-4)


def test_several_inputs_and_outputs_with_loss_and_metric_dicts():
    image_input = baeum.Input(shape=(32, 32, 3), name="img_input")
    timeseries_input = baeum.Input(shape=(None, 10), name="ts_input")
    x1 = layers.GlobalMaxPooling2D()(layers.Conv2D(3, 3)(image_input))
    x2 = layers.GlobalMaxPooling1D()(layers.Conv1D(3, 3)(timeseries_input))
    x = layers.concatenate([x1, x2])
    score_output = layers.Dense(1, name="score_output")(x)
    class_output = layers.Dense(5, name="class_output")(x)
    model = baeum.Model(inputs=[image_input, timeseries_input],
                        outputs=[score_output, class_output])
    model.compile(
        optimizer=baeum.optimizers.RMSprop(1e-3),
        loss={"score_output": baeum.losses.MeanSquaredError(),
              "class_output": baeum.losses.CategoricalCrossentropy()},
        metrics={"score_output": [baeum.metrics.MeanAbsolutePercentageError(),
                                  baeum.metrics.MeanAbsoluteError()],
                 "class_output": [baeum.metrics.CategoricalAccuracy()]},
        loss_weights={"score_output": 2.0, "class_output": 1.0})
    inputs = {"img_input": RNG.random((100, 32, 32, 3)), "ts_input": RNG.random((100, 20, 10))}
    targets = {"score_output": RNG.random((100, 1)), "class_output": RNG.random((100, 5))}
    logs = model.evaluate(inputs, targets, batch_size=100, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(2 * logs["score_output_loss"]
                                         + logs["class_output_loss"], rel=1e-5)
    history = model.fit(inputs, targets, batch_size=32, epochs=1, verbose=0)
    assert set(history.history) == {
        "loss", "score_output_loss", "class_output_loss",
        "score_output_mean_absolute_percentage_error", "score_output_mean_absolute_error",
        "class_output_categorical_accuracy"}


def test_model_checkpoint_formats_the_epoch_into_its_path(tmp_path):
    model = get_uncompiled_model()
    model.compile(optimizer=baeum.optimizers.RMSprop(1e-3),
                  loss="sparse_categorical_crossentropy")
    checkpoint = baeum.callbacks.ModelCheckpoint(filepath=str(tmp_path / "mymodel_{epoch}.baeum"),
                                                 save_best_only=True, monitor="val_loss")
    history = model.fit(X, Y, epochs=3, batch_size=64, callbacks=[checkpoint],
                        validation_split=0.2, verbose=0)
    val = history.history["val_loss"]
    improved = [e + 1 for e in range(3) if val[e] == min(val[:e + 1])]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"mymodel_{e}.baeum" for e in improved]


def test_a_learning_rate_schedule_subclass_sets_each_steps_rate():
    class MyLRSchedule(baeum.optimizers.schedules.LearningRateSchedule):
        def __init__(self, initial_learning_rate):
            self.initial_learning_rate = initial_learning_rate

        def __call__(self, step):
            return self.initial_learning_rate / (step + 1)

    optimizer = baeum.optimizers.SGD(learning_rate=MyLRSchedule(0.1))
    model = get_uncompiled_model()
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    model.fit(X, Y, epochs=1, batch_size=64, verbose=0)          # 8 steps
    assert optimizer.iterations == 8
    assert float(optimizer.learning_rate) == pytest.approx(0.1 / 9)


def test_keras_2s_on_batch_end_is_called_for_each_training_batch():
    class LossHistory(baeum.callbacks.Callback):
        def on_train_begin(self, logs):
            self.per_batch_losses = []

        def on_batch_end(self, batch, logs):
            self.per_batch_losses.append(logs.get("loss"))

    model = get_uncompiled_model()
    model.compile("rmsprop", "sparse_categorical_crossentropy")
    history = LossHistory()
    model.fit(X, Y, epochs=1, batch_size=64, callbacks=[history], verbose=0)
    assert len(history.per_batch_losses) == 8
    assert all(np.isfinite(v) for v in history.per_batch_losses)


def test_class_weight_and_sample_weight_are_the_same_weighting():
    class_weight = {i: 1.0 for i in range(10)}
    class_weight[5] = 2.0
    sample_weight = np.ones(len(Y))
    sample_weight[Y == 5] = 2.0
    results = []
    for kwargs in ({"class_weight": class_weight}, {"sample_weight": sample_weight}):
        baeum.random.seed(0)
        model = get_uncompiled_model()
        model.compile(baeum.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
        model.fit(X, Y, batch_size=64, epochs=1, shuffle=False, verbose=0, **kwargs)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
