"""Rescaling, Normalization, Lambda, GlobalAveragePooling1D / GlobalMaxPooling1D and
InputLayer: the harness, Keras's own documented examples, the regression tutorial's
normalized model, saving, and the errors."""

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Dense, Input
from baeum.models import Model, Sequential, load_model
from layer_harness import run_layer_test


@pytest.mark.parametrize("cls, kwargs, shape, out_shape, n_non_trainable, params", [
    (layers.Rescaling, {"scale": 1 / 255, "offset": -0.5}, (2, 4, 4, 3), (2, 4, 4, 3), 0, 0),
    (layers.Rescaling, {"scale": [1.0, 2.0, 3.0]}, (2, 4, 3), (2, 4, 3), 0, 0),
    (layers.Normalization, {}, (5, 9), (5, 9), 3, 19),            # mean 9, variance 9, count 1
    (layers.Normalization, {"axis": None}, (5, 4, 3), (5, 4, 3), 3, 3),
    (layers.Normalization, {"axis": (1, 2)}, (5, 4, 3), (5, 4, 3), 3, 25),
    (layers.Normalization, {"mean": [1.0, 2.0], "variance": [4.0, 9.0]}, (3, 2), (3, 2), 0, 0),
    (layers.GlobalAveragePooling1D, {}, (2, 7, 5), (2, 5), 0, 0),
    (layers.GlobalMaxPooling1D, {"keepdims": True}, (2, 7, 5), (2, 1, 5), 0, 0),
])
def test_harness(cls, kwargs, shape, out_shape, n_non_trainable, params):
    run_layer_test(cls, kwargs, shape, out_shape, 0, n_non_trainable, expected_params=params)


# --- Normalization: the examples of Keras's documentation -----------------------------------

def test_normalization_scalar_statistics_with_axis_none():
    layer = layers.Normalization(axis=None)
    layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))      # mean 3, variance 2
    np.testing.assert_allclose(layer(np.array([1.0, 2.0, 3.0])).data,
                               [-1.4142135, -0.70710677, 0.0], rtol=1e-6)


def test_normalization_per_feature_adapt_and_invert():
    data = np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0], [0.0, 7.0, 4.0], [2.0, 9.0, 6.0]])
    layer = layers.Normalization(axis=-1)
    layer.adapt(data)                                      # means 1, 8, 5; variances 1
    assert layer(np.array([[0.0, 7.0, 4.0]])).data.tolist() == [[-1.0, -1.0, -1.0]]
    assert layer.mean.data.tolist() == [1.0, 8.0, 5.0]
    assert layer.variance.data.tolist() == [1.0, 1.0, 1.0] and int(layer.count.data) == 4
    inverse = layers.Normalization(axis=-1, invert=True)
    inverse.adapt(data)
    assert inverse(np.array([[1.0, 2.0, 3.0]])).data.tolist() == [[2.0, 10.0, 8.0]]


def test_normalization_with_given_mean_and_variance():
    layer = layers.Normalization(mean=3.0, variance=2.0)
    np.testing.assert_allclose(layer(np.array([[1.0], [2.0], [3.0]])).data,
                               [[-1.4142135], [-0.70710677], [0.0]], rtol=1e-6)
    assert layer.weights == []                             # constants, not weights


def test_normalization_constant_feature_is_not_divided_by_zero():
    layer = layers.Normalization()
    layer.adapt(np.array([[1.0, 5.0], [3.0, 5.0]]))        # the second feature never varies
    out = layer(np.array([[2.0, 5.0]])).data
    assert out.tolist() == [[0.0, 0.0]]


def test_normalization_passes_the_gradient_to_its_input():
    layer = layers.Normalization(dtype="float64")
    layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))      # std 1 and 10
    x = baeum.tensor(np.zeros((1, 2)), requires_grad=True)
    layer(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[1.0, 0.1]])


def test_regression_tutorial_normalizer_then_dense_layers(rng, tmp_path):
    # TensorFlow's "basic regression" tutorial: adapt a Normalization to the features,
    # put it first in a Sequential without an input shape, train with MAE.
    x = rng.normal([300.0, 5.0, 0.01], [100.0, 2.0, 0.005], size=(400, 3))
    y = x @ np.array([0.01, 1.0, 200.0]) + 3.0
    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(x)
    model = Sequential([normalizer, Dense(32, activation="relu"), Dense(1)])
    model.compile(optimizer=baeum.optimizers.Adam(0.01), loss="mean_absolute_error")
    history = model.fit(x, y, epochs=60, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.25 * np.abs(y - y.mean()).mean()
    assert model.count_params() == 19 - 12 + 3 * 32 + 32 + 33   # 7 + 128 + 33
    path = tmp_path / "regression.baeum"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(x[:5]), model.predict(x[:5]))
    np.testing.assert_array_equal(loaded.layers[0].mean.data, normalizer.mean.data)


def test_one_feature_normalizer_adapted_on_a_flat_array(rng):
    # The tutorial's single-feature model: Normalization(input_shape=[1,], axis=None)
    # adapted on a 1-D column, then applied to (batch, 1) inputs.
    horsepower = rng.normal(100.0, 30.0, size=200)
    normalizer = layers.Normalization(input_shape=[1], axis=None)
    normalizer.adapt(horsepower)
    model = Sequential([normalizer, Dense(1)])
    assert model.output_shape == (None, 1)
    out = normalizer(horsepower[:, None]).data
    np.testing.assert_allclose(out.mean(), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(), 1.0, rtol=1e-4)


