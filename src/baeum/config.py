"""Keras 3's `keras.config` settings that a tutorial may read or set.

    baeum.config.floatx()                       # "float32"
    baeum.config.set_floatx("float64")           # the default float dtype from now on
    baeum.config.image_data_format()             # "channels_last", baeum's only layout
"""

from baeum import backend as _backend


def floatx():
    """The default float dtype's name ("float32" unless set_floatx changed it)."""
    return _backend.get_floatx()


def set_floatx(value):
    """Set the default float dtype: "float32" or "float64" (also "float16")."""
    _backend.set_floatx(value)


def epsilon():
    """The small constant the losses clip probabilities with: 1e-7, as Keras's."""
    from baeum.losses import EPSILON

    return EPSILON


def image_data_format():
    """Where images keep their channels: "channels_last" (N, H, W, C), always in baeum."""
    return "channels_last"


def set_image_data_format(data_format):
    """Only "channels_last" exists in baeum; anything else is a clear error."""
    if data_format != "channels_last":
        raise ValueError(f"baeum's images are channels-last (N, H, W, C) only, got "
                         f"{data_format!r}: transpose the data with x.transpose(0, 2, 3, 1)")


def backend():
    """The array library baeum computes with: "numpy"."""
    return "numpy"
