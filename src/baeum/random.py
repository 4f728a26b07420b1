"""One global random generator behind every random draw in baeum.

`baeum.random.seed(n)` fixes initializers, dropout masks, shuffles and noise, so a
run is reproducible. Code that needs randomness calls `get_generator()`.
"""

import numpy as np

_generator = np.random.default_rng()


def seed(n):
    """Re-seed the global generator (and NumPy's legacy one, for user code that uses it)."""
    global _generator
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"seed expects a non-negative integer, got {n!r}")
    _generator = np.random.default_rng(int(n))
    np.random.seed(int(n) % 2**32)


def get_generator():
    """The `numpy.random.Generator` every random draw in baeum uses."""
    return _generator


def normal(shape, mean=0.0, stddev=1.0, dtype=None):
    from baeum.backend import floatx

    return _generator.normal(mean, stddev, size=shape).astype(dtype or floatx, copy=False)


def uniform(shape, low=0.0, high=1.0, dtype=None):
    from baeum.backend import floatx

    return _generator.uniform(low, high, size=shape).astype(dtype or floatx, copy=False)
