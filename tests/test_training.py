"""compile / fit / evaluate / predict: results, Keras semantics, callbacks and user errors."""

import numpy as np
import pytest

import baeum
from baeum import callbacks, layers, losses, optimizers
from baeum.layers import Dense, Dropout, Input
from baeum.models import Model, Sequential


def _iris():
    """150 standardized samples, 3 classes (sklearn's iris, or a synthetic stand-in)."""
    try:
        from sklearn.datasets import load_iris

        x, y = load_iris(return_X_y=True)
    except ImportError:  # pragma: no cover - sklearn is a test dependency
        rng = np.random.default_rng(0)
        y = np.repeat(np.arange(3), 50)
        x = rng.standard_normal((150, 4)) * 0.6 + np.eye(3, 4)[y] * 3
    x = (x - x.mean(0)) / x.std(0)
    return x.astype(np.float32), y.astype(np.int64)


X, Y = _iris()


def _mlp(units=16, output_activation="softmax"):
    return Sequential([Input(shape=(4,)), Dense(units, activation="relu"),
                       Dense(3, activation=output_activation)])


class _MLP(Model):
    def __init__(self):
        super().__init__()
        self.hidden = Dense(16, activation="relu")
        self.out = Dense(3, activation="softmax")

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def _functional():
    inputs = Input(shape=(4,))
    return Model(inputs, Dense(3, activation="softmax")(Dense(16, activation="relu")(inputs)))


# --- the three styles learn iris ----------------------------------------------------------

@pytest.mark.parametrize("make", [_mlp, _functional, _MLP], ids=["sequential", "functional",
                                                                 "subclass"])
def test_each_model_style_learns_iris(make):
    model = make()
    model.compile(optimizer=optimizers.Adam(learning_rate=0.02),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, Y, batch_size=16, epochs=40, verbose=0)
    loss, accuracy = model.evaluate(X, Y, verbose=0)
    assert accuracy >= 0.95
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert loss == pytest.approx(history.history["loss"][-1], rel=0.3)


# --- fit is the low-level loop ------------------------------------------------------------

