"""Conv1DTranspose, DepthwiseConv1D and SeparableConv1D: Keras's shapes, weight names and
parameter counts, values and gradients (input, kernels, bias) against torch's
conv_transpose1d and conv1d (groups=C for the depthwise step), config and save/load round
trips, training, and the errors."""

import numpy as np
import pytest

import baeum
from baeum import layers
from layer_harness import run_layer_test
from oracle import layer_against_torch, requires_torch, torch
from test_conv_pool import keras_jax_transpose_pads, tf_same_pads

if torch is not None:
    import torch.nn.functional as TF


# --- torch oracles on (N, T, C) tensors, with Keras's kernel layouts ---------------------------


def torch_conv1d_transpose(x, k, b, strides=1, padding="valid", output_padding=None,
                           dilation=1):
    """Keras semantics: torch's full transposed conv (no padding), then the crop (or zero
    extension) of Keras's padding. k (K, C_out, C_in) -> torch weight (C_in, C_out, K)."""
    full = TF.conv_transpose1d(x.transpose(1, 2), k.permute(2, 1, 0), None, stride=strides,
                               dilation=dilation)
    span = (k.shape[0] - 1) * dilation + 1
    left, right = keras_jax_transpose_pads(k.shape[0], strides, dilation, padding,
                                           output_padding)
    crop_l, crop_r = span - 1 - left, span - 1 - right
    full = TF.pad(full, (max(-crop_l, 0), max(-crop_r, 0)))
    crop_l, crop_r = max(crop_l, 0), max(crop_r, 0)
    y = full.narrow(2, crop_l, full.shape[2] - crop_l - crop_r).transpose(1, 2)
    return y if b is None else y + b


def _same_padded(x_nct, kernel, strides, dilation, padding):
    if padding == "same":
        return TF.pad(x_nct, tf_same_pads(x_nct.shape[2], kernel, strides, dilation))
    return x_nct


def torch_depthwise_conv1d(x, k, b=None, strides=1, padding="valid", dilation=1):
    """conv1d with groups=C. k (K, C, M) -> weight (C*M, 1, K): output channel c*M + m."""
    size, c, m = k.shape
    w = k.reshape(size, c * m).permute(1, 0).unsqueeze(1)
    xc = _same_padded(x.transpose(1, 2), size, strides, dilation, padding)
    return TF.conv1d(xc, w, b, stride=strides, dilation=dilation, groups=c).transpose(1, 2)


def torch_separable_conv1d(x, dk, pk, b=None, strides=1, padding="valid", dilation=1):
    """The depthwise conv1d, then a size-1 conv1d: pk (1, C*M, F) -> weight (F, C*M, 1)."""
    y = torch_depthwise_conv1d(x, dk, None, strides, padding, dilation)
    return TF.conv1d(y.transpose(1, 2), pk.permute(2, 1, 0), b).transpose(1, 2)


# --- shapes, weights and parameter counts (Keras's formulas) -----------------------------------


