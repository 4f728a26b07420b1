"""depthwise_conv2d, DepthwiseConv2D and SeparableConv2D: PyTorch oracle (conv2d with
groups=C_in, NHWC <-> NCHW inside the torch functions), finite-difference gradchecks,
the layers' harness runs with Keras's parameter counts, training, saving and errors."""

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum import layers
from layer_harness import run_layer_test
from oracle import compare, requires_torch, torch
from test_conv_pool import pair, tf_same_pads

if torch is not None:
    import torch.nn.functional as TF


def torch_depthwise(x, k, b=None, strides=1, padding="valid", dilation=1):
    """x (N,H,W,C), k (kh,kw,C,M) -> torch conv2d with groups=C: weight (C*M, 1, kh, kw),
    output channel c*M + m."""
    s, d = pair(strides), pair(dilation)
    kh, kw, c, m = k.shape
    xc = x.permute(0, 3, 1, 2)
    if padding == "same":
        (top, bottom), (left, right) = [tf_same_pads(x.shape[1 + a], k.shape[a], s[a], d[a])
                                        for a in range(2)]
        xc = TF.pad(xc, (left, right, top, bottom))
        padding = 0
    elif padding == "valid":
        padding = 0
    w = k.reshape(kh, kw, c * m).permute(2, 0, 1).unsqueeze(1)
    y = TF.conv2d(xc, w, b, stride=s, padding=pair(padding), dilation=d, groups=c)
    return y.permute(0, 2, 3, 1)


# (x shape, (kh, kw, depth_multiplier), strides, padding, dilation, bias)
DEPTHWISE_CASES = [
    ((2, 6, 5, 3), (3, 3, 1), 1, "valid", 1, True),
    ((2, 6, 5, 3), (3, 3, 2), 1, "valid", 1, False),
    ((2, 7, 6, 3), (3, 3, 1), 1, "same", 1, True),
    ((1, 6, 7, 4), (2, 2, 2), 1, "same", 1, True),  # even kernel: pad bottom/right only
    ((2, 7, 6, 3), (3, 3, 1), 2, "valid", 1, False),
    ((2, 7, 7, 2), (3, 3, 2), 2, "same", 1, True),
    ((1, 8, 6, 3), (3, 2, 3), (2, 1), "same", 1, True),  # non-square kernel and strides
    ((1, 9, 9, 3), (3, 3, 1), 1, "valid", 2, True),  # dilation
    ((1, 8, 7, 2), (3, 3, 2), 1, "same", 2, False),  # dilation with same
    ((2, 5, 5, 1), (3, 3, 2), 1, "same", 1, True),  # one channel
    ((1, 6, 6, 3), (3, 3, 2), 1, 1, 1, True),  # int padding
    ((2, 5, 4, 2), (2, 2, 2), 1, 2, 1, True),  # more padding than span - 1: dx by scatter
    ((1, 6, 5, 2), (3, 3, 1), 1, (0, 3), 1, False),  # pair padding, one side scatters
]


@requires_torch
@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation, use_bias",
                         DEPTHWISE_CASES)
def test_depthwise_conv2d_matches_torch(rng, x_shape, k_shape, strides, padding, dilation,
                                        use_bias):
    kh, kw, m = k_shape
    c = x_shape[3]
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal((kh, kw, c, m))
    inputs = [x, k] + ([rng.standard_normal(c * m)] if use_bias else [])

    def ours(x, k, b=None):
        return F.depthwise_conv2d(x, k, b, strides=strides, padding=padding,
                                  dilation_rate=dilation)

    def theirs(x, k, b=None):
        return torch_depthwise(x, k, b, strides, padding, dilation)

    compare(ours, theirs, inputs)


@requires_torch
def test_depthwise_kernel_grad_without_input_grad(rng):
    x, k, b = rng.standard_normal((2, 6, 6, 3)), rng.standard_normal((3, 3, 3, 2)), \
        rng.standard_normal(6)
    compare(lambda x, k, b: F.depthwise_conv2d(x, k, b, padding="same"),
            lambda x, k, b: torch_depthwise(x, k, b, padding="same"),
            [x, k, b], grad=[False, True, True])
    compare(lambda x, k, b: F.depthwise_conv2d(x, k, b, strides=2),
            lambda x, k, b: torch_depthwise(x, k, b, strides=2),
            [x, k, b], grad=[True, False, False])


