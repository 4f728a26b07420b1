"""SpatialDropout1D/2D, GaussianNoise, GaussianDropout, AlphaDropout, ActivityRegularization:
the layer harness, noise statistics on large inputs, identity at inference, seeds, masks,
the activity loss in fit, save/load, and argument errors."""

import math

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import (
    ActivityRegularization,
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
)
from baeum.models import Sequential
from layer_harness import run_layer_test

NOISE = [
    (SpatialDropout1D, {"rate": 0.3}, (3, 4, 5)),
    (SpatialDropout1D, {"rate": 0.5, "seed": 3}, (3, 4, 5)),
    (SpatialDropout2D, {"rate": 0.3}, (2, 5, 5, 3)),
    (SpatialDropout2D, {"rate": 0.3, "data_format": "channels_first", "seed": 1}, (2, 3, 5, 5)),
    (GaussianNoise, {"stddev": 0.5}, (3, 4, 5)),
    (GaussianNoise, {"stddev": 0.1, "seed": 2}, (6, 7)),
    (GaussianDropout, {"rate": 0.3}, (3, 4, 5)),
    (GaussianDropout, {"rate": 0.2, "seed": 4}, (6, 7)),
    (AlphaDropout, {"rate": 0.3}, (3, 4, 5)),
    (AlphaDropout, {"rate": 0.1, "noise_shape": (None, 1, 5), "seed": 5}, (3, 4, 5)),
]
ALL = NOISE + [(ActivityRegularization, {"l1": 0.01, "l2": 0.02}, (3, 4, 5)),
               (ActivityRegularization, {}, (6, 7))]


def _id(case):
    return f"{case[0].__name__}-{sorted(case[1])}"


@pytest.mark.parametrize("cls, kwargs, shape", ALL, ids=[_id(c) for c in ALL])
def test_harness(cls, kwargs, shape):
    run_layer_test(cls, kwargs, shape, shape, 0, 0, expected_params=0)


