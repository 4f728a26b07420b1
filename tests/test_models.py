"""Models: Sequential, functional and subclassed; weights, summary, deepcopy, training flag."""

import copy

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Dense, Dropout, Input
from baeum.models import Functional, InputLayer, Model, Sequential


@pytest.fixture(autouse=True)
def _fresh_names():
    layers.clear_session()   # dense, dense_1, ... start over, as in a fresh Keras session
    yield


def _x(rng, n=6, d=4):
    return rng.standard_normal((n, d)).astype(np.float32)


# --- Sequential ---------------------------------------------------------------------------

def test_sequential_builds_as_soon_as_the_input_shape_is_known():
    model = Sequential([Dense(5, input_shape=(4,)), Dense(10), Dense(3)])
    assert model.built and model.count_params() == 118     # 25 + 60 + 33, as in Keras
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dense_2"]
    assert model.output_shape == (None, 3)

    with_input = Sequential([Input(shape=(4,)), Dense(5), Dense(10), Dense(3)])
    assert with_input.built and with_input.count_params() == 118
    assert len(with_input.layers) == 3                       # the Input is not a layer


def test_sequential_add_pop_and_deferred_build(rng):
    model = Sequential()
    model.add(Dense(8))
    model.add(Dense(2))
    assert not model.built
    with pytest.raises(ValueError, match="not built yet"):
        model.count_params()
    out = model(_x(rng))                                      # builds from the data
    assert out.shape == (6, 2) and model.built and model.count_params() == 4 * 8 + 8 + 18
    popped = model.pop()
    assert popped.name == "dense_1" and [layer.name for layer in model.layers] == ["dense"]
    assert model(_x(rng)).shape == (6, 8)
    with pytest.raises(TypeError, match="takes a layer"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique names"):
        model.add(model.layers[0])


def test_sequential_input_shape_mismatch_is_the_layers_own_error(rng):
    model = Sequential([Input(shape=(4,)), Dense(3)])
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 4"):
        model(_x(rng, d=5))


# --- functional ---------------------------------------------------------------------------

def test_model_with_inputs_and_outputs_is_functional(rng):
    inputs = Input(shape=(4,))
    hidden = Dense(5, activation="relu")(inputs)
    outputs = Dense(3)(hidden)
    model = Model(inputs=inputs, outputs=outputs)
    assert isinstance(model, Functional) and model.name == "functional"
    assert isinstance(model.layers[0], InputLayer)
    assert model.count_params() == 25 + 18
    x = _x(rng)
    expected = model.layers[2](model.layers[1](x)).data
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-6)
    positional = Model(inputs, outputs)
    assert isinstance(positional, Functional)


def test_functional_multiple_inputs_and_outputs_lists_and_dicts(rng):
    a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
    ha = Dense(4, name="ha")(a)
    hb = Dense(4, name="hb")(b)
    joined = baeum.layers.Dense(4, name="j")(ha)     # two independent heads
    out1, out2 = Dense(2, name="out1")(joined), Dense(1, name="out2")(hb)
    model = Model(inputs=[a, b], outputs=[out1, out2])
    xa, xb = _x(rng, d=3), _x(rng, d=2)
    y1, y2 = model([xa, xb])
    assert y1.shape == (6, 2) and y2.shape == (6, 1)
    assert model.output_names == ["out1", "out2"]
    by_name = model({"a": xa, "b": xb})
    np.testing.assert_array_equal(by_name[0].data, y1.data)
    with pytest.raises(ValueError, match="expects 2 input"):
        model(xa)

    dict_model = Model(inputs={"a": a, "b": b}, outputs={"first": out1, "second": out2})
    out = dict_model({"a": xa, "b": xb})
    assert set(out) == {"first", "second"}
    np.testing.assert_array_equal(out["second"].data, y2.data)


def test_shared_layer_uses_one_set_of_weights(rng):
    a, b = Input(shape=(4,), name="left"), Input(shape=(4,), name="right")
    shared = Dense(3)
    model = Model([a, b], [shared(a), shared(b)])
    assert len(model.trainable_weights) == 2
    x = _x(rng)
    ya, yb = model([x, x])
    np.testing.assert_array_equal(ya.data, yb.data)
    text = _summary(model, line_length=120)
    assert "Connected to" in text
    assert "left[0][0], right[0][0]" in text   # one layer, two calls