@requires_torch
def test_separable_conv2d_layer_matches_torch(rng):
    layer = layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, dtype="float64",
                                   bias_initializer="glorot_uniform")
    x = rng.standard_normal((2, 6, 5, 3))
    layer.build(x.shape)
    dk, pk, b = (w.data.copy() for w in layer.weights)
    xb = baeum.tensor(x, requires_grad=True)
    y = layer(xb)
    xt = torch.tensor(x, requires_grad=True)
    dkt, pkt, bt = (torch.tensor(a, requires_grad=True) for a in (dk, pk, b))
    yt = torch_depthwise(xt, dkt, padding="same") @ pkt[0, 0] + bt
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-6, atol=1e-9)
    r = rng.standard_normal(y.shape)
    y.backward(r)
    yt.backward(torch.from_numpy(r))
    for ours, theirs in zip([xb, *layer.weights], [xt, dkt, pkt, bt]):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-6, atol=1e-9)


# --- finite differences (no torch) -----------------------------------------------------------


@pytest.mark.parametrize("strides, padding, dilation, m", [(1, "same", 1, 2), (2, "valid", 1, 1),
                                                           (1, "valid", 2, 2)])
def test_depthwise_conv2d_gradcheck(rng, strides, padding, dilation, m):
    x, k = rng.standard_normal((2, 6, 5, 2)), rng.standard_normal((3, 3, 2, m))
    b = rng.standard_normal(2 * m)
    assert baeum.gradcheck(
        lambda x, k, b: F.depthwise_conv2d(x, k, b, strides=strides, padding=padding,
                                           dilation_rate=dilation), x, k, b)


def test_depthwise_known_values_channels_stay_apart():
    # Channel 0 of x is all ones, channel 1 all twos; the 2x2 kernels are ones and tens.
    x = np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))], axis=-1)[None]
    k = np.stack([np.ones((2, 2)), 10 * np.ones((2, 2))], axis=-1)[:, :, :, None]
    y = F.depthwise_conv2d(x, k).numpy()
    assert y.shape == (1, 2, 2, 2)
    np.testing.assert_array_equal(y[0, :, :, 0], 4.0)
    np.testing.assert_array_equal(y[0, :, :, 1], 80.0)


def test_depth_multiplier_orders_channels_c_times_m_plus_m(rng):
    x, k = rng.standard_normal((1, 5, 5, 3)), rng.standard_normal((3, 3, 3, 2))
    y = F.depthwise_conv2d(x, k).numpy()
    for c in range(3):
        for m in range(2):
            one = F.conv2d(x[..., c:c + 1], k[:, :, c:c + 1, m:m + 1]).numpy()
            np.testing.assert_allclose(y[..., c * 2 + m], one[..., 0], rtol=1e-12)


def test_float32_stays_float32(rng):
    x = baeum.tensor(rng.standard_normal((2, 6, 6, 3)).astype(np.float32), requires_grad=True)
    k = baeum.tensor(rng.standard_normal((3, 3, 3, 2)).astype(np.float32), requires_grad=True)
    b = baeum.tensor(np.zeros(6, np.float32), requires_grad=True)
    y = F.depthwise_conv2d(x, k, b, padding="same")
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == k.grad.dtype == b.grad.dtype == np.float32


# --- layers --------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, input_shape, out_shape, n_weights, params", [
    ({"kernel_size": 3}, (2, 8, 8, 3), (2, 6, 6, 3), 2, 3 * 3 * 3 + 3),
    ({"kernel_size": 3, "depth_multiplier": 2, "padding": "same", "strides": 2},
     (2, 7, 7, 4), (2, 4, 4, 8), 2, 3 * 3 * 4 * 2 + 8),
    ({"kernel_size": (3, 2), "dilation_rate": 2, "use_bias": False, "activation": "relu",
      "depthwise_regularizer": "l2"}, (2, 9, 9, 2), (2, 5, 7, 2), 1, 12),
])
def test_depthwise_conv2d_harness(kwargs, input_shape, out_shape, n_weights, params):
    run_layer_test(layers.DepthwiseConv2D, kwargs, input_shape, out_shape, n_weights, 0, params)


@pytest.mark.parametrize("kwargs, input_shape, out_shape, n_weights, params", [
    ({"filters": 8, "kernel_size": 3}, (2, 8, 8, 3), (2, 6, 6, 8), 3, 3 * 3 * 3 + 3 * 8 + 8),
    ({"filters": 4, "kernel_size": 3, "depth_multiplier": 2, "padding": "same", "strides": 2},
     (2, 7, 7, 3), (2, 4, 4, 4), 3, 3 * 3 * 3 * 2 + 6 * 4 + 4),
    ({"filters": 2, "kernel_size": 3, "dilation_rate": 2, "use_bias": False,
      "activation": "relu", "pointwise_regularizer": "l2"}, (2, 9, 9, 2), (2, 5, 5, 2), 2,
     3 * 3 * 2 + 2 * 2),
])
def test_separable_conv2d_harness(kwargs, input_shape, out_shape, n_weights, params):
    run_layer_test(layers.SeparableConv2D, kwargs, input_shape, out_shape, n_weights, 0, params)


