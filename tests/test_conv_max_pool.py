"""conv2d + 2x2 max pool as one training op with a window-major column matrix
(ops/conv_max_pool.py), and Conv2D + MaxPooling2D layers training through it.

The references: PyTorch's conv2d -> relu -> max_pool2d, and baeum's own three ops."""

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum import layers
from baeum.ops import conv as conv_ops
from baeum.ops import conv_max_pool
from baeum.ops.conv_max_pool import (
    ConvMaxPool2x2,
    conv2d_max_pool2x2,
    pooled_inference,
    route_to_first_max,
    window_major_im2col,
)
from oracle import compare, requires_torch, torch
from test_conv_pool import torch_conv2d, torch_max_pool


def geometry(x_shape, k_shape, strides=1, padding="valid", dilation=1):
    return conv_ops.conv_geometry("conv2d", x_shape[1:3], k_shape[:2], strides, padding,
                                  dilation)


def fused(x, kernel, bias=None, strides=1, padding="valid", dilation=1, relu=False):
    geo = geometry(x.shape, kernel.shape, strides, padding, dilation)
    return conv2d_max_pool2x2(x, kernel, bias, geo, relu)


# --- the textbook example ----------------------------------------------------------------


def test_4x4_image_3x3_ones_kernel_one_pooled_value_and_its_gradient():
    # The 3x3 sums of 0..15 on a 4x4 image are [[45, 54], [81, 90]]: the pool keeps 90,
    # the window at the bottom right, so the kernel's gradient is that window's pixels.
    x = baeum.tensor(np.arange(16.0).reshape(1, 4, 4, 1))
    kernel = baeum.tensor(np.ones((3, 3, 1, 1)), requires_grad=True)
    y = fused(x, kernel)
    assert y.tolist() == [[[[90.0]]]]
    y.sum().backward()
    assert kernel.grad.numpy()[:, :, 0, 0].tolist() == [[5, 6, 7], [9, 10, 11], [13, 14, 15]]


def test_relu_after_the_pool_and_the_bias_before_it():
    x = baeum.tensor(np.arange(16.0).reshape(1, 4, 4, 1))
    minus = baeum.tensor(-np.ones((3, 3, 1, 1)))
    # max(-45, -54, -81, -90) = -45; +40 -> -5; relu -> 0; with +50 -> 5.
    assert fused(x, minus, baeum.tensor([40.0])).tolist() == [[[[-5.0]]]]
    assert fused(x, minus, baeum.tensor([40.0]), relu=True).tolist() == [[[[0.0]]]]
    assert fused(x, minus, baeum.tensor([50.0]), relu=True).tolist() == [[[[5.0]]]]


# --- the column matrix and the routing ---------------------------------------------------


@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation", [
    ((2, 6, 6, 1), (3, 3), 1, "same", 1),       # one channel: slice copies
    ((2, 7, 9, 4), (3, 3), 1, "valid", 1),      # sliding-window copy, odd sizes
    ((1, 11, 10, 2), (3, 2), (2, 1), "same", 1),
    ((1, 11, 11, 3), (3, 3), 1, "valid", 2),
])
def test_window_major_columns_are_im2col_rows_reordered(rng, x_shape, k_shape, strides,
                                                        padding, dilation):
    x = rng.standard_normal(x_shape)
    geo = geometry(x_shape, k_shape, strides, padding, dilation)
    xp = conv_ops.pad_hw(x, geo.pads)
    (ho, wo), n = geo.out, x_shape[0]
    hq, wq = ho // 2, wo // 2
    cols = conv_ops.im2col(xp, geo, ones_column=True).reshape(n, ho, wo, -1)
    # row (n, i, j, a, b) of the window-major matrix is pixel (2a + i, 2b + j) of image n
    expected = cols[:, :2 * hq, :2 * wq].reshape(n, hq, 2, wq, 2, -1).transpose(0, 2, 4, 1, 3, 5)
    got = window_major_im2col(xp, geo, ones_column=True)
    np.testing.assert_array_equal(got, expected.reshape(got.shape))


