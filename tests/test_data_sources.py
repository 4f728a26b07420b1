"""fit/evaluate/predict on generators and PyDatasets (Keras 3's other inputs), and
Keras's sequence utilities pad_sequences and normalize."""

import doctest
import math
import warnings

import numpy as np
import pytest

import baeum
from baeum import callbacks, layers, optimizers, utils
from baeum.layers import Dense, Flatten, Input, concatenate
from baeum.models import Model, Sequential
from baeum.training import data as data_module
from baeum.utils import PyDataset, normalize, pad_sequences

RAN_OUT = "Your input ran out of data; interrupting training"

# MNIST-shaped random data: 256 images of 28x28, labels 0..9, batches of 32 (8 per epoch).
_rng = np.random.default_rng(7)
X = _rng.random((256, 28, 28), dtype=np.float32)
Y = _rng.integers(0, 10, 256)
BATCH = 32
STEPS = len(X) // BATCH


def _mnist_mlp(seed=0):
    baeum.random.seed(seed)
    model = Sequential([Input(shape=(28, 28)), Flatten(), Dense(32, activation="relu"),
                        Dense(10, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _batches(x=X, y=Y, batch_size=BATCH, sample_weight=None):
    """One pass of (x, y) batches in order, as a generator."""
    for start in range(0, len(x), batch_size):
        rows = slice(start, start + batch_size)
        if sample_weight is None:
            yield x[rows], y[rows]
        else:
            yield x[rows], y[rows], sample_weight[rows]


def _forever(x=X, y=Y, batch_size=BATCH):
    while True:
        yield from _batches(x, y, batch_size)


class Batches(PyDataset):
    """The textbook PyDataset: batch i is rows [i*batch_size, (i+1)*batch_size)."""

    def __init__(self, x=X, y=Y, batch_size=BATCH, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.read = []              # the indices asked for, in order
        self.epochs_begun = self.epochs_ended = 0

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        self.read.append(index)
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows] if self.y is None else (self.x[rows], self.y[rows])

    def on_epoch_begin(self):
        self.epochs_begun += 1

    def on_epoch_end(self):
        self.epochs_ended += 1


def _same_weights(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


class _BatchCounter(callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.steps_param, self.per_epoch = self.params["steps"], []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        assert batch == self.per_epoch[-1]   # batches are numbered 0, 1, ... in each epoch
        self.per_epoch[-1] += 1


# --- the same batches in the same order train the same weights -------------------------------

def test_a_generator_trains_exactly_like_the_arrays_without_shuffling():
    by_arrays, by_generator = _mnist_mlp(), _mnist_mlp()
    h1 = by_arrays.fit(X, Y, batch_size=BATCH, epochs=3, shuffle=False, verbose=0)
    h2 = by_generator.fit(_forever(), steps_per_epoch=STEPS, epochs=3, verbose=0)
    _same_weights(by_arrays, by_generator)
    assert h1.history == h2.history and list(h2.history) == ["loss", "accuracy"]


def test_a_pydataset_trains_exactly_like_the_arrays_and_calls_its_epoch_hooks():
    by_arrays, by_dataset = _mnist_mlp(), _mnist_mlp()
    by_arrays.fit(X, Y, batch_size=BATCH, epochs=3, shuffle=False, verbose=0)
    dataset = Batches()
    by_dataset.fit(dataset, epochs=3, shuffle=False, verbose=0)
    _same_weights(by_arrays, by_dataset)
    assert dataset.read == list(range(STEPS)) * 3     # len() batches per epoch, in order
    assert (dataset.epochs_begun, dataset.epochs_ended) == (3, 3)


def test_an_iterable_with_len_is_read_anew_each_epoch():
    by_arrays, by_iterable = _mnist_mlp(), _mnist_mlp()
    by_arrays.fit(X, Y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    by_iterable.fit(baeum.data.batches(X, Y, batch_size=BATCH, shuffle=False), epochs=2,
                    verbose=0)
    _same_weights(by_arrays, by_iterable)


def test_a_torch_dataloader_is_an_iterable_of_batches():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(Y)),
                        batch_size=BATCH, shuffle=False)
    by_arrays, by_loader = _mnist_mlp(), _mnist_mlp()
    by_arrays.fit(X, Y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    by_loader.fit(loader, epochs=2, verbose=0)
    _same_weights(by_arrays, by_loader)


def test_float64_batches_are_cast_to_the_models_dtype_like_arrays():
    by_arrays, by_generator = _mnist_mlp(), _mnist_mlp()
    by_arrays.fit(X.astype(np.float64), Y, batch_size=BATCH, shuffle=False, verbose=0)
    by_generator.fit(_batches(X.astype(np.float64)), verbose=0)
    _same_weights(by_arrays, by_generator)
    assert by_generator.get_weights()[0].dtype == np.float32


# --- shuffling, steps_per_epoch, running out ----------------------------------------------

def test_shuffle_reorders_a_pydatasets_batches_reproducibly():
    def orders(seed):
        model, dataset = _mnist_mlp(), Batches()
        baeum.random.seed(seed)
        model.fit(dataset, epochs=3, verbose=0)   # shuffle=True is fit's default
        return [dataset.read[i:i + STEPS] for i in range(0, 3 * STEPS, STEPS)]

    first = orders(5)
    assert all(sorted(epoch) == list(range(STEPS)) for epoch in first)  # each batch once
    assert first[0] != list(range(STEPS)) and first[0] != first[1]     # a new order each epoch
    assert orders(5) == first and orders(6) != first


def test_steps_per_epoch_smaller_than_len_goes_on_through_the_pass_as_in_keras():
    dataset, counter = Batches(), _BatchCounter()
    with pytest.warns(UserWarning, match=RAN_OUT):   # the 3rd epoch finds 2 of its 3 left
        _mnist_mlp().fit(dataset, steps_per_epoch=3, epochs=3, shuffle=False, verbose=0,
                         callbacks=[counter])
    # Keras's rule: a pass goes on from epoch to epoch; an epoch that reaches its end
    # stops there (with Keras's warning), and the next epoch starts a new pass.
    assert dataset.read == [0, 1, 2, 3, 4, 5, 6, 7]
    assert counter.per_epoch == [3, 3, 2] and counter.steps_param == 3
    assert dataset.epochs_ended == 3

    dataset = Batches()
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # 8 = 4 + 4: no epoch comes up short
        _mnist_mlp().fit(dataset, steps_per_epoch=4, epochs=3, shuffle=False, verbose=0)
    assert dataset.read == [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3]


def test_steps_per_epoch_with_arrays():
    counter = _BatchCounter()
    by_steps, by_arrays = _mnist_mlp(), _mnist_mlp()
    by_steps.fit(X, Y, batch_size=BATCH, steps_per_epoch=4, epochs=2, shuffle=False,
                 verbose=0, callbacks=[counter])
    by_arrays.fit(X, Y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    assert counter.per_epoch == [4, 4]
    _same_weights(by_steps, by_arrays)   # 2 epochs of 4 = one pass of 8, the same batches


def test_a_finite_generator_that_runs_out_ends_training_with_keras_warning():
    counter = _BatchCounter()
    with pytest.warns(UserWarning, match=RAN_OUT):
        history = _mnist_mlp().fit(_batches(), steps_per_epoch=3, epochs=5, verbose=0,
                                   callbacks=[counter])
    assert counter.per_epoch == [3, 3, 2] and history.epoch == [0, 1, 2]

    with pytest.warns(UserWarning, match=RAN_OUT) as caught:  # runs out between epochs
        history = _mnist_mlp().fit(_batches(), steps_per_epoch=4, epochs=5, verbose=0)
    assert history.epoch == [0, 1] and len(caught) == 1


def test_a_finite_generator_without_steps_trains_one_epoch_on_all_of_it():
    counter = _BatchCounter()
    history = _mnist_mlp().fit(_batches(), verbose=0, callbacks=[counter])
    assert counter.per_epoch == [STEPS] and counter.steps_param is None  # not known before
    assert history.epoch == [0]


def test_an_endless_input_needs_steps_per_epoch():
    with pytest.raises(ValueError, match=r"`steps_per_epoch=None` is only valid for a "
                                         r"generator based on the `baeum.utils.PyDataset`"):
        _mnist_mlp().fit(_forever(), epochs=2, verbose=0)

    class Endless(Batches):
        num_batches = None   # Keras's way to say "endless"

        def __getitem__(self, index):
            return super().__getitem__(index % STEPS)

    with pytest.raises(ValueError, match="num_batches` is None"):
        _mnist_mlp().fit(Endless(), verbose=0)
    dataset = Endless()
    _mnist_mlp().fit(dataset, steps_per_epoch=5, epochs=2, verbose=0)
    assert dataset.read == [i % STEPS for i in range(10)]  # read on in order, shuffle or not


# --- arguments that belong inside the batches -------------------------------------------

def test_batch_size_y_sample_weight_and_validation_split_are_errors_as_in_keras():
    model = _mnist_mlp()
    with pytest.raises(ValueError, match="The `batch_size` argument must not be specified"):
        model.fit(_forever(), batch_size=32, steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match="`batch_size` argument must not be specified"):
        model.evaluate(Batches(), batch_size=32, verbose=0)
    with pytest.raises(ValueError, match="When providing `x` as a PyDataset, `y` should not"):
        model.fit(Batches(), Y, verbose=0)
    with pytest.raises(ValueError, match="as a generator, `sample_weights` should not"):
        model.fit(_forever(), sample_weight=np.ones(256), steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match="Argument `validation_split` is only supported for "
                                         "tensors or NumPy arrays"):
        model.fit(_forever(), validation_split=0.2, steps_per_epoch=2, verbose=0)
    with pytest.raises(TypeError, match="not a generator: use fit"):
        model.train_on_batch(_forever())


def test_bad_batches_are_named_in_the_error():
    model = _mnist_mlp()
    with pytest.raises(ValueError, match=r"batch 0 of the generator is a single ndarray of "
                                         r"shape \(32, 28, 28\).*must give tuples"):
        model.fit((xb for xb, _ in _batches()), verbose=0)
    bad = X.copy()
    bad[40, 3, 3] = np.nan
    with pytest.raises(ValueError, match=r"batch 1 of the generator: x contains 1 non-finite"):
        model.fit(_batches(bad), verbose=0)
    with pytest.raises(ValueError, match=r"ambiguous: Batches\[1\]: x has 64, Batches\[1\]: "
                                         r"y has 36 samples"):
        model.fit(Batches(y=Y[:100], batch_size=64), shuffle=False, verbose=0)
    with pytest.raises(ValueError, match="The PyDataset has length 0"):
        model.fit(Batches(x=X[:0], y=Y[:0]), verbose=0)
    with pytest.raises(ValueError, match="the generator gave no batches"):
        model.fit(iter([]), verbose=0)


# --- validation, class_weight, several inputs -------------------------------------------

def test_validation_data_as_a_pydataset_or_a_generator():
    x_val, y_val = X[:96], Y[:96]
    model = _mnist_mlp()
    val = Batches(x_val, y_val)
    history = model.fit(_forever(), steps_per_epoch=STEPS, epochs=2, verbose=0,
                        validation_data=val)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(loss, rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(accuracy)
    assert val.read == [0, 1, 2] * 2 and val.epochs_ended == 2   # all of it, each epoch

    model = _mnist_mlp()
    history = model.fit(X, Y, epochs=2, verbose=0, validation_data=_forever(x_val, y_val),
                        validation_steps=3)
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x_val, y_val, verbose=0)[0], rel=1e-6)
    with pytest.raises(ValueError, match="`validation_steps=None` is only valid"):
        model.fit(X, Y, epochs=2, verbose=0, validation_data=_forever(x_val, y_val))


def test_class_weight_weights_the_batches_of_a_generator_like_arrays():
    class_weight = {c: 1.0 + c / 3 for c in range(10)}
    by_arrays, by_generator, by_dataset = _mnist_mlp(), _mnist_mlp(), _mnist_mlp()
    by_arrays.fit(X, Y, batch_size=BATCH, shuffle=False, class_weight=class_weight, verbose=0)
    by_generator.fit(_batches(), class_weight=class_weight, verbose=0)
    by_dataset.fit(Batches(), shuffle=False, class_weight=class_weight, verbose=0)
    _same_weights(by_arrays, by_generator)
    _same_weights(by_arrays, by_dataset)
    with pytest.raises(ValueError, match="`class_weight` and `sample_weight` at the same"):
        _mnist_mlp().fit(_batches(sample_weight=np.ones(256)), class_weight=class_weight,
                         verbose=0)


def test_sample_weights_in_the_batches():
    weights = _rng.random(256).astype(np.float32)
    by_arrays, by_generator = _mnist_mlp(), _mnist_mlp()
    by_arrays.fit(X, Y, batch_size=BATCH, sample_weight=weights, shuffle=False, verbose=0)
    by_generator.fit(_batches(sample_weight=weights), verbose=0)
    _same_weights(by_arrays, by_generator)


def test_several_inputs_as_dict_batches():
    def two_inputs():
        baeum.random.seed(1)
        image, extra = Input(shape=(28, 28), name="image"), Input(shape=(4,), name="extra")
        hidden = Dense(16, activation="relu")(concatenate([Flatten()(image), extra]))
        model = Model([image, extra], Dense(10, activation="softmax")(hidden))
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    extra = _rng.standard_normal((256, 4)).astype(np.float32)

    def dict_batches():
        for (xb, yb), start in zip(_batches(), range(0, 256, BATCH)):
            yield {"image": xb, "extra": extra[start:start + BATCH]}, yb

    by_arrays, by_generator = two_inputs(), two_inputs()
    by_arrays.fit({"image": X, "extra": extra}, Y, batch_size=BATCH, shuffle=False,
                  verbose=0)
    by_generator.fit(dict_batches(), verbose=0)
    _same_weights(by_arrays, by_generator)
    np.testing.assert_array_equal(by_generator.predict(((b,) for b, _ in dict_batches())),
                                  by_arrays.predict({"image": X, "extra": extra}))


# --- evaluate and predict ---------------------------------------------------------------

def test_evaluate_and_predict_on_a_pydataset_equal_the_arrays():
    model = _mnist_mlp()
    model.fit(X, Y, epochs=1, verbose=0)
    on_arrays = model.evaluate(X, Y, batch_size=BATCH, verbose=0, return_dict=True)
    assert model.evaluate(Batches(), verbose=0, return_dict=True) == on_arrays
    assert model.evaluate(_batches(), verbose=0, return_dict=True) == on_arrays
    first_three = model.evaluate(X[:96], Y[:96], verbose=0)
    assert model.evaluate(Batches(), steps=3, verbose=0) == first_three
    assert model.evaluate(_forever(), steps=3, verbose=0) == first_three

    expected = model.predict(X, batch_size=BATCH)
    np.testing.assert_array_equal(model.predict(Batches()), expected)           # (x, y)
    np.testing.assert_array_equal(model.predict(Batches(y=None)), expected)     # x only
    np.testing.assert_array_equal(model.predict((xb,) for xb, _ in _batches()), expected)
    np.testing.assert_array_equal(model.predict(_forever(), steps=2), expected[:64])
    assert model.predict(Batches(), steps=3).shape == (96, 10)


def test_evaluate_with_steps_past_the_end_uses_what_there_is_with_keras_warning():
    model = _mnist_mlp()
    with pytest.warns(UserWarning, match=RAN_OUT):
        loss = model.evaluate(Batches(), steps=20, verbose=0)
    assert loss == model.evaluate(X, Y, verbose=0)


# --- progress bar, History, callbacks ---------------------------------------------------

def test_progress_bar_with_known_and_unknown_step_counts(capsys):
    model = _mnist_mlp()
    model.fit(Batches(), epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and f"{STEPS}/{STEPS}" in out
    model.fit(_forever(), steps_per_epoch=5, epochs=1, verbose=1)
    assert "5/5" in capsys.readouterr().out
    model.fit(_batches(), verbose=1)       # a generator of unknown length: an open count
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and f"{STEPS}step" in out and f"/{STEPS}" not in out
    model.evaluate(_batches(), verbose=1)
    out = capsys.readouterr().out
    assert f"{STEPS}step" in out and "accuracy:" in out
    model.predict(_batches(), verbose=1)
    assert f"{STEPS}step" in capsys.readouterr().out

    model.fit(_batches(), verbose=2, validation_data=Batches(X[:64], Y[:64]))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Epoch 1/1 - ")
    assert "ms/step - loss:" in lines[0] and "val_accuracy:" in lines[0]
    model.fit(_forever(), steps_per_epoch=3, epochs=3, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    model.fit(_forever(), steps_per_epoch=3, epochs=2, verbose=0)
    assert capsys.readouterr() == ("", "")


def test_callbacks_see_every_batch_and_history_every_epoch():
    counter = _BatchCounter()
    history = _mnist_mlp().fit(Batches(), epochs=3, verbose=0, callbacks=[counter],
                               validation_data=_forever(), validation_steps=2)
    assert counter.steps_param == STEPS and counter.per_epoch == [STEPS] * 3
    assert history.epoch == [0, 1, 2]
    assert all(len(v) == 3 for v in history.history.values())
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}

    stopper = callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    history = _mnist_mlp().fit(_forever(), steps_per_epoch=2, epochs=10, verbose=0,
                               callbacks=[stopper])
    assert history.epoch == [0, 1]      # stop_training ends a generator's epochs too


def test_pydataset_is_keras_pydataset():
    assert utils.Sequence is PyDataset
    dataset = Batches(workers=4, use_multiprocessing=True, max_queue_size=3)
    assert (dataset.workers, dataset.use_multiprocessing, dataset.max_queue_size) == (4, True, 3)

    class NoSuper(PyDataset):   # forgot super().__init__(): still works, with the defaults
        def __len__(self):
            return 1

        def __getitem__(self, index):
            return X[:8], Y[:8]

    assert (NoSuper().workers, NoSuper().num_batches) == (1, 1)
    _mnist_mlp().fit(NoSuper(), verbose=0)
    with pytest.raises(NotImplementedError):
        PyDataset()[0]
    with pytest.raises(NotImplementedError, match="implement the `num_batches` property"):
        _ = PyDataset().num_batches


# --- pad_sequences and normalize --------------------------------------------------------

SEQUENCES = [[1], [2, 3], [4, 5, 6]]


def test_pad_sequences_keras_docstring_examples():
    out = pad_sequences(SEQUENCES)
    assert out.dtype == np.int32 and out.shape == (3, 3)
    assert out.tolist() == [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    assert pad_sequences(SEQUENCES, value=-1).tolist() == [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]
    assert pad_sequences(SEQUENCES, padding="post").tolist() == [[1, 0, 0], [2, 3, 0],
                                                                 [4, 5, 6]]
    assert pad_sequences(SEQUENCES, maxlen=2).tolist() == [[0, 1], [2, 3], [5, 6]]


def test_pad_sequences_truncating_and_maxlen():
    assert pad_sequences(SEQUENCES, maxlen=2, truncating="post").tolist() == [[0, 1], [2, 3],
                                                                              [4, 5]]
    assert pad_sequences(SEQUENCES, maxlen=2, truncating="post", padding="post").tolist() == \
        [[1, 0], [2, 3], [4, 5]]
    assert pad_sequences(SEQUENCES, maxlen=5).tolist()[0] == [0, 0, 0, 0, 1]
    assert pad_sequences(SEQUENCES, maxlen=1).tolist() == [[1], [3], [6]]
    assert pad_sequences(SEQUENCES, maxlen=0).shape == (3, 0)
    as_arrays = [np.array(s) for s in SEQUENCES]   # arrays are sequences too
    assert pad_sequences(as_arrays, maxlen=2).tolist() == [[0, 1], [2, 3], [5, 6]]
    assert pad_sequences(([7, 8], (9,))).tolist() == [[7, 8], [0, 9]]   # a tuple of tuples


def test_pad_sequences_dtypes_values_and_vectors():
    floats = pad_sequences([[0.5], [1.5, 2.5]], dtype="float32", value=np.nan)
    assert floats.dtype == np.float32 and np.isnan(floats[0, 0]) and floats[1].tolist() == \
        [1.5, 2.5]
    words = pad_sequences([["the", "cat"], ["a"]], dtype=object, value="<pad>")
    assert words.dtype == object and words.tolist() == [["the", "cat"], ["<pad>", "a"]]
    chars = pad_sequences([["a", "b"], ["c"]], dtype="<U1", value="_", padding="post")
    assert chars.tolist() == [["a", "b"], ["c", "_"]]
    with pytest.raises(ValueError, match="You should set `dtype=object` for variable length"):
        pad_sequences([["a"]], value="<pad>")
    vectors = pad_sequences([np.ones((1, 2)), np.full((3, 2), 2.0)], dtype="float32")
    assert vectors.shape == (2, 3, 2) and vectors[0].tolist() == [[0, 0], [0, 0], [1, 1]]
    with pytest.raises(ValueError, match=r"Shape of sample \(3,\) of sequence at position 1 "
                                         r"is different from expected shape \(2,\)"):
        pad_sequences([np.ones((1, 2)), np.ones((2, 3))])


def test_pad_sequences_empty_sequences_and_errors():
    assert pad_sequences([[], [1, 2], []]).tolist() == [[0, 0], [1, 2], [0, 0]]
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences([], maxlen=4).shape == (0, 4)
    assert pad_sequences([]).shape == (0, 0)
    with pytest.raises(ValueError, match="`sequences` must be iterable"):
        pad_sequences(5)
    with pytest.raises(ValueError, match="must be a list of iterables. Found non-iterable: 3"):
        pad_sequences([[1], 3])
    with pytest.raises(ValueError, match='Padding type "middle" not understood'):
        pad_sequences(SEQUENCES, padding="middle")
    with pytest.raises(ValueError, match='Truncating type "both" not understood'):
        pad_sequences(SEQUENCES, truncating="both")


def test_padded_sequences_train_an_embedding_model():
    from baeum.layers import Embedding, GlobalAveragePooling1D

    reviews = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10, 11], [2]] * 8
    labels = np.array([1, 0, 1, 0] * 8)
    x = pad_sequences(reviews, maxlen=5)
    assert x.shape == (32, 5)
    model = Sequential([Input(shape=(5,)), Embedding(12, 4), GlobalAveragePooling1D(),
                        Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, labels, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_normalize_matches_numpy():
    x = _rng.standard_normal((5, 4))
    np.testing.assert_allclose(normalize(x), x / np.linalg.norm(x, axis=-1, keepdims=True))
    np.testing.assert_allclose(normalize(x, axis=0), x / np.linalg.norm(x, axis=0,
                                                                        keepdims=True))
    np.testing.assert_allclose(normalize(x, order=1),
                               x / np.abs(x).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(np.linalg.norm(normalize(x), axis=-1), np.ones(5))
    images = _rng.random((2, 3, 4, 5))
    np.testing.assert_allclose(normalize(images, axis=1),
                               images / np.linalg.norm(images, axis=1, keepdims=True))
    assert normalize([[3, 4], [0, 0]]).tolist() == [[0.6, 0.8], [0.0, 0.0]]  # 0 stays 0
    assert normalize(np.array([3.0, 4.0])).tolist() == [0.6, 0.8]
    x32 = x.astype(np.float32)
    assert normalize(x32).dtype == np.float32


def test_docstring_examples():
    for module in (utils, data_module):
        failures, _ = doctest.testmod(module)
        assert failures == 0


# --- timeseries_dataset_from_array: Keras's three docstring examples, and a forecast --------
def test_timeseries_windows_are_kerass_example_1():
    windows = baeum.utils.timeseries_dataset_from_array(
        np.arange(99), None, sequence_length=10, sampling_rate=2, sequence_stride=3,
        batch_size=None)
    assert len(windows) == 1                                   # batch_size=None: one batch
    batch = windows[0]
    assert batch[0].tolist() == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert batch[1].tolist() == [3, 5, 7, 9, 11, 13, 15, 17, 19, 21]
    assert batch[-1].tolist() == [78, 80, 82, 84, 86, 88, 90, 92, 94, 96]   # 97, 98 dropped


def test_timeseries_windows_and_their_targets_are_kerass_example_2():
    data = np.random.default_rng(0).standard_normal(200)
    windows = baeum.utils.timeseries_dataset_from_array(data[:-10], data[10:],
                                                        sequence_length=10)
    inputs, targets = windows[0]
    np.testing.assert_array_equal(inputs[0], data[:10])        # steps 0-9 ...
    assert targets[0] == data[10]                              # ... forecast step 10
    assert sum(len(windows[i][0]) for i in range(len(windows))) == 181


def test_non_overlapping_windows_are_kerass_example_3():
    x, y = np.arange(100), np.arange(100) * 2
    inputs = baeum.utils.timeseries_dataset_from_array(x, None, sequence_length=20,
                                                       sequence_stride=20)
    targets = baeum.utils.timeseries_dataset_from_array(y, None, sequence_length=20,
                                                        sequence_stride=20)
    np.testing.assert_array_equal(inputs[0][0], x[:20])
    np.testing.assert_array_equal(targets[0][1], y[20:40])


def test_timeseries_shuffle_start_and_end():
    make = baeum.utils.timeseries_dataset_from_array
    a = make(np.arange(50), np.arange(50), sequence_length=5, shuffle=True, seed=3)[0]
    b = make(np.arange(50), np.arange(50), sequence_length=5, shuffle=True, seed=3)[0]
    np.testing.assert_array_equal(a[0], b[0])
    assert sorted(a[0][:, 0].tolist()) == list(range(46)) and a[0][:, 0].tolist() != \
        list(range(46))
    np.testing.assert_array_equal(a[1], a[0][:, 0])            # targets follow their windows
    part = make(np.arange(50), None, sequence_length=5, start_index=10, end_index=30)[0]
    assert part[0].tolist() == [10, 11, 12, 13, 14] and part[-1].tolist() == [25, 26, 27,
                                                                               28, 29]
    with pytest.raises(ValueError, match=r"`sequence_length` must be a positive integer"):
        make(np.arange(50), None, sequence_length=0)
    with pytest.raises(ValueError, match=r"no window of 60 steps"):
        make(np.arange(50), None, sequence_length=60)
    with pytest.raises(ValueError, match=r"`end_index` must be higher than `start_index`"):
        make(np.arange(50), None, sequence_length=5, start_index=20, end_index=10)


def test_an_lstm_forecasts_a_sine_from_its_windows():
    t = np.arange(1200) * 0.1
    series = np.sin(t).astype(np.float32)[:, None]             # (steps, 1 feature)
    make = baeum.utils.timeseries_dataset_from_array
    train = make(series[:-20], series[20:, 0], sequence_length=20, end_index=900,
                 batch_size=64, shuffle=True, seed=0)
    test = make(series[:-20], series[20:, 0], sequence_length=20, start_index=900,
                batch_size=64)
    baeum.random.seed(0)
    model = baeum.Sequential([layers.Input(shape=(20, 1)), layers.LSTM(16), layers.Dense(1)])
    model.compile(baeum.optimizers.Adam(0.01), "mse")
    model.fit(train, epochs=8, verbose=0)
    assert model.evaluate(test, verbose=0) < 0.02              # series variance: 0.5
