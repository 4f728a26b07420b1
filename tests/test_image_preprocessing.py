"""Resizing, CenterCrop and the random image layers (RandomFlip, RandomRotation,
RandomTranslation, RandomZoom, RandomCrop, RandomContrast, RandomBrightness): values worked
out by hand, PyTorch as the oracle for resizing and for bilinear sampling, augmentation only
in training, seeds, a CNN that trains with all of them, saving, and the errors."""

import doctest
import json

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Input, image_preprocessing
from baeum.models import Sequential, load_model
from layer_harness import run_layer_test
from oracle import compare, requires_torch, torch

if torch is not None:
    import torch.nn.functional as TF


@pytest.mark.parametrize("cls, kwargs, shape, out_shape", [
    (layers.Resizing, {"height": 5, "width": 3}, (2, 8, 6, 3), (2, 5, 3, 3)),
    (layers.Resizing, {"height": 4, "width": 4, "interpolation": "nearest",
                       "crop_to_aspect_ratio": True}, (2, 8, 6, 1), (2, 4, 4, 1)),
    (layers.Resizing, {"height": 4, "width": 8, "pad_to_aspect_ratio": True,
                       "fill_value": 1.0}, (2, 6, 6, 1), (2, 4, 8, 1)),
    (layers.CenterCrop, {"height": 4, "width": 3}, (2, 8, 6, 3), (2, 4, 3, 3)),
    (layers.RandomFlip, {"mode": "horizontal", "seed": 1}, (2, 8, 8, 3), (2, 8, 8, 3)),
    (layers.RandomFlip, {"data_format": "channels_first"}, (2, 3, 8, 8), (2, 3, 8, 8)),
    (layers.RandomRotation, {"factor": 0.2, "seed": 1}, (2, 8, 8, 3), (2, 8, 8, 3)),
    (layers.RandomRotation, {"factor": (-0.1, 0.3), "fill_mode": "constant",
                             "interpolation": "nearest", "fill_value": 0.5},
     (2, 7, 9, 2), (2, 7, 9, 2)),
    (layers.RandomTranslation, {"height_factor": 0.2, "width_factor": (-0.1, 0.2),
                                "fill_mode": "wrap"}, (2, 8, 8, 3), (2, 8, 8, 3)),
    (layers.RandomZoom, {"height_factor": (-0.3, 0.2), "width_factor": 0.1,
                         "fill_mode": "nearest"}, (2, 8, 8, 3), (2, 8, 8, 3)),
    (layers.RandomZoom, {"height_factor": 0.2}, (2, 8, 8, 3), (2, 8, 8, 3)),
    (layers.RandomCrop, {"height": 5, "width": 6, "seed": 3}, (2, 8, 8, 3), (2, 5, 6, 3)),
    (layers.RandomContrast, {"factor": 0.3, "value_range": (0, 1)}, (2, 8, 8, 3),
     (2, 8, 8, 3)),
    (layers.RandomBrightness, {"factor": (-0.2, 0.4), "value_range": [0, 1], "seed": 2},
     (2, 8, 8, 3), (2, 8, 8, 3)),
])
def test_harness(cls, kwargs, shape, out_shape):
    # inference: the random layers are then deterministic, so a config copy gives the same
    run_layer_test(cls, kwargs, shape, out_shape, 0, 0, expected_params=0,
                   call_kwargs={"training": False})


def test_docstring_examples_run():
    results = doctest.testmod(image_preprocessing)
    assert results.attempted > 10 and results.failed == 0


# --- Resizing ----------------------------------------------------------------------------

def test_resizing_2x2_to_4x4_bilinear_by_hand():
    image = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    out = layers.Resizing(4, 4)(image).data[0, :, :, 0]
    # Output pixel i reads input position (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25,
    # clamped to [0, 1]: weights (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1) on each axis.
    assert out.tolist() == [[1.0, 1.25, 1.75, 2.0],
                            [1.5, 1.75, 2.25, 2.5],
                            [2.5, 2.75, 3.25, 3.5],
                            [3.0, 3.25, 3.75, 4.0]]