@pytest.mark.parametrize("cls, kwargs, shape, out_shape, n_weights, params", [
    # Conv1DTranspose: kernel_size * filters * C_in + filters
    (layers.Conv1DTranspose, {"filters": 8, "kernel_size": 3}, (2, 10, 4), (2, 12, 8), 2,
     3 * 8 * 4 + 8),
    (layers.Conv1DTranspose, {"filters": 32, "kernel_size": 3, "strides": 2,
                              "activation": "relu"}, (2, 10, 6), (2, 21, 32), 2,
     3 * 32 * 6 + 32),                                   # (10 - 1) * 2 + 3 = 21, as Keras
    (layers.Conv1DTranspose, {"filters": 2, "kernel_size": (4,), "strides": 2,
                              "padding": "same", "use_bias": False}, (2, 5, 3), (2, 10, 2), 1,
     4 * 2 * 3),
    (layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "strides": 3,
                              "output_padding": 2}, (2, 4, 2), (2, 14, 3), 2, 3 * 3 * 2 + 3),
    (layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "dilation_rate": 2,
                              "padding": "same"}, (2, 6, 2), (2, 6, 3), 2, 3 * 3 * 2 + 3),
    # DepthwiseConv1D: kernel_size * C * depth_multiplier + C * depth_multiplier
    (layers.DepthwiseConv1D, {"kernel_size": 3}, (2, 10, 4), (2, 8, 4), 2, 3 * 4 + 4),
    (layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 3, "strides": 2,
                              "activation": "relu"}, (2, 10, 12), (2, 4, 36), 2,
     3 * 12 * 3 + 36),                                   # Keras's docstring example
    (layers.DepthwiseConv1D, {"kernel_size": 2, "padding": "same", "dilation_rate": 2,
                              "use_bias": False}, (2, 7, 3), (2, 7, 3), 1, 2 * 3),
    # SeparableConv1D: kernel_size * C * M + C * M * filters + filters
    (layers.SeparableConv1D, {"filters": 8, "kernel_size": 3}, (2, 10, 4), (2, 8, 8), 3,
     3 * 4 + 4 * 8 + 8),
    (layers.SeparableConv1D, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same",
                              "depth_multiplier": 2}, (2, 9, 3), (2, 5, 4), 3,
     3 * 3 * 2 + 6 * 4 + 4),
    (layers.SeparableConv1D, {"filters": 2, "kernel_size": 3, "dilation_rate": 2,
                              "use_bias": False, "pointwise_regularizer": "l2"}, (2, 9, 2),
     (2, 5, 2), 2, 3 * 2 + 2 * 2),
])
def test_harness(cls, kwargs, shape, out_shape, n_weights, params):
    layer = run_layer_test(cls, kwargs, shape, out_shape, n_weights, 0, expected_params=params)
    assert layer.compute_output_shape(shape) == out_shape
    assert layer.compute_output_shape((None, None, shape[2]))[::2] == (None, out_shape[2])


def test_weight_names_shapes_and_config_are_keras():
    def named(layer):
        return [(w.name.split("/")[-1], w.shape) for w in layer.weights]

    tr = layers.Conv1DTranspose(8, 3, strides=2, output_padding=1)
    tr.build((None, 10, 4))
    assert named(tr) == [("kernel", (3, 8, 4)), ("bias", (8,))]   # (k, filters, C_in)
    dw = layers.DepthwiseConv1D(3, depth_multiplier=2)
    dw.build((None, 10, 4))
    assert named(dw) == [("kernel", (3, 4, 2)), ("bias", (8,))]   # (k, C, M)
    assert dw.depthwise_kernel is dw.kernel
    sep = layers.SeparableConv1D(8, 3, depth_multiplier=2)
    sep.build((None, 10, 3))
    assert named(sep) == [("depthwise_kernel", (3, 3, 2)), ("pointwise_kernel", (1, 6, 8)),
                          ("bias", (8,))]
    config = tr.get_config()
    assert (config["kernel_size"], config["strides"], config["dilation_rate"],
            config["output_padding"], config["padding"]) == ([3], [2], [1], [1], "valid")
    assert "groups" not in config
    assert layers.Conv1DTranspose(4, 3).get_config()["output_padding"] is None
    config = sep.get_config()
    assert (config["kernel_size"], config["strides"], config["depth_multiplier"]) == \
        ([3], [1], 2)
    assert set(config) >= {"depthwise_initializer", "pointwise_initializer",
                           "depthwise_constraint", "pointwise_constraint", "bias_constraint"}
    assert set(dw.get_config()) >= {"depthwise_initializer", "depthwise_regularizer",
                                    "depthwise_constraint", "depth_multiplier"}
    for layer in (tr, dw, sep):
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()


def test_known_values():
    # A transposed conv spreads each step over the kernel: ones (1, 3) with stride 2
    # overlap on every other step.
    tr = layers.Conv1DTranspose(1, 3, strides=2, use_bias=False, kernel_initializer="ones")
    assert tr(np.ones((1, 3, 1))).data[0, :, 0].tolist() == [1, 1, 2, 1, 2, 1, 1]
    # Depthwise: each channel its own moving sum, channels never mix.
    dw = layers.DepthwiseConv1D(2, use_bias=False, depthwise_initializer="ones")
    x = np.stack([np.arange(4.0), 10 * np.ones(4)], axis=-1)[None]
    assert dw(x).data[0].tolist() == [[1, 20], [3, 20], [5, 20]]


