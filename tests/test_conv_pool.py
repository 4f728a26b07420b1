"""conv2d, conv2d_transpose and pooling: PyTorch oracle (NHWC <-> NCHW inside the torch
functions), finite-difference gradchecks, textbook values and error messages."""

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum.ops import conv as conv_ops
from oracle import compare, requires_torch, torch

if torch is not None:
    import torch.nn.functional as TF


# --- torch references: layouts and TensorFlow-style padding written out here ----------


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def tf_same_pads(size, kernel, stride, dilation=1):
    """TensorFlow "same": output ceil(size/stride), the odd extra pad pixel at the end."""
    span = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def torch_pad_hw(x_nchw, hw_pads, value=0.0):
    (top, bottom), (left, right) = hw_pads
    return TF.pad(x_nchw, (left, right, top, bottom), value=value)


def torch_conv2d(x, k, b=None, strides=1, padding="valid", dilation=1):
    """x (N,H,W,Cin), k (kh,kw,Cin,Cout) -> torch conv with the same meaning."""
    s, d = pair(strides), pair(dilation)
    xc = nchw(x)
    if padding == "same":
        pads = [tf_same_pads(x.shape[1 + a], k.shape[a], s[a], d[a]) for a in range(2)]
        xc = torch_pad_hw(xc, pads)
        padding = 0
    elif padding == "valid":
        padding = 0
    return nhwc(TF.conv2d(xc, k.permute(3, 2, 0, 1), b, stride=s, padding=pair(padding),
                          dilation=d))


# --- conv2d against torch ---------------------------------------------------------------

# (x shape, kernel (kh, kw, Cout), strides, padding, dilation, bias)
CONV_CASES = [
    ((2, 5, 5, 3), (3, 3, 4), 1, "valid", 1, True),
    ((2, 7, 6, 3), (3, 3, 2), 2, "valid", 1, False),  # odd sizes, stride 2
    ((1, 7, 7, 4), (3, 3, 2), 2, "same", 1, True),  # odd size, same, stride 2
    ((2, 6, 5, 3), (2, 2, 3), 1, "same", 1, True),  # even kernel: pad only bottom/right
    ((2, 8, 7, 3), (4, 4, 2), 2, "same", 1, False),  # even kernel, stride 2
    ((1, 9, 8, 3), (3, 2, 3), (2, 1), "same", 1, True),  # non-square kernel and strides
    ((2, 6, 6, 3), (3, 3, 2), 1, 1, 1, True),  # int padding
    ((1, 7, 6, 3), (3, 3, 2), 2, (1, 2), 1, False),  # pair padding
    ((1, 9, 9, 3), (3, 3, 3), 1, "valid", 2, True),  # dilation
    ((1, 8, 7, 3), (3, 3, 2), 1, "same", 2, True),  # dilation with same
    ((2, 5, 5, 1), (3, 3, 3), 1, "same", 1, True),  # one input channel (slice-copy im2col)
    ((1, 9, 8, 2), (3, 3, 2), 2, "valid", 2, False),  # two channels, stride 2, dilation 2
    ((1, 6, 6, 2), (3, 3, 2), 2, "same", 1, True),  # two channels, same, stride 2
    ((1, 9, 8, 2), (3, 3, 2), (2, 1), "same", 1, True),  # col2im by rows, stride 2 down
    ((1, 9, 8, 1), (3, 3, 2), 1, "valid", (2, 1), False),  # col2im by rows, dilated down
    ((1, 6, 4, 3), (2, 4, 2), 1, "valid", 1, True),  # kernel as wide as the input
    ((3, 20, 19, 1), (3, 3, 2), 1, "same", 1, True),  # 1140 rows: dW in blocks of rows
]


