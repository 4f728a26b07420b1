"""Grouped convolutions: grouped_conv2d and the groups= argument of Conv2D and Conv1D.
Values and gradients (input, kernel, bias) against torch's conv2d / conv1d with groups,
Keras's kernel shapes and parameter counts, the groups=1 call left as it was, no fused
conv + max-pool step for a grouped Conv2D, config and save/load round trips, training,
and the errors naming both numbers."""

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Conv2D
from baeum.ops.grouped_conv import grouped_conv2d
from layer_harness import run_layer_test
from oracle import compare, layer_against_torch, requires_torch, torch
from test_conv_pool import pair, tf_same_pads

if torch is not None:
    import torch.nn.functional as TF


def torch_grouped_conv2d(x, k, b=None, groups=1, strides=1, padding="valid", dilation=1):
    """x (N, H, W, C), k (kh, kw, C // g, F) (Keras) -> torch conv2d(groups=g) on NCHW with
    weight (F, C // g, kh, kw); "same" as TensorFlow pads it (the odd pixel after)."""
    s, d = pair(strides), pair(dilation)
    xc = x.permute(0, 3, 1, 2)
    if padding == "same":
        (top, bottom), (left, right) = [tf_same_pads(x.shape[1 + a], k.shape[a], s[a], d[a])
                                        for a in range(2)]
        xc = TF.pad(xc, (left, right, top, bottom))
    y = TF.conv2d(xc, k.permute(3, 2, 0, 1), b, stride=s, dilation=d, groups=groups)
    return y.permute(0, 2, 3, 1)


# (x shape, kernel (kh, kw), filters, groups, strides, padding, dilation, bias)
GROUPED_CASES = [
    ((2, 6, 5, 4), (3, 3), 6, 2, 1, "valid", 1, True),
    ((2, 6, 5, 6), (3, 3), 6, 3, 1, "same", 1, False),
    ((2, 7, 6, 4), (3, 2), 8, 4, 2, "same", 1, True),    # groups = C: the depthwise path
    ((1, 6, 6, 3), (3, 3), 6, 3, 1, "valid", 1, True),   # depthwise, 2 filters per channel
    ((1, 8, 8, 4), (3, 3), 4, 2, 1, "same", 2, True),    # dilation
    ((2, 7, 7, 6), (1, 1), 4, 2, 2, "valid", 1, True),   # 1x1 kernel, strides
    ((2, 5, 5, 3), (3, 3), 3, 1, 1, "same", 1, True),    # groups=1 is conv2d
]


@requires_torch
@pytest.mark.parametrize("x_shape, k_hw, filters, groups, strides, padding, dilation, use_bias",
                         GROUPED_CASES)
