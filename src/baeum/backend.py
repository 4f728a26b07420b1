"""The array layer: which array module baeum computes with, and its default dtype.

Everything above this file works on NumPy arrays. Keeping the choice here is the
seam where another array module (CuPy, say) could be plugged in later.
"""

import numpy as np

xp = np
#: baeum's default floating dtype: tensors made from Python floats, weights, inputs.
floatx = np.float32

_DTYPE_NAMES = {
    "float16": np.float16, "float32": np.float32, "float64": np.float64,
    "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "uint8": np.uint8, "bool": np.bool_,
}


def as_dtype(dtype):
    """Return the NumPy dtype for a name, a NumPy dtype or a Python type; raise on anything else."""
    if isinstance(dtype, str):
        if dtype not in _DTYPE_NAMES:
            raise TypeError(
                f"unknown dtype {dtype!r}; expected one of {sorted(_DTYPE_NAMES)}"
            )
        return np.dtype(_DTYPE_NAMES[dtype])
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"unknown dtype {dtype!r}; expected a NumPy dtype or one of {sorted(_DTYPE_NAMES)}"
        ) from None
    if d.kind not in "fiub":
        raise TypeError(f"unsupported dtype {d}; baeum tensors hold numbers or booleans")
    return d


def set_floatx(dtype):
    """Set the default float dtype ("float32" or "float64")."""
    global floatx
    d = as_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"floatx must be a float dtype, got {d}")
    floatx = d.type


def get_floatx():
    return np.dtype(floatx).name


def clear_session():
    """Keras's `keras.backend.clear_session()`: restart automatic layer names (dense, dense_1,
    ...). baeum keeps no other global graph state."""
    from baeum.layers.layer import clear_session as restart_names

    restart_names()

