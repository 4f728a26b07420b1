"""clone_model (same architecture, new weights), to_json / model_from_json (the
architecture alone), for the three ways to build a model."""

import json

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.models import Sequential, clone_model, model_from_json


def _sequential():
    return Sequential([layers.Input(shape=(4,)), layers.Dense(8, activation="relu"),
                       layers.Dropout(0.2), layers.Dense(3, activation="softmax")])


def _functional():
    inputs = baeum.Input(shape=(4,))
    h = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(3)(layers.concatenate([h, inputs]))
    return baeum.Model(inputs, outputs)


@baeum.saving.register_serializable(package="Tests")
class TwoLayers(baeum.Model):
    def __init__(self, units=5, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden, self.out = layers.Dense(units, activation="tanh"), layers.Dense(2)

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _subclassed():
    model = TwoLayers(units=6)
    model(np.zeros((1, 4), np.float32))
    return model


X = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)


@pytest.mark.parametrize("make", [_sequential, _functional, _subclassed])
def test_clone_has_the_architecture_and_new_weights(make):
    model = make()
    clone = clone_model(model)
    assert type(clone) is type(model) and clone is not model
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert not any(np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights())
                   if a.ndim == 2)                                  # kernels drawn afresh
    assert all(a is not b for a, b in zip(clone.weights, model.weights))
    clone.set_weights(model.get_weights())                          # the target-network idiom
    np.testing.assert_array_equal(clone.predict(X, verbose=0), model.predict(X, verbose=0))


def test_clone_function_replaces_each_layer_of_a_sequential():
    model = _sequential()

    def no_dropout(layer):
        if isinstance(layer, layers.Dropout):
            return layers.Activation("linear")
        return layer.__class__.from_config(layer.get_config())

    clone = clone_model(model, clone_function=no_dropout)
    assert [type(layer).__name__ for layer in clone.layers] == ["Dense", "Activation", "Dense"]
    assert clone.count_params() == model.count_params()


@pytest.mark.parametrize("make", [_sequential, _functional, _subclassed])
def test_to_json_and_back_gives_the_same_architecture(make):
    model = make()
    text = model.to_json()
    assert json.loads(text)["class_name"] == type(model).__name__
    again = model_from_json(text)
    assert [type(layer) for layer in again.layers] == [type(layer) for layer in model.layers]
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
    again.set_weights(model.get_weights())
    np.testing.assert_array_equal(again.predict(X, verbose=0), model.predict(X, verbose=0))


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"model_from_json expects the JSON string of "
                                         r"model.to_json\(\)"):
        model_from_json("{not json")
    with pytest.raises(ValueError, match=r"the JSON string names an unknown layer class 'Nope'"):
        model_from_json(json.dumps({"class_name": "Nope", "config": {}}))
    with pytest.raises(NotImplementedError, match=r"clone_model: baeum does not support "
                                                  r"\['input_tensors'\]"):
        clone_model(_sequential(), input_tensors=[baeum.Input(shape=(4,))])
    with pytest.raises(NotImplementedError, match=r"clone_function is supported for "
                                                  r"Sequential models only"):
        clone_model(_functional(), clone_function=lambda layer: layer)
