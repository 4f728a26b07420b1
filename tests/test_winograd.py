"""Winograd F(2x2, 3x3) fused with 2x2 max pooling (ops/winograd.py), and Sequential
running Conv2D + MaxPooling2D as one step in inference (Conv2D._max_pooled).

The reference is baeum's own conv2d -> relu -> max_pool2d, which test_conv_pool.py
checks against PyTorch."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import baeum
import baeum.functional as F
from baeum import layers
from baeum.models import Sequential
from baeum.ops import winograd
from baeum.ops.winograd import conv3x3_max_pool2x2, kernel_transform
from oracle import compare, requires_torch, torch
from test_conv_pool import torch_conv2d


@pytest.fixture(autouse=True)
def one_blas_thread():
    # Winograd runs only with BLAS on one thread (as in predict's slices): see applies().
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def composed(x, kernel, bias, padding, relu):
    with baeum.no_grad():
        y = F.conv2d(x, kernel, bias, padding=padding)
        return F.max_pool2d(F.relu(y) if relu else y, 2).numpy()


# --- the op ----------------------------------------------------------------------------


def test_4x4_image_one_tile_one_pooled_value():
    # The 3x3 sums of 0..15 on a 4x4 image are [[45, 54], [81, 90]]: the pool keeps 90.
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    ones = np.ones((3, 3, 1, 1))
    assert conv3x3_max_pool2x2(x, ones).tolist() == [[[[90.0]]]]
    # With the kernel negated the maximum is -45; the bias comes before the ReLU.
    assert conv3x3_max_pool2x2(x, -ones, np.array([40.0])).tolist() == [[[[-5.0]]]]
    assert conv3x3_max_pool2x2(x, -ones, np.array([40.0]), relu=True).tolist() == [[[[0.0]]]]
    assert conv3x3_max_pool2x2(x, -ones, np.array([50.0]), relu=True).tolist() == [[[[5.0]]]]


def test_kernel_transform_is_g_kernel_g_transposed():
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((3, 3, 2, 5))
    g = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
    expected = np.einsum("ai,ijco,bj->abco", g, kernel, g).reshape(16, 2, 5)
    np.testing.assert_allclose(kernel_transform(kernel), expected, rtol=1e-14, atol=1e-14)


# (N, H, W, C_in, C_out, padding): even and odd sizes, rows and columns unequal, images
# whose last conv row or column no pool window takes.
CASES = [
    (2, 4, 4, 1, 1, "valid"),
    (3, 7, 9, 5, 4, "same"),
    (2, 8, 8, 3, 6, "valid"),
    (2, 9, 6, 2, 3, "valid"),
    (1, 2, 3, 4, 2, "same"),
    (4, 14, 14, 16, 8, "same"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("use_bias", [False, True])
def test_matches_conv_relu_max_pool(case, relu, use_bias):
    n, h, w, c_in, c_out, padding = case
    rng = np.random.default_rng(sum(case[:5]))
    x = rng.standard_normal((n, h, w, c_in))
    kernel = rng.standard_normal((3, 3, c_in, c_out))
    bias = rng.standard_normal(c_out) if use_bias else None
    expected = composed(x, kernel, bias, padding, relu)
    got = conv3x3_max_pool2x2(x, kernel, bias, padding, relu)
    assert got.shape == expected.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_float32_within_rounding_and_stays_float32():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 14, 14, 32)).astype(np.float32)
    kernel = (rng.standard_normal((3, 3, 32, 64)) * 0.1).astype(np.float32)
    bias = rng.standard_normal(64).astype(np.float32)
    got = conv3x3_max_pool2x2(x, kernel, bias, "same", relu=True)
    assert got.dtype == np.float32
    expected = composed(x.astype(np.float64), kernel.astype(np.float64),
                        bias.astype(np.float64), "same", True)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_one_image_per_chunk_gives_the_same_result(monkeypatch):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 10, 10, 4))
    kernel = rng.standard_normal((3, 3, 4, 3))
    whole = conv3x3_max_pool2x2(x, kernel, None, "same", True)
    monkeypatch.setattr(winograd, "_CHUNK_BYTES", 1)
    np.testing.assert_array_equal(conv3x3_max_pool2x2(x, kernel, None, "same", True), whole)


# --- conv2d's forward without a kernel gradient, and 3x3 stride-1 input gradients ---------

# (x shape, C_out, padding): 16+ input channels run the forward as Winograd when the
# kernel needs no gradient; 16+ output channels run the input gradient as Winograd.
CONV3X3_CASES = [
    ((2, 6, 7, 16), 16, "same"),    # odd width: a zero column completes the last tiles
    ((2, 7, 6, 16), 20, "valid"),   # valid: the input gradient pads the gradient by 2
    ((1, 5, 5, 17), 16, 2),         # int padding 2: the gradient is not padded at all
    ((1, 6, 6, 16), 16, 3),         # padding 3 > 2: the input gradient goes by col2im
    ((2, 5, 4, 3), 16, "same"),     # 3 input channels: forward by im2col
    ((2, 5, 4, 16), 3, "same"),     # 3 output channels: input gradient by col2im
]


@pytest.fixture
def conv3x3_calls(monkeypatch):
    calls = []
    real = winograd.conv3x3

    def counting(xp, kernel):
        calls.append(kernel.shape)
        return real(xp, kernel)

    monkeypatch.setattr(winograd, "conv3x3", counting)
    return calls


@requires_torch
@pytest.mark.parametrize("kernel_grad", [False, True], ids=["no-kernel-grad", "kernel-grad"])
@pytest.mark.parametrize("x_shape, c_out, padding", CONV3X3_CASES, ids=str)
def test_3x3_conv_and_its_input_gradient_match_torch(rng, x_shape, c_out, padding,
                                                     kernel_grad, conv3x3_calls):
    c_in = x_shape[3]
    inputs = [rng.standard_normal(x_shape), rng.standard_normal((3, 3, c_in, c_out)),
              rng.standard_normal(c_out)]
    compare(lambda x, k, b: F.conv2d(x, k, b, padding=padding),
            lambda x, k, b: torch_conv2d(x, k, b, 1, padding),
            inputs, grad=[True, kernel_grad, kernel_grad])
    forward = c_in >= 16 and not kernel_grad
    input_grad = c_out >= 16 and padding != 3
    assert conv3x3_calls == [(3, 3, c_in, c_out)] * forward + [(3, 3, c_out, c_in)] * input_grad


@requires_torch
def test_stride_1_conv2d_transpose_runs_as_winograd_and_matches_torch(rng, conv3x3_calls):
    x, k = rng.standard_normal((2, 5, 6, 16)), rng.standard_normal((3, 3, 4, 16))
    compare(lambda x, k: F.conv2d_transpose(x, k, padding="same"),
            torch_conv_transpose_same, [x, k])
    assert conv3x3_calls[0] == (3, 3, 16, 4)


def torch_conv_transpose_same(x, k):  # stride 1, "same": the transpose of a pad-1 conv
    return torch.nn.functional.conv_transpose2d(
        x.permute(0, 3, 1, 2), k.permute(3, 2, 0, 1), padding=1).permute(0, 2, 3, 1)


# --- Sequential in inference -------------------------------------------------------------


@pytest.fixture
def winograd_calls(monkeypatch):
    calls = []
    real = winograd.conv3x3_max_pool2x2

    def counting(*args, **kwargs):
        calls.append(args[0].shape)
        return real(*args, **kwargs)

    monkeypatch.setattr(winograd, "conv3x3_max_pool2x2", counting)
    return calls


def cnn(*stack, input_shape=(12, 12, 16)):
    baeum.random.seed(0)
    return Sequential([layers.Input(shape=input_shape), *stack, layers.Flatten(),
                       layers.Dense(3)])


def images(shape, n=7, seed=0):
    return np.random.default_rng(seed).standard_normal((n, *shape)).astype(np.float32)


def test_predict_runs_conv_and_pool_as_winograd_and_matches_the_graph(winograd_calls):
    model = cnn(layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2))
    x = images((12, 12, 16))
    graph = model(x).numpy()  # gradients recorded: conv2d, relu, max_pool2d one by one
    assert winograd_calls == []
    np.testing.assert_allclose(model.predict(x, verbose=0), graph, rtol=1e-5, atol=1e-5)
    assert winograd_calls == [(7, 12, 12, 16), (7, 6, 6, 16)]
    with baeum.no_grad():
        np.testing.assert_allclose(model(x).numpy(), graph, rtol=1e-5, atol=1e-5)


def test_two_blas_threads_keep_im2col(winograd_calls, conv3x3_calls):
    model = cnn(layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                layers.Conv2D(16, 3, padding="same", activation="relu"))
    x = images((12, 12, 16))
    with threadpool_limits(limits=2, user_api="blas"):
        np.testing.assert_array_equal(model.predict(x, verbose=0), model(x).numpy())
    assert winograd_calls == [] and conv3x3_calls == []


def test_few_channels_pool_before_relu_exactly(winograd_calls):
    # 3 input channels: im2col's product, the pool, then ReLU on the pooled values.
    model = cnn(layers.Conv2D(4, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                input_shape=(8, 8, 3))
    x = images((8, 8, 3))
    np.testing.assert_array_equal(model.predict(x, verbose=0), model(x).numpy())
    assert winograd_calls == []


@pytest.mark.parametrize("conv, pool", [
    (layers.Conv2D(4, 3, activation="tanh"), layers.MaxPooling2D()),          # not reordered
    (layers.Conv2D(4, 3, strides=2, activation="relu"), layers.MaxPooling2D()),
    (layers.Conv2D(4, 5, padding="same", activation="relu"), layers.MaxPooling2D()),
    (layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(3, strides=1)),
    (layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(padding="same")),
    (layers.Conv2D(4, 3, activation="relu", activity_regularizer="l2"), layers.MaxPooling2D()),
], ids=["tanh", "conv-stride-2", "kernel-5", "pool-3-stride-1", "pool-same", "activity-reg"])
def test_other_conv_pool_pairs_give_the_graphs_values_exactly(conv, pool, winograd_calls):
    model = cnn(conv, pool)
    x = images((12, 12, 16))
    np.testing.assert_array_equal(model.predict(x, verbose=0), model(x).numpy())
    assert winograd_calls == []


def test_a_wrong_input_still_names_the_conv_layer():
    model = cnn(layers.Conv2D(16, 3, padding="same", activation="relu", name="conv_a"),
                layers.MaxPooling2D())
    with pytest.raises(ValueError, match="conv_a"):
        model.predict(images((12, 12, 3)), verbose=0)


def test_training_takes_the_window_major_op_not_winograd(winograd_calls):
    # (Training needs im2col's columns for the kernel gradient: ops/conv_max_pool.py.)
    model = cnn(layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D())
    model.compile("adam", baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = images((12, 12, 16), n=8), np.arange(8) % 3
    first = model.train_on_batch(x, y)
    for _ in range(5):
        last = model.train_on_batch(x, y)
    assert last < first
    assert winograd_calls == []


# --- functional models ---------------------------------------------------------------


def test_functional_fuses_a_conv_only_a_pool_reads(winograd_calls):
    baeum.random.seed(0)
    inputs = layers.Input(shape=(12, 12, 16))
    h = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    h = layers.MaxPooling2D()(h)
    outputs = layers.Dense(3)(layers.Flatten()(h))
    model = baeum.Model(inputs, outputs)
    x = images((12, 12, 16))
    graph = model(x).numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), graph, rtol=1e-5, atol=1e-5)
    assert winograd_calls == [(7, 12, 12, 16)]


def test_functional_keeps_a_conv_output_that_something_else_reads(winograd_calls):
    baeum.random.seed(0)
    inputs = layers.Input(shape=(12, 12, 16))
    conv = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    pooled = layers.Flatten()(layers.MaxPooling2D()(conv))
    beside = layers.Flatten()(layers.GlobalAveragePooling2D()(conv))
    two_readers = baeum.Model(inputs, [pooled, beside])
    as_output = baeum.Model(inputs, [conv, layers.MaxPooling2D()(conv)])
    x = images((12, 12, 16))
    for model in (two_readers, as_output):
        for got, expected in zip(model.predict(x, verbose=0), model(x)):
            np.testing.assert_array_equal(got, expected.numpy())
    assert winograd_calls == []




def test_images_too_small_for_one_window_are_an_error():
    with pytest.raises(ValueError, match=r"3x3 conv of 3x3 images leaves less than one 2x2"):
        conv3x3_max_pool2x2(np.ones((2, 3, 3, 2)), np.ones((3, 3, 2, 4)))


def test_images_of_any_size_fall_back_to_the_pools_own_error():
    model = Sequential([layers.Input(shape=(None, None, 16)),
                        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(),
                        layers.GlobalMaxPooling2D()])
    x = images((9, 7, 16), n=3)
    np.testing.assert_allclose(model.predict(x, verbose=0), model(x).numpy(), rtol=1e-5,
                               atol=1e-5)
    with pytest.raises(ValueError, match="pooling window is larger than the padded input"):
        model.predict(images((3, 3, 16), n=3), verbose=0)