@pytest.mark.parametrize("rows", [1023, 1024, 1500, 2048])
@pytest.mark.parametrize("columns", [10, 32, 33])
def test_kernel_gradient_product_in_row_blocks_is_cols_t_g(rng, rows, columns):
    cols, g = rng.standard_normal((rows, columns)), rng.standard_normal((rows, 5))
    np.testing.assert_allclose(conv_ops.columns_t_matmul(cols, g), cols.T @ g, rtol=1e-12,
                               atol=1e-11)


@requires_torch
@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation, use_bias", CONV_CASES)
def test_conv2d_matches_torch(rng, x_shape, k_shape, strides, padding, dilation, use_bias):
    kh, kw, c_out = k_shape
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal((kh, kw, x_shape[3], c_out))
    inputs = [x, k] + ([rng.standard_normal(c_out)] if use_bias else [])

    def ours(x, k, b=None):
        return F.conv2d(x, k, b, strides=strides, padding=padding, dilation_rate=dilation)

    def theirs(x, k, b=None):
        return torch_conv2d(x, k, b, strides, padding, dilation)

    compare(ours, theirs, inputs)


@requires_torch
def test_conv2d_first_layer_kernel_grad_without_input_grad(rng):
    # The input of a first layer needs no gradient: dx is skipped, dW and db still exact.
    x, k = rng.standard_normal((3, 6, 6, 1)), rng.standard_normal((3, 3, 1, 4))
    b = rng.standard_normal(4)
    out = compare(lambda x, k, b: F.conv2d(x, k, b, padding="same"),
                  lambda x, k, b: torch_conv2d(x, k, b, padding="same"),
                  [x, k, b], grad=[False, True, True])
    assert out.shape == (3, 6, 6, 4)


@requires_torch
def test_conv2d_bias_grad_with_frozen_kernel(rng):
    x, k = rng.standard_normal((2, 5, 5, 3)), rng.standard_normal((3, 3, 3, 2))
    b = rng.standard_normal(2)
    compare(lambda x, k, b: F.conv2d(x, k, b, strides=2),
            lambda x, k, b: torch_conv2d(x, k, b, strides=2), [x, k, b], grad=[True, False, True])


# --- conv2d_transpose against torch -------------------------------------------------------


