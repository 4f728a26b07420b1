"""Keras's example "Next-Frame Video Prediction with Convolutional LSTMs" (Amogh Joshi,
keras.io/examples/vision/conv_lstm/, keras-io examples/vision/conv_lstm.py), on baeum.

The example's code is kept: the dataset handling (swap the frame and sample axes, keep
the first 1000 sequences, add the channel axis, a 90/10 shuffled split by index, divide
by 255, `create_shifted_frames`), the model (Input(shape=(None, *x_train.shape[2:])),
three ConvLSTM2D (5x5, 3x3, 1x1; padding "same", return_sequences, relu) with
BatchNormalization after the first two, Conv3D(1, (3, 3, 3), sigmoid, padding "same")),
compile(loss=keras.losses.binary_crossentropy, optimizer=keras.optimizers.Adam()),
EarlyStopping(monitor="val_loss", patience=10) and ReduceLROnPlateau(monitor="val_loss",
patience=5), fit(batch_size=5, validation_data=(x_val, y_val)), and both prediction
loops (10 new frames predicted autoregressively; one frame at a time from true frames).

Changes from the example, and why:
- Data: Moving MNIST (a download of (20, 10000, 64, 64) uint8) is replaced by
  `moving_squares`: 60 movies of 8 frames of 16x16, each one 3x3 square of 255 moving
  diagonally by one pixel a frame without leaving the image, in the file's layout
  (frames, movies, rows, cols) so that the example's swapaxes line still runs. The
  90/10 split gives 54 training and 6 validation movies (x: 7 frames each).
- The split shuffles with a seeded np.random.default_rng instead of the global
  np.random.shuffle, and the random validation examples are drawn with seeded ones.
- Sizes: filters 64 -> 8 in the three ConvLSTM2D; epochs (20) and batch_size (5) are
  the example's. Training takes ~12-18 s on one core.
  `test_the_example_sizes_have_keras_parameter_count` builds the example's own model
  (64 filters, 64x64 frames) and checks its 746,689 parameters against the formula
  kh*kw*(C_in + filters)*4*filters + 4*filters per ConvLSTM2D.
- BatchNormalization(momentum=0.9) instead of the default 0.99: the test trains
  11 batches x 20 epochs = 220 steps, the example 180 x 20 = 3,600. The ConvLSTM's
  relu outputs have a batch variance of ~1e-3, and after 220 steps the moving
  variance still holds 0.99 ** 220 = 11 % of its initial 1, so inference (val_loss,
  predict) normalizes with a variance ~100x too large: val_loss stays ~0.5 while the
  training loss reaches ~0.01. With 0.9, 0.9 ** 220 is 9e-11.
- The loops: the example's movies have 20 frames and it predicts frames 11-20 from the
  first 10; ours have 8, so the autoregressive loop starts from the first 4 frames and
  still predicts 10 new ones, and the frame-by-frame loop (the GIF loop) predicts from
  the first 5-8 true frames, 5 random validation movies. Plots, GIFs (matplotlib,
  imageio, ipywidgets) and prints are left out; numbers are asserted instead.
- Measured, not in the example: 40 fresh movies to score the next-frame prediction.
  Only a sequence's last output is an honest prediction: Conv3D's "same" (3, 3, 3)
  kernel is not causal in time, so output t (the prediction of frame t + 1) reads
  the ConvLSTM features of frame t + 1 and can copy its target (the example's loops
  use only new_prediction[-1], so they are honest). The score is the last output
  for the first 7 frames, against copying frame 7.
- In the example's frame-by-frame loop, the prediction from frames [: 10 + i + 1] is
  of frame 10 + i + 1, i.e. of original_frames[i + 1], not original_frames[i] that it
  is shown next to; the test compares it with the frame it predicts.
- fit and predict get verbose=0.
"""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import baeum as keras
from baeum import layers

SIZE, SIDE, FRAMES, SEQUENCES, FILTERS = 16, 3, 8, 60, 8


def moving_squares(n, frames, size, side, rng):
    """n movies of one side x side square of 255 moving by (+-1, +-1) a frame, inside the
    image for all frames: uint8 (frames, n, size, size), Moving MNIST's file layout."""
    movies = np.zeros((frames, n, size, size), np.uint8)
    for k in range(n):
        velocity = rng.choice([-1, 1], size=2)
        start = [rng.integers(frames - 1, size - side + 1) if v < 0 else
                 rng.integers(0, size - side - frames + 2) for v in velocity]
        for t in range(frames):
            r, c = start[0] + velocity[0] * t, start[1] + velocity[1] * t
            movies[t, k, r:r + side, c:c + side] = 255
    return movies


# We'll define a helper function to shift the frames, where
# `x` is frames 0 to n - 1, and `y` is frames 1 to n.
def create_shifted_frames(data):
    x = data[:, 0 : data.shape[1] - 1, :, :]
    y = data[:, 1 : data.shape[1], :, :]
    return x, y