# --- against torch -----------------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("kwargs", [
    {},
    {"strides": 2},
    {"strides": 3, "kernel_size": 2},             # stride larger than the kernel: zero tail
    {"strides": 2, "padding": "same"},
    {"strides": 2, "padding": "same", "kernel_size": 4},
    {"strides": 3, "output_padding": 2},
    {"strides": 2, "padding": "same", "output_padding": 0},
    {"dilation_rate": 2},
    {"dilation_rate": 2, "padding": "same"},
])
def test_conv1d_transpose_matches_torch(kwargs, rng):
    kwargs = {"kernel_size": 3, **kwargs}
    layer = layers.Conv1DTranspose(5, dtype="float64", bias_initializer="random_normal",
                                   **kwargs)
    args = dict(strides=kwargs.get("strides", 1), padding=kwargs.get("padding", "valid"),
                output_padding=kwargs.get("output_padding"),
                dilation=kwargs.get("dilation_rate", 1))
    y = layer_against_torch(layer, rng.standard_normal((2, 7, 3)),
                       lambda x, k, b: torch_conv1d_transpose(x, k, b, **args), rng)
    assert y.shape == layer.compute_output_shape((2, 7, 3))


@requires_torch
@pytest.mark.parametrize("kwargs", [
    {},
    {"depth_multiplier": 2},
    {"padding": "same", "depth_multiplier": 3},
    {"strides": 2, "kernel_size": 4, "padding": "same"},
    {"strides": 2},
    {"dilation_rate": 2, "padding": "same", "depth_multiplier": 2},
])
def test_depthwise_conv1d_matches_torch(kwargs, rng):
    kwargs = {"kernel_size": 3, **kwargs}
    layer = layers.DepthwiseConv1D(dtype="float64", bias_initializer="random_normal",
                                   **kwargs)
    args = dict(strides=kwargs.get("strides", 1), padding=kwargs.get("padding", "valid"),
                dilation=kwargs.get("dilation_rate", 1))
    layer_against_torch(layer, rng.standard_normal((2, 11, 4)),
                   lambda x, k, b: torch_depthwise_conv1d(x, k, b, **args), rng)


@requires_torch
@pytest.mark.parametrize("kwargs", [
    {},
    {"depth_multiplier": 2, "padding": "same"},
    {"strides": 2, "activation": "tanh"},
    {"dilation_rate": 2, "depth_multiplier": 3},
])
def test_separable_conv1d_matches_torch(kwargs, rng):
    layer = layers.SeparableConv1D(6, 3, dtype="float64", bias_initializer="random_normal",
                                   **kwargs)
    args = dict(strides=kwargs.get("strides", 1), padding=kwargs.get("padding", "valid"),
                dilation=kwargs.get("dilation_rate", 1))
    act = torch.tanh if kwargs.get("activation") == "tanh" else (lambda t: t)
    layer_against_torch(layer, rng.standard_normal((2, 11, 4)),
                   lambda x, dk, pk, b: act(torch_separable_conv1d(x, dk, pk, b, **args)), rng)


# --- models: training, saving ------------------------------------------------------------------


def _autoencoder():
    return baeum.Sequential([
        layers.Input(shape=(16, 2)),
        layers.SeparableConv1D(8, 3, padding="same", activation="relu", depth_multiplier=2),
        layers.DepthwiseConv1D(3, strides=2, padding="same", depth_multiplier=2),
        layers.Conv1DTranspose(2, 3, strides=2, padding="same"),
    ])