def keras_jax_transpose_pads(kernel, stride, dilation, padding, output_padding):
    """Keras's (left, right) padding of the dilated input, from
    keras/src/backend/common/backend_utils.py (_convert_..._from_keras_to_jax)."""
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        op = max(k, stride) - k if output_padding is None else output_padding
        return k - 1, k - 1 + op
    pad_len = stride + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
    left = min(pad_len // 2 + pad_len % 2, k - 1)
    return left, pad_len - left


def torch_conv2d_transpose(x, k, b, strides, padding, output_padding, dilation):
    """Keras semantics on torch: the full transposed conv (no padding), then per axis crop
    (k-1-left, k-1-right) from it, zero-extending where that crop is negative (as Keras's
    torch backend does)."""
    s, d = pair(strides), pair(dilation)
    op = (None, None) if output_padding is None else pair(output_padding)
    full = TF.conv_transpose2d(nchw(x), k.permute(3, 2, 0, 1), None, stride=s, dilation=d)
    for a in range(2):
        span = (k.shape[a] - 1) * d[a] + 1
        left, right = keras_jax_transpose_pads(k.shape[a], s[a], d[a], padding, op[a])
        crop_l, crop_r = span - 1 - left, span - 1 - right
        axis = 2 + a
        if crop_l < 0 or crop_r < 0:
            widths = [0, 0, 0, 0]
            widths[2 * (1 - a)] = max(-crop_l, 0)
            widths[2 * (1 - a) + 1] = max(-crop_r, 0)
            full = TF.pad(full, widths)
            crop_l, crop_r = max(crop_l, 0), max(crop_r, 0)
        full = full.narrow(axis, crop_l, full.shape[axis] - crop_l - crop_r)
    y = nhwc(full)
    return y if b is None else y + b


# (x shape, kernel (kh, kw, Cout), strides, padding, output_padding, dilation, expected H, W)
TRANSPOSE_CASES = [
    ((2, 4, 5, 3), (3, 3, 2), 1, "valid", None, 1, (6, 7)),
    ((2, 4, 3, 3), (3, 3, 2), 2, "valid", None, 1, (9, 7)),
    ((1, 3, 3, 2), (2, 2, 3), 3, "valid", None, 1, (9, 9)),  # stride larger than kernel
    ((2, 4, 5, 3), (3, 3, 2), 1, "same", None, 1, (4, 5)),
    ((2, 4, 3, 3), (3, 3, 2), 2, "same", None, 1, (8, 6)),  # odd kernel, stride 2
    ((1, 3, 4, 2), (4, 4, 3), 2, "same", None, 1, (6, 8)),  # even kernel, stride 2
    ((1, 3, 3, 2), (3, 3, 2), 2, "same", 0, 1, (5, 5)),  # output_padding shrinks "same"
    ((1, 3, 3, 2), (3, 3, 2), 2, "valid", 1, 1, (8, 8)),
    ((1, 4, 4, 2), (3, 3, 2), 1, "same", None, 2, (4, 4)),  # dilation
    ((3, 18, 20, 2), (3, 3, 1), 1, "same", None, 1, (18, 20)),  # kernel grad in row blocks
]


@requires_torch
@pytest.mark.parametrize("use_bias", [False, True])
@pytest.mark.parametrize(
    "x_shape, k_shape, strides, padding, output_padding, dilation, out_hw", TRANSPOSE_CASES
)
def test_conv2d_transpose_matches_torch(
    rng, x_shape, k_shape, strides, padding, output_padding, dilation, out_hw, use_bias
):
    kh, kw, c_out = k_shape
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal((kh, kw, c_out, x_shape[3]))  # Keras layout (kh, kw, out, in)
    inputs = [x, k] + ([rng.standard_normal(c_out)] if use_bias else [])
    args = dict(strides=strides, padding=padding, output_padding=output_padding)

    def ours(x, k, b=None):
        return F.conv2d_transpose(x, k, b, dilation_rate=dilation, **args)

    def theirs(x, k, b=None):
        return torch_conv2d_transpose(x, k, b, dilation=dilation, **args)

    out = compare(ours, theirs, inputs)
    assert out.shape == (x_shape[0], *out_hw, c_out)


def test_conv2d_transpose_is_the_input_gradient_of_conv2d(rng):
    # <conv2d(x, k), y> == <x, conv2d_transpose(y, k)> for every x, y: the adjoint identity.
    x = rng.standard_normal((2, 7, 7, 3))
    k = rng.standard_normal((3, 3, 3, 4))
    y_conv = F.conv2d(x, k, strides=2, padding="same")
    y = rng.standard_normal(y_conv.shape)
    back = F.conv2d_transpose(y, k, strides=2, padding="same", output_padding=0)
    assert back.shape == x.shape
    np.testing.assert_allclose((y_conv.numpy() * y).sum(), (x * back.numpy()).sum(), rtol=1e-10)


# --- pooling against torch ------------------------------------------------------------------


def torch_max_pool(x, pool, strides, padding):
    pool, strides = pair(pool), pair(strides)
    xc = nchw(x)
    if padding == "same":
        pads = [tf_same_pads(x.shape[1 + a], pool[a], strides[a]) for a in range(2)]
        xc = torch_pad_hw(xc, pads, value=-float("inf"))
    return nhwc(TF.max_pool2d(xc, pool, strides))


def torch_avg_pool(x, pool, strides, padding):
    """TF average: the sum over the window's real pixels divided by their number."""
    pool, strides = pair(pool), pair(strides)
    xc = nchw(x)
    if padding == "valid":
        return nhwc(TF.avg_pool2d(xc, pool, strides))
    pads = [tf_same_pads(x.shape[1 + a], pool[a], strides[a]) for a in range(2)]
    sums = TF.avg_pool2d(torch_pad_hw(xc, pads), pool, strides, divisor_override=1)
    counts = TF.avg_pool2d(torch_pad_hw(torch.ones_like(xc), pads), pool, strides,
                           divisor_override=1)
    return nhwc(sums / counts)


# (x shape, pool, strides, padding)
POOL_CASES = [
    ((2, 6, 6, 3), 2, None, "valid"),  # the reshape path
    ((2, 7, 5, 3), 2, None, "valid"),  # reshape path, odd sizes: last row/column dropped
    ((2, 7, 7, 2), 3, 2, "valid"),  # overlapping windows
    ((1, 6, 8, 2), (2, 3), (1, 2), "valid"),
    ((2, 5, 5, 2), 2, None, "same"),  # pads one row/column at the bottom/right
    ((1, 6, 6, 2), 3, 2, "same"),
    ((1, 5, 4, 3), 3, 1, "same"),  # pads on both sides
]


@requires_torch
@pytest.mark.parametrize("x_shape, pool, strides, padding", POOL_CASES)
def test_max_pool2d_matches_torch(rng, x_shape, pool, strides, padding):
    s = pool if strides is None else strides
    compare(lambda x: F.max_pool2d(x, pool, strides, padding),
            lambda x: torch_max_pool(x, pool, s, padding), [rng.standard_normal(x_shape)])


@requires_torch
@pytest.mark.parametrize("pool, strides", [(2, None), (3, 2), (3, 1)])
def test_max_pool2d_ties_go_to_the_first_maximum_like_torch(rng, pool, strides):
    # After ReLU many windows are all zeros: the whole gradient goes to ONE element.
    x = np.maximum(rng.integers(-3, 2, size=(2, 8, 8, 3)), 0).astype(np.float64)
    s = pool if strides is None else strides
    compare(lambda x: F.max_pool2d(x, pool, strides),
            lambda x: torch_max_pool(x, pool, s, "valid"), [x])


def relu_ties(rng, shape):
    """Pre-activations where relu makes ties: a block of equal positive values, a block of
    negatives (all-zero windows after relu), random values elsewhere."""
    z = rng.standard_normal(shape)
    z[0, :4, :4] = 0.5
    z[-1, :4, :4] = -1.0
    return z


@requires_torch
@pytest.mark.parametrize("x_shape, pool, strides, padding", POOL_CASES)
def test_max_pool2d_of_relu_is_one_node_with_torchs_gradient(rng, x_shape, pool, strides,
                                                             padding):
    # conv -> relu -> pool: the pool is recorded over relu's input (relu's mask is taken on
    # the pooled output); values and gradients stay those of the two ops one after another.
    s = pool if strides is None else strides
    z = relu_ties(rng, x_shape)
    node = F.max_pool2d(F.relu(baeum.tensor(z, requires_grad=True)), pool, strides, padding)._ctx
    assert node.__class__.__name__ == "MaxPool2D" and node.after_relu
    compare(lambda z: F.max_pool2d(F.relu(z), pool, strides, padding),
            lambda z: torch_max_pool(torch.relu(z), pool, s, padding), [z])


@requires_torch
def test_max_pool2d_of_relu_whose_output_is_also_used_elsewhere(rng):
    # relu's output feeds the pool and a second branch: the branch's gradient still goes
    # through relu's own backward, and both reach z.
    def baeum_fn(z):
        h = F.relu(z)
        return F.max_pool2d(h, 2).sum() + (h * h).sum()

    def torch_fn(z):
        h = torch.relu(z)
        return torch_max_pool(h, 2, 2, "valid").sum() + (h * h).sum()

    compare(baeum_fn, torch_fn, [relu_ties(rng, (2, 6, 6, 3))])


@requires_torch
@pytest.mark.parametrize("x_shape, pool, strides, padding", POOL_CASES)
def test_avg_pool2d_matches_torch(rng, x_shape, pool, strides, padding):
    s = pool if strides is None else strides
    compare(lambda x: F.avg_pool2d(x, pool, strides, padding),
            lambda x: torch_avg_pool(x, pool, s, padding), [rng.standard_normal(x_shape)])


def numpy_avg_pool_same(x, pool, stride):
    """Direct loops: TF "same" average pooling, padding excluded from the count."""
    n, h, w, c = x.shape
    (top, _), (left, _) = tf_same_pads(h, pool, stride), tf_same_pads(w, pool, stride)
    ho, wo = -(-h // stride), -(-w // stride)
    out = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * stride - top, j * stride - left
            window = x[:, max(r0, 0):r0 + pool, max(c0, 0):c0 + pool]
            out[:, i, j] = window.mean(axis=(1, 2))
    return out


@pytest.mark.parametrize("shape, pool, stride", [((2, 5, 5, 2), 2, 2), ((1, 6, 7, 3), 3, 2),
                                                  ((1, 4, 5, 1), 3, 1)])
def test_avg_pool2d_same_matches_numpy_loops(rng, shape, pool, stride):
    x = rng.standard_normal(shape)
    y = F.avg_pool2d(baeum.tensor(x), pool, stride, padding="same")
    np.testing.assert_allclose(y.numpy(), numpy_avg_pool_same(x, pool, stride), rtol=1e-12)


@requires_torch
def test_global_pooling_matches_torch(rng):
    x = rng.standard_normal((3, 4, 5, 6))
    compare(lambda x: F.global_avg_pool2d(x), lambda x: x.mean(dim=(1, 2)), [x])
    compare(lambda x: F.global_max_pool2d(x), lambda x: x.amax(dim=(1, 2)), [x])
    compare(lambda x: F.global_avg_pool2d(x, keepdims=True),
            lambda x: x.mean(dim=(1, 2), keepdim=True), [x])
    compare(lambda x: F.global_max_pool2d(x, keepdims=True),
            lambda x: nhwc(TF.adaptive_max_pool2d(nchw(x), 1)), [x])


@requires_torch
def test_global_max_pool_ties_go_to_the_first_maximum_like_torch(rng):
    x = np.maximum(rng.integers(-3, 2, size=(2, 3, 3, 4)), 0).astype(np.float64)
    compare(lambda x: F.global_max_pool2d(x, keepdims=True),
            lambda x: nhwc(TF.adaptive_max_pool2d(nchw(x), 1)), [x])


@requires_torch
@pytest.mark.parametrize("size", [2, (2, 3)])
def test_upsample2d_matches_torch(rng, size):
    sh, sw = pair(size)
    compare(lambda x: F.upsample2d(x, size),
            lambda x: x.repeat_interleave(sh, dim=1).repeat_interleave(sw, dim=2),
            [rng.standard_normal((2, 3, 4, 2))])


# --- finite-difference gradient checks (no torch needed) ----------------------------------


@pytest.mark.parametrize("strides, padding, dilation", [(1, "same", 1), (2, "valid", 1),
                                                         (2, "same", 1), (1, 1, 2)])
def test_conv2d_gradcheck(rng, strides, padding, dilation):
    x, k = rng.standard_normal((2, 5, 6, 3)), rng.standard_normal((2, 3, 3, 2))
    b = rng.standard_normal(2)
    assert baeum.gradcheck(
        lambda x, k, b: F.conv2d(x, k, b, strides=strides, padding=padding,
                                 dilation_rate=dilation), x, k, b)


def test_conv2d_gradcheck_one_channel(rng):
    x, k = rng.standard_normal((2, 5, 5, 1)), rng.standard_normal((3, 3, 1, 2))
    assert baeum.gradcheck(lambda x, k: F.conv2d(x, k, padding="same", strides=2), x, k)


@pytest.mark.parametrize("strides, padding", [(1, "valid"), (2, "same"), (2, "valid")])
def test_conv2d_transpose_gradcheck(rng, strides, padding):
    x, k = rng.standard_normal((2, 3, 4, 3)), rng.standard_normal((3, 3, 2, 3))
    b = rng.standard_normal(2)
    assert baeum.gradcheck(
        lambda x, k, b: F.conv2d_transpose(x, k, b, strides=strides, padding=padding), x, k, b)


@pytest.mark.parametrize("pool, strides, padding", [(2, None, "valid"), (3, 2, "valid"),
                                                     (3, 2, "same"), (2, 1, "same")])
def test_pool_gradcheck(rng, pool, strides, padding):
    # A permutation keeps values apart (no ties), so finite differences are exact for max.
    x = rng.permutation(2 * 5 * 5 * 2).reshape(2, 5, 5, 2) / 10.0
    assert baeum.gradcheck(lambda x: F.max_pool2d(x, pool, strides, padding), x)
    assert baeum.gradcheck(lambda x: F.avg_pool2d(x, pool, strides, padding), x)


def test_global_pool_and_upsample_gradcheck(rng):
    x = rng.permutation(2 * 3 * 4 * 2).reshape(2, 3, 4, 2) / 10.0
    assert baeum.gradcheck(F.global_avg_pool2d, x)
    assert baeum.gradcheck(F.global_max_pool2d, x)
    assert baeum.gradcheck(lambda x: F.upsample2d(x, (2, 3)), x)


# --- textbook values ----------------------------------------------------------------------

TEXTBOOK_X = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], np.float32)
TEXTBOOK_K = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], np.float32)