def test_nested_models(rng):
    encoder = Sequential([Input(shape=(4,)), Dense(3, activation="relu")], name="encoder")
    inputs = Input(shape=(4,))
    outputs = Dense(2)(encoder(inputs))
    model = Model(inputs, outputs)
    assert model.layers[1] is encoder
    assert len(model.trainable_weights) == 4
    x = _x(rng)
    np.testing.assert_allclose(model(x).data, model.layers[2](encoder(x)).data, rtol=1e-6)
    outer = Sequential([model, Dense(1)])
    assert outer(x).shape == (6, 1)


def test_graph_disconnected_is_an_error():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    out = Dense(1)(Dense(2)(b))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(inputs=a, outputs=out)
    with pytest.raises(TypeError, match="symbolic tensors"):
        Model(inputs=a, outputs=np.ones(3))


# --- subclassing --------------------------------------------------------------------------

class TwoTower(Model):
    def __init__(self):
        super().__init__()
        self.towers = [Dense(4, activation="relu"), Dense(4, activation="tanh")]
        self.heads = {"out": Dense(2)}
        self.dropout = Dropout(0.5)

    def call(self, inputs, training=None):
        h = self.towers[1](self.towers[0](inputs))
        return self.heads["out"](self.dropout(h))    # no training= passed: inherited


def test_subclassed_model_tracks_layers_in_order(rng):
    model = TwoTower()
    assert model.name == "two_tower"
    model(_x(rng))
    names = [w.name for w in model.trainable_weights]
    assert names == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias",
                     "dense_2/kernel", "dense_2/bias"]
    assert model.count_params() == 20 + 20 + 10
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense", "Dense",
                                                                "Dropout"]


def test_a_subclassed_models_layers_stay_its_own_after_fit(rng):
    class Wrapper(Model):
        def __init__(self):
            super().__init__()
            self.block = Sequential([Dense(2, kernel_regularizer="l2"), Dense(1)])

        def call(self, inputs):
            return self.block(inputs)

    model = Wrapper()
    model.compile("sgd", "mse")
    x = _x(rng)
    model.fit(x, np.zeros((len(x), 1), np.float32), verbose=0)
    # the trainer's cache of every nested layer is not a sublayer
    assert [type(layer).__name__ for layer in model.layers] == ["Sequential"]
    assert len(model.block.layers) == 2


def test_subclass_build_creates_weights():
    model = TwoTower()
    model.build((None, 4))
    assert model.count_params() == 50


# --- the training flag --------------------------------------------------------------------

@pytest.mark.parametrize("style", ["sequential", "functional", "subclass"])
def test_training_flag_reaches_dropout(rng, style):
    if style == "sequential":
        model = Sequential([Input(shape=(4,)), Dense(16), Dropout(0.5), Dense(2)])
    elif style == "functional":
        inputs = Input(shape=(4,))
        model = Model(inputs, Dense(2)(Dropout(0.5)(Dense(16)(inputs))))
    else:
        model = TwoTower()
    x = _x(rng)
    inference = model(x).data
    np.testing.assert_array_equal(model(x, training=False).data, inference)
    np.testing.assert_array_equal(model(x).data, inference)          # None = inference
    trained = [model(x, training=True).data for _ in range(2)]
    assert not np.allclose(trained[0], inference)
    assert not np.allclose(trained[0], trained[1])                   # fresh masks each call


def test_training_flag_fixed_in_the_graph_is_kept(rng):
    inputs = Input(shape=(4,))
    mc_dropout = Dropout(0.5)(Dense(16)(inputs), training=True)      # Monte Carlo dropout
    model = Model(inputs, Dense(2)(mc_dropout))
    x = _x(rng)
    assert not np.allclose(model(x).data, model(x).data)


# --- weights, deepcopy --------------------------------------------------------------------

def test_get_and_set_weights(rng):
    model = Sequential([Input(shape=(4,)), Dense(3), Dense(2)])
    other = Sequential([Input(shape=(4,)), Dense(3), Dense(2)])
    other.set_weights(model.get_weights())
    x = _x(rng)
    np.testing.assert_array_equal(model(x).data, other(x).data)
    with pytest.raises(ValueError, match="expects a list of 4 weight arrays"):
        other.set_weights(model.get_weights()[:2])


def test_non_trainable_weights_and_freezing():
    model = Sequential([Input(shape=(4,)), Dense(3), layers.BatchNormalization(), Dense(2)])
    assert model.count_params() == 15 + 12 + 8
    assert len(model.non_trainable_weights) == 2         # moving mean and variance
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 4
    assert len(model.non_trainable_weights) == 4