def test_weight_names_and_shapes_are_keras():
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2)
    dw.build((None, 8, 8, 4))
    assert [(w.name.split("/")[-1], w.shape) for w in dw.weights] == [
        ("kernel", (3, 3, 4, 2)), ("bias", (8,))]
    assert dw.depthwise_kernel is dw.kernel
    sep = layers.SeparableConv2D(8, 3, depth_multiplier=2)
    sep.build((None, 8, 8, 3))
    assert [(w.name.split("/")[-1], w.shape) for w in sep.weights] == [
        ("depthwise_kernel", (3, 3, 3, 2)), ("pointwise_kernel", (1, 1, 6, 8)), ("bias", (8,))]
    assert sep.compute_output_shape((None, 8, 8, 3)) == (None, 6, 6, 8)
    assert dw.compute_output_shape((None, 8, 8, 4)) == (None, 6, 6, 8)


def _model():
    return baeum.Sequential([
        layers.Input(shape=(8, 8, 2)),
        layers.SeparableConv2D(6, 3, padding="same", activation="relu", depth_multiplier=2),
        layers.DepthwiseConv2D(3),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])


def test_model_with_separable_conv_trains_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 8, 8, 2)).astype(np.float32)
    y = (x[:, :4].mean(axis=(1, 2, 3)) > 0).astype(np.int64) + (x[:, 4:, :, 1].mean(
        axis=(1, 2)) > 0).astype(np.int64)
    model = _model()
    model.compile(optimizer=baeum.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.8 * losses[0], losses
    path = tmp_path / "sep.baeum"
    model.save(path)
    loaded = baeum.models.load_model(path)
    assert [type(layer) for layer in loaded.layers][:2] == [layers.SeparableConv2D,
                                                            layers.DepthwiseConv2D]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# --- errors --------------------------------------------------------------------------------


def test_errors():
    with pytest.raises(ValueError, match=r"padding must be 'valid' or 'same', got 'full'"):
        layers.DepthwiseConv2D(3, padding="full")
    with pytest.raises(ValueError, match=r"padding must be 'valid' or 'same', got 'smae'"):
        layers.SeparableConv2D(4, 3, padding="smae")
    with pytest.raises(ValueError, match=r"padding must be 'valid', 'same', an int or a pair "
                                         r"of ints, got 'full'"):
        F.depthwise_conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding="full")
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match=r"depth_multiplier must be an integer >= 1"):
            layers.DepthwiseConv2D(3, depth_multiplier=bad)
        with pytest.raises(ValueError, match=r"depth_multiplier must be an integer >= 1"):
            layers.SeparableConv2D(4, 3, depth_multiplier=bad)
    with pytest.raises(ValueError, match=r"depth multiplier of 0"):
        F.depthwise_conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 0)))
    with pytest.raises(ValueError, match=r"filters must be a positive integer, got 0"):
        layers.SeparableConv2D(0, 3)
    with pytest.raises(ValueError, match=r"strides > 1 cannot be combined with dilation_rate"):
        layers.DepthwiseConv2D(3, strides=2, dilation_rate=2)
    with pytest.raises(NotImplementedError, match=r"channels_last"):
        layers.SeparableConv2D(4, 3, data_format="channels_first")
    with pytest.raises(ValueError, match=r"expects 3 input channels, got inputs with 2"):
        F.depthwise_conv2d(np.zeros((1, 5, 5, 2)), np.zeros((3, 3, 3, 1)))
    with pytest.raises(ValueError, match=r"bias must have shape \(6,\).*got shape \(3,\)"):
        F.depthwise_conv2d(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(N, H, W, C\)"):
        F.depthwise_conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 1)))
    with pytest.raises(ValueError, match=r"5x5 kernel is larger than the padded input 3x3"):
        F.depthwise_conv2d(np.zeros((1, 3, 3, 1)), np.zeros((5, 5, 1, 1)))
    layer = layers.DepthwiseConv2D(3)
    layer(np.zeros((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"3"):
        layer(np.zeros((1, 5, 5, 4), np.float32))
