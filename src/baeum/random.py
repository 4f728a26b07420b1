"""One global random generator behind every random draw in baeum, and Keras's `keras.random`.

`baeum.random.seed(n)` fixes initializers, dropout masks, shuffles and noise, so a
run is reproducible. Code inside baeum calls `get_generator()`.

The draws of Keras 3's `keras.random` return tensors (no gradient) and take the same
`seed` argument:
  - None: the global generator (what `seed(n)` fixes);
  - an int: the same numbers on every call with that int (a stateless draw);
  - a `SeedGenerator`: a stream of its own, different numbers on each call, the same
    sequence on every run.

    >>> import baeum
    >>> noise = baeum.random.SeedGenerator(1337)
    >>> baeum.random.normal((2, 3), seed=noise).shape
    (2, 3)
    >>> bool((baeum.random.uniform((4,), seed=7) == baeum.random.uniform((4,), seed=7)).all())
    True
"""

import numbers

import numpy as np

_generator = np.random.default_rng()


def seed(n):
    """Re-seed the global generator (and NumPy's legacy one, for user code that uses it)."""
    global _generator
    _check_seed(n)
    _generator = np.random.default_rng(int(n))
    np.random.seed(int(n) % 2**32)


def get_generator():
    """The `numpy.random.Generator` every random draw in baeum uses."""
    return _generator


def _check_seed(n):
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 0:
        raise ValueError(f"seed expects a non-negative integer, got {n!r}")


class SeedGenerator:
    """A random stream of its own, for a layer's draws (Keras's `keras.random.SeedGenerator`).

    seed=None starts it from baeum's global generator, so `baeum.random.seed(n)` still
    makes it reproducible.
    """

    def __init__(self, seed=None):
        if seed is None:
            seed = int(_generator.integers(2**63))
        _check_seed(seed)
        self.seed = int(seed)
        self.generator = np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def _source(seed):
    """The numpy Generator a draw with this `seed` argument uses."""
    if seed is None:
        return _generator
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if isinstance(seed, np.random.Generator):
        return seed
    _check_seed(seed)
    return np.random.default_rng(int(seed))


def _result(values, dtype):
    from baeum.autograd.tensor import Tensor
    from baeum.backend import as_dtype, floatx

    return Tensor(values.astype(as_dtype(dtype or floatx), copy=False))


def _shape(shape):
    return (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(mean, stddev^2), of `shape`."""
    return _result(_source(seed).normal(mean, stddev, size=_shape(shape)), dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(mean, stddev^2) samples, those beyond two standard deviations drawn again."""
    source, shape = _source(seed), _shape(shape)
    values = source.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = source.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return _result(mean + stddev * values, dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of U[minval, maxval), of `shape`."""
    return _result(_source(seed).uniform(minval, maxval, size=_shape(shape)), dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers in [minval, maxval), of `shape`."""
    return _result(_source(seed).integers(minval, maxval, size=_shape(shape)), dtype)


def shuffle(x, axis=0, seed=None):
    """x with its entries along `axis` in a random order (a new tensor, no gradient)."""
    data = np.asarray(getattr(x, "data", x))
    order = _source(seed).permutation(data.shape[axis])
    return _result(np.take(data, order, axis=axis), data.dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """For each row of logits (batch, classes): num_samples class ids drawn from
    softmax(row) -> (batch, num_samples)."""
    z = np.asarray(getattr(logits, "data", logits), dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"categorical expects logits of shape (batch, classes), got {z.shape}")
    p = np.exp(z - z.max(axis=1, keepdims=True))
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = _source(seed).random((z.shape[0], num_samples))
    ids = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(axis=2), z.shape[1] - 1)
    return _result(ids, dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Inverted dropout, always on (the layer decides when to call it): zero a `rate`
    fraction of the inputs, scale the rest by 1/(1-rate). Differentiable."""
    from baeum import functional

    return functional.dropout(inputs, rate, training=True, noise_shape=noise_shape,
                              generator=_source(seed))