@pytest.mark.parametrize("cls, kwargs, shape", ALL, ids=[_id(c) for c in ALL])
def test_identity_at_inference_active_in_training(cls, kwargs, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    layer = cls(**kwargs)
    t = baeum.tensor(x)
    assert layer(t) is t and layer(t, training=False) is t
    if cls is not ActivityRegularization:
        y = layer(t, training=True)
        assert y.shape == x.shape and y.dtype == np.float32
        assert not np.array_equal(y.data, x)


@pytest.mark.parametrize("cls, kwargs, shape", NOISE, ids=[_id(c) for c in NOISE])
def test_seed_gives_the_same_noise(cls, kwargs, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    kwargs = {**kwargs, "seed": 11}
    a, b = cls(**kwargs), cls(**kwargs)
    first = a(x, training=True).data
    np.testing.assert_array_equal(first, b(x, training=True).data)   # same seed, same noise
    assert not np.array_equal(first, a(x, training=True).data)       # a new draw each call
    # Unseeded layers draw from the global generator, which baeum.random.seed fixes.
    unseeded = {k: v for k, v in kwargs.items() if k != "seed"}
    baeum.random.seed(5)
    c = cls(**unseeded)(x, training=True).data
    baeum.random.seed(5)
    np.testing.assert_array_equal(c, cls(**unseeded)(x, training=True).data)


@pytest.mark.parametrize("cls, kwargs, shape", NOISE, ids=[_id(c) for c in NOISE])
def test_gradient_is_the_noise_factor(cls, kwargs, shape, rng):
    # Each noise layer is affine in its input for a fixed draw: out = x * factor + shift.
    # The input gradient under an upstream gradient r is r * factor (summed to x's shape).
    x = rng.standard_normal(shape)
    kwargs = {**kwargs, "seed": 2, "dtype": "float64"}
    shift = cls(**kwargs)(np.zeros(shape), training=True).data  # seed 2's first draw, at 0
    xt = baeum.tensor(x, requires_grad=True)
    y = cls(**kwargs)(xt, training=True)                          # the same draw, at x
    factor = (y.data - shift) / x
    r = rng.standard_normal(shape)
    y.backward(r)
    np.testing.assert_allclose(xt.grad.data, r * factor, rtol=1e-9, atol=1e-12)


# --- statistics on large inputs ------------------------------------------------------------
def _within(value, expected, sigma, what):
    # 5 standard errors: a correct layer fails this about once in 3 million runs
    assert abs(value - expected) < 5 * sigma, f"{what}: {value} vs {expected} +- 5 * {sigma}"


@pytest.mark.parametrize("rate", [0.2, 0.5])
@pytest.mark.parametrize("layer, shape, channel_axes", [
    (lambda r: SpatialDropout1D(r), (200, 10, 50), (0, 2)),
    (lambda r: SpatialDropout2D(r), (100, 6, 6, 40), (0, 3)),
    (lambda r: SpatialDropout2D(r, data_format="channels_first"), (100, 40, 6, 6), (0, 1)),
])
def test_spatial_dropout_drops_whole_channels(layer, shape, channel_axes, rate, rng):
    x = rng.uniform(0.5, 2.0, shape).astype(np.float32)  # no zeros of its own
    ratio = layer(rate)(x, training=True).data / x
    other = tuple(a for a in range(len(shape)) if a not in channel_axes)
    per_channel = ratio.max(axis=other)
    # Within a (sample, channel), every value is dropped or every value is kept and scaled.
    np.testing.assert_allclose(ratio.min(axis=other), per_channel, rtol=1e-6)
    kept = per_channel != 0
    np.testing.assert_allclose(per_channel[kept], 1 / (1 - rate), rtol=1e-6)
    n = per_channel.size
    _within(1 - kept.mean(), rate, math.sqrt(rate * (1 - rate) / n), "dropped fraction")


@pytest.mark.parametrize("rate", [0.1, 0.4])
def test_gaussian_dropout_mean_and_std(rate):
    n = 1_000_000
    noise = GaussianDropout(rate)(np.ones(n, np.float32), training=True).data
    std = math.sqrt(rate / (1 - rate))
    _within(noise.mean(), 1.0, std / math.sqrt(n), "mean")
    _within(noise.std(), std, std / math.sqrt(2 * n), "std")  # std error of a normal's std


@pytest.mark.parametrize("stddev", [0.1, 2.0])
def test_gaussian_noise_mean_and_std(stddev, rng):
    n = 1_000_000
    x = rng.standard_normal(n).astype(np.float32)
    noise = GaussianNoise(stddev)(x, training=True).data - x
    _within(noise.mean(), 0.0, stddev / math.sqrt(n), "mean")
    _within(noise.std(), stddev, stddev / math.sqrt(2 * n), "std")


@pytest.mark.parametrize("rate", [0.05, 0.2, 0.5])
def test_alpha_dropout_keeps_mean_0_and_variance_1(rate):
    n = 1_000_000
    x = np.random.default_rng(3).standard_normal(n)
    y = AlphaDropout(rate, dtype="float64")(x, training=True).data
    # Standard errors: of the mean, 1/sqrt(n); of the variance, sqrt((m4 - 1)/n) with m4
    # the fourth central moment of y, estimated from the sample.
    m4 = np.mean((y - y.mean()) ** 4)
    _within(y.mean(), 0.0, 1 / math.sqrt(n), "mean")
    _within(y.var(), 1.0, math.sqrt((m4 - 1) / n), "variance")
    # The dropped values are a * alpha' + b, SELU's saturation value under the same map.
    alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p * (1 - rate), rtol=0, atol=1e-12)
    _within(dropped.mean(), rate, math.sqrt(rate * (1 - rate) / n), "dropped fraction")


def test_alpha_dropout_formula_and_noise_shape():
    # Keras 3's computation, written out, on the draws of the layer's own seeded stream.
    rate, shape = 0.3, (4, 3, 5)
    x = np.random.default_rng(0).standard_normal(shape)
    y = AlphaDropout(rate, noise_shape=(None, 1, 5), seed=9, dtype="float64")(x, training=True)
    keep = (np.random.default_rng(9).random((4, 1, 5), dtype=np.float32) >= rate).astype(float)
    alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    np.testing.assert_allclose(y.data, a * (x * keep + alpha_p * (1 - keep)) + b, rtol=1e-12)


def test_selu_network_stays_normalized_through_alpha_dropout():
    # selu + lecun_normal keeps activations standard; AlphaDropout must not undo that.
    baeum.random.seed(1)
    model = Sequential([layers.Input(shape=(256,))] + [
        layer for _ in range(4) for layer in
        (layers.Dense(256, activation="selu", kernel_initializer="lecun_normal"),
         AlphaDropout(0.2))])
    x = np.random.default_rng(2).standard_normal((2000, 256)).astype(np.float32)
    y = model(x, training=True).data
    assert abs(y.mean()) < 0.1 and abs(y.var() - 1) < 0.15


# --- masks, models, saving ----------------------------------------------------------------
SEQUENCE = [c for c in ALL if len(c[2]) == 3]  # Embedding gives (batch, steps, features)


@pytest.mark.parametrize("cls, kwargs, shape", SEQUENCE, ids=[_id(c) for c in SEQUENCE])
def test_masks_pass_through(cls, kwargs, shape):
    ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0], [4, 5, 6, 0]])
    emb = layers.Embedding(10, shape[-1], mask_zero=True)
    for training in (False, True):
        out = cls(**kwargs)(emb(ids), training=training)
        mask = out._keras_mask
        np.testing.assert_array_equal(getattr(mask, "data", mask), ids != 0)