def test_resizing_nearest_and_downscaling_by_hand():
    image = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    nearest = layers.Resizing(4, 4, interpolation="nearest")(image).data[0, :, :, 0]
    # floor((i + 0.5) / 2) = 0, 0, 1, 1: every pixel becomes a 2x2 block.
    assert nearest.tolist() == np.repeat(np.repeat(image[0, :, :, 0], 2, 0), 2, 1).tolist()

    grid = np.arange(16.0).reshape(1, 4, 4, 1)
    # Halving reads positions (i + 0.5) * 2 - 0.5 = 0.5 and 2.5: the mean of each 2x2 block.
    assert layers.Resizing(2, 2)(grid).data[0, :, :, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]
    # nearest: floor((i + 0.5) * 2) = 1, 3.
    assert layers.Resizing(2, 2, interpolation="nearest")(grid).data[0, :, :, 0].tolist() \
        == [[5.0, 7.0], [13.0, 15.0]]
    # No antialiasing (Keras's default): shrinking 6 -> 2 reads positions 1.0 and 4.0 only,
    # the other pixels do not count.
    big = np.arange(36.0).reshape(1, 6, 6, 1)
    np.testing.assert_array_equal(layers.Resizing(2, 2)(big).data,
                                  big[:, [1, 4]][:, :, [1, 4]])


@requires_torch
@pytest.mark.parametrize("size_in, size_out", [
    ((2, 3), (5, 7)),        # upscaling
    ((9, 8), (4, 3)),        # downscaling
    ((6, 6), (2, 9)),        # one axis each way
    ((5, 7), (5, 2)),        # one axis unchanged
])
@pytest.mark.parametrize("interpolation, torch_mode", [("bilinear", "bilinear"),
                                                       ("nearest", "nearest-exact")])
def test_resizing_matches_torch_interpolate(rng, size_in, size_out, interpolation,
                                            torch_mode):
    # Keras/TF's half-pixel centres are torch's align_corners=False, without antialiasing,
    # upscaling and downscaling alike; Keras's "nearest" is torch's "nearest-exact".
    x = rng.standard_normal((2, *size_in, 3))
    layer = layers.Resizing(*size_out, interpolation=interpolation, dtype="float64")
    options = {"align_corners": False, "antialias": False} if torch_mode == "bilinear" else {}

    def torch_resize(t):
        return TF.interpolate(t.permute(0, 3, 1, 2), size=size_out, mode=torch_mode,
                              **options).permute(0, 2, 3, 1)

    compare(layer, torch_resize, [x], rtol=1e-10, atol=1e-12)


@requires_torch
def test_downscaling_differs_from_torch_with_antialiasing(rng):
    x = rng.standard_normal((1, 8, 8, 1))
    ours = layers.Resizing(3, 3, dtype="float64")(x).data[0, :, :, 0]
    smoothed = TF.interpolate(torch.tensor(x).permute(0, 3, 1, 2), size=(3, 3),
                              mode="bilinear", align_corners=False, antialias=True)
    assert not np.allclose(ours, smoothed[0, 0].numpy(), atol=1e-3)


def test_resizing_gradient_by_finite_differences(rng):
    resize = layers.Resizing(3, 5, dtype="float64")
    assert baeum.gradcheck(lambda x: resize(x), rng.standard_normal((2, 4, 3, 2)))


def test_resizing_crop_to_aspect_ratio():
    image = np.arange(24.0).reshape(1, 4, 6, 1)
    out = layers.Resizing(2, 2, crop_to_aspect_ratio=True)(image).data[0, :, :, 0]
    # The largest centred square is columns 1..4; halving it averages its 2x2 blocks.
    window = image[0, :, 1:5, 0]
    np.testing.assert_array_equal(out, window.reshape(2, 2, 2, 2).mean(axis=(1, 3)))
    stretched = layers.Resizing(2, 2)(image).data[0, :, :, 0]
    assert not np.array_equal(stretched, out)


def test_resizing_pad_to_aspect_ratio():
    image = np.ones((1, 2, 4, 1))
    out = layers.Resizing(4, 4, pad_to_aspect_ratio=True, fill_value=-1.0)(image).data
    # One row of fill_value above and below makes the 2x4 image square: no resizing left.
    assert out[0, :, :, 0].tolist() == [[-1.0] * 4, [1.0] * 4, [1.0] * 4, [-1.0] * 4]


# --- CenterCrop ----------------------------------------------------------------------------

def test_center_crop_exact_slices(rng):
    grid = np.arange(16.0).reshape(1, 4, 4, 1)
    assert layers.CenterCrop(2, 2)(grid).data[0, :, :, 0].tolist() == [[5.0, 6.0], [9.0, 10.0]]
    odd = np.arange(20.0).reshape(1, 5, 4, 1)
    # rows from (5 - 2) // 2 = 1, columns from (4 - 3) // 2 = 0
    np.testing.assert_array_equal(layers.CenterCrop(2, 3)(odd).data, odd[:, 1:3, 0:3])
    batch = rng.standard_normal((3, 6, 7, 2)).astype(np.float32)
    np.testing.assert_array_equal(layers.CenterCrop(4, 5)(batch).data, batch[:, 1:5, 1:6])
    assert layers.CenterCrop(4, 5)(Input((6, 7, 2))).shape == (None, 4, 5, 2)