def test_textbook_conv_valid():
    y = F.conv2d(TEXTBOOK_X.reshape(1, 4, 4, 1), TEXTBOOK_K.reshape(3, 3, 1, 1))
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[15, 16], [6, 15]])


def test_textbook_conv_padding_1():
    y = F.conv2d(TEXTBOOK_X.reshape(1, 4, 4, 1), TEXTBOOK_K.reshape(3, 3, 1, 1),
                 np.zeros(1, np.float32), padding=1)
    expected = [[7, 12, 10, 2], [4, 15, 16, 10], [10, 6, 15, 6], [8, 10, 4, 3]]
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], expected)
    # "same" with a 3x3 kernel and stride 1 is the same padding.
    same = F.conv2d(TEXTBOOK_X.reshape(1, 4, 4, 1), TEXTBOOK_K.reshape(3, 3, 1, 1), padding="same")
    np.testing.assert_array_equal(same.numpy()[0, :, :, 0], expected)


def test_textbook_max_pool():
    x = np.array([[1, 4, 8, 3], [6, 9, 2, 1], [11, 13, 6, 7], [8, 19, 8, 2]], np.float32)
    y = F.max_pool2d(x.reshape(1, 4, 4, 1), 2)
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[9, 8], [19, 8]])
    # The general (offset-loop) path gives the same answer.
    np.testing.assert_array_equal(F.max_pool2d(x.reshape(1, 4, 4, 1), 2, padding="same").numpy(),
                                  y.numpy())