def build_model(x_train, filters=64, momentum=0.99):
    """The example's model; `filters` and BatchNormalization's `momentum` are ours."""
    # Construct the input layer with no definite frame size.
    inp = layers.Input(shape=(None, *x_train.shape[2:]))

    # We will construct 3 `ConvLSTM2D` layers with batch normalization,
    # followed by a `Conv3D` layer for the spatiotemporal outputs.
    x = layers.ConvLSTM2D(
        filters=filters,
        kernel_size=(5, 5),
        padding="same",
        return_sequences=True,
        activation="relu",
    )(inp)
    x = layers.BatchNormalization(momentum=momentum)(x)
    x = layers.ConvLSTM2D(
        filters=filters,
        kernel_size=(3, 3),
        padding="same",
        return_sequences=True,
        activation="relu",
    )(x)
    x = layers.BatchNormalization(momentum=momentum)(x)
    x = layers.ConvLSTM2D(
        filters=filters,
        kernel_size=(1, 1),
        padding="same",
        return_sequences=True,
        activation="relu",
    )(x)
    x = layers.Conv3D(
        filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same"
    )(x)

    # Next, we will build the complete model and compile it.
    model = keras.models.Model(inp, x)
    model.compile(
        loss=keras.losses.binary_crossentropy, optimizer=keras.optimizers.Adam(),
    )
    return model


def conv_lstm_params(kernel, c_in, filters):
    kh, kw = kernel
    return kh * kw * (c_in + filters) * 4 * filters + 4 * filters


def test_the_example_sizes_have_keras_parameter_count():
    x_train = np.zeros((1, 19, 64, 64, 1), np.float32)  # Moving MNIST's shifted frames
    model = build_model(x_train)
    expected = (conv_lstm_params((5, 5), 1, 64) + 4 * 64           # BatchNormalization
                + conv_lstm_params((3, 3), 64, 64) + 4 * 64
                + conv_lstm_params((1, 1), 64, 64)
                + 3 * 3 * 3 * 64 * 1 + 1)                          # Conv3D
    assert expected == 746_689
    assert model.count_params() == expected
    assert [layer.count_params() for layer in model.layers[1:]] == [
        416_256, 256, 295_168, 256, 33_024, 1_729]
    assert model.output_shape == (None, None, 64, 64, 1)


def test_batch_normalization_on_video_batches(rng):
    """(batch, time, rows, cols, channels): one mean and variance per channel."""
    x = rng.normal(2.0, 3.0, (2, 3, 4, 4, 5)).astype(np.float32)
    bn = layers.BatchNormalization()
    y = bn(x, training=True).numpy()
    mean, var = x.mean(axis=(0, 1, 2, 3)), x.var(axis=(0, 1, 2, 3))
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * var, rtol=1e-5)
    np.testing.assert_allclose(
        bn(x, training=False).numpy(),
        (x - 0.01 * mean) / np.sqrt(0.99 + 0.01 * var + 1e-3), rtol=1e-4, atol=1e-4)


def test_the_conv3d_layer_keeps_time_rows_and_cols(rng):
    """Conv3D(1, (3, 3, 3), sigmoid, padding "same"): one zero frame/pixel each side."""
    x = rng.random((2, 4, 5, 6, 3)).astype(np.float32)
    conv = layers.Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid",
                         padding="same")
    y = conv(x).numpy()
    assert y.shape == (2, 4, 5, 6, 1)
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (1, 1), (0, 0)))
    kernel, bias = conv.kernel.numpy(), conv.bias.numpy()
    windows = sliding_window_view(xp, (3, 3, 3), axis=(1, 2, 3))  # (2, 4, 5, 6, 3, 3, 3, 3)
    z = np.einsum("ntrcxijk,ijkxo->ntrco", windows, kernel) + bias
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-z)), rtol=1e-5, atol=1e-6)


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)

    # "Download and load the dataset": our synthetic stand-in in the same layout.
    dataset = moving_squares(SEQUENCES, FRAMES, SIZE, SIDE, rng)

    # Swap the axes representing the number of frames and number of data samples.
    dataset = np.swapaxes(dataset, 0, 1)
    # We'll pick out 1000 of the 10000 total examples and use those.
    dataset = dataset[:1000, ...]
    # Add a channel dimension since the images are grayscale.
    dataset = np.expand_dims(dataset, axis=-1)

    # Split into train and validation sets using indexing to optimize memory.
    indexes = np.arange(dataset.shape[0])
    rng.shuffle(indexes)
    train_index = indexes[: int(0.9 * dataset.shape[0])]
    val_index = indexes[int(0.9 * dataset.shape[0]) :]
    train_dataset = dataset[train_index]
    val_dataset = dataset[val_index]

    # Normalize the data to the 0-1 range.
    train_dataset = train_dataset / 255
    val_dataset = val_dataset / 255

    # Apply the processing function to the datasets.
    x_train, y_train = create_shifted_frames(train_dataset)
    x_val, y_val = create_shifted_frames(val_dataset)

    model = build_model(x_train, filters=FILTERS, momentum=0.9)

    # Define some callbacks to improve training.
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10)
    reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5)

    # Define modifiable training hyperparameters.
    epochs = 20
    batch_size = 5

    # Fit the model to the training data.
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=(x_val, y_val),
        callbacks=[early_stopping, reduce_lr],
        verbose=0,
    )
    # Not in the example: fresh movies to measure the prediction on.
    test_dataset = np.expand_dims(np.swapaxes(
        moving_squares(40, FRAMES, SIZE, SIDE, rng), 0, 1), axis=-1) / 255
    return dict(model=model, history=history.history, x_train=x_train, y_train=y_train,
                x_val=x_val, y_val=y_val, val_dataset=val_dataset, test_dataset=test_dataset,
                early_stopping=early_stopping, reduce_lr=reduce_lr)


