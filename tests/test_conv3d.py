"""3-D convolution and pooling on volumes (N, D, H, W, C): conv3d, conv3d_transpose,
max/avg/global pooling and upsampling against PyTorch (NDHWC <-> NCDHW inside the torch
functions, TensorFlow's "same" padding written out with test_conv_pool's helpers),
finite-difference gradchecks, and the layers (Conv3D, Conv3DTranspose, MaxPooling3D,
AveragePooling3D, GlobalAveragePooling3D, GlobalMaxPooling3D, UpSampling3D, ZeroPadding3D,
Cropping3D): Keras's parameter counts, weight shapes and configs, save -> load, a small
model that trains, and the errors a user can cause."""

import json

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum import layers
from baeum.layers import Input
from baeum.models import Sequential, load_model
from baeum.not_in_baeum import MISSING
from baeum.ops import conv3d as conv3d_ops
from layer_harness import run_layer_test
from oracle import compare, requires_torch, torch
from test_conv_pool import keras_jax_transpose_pads, tf_same_pads

if torch is not None:
    import torch.nn.functional as TF


# --- torch references: layouts and TensorFlow-style padding ----------------------------


def ncdhw(x):
    return x.permute(0, 4, 1, 2, 3)


def ndhwc(x):
    return x.permute(0, 2, 3, 4, 1)


def triple(v):
    return (v,) * 3 if isinstance(v, int) else tuple(v)


def torch_pad_dhw(x_ncdhw, pads, value=0.0):
    """pads ((front, back), (top, bottom), (left, right)) on an NCDHW tensor."""
    (f, b), (t, bo), (le, r) = pads
    return TF.pad(x_ncdhw, (le, r, t, bo, f, b), value=value)


def torch_conv3d(x, k, b=None, strides=1, padding="valid", dilation=1):
    """x (N, D, H, W, Cin), k (kd, kh, kw, Cin, Cout) -> torch conv3d with the same meaning."""
    s, d = triple(strides), triple(dilation)
    xc = ncdhw(x)
    if padding == "same":
        xc = torch_pad_dhw(xc, [tf_same_pads(x.shape[1 + a], k.shape[a], s[a], d[a])
                                for a in range(3)])
        padding = 0
    elif padding == "valid":
        padding = 0
    return ndhwc(TF.conv3d(xc, k.permute(4, 3, 0, 1, 2), b, stride=s, padding=triple(padding),
                           dilation=d))


def torch_conv3d_transpose(x, k, b, strides, padding, output_padding, dilation):
    """Keras semantics on torch, as test_conv_pool's torch_conv2d_transpose: the full
    transposed conv, then per axis a crop (zero-extended where the crop is negative)."""
    s, d = triple(strides), triple(dilation)
    op = (None,) * 3 if output_padding is None else triple(output_padding)
    full = TF.conv_transpose3d(ncdhw(x), k.permute(4, 3, 0, 1, 2), None, stride=s, dilation=d)
    for a in range(3):
        span = (k.shape[a] - 1) * d[a] + 1
        left, right = keras_jax_transpose_pads(k.shape[a], s[a], d[a], padding, op[a])
        crop_l, crop_r = span - 1 - left, span - 1 - right
        axis = 2 + a
        if crop_l < 0 or crop_r < 0:
            widths = [0] * 6
            widths[2 * (2 - a)] = max(-crop_l, 0)
            widths[2 * (2 - a) + 1] = max(-crop_r, 0)
            full = TF.pad(full, widths)
            crop_l, crop_r = max(crop_l, 0), max(crop_r, 0)
        full = full.narrow(axis, crop_l, full.shape[axis] - crop_l - crop_r)
    y = ndhwc(full)
    return y if b is None else y + b


def torch_max_pool3d(x, pool, strides, padding):
    pool = triple(pool)
    strides = pool if strides is None else triple(strides)
    xc = ncdhw(x)
    if padding == "same":
        xc = torch_pad_dhw(xc, [tf_same_pads(x.shape[1 + a], pool[a], strides[a])
                                for a in range(3)], value=-float("inf"))
    return ndhwc(TF.max_pool3d(xc, pool, strides))