def test_grouped_conv2d_matches_torch(rng, x_shape, k_hw, filters, groups, strides, padding,
                                      dilation, use_bias):
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal((*k_hw, x_shape[3] // groups, filters))
    inputs = [x, k] + ([rng.standard_normal(filters)] if use_bias else [])
    window = dict(strides=strides, padding=padding)

    def ours(x, k, b=None):
        return grouped_conv2d(x, k, b, groups, dilation_rate=dilation, **window)

    def theirs(x, k, b=None):
        return torch_grouped_conv2d(x, k, b, groups, dilation=dilation, **window)

    compare(ours, theirs, inputs)


def test_grouped_conv2d_gradcheck(rng):
    x, k, b = rng.standard_normal((2, 5, 4, 4)), rng.standard_normal((3, 3, 2, 4)), \
        rng.standard_normal(4)
    assert baeum.gradcheck(lambda x, k, b: grouped_conv2d(x, k, b, 2, padding="same"), x, k, b)


def test_groups_never_mix():
    # Group 0 sees only channel 0 (ones), group 1 only channel 1 (tens).
    x = np.concatenate([np.ones((1, 3, 3, 1)), 10 * np.ones((1, 3, 3, 1))], axis=-1)
    y = grouped_conv2d(x, np.ones((2, 2, 1, 4)), groups=2).numpy()
    np.testing.assert_array_equal(y[0, 0, 0], [4, 4, 40, 40])
    y = grouped_conv2d(x, np.ones((2, 2, 1, 2)), groups=2).numpy()   # the depthwise path
    np.testing.assert_array_equal(y[0, 0, 0], [4, 40])


# --- the layers against torch --------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("filters, groups, kwargs", [
    (6, 2, {}),
    (4, 4, {"padding": "same", "strides": 2}),
    (8, 2, {"dilation_rate": 2, "activation": "relu"}),
])
def test_conv2d_groups_matches_torch(filters, groups, kwargs, rng):
    layer = layers.Conv2D(filters, 3, groups=groups, dtype="float64",
                          bias_initializer="random_normal", **kwargs)
    args = dict(strides=kwargs.get("strides", 1), padding=kwargs.get("padding", "valid"),
                dilation=kwargs.get("dilation_rate", 1))
    act = torch.relu if kwargs.get("activation") == "relu" else (lambda t: t)
    layer_against_torch(layer, rng.standard_normal((2, 9, 8, 4)),
                         lambda x, k, b: act(torch_grouped_conv2d(x, k, b, groups, **args)), rng)
    assert layer.kernel.shape == (3, 3, 4 // groups, filters)


@requires_torch
@pytest.mark.parametrize("filters, groups, kwargs", [
    (6, 2, {}),
    (6, 3, {"padding": "same", "strides": 2}),
    (4, 2, {"padding": "causal", "dilation_rate": 2}),
    (12, 6, {}),                                            # groups = C: depthwise
])
def test_conv1d_groups_matches_torch(filters, groups, kwargs, rng):
    layer = layers.Conv1D(filters, 3, groups=groups, dtype="float64",
                          bias_initializer="random_normal", **kwargs)
    s, d = kwargs.get("strides", 1), kwargs.get("dilation_rate", 1)
    padding = kwargs.get("padding", "valid")

    def theirs(x, k, b):   # k (K, C // g, F) -> torch weight (F, C // g, K)
        xc = x.transpose(1, 2)
        if padding == "same":
            xc = TF.pad(xc, tf_same_pads(xc.shape[2], 3, s, d))
        elif padding == "causal":
            xc = TF.pad(xc, (2 * d, 0))
        return TF.conv1d(xc, k.permute(2, 1, 0), b, stride=s, dilation=d,
                         groups=groups).transpose(1, 2)

    layer_against_torch(layer, rng.standard_normal((2, 11, 6)), theirs, rng)
    assert layer.kernel.shape == (3, 6 // groups, filters)


# --- shapes, parameter counts (Keras's: kh*kw*(C/g)*filters + filters), config ----------------


@pytest.mark.parametrize("cls, kwargs, shape, out_shape, n_weights, params", [
    (layers.Conv2D, {"filters": 6, "kernel_size": 3, "groups": 2}, (2, 8, 8, 4), (2, 6, 6, 6),
     2, 3 * 3 * 2 * 6 + 6),
    (layers.Conv2D, {"filters": 8, "kernel_size": (3, 2), "groups": 4, "padding": "same",
                     "use_bias": False}, (2, 6, 6, 4), (2, 6, 6, 8), 1, 3 * 2 * 1 * 8),
    (layers.Conv2D, {"filters": 9, "kernel_size": 3, "groups": 3, "strides": 2},
     (2, 9, 9, 6), (2, 4, 4, 9), 2, 3 * 3 * 2 * 9 + 9),
    (layers.Conv1D, {"filters": 8, "kernel_size": 3, "groups": 2}, (2, 10, 4), (2, 8, 8), 2,
     3 * 2 * 8 + 8),
    (layers.Conv1D, {"filters": 4, "kernel_size": 3, "groups": 4, "padding": "causal"},
     (2, 9, 4), (2, 9, 4), 2, 3 * 1 * 4 + 4),
])
def test_harness(cls, kwargs, shape, out_shape, n_weights, params):
    layer = run_layer_test(cls, kwargs, shape, out_shape, n_weights, 0, expected_params=params)
    assert layer.get_config()["groups"] == kwargs["groups"]
    assert cls.from_config(layer.get_config()).groups == kwargs["groups"]


def test_groups_1_call_is_unchanged_and_grouped_never_fuses():
    pool = layers.MaxPooling2D(2)
    pool.build((None, 6, 6, 4))
    plain = layers.Conv2D(4, 3)
    plain(np.ones((1, 8, 8, 4), np.float32))
    assert "call" not in vars(plain) and plain.call.__func__ is Conv2D.call
    assert plain.fuses_with(pool)
    grouped = layers.Conv2D(4, 3, groups=2)
    grouped(np.ones((1, 8, 8, 4), np.float32))
    assert grouped.call.__func__ is Conv2D._grouped_call
    assert not grouped.fuses_with(pool)


@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_grouped_conv2d_then_max_pool_in_a_model(activation, tmp_path):
    # Sequential and functional models fuse Conv2D + MaxPooling2D; a grouped conv must run
    # as the plain pair instead, in training and inference, and survive save -> load.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 8, 8, 4)).astype(np.float32)
    y = (x[..., :2].mean(axis=(1, 2, 3)) > x[..., 2:].mean(axis=(1, 2, 3))).astype(np.int64)
    model = baeum.Sequential([
        layers.Input(shape=(8, 8, 4)),
        layers.Conv2D(8, 3, groups=2, activation=activation, padding="same"),
        layers.MaxPooling2D(2),
        layers.Conv2D(4, 3, groups=4),
        layers.Flatten(),
        layers.Dense(2, activation="softmax"),
    ])
    conv, pool = model.layers[0], model.layers[1]
    expected = pool(conv(x)).data
    inputs = layers.Input(shape=(8, 8, 4))
    functional = baeum.Model(inputs, pool(conv(inputs)))
    np.testing.assert_allclose(functional.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-6)
    model.compile(optimizer=baeum.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy")
    losses = model.fit(x, y, epochs=8, batch_size=8, verbose=0).history["loss"]
    assert losses[-1] < 0.8 * losses[0], losses
    path = tmp_path / "grouped.baeum"
    model.save(path)
    loaded = baeum.models.load_model(path)
    assert [la.groups for la in loaded.layers if isinstance(la, Conv2D)] == [2, 4]
    assert loaded.layers[0].kernel.shape == (3, 3, 2, 8)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Conv2D(6, 3, groups=4), r"Conv2D: filters=6 must be divisible by groups=4"),
    (lambda: layers.Conv1D(5, 3, groups=2), r"Conv1D: filters=5 must be divisible by groups=2"),
    (lambda: layers.Conv2D(4, 3, groups=0), r"Conv2D groups must be a positive integer, got 0"),
    (lambda: layers.Conv2D(4, 3, groups=2.0), r"groups must be a positive integer, got 2.0"),
    (lambda: layers.Conv1D(4, 3, groups=True), r"groups must be a positive integer, got True"),
])
def test_bad_groups(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_input_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"Conv2D 'conv2d\w*': the input's 6 channels must be "
                                         r"divisible by groups=4 \(input shape \(1, 5, 5, 6\)\)"):
        layers.Conv2D(8, 3, groups=4)(np.ones((1, 5, 5, 6), np.float32))
    with pytest.raises(ValueError, match=r"the input's 5 channels must be divisible by groups=2"):
        layers.Conv1D(4, 3, groups=2)(np.ones((1, 5, 5), np.float32))