def test_active_in_fit_identity_in_predict_and_evaluate(rng):
    x = rng.standard_normal((64, 8)).astype(np.float32)
    model = Sequential([layers.Input(shape=(8,)), GaussianNoise(0.5), GaussianDropout(0.3),
                        AlphaDropout(0.2), layers.Reshape((2, 4)), SpatialDropout1D(0.5),
                        layers.Flatten()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert not np.allclose(model(x, training=True).data, x)
    # In fit the noise is on, so even a model that is the identity has a training loss.
    model.compile(optimizer="sgd", loss="mse")
    assert model.evaluate(x, x, verbose=0) == 0.0
    dense = Sequential([layers.Input(shape=(8,)), GaussianNoise(1.0), layers.Dense(8)])
    dense.compile(optimizer=baeum.optimizers.SGD(0.0), loss="mse")
    train_loss = dense.fit(x, x, epochs=1, batch_size=64, verbose=0).history["loss"][0]
    assert train_loss != pytest.approx(dense.evaluate(x, x, verbose=0), rel=1e-3)


def test_activity_regularization_adds_the_sums_to_the_loss(rng):
    # Keras 3 adds l1 * sum|x| + l2 * sum x^2 over the whole batch (not divided by it).
    l1, l2 = 0.01, 0.003
    x = rng.standard_normal((16, 3)).astype(np.float64)
    y = rng.standard_normal((16, 2)).astype(np.float64)
    layer = ActivityRegularization(l1=l1, l2=l2, dtype="float64")
    act = rng.standard_normal((16, 2))
    layer(act)
    (term,) = layer.losses
    assert term.item() == pytest.approx(l1 * np.abs(act).sum() + l2 * (act**2).sum(), rel=1e-12)

    def model(last):
        m = Sequential([layers.Input(shape=(3,)),
                        layers.Dense(2, kernel_initializer="ones", dtype="float64"), *last])
        m.compile(optimizer=baeum.optimizers.SGD(0.0), loss="mse")
        return m

    with_layer = model([ActivityRegularization(l1=l1, l2=l2, dtype="float64")])
    logged = with_layer.fit(x, y, epochs=1, batch_size=16, verbose=0).history["loss"][0]
    out = x @ np.ones((3, 2))
    want = np.mean((out - y) ** 2) + l1 * np.abs(out).sum() + l2 * (out**2).sum()
    assert logged == pytest.approx(want, rel=1e-6)
    # ... the same as Dense(activity_regularizer=L1L2(l1, l2)).
    dense_reg = Sequential([layers.Input(shape=(3,)), layers.Dense(
        2, kernel_initializer="ones", dtype="float64",
        activity_regularizer=baeum.regularizers.L1L2(l1=l1, l2=l2))])
    dense_reg.compile(optimizer=baeum.optimizers.SGD(0.0), loss="mse")
    assert dense_reg.fit(x, y, epochs=1, batch_size=16, verbose=0).history["loss"][0] == \
        pytest.approx(logged, rel=1e-12)


def test_activity_regularization_gradient_shrinks_activations(rng):
    x = baeum.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    layer = ActivityRegularization(l1=0.1, l2=0.5, dtype="float64")
    out = layer(x)
    (out.sum() * 0 + layer.losses[0]).backward()
    np.testing.assert_allclose(x.grad.data, 0.1 * np.sign(x.data) + 0.5 * 2 * x.data)


def test_save_load_identical_predictions(tmp_path, rng):
    x = rng.standard_normal((32, 6, 4)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    model = Sequential([
        layers.Input(shape=(6, 4)),
        GaussianNoise(0.1, seed=1),
        layers.Conv1D(8, 3, activation="selu", kernel_initializer="lecun_normal"),
        AlphaDropout(0.1, noise_shape=(None, 1, 8)),
        SpatialDropout1D(0.2, seed=2),
        layers.PReLU(shared_axes=[1], alpha_initializer="ones"),
        layers.Reshape((4, 8, 1)),
        SpatialDropout2D(0.1),
        layers.Flatten(),
        GaussianDropout(0.2),
        layers.Dense(16, activation="hard_silu"),
        layers.ELU(alpha=0.7),
        ActivityRegularization(l2=1e-3),
        layers.Dense(3, activation="softsign"),
    ])
    model.compile(optimizer=baeum.optimizers.Adamax(0.01),
                  loss=baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "noise.baeum"
    model.save(path)
    loaded = baeum.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    for a, b in zip(loaded.layers, model.layers):
        assert a.get_config() == b.get_config()
    assert type(loaded.optimizer).__name__ == "Adamax"
    for k, v in model.optimizer.get_state().items():
        np.testing.assert_array_equal(loaded.optimizer.get_state()[k], v)


# --- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda r: SpatialDropout1D(r), lambda r: SpatialDropout2D(r),
    lambda r: GaussianDropout(r), lambda r: AlphaDropout(r),
])
@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5, float("nan")])
def test_rate_outside_0_1_is_an_error(make, rate):
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        make(rate)