def test_max_pool_tie_gradient_goes_to_first_element():
    x = baeum.tensor(np.zeros((1, 2, 2, 1), np.float32), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, :, :, 0], [[1, 0], [0, 0]])


def test_transpose_of_stride_2_ones_kernel_spreads_each_pixel():
    x = np.array([[1, 2], [3, 4]], np.float32).reshape(1, 2, 2, 1)
    y = F.conv2d_transpose(x, np.ones((2, 2, 1, 1), np.float32), strides=2)
    np.testing.assert_array_equal(
        y.numpy()[0, :, :, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )


# --- dtype, graph and shape behaviour -----------------------------------------------------


def test_float32_in_float32_out_and_float32_gradients(rng):
    x = baeum.tensor(rng.standard_normal((2, 8, 8, 3)).astype(np.float32), requires_grad=True)
    k = baeum.tensor(rng.standard_normal((3, 3, 3, 4)).astype(np.float32), requires_grad=True)
    b = baeum.tensor(np.zeros(4, np.float32), requires_grad=True)
    kt = baeum.tensor(rng.standard_normal((3, 3, 2, 4)).astype(np.float32), requires_grad=True)
    y = F.relu(F.conv2d(x, k, b, padding="same"))
    outs = [F.max_pool2d(y, 2), F.max_pool2d(y, 3, 2, "same"), F.avg_pool2d(y, 2),
            F.avg_pool2d(y, 3, 2, "same"), F.global_avg_pool2d(y), F.global_max_pool2d(y),
            F.upsample2d(y), F.conv2d_transpose(y, kt, strides=2, padding="same")]
    total = outs[0].sum()
    for out in outs:
        assert out.dtype == np.float32
        total = total + out.sum()
    total.backward()
    for t in (x, k, b, kt):
        assert t.grad.dtype == np.float32


def test_no_grad_builds_no_graph(rng):
    x = baeum.tensor(rng.standard_normal((1, 5, 5, 2)), requires_grad=True)
    k = baeum.tensor(rng.standard_normal((3, 3, 2, 2)), requires_grad=True)
    with baeum.no_grad():
        y = F.max_pool2d(F.conv2d(x, k, padding="same"), 2)
    assert not y.requires_grad


@pytest.mark.parametrize("channels", [1, 3])
def test_conv2d_inference_in_chunks_equals_the_whole_batch_matmul(rng, channels):
    # 7 images of 28x28 are 5488 column rows: without a kernel gradient to compute, conv2d
    # multiplies them in chunks of whole images (5 + 2), never building the whole matrix.
    x = rng.standard_normal((7, 28, 28, channels))
    k = baeum.tensor(rng.standard_normal((3, 3, channels, 4)), requires_grad=True)
    b = baeum.tensor(rng.standard_normal(4), requires_grad=True)
    with baeum.no_grad():
        chunked = F.conv2d(x, k, b, padding="same").numpy()
    whole = F.conv2d(x, k, b, padding="same").numpy()  # keeps cols for the kernel gradient
    np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(chunked, conv_by_taps(x, k.numpy(), b.numpy()), rtol=1e-10)


def conv_by_taps(x, k, b):
    """A direct 3x3 "same" convolution by loops over the kernel taps, for reference."""
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    h, w = x.shape[1:3]
    return sum(xp[:, i:i + h, j:j + w] @ k[i, j] for i in range(3) for j in range(3)) + b


def test_conv2d_input_grad_scattered_image_by_image_equals_one_chunk(rng, monkeypatch):
    import baeum.ops.conv as conv

    x = rng.standard_normal((3, 5, 5, 4))
    k = rng.standard_normal((3, 3, 4, 2))
    r = rng.standard_normal((3, 5, 5, 2))
    grads = []
    for scatter_bytes in (conv._SCATTER_BYTES, 1):  # the whole batch, then image by image
        monkeypatch.setattr(conv, "_SCATTER_BYTES", scatter_bytes)
        xt = baeum.tensor(x, requires_grad=True)
        F.conv2d(xt, k, padding="same").backward(r)
        grads.append(xt.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


def test_pooling_in_chunks_of_images_equals_numpy_reshape(rng, monkeypatch):
    import baeum.ops.pool as pool

    x = rng.standard_normal((3, 6, 6, 2))
    x[0, :2, :2, 0] = 5.0  # a tie: the gradient goes to the first maximum
    r = rng.standard_normal((3, 3, 3, 2))
    grads = {}
    for chunk_bytes in (pool._CHUNK_BYTES, 1):  # the whole batch, then one image per chunk
        monkeypatch.setattr(pool, "_CHUNK_BYTES", chunk_bytes)
        for name, fn in [("max", F.max_pool2d), ("avg", F.avg_pool2d)]:
            xt = baeum.tensor(x, requires_grad=True)
            fn(xt, 3, 2, "same").backward(r)  # overlapping windows
            grads.setdefault(name, []).append(xt.grad.numpy())
    for name in grads:
        np.testing.assert_array_equal(grads[name][1], grads[name][0])
    windows = x.reshape(3, 3, 2, 3, 2, 2)
    np.testing.assert_array_equal(F.max_pool2d(x, 2).numpy(), windows.max(axis=(2, 4)))
    np.testing.assert_allclose(F.avg_pool2d(x, 2).numpy(), windows.mean(axis=(2, 4)))
    np.testing.assert_array_equal(F.max_pool2d(x, 1).numpy(), x)


@pytest.mark.parametrize("h, stride, kernel, expected", [(28, 1, 3, 28), (28, 2, 3, 14),
                                                          (7, 2, 3, 4), (5, 3, 2, 2)])
def test_same_output_size_is_ceil_of_size_over_stride(h, stride, kernel, expected):
    y = F.conv2d(np.zeros((1, h, h, 1), np.float32), np.zeros((kernel, kernel, 1, 2), np.float32),
                 strides=stride, padding="same")
    assert y.shape == (1, expected, expected, 2)


# --- errors ---------------------------------------------------------------------------------


def test_error_kernel_channels_do_not_match_input():
    with pytest.raises(ValueError, match=r"expects 3 input channels, got inputs with 1 channels"):
        F.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 3, 4)))


