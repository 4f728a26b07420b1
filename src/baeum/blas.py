"""`axpy(alpha, x, y)`: y += alpha * x in one pass, through the BLAS NumPy already loaded.

NumPy exposes BLAS's matrix products but not its level-1 routines, so `y -= lr * g`
costs two passes and a temporary as large as the weight. For the MNIST MLP's first
kernel (784 x 256) that is the largest cost of an SGD step after the matrix products:
39 us against 21 us for BLAS's `saxpy` on one core, and the gap widens on two, where
half of a fresh gradient sits in the other core's cache.

The routine is found once, in the OpenBLAS that NumPy's wheels bundle (its symbols are
`scipy_cblas_saxpy64_` / `scipy_cblas_daxpy64_`, 64-bit integer arguments). With
another BLAS (a conda or distribution NumPy on MKL or Accelerate), or for arrays that
are not contiguous float32/float64 of one dtype, `axpy` falls back to NumPy's two
passes; the result is the same to rounding. Found routines are checked once on a small
example before use.
"""

import ctypes

import numpy as np

#: Below this many elements the ctypes call costs more than NumPy's two passes save.
MIN_SIZE = 4096

_routines = None  # {dtype: ctypes function}, found on first use


def _find_routines():
    found = {}
    try:
        from threadpoolctl import ThreadpoolController

        libs = ThreadpoolController().select(internal_api="openblas").lib_controllers
    except Exception:  # threadpoolctl missing or unable to inspect: use NumPy
        return found
    for lib in libs:
        if "scipy_openblas" not in (lib.filepath or "") or "64_" not in lib.filepath:
            continue
        try:
            handle = ctypes.CDLL(lib.filepath)
        except OSError:
            continue
        for dtype, name, scalar in ((np.float32, "scipy_cblas_saxpy64_", ctypes.c_float),
                                    (np.float64, "scipy_cblas_daxpy64_", ctypes.c_double)):
            fn = getattr(handle, name, None)
            if fn is None:
                continue
            fn.restype = None
            fn.argtypes = [ctypes.c_int64, scalar, ctypes.c_void_p, ctypes.c_int64,
                           ctypes.c_void_p, ctypes.c_int64]
            if _works(fn, dtype):
                found[np.dtype(dtype)] = fn
        if found:
            break
    return found


def _works(fn, dtype):
    x = np.arange(1, 6, dtype=dtype)
    y = np.full(5, 10, dtype=dtype)
    fn(5, -0.5, x.ctypes.data, 1, y.ctypes.data, 1)
    return np.array_equal(y, 10 - 0.5 * np.arange(1, 6, dtype=dtype))


def _routine(dtype):
    global _routines
    if _routines is None:
        _routines = _find_routines()
    return _routines.get(np.dtype(dtype))


def axpy(alpha, x, y):
    """y += alpha * x, in place on y (arrays of one shape; y must be writeable)."""
    if y.size >= MIN_SIZE and x.dtype == y.dtype and x.shape == y.shape \
            and x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable:
        fn = _routine(y.dtype)
        if fn is not None:
            fn(y.size, alpha, _address(x), 1, _address(y), 1)
            return y
    y += alpha * x
    return y


def _address(a):
    """The address of a contiguous array's first element. Through the buffer protocol it
    costs 0.3 us; `a.ctypes.data` builds a ctypes helper object first (1 us)."""
    if a.flags.writeable:
        return ctypes.addressof(ctypes.c_char.from_buffer(a))
    return a.ctypes.data


def available(dtype=np.float32):
    """Whether axpy runs through BLAS for arrays of `dtype` (else through NumPy)."""
    return _routine(dtype) is not None