def test_fit_gives_the_same_weights_as_the_hand_written_loop():
    def make():
        baeum.random.seed(3)
        return Sequential([Input(shape=(4,)), Dense(8, activation="relu"), Dense(3)])

    keras_style, by_hand = make(), make()
    keras_style.compile(optimizer=optimizers.Adam(learning_rate=0.01),
                        loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    keras_style.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)

    optimizer = optimizers.Adam(by_hand.trainable_weights, learning_rate=0.01)
    for _ in range(3):
        for start in range(0, len(X), 16):
            x, y = X[start:start + 16], Y[start:start + 16]
            optimizer.zero_grad()
            logits = by_hand(x, training=True)
            loss = losses.sparse_categorical_crossentropy(y, logits, from_logits=True).mean()
            loss.backward()
            optimizer.step()
    for a, b in zip(keras_style.get_weights(), by_hand.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_fit_with_shuffling_and_dropout_matches_the_loop_drawing_from_baeum_random():
    def make():
        baeum.random.seed(4)
        return Sequential([Input(shape=(4,)), Dense(8, activation="relu"), Dropout(0.3),
                           Dense(3)])

    keras_style, by_hand = make(), make()
    keras_style.compile(optimizer=optimizers.SGD(learning_rate=0.1, momentum=0.9),
                        loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    baeum.random.seed(11)
    keras_style.fit(X, Y, batch_size=32, epochs=2, verbose=0)            # shuffle=True

    optimizer = optimizers.SGD(by_hand.trainable_weights, learning_rate=0.1, momentum=0.9)
    baeum.random.seed(11)
    for _ in range(2):
        order = baeum.random.get_generator().permutation(len(X))
        for start in range(0, len(X), 32):
            batch = order[start:start + 32]
            optimizer.zero_grad()
            logits = by_hand(X[batch], training=True)
            losses.sparse_categorical_crossentropy(Y[batch], logits, from_logits=True).mean() \
                .backward()
            optimizer.step()
    for a, b in zip(keras_style.get_weights(), by_hand.get_weights()):
        np.testing.assert_array_equal(a, b)


# --- what fit, evaluate and predict return ------------------------------------------------

def _frozen(model, loss="sparse_categorical_crossentropy", metrics=("accuracy",)):
    """Compiled with learning rate 0: the weights never move, so values are comparable."""
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss=loss, metrics=list(metrics))
    return model


def test_fit_evaluate_predict_shapes_and_history():
    model = _frozen(_mlp())
    history = model.fit(X, Y, epochs=3, batch_size=32, validation_split=0.2, verbose=0)
    assert isinstance(history, callbacks.History) and model.history is history
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.epoch == [0, 1, 2]
    assert all(len(v) == 3 for v in history.history.values())
    assert all(isinstance(v, float) for v in history.history["loss"])
    loss = model.evaluate(X, Y, verbose=0)
    assert isinstance(loss, list) and len(loss) == 2
    assert set(model.evaluate(X, Y, verbose=0, return_dict=True)) == {"loss", "accuracy"}
    probs = model.predict(X, batch_size=7)
    assert isinstance(probs, np.ndarray) and probs.shape == (150, 3)
    assert probs.dtype == np.float32
    np.testing.assert_allclose(probs, model(X).data, rtol=1e-6)
    assert model.metrics_names == ["loss", "accuracy"]


def test_evaluate_returns_just_the_loss_without_metrics():
    model = _frozen(_mlp(), metrics=())
    value = model.evaluate(X, Y, verbose=0)
    assert isinstance(value, float)


def test_epoch_metrics_equal_evaluate_and_do_not_depend_on_batching():
    model = _frozen(_mlp())
    history = model.fit(X, Y, epochs=1, batch_size=32, verbose=0)
    for batch_size in (7, 32, 150):
        loss, accuracy = model.evaluate(X, Y, batch_size=batch_size, verbose=0)
        assert accuracy == pytest.approx(history.history["accuracy"][0], abs=1e-12)
        assert loss == pytest.approx(history.history["loss"][0], rel=1e-5)


def test_validation_split_holds_out_the_last_fraction():
    model = _frozen(_mlp())
    history = model.fit(X, Y, epochs=1, batch_size=16, validation_split=0.2, verbose=0)
    train_loss, train_acc = model.evaluate(X[:120], Y[:120], verbose=0)
    val_loss, val_acc = model.evaluate(X[120:], Y[120:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(val_loss, rel=1e-5)
    assert history.history["val_accuracy"][0] == pytest.approx(val_acc, abs=1e-12)
    assert history.history["loss"][0] == pytest.approx(train_loss, rel=1e-5)
    assert history.history["accuracy"][0] == pytest.approx(train_acc, abs=1e-12)


def test_validation_data_tuple():
    model = _frozen(_mlp())
    history = model.fit(X[:100], Y[:100], epochs=1, validation_data=(X[100:], Y[100:]),
                        verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(X[100:], Y[100:], verbose=0)[0], rel=1e-5)


def _per_sample_ce(model, x, y):
    p = model.predict(x).astype(np.float64)
    return -np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1))


def test_class_weight_weights_each_sample_by_its_class():
    model = _frozen(_mlp(), metrics=())
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    x, y = X[::4], Y[::4]                                   # 38 samples of all three classes
    weights = np.array([class_weight[c] for c in y])
    loss = model.train_on_batch(x, y, class_weight=class_weight)
    expected = (_per_sample_ce(model, x, y) * weights).sum() / len(y)   # / batch size
    assert loss == pytest.approx(expected, rel=1e-5)
    # one-hot labels: the class is the argmax
    onehot = _frozen(_mlp(), loss="categorical_crossentropy", metrics=())
    onehot.set_weights(model.get_weights())
    loss_onehot = onehot.train_on_batch(x, np.eye(3)[y], class_weight=class_weight)
    assert loss_onehot == pytest.approx(expected, rel=1e-5)


def test_sample_weight_in_fit_and_evaluate_and_class_weight_agree():
    model = _frozen(_mlp(), metrics=())
    class_weight = {0: 2.0, 1: 1.0, 2: 0.25}
    sample_weight = np.array([class_weight[c] for c in Y], dtype=np.float32)
    by_class = model.fit(X, Y, epochs=1, shuffle=False, class_weight=class_weight, verbose=0)
    by_sample = model.fit(X, Y, epochs=1, shuffle=False, sample_weight=sample_weight, verbose=0)
    assert by_class.history["loss"] == pytest.approx(by_sample.history["loss"], rel=1e-6)
    evaluated = model.evaluate(X, Y, sample_weight=sample_weight, verbose=0)
    assert evaluated == pytest.approx(by_sample.history["loss"][0], rel=1e-5)
    expected = (_per_sample_ce(model, X, Y) * sample_weight).mean()   # Keras: / batch size
    assert evaluated == pytest.approx(expected, rel=1e-5)
    unweighted = model.evaluate(X, Y, verbose=0)
    assert evaluated != pytest.approx(unweighted, rel=1e-3)
    with pytest.raises(ValueError, match="class_weight` and `sample_weight` at the same time"):
        model.fit(X, Y, class_weight=class_weight, sample_weight=sample_weight, verbose=0)


def test_regularization_losses_are_added_to_the_loss():
    l2 = baeum.regularizers.L2(0.1)
    model = Sequential([Input(shape=(4,)), Dense(3, activation="softmax", kernel_regularizer=l2)])
    _frozen(model, metrics=())
    loss = model.evaluate(X, Y, batch_size=150, verbose=0)
    kernel = model.layers[0].kernel.data.astype(np.float64)
    expected = _per_sample_ce(model, X, Y).mean() + 0.1 * (kernel ** 2).sum()
    assert loss == pytest.approx(expected, rel=1e-5)
    assert len(model.losses) == 1


def test_train_test_predict_on_batch():
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = model.get_weights()
    loss, accuracy = model.train_on_batch(X[:32], Y[:32])
    assert isinstance(loss, float) and 0 <= accuracy <= 1
    assert not np.array_equal(before[0], model.get_weights()[0])
    logs = model.test_on_batch(X[:32], Y[:32], return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    out = model.predict_on_batch(X[:5])
    assert isinstance(out, np.ndarray) and out.shape == (5, 3)


def test_multi_input_multi_output_fit_with_lists_and_dicts():
    a, b = Input(shape=(2,), name="a"), Input(shape=(2,), name="b")
    cls = Dense(3, activation="softmax", name="cls")(Dense(8, activation="relu")(a))
    reg = Dense(1, name="reg")(Dense(8, activation="relu")(b))
    model = Model([a, b], [cls, reg])
    model.compile("adam", loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]])
    inputs, targets = [X[:, :2], X[:, 2:]], [Y, X[:, :1]]
    history = model.fit(inputs, targets, epochs=2, verbose=0, validation_split=0.2)
    assert list(history.history) == [
        "loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae",
        "val_loss", "val_cls_loss", "val_reg_loss", "val_cls_accuracy", "val_reg_mae"]
    logs = model.evaluate(inputs, targets, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["cls_loss"] + 0.5 * logs["reg_loss"], rel=1e-5)
    probs, values = model.predict(inputs, batch_size=64)
    assert probs.shape == (150, 3) and values.shape == (150, 1)

    named = Model({"a": a, "b": b}, {"cls": cls, "reg": reg})
    named.compile("adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  metrics={"cls": "accuracy"})
    history = named.fit({"a": X[:, :2], "b": X[:, 2:]}, {"cls": Y, "reg": X[:, :1]},
                        epochs=1, verbose=0)
    assert list(history.history) == ["loss", "cls_loss", "reg_loss", "cls_accuracy"]
    assert set(named.predict({"a": X[:, :2], "b": X[:, 2:]})) == {"cls", "reg"}
    with pytest.raises(ValueError, match="as many entries as the model has outputs"):
        model.compile("adam", loss="mse", metrics=["accuracy"])
        model.fit(inputs, targets, epochs=1, verbose=0)


# --- the training flag, callbacks, progress -----------------------------------------------

class _Spy(layers.Layer):
    """Records the training flag it is called with."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def test_fit_trains_with_training_true_and_evaluate_predict_use_false():
    spy = _Spy()
    model = Sequential([Input(shape=(4,)), Dense(3), spy])
    model.compile("sgd", "sparse_categorical_crossentropy")
    spy.seen.clear()
    model.fit(X, Y, batch_size=50, epochs=1, verbose=0)
    assert spy.seen == [True] * 3
    spy.seen.clear()
    model.evaluate(X, Y, batch_size=150, verbose=0)
    model.predict(X, batch_size=150)
    assert spy.seen == [False, False]


class _Recorder(callbacks.Callback):
    def __init__(self, stop_at=None):
        super().__init__()
        self.calls, self.stop_at = [], stop_at

    def set_params(self, params):
        super().set_params(params)
        self.calls.append(("params", params["epochs"], params["steps"]))

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch", batch, sorted(logs)))
        if (self.calls.count("train_begin"), batch) == (1, self.stop_at):
            self.model.stop_training = True

    def on_test_begin(self, logs=None):
        self.calls.append("test_begin")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def test_callback_hooks_in_keras_order():
    recorder = _Recorder()
    model = _frozen(_mlp())
    model.fit(X, Y, batch_size=60, epochs=2, validation_split=0.2, callbacks=[recorder],
              verbose=0)
    assert recorder.model is model
    keys = ["accuracy", "loss"]
    epoch_keys = ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert recorder.calls == [
        ("params", 2, 2), "train_begin",
        ("epoch_begin", 0), ("batch", 0, keys), ("batch", 1, keys), "test_begin",
        ("epoch_end", 0, epoch_keys),
        ("epoch_begin", 1), ("batch", 0, keys), ("batch", 1, keys), "test_begin",
        ("epoch_end", 1, epoch_keys),
        "train_end",
    ]


def test_stop_training_is_honoured():
    recorder = _Recorder(stop_at=1)
    model = _frozen(_mlp())
    history = model.fit(X, Y, batch_size=30, epochs=5, callbacks=[recorder], verbose=0)
    assert history.epoch == [0]
    assert [c[1] for c in recorder.calls if c[0] == "batch"] == [0, 1]


def test_verbose_modes(capsys):
    model = _frozen(_mlp())
    model.fit(X, Y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(X, Y, epochs=2, verbose=2, validation_split=0.2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 1/2") and "val_loss:" in lines[1]
    model.fit(X, Y, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and "5/5" in out and "loss:" in out
    model.evaluate(X, Y, verbose=1)
    assert "accuracy:" in capsys.readouterr().out


def test_history_plot_writes_labelled_curves(tmp_path):
    model = _frozen(_mlp())
    history = model.fit(X, Y, epochs=3, validation_split=0.2, verbose=0)
    path = tmp_path / "curves.png"
    figure = history.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    loss_axes, accuracy_axes = figure.axes
    assert loss_axes.get_xlabel() == "epoch" and loss_axes.get_ylabel() == "loss"
    assert accuracy_axes.get_ylabel() == "accuracy"
    labels = [t.get_text() for t in loss_axes.get_legend().get_texts()]
    assert labels == ["train loss", "validation loss"]
    assert list(loss_axes.lines[0].get_ydata()) == history.history["loss"]


def test_deep_copied_model_trains_independently_after_compile():
    import copy

    model = _mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, Y, epochs=1, verbose=0)
    target = copy.deepcopy(model)
    np.testing.assert_array_equal(target.predict(X), model.predict(X))


# --- errors users hit ---------------------------------------------------------------------

def test_fit_before_compile():
    with pytest.raises(RuntimeError, match=r"You must call compile\(\) before fit\(\)"):
        _mlp().fit(X, Y)
    with pytest.raises(RuntimeError, match=r"before evaluate\(\)"):
        _mlp().evaluate(X, Y)


def test_x_and_y_of_different_lengths_name_both():
    model = _frozen(_mlp())
    with pytest.raises(ValueError, match=r"x has 150, y has 149 samples"):
        model.fit(X, Y[:-1], verbose=0)


def test_nan_and_inf_in_inputs_are_reported():
    model = _frozen(_mlp())
    bad = X.copy()
    bad[3, 1], bad[7, 0], bad[9, 2] = np.nan, np.inf, -np.inf
    with pytest.raises(ValueError, match=r"x contains 3 non-finite value\(s\) \(1 NaN, 2 inf\)"):
        model.fit(bad, Y, verbose=0)
    with pytest.raises(ValueError, match=r"validation x contains 1 non-finite"):
        model.fit(X, Y, validation_data=(bad[:5], Y[:5]), verbose=0)
    targets = np.eye(3)[Y]
    targets[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"y contains 1 non-finite"):
        _frozen(_mlp(), loss="categorical_crossentropy").fit(X, targets, verbose=0)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_train_on_batch_reports_nan_and_inf_before_updating_anything():
    # train_on_batch checks its batch once the loss comes out non-finite: same message,
    # and the weights are left as they were. (NumPy's own "invalid value" warning may come
    # first: np.errstate around every step would cost 3% of a small model's step.)
    model = _frozen(_mlp())
    model.train_on_batch(X[:10], Y[:10])
    before = model.get_weights()
    bad = X[:10].copy()
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"x contains 1 non-finite value\(s\) \(0 NaN, 1 inf\)"):
        model.train_on_batch(bad, Y[:10])
    targets = np.eye(3)[Y[:10]]
    targets[4, 2] = np.nan
    other = _frozen(_mlp(), loss="categorical_crossentropy")
    other.train_on_batch(X[:10], np.eye(3)[Y[:10]])
    with pytest.raises(ValueError, match=r"y contains 1 non-finite"):
        other.train_on_batch(X[:10], targets)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)

    class OwnStep(baeum.Model):          # a custom train_step: the data is checked first
        def __init__(self):
            super().__init__()
            self.dense = baeum.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            return super().train_step(data)

    own = OwnStep()
    own.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"x contains 1 non-finite"):
        own.train_on_batch(bad, Y[:10])


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_the_finite_check_passes_huge_finite_values_and_catches_nan_in_any_layout():
    from baeum.training.data import ArrayData

    huge = np.full((4, 3), 1e30, np.float32)       # its quick reduction overflows to inf
    ArrayData(huge, np.zeros(4))                    # no error: every value is finite
    for layout in (lambda a: a, lambda a: a.T, lambda a: a.astype(np.float16),
                   lambda a: a.astype(np.float64)[:, 1:]):
        bad = np.ones((6, 4), np.float32)
        bad[1, 1] = np.nan
        with pytest.raises(ValueError, match=r"x contains 1 non-finite value\(s\) \(1 NaN"):
            ArrayData(layout(bad), np.zeros(len(layout(bad))))


def test_unknown_aliases_list_the_valid_ones():
    model = _mlp()
    with pytest.raises(ValueError, match=r"unknown loss 'mean_square_error'.*'mse'"):
        model.compile("adam", loss="mean_square_error")
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamm'.*'adam'"):
        model.compile("adamm", loss="mse")
    with pytest.raises(ValueError, match=r"unknown metric 'acc_'.*'accuracy'"):
        model.compile("adam", loss="mse", metrics=["acc_"])


def test_integer_labels_given_to_categorical_crossentropy():
    model = _frozen(_mlp(), loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="look like integer class ids: use "
                                         "sparse_categorical_crossentropy"):
        model.fit(X, Y, verbose=0)


def test_one_hot_labels_given_to_the_sparse_loss():
    model = _frozen(_mlp())
    with pytest.raises(ValueError, match="the labels look one-hot: use categorical_crossentropy"):
        model.fit(X, np.eye(3)[Y], verbose=0)


def test_labels_out_of_range_fail_before_training():
    model = _mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    before = model.get_weights()
    labels = Y.copy()
    labels[-1] = 3                                   # only in the last batch
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\) for 3 classes, got values "
                                         r"from 0 to 3"):
        model.fit(X, labels, shuffle=False, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)          # nothing was trained


def test_softmax_outputs_given_to_a_from_logits_loss_warn():
    model = _mlp(output_activation="softmax")
    model.compile("adam", loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.warns(UserWarning, match="look like softmax probabilities"):
        model.fit(X, Y, epochs=1, verbose=0)


def test_input_shape_that_does_not_fit_the_first_layer():
    model = _frozen(_mlp())
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 4, "
                                         r"but received input with shape \(32, 5\)"):
        model.fit(np.ones((40, 5), np.float32), Y[:40], verbose=0)


def test_missing_targets_and_bad_arguments():
    model = _frozen(_mlp())
    with pytest.raises(ValueError, match="targets y are missing"):
        model.fit(X, verbose=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        model.fit(X, Y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="verbose must be 0, 1, 2 or 'auto'"):
        model.fit(X, Y, verbose=3)
    with pytest.raises(ValueError, match="validation_split must be in"):
        model.fit(X, Y, validation_split=1.5, verbose=0)


def test_a_diverging_loss_warns():
    model = Sequential([Input(shape=(4,)), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=1e3), loss="mse")
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning, match="not finite"):
        model.fit(X, (X[:, :1] * 1e3), epochs=30, verbose=0)


def test_frozen_layers_are_not_trained_and_a_fully_frozen_model_says_so():
    model = _mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.layers[0].trainable = False                  # read live, no recompile needed
    before = model.get_weights()
    model.fit(X, Y, epochs=1, verbose=0)
    after = model.get_weights()
    np.testing.assert_array_equal(before[0], after[0])
    assert not np.array_equal(before[2], after[2])
    model.trainable = False
    with pytest.raises(ValueError, match="has no trainable weights"):
        model.train_on_batch(X[:8], Y[:8])
    model.trainable = True                             # e.g. a GAN's discriminator, unfrozen
    model.train_on_batch(X[:8], Y[:8])
    assert not np.array_equal(after[0], model.get_weights()[0])


def test_predict_on_batch_with_several_inputs():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    model = Model([a, b], Dense(1)(a))
    out = model.predict_on_batch([X[:5, :2], X[:5, 2:]])
    assert out.shape == (5, 1)