def test_error_three_dimensional_input():
    with pytest.raises(ValueError, match=r"expects inputs of shape \(N, H, W, C\), got shape "
                                         r"\(5, 5, 1\).*batch axis"):
        F.conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 4)))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(N, H, W, C\)"):
        F.max_pool2d(np.zeros((5, 5, 1)), 2)


def test_error_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"5x5 kernel is larger than the padded input 3x3"):
        F.conv2d(np.zeros((1, 3, 3, 1)), np.zeros((5, 5, 1, 1)))
    with pytest.raises(ValueError, match=r"dilated to 5x5\) is larger than the padded input 4x4"):
        F.conv2d(np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), dilation_rate=2)
    with pytest.raises(ValueError, match=r"3x3 pooling window is larger than the padded input"):
        F.max_pool2d(np.zeros((1, 2, 2, 1)), 3)


def test_error_bad_padding():
    with pytest.raises(ValueError, match=r"padding must be 'valid', 'same', an int or a pair "
                                         r"of ints, got 'smae'"):
        F.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding="smae")
    with pytest.raises(ValueError, match=r"padding must be 'valid' or 'same', got 'full'"):
        F.max_pool2d(np.zeros((1, 4, 4, 1)), 2, padding="full")
    with pytest.raises(TypeError, match=r"avg_pool2d expects floating-point inputs, got dtype "
                                        r"int64"):
        F.avg_pool2d(np.zeros((1, 4, 4, 1), np.int64), 2)
    with pytest.raises(ValueError, match=r"padding must be 'valid' or 'same', got 1"):
        F.conv2d_transpose(np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), padding=1)


def test_error_bad_kernel_bias_and_strides():
    with pytest.raises(ValueError, match=r"kernel of shape \(kh, kw, C_in, C_out\), got shape "
                                         r"\(3, 3\)"):
        F.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\).*got shape \(3,\)"):
        F.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 4)), np.zeros(3))
    with pytest.raises(ValueError, match=r"strides must be an int >= 1 or a pair of them, got 0"):
        F.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 4)), strides=0)
    with pytest.raises(ValueError, match=r"kernel of shape \(3, 3, 2, 4\) \(kh, kw, C_out, C_in\) "
                                         r"expects 4 input channels, got inputs with 2"):
        F.conv2d_transpose(np.zeros((1, 4, 4, 2)), np.zeros((3, 3, 2, 4)))
    with pytest.raises(ValueError, match=r"output_padding must be smaller than strides"):
        F.conv2d_transpose(np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), strides=2,
                           output_padding=2)