def test_dataset_shapes(trained):
    # Training Dataset Shapes: (54, 7, 16, 16, 1), (54, 7, 16, 16, 1), as the example prints
    assert trained["x_train"].shape == trained["y_train"].shape == (54, 7, SIZE, SIZE, 1)
    assert trained["x_val"].shape == trained["y_val"].shape == (6, 7, SIZE, SIZE, 1)
    x, y = trained["x_train"], trained["y_train"]
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])         # y is x one frame later
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.all(x.sum(axis=(2, 3, 4)) == SIDE * SIDE)        # one square in each frame


def test_the_loss_goes_down_on_training_and_validation_data(trained):
    history = trained["history"]
    loss, val_loss = history["loss"], history["val_loss"]
    assert len(loss) == len(val_loss) == 20
    assert loss[0] > 0.5 and val_loss[0] > 0.5               # sigmoid(~0) on every pixel
    assert loss[-1] < 0.1 * loss[0]
    assert val_loss[-1] < 0.1 * val_loss[0]
    # inference mode (moving statistics) agrees with the training-mode loss
    assert val_loss[-1] < 2 * loss[-1]


def test_the_callbacks_watch_val_loss(trained):
    history, stop, reduce_lr = (trained[k] for k in ("history", "early_stopping",
                                                     "reduce_lr"))
    best = min(history["val_loss"])
    assert stop.best == pytest.approx(best) and reduce_lr.best == pytest.approx(best)
    # val_loss kept improving: no early stop and the rate was never cut
    assert stop.stopped_epoch == 0 and not trained["model"].stop_training
    assert history["learning_rate"] == pytest.approx([1e-3] * 20)
    assert float(np.asarray(trained["model"].optimizer.learning_rate)) == pytest.approx(1e-3)


def square_position(frames):
    """(..., rows, cols, 1) -> (..., 2): the top-left corner of the brightest 3x3 window."""
    window_sums = sliding_window_view(frames[..., 0], (SIDE, SIDE), axis=(-2, -1)).sum(
        axis=(-2, -1))
    flat = window_sums.reshape(*window_sums.shape[:-2], -1).argmax(axis=-1)
    return np.stack(np.unravel_index(flat, window_sums.shape[-2:]), axis=-1)


def test_outputs_before_the_last_see_their_target_through_conv3d(trained):
    """Output t is the prediction of frame t + 1, but Conv3D's "same" (3, 3, 3) kernel
    reads the ConvLSTM features of frame t + 1, which has seen x[t + 1] = y[t]: every
    output but the last can copy its target. (So does the example's model; its
    prediction loops use only the last output, new_prediction[-1].)"""
    model, x_val, y_val = trained["model"], trained["x_val"], trained["y_val"]
    prediction = model.predict(x_val, verbose=0)
    assert prediction.shape == x_val.shape and prediction.dtype == np.float32
    assert 0.0 <= prediction.min() and prediction.max() <= 1.0
    # the outputs between the first and the last (whose Conv3D windows have no padding)
    error = np.abs(square_position(prediction[:, 1:-1]) - square_position(y_val[:, 1:-1]))
    assert np.mean(error.sum(axis=-1) == 0) > 0.95
    # output t depends on frames up to t + 1, not t + 2
    movie = x_val[:1].copy()
    changed = movie.copy()
    changed[:, 4] = 1.0 - changed[:, 4]
    difference = np.abs(model.predict(changed, verbose=0) - model.predict(movie, verbose=0))
    assert difference[:, :3].max() < 1e-6 and difference[:, 3].max() > 1e-2