def test_center_crop_of_a_smaller_image_crops_to_the_aspect_ratio_and_resizes(rng):
    small = rng.standard_normal((2, 3, 5, 1)).astype(np.float32)
    np.testing.assert_array_equal(
        layers.CenterCrop(4, 4)(small).data,
        layers.Resizing(4, 4, crop_to_aspect_ratio=True)(small).data)


# --- RandomFlip ----------------------------------------------------------------------------

def _orientations(image):
    return {"same": image, "mirror": image[:, ::-1], "upside_down": image[::-1],
            "both": image[::-1, ::-1]}


def _which(out, image):
    names = [name for name, view in _orientations(image).items() if np.array_equal(out, view)]
    assert len(names) == 1, "the output is not the image in one of its orientations"
    return names[0]


def test_random_flip_horizontal_gives_the_image_or_its_mirror():
    image = np.arange(12.0).reshape(3, 4, 1)               # no symmetry at all
    batch = np.stack([image] * 32)
    out = layers.RandomFlip("horizontal", seed=7)(batch, training=True).data
    seen = [_which(o, image) for o in out]
    assert set(seen) == {"same", "mirror"}                  # both kinds appear
    flip = layers.RandomFlip("horizontal", seed=7)
    np.testing.assert_array_equal(flip(batch, training=False).data, batch)
    # Keras 3: called on its own, with no training flag, the layer augments (its call's
    # default is training=True), so `ds.map(lambda x, y: (augment(x), y))` works.
    assert set(_which(o, image) for o in flip(batch).data) == {"same", "mirror"}
    again = layers.RandomFlip("horizontal", seed=7)(batch, training=True).data
    np.testing.assert_array_equal(again, out)               # same seed, same flips
    other = layers.RandomFlip("horizontal", seed=8)(batch, training=True).data
    assert not np.array_equal(other, out)


def test_random_flip_vertical_and_both():
    image = np.arange(12.0).reshape(3, 4, 1)
    batch = np.stack([image] * 32)
    vertical = layers.RandomFlip("vertical", seed=1)(batch, training=True).data
    assert {_which(o, image) for o in vertical} == {"same", "upside_down"}
    # The two flips are drawn independently: all four orientations occur.
    both = layers.RandomFlip(seed=1)(batch, training=True).data
    assert {_which(o, image) for o in both} == {"same", "mirror", "upside_down", "both"}


def test_random_layers_without_a_seed_follow_baeums_global_seed(rng):
    batch = rng.standard_normal((8, 5, 5, 1)).astype(np.float32)
    outs = []
    for _ in range(2):
        baeum.random.seed(42)
        flip, turn = layers.RandomFlip(), layers.RandomRotation(0.3)
        outs.append(turn(flip(batch, training=True), training=True).data)
    np.testing.assert_array_equal(outs[0], outs[1])
    # A seeded layer's stream moves on: each training call draws anew.
    turn = layers.RandomRotation(0.3, seed=5)
    assert not np.array_equal(turn(batch, training=True).data, turn(batch, training=True).data)


# --- RandomRotation --------------------------------------------------------------------------

@pytest.mark.parametrize("factor, quarter_turns, shape", [
    ((0.25, 0.25), 1, (3, 5, 5, 2)),       # +90 degrees: counter-clockwise, np.rot90
    ((-0.25, -0.25), -1, (3, 5, 5, 2)),    # -90 degrees: clockwise
    ((0.5, 0.5), 2, (2, 4, 6, 1)),         # 180 degrees, a non-square image
])
def test_random_rotation_by_quarter_turns_is_rot90(rng, factor, quarter_turns, shape):
    images = rng.standard_normal(shape).astype(np.float32)
    expected = np.rot90(images, quarter_turns, axes=(1, 2))
    nearest = layers.RandomRotation(factor, interpolation="nearest")(images, training=True)
    np.testing.assert_array_equal(nearest.data, expected)
    bilinear = layers.RandomRotation(factor)(images, training=True)
    np.testing.assert_allclose(bilinear.data, expected, atol=1e-5)


