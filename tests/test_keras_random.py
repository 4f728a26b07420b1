"""`baeum.random`, Keras 3's `keras.random`: tensors of random numbers, and what `seed`
means (None: the global generator; an int: the same numbers every time; a
SeedGenerator: a reproducible stream of its own)."""

import numpy as np
import pytest

import baeum
from baeum import random


def test_an_int_seed_gives_the_same_numbers_every_call():
    a, b = random.normal((3, 4), seed=7), random.normal((3, 4), seed=7)
    assert isinstance(a, baeum.Tensor) and a.dtype == np.float32 and not a.requires_grad
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, random.normal((3, 4), seed=8).data)


def test_a_seed_generator_is_a_stream_that_repeats_from_run_to_run():
    first, again = random.SeedGenerator(1337), random.SeedGenerator(1337)
    draws = [random.uniform((5,), seed=first).data for _ in range(2)]
    assert not np.array_equal(*draws)                         # a stream: new numbers each call
    np.testing.assert_array_equal(random.uniform((5,), seed=again).data, draws[0])


def test_no_seed_follows_the_global_seed():
    random.seed(3)
    a = random.normal((4,)).data
    random.seed(3)
    np.testing.assert_array_equal(random.normal((4,)).data, a)
    random.seed(3)
    unseeded_stream = random.SeedGenerator()                  # started from the global one
    random.seed(3)
    np.testing.assert_array_equal(random.normal((3,), seed=unseeded_stream).data,
                                  random.normal((3,), seed=random.SeedGenerator()).data)


@pytest.mark.parametrize("draw, check", [
    (lambda: random.normal((20000,), mean=2.0, stddev=3.0, seed=0),
     lambda x: abs(x.mean() - 2.0) < 0.1 and abs(x.std() - 3.0) < 0.1),
    (lambda: random.uniform((20000,), minval=-1.0, maxval=3.0, seed=0),
     lambda x: x.min() >= -1.0 and x.max() < 3.0 and abs(x.mean() - 1.0) < 0.05),
    (lambda: random.truncated_normal((20000,), stddev=2.0, seed=0),
     lambda x: np.abs(x).max() <= 4.0 and 1.6 < x.std() < 1.9),      # 0.88 sigma when cut at 2
    (lambda: random.randint((20000,), 0, 3, seed=0),
     lambda x: x.dtype == np.int32 and set(np.unique(x)) == {0, 1, 2}),
])
def test_draws_have_their_distributions(draw, check):
    assert check(draw().data)


def test_categorical_draws_classes_by_their_softmax_probability():
    ids = random.categorical(np.log([[0.2, 0.8], [1.0, 1e-9]]), 5000, seed=0).data
    assert ids.shape == (2, 5000) and ids.dtype == np.int32
    assert abs((ids[0] == 1).mean() - 0.8) < 0.02 and (ids[1] == 0).all()


def test_shuffle_and_dropout():
    x = np.arange(10.0)
    shuffled = random.shuffle(x, seed=0).data
    assert sorted(shuffled) == list(x) and not np.array_equal(shuffled, x)
    t = baeum.tensor(np.ones((100, 100), np.float32), requires_grad=True)
    y = random.dropout(t, 0.25, seed=1)
    y.sum().backward()
    np.testing.assert_array_equal(t.grad.data, y.data)       # the mask, scaled by 1/0.75
    assert set(np.unique(y.data)) == {0.0, np.float32(1 / 0.75)}


def test_bad_seeds_are_clear_errors():
    with pytest.raises(ValueError, match=r"seed expects a non-negative integer, got -1"):
        random.normal((2,), seed=-1)
    with pytest.raises(ValueError, match=r"seed expects a non-negative integer, got 'a'"):
        random.SeedGenerator("a")