def torch_avg_pool3d(x, pool, strides, padding):
    """TF average: the sum over the window's real voxels divided by their number."""
    pool = triple(pool)
    strides = pool if strides is None else triple(strides)
    xc = ncdhw(x)
    if padding == "valid":
        return ndhwc(TF.avg_pool3d(xc, pool, strides))
    pads = [tf_same_pads(x.shape[1 + a], pool[a], strides[a]) for a in range(3)]
    sums = TF.avg_pool3d(torch_pad_dhw(xc, pads), pool, strides, divisor_override=1)
    counts = TF.avg_pool3d(torch_pad_dhw(torch.ones_like(xc), pads), pool, strides,
                           divisor_override=1)
    return ndhwc(sums / counts)


# --- conv3d against torch ---------------------------------------------------------------

# (x shape, kernel (kd, kh, kw, Cout), strides, padding, dilation, bias)
CONV_CASES = [
    ((2, 4, 5, 5, 2), (3, 3, 3, 3), 1, "valid", 1, True),
    ((2, 5, 6, 5, 3), (3, 2, 3, 2), 2, "valid", 1, False),  # odd sizes, stride 2
    ((1, 5, 5, 5, 2), (3, 3, 3, 2), 2, "same", 1, True),  # odd size, same, stride 2
    ((2, 4, 5, 4, 2), (2, 2, 2, 3), 1, "same", 1, True),  # even kernel: pad at the end only
    ((1, 6, 5, 7, 2), (4, 2, 3, 2), (2, 1, 2), "same", 1, True),  # mixed kernel and strides
    ((1, 4, 4, 4, 2), (3, 3, 3, 2), 1, 1, 1, True),  # int padding
    ((1, 4, 5, 4, 2), (3, 3, 3, 2), 2, (1, 0, 2), 1, False),  # 3 ints of padding
    ((1, 5, 6, 5, 2), (2, 3, 2, 2), 1, "valid", (2, 1, 2), True),  # dilation
    ((1, 4, 5, 4, 2), (3, 3, 2, 2), 1, "same", 2, True),  # dilation with same
    ((2, 3, 4, 5, 1), (1, 3, 3, 4), 1, "same", 1, True),  # one channel, kd = 1
    ((1, 3, 4, 5, 3), (3, 4, 5, 2), 1, "valid", 1, True),  # kernel as large as the input
]


@requires_torch
@pytest.mark.parametrize("x_shape, k_shape, strides, padding, dilation, use_bias", CONV_CASES)
def test_conv3d_matches_torch(rng, x_shape, k_shape, strides, padding, dilation, use_bias):
    *kdhw, c_out = k_shape
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal((*kdhw, x_shape[4], c_out))
    inputs = [x, k] + ([rng.standard_normal(c_out)] if use_bias else [])

    def ours(x, k, b=None):
        return F.conv3d(x, k, b, strides=strides, padding=padding, dilation_rate=dilation)

    def theirs(x, k, b=None):
        return torch_conv3d(x, k, b, strides, padding, dilation)

    compare(ours, theirs, inputs)


@requires_torch
@pytest.mark.parametrize("grad", [[False, True, True], [True, False, True],
                                  [True, True, False], [False, False, True]])
def test_conv3d_gradients_of_some_inputs_only(rng, grad):
    # dx skipped for a first layer; a frozen kernel; a frozen bias; the bias alone.
    x, k = rng.standard_normal((2, 3, 4, 4, 2)), rng.standard_normal((2, 3, 3, 2, 3))
    b = rng.standard_normal(3)
    compare(lambda x, k, b: F.conv3d(x, k, b, padding="same"),
            lambda x, k, b: torch_conv3d(x, k, b, padding="same"), [x, k, b], grad=grad)


@requires_torch
def test_conv3d_inference_in_chunks_matches_torch(rng, monkeypatch):
    # Without gradients the column matrix is built a few volumes at a time.
    monkeypatch.setattr(conv3d_ops, "_CHUNK_BYTES", 2000)
    x, k = rng.standard_normal((5, 3, 4, 4, 2)), rng.standard_normal((2, 2, 2, 2, 3))
    b = rng.standard_normal(3)
    with baeum.no_grad():
        y = F.conv3d(x, k, b, padding="same")
    expected = torch_conv3d(torch.tensor(x), torch.tensor(k), torch.tensor(b), padding="same")
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


