"""The layer catalogue: Conv2D, Conv2DTranspose, pooling, UpSampling2D, Embedding, ReLU,
LeakyReLU, Softmax: harness runs (shapes, weights, Keras parameter counts, config round
trip, symbolic call, one training step), values against torch or NumPy, and errors."""

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Input
from layer_harness import assert_layer_equals_composition, run_layer_test
from oracle import requires_torch, torch


def _compare_layer(layer, x, torch_fn, torch_weights, rtol=1e-6, atol=1e-9, seed=0):
    """Run a float64 layer and `torch_fn(x_t, *torch_weights)`; compare the output and the
    gradients of x and of every weight (in layer.weights order) under a random upstream
    gradient."""
    xb = baeum.tensor(x, requires_grad=True)
    y = layer(xb)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_fn(xt, *torch_weights)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=rtol, atol=atol)
    r = np.random.default_rng(seed).standard_normal(y.shape)
    y.backward(r)
    yt.backward(torch.from_numpy(r))
    np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=rtol, atol=atol)
    return [w.grad.data for w in layer.weights]


# --- Conv2D ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, out_shape, n_weights, params", [
    ({"filters": 4, "kernel_size": 3}, (2, 8, 8, 1), (2, 6, 6, 4), 2, 40),
    ({"filters": 4, "kernel_size": (3, 2), "strides": 2, "padding": "same"},
     (2, 7, 8, 3), (2, 4, 4, 4), 2, 76),
    ({"filters": 2, "kernel_size": 3, "dilation_rate": 2, "use_bias": False},
     (2, 9, 9, 2), (2, 5, 5, 2), 1, 36),
    ({"filters": 3, "kernel_size": 1, "activation": "relu", "kernel_regularizer": "l2"},
     (2, 4, 4, 5), (2, 4, 4, 3), 2, 18),
])
def test_conv2d_harness(kwargs, input_shape, out_shape, n_weights, params):
    run_layer_test(layers.Conv2D, kwargs, input_shape, out_shape, n_weights, 0, params)


def test_conv2d_keras_param_count_and_weight_shapes():
    layer = layers.Conv2D(32, 3)
    layer(np.zeros((1, 28, 28, 1), np.float32))
    assert layer.count_params() == 320
    assert layer.kernel.shape == (3, 3, 1, 32) and layer.bias.shape == (32,)


def test_conv2d_textbook_values():
    # The classic 4x4 input and 3x3 filter: [[15, 16], [6, 15]].
    x = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], np.float32)
    k = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], np.float32)
    layer = layers.Conv2D(1, 3, bias_initializer="ones")
    layer.build((None, 4, 4, 1))
    layer.set_weights([k[:, :, None, None], np.zeros(1)])
    assert layer(x[None, :, :, None]).data[0, :, :, 0].tolist() == [[15, 16], [6, 15]]


@requires_torch
@pytest.mark.parametrize("kwargs", [
    {"strides": 1, "padding": "valid"},
    {"strides": 2, "padding": "valid", "dilation_rate": 1},
    {"strides": 1, "padding": "same", "dilation_rate": 2},
])
def test_conv2d_matches_torch(kwargs, rng):
    layer = layers.Conv2D(4, (3, 3), dtype="float64", **kwargs)
    layer.build((None, 7, 7, 3))
    kernel, bias = rng.standard_normal((3, 3, 3, 4)), rng.standard_normal(4)
    layer.set_weights([kernel, bias])
    k_t = torch.tensor(kernel.transpose(3, 2, 0, 1).copy(), requires_grad=True)
    b_t = torch.tensor(bias, requires_grad=True)
    d = kwargs.get("dilation_rate", 1)
    pad = "same" if kwargs["padding"] == "same" else 0

    def torch_conv(x, k, b):
        y = torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), k, b, stride=kwargs["strides"],
                                       padding=pad, dilation=d)
        return y.permute(0, 2, 3, 1)

    gk, gb = _compare_layer(layer, rng.standard_normal((2, 7, 7, 3)), torch_conv, [k_t, b_t])
    np.testing.assert_allclose(gk, k_t.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-6)
    np.testing.assert_allclose(gb, b_t.grad.numpy(), rtol=1e-6)