def test_positive_rotation_is_counter_clockwise():
    image = np.zeros((1, 3, 3, 1))
    image[0, 0, 2] = 1.0                                     # the top-right corner
    out = layers.RandomRotation((0.25, 0.25), interpolation="nearest")(image, training=True)
    assert out.data[0, :, :, 0].tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 0]]   # top-left


@requires_torch
@pytest.mark.parametrize("fill_mode, padding_mode", [
    ("constant", "zeros"), ("nearest", "border"), ("reflect", "reflection")])
def test_rotation_sampling_matches_torch_grid_sample(rng, fill_mode, padding_mode):
    n, h, w = 2, 5, 7
    images = rng.standard_normal((n, h, w, 3))
    layer = layers.RandomRotation((0.1, 0.1), fill_mode=fill_mode, dtype="float64")
    # Keras's output -> input map for 36 degrees about the centre, as a torch grid
    # (align_corners=False: pixel x sits at (2x + 1) / w - 1).
    cos, sin = np.cos(0.2 * np.pi), np.sin(0.2 * np.pi)
    ys, xs = np.mgrid[0:h, 0:w]
    x_read = cos * xs - sin * ys + ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2
    y_read = sin * xs + cos * ys + ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2
    grid = np.stack([(2 * x_read + 1) / w - 1, (2 * y_read + 1) / h - 1], axis=-1)
    grid = torch.tensor(np.broadcast_to(grid, (n, h, w, 2)).copy())

    def torch_rotate(t):
        return TF.grid_sample(t.permute(0, 3, 1, 2), grid, mode="bilinear",
                              padding_mode=padding_mode, align_corners=False).permute(0, 2, 3, 1)

    compare(lambda x: layer(x, training=True), torch_rotate, [images], rtol=1e-9, atol=1e-12)


# --- RandomTranslation and the fill modes ------------------------------------------------------

ROW = [1.0, 2.0, 3.0, 4.0]            # a b c d


@pytest.mark.parametrize("width_factor, fill_mode, expected", [
    ((0.5, 0.5), "constant", [-1.0, -1.0, 1.0, 2.0]),     # k k | a b
    ((0.5, 0.5), "reflect", [2.0, 1.0, 1.0, 2.0]),        # b a | a b
    ((0.5, 0.5), "wrap", [3.0, 4.0, 1.0, 2.0]),           # c d | a b
    ((0.5, 0.5), "nearest", [1.0, 1.0, 1.0, 2.0]),        # a a | a b
    ((-0.5, -0.5), "constant", [3.0, 4.0, -1.0, -1.0]),   # c d | k k
    ((-0.5, -0.5), "reflect", [3.0, 4.0, 4.0, 3.0]),      # c d | d c
    ((-0.5, -0.5), "wrap", [3.0, 4.0, 1.0, 2.0]),         # c d | a b
    ((-0.5, -0.5), "nearest", [3.0, 4.0, 4.0, 4.0]),      # c d | d d
])
def test_fill_modes_on_an_image_moved_two_pixels(width_factor, fill_mode, expected):
    image = np.array([ROW] * 3).reshape(1, 3, 4, 1)
    layer = layers.RandomTranslation(0.0, width_factor, fill_mode=fill_mode, fill_value=-1.0)
    assert layer(image, training=True).data[0, :, :, 0].tolist() == [expected] * 3


def test_random_translation_one_pixel_down_and_up_with_a_constant_fill():
    image = np.arange(1.0, 13.0).reshape(1, 4, 3, 1)
    rows = image[0, :, :, 0].tolist()
    down = layers.RandomTranslation((0.25, 0.25), 0.0, fill_mode="constant")
    assert down(image, training=True).data[0, :, :, 0].tolist() == [[0.0] * 3, *rows[:3]]
    up = layers.RandomTranslation((-0.25, -0.25), 0.0, fill_mode="constant", fill_value=9.0)
    assert up(image, training=True).data[0, :, :, 0].tolist() == [*rows[1:], [9.0] * 3]


def test_half_pixel_shift_interpolates_with_the_fill():
    image = np.array([ROW]).reshape(1, 1, 4, 1)
    # x reads x - 0.5: -0.5, 0.5, 1.5, 2.5. At -0.5, half of a and half of what is
    # left of a: a itself (reflect), or k = 0 (constant).
    half = {"fill_mode": "reflect"}, {"fill_mode": "constant"}
    outs = [layers.RandomTranslation(0.0, (0.125, 0.125), **kw)(image, training=True)
            for kw in half]
    assert outs[0].data.ravel().tolist() == [1.0, 1.5, 2.5, 3.5]
    assert outs[1].data.ravel().tolist() == [0.5, 1.5, 2.5, 3.5]


