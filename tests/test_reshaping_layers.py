"""The reshaping layers (ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D, RepeatVector,
Permute) and Masking: harness runs, Keras's argument forms, values and input gradients
against torch, small hand-written examples, masking downstream (recurrent layers see
the unpadded sequences), training, save -> load, and the errors a user can cause."""

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Input
from baeum.models import Sequential, load_model
from layer_harness import run_layer_test
from oracle import compare, requires_torch, torch


# --- the harness: shapes, no weights, config round trip, symbolic call, gradient --------------
@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.ZeroPadding1D, {}, (2, 5, 3), (2, 7, 3)),
    (layers.ZeroPadding1D, {"padding": (1, 3)}, (2, 5, 3), (2, 9, 3)),
    (layers.ZeroPadding2D, {}, (2, 4, 5, 3), (2, 6, 7, 3)),
    (layers.ZeroPadding2D, {"padding": (1, 2)}, (2, 4, 5, 3), (2, 6, 9, 3)),
    (layers.ZeroPadding2D, {"padding": ((1, 2), (3, 4))}, (2, 4, 5, 3), (2, 7, 12, 3)),
    (layers.Cropping1D, {}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping1D, {"cropping": (0, 2)}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping2D, {}, (2, 4, 5, 3), (2, 4, 5, 3)),
    (layers.Cropping2D, {"cropping": 1}, (2, 4, 5, 3), (2, 2, 3, 3)),
    (layers.Cropping2D, {"cropping": ((1, 0), (2, 1))}, (2, 4, 5, 3), (2, 3, 2, 3)),
    (layers.UpSampling1D, {}, (2, 3, 4), (2, 6, 4)),
    (layers.UpSampling1D, {"size": 3}, (2, 3, 4), (2, 9, 4)),
    (layers.RepeatVector, {"n": 3}, (2, 4), (2, 3, 4)),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    (layers.Permute, {"dims": (3, 1, 2)}, (2, 3, 4, 5), (2, 5, 3, 4)),
    (layers.Masking, {}, (2, 5, 3), (2, 5, 3)),
    (layers.Masking, {"mask_value": -1.0}, (2, 5, 3), (2, 5, 3)),
])
def test_harness(cls, kwargs, input_shape, output_shape):
    run_layer_test(cls, kwargs, input_shape, output_shape, 0, 0, expected_params=0)


# --- Keras's argument forms, as they appear in get_config -------------------------------------
@pytest.mark.parametrize("layer, key, value", [
    (layers.ZeroPadding1D(), "padding", [1, 1]),
    (layers.ZeroPadding1D(2), "padding", [2, 2]),
    (layers.ZeroPadding1D((1, 3)), "padding", [1, 3]),
    (layers.ZeroPadding2D(), "padding", [[1, 1], [1, 1]]),
    (layers.ZeroPadding2D(2), "padding", [[2, 2], [2, 2]]),
    (layers.ZeroPadding2D((1, 2)), "padding", [[1, 1], [2, 2]]),        # (height, width)
    (layers.ZeroPadding2D(((1, 2), (3, 4))), "padding", [[1, 2], [3, 4]]),
    (layers.ZeroPadding2D(((1, 2), 3)), "padding", [[1, 2], [3, 3]]),
    (layers.Cropping1D(), "cropping", [1, 1]),
    (layers.Cropping1D(2), "cropping", [2, 2]),
    (layers.Cropping2D(), "cropping", [[0, 0], [0, 0]]),
    (layers.Cropping2D((2, 4)), "cropping", [[2, 2], [4, 4]]),
    (layers.ZeroPadding2D(data_format="channels_last"), "data_format", "channels_last"),
    (layers.Cropping2D(), "data_format", "channels_last"),
    (layers.UpSampling1D(), "size", 2),
    (layers.Permute([2, 1]), "dims", [2, 1]),
    (layers.Permute(np.array([3, 1, 2])), "dims", [3, 1, 2]),
    (layers.Masking(), "mask_value", 0.0),
])
def test_argument_forms_in_the_config(layer, key, value):
    assert layer.get_config()[key] == value


def test_cropping1d_has_no_data_format_as_in_keras():
    assert "data_format" not in layers.Cropping1D().get_config()
    with pytest.raises(TypeError, match="data_format"):
        layers.Cropping1D(data_format="channels_last")


# --- small examples by hand --------------------------------------------------------------------
def _image(rows):
    """A one-channel image (1, H, W, 1) from a list of rows."""
    return np.array(rows, np.float32)[None, :, :, None]


def _pixels(y):
    return y.data[0, :, :, 0].tolist()