def test_conv2d_on_3d_input_hints_at_the_channel_axis():
    layer = layers.Conv2D(8, 3)
    with pytest.raises(ValueError, match=r"expected ndim=4, found ndim=3.*add the channel axis"):
        layer(np.zeros((2, 28, 28), np.float32))
    assert not layer.built    # the bad call left no wrongly shaped weights behind
    assert layer(np.zeros((2, 28, 28, 1), np.float32)).shape == (2, 26, 26, 8)
    with pytest.raises(ValueError, match="add the channel axis"):
        layers.Conv2D(8, 3)(Input(shape=(28, 28)))


def test_conv2d_channel_mismatch_after_build():
    layer = layers.Conv2D(8, 3)
    layer(np.zeros((2, 10, 10, 1), np.float32))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 1, "
                                         r"but received input with shape \(2, 10, 10, 3\)"):
        layer(np.zeros((2, 10, 10, 3), np.float32))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"padding": "full"}, ValueError, "padding must be 'valid' or 'same'"),
    ({"strides": 0}, ValueError, "strides must be an int >= 1"),
    ({"strides": 2, "dilation_rate": 2}, ValueError, "cannot be combined"),
    ({"data_format": "channels_first"}, NotImplementedError, "channels_last"),
    ({"groups": 3}, ValueError, "filters=4 must be divisible by groups=3"),
    ({"activation": "nope"}, ValueError, "unknown activation"),
])
def test_conv2d_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        layers.Conv2D(4, 3, **kwargs)
    with pytest.raises(ValueError, match="filters must be a positive integer"):
        layers.Conv2D(0, 3)


def test_conv2d_kernel_larger_than_input():
    with pytest.raises(ValueError, match="larger than the padded input"):
        layers.Conv2D(2, 5)(np.zeros((1, 3, 3, 1), np.float32))


# --- Conv2DTranspose -------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, out_shape, params", [
    ({"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 7, 7, 16), (2, 14, 14, 8), 1160),
    ({"filters": 2, "kernel_size": 3}, (2, 4, 4, 3), (2, 6, 6, 2), 56),
    ({"filters": 2, "kernel_size": 2, "strides": 3}, (2, 3, 3, 1), (2, 9, 9, 2), 10),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1},
     (2, 3, 3, 1), (2, 8, 8, 2), 20),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1},
     (2, 3, 3, 1), (2, 6, 6, 2), 20),
])
def test_conv2d_transpose_harness(kwargs, input_shape, out_shape, params):
    layer = run_layer_test(layers.Conv2DTranspose, kwargs, input_shape, out_shape, 2, 0,
                           params)
    assert layer.kernel.shape == (*layer.kernel_size, kwargs["filters"], input_shape[-1])


@requires_torch
def test_conv2d_transpose_matches_torch(rng):
    layer = layers.Conv2DTranspose(3, 3, strides=2, dtype="float64")
    layer.build((None, 4, 5, 2))
    kernel, bias = rng.standard_normal((3, 3, 3, 2)), rng.standard_normal(3)
    layer.set_weights([kernel, bias])
    # Keras (kh, kw, out, in) -> torch conv_transpose2d (in, out, kh, kw).
    k_t = torch.tensor(kernel.transpose(3, 2, 0, 1).copy(), requires_grad=True)
    b_t = torch.tensor(bias, requires_grad=True)

    def torch_deconv(x, k, b):
        y = torch.nn.functional.conv_transpose2d(x.permute(0, 3, 1, 2), k, b, stride=2)
        return y.permute(0, 2, 3, 1)

    gk, gb = _compare_layer(layer, rng.standard_normal((2, 4, 5, 2)), torch_deconv, [k_t, b_t])
    np.testing.assert_allclose(gk, k_t.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-6)
    np.testing.assert_allclose(gb, b_t.grad.numpy(), rtol=1e-6)


def test_conv2d_transpose_bad_output_padding():
    with pytest.raises(ValueError, match="smaller than strides"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)