def test_conv3d_float32_stays_float32(rng):
    x = rng.standard_normal((1, 3, 3, 3, 2)).astype(np.float32)
    k = rng.standard_normal((2, 2, 2, 2, 1)).astype(np.float32)
    assert F.conv3d(x, k, np.zeros(1, np.float32)).dtype == np.float32


def test_conv3d_of_a_volume_of_ones_counts_the_window():
    # With "same" padding each output is the number of real voxels its window covers.
    y = F.conv3d(np.ones((1, 3, 3, 3, 1)), np.ones((3, 3, 3, 1, 1)), padding="same")
    out = y.numpy()[0, :, :, :, 0]
    assert out[1, 1, 1] == 27 and out[0, 0, 0] == 8 and out[0, 1, 1] == 18


# --- conv3d_transpose against torch -----------------------------------------------------

# (x shape, kernel (kd, kh, kw, Cout), strides, padding, output_padding, dilation, out DHW)
TRANSPOSE_CASES = [
    ((2, 3, 4, 3, 2), (3, 3, 3, 2), 1, "valid", None, 1, (5, 6, 5)),
    ((1, 2, 3, 2, 2), (3, 2, 3, 3), 2, "valid", None, 1, (5, 6, 5)),
    ((1, 2, 2, 2, 2), (2, 2, 2, 2), 3, "valid", None, 1, (6, 6, 6)),  # stride > kernel
    ((2, 3, 2, 3, 2), (3, 3, 3, 2), 2, "same", None, 1, (6, 4, 6)),  # odd kernel, stride 2
    ((1, 2, 3, 2, 2), (4, 2, 4, 3), 2, "same", None, 1, (4, 6, 4)),  # even kernel, stride 2
    ((1, 2, 2, 3, 2), (3, 3, 3, 2), 2, "same", 0, 1, (3, 3, 5)),  # output_padding shrinks
    ((1, 2, 2, 2, 2), (3, 3, 3, 2), 2, "valid", (1, 0, 1), 1, (6, 5, 6)),
    ((1, 3, 4, 3, 2), (3, 2, 3, 2), 1, "same", None, 2, (3, 4, 3)),  # dilation
]


@requires_torch
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize(
    "x_shape, k_shape, strides, padding, output_padding, dilation, out_dhw", TRANSPOSE_CASES
)
def test_conv3d_transpose_matches_torch(
    rng, x_shape, k_shape, strides, padding, output_padding, dilation, out_dhw, use_bias
):
    *kdhw, c_out = k_shape
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal((*kdhw, c_out, x_shape[4]))  # Keras layout (kd, kh, kw, out, in)
    inputs = [x, k] + ([rng.standard_normal(c_out)] if use_bias else [])
    args = dict(strides=strides, padding=padding, output_padding=output_padding)

    def ours(x, k, b=None):
        return F.conv3d_transpose(x, k, b, dilation_rate=dilation, **args)

    def theirs(x, k, b=None):
        return torch_conv3d_transpose(x, k, b, strides, padding, output_padding, dilation)

    out = compare(ours, theirs, inputs)
    assert out.shape == (x_shape[0], *out_dhw, c_out)


def test_conv3d_transpose_is_the_input_gradient_of_conv3d(rng):
    # <conv3d(x, k), y> == <x, conv3d_transpose(y, k)> for every x, y: the adjoint identity.
    x, k = rng.standard_normal((2, 5, 4, 5, 2)), rng.standard_normal((3, 3, 3, 2, 3))
    y_conv = F.conv3d(x, k, strides=2, padding="same")
    y = rng.standard_normal(y_conv.shape)
    back = F.conv3d_transpose(y, k, strides=2, padding="same", output_padding=(0, 1, 0))
    assert back.shape == x.shape
    np.testing.assert_allclose((y_conv.numpy() * y).sum(), (x * back.numpy()).sum(), rtol=1e-10)


# --- pooling against torch --------------------------------------------------------------