def test_zero_padding2d_puts_a_frame_of_zeros_around_a_2x2_image():
    y = layers.ZeroPadding2D(1)(_image([[1, 2],
                                        [3, 4]]))
    assert _pixels(y) == [[0, 0, 0, 0],
                          [0, 1, 2, 0],
                          [0, 3, 4, 0],
                          [0, 0, 0, 0]]
    y = layers.ZeroPadding2D(((1, 0), (0, 2)))(_image([[1, 2]]))   # top 1, right 2
    assert _pixels(y) == [[0, 0, 0, 0],
                          [1, 2, 0, 0]]


def test_cropping2d_keeps_the_middle_of_a_4x4_image():
    x = _image([[1, 2, 3, 4],
                [5, 6, 7, 8],
                [9, 10, 11, 12],
                [13, 14, 15, 16]])
    assert _pixels(layers.Cropping2D(1)(x)) == [[6, 7],
                                                [10, 11]]
    assert _pixels(layers.Cropping2D(((0, 3), (1, 0)))(x)) == [[2, 3, 4]]


def test_padding_then_the_same_cropping_gives_the_input_back(rng):
    x = rng.standard_normal((2, 3, 4, 2)).astype(np.float32)
    padded = layers.ZeroPadding2D(((1, 2), (3, 0)))(x)
    np.testing.assert_array_equal(layers.Cropping2D(((1, 2), (3, 0)))(padded).data, x)
    steps = rng.standard_normal((2, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(
        layers.Cropping1D((2, 1))(layers.ZeroPadding1D((2, 1))(steps)).data, steps)


def test_one_dimensional_layers_on_a_short_sequence():
    x = np.array([[[1.0], [2.0], [3.0]]], np.float32)       # 3 steps, 1 feature

    def steps(y):
        return y.data[0, :, 0].tolist()

    assert steps(layers.ZeroPadding1D((2, 1))(x)) == [0, 0, 1, 2, 3, 0]
    assert steps(layers.Cropping1D((1, 0))(x)) == [2, 3]
    assert steps(layers.UpSampling1D(2)(x)) == [1, 1, 2, 2, 3, 3]


def test_repeat_vector_and_permute_by_hand():
    v = np.array([[1.0, 2.0, 3.0]], np.float32)              # (batch 1, 3 features)
    assert layers.RepeatVector(2)(v).data.tolist() == [[[1, 2, 3],
                                                        [1, 2, 3]]]
    x = np.array([[[1, 2, 3],
                   [4, 5, 6]]], np.float32)                  # (1, 2 steps, 3 features)
    assert layers.Permute((2, 1))(x).data.tolist() == [[[1, 4],
                                                        [2, 5],
                                                        [3, 6]]]


def test_repeat_vector_gradient_is_the_sum_over_the_copies():
    v = baeum.tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    y = layers.RepeatVector(3, dtype="float64")(v)
    y.backward(np.array([[[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]]))
    assert v.grad.data.tolist() == [[6.0, 60.0]]


# --- values and input gradients against torch (float64, random upstream gradient) ------------
def _f64(cls, *args, **kwargs):
    return cls(*args, dtype="float64", **kwargs)


@requires_torch
@pytest.mark.parametrize("layer, torch_fn, shape", [
    # torch's pad lists the last axis first: (channels, width, height) for NHWC.
    (_f64(layers.ZeroPadding2D, ((1, 2), (3, 4))),
     lambda x: torch.nn.functional.pad(x, (0, 0, 3, 4, 1, 2)), (2, 3, 4, 2)),
    (_f64(layers.ZeroPadding1D, (1, 3)),
     lambda x: torch.nn.functional.pad(x, (0, 0, 1, 3)), (2, 5, 3)),
    (_f64(layers.Cropping2D, ((1, 0), (2, 1))), lambda x: x[:, 1:, 2:-1, :], (2, 4, 5, 3)),
    (_f64(layers.Cropping1D, (2, 1)), lambda x: x[:, 2:-1, :], (2, 6, 3)),
    (_f64(layers.Permute, (3, 1, 2)), lambda x: x.permute(0, 3, 1, 2), (2, 3, 4, 5)),
    (_f64(layers.Permute, (2, 1)), lambda x: x.permute(0, 2, 1), (2, 3, 4)),
    (_f64(layers.RepeatVector, 4), lambda x: x[:, None, :].repeat(1, 4, 1), (3, 5)),
    (_f64(layers.UpSampling1D, 3), lambda x: x.repeat_interleave(3, dim=1), (2, 4, 3)),
], ids=["zero_padding2d", "zero_padding1d", "cropping2d", "cropping1d", "permute_3d",
        "permute_2d", "repeat_vector", "up_sampling1d"])
def test_values_and_gradients_match_torch(layer, torch_fn, shape, rng):
    compare(layer, torch_fn, [rng.standard_normal(shape)])


@requires_torch
def test_masking_values_and_gradients_match_torch(rng):
    x = rng.standard_normal((3, 5, 2))
    x[0, 3:] = 0.0                     # padded steps
    x[2, :2] = 0.0
    x[1, 1, 0] = 0.0                   # one zero feature only: a real step

    def torch_masking(x):
        return x * (x != 0.0).any(dim=-1, keepdim=True)

    compare(_f64(layers.Masking), torch_masking, [x])


# --- Masking ----------------------------------------------------------------------------------
def test_masking_marks_the_steps_where_every_feature_is_the_mask_value():
    x = np.array([[[1.0, 2.0], [0.0, 5.0], [0.0, 0.0]],     # a zero feature is not padding
                  [[0.0, 0.0], [3.0, 1.0], [0.0, 0.0]],
                  [[-1.0, -1.0], [-1.0, -1.0], [4.0, -1.0]]], np.float32)
    y = layers.Masking()(x)
    assert y._keras_mask.tolist() == [[True, True, False],
                                      [False, True, False],
                                      [True, True, True]]
    y = layers.Masking(mask_value=-1.0)(x)
    assert y._keras_mask.tolist() == [[True, True, True],
                                      [True, True, True],
                                      [False, False, True]]
    # Keras sets masked steps to 0, whatever the mask value was.
    assert y.data[2].tolist() == [[0, 0], [0, 0], [4, -1]]


def test_no_gradient_reaches_a_masked_step():
    x = baeum.tensor(np.array([[[2.0], [0.0], [3.0]]]), requires_grad=True)
    layers.Masking(dtype="float64")(x).backward(np.array([[[5.0], [6.0], [7.0]]]))
    assert x.grad.data[0, :, 0].tolist() == [5.0, 0.0, 7.0]


SEQUENCES = [np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]]),     # 3 steps, 2 features
             np.array([[0.9, 0.4]]),
             np.array([[0.1, 0.2], [0.3, -0.4], [1.0, 1.0], [-2.0, 0.5], [0.7, 0.7]])]