@pytest.mark.parametrize("cls, kwargs", [
    (layers.Conv2D, {"kernel_size": k, "strides": s, "padding": p, "dilation_rate": d})
    for k in (1, 2, 3) for s in (1, 2, 3) for p in ("valid", "same") for d in (1, 2)
    if s == 1 or d == 1
] + [
    (layers.Conv2DTranspose, {"kernel_size": k, "strides": s, "padding": p,
                              "output_padding": op})
    for k in (1, 2, 3) for s in (1, 2, 3) for p in ("valid", "same") for op in (None, 0, 1)
    if op is None or op < s
])
def test_compute_output_shape_matches_the_op(cls, kwargs):
    layer = cls(2, **kwargs)
    try:
        y = layer(np.zeros((1, 7, 8, 1), np.float32))
    except ValueError:   # an impossible geometry: the op's own error
        return
    assert layer.compute_output_shape((1, 7, 8, 1)) == y.shape


# --- pooling and upsampling ------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, input_shape, out_shape", [
    (layers.MaxPooling2D, {}, (2, 8, 8, 3), (2, 4, 4, 3)),
    (layers.MaxPooling2D, {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 5, 5, 2),
     (2, 5, 5, 2)),
    (layers.MaxPooling2D, {"pool_size": (2, 3), "strides": (1, 2)}, (2, 5, 7, 2),
     (2, 4, 3, 2)),
    (layers.AveragePooling2D, {}, (2, 7, 7, 3), (2, 3, 3, 3)),
    (layers.AveragePooling2D, {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 7, 7, 3), (2, 4, 4, 3)),
    (layers.GlobalAveragePooling2D, {}, (2, 5, 4, 3), (2, 3)),
    (layers.GlobalAveragePooling2D, {"keepdims": True}, (2, 5, 4, 3), (2, 1, 1, 3)),
    (layers.GlobalMaxPooling2D, {}, (2, 5, 4, 3), (2, 3)),
    (layers.GlobalMaxPooling2D, {"keepdims": True}, (2, 5, 4, 3), (2, 1, 1, 3)),
    (layers.UpSampling2D, {}, (2, 3, 3, 2), (2, 6, 6, 2)),
    (layers.UpSampling2D, {"size": (2, 3)}, (2, 3, 3, 2), (2, 6, 9, 2)),
    (layers.UpSampling2D, {"interpolation": "bilinear"}, (2, 3, 3, 2), (2, 6, 6, 2)),
])
def test_pooling_harness(cls, kwargs, input_shape, out_shape):
    layer = run_layer_test(cls, kwargs, input_shape, out_shape, 0, 0, expected_params=0)
    assert layer.compute_output_shape(input_shape) == out_shape


def test_pooling_aliases_and_defaults():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool2D is layers.AveragePooling2D
    pool = layers.MaxPooling2D()
    assert (pool.pool_size, pool.strides, pool.padding) == ((2, 2), (2, 2), "valid")


def test_max_pooling_table():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], np.float32)
    y = layers.MaxPooling2D()(x[None, :, :, None])
    assert y.data[0, :, :, 0].tolist() == [[6, 8], [3, 4]]
    y = layers.AveragePooling2D()(x[None, :, :, None])
    assert y.data[0, :, :, 0].tolist() == [[3.25, 5.25], [2, 2]]


@requires_torch
def test_pooling_values_and_grads_match_torch(rng):
    x = rng.standard_normal((2, 6, 6, 3))
    nchw = (0, 3, 1, 2)
    cases = [
        (layers.MaxPooling2D(3, strides=2, dtype="float64"),
         lambda t: torch.nn.functional.max_pool2d(t.permute(nchw), 3, 2).permute(0, 2, 3, 1)),
        (layers.AveragePooling2D(2, strides=1, dtype="float64"),
         lambda t: torch.nn.functional.avg_pool2d(t.permute(nchw), 2, 1).permute(0, 2, 3, 1)),
        (layers.GlobalAveragePooling2D(dtype="float64"), lambda t: t.mean(dim=(1, 2))),
        (layers.GlobalMaxPooling2D(dtype="float64"), lambda t: t.amax(dim=(1, 2))),
        (layers.UpSampling2D((2, 3), dtype="float64"),
         lambda t: torch.nn.functional.interpolate(t.permute(nchw), scale_factor=(2, 3),
                                                   mode="nearest").permute(0, 2, 3, 1)),
        (layers.UpSampling2D((2, 3), interpolation="bilinear", dtype="float64"),
         lambda t: torch.nn.functional.interpolate(t.permute(nchw), scale_factor=(2, 3),
                                                   mode="bilinear", align_corners=False)
         .permute(0, 2, 3, 1)),
    ]
    for layer, torch_fn in cases:
        _compare_layer(layer, x, torch_fn, [])


