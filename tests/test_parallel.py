"""predict on several cores (baeum/parallel.py): the same outputs as one whole batch."""

import numpy as np
import pytest

import baeum
from baeum import layers, parallel
from baeum.layers import layer as layer_module
from baeum.models import Model, Sequential
from baeum.training.trainer import _largest_sample_bytes


@pytest.fixture
def threads():
    """Set the inference thread count for one test; restore "follow BLAS" after it."""
    yield parallel.set_num_threads
    parallel.set_num_threads(None)


def _whole_batch(model, x):
    with baeum.no_grad():
        out = model(x, training=False)
    return {k: v.data for k, v in out.items()} if isinstance(out, dict) else out.data


def _covers(ranges, n):
    """The ranges are contiguous and cover 0..n exactly once."""
    return ranges[0][0] == 0 and ranges[-1][1] == n and all(
        a[1] == b[0] and a[0] < a[1] for a, b in zip(ranges, ranges[1:]))


def test_plan_when_the_layer_output_sizes_are_unknown_one_slice_per_thread():
    assert parallel.plan(1000, None, n_threads=2) == ([(0, 500), (500, 1000)], 2)
    assert parallel.plan(1000, None, n_threads=3) == ([(0, 333), (333, 666), (666, 1000)], 3)
    # at least MIN_ROWS_PER_THREAD rows each: 300 rows make two slices, not four
    assert parallel.plan(300, None, n_threads=4) == ([(0, 150), (150, 300)], 2)
    assert parallel.plan(2 * parallel.MIN_ROWS_PER_THREAD - 1, None, n_threads=8) == \
        ([(0, 255)], 1)
    assert parallel.plan(1000, None, n_threads=1) == ([(0, 1000)], 1)


def test_plan_cuts_cache_sized_slices_when_the_layer_output_sizes_are_known():
    # the MNIST CNN: conv1's output is 28*28*32 float32 = 100 KB per image
    ranges, n_threads = parallel.plan(1000, 100_352, n_threads=2)
    assert n_threads == 2 and _covers(ranges, 1000)
    # 4 MB each: 41 rows -> 25 slices, made 26 so that both threads get 13
    assert len(ranges) == 26 and {b - a for a, b in ranges} == {38, 39}
    ranges, n_threads = parallel.plan(1000, 100_352, n_threads=1)
    assert n_threads == 1 and len(ranges) == 25    # one thread: the slices still help cache
    assert len(parallel.plan(1000, 100_352, n_threads=3)[0]) == 27
    # its convs fused with their pools: pool1's output, 14*14*32 float32, is the largest
    assert len(parallel.plan(1000, 25_088, n_threads=2)[0]) == 6
    # the MNIST MLP: 784 inputs (3 KB) per sample; 1000 of them fit two slices, one a thread
    assert parallel.plan(1000, 3136, n_threads=2) == ([(0, 500), (500, 1000)], 2)
    # small work stays whole: 1000 iris samples of at most 20 floats, or a single sample
    assert parallel.plan(1000, 80, n_threads=2) == ([(0, 1000)], 1)
    assert parallel.plan(1, 10**7, n_threads=2) == ([(0, 1)], 1)
    ranges, _ = parallel.plan(7, 10**7, n_threads=2)  # huge samples: one row per slice
    assert ranges == [(k, k + 1) for k in range(7)]


def test_set_num_threads_rejects_what_is_not_a_positive_int(threads):
    for bad in (0, -2, 1.5, "2", True):
        with pytest.raises(ValueError, match="positive int or None"):
            threads(bad)
    threads(3)
    assert parallel.get_num_threads() == 3
    threads(None)
    assert parallel.get_num_threads() >= 1       # BLAS's own count


def _small_cnn(pool_after_conv):
    """Conv2D -> MaxPooling2D -> BatchNormalization, or the pool and the normalization
    swapped (then the conv does not run as one step with the pool)."""
    baeum.random.seed(0)
    middle = [layers.MaxPooling2D(2), layers.BatchNormalization()]
    return Sequential([
        layers.Input(shape=(20, 20, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        *(middle if pool_after_conv else middle[::-1]), layers.Dropout(0.5),
        layers.Flatten(), layers.Dense(10, activation="softmax")])


def test_slices_are_sized_by_the_outputs_inference_holds():
    # conv then pool run as one step that never holds the conv's output: the pool's is
    # the largest, in a Sequential model and in the same functional one
    sequential = _small_cnn(True)
    inputs = layers.Input(shape=(20, 20, 1))
    x = inputs
    for layer in sequential.layers:
        x = layer(x)
    for model in (sequential, Model(inputs, x)):
        assert _largest_sample_bytes(model) == 10 * 10 * 32 * 4
    # with the normalization between them, the conv's output is held
    assert _largest_sample_bytes(_small_cnn(False)) == 20 * 20 * 32 * 4


@pytest.mark.parametrize("pool_after_conv", [True, False])
@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_cnn_predict_in_slices_equals_the_whole_batch(threads, n_threads, pool_after_conv):
    model = _small_cnn(pool_after_conv)
    x = np.random.default_rng(1).random((700, 20, 20, 1), dtype=np.float32)
    ranges, _ = parallel.plan(700, _largest_sample_bytes(model), n_threads)
    assert len(ranges) >= 3
    expected = _whole_batch(model, x)
    threads(n_threads)
    for out in (model.predict_on_batch(x), model.predict(x, batch_size=700)):
        assert out.shape == (700, 10)
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_functional_model_with_two_inputs_and_named_outputs(threads):
    a, b = layers.Input(shape=(3,)), layers.Input(shape=(2,))
    model = Model([a, b], {"score": layers.Dense(1)(layers.Dense(1024, activation="tanh")(a)),
                           "probs": layers.Dense(4)(b)})
    assert _largest_sample_bytes(model) == 1024 * 4
    assert len(parallel.plan(600, 1024 * 4, n_threads=2)[0]) == 2
    rng = np.random.default_rng(2)
    xa, xb = rng.random((600, 3), dtype=np.float32), rng.random((600, 2), dtype=np.float32)
    expected = _whole_batch(model, [xa, xb])
    threads(2)
    out = model.predict_on_batch([xa, xb])
    assert set(out) == {"score", "probs"}
    for k in out:
        np.testing.assert_allclose(out[k], expected[k], rtol=1e-5, atol=1e-6)


def test_subclassed_model_gets_training_false_in_every_thread(threads):
    seen = []

    class Probe(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs, training=None):
            # layers called without a flag read the shared context: it must say False
            seen.append((training, layer_module.call_context_training[0]))
            return self.dense(inputs)

    model = Probe()
    assert _largest_sample_bytes(model) is None    # no symbolic shapes: one slice a thread
    x = np.ones((512, 4), np.float32)
    model(x[:1])                              # built on a first call, as Keras does
    seen.clear()
    threads(2)
    assert model.predict_on_batch(x).shape == (512, 2)
    assert seen == [(False, False), (False, False)]    # two slices, both in inference
    assert layer_module.call_context_training[0] is None   # and the flag is restored