def test_deepcopy_is_independent_with_equal_weights(rng):
    model = Sequential([Input(shape=(4,)), Dense(8, activation="relu"), Dense(2)])
    model.compile("adam", "mse")
    x, y = _x(rng, 20), rng.standard_normal((20, 2)).astype(np.float32)
    model.fit(x, y, epochs=1, verbose=0)
    target = copy.deepcopy(model)
    for a, b in zip(model.weights, target.weights):
        assert a is not b and a.data is not b.data
        np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(model.predict(x), target.predict(x))
    before = target.get_weights()
    model.fit(x, y, epochs=2, verbose=0)           # training the original ...
    for w, old in zip(target.get_weights(), before):
        np.testing.assert_array_equal(w, old)       # ... leaves the copy alone
    target.fit(x, y, epochs=1, verbose=0)           # and the copy trains on its own
    assert not np.array_equal(target.get_weights()[0], before[0])


def test_deepcopy_of_a_tensor_drops_the_graph():
    w = baeum.tensor([1.0, 2.0], requires_grad=True)
    y = (w * 3).sum()
    c = copy.deepcopy(y)
    assert c.is_leaf and c.data is not y.data and c.item() == y.item()


# --- summary ------------------------------------------------------------------------------

def _summary(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


def test_summary_of_a_sequential_mlp_matches_keras():
    model = Sequential([Input(shape=(4,)), Dense(5), Dense(10), Dense(3)])
    text = _summary(model, line_length=80)
    assert text.startswith('Model: "sequential"')
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert [r.split("│")[1].strip() for r in rows] == ["dense (Dense)", "dense_1 (Dense)",
                                                       "dense_2 (Dense)"]
    assert [r.split("│")[2].strip() for r in rows] == ["(None, 5)", "(None, 10)", "(None, 3)"]
    assert [r.split("│")[3].strip() for r in rows] == ["25", "60", "33"]
    assert " Total params: 118 (472.00 B)" in text
    assert " Trainable params: 118 (472.00 B)" in text
    assert " Non-trainable params: 0 (0.00 B)" in text
    assert all(len(line) == 80 for line in text.splitlines()[1:-3])


def test_summary_of_keras_mnist_convnet():
    """keras.io "Simple MNIST convnet": the same shapes and 34,826 parameters."""
    model = Sequential([
        Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        Dense(10, activation="softmax"),
    ])
    text = _summary(model, line_length=100)
    expected = [("conv2d (Conv2D)", "(None, 26, 26, 32)", "320"),
                ("max_pooling2d (MaxPooling2D)", "(None, 13, 13, 32)", "0"),
                ("conv2d_1 (Conv2D)", "(None, 11, 11, 64)", "18,496"),
                ("max_pooling2d_1 (MaxPooling2D)", "(None, 5, 5, 64)", "0"),
                ("flatten (Flatten)", "(None, 1600)", "0"),
                ("dropout (Dropout)", "(None, 1600)", "0"),
                ("dense (Dense)", "(None, 10)", "16,010")]
    rows = [tuple(c.strip() for c in line.split("│")[1:4])
            for line in text.splitlines() if line.startswith("│")]
    assert rows == expected
    assert " Total params: 34,826 (136.04 KB)" in text


def test_summary_counts_non_trainable_and_unbuilt():
    model = Sequential([Input(shape=(4,)), Dense(8), layers.BatchNormalization()])
    text = _summary(model)
    assert " Total params: 72 (288.00 B)" in text
    assert " Trainable params: 56 (224.00 B)" in text
    assert " Non-trainable params: 16 (64.00 B)" in text
    unbuilt = _summary(Sequential([Dense(3)]))
    assert "0 (unbuilt)" in unbuilt and "?" in unbuilt


def test_summary_of_a_functional_chain_has_input_layer_row_and_no_connections():
    inputs = Input(shape=(4,), name="pixels")
    model = Model(inputs, Dense(3)(Dense(5)(inputs)))
    text = _summary(model)
    assert "pixels (InputLayer)" in text and "Connected to" not in text
    assert " Total params: 43 (172.00 B)" in text


def test_summary_of_a_subclassed_model(rng):
    model = TwoTower()
    model(_x(rng))
    text = _summary(model)
    assert 'Model: "two_tower"' in text and "(None, 4)" in text
    assert " Total params: 50 (200.00 B)" in text


def test_get_layer():
    model = Sequential([Input(shape=(4,)), Dense(3, name="hidden"), Dense(2)])
    assert model.get_layer("hidden") is model.layers[0]
    assert model.get_layer(index=-1) is model.layers[1]
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        model.get_layer("nope")


def test_keras_names_are_exported_from_baeum():
    assert baeum.Model is Model and baeum.Sequential is Sequential and baeum.Input is Input
    for name in ("layers", "models", "losses", "metrics", "callbacks", "initializers",
                 "regularizers", "activations", "optimizers"):
        assert getattr(baeum, name).__name__ == f"baeum.{name}"


# --- the symbolic graph: model.input, layer.output ------------------------------------------

def _mnist_convnet():
    return Sequential([
        Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), Dense(3, activation="softmax"),
    ])