def test_average_pooling_same_excludes_padding():
    # Keras/TensorFlow: the mean over the real pixels of a window that hangs over the edge.
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    y = layers.AveragePooling2D(2, strides=2, padding="same")(x)
    assert y.data[0, :, :, 0].tolist() == [[2.0, 3.5], [6.5, 8.0]]


def test_pooling_errors():
    with pytest.raises(ValueError, match="add the channel axis"):
        layers.MaxPooling2D()(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match="pool_size"):
        layers.MaxPooling2D(pool_size=0)
    with pytest.raises(ValueError, match=r"UpSampling2D interpolation must be 'nearest' or "
                                         r"'bilinear', got 'bicubic'"):
        layers.UpSampling2D(interpolation="bicubic")


# --- Embedding ---------------------------------------------------------------------------------
def test_embedding_harness():
    run_layer_test(layers.Embedding, {"input_dim": 10, "output_dim": 8}, (4, 6), (4, 6, 8), 1,
                   0, expected_params=80, input_dtype="int32")
    run_layer_test(layers.Embedding, {"input_dim": 10, "output_dim": 3,
                                      "embeddings_regularizer": "l2"},
                   (4, 2, 3), (4, 2, 3, 3), 1, 0, expected_params=30, input_dtype="int64")


def test_embedding_keras_param_count_and_initializer():
    layer = layers.Embedding(1000, 64, input_length=10)   # input_length: accepted, ignored
    y = layer(np.array([[1, 2, 3]]))
    assert y.shape == (1, 3, 64) and y.dtype == np.float32
    assert layer.count_params() == 64000
    w = layer.embeddings.data
    assert np.abs(w).max() <= 0.05 and w.std() > 0.02       # Keras: RandomUniform(-.05, .05)
    assert layer.get_config()["embeddings_initializer"]["class_name"] == "RandomUniform"


def test_embedding_looks_up_rows_and_accumulates_gradients():
    layer = layers.Embedding(5, 2)
    layer.build((None, 3))
    table = np.arange(10, dtype=np.float32).reshape(5, 2)
    layer.set_weights([table])
    ids = np.array([[4, 0, 4]])
    y = layer(ids)
    np.testing.assert_array_equal(y.data, table[ids])
    y.backward(np.ones(y.shape, np.float32))
    np.testing.assert_array_equal(layer.embeddings.grad.data[:, 0], [1, 0, 0, 0, 2])


def test_embedding_float_ids():
    layer = layers.Embedding(5, 2)
    whole = layer(np.array([[1.0, 3.0]], np.float32))
    np.testing.assert_array_equal(whole.data, layer(np.array([[1, 3]])).data)
    with pytest.raises(TypeError, match="not whole numbers"):
        layer(np.array([[1.5, 3.0]]))
    sym = layers.Embedding(5, 2)(Input(shape=(7,)))           # a float32 Input works
    assert sym.shape == (None, 7, 2)


def test_embedding_ids_out_of_range():
    layer = layers.Embedding(5, 2)
    with pytest.raises(IndexError, match=r"input_dim=5, so ids must be in \[0, 5\)"):
        layer(np.array([[1, 5]]))
    with pytest.raises(IndexError, match="input_dim=5"):
        layer(np.array([[-1, 2]]))
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        layers.Embedding(0, 2)