def test_argument_errors():
    with pytest.raises(ValueError, match="GaussianDropout rate must be in"):
        GaussianDropout("0.5")
    with pytest.raises(ValueError, match="GaussianNoise stddev must be a finite number >= 0"):
        GaussianNoise(-0.1)
    with pytest.raises(ValueError, match="stddev"):
        GaussianNoise(float("inf"))
    with pytest.raises(ValueError, match="seed must be None or an integer >= 0"):
        GaussianNoise(0.1, seed="abc")
    with pytest.raises(ValueError, match="data_format must be 'channels_last' or"):
        SpatialDropout2D(0.1, data_format="NHWC")
    with pytest.raises(ValueError, match="noise_shape entries"):
        AlphaDropout(0.1, noise_shape=(None, 0))
    with pytest.raises(ValueError, match=r"noise_shape \(None, 2\) does not fit"):
        AlphaDropout(0.1, noise_shape=(None, 2))(np.ones((3, 4), np.float32), training=True)
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        ActivityRegularization(l1=-1)
    with pytest.raises(ValueError, match="expected ndim=3"):
        SpatialDropout1D(0.2)(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="expected ndim=4"):
        SpatialDropout2D(0.2)(np.ones((2, 3, 4), np.float32))


def test_keras_defaults_and_configs():
    assert ActivityRegularization().get_config()["l1"] == 0.0
    assert SpatialDropout2D(0.1).data_format == "channels_last"
    config = SpatialDropout1D(0.25, seed=3).get_config()
    assert config["rate"] == 0.25 and config["seed"] == 3 and "noise_shape" not in config
    config = AlphaDropout(0.1, noise_shape=(None, 1, 4)).get_config()
    assert config["noise_shape"] == [None, 1, 4] and config["seed"] is None
    assert GaussianNoise(0.3).get_config()["stddev"] == 0.3
    assert GaussianDropout(0.3).rate == 0.3
    assert isinstance(SpatialDropout1D(0.1), layers.Dropout)  # it is a Dropout, as in Keras