def test_routing_gives_each_window_gradient_to_its_first_maximum():
    # One window per case, positions in row-major order (0,0) (0,1) (1,0) (1,1).
    z = np.array([[1, 3, 3, 2], [5, 5, 5, 5], [0, 0, 0, 0], [1, 2, 3, 4]], float)
    z = z.T.reshape(1, 4, 1, 4, 1)  # (N, 4 positions, 1, 4 windows, 1)
    m = z.max(axis=1)
    g = np.array([10.0, 20, 30, 40]).reshape(1, 1, 4, 1)
    dz = route_to_first_max(z, m, g)[0, :, 0, :, 0].T
    assert dz.tolist() == [[0, 10, 0, 0], [20, 0, 0, 0], [30, 0, 0, 0], [0, 0, 0, 40]]


# --- against PyTorch ----------------------------------------------------------------------

# (x shape, kernel (kh, kw, C_out), strides, padding, dilation, bias, relu)
CASES = [
    ((2, 8, 8, 1), (3, 3, 4), 1, "same", 1, True, True),      # the MNIST CNN's first block
    ((2, 6, 6, 16), (3, 3, 5), 1, "same", 1, True, True),     # its second (sliding windows)
    ((2, 7, 9, 3), (3, 3, 2), 1, "valid", 1, True, True),     # odd: a row and column left out
    ((1, 12, 10, 4), (3, 3, 3), 2, "same", 1, False, True),   # conv stride 2, no bias
    ((1, 11, 11, 2), (3, 3, 2), 1, "valid", 2, True, False),  # dilation, no relu
    ((2, 9, 8, 3), (2, 4, 2), (1, 2), 1, 1, True, False),     # even kernel, int padding
    ((1, 6, 7, 2), (5, 5, 3), 1, "same", 1, True, True),      # 5x5 kernel
]


@requires_torch
@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation, use_bias, relu", CASES)
def test_matches_torch_conv_relu_max_pool(rng, x_shape, k_shape, strides, padding, dilation,
                                          use_bias, relu):
    kernel = rng.standard_normal((k_shape[0], k_shape[1], x_shape[3], k_shape[2]))
    inputs = [rng.standard_normal(x_shape), kernel]
    if use_bias:
        inputs.append(rng.standard_normal(k_shape[2]))

    def baeum_fn(x, k, b=None):
        return fused(x, k, b, strides, padding, dilation, relu)

    def torch_fn(x, k, b=None):
        y = torch_conv2d(x, k, b, strides, padding, dilation)
        return torch_max_pool(torch.relu(y) if relu else y, 2, 2, "valid")

    compare(baeum_fn, torch_fn, inputs)


@requires_torch
def test_ties_go_to_the_first_maximum_like_torch():
    # A constant image under a ones kernel ("valid"): every conv output is equal, so every
    # window ties and the whole gradient goes to its top-left pixel.
    x, kernel = np.ones((1, 6, 6, 2)), np.ones((3, 3, 2, 3))
    compare(lambda x, k: fused(x, k, relu=True),
            lambda x, k: torch_max_pool(torch.relu(torch_conv2d(x, k)), 2, 2, "valid"),
            [x, kernel])


@requires_torch
@pytest.mark.parametrize("grad", [[True, False, True], [False, True, False], [False, False, True]])
def test_only_the_gradients_asked_for(rng, grad):
    inputs = [rng.standard_normal((2, 6, 6, 3)), rng.standard_normal((3, 3, 3, 4)),
              rng.standard_normal(4)]
    compare(lambda x, k, b: fused(x, k, b, padding="same", relu=True),
            lambda x, k, b: torch_max_pool(torch.relu(torch_conv2d(x, k, b, 1, "same")),
                                           2, 2, "valid"),
            inputs, grad=grad)