# --- activation layers -------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs", [
    (layers.ReLU, {}), (layers.ReLU, {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}),
    (layers.LeakyReLU, {}), (layers.Softmax, {}), (layers.Softmax, {"axis": 1}),
])
def test_activation_layer_harness(cls, kwargs):
    run_layer_test(cls, kwargs, (3, 4, 5), (3, 4, 5), 0, 0, expected_params=0)


def test_relu_formula():
    x = np.linspace(-3, 9, 25)
    np.testing.assert_array_equal(layers.ReLU(dtype="float64")(x).data, np.maximum(x, 0))
    layer = layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=1.0, dtype="float64")
    # Keras's code: min(x, max_value) where x > threshold, else slope * (x - threshold)
    # (so 0 at x == threshold, as keras.activations.relu(5.0, threshold=5.0) == 0).
    expected = np.where(x > 1, np.minimum(x, 6), 0.1 * (x - 1))
    np.testing.assert_allclose(layer(x).data, expected)
    assert baeum.gradcheck(lambda t: layer(t), np.array([-2.0, 0.3, 2.5, 7.0]))
    with pytest.raises(ValueError, match="max_value cannot be negative"):
        layers.ReLU(max_value=-1)


def test_leaky_relu_keras_default_and_alpha():
    x = np.array([-2.0, 3.0])
    assert layers.LeakyReLU().negative_slope == 0.3
    np.testing.assert_allclose(layers.LeakyReLU(dtype="float64")(x).data, [-0.6, 3.0])
    assert layers.LeakyReLU(alpha=0.1).negative_slope == 0.1
    with pytest.raises(ValueError, match="negative_slope"):
        layers.LeakyReLU(-0.1)


def test_softmax_axis_and_mask():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    y = layers.Softmax(axis=1, dtype="float64")(x).data
    np.testing.assert_allclose(y, np.exp(x) / np.exp(x).sum(axis=1, keepdims=True))
    mask = np.array([[1, 1, 0, 0]], bool)
    y = layers.Softmax(dtype="float64")(x[0], mask=mask).data
    np.testing.assert_allclose(y[:, 2:], 0, atol=1e-12)
    np.testing.assert_allclose(y[:, :2].sum(axis=1), 1)


@pytest.mark.parametrize("activation", ["relu", "tanh", None])
def test_inference_activation_in_place_gives_the_recorded_result(activation, rng):
    # Under no_grad, Dense and Conv2D apply ReLU/tanh in place on their fresh
    # pre-activation; the result must be what the recorded (graph) path computes.
    x = rng.standard_normal((4, 6, 6, 2))
    conv = layers.Conv2D(3, 3, activation=activation, dtype="float64")
    dense = layers.Dense(5, activation=activation, dtype="float64")
    recorded = [conv(baeum.tensor(x, requires_grad=True)).data,
                dense(baeum.tensor(x[:, 0, 0], requires_grad=True)).data]
    x_before = x.copy()
    with baeum.no_grad():
        inferred = [conv(x).data, dense(x[:, 0, 0]).data]
    for a, b in zip(inferred, recorded):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(x, x_before)  # the inputs are untouched
    if activation == "relu":
        assert inferred[0].min() >= 0


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_training_activation_in_place_gives_the_composed_gradients(activation, rng):
    # In training too, Dense and Conv2D overwrite their fresh pre-activation with ReLU/tanh
    # (the linear and conv backward need only their inputs). Values and every gradient must
    # equal those of the plain composition act(op(x)) on the same weights.
    import baeum.functional as F

    act = getattr(F, activation)
    x = rng.standard_normal((4, 6, 6, 2))
    conv = layers.Conv2D(3, 3, activation=activation, dtype="float64")
    dense = layers.Dense(70, activation=activation, dtype="float64")  # 4 x 70 x 6 x 6 outputs
    cases = [(conv, lambda t: act(F.conv2d(t, conv.kernel, conv.bias))),
             (dense, lambda t: act(F.linear(t, dense.kernel, dense.bias)))]
    for layer, composed in cases:
        layer(x)  # build
        assert_layer_equals_composition(layer, composed, x, rng.standard_normal(layer(x).shape))
