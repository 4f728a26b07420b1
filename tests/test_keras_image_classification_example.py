"""Keras's example "Image classification from scratch" (fchollet, last modified 2023/11/09,
keras.io/examples/vision/image_classification_from_scratch/, keras-io
examples/vision/image_classification_from_scratch.py), on baeum.

The example's code runs with `import baeum as keras` and `from baeum import layers` in
place of `import keras`, `from keras import layers`: the "filter out corrupted images"
loop (b"JFIF" in the first bytes), `keras.utils.image_dataset_from_directory("PetImages",
validation_split=0.2, subset="both", seed=1337, ...)`, the two visualization loops over
`train_ds.take(1)` (matplotlib, Agg backend), `data_augmentation` (RandomFlip("horizontal"),
RandomRotation(0.1)) applied to the training batches, `make_model` exactly as the example
writes it (Rescaling, Conv2D(128) entry block, three residual blocks of SeparableConv2D +
BatchNormalization + MaxPooling2D with a 1x1 Conv2D projection added back with
`layers.add`, SeparableConv2D(1024), GlobalAveragePooling2D, Dropout(0.25), a Dense
logit), compile with Adam(3e-4), BinaryCrossentropy(from_logits=True) and
BinaryAccuracy(name="acc"), fit with validation_data and a ModelCheckpoint per epoch, and
the inference on one image with `keras.utils.load_img`, `img_to_array`,
`keras.ops.expand_dims` and `float(keras.ops.sigmoid(predictions[0][0]))`. The example
prints and plots; the test asserts numbers.

Every change from the example, and why:
- Data: the 786 MB Kaggle download is replaced by a small "PetImages" folder written
  with Pillow into tmp_path (the example's relative paths run in it): 190 JPEGs per
  class, of random sizes (20-60 pixels a side); cats are bright with horizontal
  stripes, dogs dark with vertical stripes; one cat is a grayscale JPEG, and
  Cat/666.jpg is a corrupted file (no JFIF header, not decodable) that the example's
  filter deletes.
- `ModelCheckpoint("save_at_{epoch}.keras")` -> `"save_at_{epoch}.baeum"`: baeum saves
  whole models to .baeum files only and refuses the .keras name (asserted below). Of
  the example's lines that baeum runs, this file name is the one a user must edit; the
  other changes below replace what baeum does not have or does differently.
- `from tensorflow import data as tf_data` is gone, and so are the three tf.data calls:
  `train_ds.map(lambda img, label: (data_augmentation(img), label),
  num_parallel_calls=tf_data.AUTOTUNE)` becomes `MapBatches(train_ds, that lambda)`, a
  6-line `keras.utils.PyDataset` that applies the function to each batch when fit asks
  for it (baeum's datasets have no map(); there is no parallel, asynchronous worker);
  `train_ds.prefetch(tf_data.AUTOTUNE)` and `val_ds.prefetch(tf_data.AUTOTUNE)` are
  dropped (baeum's dataset has no prefetch and reads each batch when it is asked for;
  the error that says so is asserted).
- `keras.utils.plot_model(model, show_shapes=True)` -> `model.summary()`: baeum draws no
  model graphs (the AttributeError, which says to use summary(), is asserted).
- Sizes: image_size (180, 180) -> (8, 8), batch_size 128 -> 4, epochs 25 -> 10: 304
  training images in 76 batches, 760 steps. The model is unchanged, and so
  are its 2,731,065 parameters (checked at 180x180 against Keras's layer formulas in
  `test_make_model_has_the_examples_parameter_count`). The steps, not the pixels, are
  what the example needs: its BatchNormalization layers (momentum 0.99) see batch
  variances of ~1e-4 to 1e-3, and their moving variance still holds 0.99 ** n of its
  initial 1 after n steps, so inference (val_acc, predict) is at chance until n is a
  few hundred (Keras's own log shows val_acc 0.4958 for its first 441 steps; here
  val_acc jumps from ~0.5 to ~1 after 550-650 steps, over 10 seeds tried). 760 steps
  of 8x8 images take ~15 s on one core; at 32x32 they would take ~4x longer. 10
  epochs of 76 steps rather than 25 of 30: each epoch's checkpoint is a 33 MB file
  (weights and Adam's moments) written with fsync; the test deletes them at the end.
- The first visualization loop shows the first 4 images of a batch (a batch holds 4
  here) instead of 9.
- The image for the final prediction is a validation-set cat ("PetImages/Cat/6779.jpg"
  in the example, which may be in either split), and a validation-set dog is predicted
  the same way.
"""

import os

import numpy as np
import pytest

import baeum as keras
from baeum import layers

Image = pytest.importorskip("PIL.Image")

PER_CLASS = 190