# (x shape, pool, strides, padding)
POOL_CASES = [
    ((2, 4, 4, 4, 2), 2, None, "valid"),
    ((2, 5, 4, 5, 2), 2, None, "valid"),  # odd sizes: the last slice / row / column dropped
    ((1, 5, 5, 5, 2), 3, 2, "valid"),  # overlapping windows
    ((1, 4, 6, 5, 2), (1, 2, 3), (1, 2, 1), "valid"),
    ((2, 3, 5, 4, 2), 2, None, "same"),  # pads at the end only
    ((1, 4, 5, 5, 2), 3, 2, "same"),
    ((1, 3, 4, 5, 2), 3, 1, "same"),  # pads on both sides
]


@requires_torch
@pytest.mark.parametrize("x_shape, pool, strides, padding", POOL_CASES)
def test_max_pool3d_matches_torch(rng, x_shape, pool, strides, padding):
    x = rng.permutation(int(np.prod(x_shape))).reshape(x_shape) / 10.0  # no ties
    compare(lambda x: F.max_pool3d(x, pool, strides, padding),
            lambda x: torch_max_pool3d(x, pool, strides, padding), [x])


@requires_torch
@pytest.mark.parametrize("x_shape, pool, strides, padding", POOL_CASES)
def test_avg_pool3d_matches_torch(rng, x_shape, pool, strides, padding):
    compare(lambda x: F.avg_pool3d(x, pool, strides, padding),
            lambda x: torch_avg_pool3d(x, pool, strides, padding),
            [rng.standard_normal(x_shape)])


def test_max_pool3d_gives_a_tied_window_gradient_to_its_first_maximum():
    # As torch and max_pool2d: a window of equal values (ReLU zeros) sends g to one voxel.
    x = baeum.tensor(np.zeros((1, 2, 2, 2, 1)), requires_grad=True)
    F.max_pool3d(x, 2).backward(np.array([[[[[5.0]]]]]))
    grad = x.grad.numpy().reshape(-1)
    assert grad.tolist() == [5.0] + [0.0] * 7


@requires_torch
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pools_match_torch(rng, keepdims):
    x = rng.permutation(2 * 3 * 4 * 2 * 3).reshape(2, 3, 4, 2, 3) / 10.0
    dims = (1, 2, 3)
    compare(lambda x: F.global_avg_pool3d(x, keepdims=keepdims),
            lambda x: x.mean(dim=dims, keepdim=keepdims), [x])
    compare(lambda x: F.global_max_pool3d(x, keepdims=keepdims),
            lambda x: x.amax(dim=dims, keepdim=keepdims), [x])


@requires_torch
@pytest.mark.parametrize("size", [2, (1, 2, 3)])
def test_upsample3d_matches_torch(rng, size):
    x = rng.standard_normal((2, 2, 3, 2, 2))
    compare(lambda x: F.upsample3d(x, size),
            lambda x: ndhwc(TF.interpolate(ncdhw(x), scale_factor=triple(size), mode="nearest")),
            [x])


# --- finite-difference gradchecks (no torch needed) -------------------------------------


@pytest.mark.parametrize("strides, padding, dilation", [(1, "valid", 1), (2, "same", 1),
                                                        (1, "same", 2), ((1, 2, 1), 1, 1)])
def test_conv3d_gradcheck(rng, strides, padding, dilation):
    x, k = rng.standard_normal((2, 3, 4, 3, 2)), rng.standard_normal((2, 2, 2, 2, 2))
    b = rng.standard_normal(2)
    assert baeum.gradcheck(lambda x, k, b: F.conv3d(x, k, b, strides=strides, padding=padding,
                                                    dilation_rate=dilation), x, k, b)


@pytest.mark.parametrize("strides, padding", [(1, "valid"), (2, "same"), (2, "valid")])
def test_conv3d_transpose_gradcheck(rng, strides, padding):
    x, k = rng.standard_normal((1, 2, 3, 2, 2)), rng.standard_normal((2, 3, 2, 2, 2))
    b = rng.standard_normal(2)
    assert baeum.gradcheck(lambda x, k, b: F.conv3d_transpose(x, k, b, strides=strides,
                                                              padding=padding), x, k, b)