@pytest.mark.parametrize("call, match", [
    (lambda: layers.Normalization(mean=1.0), "both mean and variance"),
    (lambda: layers.Normalization(mean=[1.0, 2.0], variance=[1.0]), "the same shape"),
    (lambda: layers.Normalization(mean=0.0, variance=1.0).adapt(np.ones((2, 2))),
     "adapt\\(\\) would overwrite them"),
    (lambda: layers.Normalization(axis=3).adapt(np.ones((4, 2))), "axis=\\(3,\\) does not fit"),
    (lambda: layers.Normalization().adapt(np.array([[1.0, np.nan]])), "NaN or inf"),
    (lambda: layers.Normalization().adapt(np.ones((0, 3))), "an array of samples"),
    (lambda: layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0])(np.ones((2, 3))),
     "do not broadcast"),
])
def test_normalization_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_normalization_adapted_for_3_features_rejects_2():
    layer = layers.Normalization()
    layer.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match="statistics of shape \\(3,\\).*shape \\(4, 2\\)"):
        layer.adapt(np.ones((4, 2)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.ones((4, 2)))


# --- Rescaling -----------------------------------------------------------------------------

def test_rescaling_pixels():
    layer = layers.Rescaling(1.0 / 255)
    out = layer(np.array([[0.0, 51.0, 255.0]], np.float32)).data
    np.testing.assert_allclose(out, [[0.0, 0.2, 1.0]], rtol=1e-6)
    centred = layers.Rescaling(1.0 / 127.5, offset=-1)      # to [-1, 1]
    np.testing.assert_allclose(centred(np.array([[0.0, 255.0]])).data, [[-1.0, 1.0]])
    assert layers.Rescaling(2, offset=1).get_config()["offset"] == 1.0


# --- Lambda --------------------------------------------------------------------------------

def test_lambda_in_a_functional_model_with_gradients_and_arguments(rng):
    inputs = Input(shape=(4,))
    doubled = layers.Lambda(lambda x, factor: x * factor, arguments={"factor": 2.0})(inputs)
    summed = layers.Lambda(lambda x: x.sum(axis=1, keepdims=True), output_shape=(1,))(doubled)
    model = Model(inputs, summed)
    assert model.output_shape == (None, 1)
    x = baeum.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    model(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((3, 4), 2.0))


def test_lambda_gets_the_training_flag_when_it_asks_for_it():
    seen = []
    layer = layers.Lambda(lambda x, training=None: seen.append(training) or x)
    layer(np.ones((1, 2)), training=True)
    layer(np.ones((1, 2)))
    assert seen == [True, None]


def test_lambda_saves_only_a_registered_function(tmp_path, rng):
    @baeum.saving.register_serializable(package="Tests")
    def halve(x):
        return x * 0.5

    model = Sequential([Input(shape=(2,)), layers.Lambda(halve), Dense(1)])
    model.save(tmp_path / "halve.baeum")
    loaded = load_model(tmp_path / "halve.baeum")
    x = rng.standard_normal((3, 2)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))

    anonymous = Sequential([Input(shape=(2,)), layers.Lambda(lambda x: x * 0.5)])
    with pytest.raises(ValueError, match="cannot be saved: baeum does not store code"):
        anonymous.save(tmp_path / "anonymous.baeum")
    assert not (tmp_path / "anonymous.baeum").exists()       # nothing half-written
    with pytest.raises(TypeError, match="Lambda needs a function"):
        layers.Lambda(3)


def test_lambda_with_an_unregistered_name_fails_to_load_clearly():
    with pytest.raises(ValueError, match="Lambda function 'Nowhere>f' is not registered"):
        layers.Lambda.from_config({"function": "Nowhere>f", "name": "lambda"})


# --- GlobalAveragePooling1D: the text classification tutorial's bag of embeddings ------------

def test_bag_of_embeddings_classifier_learns_which_words_matter(rng):
    # Sentences of 8 ids; the label says whether word 3 occurs in it.
    ids = rng.integers(1, 20, size=(600, 8))
    y = (ids == 3).any(axis=1).astype(np.int64)
    model = Sequential([Input(shape=(8,), dtype="int64"), layers.Embedding(20, 8),
                        layers.GlobalAveragePooling1D(), Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ids, y, epochs=40, batch_size=32, verbose=0)
    assert model.evaluate(ids, y, verbose=0)[1] > 0.95


def test_global_pooling_1d_values_and_rank_error():
    x = np.array([[[1.0, -2.0], [3.0, 4.0], [5.0, 0.0]]])
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(x).data, [[3.0, 2.0 / 3.0]])
    assert layers.GlobalMaxPooling1D()(x).data.tolist() == [[5.0, 4.0]]
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layers.GlobalAveragePooling1D()(np.ones((2, 3)))


# --- InputLayer ----------------------------------------------------------------------------

def test_input_layer_starts_a_sequential_like_input():
    for first in (layers.InputLayer(shape=(4,)), layers.InputLayer(input_shape=(4,)),
                  layers.InputLayer(batch_shape=(None, 4))):
        model = Sequential([first, Dense(3)])
        assert model.built and model.input_shape == (None, 4) and model.count_params() == 15
    with pytest.raises(ValueError, match="InputLayer needs shape="):
        layers.InputLayer()
