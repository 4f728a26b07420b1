"""predict on several cores (baeum/parallel.py): the same outputs as one whole batch."""

import numpy as np
import pytest

import baeum
from baeum import layers, parallel
from baeum.layers import layer as layer_module
from baeum.models import Model, Sequential


@pytest.fixture
def threads():
    """Set the inference thread count for one test; restore "follow BLAS" after it."""
    yield parallel.set_num_threads
    parallel.set_num_threads(None)


def _whole_batch(model, x):
    with baeum.no_grad():
        out = model(x, training=False)
    return {k: v.data for k, v in out.items()} if isinstance(out, dict) else out.data


def test_slices_cover_the_rows_once_and_small_batches_stay_whole():
    assert parallel.slices(1000, n_threads=2) == [(0, 500), (500, 1000)]
    assert parallel.slices(1000, n_threads=3) == [(0, 333), (333, 666), (666, 1000)]
    # at least MIN_ROWS_PER_THREAD rows each: 300 rows make two slices, not four
    assert parallel.slices(300, n_threads=4) == [(0, 150), (150, 300)]
    assert parallel.slices(2 * parallel.MIN_ROWS_PER_THREAD - 1, n_threads=8) == [(0, 255)]
    assert parallel.slices(1, n_threads=8) == [(0, 1)]
    assert parallel.slices(1000, n_threads=1) == [(0, 1000)]


def test_set_num_threads_rejects_what_is_not_a_positive_int(threads):
    for bad in (0, -2, 1.5, "2", True):
        with pytest.raises(ValueError, match="positive int or None"):
            threads(bad)
    threads(3)
    assert parallel.get_num_threads() == 3
    threads(None)
    assert parallel.get_num_threads() >= 1       # BLAS's own count


@pytest.mark.parametrize("n_threads", [2, 3])
def test_cnn_predict_in_threads_equals_the_whole_batch(threads, n_threads):
    baeum.random.seed(0)
    model = Sequential([
        layers.Input(shape=(12, 12, 1)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.BatchNormalization(), layers.Dropout(0.5),
        layers.Flatten(), layers.Dense(10, activation="softmax")])
    x = np.random.default_rng(1).random((700, 12, 12, 1), dtype=np.float32)
    expected = _whole_batch(model, x)
    threads(n_threads)
    for out in (model.predict_on_batch(x), model.predict(x, batch_size=700)):
        assert out.shape == (700, 10)
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_functional_model_with_two_inputs_and_named_outputs(threads):
    a, b = layers.Input(shape=(3,)), layers.Input(shape=(2,))
    model = Model([a, b], {"score": layers.Dense(1)(layers.Dense(8, activation="tanh")(a)),
                           "probs": layers.Dense(4)(b)})
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
    x = np.ones((512, 4), np.float32)
    model(x[:1])                              # built on a first call, as Keras does
    seen.clear()
    threads(2)
    assert model.predict_on_batch(x).shape == (512, 2)
    assert seen == [(False, False), (False, False)]    # two slices, both in inference
    assert layer_module.call_context_training[0] is None   # and the flag is restored
