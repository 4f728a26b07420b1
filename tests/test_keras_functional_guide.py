"""Keras 3's guide "The Functional API", on baeum: an autoencoder from an encoder and a
decoder model used as layers, an ensemble, a model with named inputs and outputs and
loss weights, the toy ResNet (with Keras's parameter count), shared layers, a custom
layer through get_config / Model.from_config, and a subclassed layer that calls a
functional model."""

import numpy as np
import pytest

import baeum
from baeum import layers, ops


def _decoder_layers(x):
    x = layers.Reshape((4, 4, 1))(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    return layers.Conv2DTranspose(1, 3, activation="relu")(x)


def test_an_autoencoder_of_two_models_used_as_layers():
    encoder_input = baeum.Input(shape=(28, 28, 1), name="img")
    x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    encoder = baeum.Model(encoder_input, layers.GlobalMaxPooling2D()(x), name="encoder")
    decoder_input = baeum.Input(shape=(16,), name="encoded_img")
    decoder = baeum.Model(decoder_input, _decoder_layers(decoder_input), name="decoder")
    autoencoder_input = baeum.Input(shape=(28, 28, 1), name="img")
    autoencoder = baeum.Model(autoencoder_input, decoder(encoder(autoencoder_input)),
                              name="autoencoder")
    assert encoder.output_shape == (None, 16) and autoencoder.output_shape == (None, 28, 28, 1)
    images = np.random.default_rng(0).random((2, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(autoencoder.predict(images, verbose=0),
                               decoder.predict(encoder.predict(images, verbose=0), verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_an_ensemble_averages_its_models():
    def get_model():
        inputs = baeum.Input(shape=(128,))
        return baeum.Model(inputs, layers.Dense(1)(inputs))

    models = [get_model() for _ in range(3)]
    inputs = baeum.Input(shape=(128,))
    ensemble = baeum.Model(inputs, layers.average([m(inputs) for m in models]))
    x = np.random.default_rng(1).random((4, 128)).astype(np.float32)
    np.testing.assert_allclose(ensemble.predict(x, verbose=0),
                               np.mean([m.predict(x, verbose=0) for m in models], axis=0),
                               rtol=1e-5, atol=1e-6)


def test_named_inputs_and_outputs_with_loss_weights():
    num_tags, num_words, num_departments = 12, 10000, 4
    title_input = baeum.Input(shape=(None,), name="title")
    body_input = baeum.Input(shape=(None,), name="body")
    tags_input = baeum.Input(shape=(num_tags,), name="tags")
    title_features = layers.LSTM(128)(layers.Embedding(num_words, 64)(title_input))
    body_features = layers.LSTM(32)(layers.Embedding(num_words, 64)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    model = baeum.Model(
        inputs=[title_input, body_input, tags_input],
        outputs={"priority": layers.Dense(1, name="priority")(x),
                 "department": layers.Dense(num_departments, name="department")(x)})
    model.compile(optimizer=baeum.optimizers.RMSprop(1e-3),
                  loss={"priority": baeum.losses.BinaryCrossentropy(from_logits=True),
                        "department": baeum.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2})
    rng = np.random.default_rng(2)
    inputs = {"title": rng.integers(num_words, size=(64, 10)),
              "body": rng.integers(num_words, size=(64, 100)),
              "tags": rng.integers(2, size=(64, num_tags)).astype("float32")}
    targets = {"priority": rng.random((64, 1)),
               "department": np.eye(num_departments)[rng.integers(0, num_departments, 64)]}
    logs = model.evaluate(inputs, targets, batch_size=64, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["priority_loss"] + 0.2 * logs["department_loss"],
                                         rel=1e-5)
    history = model.fit(inputs, targets, epochs=1, batch_size=32, verbose=0)
    assert sorted(history.history) == ["department_loss", "loss", "priority_loss"]


def test_the_toy_resnet_has_kerass_parameter_count_and_trains():
    inputs = baeum.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
    x = layers.Dense(256, activation="relu")(layers.GlobalAveragePooling2D()(x))
    outputs = layers.Dense(10)(layers.Dropout(0.5)(x))
    model = baeum.Model(inputs, outputs, name="toy_resnet")
    assert model.count_params() == 223_242                      # "Total params: 223,242"
    model.compile(optimizer=baeum.optimizers.RMSprop(1e-3),
                  loss=baeum.losses.CategoricalCrossentropy(from_logits=True), metrics=["acc"])
    rng = np.random.default_rng(3)
    x_train = rng.random((64, 32, 32, 3)).astype("float32")
    y_train = baeum.utils.to_categorical(rng.integers(0, 10, 64), 10)
    history = model.fit(x_train, y_train, batch_size=32, epochs=1, validation_split=0.25,
                        verbose=0)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]


def test_a_shared_layer_has_one_set_of_weights():
    shared_embedding = layers.Embedding(1000, 128)
    text_input_a = baeum.Input(shape=(None,), dtype="int32")
    text_input_b = baeum.Input(shape=(None,), dtype="int32")
    model = baeum.Model([text_input_a, text_input_b],
                        [shared_embedding(text_input_a), shared_embedding(text_input_b)])
    assert model.count_params() == 128_000
    ids = np.array([[1, 2, 3]])
    a, b = model.predict([ids, ids], verbose=0)
    np.testing.assert_array_equal(a, b)


@baeum.saving.register_keras_serializable(package="FunctionalGuide")
class CustomDense(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


def test_a_custom_layer_comes_back_through_get_config_and_from_config():
    inputs = baeum.Input((4,))
    model = baeum.Model(inputs, CustomDense(10)(inputs))
    new_model = baeum.Model.from_config(model.get_config(),
                                        custom_objects={"CustomDense": CustomDense})
    assert isinstance(new_model.layers[-1], CustomDense) and new_model.output_shape == (None, 10)
    new_model.set_weights(model.get_weights())
    x = np.random.default_rng(4).random((3, 4)).astype(np.float32)
    np.testing.assert_array_equal(new_model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_subclassed_layer_calls_a_functional_model():
    units, timesteps, input_dim = 32, 10, 5
    inputs = baeum.Input((None, units))
    classifier = baeum.Model(inputs, layers.Dense(1)(layers.GlobalAveragePooling1D()(inputs)))

    class CustomRNN(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.projection_1 = layers.Dense(units=units, activation="tanh")
            self.projection_2 = layers.Dense(units=units, activation="tanh")
            self.classifier = classifier

        def call(self, inputs):
            outputs, state = [], ops.zeros(shape=(inputs.shape[0], self.units))
            for t in range(inputs.shape[1]):
                state = self.projection_1(inputs[:, t, :]) + self.projection_2(state)
                outputs.append(state)
            return self.classifier(ops.stack(outputs, axis=1))

    rnn = CustomRNN()
    assert rnn(ops.zeros((1, timesteps, input_dim))).shape == (1, 1)
    assert len(rnn.trainable_weights) == 6          # two projections and the classifier
