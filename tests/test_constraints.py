"""Weight constraints: MaxNorm, MinMaxNorm, NonNeg, UnitNorm, with Keras's formulas, applied
after every optimizer update (fit, train_on_batch, and a PyTorch-style step), saved with
the model, and accepted by every layer Keras gives them to."""

import copy

import numpy as np
import pytest

import baeum
from baeum import constraints, layers
from baeum.constraints import MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from baeum.models import Sequential, load_model

# Two columns (units) with L2 norms 5 and 0.5: a Dense kernel (in=2, units=2).
W = np.array([[3.0, 0.3],
              [4.0, 0.4]])


@pytest.mark.parametrize("constraint, expected", [
    (MaxNorm(2), np.array([[1.2, 0.3], [1.6, 0.4]])),           # norm 5 -> 2; 0.5 stays
    (MaxNorm(2, axis=1), W * np.array([[2 / np.hypot(3, .3)], [2 / np.hypot(4, .4)]])),
    (UnitNorm(), np.array([[0.6, 0.6], [0.8, 0.8]])),            # each column to norm 1
    (MinMaxNorm(1.0, 2.0), np.array([[1.2, 0.6], [1.6, 0.8]])),  # 5 -> 2, 0.5 -> 1
    (MinMaxNorm(1.0, 2.0, rate=0.5), W * np.array([3.5 / 5, 0.75 / 0.5])),
    (NonNeg(), np.array([[3.0, 0.3], [4.0, 0.4]])),
])
def test_constraints_project_as_keras_computes(constraint, expected):
    np.testing.assert_allclose(constraint(W), expected, rtol=1e-6)


def test_non_neg_zeroes_negative_weights_and_max_norm_takes_axes():
    np.testing.assert_array_equal(NonNeg()(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])
    kernel = np.random.default_rng(0).standard_normal((3, 3, 4, 5))      # Conv2D (kh, kw, in, f)
    norms = np.sqrt((MaxNorm(1.0, axis=[0, 1, 2])(kernel) ** 2).sum(axis=(0, 1, 2)))
    np.testing.assert_allclose(norms, 1.0, rtol=1e-6)                   # one norm per filter


@pytest.mark.parametrize("name, cls", [("max_norm", MaxNorm), ("non_neg", NonNeg),
                                       ("unit_norm", UnitNorm), ("min_max_norm", MinMaxNorm)])
def test_names_and_configs_round_trip(name, cls):
    c = constraints.get(name)
    assert isinstance(c, cls)
    again = constraints.get(constraints.serialize(c))
    assert type(again) is cls and again.get_config() == c.get_config()


def test_bad_constraints_are_clear_errors():
    with pytest.raises(ValueError, match=r"unknown constraint 'maxnorm'; expected one of "
                                         r"\['MaxNorm', .*'max_norm'"):
        layers.Dense(3, kernel_constraint="maxnorm")
    with pytest.raises(ValueError, match=r"MaxNorm max_value must be > 0, got 0"):
        MaxNorm(0)
    with pytest.raises(ValueError, match=r"MinMaxNorm needs 0 <= min_value <= max_value"):
        MinMaxNorm(2.0, 1.0)


LOGITS_LOSS = baeum.losses.SparseCategoricalCrossentropy(from_logits=True)


def _column_norms(kernel):
    return np.sqrt((kernel.data ** 2).sum(axis=0))