def test_model_trains_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    t = np.linspace(0, 2 * np.pi, 16)
    phase = rng.uniform(0, 2 * np.pi, (64, 1, 1))
    x = np.concatenate([np.sin(t[None, :, None] + phase), np.cos(t[None, :, None] + phase)],
                       axis=-1).astype(np.float32)
    model = _autoencoder()
    assert model.output_shape == (None, 16, 2)
    assert model.count_params() == (3 * 2 * 2 + 4 * 8 + 8) + (3 * 8 * 2 + 16) + (3 * 2 * 16 + 2)
    model.compile(optimizer=baeum.optimizers.Adam(learning_rate=0.01), loss="mse")
    losses = model.fit(x, x, epochs=15, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
    path = tmp_path / "conv1d_more.baeum"
    model.save(path)
    loaded = baeum.models.load_model(path)
    assert [type(layer) for layer in loaded.layers] == [
        layers.SeparableConv1D, layers.DepthwiseConv1D, layers.Conv1DTranspose]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_no_longer_listed_as_missing():
    from baeum.not_in_baeum import MISSING

    for name in ("Conv1DTranspose", "DepthwiseConv1D", "SeparableConv1D"):
        assert name not in MISSING["baeum.layers"]
        assert getattr(baeum.layers, name).__name__ == name


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.Conv1DTranspose(4, (3, 3)), ValueError,
     r"Conv1DTranspose kernel_size must be a positive integer, got \(3, 3\)"),
    (lambda: layers.DepthwiseConv1D(0), ValueError,
     r"DepthwiseConv1D kernel_size must be a positive integer, got 0"),
    (lambda: layers.SeparableConv1D(4, 3, strides=0), ValueError,
     r"SeparableConv1D strides must be a positive integer, got 0"),
    (lambda: layers.Conv1DTranspose(4, 3, padding="causal"), ValueError,
     r"Conv1DTranspose padding must be 'valid' or 'same', got 'causal'"),
    (lambda: layers.DepthwiseConv1D(3, padding="causal"), ValueError,
     r"DepthwiseConv1D padding must be 'valid' or 'same'"),
    (lambda: layers.SeparableConv1D(4, 3, padding="full"), ValueError,
     r"SeparableConv1D padding must be 'valid' or 'same', got 'full'"),
    (lambda: layers.Conv1DTranspose(4, 3, strides=2, output_padding=2), ValueError,
     r"Conv1DTranspose output_padding must be smaller than strides"),
    (lambda: layers.Conv1DTranspose(4, 3, output_padding=-1), ValueError,
     r"Conv1DTranspose output_padding must be an integer >= 0, got -1"),
    (lambda: layers.DepthwiseConv1D(3, strides=2, dilation_rate=2), ValueError,
     r"DepthwiseConv1D: strides > 1 cannot be combined with dilation_rate > 1"),
    (lambda: layers.SeparableConv1D(4, 3, depth_multiplier=0), ValueError,
     r"SeparableConv1D depth_multiplier must be an integer >= 1"),
    (lambda: layers.SeparableConv1D(0, 3), ValueError,
     r"SeparableConv1D filters must be a positive integer, got 0"),
    (lambda: layers.Conv1DTranspose(4, 3, data_format="channels_first"), NotImplementedError,
     r"Conv1DTranspose supports data_format='channels_last' only \(sequences as \(N, T, C\)\)"
     r".*transpose\(0, 2, 1\)"),
    (lambda: layers.DepthwiseConv1D(3, data_format="channels_first"), NotImplementedError,
     r"sequences as \(N, T, C\)"),
    (lambda: layers.SeparableConv1D(4, 3, data_format="channels_first"), NotImplementedError,
     r"sequences as \(N, T, C\)"),
    (lambda: layers.DepthwiseConv1D(3, groups=2), TypeError, r"groups"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("layer", [layers.Conv1DTranspose(4, 3), layers.DepthwiseConv1D(3),
                                   layers.SeparableConv1D(4, 3)], ids=lambda la: la.name)
def test_bad_inputs(layer):
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=4"):
        layer(np.ones((1, 5, 5, 2), np.float32))
    layer(np.ones((1, 6, 2), np.float32))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 2"):
        layer(np.ones((1, 6, 3), np.float32))
    if not isinstance(layer, layers.Conv1DTranspose):
        with pytest.raises(ValueError, match=r"larger than the padded input"):
            layer(np.ones((1, 2, 2), np.float32))