@pytest.mark.parametrize("relu", [True, False])
def test_gradcheck(rng, relu):
    x, k, b = (rng.standard_normal((2, 6, 5, 2)), rng.standard_normal((3, 3, 2, 3)),
               rng.standard_normal(3))
    assert baeum.gradcheck(lambda x, k, b: fused(x, k, b, padding="same", relu=relu), x, k, b)


def test_float32_in_float32_out_and_gradients(rng):
    x = baeum.tensor(rng.standard_normal((2, 6, 6, 3)).astype(np.float32))
    kernel = baeum.tensor(rng.standard_normal((3, 3, 3, 4)).astype(np.float32),
                          requires_grad=True)
    y = fused(x, kernel, padding="same", relu=True)
    y.sum().backward()
    assert y.dtype == np.float32 and kernel.grad.dtype == np.float32


def test_a_conv_output_smaller_than_one_window_is_an_error():
    x = baeum.tensor(np.ones((1, 3, 3, 1)))
    with pytest.raises(ValueError, match="1x1 pixels is smaller than one 2x2 pool window"):
        fused(x, baeum.tensor(np.ones((3, 3, 1, 1))))


# --- inference: the same blocks, a few images at a time -------------------------------


@pytest.mark.parametrize("x_shape, k_shape, padding", [
    ((7, 8, 8, 1), (3, 3, 4), "same"),
    ((5, 9, 7, 3), (3, 3, 2), "valid"),  # odd conv output: last row and column left out
])
def test_inference_in_chunks_equals_the_training_op(rng, monkeypatch, x_shape, k_shape,
                                                    padding):
    x = rng.standard_normal(x_shape)
    kernel = rng.standard_normal((k_shape[0], k_shape[1], x_shape[3], k_shape[2]))
    bias = rng.standard_normal(k_shape[2])
    geo = geometry(x_shape, kernel.shape, padding=padding)
    expected = fused(baeum.tensor(x), baeum.tensor(kernel), baeum.tensor(bias),
                     padding=padding, relu=True).numpy()
    whole = pooled_inference(x, kernel, bias, geo, relu=True)
    monkeypatch.setattr(conv_max_pool, "_CHUNK_BYTES", 1)  # one image per chunk
    np.testing.assert_allclose(pooled_inference(x, kernel, bias, geo, relu=True), expected,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(whole, expected, rtol=1e-12, atol=1e-12)


def test_predict_of_a_one_channel_conv_takes_the_window_major_step(rng, monkeypatch):
    # One input channel: Winograd does not apply, the window-major step does.
    calls = []
    real = conv_max_pool.pooled_inference
    monkeypatch.setattr(conv_max_pool, "pooled_inference",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    model = conv_pool_model(layers.Conv2D(4, 3, padding="same", activation="relu"),
                            layers.MaxPooling2D(), shape=(8, 8, 1))
    x = rng.standard_normal((6, 8, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), three_ops(model, x).numpy(),
                               rtol=1e-5, atol=1e-6)
    assert calls


# --- Conv2D + MaxPooling2D layers in training --------------------------------------------


def conv_pool_model(conv, pool, shape=(8, 8, 3)):
    baeum.random.seed(0)
    return baeum.Sequential([layers.Input(shape=shape), conv, pool, layers.Flatten(),
                             layers.Dense(3)])


def three_ops(model, x):
    """The model's forward as conv2d -> activation -> max_pool2d -> dense, recorded."""
    conv, pool, _, dense = model.layers
    y = conv.activation(F.conv2d(x, conv.kernel, conv.bias, conv.strides, conv.padding,
                                 conv.dilation_rate))
    y = F.max_pool2d(y, pool.pool_size, pool.strides, pool.padding)
    return dense(y.reshape(y.shape[0], -1))


@pytest.mark.parametrize("activation", ["relu", None])
def test_sequential_trains_conv_and_pool_as_one_node_with_the_same_gradients(rng, activation):
    model = conv_pool_model(layers.Conv2D(4, 3, padding="same", activation=activation),
                            layers.MaxPooling2D())
    x = rng.standard_normal((5, 8, 8, 3)).astype(np.float32)
    out = model(x, training=True)
    node = out._ctx.parents[0]._ctx.parents[0]._ctx  # dense <- flatten <- conv + pool
    assert node.__class__ is ConvMaxPool2x2 and node.relu == (activation == "relu")
    reference = three_ops(model, x)
    np.testing.assert_allclose(out.numpy(), reference.numpy(), rtol=1e-5, atol=1e-6)
    grads = []
    for y in (out, reference):
        for w in model.trainable_weights:
            w.grad = None
        y.sum().backward()
        grads.append([w.grad.numpy() for w in model.trainable_weights])
    for fused_grad, reference_grad in zip(*grads):
        np.testing.assert_allclose(fused_grad, reference_grad, rtol=1e-4, atol=1e-5)


def test_functional_model_trains_a_conv_only_a_pool_reads_as_one_node(rng):
    inputs = layers.Input(shape=(8, 8, 3))
    h = layers.MaxPooling2D()(layers.Conv2D(4, 3, activation="relu")(inputs))
    model = baeum.Model(inputs, layers.Dense(3)(layers.Flatten()(h)))
    out = model(rng.standard_normal((2, 8, 8, 3)).astype(np.float32), training=True)
    assert out._ctx.parents[0]._ctx.parents[0]._ctx.__class__ is ConvMaxPool2x2


@pytest.mark.parametrize("conv, pool", [
    (layers.Conv2D(4, 3, activation="tanh"), layers.MaxPooling2D()),   # not relu
    (layers.Conv2D(4, 3), layers.MaxPooling2D(3, strides=1)),           # not 2x2 / 2
    (layers.Conv2D(4, 3), layers.MaxPooling2D(padding="same")),         # padded pool
    (layers.Conv2D(4, 3, activity_regularizer="l2"), layers.MaxPooling2D()),
])
def test_other_conv_pool_pairs_train_as_separate_ops(rng, conv, pool):
    model = conv_pool_model(conv, pool)
    x = rng.standard_normal((2, 8, 8, 3)).astype(np.float32)
    out = model(x, training=True)
    nodes, fn = [], out._ctx
    while fn is not None:
        nodes.append(type(fn).__name__)
        fn = next((p._ctx for p in fn.parents if isinstance(p, baeum.Tensor) and p._ctx), None)
    assert "ConvMaxPool2x2" not in nodes and "MaxPool2D" in nodes
    np.testing.assert_allclose(out.numpy(), three_ops(model, x).numpy(), rtol=1e-5, atol=1e-6)


def test_a_conv_too_small_for_the_op_gets_the_pools_own_error():
    model = baeum.Sequential([layers.Conv2D(2, 3), layers.MaxPooling2D()])
    with pytest.raises(ValueError, match="max_pool"):
        model(np.ones((1, 3, 3, 1), np.float32), training=True)


def test_the_mnist_cnn_shape_learns_and_matches_the_unfused_loss(rng):
    # Two conv + pool blocks as in the course's CNN; the fused model's losses follow the
    # three-op model's step for step (same weights, same batches).
    def cnn():
        baeum.random.seed(1)
        model = baeum.Sequential([
            layers.Input(shape=(12, 12, 1)),
            layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
            layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
            layers.Flatten(), layers.Dense(3)])
        model.compile(baeum.optimizers.Adam(1e-2),
                      baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    x = rng.random((24, 12, 12, 1)).astype(np.float32)
    y = np.arange(24) % 3
    x[y == 1, :6] += 1  # classes told apart by where the bright half is
    x[y == 2, 6:] += 1
    fused_model, unfused = cnn(), cnn()
    for layer in unfused.layers:
        if isinstance(layer, layers.Conv2D):
            layer.fuses_with = lambda pool: False
    losses = [[float(m.train_on_batch(x, y)) for _ in range(30)] for m in (fused_model, unfused)]
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-3)
    assert losses[0][-1] < 0.1 * losses[0][0]