def _padded(padding, width=6):
    x = np.zeros((len(SEQUENCES), width, 2), np.float32)
    for row, seq in zip(x, SEQUENCES):
        if padding == "post":
            row[:len(seq)] = seq
        else:
            row[width - len(seq):] = seq
    return x


@pytest.mark.parametrize("padding", ["post", "pre"])
def test_lstm_after_masking_sees_the_unpadded_sequences(padding):
    masking = layers.Masking()
    lstm = layers.LSTM(4, return_sequences=True, return_state=True)
    out, h, c = lstm(masking(_padded(padding)))
    width = out.shape[1]
    for i, seq in enumerate(SEQUENCES):
        alone_out, alone_h, alone_c = lstm(masking(seq[None].astype(np.float32)))
        real = slice(0, len(seq)) if padding == "post" else slice(width - len(seq), width)
        np.testing.assert_allclose(out.data[i, real], alone_out.data[0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(h.data[i], alone_h.data[0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(c.data[i], alone_c.data[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: layers.GRU(3),
    lambda: layers.SimpleRNN(3, go_backwards=True),
    lambda: layers.Bidirectional(layers.LSTM(2)),
    lambda: layers.GlobalAveragePooling1D(),
])
def test_other_layers_after_masking_see_the_unpadded_sequences(make):
    masking, layer = layers.Masking(), make()
    together = layer(masking(_padded("post"))).data
    for i, seq in enumerate(SEQUENCES):
        alone = layer(masking(seq[None].astype(np.float32))).data
        np.testing.assert_allclose(together[i], alone[0], rtol=1e-5, atol=1e-6)


def test_the_loss_and_the_metrics_leave_masked_steps_out(rng):
    # A tagger: one label per step; the labels under the padding are junk.
    x = _padded("post")
    tags = rng.integers(0, 3, size=x.shape[:2])
    model = Sequential([Input(shape=(6, 2)), layers.Masking(),
                        layers.LSTM(4, return_sequences=True),
                        layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    logs = model.evaluate(x, tags, return_dict=True, verbose=0)
    probs, real = model.predict(x, verbose=0), np.any(x != 0, axis=-1)
    picked = np.take_along_axis(probs, tags[..., None], axis=-1)[..., 0]
    np.testing.assert_allclose(logs["loss"], -np.log(picked[real]).mean(), rtol=1e-5)
    np.testing.assert_allclose(logs["accuracy"], (probs.argmax(-1) == tags)[real].mean(),
                               rtol=1e-6)


def test_masking_in_a_functional_model_with_variable_length_input():
    inputs = Input(shape=(None, 2))
    outputs = layers.Dense(1)(layers.LSTM(3)(layers.Masking()(inputs)))
    model = baeum.Model(inputs, outputs)
    short = model.predict(_padded("post", width=5), verbose=0)
    long = model.predict(_padded("post", width=9), verbose=0)
    np.testing.assert_allclose(short, long, rtol=1e-5, atol=1e-6)


def test_masking_then_lstm_learns_a_task_that_needs_the_mask(rng):
    # Each sequence has 2-6 steps of (+1 or -1, a value in [0.5, 1]), zero-padded at the
    # end to 60 steps; the label is whether its last real step says +1. With the mask the
    # LSTM's state stops at the last real step; without it the answer has to survive 54+
    # steps of zeros, which the same LSTM does not learn in the same 4 epochs.
    n, width = 400, 60
    lengths = rng.integers(2, 7, size=n)
    x = np.zeros((n, width, 2), np.float32)
    for row, length in zip(x, lengths):
        row[:length, 0] = rng.choice([-1.0, 1.0], size=length)
        row[:length, 1] = rng.uniform(0.5, 1.0, size=length)
    y = (x[np.arange(n), lengths - 1, 0] > 0).astype(np.int64)

    def trained_accuracy(*masking):
        baeum.random.seed(0)
        model = Sequential([Input(shape=(None, 2)), *masking, layers.LSTM(8),
                            layers.Dense(2, activation="softmax")])
        model.compile(baeum.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, epochs=4, batch_size=32, verbose=0)
        return model, model.evaluate(x, y, verbose=0)[1]

    model, accuracy = trained_accuracy(layers.Masking())
    assert accuracy > 0.95
    assert trained_accuracy()[1] < 0.75                       # about chance without the mask
    # More padding changes nothing: the mask hides it.
    longer = np.concatenate([x[:20], np.zeros((20, 7, 2), np.float32)], axis=1)
    np.testing.assert_allclose(model.predict(longer, verbose=0), model.predict(x[:20], verbose=0),
                               rtol=1e-5, atol=1e-6)


# --- save -> load -> identical predictions ---------------------------------------------------
def test_models_with_the_new_layers_round_trip(rng, tmp_path):
    sequence_model = Sequential([
        Input(shape=(6, 3)), layers.Masking(), layers.LSTM(4), layers.RepeatVector(3),
        layers.LSTM(4, return_sequences=True), layers.UpSampling1D(2),
        layers.Cropping1D((1, 0)), layers.ZeroPadding1D(1), layers.Permute((2, 1)),
        layers.Flatten(), layers.Dense(2)])
    image_model = Sequential([
        Input(shape=(6, 6, 1)), layers.ZeroPadding2D(((1, 2), (0, 1))), layers.Conv2D(2, 3),
        layers.Cropping2D(1), layers.UpSampling2D(), layers.Permute((3, 1, 2)),
        layers.Flatten(), layers.Dense(3)])
    x_seq = rng.standard_normal((4, 6, 3)).astype(np.float32)
    x_seq[0, 4:] = 0.0
    x_img = rng.standard_normal((4, 6, 6, 1)).astype(np.float32)
    for model, x, name in [(sequence_model, x_seq, "seq"), (image_model, x_img, "img")]:
        path = tmp_path / f"{name}.baeum"
        model.save(path)
        loaded = load_model(path)
        assert [type(layer) for layer in loaded.layers] == [type(la) for la in model.layers]
        assert [la.get_config() for la in loaded.layers] == [la.get_config()
                                                             for la in model.layers]
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_summary_shows_the_output_shapes():
    model = Sequential([Input(shape=(28, 28, 1)), layers.ZeroPadding2D(2),
                        layers.Cropping2D(((1, 0), (0, 3))), layers.Permute((3, 1, 2))])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for shape in ["(None, 32, 32, 1)", "(None, 31, 29, 1)", "(None, 1, 31, 29)"]:
        assert shape in text


# --- errors ------------------------------------------------------------------------------------
PAD_2D_FORMS = (r"an int, a tuple of 2 ints \(symmetric_height_pad, symmetric_width_pad\) or "
                r"a tuple of 2 tuples of 2 ints \(\(top_pad, bottom_pad\), "
                r"\(left_pad, right_pad\)\)")


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.ZeroPadding1D((1, 2, 3)), ValueError,
     r"ZeroPadding1D padding must be an int or a tuple of 2 ints \(left_pad, right_pad\), "
     r"got \(1, 2, 3\)"),
    (lambda: layers.ZeroPadding1D("1"), ValueError, r"ZeroPadding1D padding .* got '1'"),
    (lambda: layers.ZeroPadding2D((1,)), ValueError,
     rf"ZeroPadding2D padding must be {PAD_2D_FORMS}, got \(1,\)"),
    (lambda: layers.ZeroPadding2D(((1, 2), (3, 4, 5))), ValueError,
     r"ZeroPadding2D padding .* got \(\(1, 2\), \(3, 4, 5\)\)"),
    (lambda: layers.ZeroPadding2D(((1, 2), "3")), ValueError, "ZeroPadding2D padding"),
    (lambda: layers.ZeroPadding2D(1.5), ValueError, "ZeroPadding2D padding .* got 1.5"),
    (lambda: layers.ZeroPadding2D(((1, 2), (3, -4))), ValueError,
     r"ZeroPadding2D padding cannot be negative, got \(\(1, 2\), \(3, -4\)\)"),
    (lambda: layers.Cropping1D((1,)), ValueError,
     r"Cropping1D cropping must be an int or a tuple of 2 ints \(left_crop, right_crop\)"),
    (lambda: layers.Cropping2D((1, 2, 3)), ValueError,
     r"Cropping2D cropping must be .*\(\(top_crop, bottom_crop\), \(left_crop, right_crop\)\)"),
    (lambda: layers.Cropping2D(-1), ValueError, "Cropping2D cropping cannot be negative"),
    (lambda: layers.Permute((1, 3)), ValueError,
     r"Permute dims must be a permutation of 1..rank.* got \(1, 3\)"),
    (lambda: layers.Permute((0, 1)), ValueError, r"Permute dims .* got \(0, 1\)"),
    (lambda: layers.Permute((1, 1)), ValueError, r"Permute dims .* got \(1, 1\)"),
    (lambda: layers.Permute("21"), ValueError, r"Permute dims .* got '21'"),
    (lambda: layers.RepeatVector(0), ValueError, "RepeatVector n must be a positive integer"),
    (lambda: layers.RepeatVector(2.5), TypeError, "RepeatVector n must be an integer"),
    (lambda: layers.UpSampling1D(0), ValueError, "UpSampling1D size must be a positive integer"),
    (lambda: layers.ZeroPadding2D(data_format="channels_first"), NotImplementedError,
     "ZeroPadding2D supports data_format='channels_last' only"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("layer, x, match", [
    (layers.RepeatVector(3, name="repeat"), np.ones((2, 3, 4)),
     r"layer 'repeat' .*expected ndim=2, found ndim=3. Full shape received: \(2, 3, 4\)"),
    (layers.Permute((2, 1), name="swap"), np.ones((2, 3, 4, 5)),
     r"layer 'swap' .*expected ndim=3, found ndim=4"),
    (layers.ZeroPadding2D(name="pad"), np.ones((2, 5, 5)),
     r"layer 'pad' .*expected ndim=4, found ndim=3"),
    (layers.Cropping1D(name="crop"), np.ones((2, 5)),
     r"layer 'crop' .*expected ndim=3, found ndim=2"),
    (layers.UpSampling1D(name="up"), np.ones((2, 5, 5, 1)),
     r"layer 'up' .*expected ndim=3, found ndim=4"),
])
def test_inputs_of_the_wrong_rank(layer, x, match):
    with pytest.raises(ValueError, match=match):
        layer(x)


def test_cropping_that_leaves_nothing_names_the_layer():
    with pytest.raises(ValueError, match=r"Cropping2D 'crop' crops 3 \+ 3 from axis 1 of size 5, "
                                         r"which leaves nothing"):
        layers.Cropping2D(3, name="crop")(np.ones((1, 5, 8, 1)))
    with pytest.raises(ValueError, match=r"Cropping1D 'crop_steps' crops 2 \+ 3 from axis 1 of "
                                         r"size 5.*Input shape: \(None, 5, 2\)"):
        layers.Cropping1D((2, 3), name="crop_steps")(Input(shape=(5, 2)))   # when building
    # An unknown length is checked when data arrives.
    cropped = layers.Cropping1D((2, 3), name="late")
    assert cropped(Input(shape=(None, 2))).shape == (None, None, 2)
    with pytest.raises(ValueError, match="Cropping1D 'late' crops 2 \\+ 3 from axis 1 of size 4"):
        cropped(np.ones((1, 4, 2)))