def test_next_frame_beats_copying_the_last_frame(trained):
    """The honest prediction: the last output for the first 7 frames of fresh movies."""
    model, test_dataset = trained["model"], trained["test_dataset"]
    x_test, y_test = create_shifted_frames(test_dataset)
    prediction = model.predict(x_test, verbose=0)[:, -1]
    truth, last = y_test[:, -1], x_test[:, -1]
    copy_last_mse = np.mean((last - truth) ** 2)       # 10 of 256 pixels wrong: 0.039
    assert copy_last_mse == pytest.approx(10 / 256)
    assert np.mean((prediction - truth) ** 2) < 0.5 * copy_last_mse
    error = np.abs(square_position(prediction) - square_position(truth)).sum(axis=-1)
    copy_last_error = np.abs(square_position(last) - square_position(truth)).sum(axis=-1)
    assert np.all(copy_last_error == 2)                # one pixel off in rows and cols
    assert error.mean() < 1.0
    assert np.mean(error <= 1) >= 0.9


def test_predict_takes_sequences_of_any_length(trained):
    model, x_val = trained["model"], trained["x_val"]
    full = model.predict(x_val, verbose=0)
    for frames in (1, 3, 7, 12):
        movie = np.concatenate([x_val, x_val], axis=1)[:, :frames]
        out = model.predict(movie, verbose=0)
        assert out.shape == (6, frames, SIZE, SIZE, 1)
        # ConvLSTMs are causal and Conv3D's "same" 3-frame kernel looks one frame ahead,
        # so a prefix's outputs match the full sequence's except at its last frame.
        n = min(frames, 7) - 1
        np.testing.assert_allclose(out[:, :n], full[:, :n], rtol=1e-4, atol=1e-6)


def test_the_autoregressive_loop_predicts_ten_new_frames(trained):
    model, val_dataset = trained["model"], trained["val_dataset"]
    rng = np.random.default_rng(1)
    # Select a random example from the validation dataset.
    example = val_dataset[rng.choice(range(len(val_dataset)), size=1)[0]]

    # Pick the first/last four frames from the example.
    frames = example[:4, ...]
    original_frames = example[4:, ...]

    # Predict a new set of 10 frames.
    for _ in range(10):
        # Extract the model's prediction and post-process it.
        new_prediction = model.predict(np.expand_dims(frames, axis=0), verbose=0)
        new_prediction = np.squeeze(new_prediction, axis=0)
        predicted_frame = np.expand_dims(new_prediction[-1, ...], axis=0)

        # Extend the set of prediction frames.
        frames = np.concatenate((frames, predicted_frame), axis=0)

    assert frames.shape == (14, SIZE, SIZE, 1) and original_frames.shape == (4, SIZE, SIZE, 1)
    new_frames = frames[4:, ...]
    assert np.all((0 <= new_frames) & (new_frames <= 1))
    np.testing.assert_array_equal(frames[:4], example[:4])


def test_the_frame_by_frame_loop(trained):
    model, val_dataset = trained["model"], trained["val_dataset"]
    rng = np.random.default_rng(2)
    examples = val_dataset[rng.choice(range(len(val_dataset)), size=5)]
    errors, mse, copy_last_mse = [], [], []
    for example in examples:
        # Pick the first/last four frames from the example.
        frames = example[:4, ...]
        original_frames = example[4:, ...]
        new_predictions = np.zeros(shape=(4, *frames[0].shape))

        # Predict a new set of 4 frames.
        for i in range(4):
            # Extract the model's prediction and post-process it.
            frames = example[: 4 + i + 1, ...]
            new_prediction = model.predict(np.expand_dims(frames, axis=0), verbose=0)
            new_prediction = np.squeeze(new_prediction, axis=0)
            predicted_frame = np.expand_dims(new_prediction[-1, ...], axis=0)

            # Extend the set of prediction frames.
            new_predictions[i] = predicted_frame

        # The GIFs' conversion to uint8 RGB frames.
        current_frames = np.squeeze(new_predictions)
        current_frames = current_frames[..., np.newaxis] * np.ones(3)
        current_frames = (current_frames * 255).astype(np.uint8)
        assert current_frames.shape == (4, SIZE, SIZE, 3)

        # As in the example, prediction i is made from frames 0..4+i, so it is frame
        # 4+i+1's, one after original_frames[i] (the last has no ground truth here).
        predictions, truth, last = new_predictions[:3], original_frames[1:], frames[-4:-1]
        errors.append(np.abs(square_position(predictions)
                             - square_position(truth)).sum(axis=-1))
        mse.append(np.mean((predictions - truth) ** 2))
        copy_last_mse.append(np.mean((last - truth) ** 2))
    assert np.mean(errors) < 1.5                       # copying the last frame: 2
    assert np.mean(mse) < 0.75 * np.mean(copy_last_mse)