@pytest.mark.parametrize("pool, strides, padding", [(2, None, "valid"), (3, 2, "same"),
                                                    (2, 1, "same")])
def test_pool3d_gradcheck(rng, pool, strides, padding):
    # A permutation keeps values apart (no ties), so finite differences are exact for max.
    x = rng.permutation(2 * 4 * 3 * 4 * 2).reshape(2, 4, 3, 4, 2) / 10.0
    assert baeum.gradcheck(lambda x: F.max_pool3d(x, pool, strides, padding), x)
    assert baeum.gradcheck(lambda x: F.avg_pool3d(x, pool, strides, padding), x)


def test_global_pool3d_and_upsample3d_gradcheck(rng):
    x = rng.permutation(2 * 2 * 3 * 2 * 2).reshape(2, 2, 3, 2, 2) / 10.0
    assert baeum.gradcheck(lambda x: F.global_max_pool3d(x), x)
    assert baeum.gradcheck(lambda x: F.global_avg_pool3d(x, keepdims=True), x)
    assert baeum.gradcheck(lambda x: F.upsample3d(x, (2, 1, 3)), x)


# --- the layers: harness runs, Keras's numbers ------------------------------------------


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape, n_weights, params", [
    # Conv3D(8, 3) on 2 channels: 3*3*3*2*8 + 8 = 440, as Keras counts.
    (layers.Conv3D, {"filters": 8, "kernel_size": 3}, (2, 5, 5, 5, 2), (2, 3, 3, 3, 8), 2, 440),
    (layers.Conv3D, {"filters": 4, "kernel_size": (2, 3, 1), "strides": 2, "padding": "same",
                     "use_bias": False}, (2, 5, 4, 3, 3), (2, 3, 2, 2, 4), 1, 72),
    (layers.Conv3D, {"filters": 2, "kernel_size": 2, "dilation_rate": 2,
                     "activation": "tanh"}, (1, 5, 5, 5, 1), (1, 3, 3, 3, 2), 2, 18),
    # Conv3DTranspose kernel (kd, kh, kw, filters, C_in): 2*2*2*4*3 + 4
    (layers.Conv3DTranspose, {"filters": 4, "kernel_size": 2, "strides": 2},
     (2, 2, 3, 2, 3), (2, 4, 6, 4, 4), 2, 100),
    (layers.Conv3DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                              "output_padding": 1}, (1, 2, 2, 3, 2), (1, 4, 4, 6, 2), 2, 110),
    (layers.MaxPooling3D, {}, (2, 4, 5, 4, 3), (2, 2, 2, 2, 3), 0, 0),
    (layers.MaxPooling3D, {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 5, 4, 3, 2), (2, 3, 2, 2, 2), 0, 0),
    (layers.AveragePooling3D, {"pool_size": (1, 2, 2)}, (2, 3, 4, 4, 2), (2, 3, 2, 2, 2), 0, 0),
    (layers.AveragePooling3D, {"pool_size": 2, "strides": 1, "padding": "same"},
     (2, 3, 3, 3, 2), (2, 3, 3, 3, 2), 0, 0),
    (layers.GlobalAveragePooling3D, {}, (2, 3, 4, 2, 5), (2, 5), 0, 0),
    (layers.GlobalAveragePooling3D, {"keepdims": True}, (2, 3, 4, 2, 5), (2, 1, 1, 1, 5), 0, 0),
    (layers.GlobalMaxPooling3D, {}, (2, 3, 4, 2, 5), (2, 5), 0, 0),
    (layers.GlobalMaxPooling3D, {"keepdims": True}, (2, 3, 4, 2, 5), (2, 1, 1, 1, 5), 0, 0),
    (layers.UpSampling3D, {}, (2, 1, 2, 1, 3), (2, 2, 4, 2, 3), 0, 0),
    (layers.UpSampling3D, {"size": (1, 2, 3)}, (2, 2, 2, 2, 3), (2, 2, 4, 6, 3), 0, 0),
    (layers.ZeroPadding3D, {}, (2, 2, 3, 2, 1), (2, 4, 5, 4, 1), 0, 0),
    (layers.ZeroPadding3D, {"padding": 2}, (1, 1, 2, 2, 3), (1, 5, 6, 6, 3), 0, 0),
    (layers.ZeroPadding3D, {"padding": (1, 0, 2)}, (1, 2, 2, 2, 1), (1, 4, 2, 6, 1), 0, 0),
    (layers.ZeroPadding3D, {"padding": ((1, 0), (0, 2), (3, 1))}, (1, 2, 2, 2, 1),
     (1, 3, 4, 6, 1), 0, 0),
    (layers.Cropping3D, {}, (2, 4, 5, 3, 2), (2, 2, 3, 1, 2), 0, 0),
    (layers.Cropping3D, {"cropping": (2, 4, 2)}, (2, 6, 10, 5, 3), (2, 2, 2, 1, 3), 0, 0),
    (layers.Cropping3D, {"cropping": ((1, 0), (0, 2), (1, 1))}, (1, 3, 4, 3, 1),
     (1, 2, 2, 1, 1), 0, 0),
])
def test_harness(cls, kwargs, input_shape, output_shape, n_weights, params):
    run_layer_test(cls, kwargs, input_shape, output_shape, n_weights, 0, expected_params=params)