def test_geometric_layers_are_differentiable_with_respect_to_the_input(rng):
    x = rng.standard_normal((2, 4, 5, 2))
    shift = layers.RandomTranslation((0.1, 0.1), (-0.15, -0.15), fill_mode="constant",
                                     fill_value=0.5, dtype="float64")
    assert baeum.gradcheck(lambda t: shift(t, training=True), x)
    zoom = layers.RandomZoom((-0.3, -0.3), fill_mode="reflect", dtype="float64")
    assert baeum.gradcheck(lambda t: zoom(t, training=True), x)


# --- RandomZoom ----------------------------------------------------------------------------

def test_random_zoom_in_twice_by_hand():
    ys, xs = np.mgrid[0:4, 0:4]
    image = (10.0 * xs + 100.0 * ys)[None, :, :, None]      # a linear ramp
    # height_factor -0.5 is a zoom of 1 - 0.5 = 0.5 on both axes (width_factor=None):
    # pixel x reads 0.5 x + (4 - 1) / 2 * (1 - 0.5) = 0.75, 1.25, 1.75, 2.25.
    out = layers.RandomZoom((-0.5, -0.5))(image, training=True).data[0, :, :, 0]
    np.testing.assert_allclose(out, 10 * (0.5 * xs + 0.75) + 100 * (0.5 * ys + 0.75))
    # nearest reads pixels 1, 1, 2, 2: the central 2x2 block, each pixel doubled.
    nearest = layers.RandomZoom((-0.5, -0.5), interpolation="nearest")(image, training=True)
    np.testing.assert_array_equal(nearest.data[0, :, :, 0],
                                  image[0, [1, 1, 2, 2]][:, [1, 1, 2, 2], 0])
    wide = layers.RandomZoom((0.0, 0.0), (-0.5, -0.5), interpolation="nearest")
    np.testing.assert_array_equal(wide(image, training=True).data[0, :, :, 0],
                                  image[0, :, [1, 1, 2, 2], 0].T)


def test_random_zoom_out_with_a_constant_fill():
    image = np.arange(16.0).reshape(1, 4, 4, 1)
    # zoom 1 + 1 = 2: pixel x reads 2x - 1.5 = -1.5, 0.5, 2.5, 4.5 -> -1, 1, 3, 5 (nearest).
    layer = layers.RandomZoom((1.0, 1.0), fill_mode="constant", interpolation="nearest",
                              fill_value=-1.0)
    expected = np.full((4, 4), -1.0)
    expected[1:3, 1:3] = image[0, :, :, 0][np.ix_([1, 3], [1, 3])]
    np.testing.assert_array_equal(layer(image, training=True).data[0, :, :, 0], expected)


# --- RandomCrop ----------------------------------------------------------------------------

def test_random_crop_in_training_is_a_window_shared_by_the_batch(rng):
    images = rng.standard_normal((4, 10, 9, 2)).astype(np.float32)
    layer = layers.RandomCrop(6, 5, seed=0)
    corners = set()
    for _ in range(20):
        out = layer(images, training=True).data
        found = [(t, l) for t in range(5) for l in range(5)
                 if np.array_equal(out, images[:, t:t + 6, l:l + 5])]
        assert len(found) == 1
        corners.add(found[0])
    assert len(corners) > 5                                  # the window moves around


def test_the_training_flag_resolves_as_in_keras_3():
    """A flag given wins; else the enclosing model call's; else the call signature's
    default: True for the augmentation layers, a subclassed model's own for its layers."""
    image = np.arange(12.0).reshape(3, 4, 1)
    batch = np.stack([image] * 16)

    def kinds(out):
        return set(_which(o, image) for o in np.asarray(getattr(out, "data", out)))

    model = Sequential([Input(shape=(3, 4, 1)), layers.RandomFlip("horizontal", seed=1)])
    assert kinds(model(batch)) == {"same", "mirror"}        # model(x): Keras 3 augments
    assert kinds(model(batch, training=False)) == {"same"}
    assert kinds(model.predict(batch, verbose=0)) == {"same"}

    class Inference(baeum.Model):   # call's default reaches the layers inside
        def __init__(self):
            super().__init__()
            self.flip = layers.RandomFlip("horizontal", seed=2)

        def call(self, x, training=False):
            return self.flip(x)

    class Unset(Inference):
        def call(self, x, training=None):
            return self.flip(x)

    assert kinds(Inference()(batch)) == {"same"}
    assert kinds(Unset()(batch)) == {"same", "mirror"}
    assert kinds(Inference()(batch, training=True)) == {"same", "mirror"}


