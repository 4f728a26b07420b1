"""image_dataset_from_directory, text_dataset_from_directory and the image helpers
load_img / img_to_array / array_to_img / save_img (Keras 3's keras.utils), on tiny folders."""

import os
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

import baeum
from baeum import layers, optimizers, utils
from baeum.dataset_from_directory import DirectoryDataset, resize_image
from baeum.models import Sequential

# Three classes, each one solid colour, so that an image says which class it came from.
COLORS = {"alpha": (200, 30, 30), "beta": (30, 200, 30), "gamma": (30, 30, 200)}
CLASSES = sorted(COLORS)


def _solid(height, width, color):
    return np.broadcast_to(np.array(color, np.uint8), (height, width, 3)).copy()


@pytest.fixture(scope="module")
def images_dir(tmp_path_factory):
    """3 classes x 4 images of different sizes (PNG, one JPEG, one in a nested folder),
    plus files and folders that must be ignored."""
    root = tmp_path_factory.mktemp("images")
    for c, name in enumerate(CLASSES):
        folder = root / name
        (folder / "nested").mkdir(parents=True)
        color = COLORS[name]
        for i in range(3):
            Image.fromarray(_solid(10 + 3 * i + c, 12 + 2 * i, color)).save(folder / f"{i}.png")
        Image.fromarray(_solid(14, 9, color)).save(folder / "nested" / "deep.JPG", quality=95)
        (folder / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    Image.fromarray(_solid(5, 5, (0, 0, 0))).save(root / ".hidden" / "x.png")
    (root / "README.md").write_text("top-level file: no class")
    return root


@pytest.fixture(scope="module")
def texts_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    for name, words in [("neg", ["bad", "awful", "dull"]), ("pos", ["good", "great", "fun"])]:
        (root / name / "more").mkdir(parents=True)
        for i, word in enumerate(words):
            where = root / name / ("more" if i == 2 else "") / f"{i}.txt"
            where.write_text(f"a {word} movie")
        (root / name / "image.png").write_bytes(b"not text")
    return root


def _images(directory, **kwargs):
    kwargs = {"image_size": (8, 8), "verbose": False, **kwargs}
    return utils.image_dataset_from_directory(directory, **kwargs)


def _class_of(image):
    """The class whose colour an (h, w, 3) image of values 0..255 has."""
    mean = image.reshape(-1, image.shape[-1])[:, :3].mean(0)
    return int(np.argmin([np.abs(mean - COLORS[c]).sum() for c in CLASSES]))


def _all(ds):
    xs, ys = zip(*ds)
    return np.concatenate(xs), np.concatenate(ys)


# --- finding the files -------------------------------------------------------------------------

def test_class_names_files_and_order(images_dir, capsys):
    ds = utils.image_dataset_from_directory(images_dir, image_size=(8, 8), shuffle=False)
    assert "Found 12 files belonging to 3 classes." in capsys.readouterr().out
    assert ds.class_names == CLASSES
    # Alphanumeric order: class folders, then each folder's files, then its subfolders.
    expected = [os.path.join(str(images_dir), c, f) for c in CLASSES
                for f in ("0.png", "1.png", "2.png", os.path.join("nested", "deep.JPG"))]
    assert ds.file_paths == expected
    images, labels = _all(ds)
    assert labels.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert [_class_of(image) for image in images] == labels.tolist()


def test_shapes_dtypes_and_batches(images_dir):
    ds = _images(images_dir, batch_size=5, image_size=(6, 7), seed=1)
    assert isinstance(ds, (DirectoryDataset, utils.PyDataset))
    assert len(ds) == 3 and ds.cardinality() == 3
    sizes = []
    for images, labels in ds:
        assert images.dtype == np.float32 and labels.dtype == np.int32
        assert images.shape[1:] == (6, 7, 3) and labels.shape == images.shape[:1]
        assert 0 <= images.min() and images.max() <= 255
        sizes.append(len(images))
    assert sizes == [5, 5, 2]
    with pytest.raises(IndexError, match="batch 3 of"):
        ds[3]
    one = _images(images_dir, batch_size=None, image_size=9, seed=1)
    image, label = one[0]
    assert len(one) == 12 and image.shape == (9, 9, 3) and label.shape == ()
    assert _class_of(image) == label


@pytest.mark.parametrize("mode, shape, dtype", [("int", (), np.int32),
                                                ("categorical", (3,), np.float32)])
def test_label_modes(images_dir, mode, shape, dtype):
    images, labels = _all(_images(images_dir, label_mode=mode, seed=3, batch_size=4))
    assert labels.shape == (12, *shape) and labels.dtype == dtype
    ids = labels if mode == "int" else labels.argmax(1)
    if mode == "categorical":
        assert np.array_equal(labels, np.eye(3)[ids])
    assert [_class_of(image) for image in images] == ids.tolist()


def test_binary_labels_and_class_names_subset(images_dir):
    ds = _images(images_dir, label_mode="binary", class_names=["gamma", "alpha"], seed=0)
    assert ds.class_names == ["gamma", "alpha"] and len(ds.file_paths) == 8
    images, labels = _all(ds)
    assert labels.shape == (8, 1) and labels.dtype == np.float32
    wanted = [CLASSES.index("gamma"), CLASSES.index("alpha")]
    assert [_class_of(image) for image in images] == [wanted[int(v)] for v in labels[:, 0]]


def test_shuffle_seed_and_reshuffle_each_epoch(images_dir):
    a = _images(images_dir, seed=42, batch_size=12)
    b = _images(images_dir, seed=42, batch_size=12)
    c = _images(images_dir, seed=7, batch_size=12)
    assert a.file_paths == b.file_paths and a.file_paths != c.file_paths
    assert sorted(a.file_paths) == sorted(_images(images_dir, shuffle=False).file_paths)
    x0, y0 = a[0]
    assert np.array_equal(x0, b[0][0]) and np.array_equal(y0, b[0][1])
    # The first pass reads .file_paths in order; each pass after it is a new permutation.
    assert [CLASSES.index(os.path.relpath(p, images_dir).split(os.sep)[0])
            for p in a.file_paths] == y0.tolist()
    a.on_epoch_end()
    x1, y1 = a[0]
    assert not np.array_equal(y0, y1) and sorted(y0.tolist()) == sorted(y1.tolist())
    assert [_class_of(image) for image in x1] == y1.tolist()
    b.on_epoch_end()
    assert np.array_equal(b[0][1], y1)   # the reshuffles follow the seed too
    list(b)                              # a complete `for` loop is a pass as well
    assert not np.array_equal(b[0][1], y1)


def test_validation_split_both(images_dir):
    train, val = _images(images_dir, validation_split=0.25, subset="both", seed=5,
                         batch_size=4)
    assert len(train.file_paths) == 9 and len(val.file_paths) == 3
    assert set(train.file_paths).isdisjoint(val.file_paths)
    assert sorted(train.file_paths + val.file_paths) == sorted(
        _images(images_dir, shuffle=False).file_paths)
    assert train.class_names == val.class_names == CLASSES
    training = _images(images_dir, validation_split=0.25, subset="training", seed=5)
    validation = _images(images_dir, validation_split=0.25, subset="validation", seed=5)
    assert training.file_paths == train.file_paths and validation.file_paths == val.file_paths
    order = val[0][1]
    val.on_epoch_end()                   # as in Keras, "both" does not shuffle validation
    assert np.array_equal(val[0][1], order)


def test_labels_none_and_a_list(images_dir):
    only = _images(images_dir, labels=None, shuffle=False)
    assert only.class_names is None and len(only.file_paths) == 13   # the whole tree, .hidden too
    batch = only[0]
    assert isinstance(batch, np.ndarray) and batch.shape == (13, 8, 8, 3)
    also = _images(images_dir, label_mode=None, shuffle=False)
    assert also.class_names is None and isinstance(also[0], np.ndarray)
    # A list of labels: one per file, in the sorted order of the paths.
    given = [i % 2 for i in range(13)]
    listed = _images(images_dir, labels=given, shuffle=False)
    assert listed.class_names == ["0", "1"] and listed[0][1].tolist() == given
    shuffled = _images(images_dir, labels=given, seed=3)
    by_path = dict(zip(only.file_paths, given))
    assert shuffled[0][1].tolist() == [by_path[p] for p in shuffled.file_paths]
    with pytest.raises(ValueError, match="lengths of `labels` to match.*len\\(labels\\) is 3 "
                                         "while we found 13 files"):
        _images(images_dir, labels=[0, 1, 0])
    with pytest.raises(ValueError, match="only pass `class_names` if `labels=\"inferred\"`"):
        _images(images_dir, labels=given, class_names=["a", "b"])
    with pytest.raises(ValueError, match="needs the labels to be 0..1"):
        _images(images_dir, labels=[2 * g for g in given], label_mode="categorical")


def test_follow_links(images_dir, tmp_path):
    if not hasattr(os, "symlink"):
        pytest.skip("no symbolic links here")
    (tmp_path / "cls").mkdir()
    Image.fromarray(_solid(4, 4, (9, 9, 9))).save(tmp_path / "cls" / "own.png")
    os.symlink(images_dir / "alpha", tmp_path / "cls" / "linked")
    assert len(_images(tmp_path).file_paths) == 1
    assert len(_images(tmp_path, follow_links=True, seed=0).file_paths) == 5


# --- decoding and resizing --------------------------------------------------------------------

def test_color_modes(images_dir, tmp_path):
    gray = _images(images_dir, color_mode="grayscale", seed=0)[0][0]
    rgba = _images(images_dir, color_mode="rgba", seed=0)[0][0]
    assert gray.shape == (12, 8, 8, 1) and rgba.shape == (12, 8, 8, 4)
    np.testing.assert_allclose(rgba[..., 3], 255)
    # A gray file read as "rgb" has three equal channels.
    (tmp_path / "g").mkdir()
    Image.fromarray(np.full((5, 6), 77, np.uint8), "L").save(tmp_path / "g" / "a.png")
    image = _images(tmp_path, image_size=(5, 6))[0][0][0]
    assert np.array_equal(image, np.full((5, 6, 3), 77, np.float32))
    # 16-bit gray is brought to 0..255 as TensorFlow's decoder does (value // 256).
    Image.fromarray(np.full((5, 6), 40000, np.uint16)).save(tmp_path / "g" / "b.png")
    sixteen = _images(tmp_path, image_size=(5, 6), color_mode="grayscale", shuffle=False)
    assert sixteen[0][0][1, 0, 0, 0] == 40000 // 256


def _columns_image(tmp_path, height=4, width=8):
    """One class, one image whose pixel (row, col) is 10 * col in every channel."""
    (tmp_path / "c").mkdir(exist_ok=True)
    pixels = np.broadcast_to((10 * np.arange(width, dtype=np.uint8))[None, :, None],
                             (height, width, 3)).copy()
    Image.fromarray(pixels).save(tmp_path / "c" / "cols.png")
    return pixels.astype(np.float32)


def test_crop_and_pad_to_aspect_ratio(tmp_path):
    pixels = _columns_image(tmp_path)
    cropped = _images(tmp_path, image_size=(4, 4), crop_to_aspect_ratio=True)[0][0][0]
    assert np.array_equal(cropped, pixels[:, 2:6])            # the centred 4x4 window
    padded = _images(tmp_path, image_size=(8, 8), pad_to_aspect_ratio=True)[0][0][0]
    assert np.array_equal(padded[2:6], pixels) and not padded[:2].any() and not padded[6:].any()
    squashed = _images(tmp_path, image_size=(4, 4))[0][0][0]   # bilinear, half-pixel centres
    np.testing.assert_allclose(squashed[0, :, 0], [5, 25, 45, 65])
    assert squashed.shape == (4, 4, 3)


def test_interpolation_and_data_format(tmp_path):
    pixels = _columns_image(tmp_path, height=2, width=2)
    near = _images(tmp_path, image_size=(4, 4), interpolation="NEAREST")[0][0][0]
    assert np.array_equal(near, pixels.repeat(2, 0).repeat(2, 1))
    # The same resize as baeum's Resizing layer (TensorFlow's half-pixel bilinear).
    resized = layers.Resizing(3, 5)(pixels[None]).data[0]
    np.testing.assert_allclose(resize_image(pixels, (3, 5), "bilinear"), resized)
    first = _images(tmp_path, image_size=(3, 5), data_format="channels_first")[0][0]
    assert first.shape == (1, 3, 3, 5)
    np.testing.assert_allclose(first[0], resized.transpose(2, 0, 1))


def test_broken_image_names_the_file(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    ds = _images(tmp_path)
    with pytest.raises(ValueError, match="could not decode the image file .*broken.jpg"):
        ds[0]


# --- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"validation_split": 0.2, "subset": "training"}, "you must provide a `seed`"),
    ({"validation_split": 0.2, "seed": 1}, "If `subset` is set, `validation_split` must be"),
    ({"subset": "training", "seed": 1}, "If `subset` is set, `validation_split` must be"),
    ({"validation_split": 1.5, "subset": "both", "seed": 1}, "must be between 0 and 1"),
    ({"validation_split": 0.2, "subset": "train", "seed": 1}, '"training", "validation" or'),
    ({"label_mode": "binary"}, 'exactly 2 class_names. Received: class_names=\\[\'alpha\''),
    ({"label_mode": "sparse"}, "`label_mode` argument must be one of"),
    ({"color_mode": "bgr"}, '`color_mode` must be one of .* Received: color_mode=\'bgr\''),
    ({"labels": "folders"}, '`labels` must be "inferred", None, or a list'),
    ({"class_names": ["alpha", "omega"]}, "did not match the names of the subdirectories"),
    ({"image_size": (8,)}, "Expected a tuple of 2 positive integers"),
    ({"interpolation": "bicubic"}, "Keras's TensorFlow resize methods"),
    ({"interpolation": "fancy"}, "should be one of \\('bilinear', 'nearest'\\)"),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "Only one of"),
    ({"batch_size": 0}, "`batch_size` must be a positive integer, or None"),
    ({"data_format": "channels_middle"}, "`data_format` argument must be one of"),
])
def test_bad_arguments(images_dir, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _images(images_dir, **kwargs)


def test_empty_and_missing_directories(tmp_path):
    with pytest.raises(ValueError, match="No images found in directory .*files must be in "
                                         "subdirectories, one per class"):
        _images(tmp_path)
    (tmp_path / "empty_class").mkdir()
    (tmp_path / "empty_class" / "a.txt").write_text("no image")
    with pytest.raises(ValueError, match="No images found in directory"):
        _images(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        _images(tmp_path / "nowhere")
    Image.fromarray(_solid(3, 3, (1, 2, 3))).save(tmp_path / "empty_class" / "one.png")
    os.remove(tmp_path / "empty_class" / "a.txt")
    with pytest.raises(ValueError, match="No text files found"):
        utils.text_dataset_from_directory(tmp_path, verbose=False)
    with pytest.raises(ValueError, match="No validation images found.*leaves none"):
        _images(tmp_path, validation_split=0.5, subset="both", seed=1)


def test_take_iteration_and_tf_data_names(images_dir):
    ds = _images(images_dir, batch_size=5, seed=0)
    first = ds.take(1)
    assert len(first) == 1 and len(ds.take(10)) == 3 and len(ds.take(-1)) == 3
    for images, labels in first:
        assert np.array_equal(labels, ds[0][1]) and np.array_equal(images, ds[0][0])
    assert np.array_equal(next(iter(ds.take(1)))[1], ds[0][1])   # take does not reshuffle
    assert len(list(ds.as_numpy_iterator())) == 3
    with pytest.raises(AttributeError, match="has no map\\(\\) \\(tf.data.Dataset's\\): put "
                                             "the preprocessing in the model"):
        ds.map(lambda x, y: (x, y))
    with pytest.raises(AttributeError, match="has no prefetch"):
        ds.take(1).prefetch(2)
    with pytest.raises(AttributeError, match="no attribute 'colour'"):
        _ = ds.colour
    with pytest.raises(ValueError, match="`count` must be an integer"):
        ds.take(1.5)
    assert "12 files in 3 batches of 5" in repr(ds)


def test_missing_pillow_says_how_to_install(images_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install baeum\\[images\\]"):
        _images(images_dir)
    with pytest.raises(ImportError, match="pip install baeum\\[images\\]"):
        utils.load_img(images_dir / "alpha" / "0.png")


# --- training on it -------------------------------------------------------------------------

def test_fit_on_image_directory(images_dir):
    train_ds, val_ds = _images(images_dir, validation_split=0.25, subset="both", seed=1337,
                               batch_size=3, image_size=(12, 12))
    baeum.random.seed(0)
    model = Sequential([layers.Input((12, 12, 3)), layers.Rescaling(1.0 / 255),
                        layers.Conv2D(4, 3, activation="relu"),
                        layers.GlobalAveragePooling2D(), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.05),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert set(history.history) >= {"val_loss", "val_accuracy"}
    assert not np.array_equal(train_ds._order, np.arange(9))    # fit reshuffled each epoch
    assert model.predict(val_ds, verbose=0).shape == (3, 3)
    assert len(model.evaluate(val_ds, verbose=0)) == 2


# --- texts ------------------------------------------------------------------------------------

def test_text_dataset(texts_dir, capsys):
    ds = utils.text_dataset_from_directory(texts_dir, shuffle=False, batch_size=4)
    assert "Found 6 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["neg", "pos"] and len(ds) == 2
    texts, labels = ds[0]
    assert texts.dtype.kind == "U" and labels.dtype == np.int32
    assert texts.tolist() == ["a bad movie", "a awful movie", "a dull movie", "a good movie"]
    assert labels.tolist() == [0, 0, 0, 1]
    cut = utils.text_dataset_from_directory(texts_dir, shuffle=False, max_length=5,
                                            label_mode="categorical", verbose=False)
    texts, labels = cut[0]
    assert texts.tolist()[:2] == ["a bad", "a awf"] and labels.shape == (6, 2)
    train, val = utils.text_dataset_from_directory(texts_dir, validation_split=0.5,
                                                   subset="both", seed=2, verbose=False,
                                                   label_mode="binary")
    assert set(train.file_paths).isdisjoint(val.file_paths)
    assert len(train.file_paths) == len(val.file_paths) == 3
    for texts, labels in train:
        assert labels.shape == (3, 1) and labels.dtype == np.float32
        for text, label in zip(texts, labels[:, 0]):
            assert (text.split()[1] in ("good", "great", "fun")) == bool(label)


def test_text_max_length_keeps_utf8_whole_and_vectorizes(tmp_path):
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "a.txt").write_text("가나 다", encoding="utf-8")   # 3 bytes per syllable
    (tmp_path / "k" / "b.txt").write_bytes("ßtraße".encode("latin-1"))
    texts = utils.text_dataset_from_directory(tmp_path, labels=None, max_length=4,
                                              shuffle=False, verbose=False)
    assert texts.file_paths[0].endswith("a.txt") and texts.class_names is None
    with pytest.raises(ValueError, match="reads UTF-8 text, but .*b.txt' is not UTF-8"):
        texts[0]
    os.remove(tmp_path / "k" / "b.txt")
    (tmp_path / "k" / "c.txt").write_text("가나 다 가나", encoding="utf-8")
    texts = utils.text_dataset_from_directory(tmp_path, labels=None, max_length=4,
                                              shuffle=False, verbose=False)
    assert texts[0].tolist() == ["가", "가"]
    whole = utils.text_dataset_from_directory(tmp_path, labels=None, shuffle=False,
                                              verbose=False)
    vectorize = layers.TextVectorization()
    vectorize.adapt(whole)
    assert vectorize.get_vocabulary()[:3] == ["", "[UNK]", "가나"]


# --- the image helpers ------------------------------------------------------------------------

def test_image_helpers_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (5, 7, 3)).astype(np.float32)
    path = tmp_path / "x.png"
    utils.save_img(path, pixels, scale=False)
    image = utils.load_img(path)
    assert image.size == (7, 5) and image.mode == "RGB"
    x = utils.img_to_array(image)
    assert x.dtype == np.float32 and np.array_equal(x, pixels)
    assert utils.img_to_array(image, data_format="channels_first").shape == (3, 5, 7)
    assert utils.img_to_array(image, dtype="uint8").dtype == np.uint8
    back = utils.array_to_img(x, scale=False)
    assert np.array_equal(np.asarray(back), pixels.astype(np.uint8))
    # channels_first in, and scale=True stretches to 0..255.
    small = utils.array_to_img(np.stack([np.linspace(0, 1, 6).reshape(2, 3)] * 3),
                               data_format="channels_first")
    assert np.asarray(small)[..., 0].tolist() == [[0, 51, 102], [153, 204, 255]]
    gray = utils.load_img(path, color_mode="grayscale")
    assert utils.img_to_array(gray).shape == (5, 7, 1) and gray.mode == "L"
    assert utils.img_to_array(utils.load_img(path, color_mode="rgba")).shape == (5, 7, 4)
    assert utils.array_to_img(utils.img_to_array(gray)).mode == "L"
    with open(path, "rb") as f:
        import io
        from_bytes = utils.load_img(io.BytesIO(f.read()))
    assert np.array_equal(utils.img_to_array(from_bytes), pixels)


def test_load_img_resizing(tmp_path):
    path = tmp_path / "cols.png"
    utils.save_img(str(path), _columns_image(tmp_path), scale=False)
    assert utils.load_img(path, target_size=(2, 4)).size == (4, 2)
    kept = utils.img_to_array(utils.load_img(path, target_size=(4, 4), keep_aspect_ratio=True))
    assert kept[0, :, 0].tolist() == [20, 30, 40, 50]          # the centred 4x4 crop
    with pytest.raises(ValueError, match="Invalid interpolation method cubic"):
        utils.load_img(path, target_size=(2, 2), interpolation="cubic")
    with pytest.raises(ValueError, match='color_mode must be "grayscale", "rgb", or "rgba"'):
        utils.load_img(path, color_mode="cmyk")
    with pytest.raises(TypeError, match="path should be path-like or io.BytesIO"):
        utils.load_img(42)


def test_save_img_jpeg_and_errors(tmp_path):
    rgba = np.full((4, 4, 4), 128, np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        utils.save_img(tmp_path / "a.jpg", rgba, scale=False)
    assert any("does not support RGBA" in str(w.message) for w in caught)
    assert utils.load_img(tmp_path / "a.jpg").mode == "RGB"
    with pytest.raises(ValueError, match="rank 3 \\(single image\\). Got array with shape: "
                                         "\\(2, 4, 4, 3\\)"):
        utils.array_to_img(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match="Unsupported channel number: 2"):
        utils.array_to_img(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="Unsupported image shape"):
        utils.img_to_array(np.zeros((2, 2, 2, 2)))


def test_exported_from_utils_and_seeded_by_set_random_seed(images_dir):
    from baeum.not_in_baeum import MISSING

    names = {"image_dataset_from_directory", "text_dataset_from_directory", "load_img",
             "img_to_array", "array_to_img", "save_img"}
    assert names <= set(utils.__all__) and not names & set(MISSING["baeum.utils"])
    orders = []
    for _ in range(2):
        utils.set_random_seed(3)     # seed=None draws the seed from NumPy, as Keras does
        orders.append(_images(images_dir).file_paths)
    assert orders[0] == orders[1]


def test_text_vectorization_adapts_from_the_batches(texts_dir):
    train = utils.text_dataset_from_directory(texts_dir, batch_size=2, seed=0, verbose=False)
    vectorize = layers.TextVectorization(output_sequence_length=3)
    vectorize.adapt(texts for texts, _ in train)
    assert set(vectorize.get_vocabulary()) >= {"a", "movie", "bad", "great"}
    texts, _ = train[0]
    assert vectorize(texts).data.shape == (2, 3)