def test_shapes_of_the_keras_docstring_examples(rng):
    # Keras's examples, with 4 channels instead of 128.
    x = rng.random((4, 10, 10, 10, 4)).astype(np.float32)
    assert layers.Conv3D(32, 3, activation="relu")(x).shape == (4, 8, 8, 8, 32)
    x = rng.random((4, 10, 8, 12, 4)).astype(np.float32)
    assert layers.Conv3DTranspose(32, 2, 2, activation="relu")(x).shape == (4, 20, 16, 24, 32)
    assert layers.Cropping3D((2, 4, 2))(np.zeros((2, 28, 28, 10, 3))).shape == (2, 24, 20, 6, 3)
    assert layers.ZeroPadding3D(2)(np.zeros((1, 1, 2, 2, 3))).shape == (1, 5, 6, 6, 3)


def test_aliases():
    assert layers.MaxPool3D is layers.MaxPooling3D
    assert layers.AvgPool3D is layers.AveragePooling3D


def test_conv3d_weight_shapes_and_keras_config():
    layer = layers.Conv3D(8, 3, name="c")
    layer(np.zeros((1, 4, 4, 4, 2), np.float32))
    assert layer.kernel.shape == (3, 3, 3, 2, 8) and layer.bias.shape == (8,)
    assert [w.name for w in layer.weights] == ["c/kernel", "c/bias"]
    config = layer.get_config()
    assert {k: config[k] for k in ("filters", "kernel_size", "strides", "padding",
                                   "data_format", "dilation_rate", "groups", "use_bias")} == {
        "filters": 8, "kernel_size": [3, 3, 3], "strides": [1, 1, 1], "padding": "valid",
        "data_format": "channels_last", "dilation_rate": [1, 1, 1], "groups": 1,
        "use_bias": True}
    transpose = layers.Conv3DTranspose(4, (1, 2, 3))
    transpose(np.zeros((1, 2, 2, 2, 5), np.float32))
    assert transpose.kernel.shape == (1, 2, 3, 4, 5)
    assert "groups" not in transpose.get_config()
    pool = layers.MaxPooling3D(padding="SAME").get_config()
    assert (pool["pool_size"], pool["strides"], pool["padding"]) == ([2, 2, 2], [2, 2, 2], "same")


def test_conv3d_layer_is_the_op_with_its_activation(rng):
    layer = layers.Conv3D(3, 2, strides=(1, 2, 1), padding="same", activation="relu")
    x = rng.standard_normal((2, 3, 4, 3, 2)).astype(np.float32)
    y = layer(x)
    expected = F.relu(F.conv3d(x, layer.kernel, layer.bias, strides=(1, 2, 1), padding="same"))
    np.testing.assert_array_equal(y.numpy(), expected.numpy())


def test_symbolic_shapes_with_unknown_sizes():
    x = Input(shape=(None, 8, None, 2))
    assert layers.Conv3D(4, 3, padding="same")(x).shape == (None, None, 8, None, 4)
    assert layers.MaxPooling3D()(x).shape == (None, None, 4, None, 2)
    assert layers.Conv3DTranspose(3, 2, strides=2)(x).shape == (None, None, 16, None, 3)
    assert layers.UpSampling3D()(x).shape == (None, None, 16, None, 2)