def test_random_crop_at_inference_resizes_the_aspect_ratio_window(rng):
    images = rng.standard_normal((2, 10, 10, 3)).astype(np.float32)
    crop = layers.RandomCrop(8, 8, seed=0)
    # Keras: the largest window of the target's aspect ratio (here all of it), resized.
    resized = layers.Resizing(8, 8, crop_to_aspect_ratio=True)(images).data
    np.testing.assert_array_equal(crop(images, training=False).data, resized)
    assert not np.array_equal(resized, images[:, 1:9, 1:9])
    small = images[:, :4, :5]
    np.testing.assert_array_equal(crop(small, training=True).data, crop(small).data)
    np.testing.assert_array_equal(layers.RandomCrop(10, 10)(images, training=True).data,
                                  images)


# --- RandomContrast and RandomBrightness ---------------------------------------------------------

def test_random_contrast_formula(rng):
    images = rng.uniform(100, 150, (16, 4, 5, 3)).astype(np.float32)
    out = layers.RandomContrast((0.2, 0.5), seed=11)(images, training=True).data
    # Keras's formula with the layer's draws: one contrast per image in [1 - 0.2, 1 + 0.5].
    contrast = np.random.default_rng(11).uniform(0.8, 1.5, (16, 1, 1, 1))
    mean = images.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, np.clip((images - mean) * contrast + mean, 0, 255),
                               rtol=1e-5)
    # Each channel keeps its mean; deviations scale by one number per image.
    np.testing.assert_allclose(out.mean(axis=(1, 2)), mean[:, 0, 0], rtol=1e-5)
    np.testing.assert_array_equal(layers.RandomContrast(0.5)(images, training=False).data,
                                  images)


def test_random_contrast_single_factor_lowers_and_raises():
    images = np.tile(np.array([100.0, 200.0]).reshape(1, 1, 2, 1), (300, 1, 1, 1))
    out = layers.RandomContrast(0.5, seed=3)(images, training=True).data
    contrast = (out[:, 0, 1, 0] - out[:, 0, 0, 0]) / 100.0
    assert 0.5 <= contrast.min() < 0.7 and 1.3 < contrast.max() <= 1.5


def test_random_contrast_clips_to_the_value_range(rng):
    images = rng.uniform(0, 1, (20, 4, 4, 3)).astype(np.float32)
    out = layers.RandomContrast(0.9, value_range=(0, 1), seed=0)(images, training=True).data
    assert out.min() == 0.0 and out.max() == 1.0


def test_random_brightness_formula_and_clipping(rng):
    images = rng.uniform(0, 255, (16, 3, 4, 3)).astype(np.float32)
    out = layers.RandomBrightness((-0.2, 0.3), seed=4)(images, training=True).data
    delta = np.random.default_rng(4).uniform(-0.2, 0.3, (16, 1, 1, 1)) * 255
    np.testing.assert_allclose(out, np.clip(images + delta, 0, 255), rtol=1e-5, atol=1e-4)
    white = layers.RandomBrightness((1.0, 1.0))(images, training=True).data
    black = layers.RandomBrightness((-1.0, -1.0))(images, training=True).data
    assert (white == 255).all() and (black == 0).all()
    unit = images / 255
    brighter = layers.RandomBrightness((0.5, 0.5), value_range=(0, 1))(unit, training=True)
    np.testing.assert_allclose(brighter.data, np.minimum(unit + 0.5, 1.0), rtol=1e-6)
    np.testing.assert_array_equal(layers.RandomBrightness(0.5)(images, training=False).data,
                                  images)


def test_random_brightness_single_factor_goes_both_ways():
    images = np.full((200, 2, 2, 1), 100.0)
    out = layers.RandomBrightness(0.2, seed=1)(images, training=True).data
    delta = out[:, 0, 0, 0] - 100.0
    assert -51 <= delta.min() < -30 and 30 < delta.max() <= 51


# --- shapes, dtypes, layouts -------------------------------------------------------------------

def _every_layer():
    return [layers.Resizing(3, 5), layers.CenterCrop(3, 3), layers.RandomFlip(seed=0),
            layers.RandomRotation(0.2, seed=0), layers.RandomTranslation(0.2, 0.2, seed=0),
            layers.RandomZoom(0.2, seed=0), layers.RandomCrop(3, 3, seed=0),
            layers.RandomContrast(0.2, seed=0), layers.RandomBrightness(0.2, seed=0)]