def write_pet_images(root, rng):
    """PetImages/Cat and PetImages/Dog: PER_CLASS JPEGs each, of random sizes; cats bright
    with horizontal stripes, dogs dark with vertical ones; Cat/1.jpg grayscale; plus
    Cat/666.jpg, a corrupted file (random bytes after a JPEG start-of-image marker)."""
    for folder, horizontal in (("Cat", True), ("Dog", False)):
        os.makedirs(os.path.join(root, "PetImages", folder))
        for i in range(PER_CLASS):
            h, w = rng.integers(20, 61, size=2)
            n = h if horizontal else w
            period = rng.integers(n // 4, n // 3 + 1)
            on = (np.arange(n) + rng.integers(period)) % period < period // 2
            on = np.broadcast_to(on[:, None] if horizontal else on[None, :], (h, w))
            if horizontal:
                light, shade = rng.integers(200, 256, 3), rng.integers(120, 170, 3)
            else:
                light, shade = rng.integers(90, 140, 3), rng.integers(0, 50, 3)
            pixels = np.where(on[..., None], light, shade) + rng.normal(0, 8, (h, w, 3))
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
            if folder == "Cat" and i == 1:
                image = image.convert("L")
            image.save(os.path.join(root, "PetImages", folder, f"{i}.jpg"))
    corrupted = os.path.join(root, "PetImages", "Cat", "666.jpg")
    with open(corrupted, "wb") as f:
        f.write(b"\xff\xd8\xff\xdb" + rng.integers(0, 256, 200, dtype=np.uint8).tobytes())
    return corrupted


class MapBatches(keras.utils.PyDataset):
    """tf.data's `dataset.map(function)` for a dataset of (x, y) batches: batch i is
    function(*dataset[i]), made when fit asks for it."""

    def __init__(self, dataset, function):
        super().__init__()
        self.dataset, self.function = dataset, function

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        return self.function(*self.dataset[index])

    def on_epoch_end(self):
        self.dataset.on_epoch_end()  # image_dataset_from_directory reshuffles its files


def make_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)

    # Entry block
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(128, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    for size in [256, 512, 728]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(
            previous_block_activation
        )
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    x = layers.SeparableConv2D(1024, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        units = 1
    else:
        units = num_classes

    x = layers.Dropout(0.25)(x)
    # We specify activation=None so as to return logits
    outputs = layers.Dense(units, activation=None)(x)
    return keras.Model(inputs, outputs)


def keras_parameter_count():
    """make_model's parameters by Keras's formulas: Conv2D k*k*c_in*c_out + c_out,
    SeparableConv2D 3*3*c_in (depthwise, no bias) + c_in*c_out + c_out (pointwise and
    bias), BatchNormalization 4*c (gamma, beta trainable; moving mean and variance not)."""
    conv = lambda k, c_in, c_out: k * k * c_in * c_out + c_out  # noqa: E731
    separable = lambda c_in, c_out: 9 * c_in + c_in * c_out + c_out  # noqa: E731
    trainable, moving = conv(3, 3, 128) + 2 * 128, 2 * 128
    previous = 128
    for size in [256, 512, 728]:
        trainable += separable(previous, size) + separable(size, size) + 2 * 2 * size
        trainable += conv(1, previous, size)
        moving += 2 * 2 * size
        previous = size
    trainable += separable(728, 1024) + 2 * 1024 + 1024 + 1
    moving += 2 * 1024
    return trainable, moving


def test_make_model_has_the_examples_parameter_count(capsys):
    trainable, moving = keras_parameter_count()
    assert (trainable, moving) == (2_722_777, 8_288)
    model = make_model(input_shape=(180, 180) + (3,), num_classes=2)
    assert model.count_params() == trainable + moving == 2_731_065
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == trainable
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == moving
    assert model.output_shape == (None, 1)
    # The count does not depend on the image size: the test trains on 8x8 images.
    assert make_model(input_shape=(8, 8, 3), num_classes=2).count_params() == 2_731_065

    with pytest.raises(AttributeError, match=r"summary\(\)"):
        keras.utils.plot_model(model, show_shapes=True)
    model.summary()
    assert "2,731,065" in capsys.readouterr().out


def test_image_classification_from_scratch(tmp_path, monkeypatch, capsys):
    corrupted = write_pet_images(tmp_path, np.random.default_rng(0))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OSError):  # what the filter below protects the dataset from
        keras.utils.load_img(corrupted)

    # --- Filter out corrupted images (the example's loop) ---
    num_skipped = 0
    for folder_name in ("Cat", "Dog"):
        folder_path = os.path.join("PetImages", folder_name)
        for fname in os.listdir(folder_path):
            fpath = os.path.join(folder_path, fname)
            try:
                fobj = open(fpath, "rb")
                is_jfif = b"JFIF" in fobj.peek(10)
            finally:
                fobj.close()

            if not is_jfif:
                num_skipped += 1
                # Delete corrupted image
                os.remove(fpath)

    print(f"Deleted {num_skipped} images.")
    assert capsys.readouterr().out == "Deleted 1 images.\n"
    assert not os.path.exists(corrupted)

    # --- Generate a Dataset ---
    image_size = (8, 8)  # the example: (180, 180)
    batch_size = 4  # the example: 128

    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        "PetImages",
        validation_split=0.2,
        subset="both",
        seed=1337,
        image_size=image_size,
        batch_size=batch_size,
    )
    assert capsys.readouterr().out == ("Found 380 files belonging to 2 classes.\n"
                                       "Using 304 files for training.\n"
                                       "Using 76 files for validation.\n")
    assert train_ds.class_names == ["Cat", "Dog"]  # label 0 is cat, 1 is dog
    assert (len(train_ds), len(val_ds)) == (76, 19)
    assert not set(train_ds.file_paths) & set(val_ds.file_paths)

    # --- Visualize the data ---
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.figure(figsize=(10, 10))
    for images, labels in train_ds.take(1):
        for i in range(4):  # the example shows 9 of its batch of 128
            ax = plt.subplot(3, 3, i + 1)
            plt.imshow(np.array(images[i]).astype("uint8"))
            plt.title(int(labels[i]))
            plt.axis("off")
    assert ax.get_title() in ("0", "1")
    assert images.shape == (4, 8, 8, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32
    plt.close("all")

    # --- Using image data augmentation ---
    data_augmentation_layers = [
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1),
    ]

    def data_augmentation(images):
        for layer in data_augmentation_layers:
            images = layer(images)  # on its own: training=True, as in Keras 3
        return images

    plt.figure(figsize=(10, 10))
    for images, _ in train_ds.take(1):
        for i in range(9):
            augmented_images = data_augmentation(images)
            ax = plt.subplot(3, 3, i + 1)
            plt.imshow(np.array(augmented_images[0]).astype("uint8"))
            plt.axis("off")
        assert np.array(augmented_images).shape == images.shape
        assert not np.allclose(np.array(augmented_images), images)  # it did augment
    plt.close("all")

    # --- Configure the dataset for performance ---
    # Apply `data_augmentation` to the training images.
    with pytest.raises(AttributeError, match="map"):
        train_ds.map(lambda img, label: (data_augmentation(img), label))
    train_ds = MapBatches(train_ds, lambda img, label: (data_augmentation(img), label))
    # Prefetching: baeum has none and reads each batch when fit asks for it.
    with pytest.raises(AttributeError, match="prefetch"):
        val_ds.prefetch(32)

    # --- Build a model ---
    model = make_model(input_shape=image_size + (3,), num_classes=2)
    model.summary()  # the example: keras.utils.plot_model(model, show_shapes=True)
    assert "2,731,065" in capsys.readouterr().out

    # --- Train the model ---
    epochs = 10  # the example: 25

    with pytest.raises(ValueError, match=r"\.baeum"):
        keras.callbacks.ModelCheckpoint("save_at_{epoch}.keras")
    callbacks = [
        keras.callbacks.ModelCheckpoint("save_at_{epoch}.baeum"),
    ]
    model.compile(
        optimizer=keras.optimizers.Adam(3e-4),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(name="acc")],
    )
    history = model.fit(
        train_ds,
        epochs=epochs,
        callbacks=callbacks,
        validation_data=val_ds,
    )
    capsys.readouterr()

    logs = history.history
    assert len(logs["loss"]) == epochs
    assert np.mean(logs["loss"][-3:]) < 0.6 * logs["loss"][0]  # it learns
    assert np.mean(logs["acc"][-3:]) >= 0.9
    assert logs["val_acc"][-1] >= 0.85  # inference mode works once BatchNorm warmed up
    assert logs["val_loss"][-1] < logs["val_loss"][0]

    expected = {f"save_at_{epoch}.baeum" for epoch in range(1, epochs + 1)}
    assert expected <= set(os.listdir("."))
    val_images = np.concatenate([images for images, _ in val_ds])
    restored = keras.models.load_model(f"save_at_{epochs}.baeum")
    np.testing.assert_allclose(restored.predict(val_images, verbose=0),
                               model.predict(val_images, verbose=0), rtol=1e-5, atol=1e-6)
    for name in expected:  # 33 MB each: do not leave them in pytest's kept tmp dirs
        os.remove(name)

    # --- Run inference on new data ---
    cat_path = next(p for p in val_ds.file_paths if os.sep + "Cat" + os.sep in p)
    dog_path = next(p for p in val_ds.file_paths if os.sep + "Dog" + os.sep in p)
    scores = {}
    for path in (cat_path, dog_path):
        img = keras.utils.load_img(path, target_size=image_size)

        img_array = keras.utils.img_to_array(img)
        img_array = keras.ops.expand_dims(img_array, 0)  # Create batch axis

        predictions = model.predict(img_array)
        score = float(keras.ops.sigmoid(predictions[0][0]))
        print(f"This image is {100 * (1 - score):.2f}% cat and {100 * score:.2f}% dog.")
        scores[path] = score
    assert scores[cat_path] < 0.5 < scores[dog_path]
    out = capsys.readouterr().out
    assert out.count("% cat and ") == 2