def test_zero_padding_and_cropping_3d_values():
    x = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2, 1)
    padded = layers.ZeroPadding3D(((1, 0), (0, 1), (0, 0)))(x).numpy()
    assert padded.shape == (1, 3, 3, 2, 1) and padded[0, 0].sum() == 0
    np.testing.assert_array_equal(padded[:, 1:, :2], x)
    back = layers.Cropping3D(((1, 0), (0, 1), (0, 0)))(padded)
    np.testing.assert_array_equal(back.numpy(), x)


# --- models: save -> load, training ----------------------------------------------------


def _volume_model():
    return Sequential([
        Input(shape=(4, 6, 6, 2)),
        layers.Conv3D(4, 3, padding="same", activation="relu"),
        layers.MaxPooling3D(2),
        layers.Conv3DTranspose(3, 2, strides=2, activation="relu"),
        layers.AveragePooling3D((1, 2, 2)),
        layers.ZeroPadding3D(1),
        layers.Cropping3D(((1, 1), (1, 1), (0, 0))),
        layers.UpSampling3D((1, 1, 2)),
        layers.GlobalMaxPooling3D(),
        layers.Dense(2),
    ])


def test_save_load_round_trip(tmp_path, rng):
    model = _volume_model()
    x = rng.standard_normal((3, 4, 6, 6, 2)).astype(np.float32)
    assert model.output_shape == (None, 2)
    model.save(tmp_path / "volumes.baeum")
    loaded = load_model(tmp_path / "volumes.baeum")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert json.dumps(loaded.get_config()) == json.dumps(model.get_config())


def test_small_conv3d_model_trains(rng):
    # Two classes of volumes: a bright cube in the front half or in the back half.
    n = 32
    y = np.arange(n) % 2
    x = rng.normal(0, 0.3, (n, 4, 4, 4, 1)).astype(np.float32)
    x[y == 0, :2] += 1.0
    x[y == 1, 2:] += 1.0
    model = Sequential([
        Input(shape=(4, 4, 4, 1)),
        layers.Conv3D(4, 3, padding="same", activation="relu"),
        layers.MaxPooling3D(2),
        layers.GlobalAveragePooling3D(),
        layers.Dense(2),
    ])
    model.compile(optimizer=baeum.optimizers.Adam(0.02),
                  loss=baeum.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, epochs=15, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0], losses


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", [
    layers.Conv3D(2, 3), layers.Conv3DTranspose(2, 3), layers.MaxPooling3D(),
    layers.AveragePooling3D(), layers.GlobalAveragePooling3D(), layers.GlobalMaxPooling3D(),
    layers.UpSampling3D(), layers.ZeroPadding3D(), layers.Cropping3D(),
])
def test_layers_reject_inputs_of_the_wrong_rank(layer):
    with pytest.raises(ValueError, match=r"expected ndim=5, found ndim=4"):
        layer(np.zeros((2, 8, 8, 3), np.float32))


def test_conv3d_layer_rejects_other_channel_counts_after_build():
    layer = layers.Conv3D(2, 2)
    layer(np.zeros((1, 3, 3, 3, 2), np.float32))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 2"):
        layer(np.zeros((1, 3, 3, 3, 4), np.float32))