@pytest.mark.parametrize("training", [False, True])
def test_outputs_are_float32_for_integer_and_float64_pixels(training):
    pixels = np.arange(2 * 5 * 6 * 3).reshape(2, 5, 6, 3)
    for layer in _every_layer():
        for images in (pixels.astype(np.uint8), pixels.astype(np.float64)):
            assert layer(images, training=training).dtype == np.float32, layer.name


def test_one_image_without_a_batch_axis(rng):
    image = rng.standard_normal((6, 7, 3)).astype(np.float32)
    for one, batch in zip(_every_layer(), _every_layer()):
        out = one(image, training=True).data
        np.testing.assert_allclose(out, batch(image[None], training=True).data[0], rtol=1e-6)


def test_channels_first_is_channels_last_transposed(rng):
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)     # (batch, channels, h, w)
    makers = [lambda df: layers.Resizing(4, 7, data_format=df),
              lambda df: layers.CenterCrop(4, 4, data_format=df),
              lambda df: layers.RandomRotation(0.2, seed=5, data_format=df),
              lambda df: layers.RandomContrast(0.4, seed=1, data_format=df)]
    for make in makers:
        first = make("channels_first")(x, training=True).data
        last = make("channels_last")(x.transpose(0, 2, 3, 1), training=True).data
        np.testing.assert_allclose(first, last.transpose(0, 3, 1, 2), rtol=1e-6)
    resize = layers.Resizing(4, 7, data_format="channels_first")
    assert resize(Input((3, 6, 5))).shape == (None, 3, 4, 7)


# --- in a model --------------------------------------------------------------------------------

def test_augmentation_layers_in_a_cnn(rng, tmp_path):
    x = rng.uniform(0, 1, (64, 10, 10, 3)).astype(np.float32)
    y = (x[:, :, :5].mean(axis=(1, 2, 3)) > x[:, :, 5:].mean(axis=(1, 2, 3))).astype(np.int64)
    model = Sequential([
        Input((10, 10, 3)),
        layers.RandomFlip(seed=1), layers.RandomRotation(0.1, seed=2),
        layers.RandomTranslation(0.1, 0.1, seed=3), layers.RandomZoom(0.1, seed=4),
        layers.RandomContrast(0.2, value_range=(0, 1), seed=5),
        layers.RandomBrightness(0.1, value_range=(0, 1), seed=6),
        layers.RandomCrop(8, 8, seed=7),
        layers.Conv2D(4, 3, activation="relu"), layers.Flatten(),
        layers.Dense(2, activation="softmax")])
    assert model.output_shape == (None, 2) and model.count_params() == 112 + 290
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()

    predicted = model.predict(x)
    np.testing.assert_array_equal(model.predict(x), predicted)     # no randomness left
    assert not np.allclose(model(x, training=True).data, predicted)
    # At inference the augmentations are the identity, and RandomCrop the resize Keras does.
    plain = Sequential([Input((10, 10, 3)), layers.Resizing(8, 8, crop_to_aspect_ratio=True),
                        layers.Conv2D(4, 3, activation="relu"), layers.Flatten(),
                        layers.Dense(2, activation="softmax")])
    plain.set_weights(model.get_weights())
    np.testing.assert_array_equal(plain.predict(x), predicted)

    path = tmp_path / "augmented.baeum"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), predicted)
    assert [layer.get_config() for layer in loaded.layers] == \
        [layer.get_config() for layer in model.layers]


@pytest.mark.parametrize("layer, keys", [
    (layers.Resizing(3, 4), {"height", "width", "interpolation", "crop_to_aspect_ratio",
                             "pad_to_aspect_ratio", "fill_mode", "fill_value"}),
    (layers.CenterCrop(3, 4), {"height", "width"}),
    (layers.RandomFlip(), {"mode", "seed"}),
    (layers.RandomRotation(0.2), {"factor", "fill_mode", "interpolation", "seed",
                                  "fill_value"}),
    (layers.RandomTranslation(0.1, (0.1, 0.2)), {"height_factor", "width_factor", "fill_mode",
                                                 "interpolation", "seed", "fill_value"}),
    (layers.RandomZoom(0.1), {"height_factor", "width_factor", "fill_mode", "interpolation",
                              "seed", "fill_value"}),
    (layers.RandomCrop(3, 4, seed=2), {"height", "width", "seed"}),
    (layers.RandomContrast(0.2), {"factor", "value_range", "seed"}),
    (layers.RandomBrightness(0.2), {"factor", "value_range", "seed"}),
])
def test_configs_have_keras_keys_and_round_trip(layer, keys):
    config = layer.get_config()
    assert keys | {"name", "dtype", "trainable", "data_format"} == set(config)
    json.dumps(config)
    assert type(layer).from_config(config).get_config() == config