@pytest.mark.parametrize("units", [4, 300])   # small weights update as one flat array
def test_fit_applies_the_constraint_after_every_update(units):
    rng = np.random.default_rng(0)
    x = 10 * rng.standard_normal((64, 20)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    baeum.random.seed(0)
    model = Sequential([layers.Input(shape=(20,)),
                        layers.Dense(units, activation="relu", kernel_constraint=MaxNorm(0.5),
                                     bias_constraint="non_neg"),
                        layers.Dense(3)])
    model.compile(baeum.optimizers.SGD(0.5), LOGITS_LOSS)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    dense = model.layers[0]
    assert _column_norms(dense.kernel).max() <= 0.5 + 1e-6
    assert (dense.bias.data >= 0).all()
    # The same model without the constraint grows beyond it: the constraint did the work.
    free = Sequential([layers.Input(shape=(20,)), layers.Dense(units, activation="relu"),
                       layers.Dense(3)])
    free.compile(baeum.optimizers.SGD(0.5), LOGITS_LOSS)
    free.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert _column_norms(free.layers[0].kernel).max() > 0.5


def test_a_pytorch_style_step_applies_it_too():
    layer = layers.Dense(2, kernel_constraint=UnitNorm())
    x = baeum.tensor(np.ones((4, 3), np.float32))
    layer(x)
    opt = baeum.optimizers.Adam(layer.trainable_weights, learning_rate=0.1)
    opt.zero_grad()
    (layer(x) ** 2).sum().backward()
    opt.step()
    np.testing.assert_allclose(_column_norms(layer.kernel), 1.0, rtol=1e-5)


@pytest.mark.parametrize("make, weight, inputs", [
    (lambda: layers.Conv2D(4, 3, kernel_constraint=MaxNorm(0.1, axis=[0, 1, 2])), "kernel",
     np.ones((2, 6, 6, 2))),
    (lambda: layers.Conv1D(4, 3, kernel_constraint=MaxNorm(0.1, axis=[0, 1])), "kernel",
     np.ones((2, 6, 2))),
    (lambda: layers.Conv2DTranspose(4, 3, bias_constraint="non_neg"), "bias",
     np.ones((2, 3, 3, 2))),
    (lambda: layers.Embedding(10, 4, embeddings_constraint=MaxNorm(0.1, axis=1)),
     "embeddings", np.arange(8).reshape(2, 4)),
    (lambda: layers.LSTM(3, recurrent_constraint=MaxNorm(0.1)), "recurrent_kernel",
     np.ones((2, 5, 2))),
    (lambda: layers.GRU(3, kernel_constraint=MaxNorm(0.1)), "kernel", np.ones((2, 5, 2))),
    (lambda: layers.BatchNormalization(gamma_constraint=MaxNorm(0.1)), "gamma",
     np.ones((4, 3))),
    (lambda: layers.LayerNormalization(beta_constraint="non_neg"), "beta", np.ones((4, 3))),
    (lambda: layers.PReLU(alpha_constraint="non_neg"), "alpha", -np.ones((4, 3))),
])
def test_every_layer_with_constraint_arguments_applies_them(make, weight, inputs):
    layer = make()
    model = Sequential([layer])
    model.compile(baeum.optimizers.SGD(1.0), "mse")
    out = model.predict(np.asarray(inputs, np.float32 if inputs.dtype.kind == "f" else int),
                        verbose=0)
    target = np.full_like(out, -5.0)                       # pushes the weights hard
    model.train_on_batch(inputs, target)
    w = getattr(layer, weight).data
    constraint = getattr(layer, weight).constraint
    np.testing.assert_allclose(w, constraint(w), rtol=1e-5, atol=1e-7)  # already projected
    config = layer.get_config()
    assert any(k.endswith("_constraint") and v is not None for k, v in config.items())
    assert type(layer).from_config(config).get_config() == config


def test_constraints_survive_save_load_and_deepcopy(tmp_path):
    model = Sequential([layers.Input(shape=(3,)), layers.Dense(4, kernel_constraint=MaxNorm(1))])
    model.compile("sgd", "mse")
    path = tmp_path / "m.baeum"
    model.save(path)
    for again in (load_model(path), copy.deepcopy(model)):
        again.compile(baeum.optimizers.SGD(10.0), "mse")
        again.train_on_batch(100 * np.ones((2, 3), np.float32), np.zeros((2, 4), np.float32))
        assert _column_norms(again.layers[0].kernel).max() <= 1 + 1e-6


def test_a_custom_layer_passes_a_constraint_to_add_weight():
    class Positive(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     constraint="non_neg")

        def call(self, inputs):
            return inputs * self.w

    layer = Positive()
    layer(np.ones((1, 3)))
    opt = baeum.optimizers.SGD(learning_rate=5.0)
    opt.apply([np.ones(3, np.float32)], [layer.w])      # 1 - 5 = -4 -> projected to 0
    np.testing.assert_array_equal(layer.w.data, np.zeros(3))