def test_activation_model_sees_every_layer_of_a_sequential_cnn(rng):
    # The classic "visualize intermediate activations" recipe:
    #   Model(inputs=model.input, outputs=[layer.output for layer in model.layers])
    model = _mnist_convnet()
    activations = Model(inputs=model.input, outputs=[layer.output for layer in model.layers])
    x = rng.random((2, 8, 8, 1)).astype(np.float32)
    outs = activations.predict(x)
    assert [o.shape for o in outs] == [(2, 6, 6, 4), (2, 3, 3, 4), (2, 36), (2, 3)]
    h = x                                # the same, one layer at a time
    for layer, out in zip(model.layers, outs):
        h = layer(h).data
        np.testing.assert_allclose(out, h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs[-1], model.predict(x), rtol=1e-6)
    assert activations.layers[1] is model.layers[0]          # the same layers, shared weights
    assert model.inputs == [model.input] and model.outputs == [model.output]
    assert model.output is model.layers[-1].output
    assert model.layers[1].input is model.layers[0].output


def test_sequential_graph_follows_add_and_pop(rng):
    model = Sequential([Input(shape=(4,)), Dense(5, name="a"), Dense(3, name="b")])
    first = model.get_layer("a")
    model.pop()
    assert model.output is first.output and model.output.shape == (None, 5)
    model.add(Dense(2, name="c"))
    assert model.output.shape == (None, 2) and model.get_layer("c").input is first.output
    head = Model(model.input, model.output)
    x = _x(rng)
    np.testing.assert_array_equal(head.predict(x), model.predict(x))
    # A Sequential built from data has its graph too.
    lazy = Sequential([Dense(3)])
    lazy(_x(rng))
    assert lazy.input.shape == (None, 4) and lazy.output.shape == (None, 3)


def test_functional_input_and_output_and_the_first_call_of_a_shared_layer():
    a, b = Input(shape=(4,), name="a"), Input(shape=(4,), name="b")
    shared = Dense(3)
    ya, yb = shared(a), shared(b)
    model = Model({"a": a, "b": b}, [ya, yb])
    assert model.input == {"a": a, "b": b} and model.output == [ya, yb]
    assert model.inputs == [a, b] and model.outputs == [ya, yb]
    assert model.input_shape == [(None, 4), (None, 4)] and Model(a, ya).output_shape == (None, 3)
    assert shared.input is a and shared.output is ya              # the first call, as in Keras
    outer_in = Input(shape=(4,))
    inner = Model(a, ya)
    inner(outer_in)                                                # a call inside another graph
    assert inner.input is a and inner.output is ya                 # the model's own graph


def test_input_and_output_before_any_symbolic_call_are_clear_errors():
    with pytest.raises(AttributeError, match="dense has never been called and thus has no "
                                             "defined output"):
        _ = Dense(3).output
    with pytest.raises(AttributeError, match="never been called.*defined input"):
        _ = Dense(3).input
    unbuilt = Sequential([Dense(3)])
    with pytest.raises(AttributeError, match="Sequential model 'sequential' has no defined "
                                             "inputs yet: start it with an Input"):
        _ = unbuilt.input
    with pytest.raises(AttributeError, match="no defined outputs yet"):
        _ = unbuilt.outputs


def test_deepcopy_keeps_a_graph_of_its_own(rng):
    model = _mnist_convnet()
    twin = copy.deepcopy(model)
    assert twin.layers[0].output.node.layer is twin.layers[0]
    activations = Model(twin.input, [layer.output for layer in twin.layers])
    assert activations.layers[1] is twin.layers[0] and twin.layers[0] is not model.layers[0]


def test_utils_are_keras_utils():
    assert baeum.utils.to_categorical([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    import random

    baeum.utils.set_random_seed(7)
    first = (Dense(3)(np.ones((1, 2))).data, random.random(), np.random.random())
    baeum.utils.set_random_seed(7)
    second = (Dense(3)(np.ones((1, 2))).data, random.random(), np.random.random())
    np.testing.assert_array_equal(first[0], second[0])
    assert first[1:] == second[1:]
    with pytest.raises(ValueError, match="non-negative integer"):
        baeum.utils.set_random_seed(-1)