def test_keras_defaults_and_factor_forms():
    assert layers.RandomFlip().mode == "horizontal_and_vertical"
    rotation = layers.RandomRotation(-0.2)
    assert (rotation.factor, rotation.fill_mode, rotation.interpolation, rotation.fill_value,
            rotation.seed) == ([-0.2, 0.2], "reflect", "bilinear", 0.0, None)
    assert layers.RandomRotation((0.3, -0.1)).factor == [-0.1, 0.3]       # sorted
    assert layers.RandomZoom(0.1).get_config()["width_factor"] is None
    assert layers.RandomTranslation(0.1, 0.2).fill_mode == "reflect"
    assert layers.RandomContrast(0.3).factor == [0.3, 0.3]
    assert layers.RandomBrightness(0.1, value_range=(255, 0)).value_range == [0.0, 255.0]
    assert layers.Resizing(2, 3).interpolation == "bilinear"


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, match", [
    (lambda: layers.RandomRotation(1.5), r"RandomRotation factor must be a number or a "
     r"\(lower, upper\) pair of numbers in \[-1, 1\], got 1.5"),
    (lambda: layers.RandomRotation((0.1,)), r"factor must be .*got \(0.1,\)"),
    (lambda: layers.RandomRotation("small"), "factor must be"),
    (lambda: layers.RandomZoom((-2.0, 0.0)), "RandomZoom height_factor must be"),
    (lambda: layers.RandomZoom(0.1, width_factor=True), "width_factor must be"),
    (lambda: layers.RandomTranslation(0.1, 1.2), "RandomTranslation width_factor must be"),
    (lambda: layers.RandomContrast(-0.1), r"RandomContrast factor .* in \[0, 1\], got -0.1"),
    (lambda: layers.RandomContrast((0.2, 1.5)), r"in \[0, 1\]"),
    (lambda: layers.RandomBrightness((0.1, 2.0)), r"in \[-1, 1\]"),
    (lambda: layers.RandomBrightness(0.1, value_range=(0,)), "value_range must be two"),
    (lambda: layers.RandomContrast(0.1, value_range=(1, 1)), "value_range must be two"),
    (lambda: layers.RandomFlip("diagonal"), "RandomFlip mode must be one of 'horizontal', "
     "'vertical', 'horizontal_and_vertical', got 'diagonal'"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "fill_mode must be one of "
     "'reflect', 'wrap', 'constant', 'nearest', got 'mirror'"),
    (lambda: layers.RandomZoom(0.1, interpolation="bicubic"),
     "interpolation must be one of 'bilinear', 'nearest', got 'bicubic'"),
    (lambda: layers.Resizing(4, 4, interpolation="lanczos3"), "are not in baeum"),
    (lambda: layers.Resizing(4, 4, fill_mode="reflect"), "fill_mode must be one of 'constant'"),
    (lambda: layers.Resizing(0, 4), "Resizing height must be a positive integer, got 0"),
    (lambda: layers.CenterCrop(4, 2.5), "CenterCrop width must be a positive integer"),
    (lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
     "only one of crop_to_aspect_ratio and pad_to_aspect_ratio"),
    (lambda: layers.RandomCrop(4, 4, seed=-1), "seed must be None or an integer >= 0"),
    (lambda: layers.RandomFlip(data_format="NHWC"), "data_format must be one of"),
    (lambda: layers.RandomRotation(0.1, fill_value=float("nan")), "fill_value must be a finite"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make", [lambda: layers.RandomFlip(), lambda: layers.Resizing(2, 2),
                                  lambda: layers.RandomRotation(0.1),
                                  lambda: layers.RandomContrast(0.1)])
def test_wrong_rank_inputs(make):
    with pytest.raises(ValueError, match=r"expects images of shape \(batch, height, width, "
                       r"channels\) or one image \(height, width, channels\), got shape "
                       r"\(28, 28\): .*x\[\.\.\., None\]"):
        make()(np.zeros((28, 28)))                            # even when not training
    with pytest.raises(ValueError, match=r"got shape \(2, 3, 4, 5, 6\)$"):
        make()(np.zeros((2, 3, 4, 5, 6)), training=True)
    with pytest.raises(ValueError, match=r"got shape \(None, 28\)"):
        make()(Input((28,)))
