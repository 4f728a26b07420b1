"""baeum.blas.axpy: y += a x in one BLAS pass where NumPy's bundled OpenBLAS has it, NumPy's
two passes elsewhere; both give y + a x."""

import os

import numpy as np
import pytest

from baeum import blas


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5,), (784, 256), (3, 40, 50)])
def test_axpy_is_y_plus_a_x(dtype, shape, rng):
    x = rng.standard_normal(shape).astype(dtype)
    y = rng.standard_normal(shape).astype(dtype)
    want = y + dtype(-0.1) * x
    out = blas.axpy(-0.1, x, y)
    assert out is y and y.dtype == dtype
    np.testing.assert_allclose(y, want, rtol=1e-6 if dtype == np.float32 else 1e-14,
                               atol=1e-7 if dtype == np.float32 else 1e-15)


def test_axpy_falls_back_for_strided_mixed_and_read_only_arrays(rng):
    big = rng.standard_normal((100, 200))
    y = rng.standard_normal((100, 100))
    want = y + 2.0 * big[:, ::2]
    blas.axpy(2.0, big[:, ::2], y)                     # x not contiguous
    np.testing.assert_allclose(y, want, rtol=1e-14)
    y32 = np.ones((100, 100), np.float32)
    blas.axpy(0.5, np.ones((100, 100)), y32)          # float64 x into float32 y
    np.testing.assert_array_equal(y32, 1.5)
    frozen = np.zeros((100, 100))
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        blas.axpy(1.0, np.ones((100, 100)), frozen)   # never written through BLAS
    assert not frozen.any()


def test_numpy_wheels_bundle_the_routine():
    # CI installs NumPy from its wheel, whose OpenBLAS has the routine: there the fast path
    # must really run (elsewhere, e.g. NumPy on MKL, the fallback is the documented case).
    if os.environ.get("CI") == "true":
        assert blas.available(np.float32) and blas.available(np.float64)
    else:
        assert isinstance(blas.available(np.float32), bool)