def test_op_errors_name_what_was_expected():
    with pytest.raises(ValueError, match=r"conv3d expects inputs of shape \(N, D, H, W, C\), "
                                         r"got shape \(3, 3, 3, 1\) \(a single volume\?"):
        F.conv3d(np.ones((3, 3, 3, 1)), np.ones((2, 2, 2, 1, 1)))
    with pytest.raises(ValueError, match=r"kernel of shape \(kd, kh, kw, C_in, C_out\)"):
        F.conv3d(np.ones((1, 3, 3, 3, 1)), np.ones((2, 2, 1, 1)))
    with pytest.raises(ValueError, match=r"expects 2 input channels, got inputs with 1"):
        F.conv3d(np.ones((1, 3, 3, 3, 1)), np.ones((2, 2, 2, 2, 1)))
    with pytest.raises(ValueError, match=r"bias must have shape \(1,\)"):
        F.conv3d(np.ones((1, 3, 3, 3, 1)), np.ones((2, 2, 2, 1, 1)), np.ones(2))
    with pytest.raises(ValueError, match=r"the 4x2x2 kernel is larger than the padded input"):
        F.conv3d(np.ones((1, 3, 3, 3, 1)), np.ones((4, 2, 2, 1, 1)))
    with pytest.raises(ValueError, match=r"strides must be an int >= 1 or a tuple of 3"):
        F.conv3d(np.ones((1, 3, 3, 3, 1)), np.ones((2, 2, 2, 1, 1)), strides=(1, 2))
    with pytest.raises(ValueError, match=r"the 3x3x3 pooling window is larger"):
        F.max_pool3d(np.ones((1, 2, 3, 3, 1)), 3)
    with pytest.raises(ValueError, match=r"padding must be 'valid' or 'same'"):
        F.avg_pool3d(np.ones((1, 2, 2, 2, 1)), 2, padding=1)
    with pytest.raises(TypeError, match=r"floating-point"):
        F.avg_pool3d(np.ones((1, 2, 2, 2, 1), np.int64), 2)
    with pytest.raises(ValueError, match=r"output_padding must be smaller than strides"):
        F.conv3d_transpose(np.ones((1, 2, 2, 2, 1)), np.ones((2, 2, 2, 1, 1)), strides=2,
                           output_padding=2)


def test_layer_argument_errors():
    with pytest.raises(ValueError, match=r"filters must be a positive integer"):
        layers.Conv3D(0, 3)
    with pytest.raises(ValueError, match=r"kernel_size must be an int >= 1 or a tuple of 3"):
        layers.Conv3D(2, (3, 3))
    with pytest.raises(ValueError, match=r"strides > 1 cannot be combined with dilation"):
        layers.Conv3D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"padding must be 'valid' or 'same'"):
        layers.MaxPooling3D(padding="causal")
    with pytest.raises(NotImplementedError, match=r"groups=1 only"):
        layers.Conv3D(4, 3, groups=2)
    with pytest.raises(ValueError, match=r"output_padding must be smaller than strides"):
        layers.Conv3DTranspose(2, 3, strides=2, output_padding=(1, 2, 1))
    with pytest.raises(ValueError, match=r"ZeroPadding3D padding must be an int, a tuple of 3"):
        layers.ZeroPadding3D((1, 2))
    with pytest.raises(ValueError, match=r"Cropping3D cropping cannot be negative"):
        layers.Cropping3D(-1)
    with pytest.raises(ValueError, match=r"leaves nothing"):
        layers.Cropping3D((1, 2, 1))(np.ones((1, 3, 4, 3, 1), np.float32))


@pytest.mark.parametrize("cls, args", [
    (layers.Conv3D, (2, 3)), (layers.Conv3DTranspose, (2, 3)), (layers.MaxPooling3D, ()),
    (layers.AveragePooling3D, ()), (layers.GlobalAveragePooling3D, ()),
    (layers.GlobalMaxPooling3D, ()), (layers.UpSampling3D, ()), (layers.ZeroPadding3D, ()),
    (layers.Cropping3D, ()),
])
def test_channels_first_is_refused_with_the_transpose_to_use(cls, args):
    with pytest.raises(NotImplementedError,
                       match=r"channels_last' only \(volumes as \(N, D, H, W, C\)\).*"
                             r"x.transpose\(0, 2, 3, 4, 1\)"):
        cls(*args, data_format="channels_first")
    assert cls(*args, data_format="channels_last").data_format == "channels_last"


def test_3d_layers_are_no_longer_listed_missing():
    for name in ("Conv3D", "Conv3DTranspose", "MaxPooling3D", "AveragePooling3D",
                 "UpSampling3D", "ZeroPadding3D", "Cropping3D", "GlobalAveragePooling3D",
                 "GlobalMaxPooling3D"):
        assert isinstance(getattr(baeum.layers, name), type)
        assert name not in MISSING["baeum.layers"]
