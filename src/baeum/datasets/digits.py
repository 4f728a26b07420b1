"""Handwritten digits, 8x8 (the UCI copy bundled with scikit-learn): 1797 samples, 10 classes.

Pixel values are kept as sklearn gives them: counts 0-16 (each pixel counts
the ink in a 4x4 block of a 32x32 bitmap), not 0-255. Divide by 16 to scale
to [0, 1]. Images are shaped (N, 8, 8); add a channel axis
(``x[..., None]``) for Conv2D, or flatten for Dense.

    >>> from baeum.datasets import digits
    >>> (x_train, y_train), (x_test, y_test) = digits.load_data()
    >>> x_train.shape, x_train.dtype, float(x_train.max()), y_train.dtype
    ((1437, 8, 8), dtype('float32'), 16.0, dtype('int64'))
"""

import numpy as np

from . import _sklearn


def load_data(test_size=0.2, seed=0):
    """Load the 8x8 digits, split into train and test with the same class proportions.

    Args:
        test_size: fraction (0-1) or number of samples for the test split.
        seed: seed of the split, so every call returns the same split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x float32 (N, 8, 8) with
        values 0-16, y int64 (N,) with values 0-9.

    Raises:
        ImportError: scikit-learn is not installed.
    """
    _sklearn.require_sklearn("baeum.datasets.digits")
    from sklearn.datasets import load_digits

    data = load_digits()
    x = data.images.astype(np.float32)  # (N, 8, 8), same values as data.data
    y = data.target.astype(np.int64)
    return _sklearn.split(x, y, test_size, seed, stratify=True)