def test_grouped_conv2d_errors():
    x = np.zeros((1, 5, 5, 6))
    with pytest.raises(ValueError, match=r"the 6 input channels must be divisible by groups=4"):
        grouped_conv2d(x, np.zeros((3, 3, 1, 4)), groups=4)
    with pytest.raises(ValueError, match=r"the 5 output channels \(filters\).*divisible by "
                                         r"groups=3"):
        grouped_conv2d(x, np.zeros((3, 3, 2, 5)), groups=3)
    assert grouped_conv2d(x, np.zeros((3, 3, 2, 6)), groups=3).shape == (1, 3, 3, 6)
    with pytest.raises(ValueError, match=r"expects 3 \* 3 = 9 input channels, got inputs with "
                                         r"6 channels"):
        grouped_conv2d(x, np.zeros((3, 3, 3, 6)), groups=3)
    with pytest.raises(ValueError, match=r"groups must be a positive integer, got 0"):
        grouped_conv2d(x, np.zeros((3, 3, 6, 6)), groups=0)
    with pytest.raises(ValueError, match=r"bias must have shape \(6,\)"):
        grouped_conv2d(x, np.zeros((3, 3, 3, 6)), np.zeros(3), groups=2)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(N, H, W, C\)"):
        grouped_conv2d(np.zeros((5, 5, 6)), np.zeros((3, 3, 3, 6)), groups=2)
