"""Diabetes progression (Efron et al., 2004; the copy bundled with scikit-learn): regression.

442 patients, 10 baseline features (age, sex, body mass index, blood
pressure and six blood serum measurements) and a target measuring disease
progression one year later (values about 25-346).

The features are sklearn's default scaled version: each column is
mean-centred and scaled by its standard deviation times sqrt(442), so every
column has sum of squares 1. The target is not scaled.

    >>> from baeum.datasets import diabetes
    >>> (x_train, y_train), (x_test, y_test) = diabetes.load_data()
    >>> x_train.shape, x_train.dtype, y_train.shape, y_train.dtype
    ((353, 10), dtype('float32'), (353,), dtype('float32'))
"""

import numpy as np

from . import _sklearn

FEATURE_NAMES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


def load_data(test_size=0.2, seed=0):
    """Load diabetes, split into train and test (random, not stratified: the target is real).

    Args:
        test_size: fraction (0-1) or number of samples for the test split.
        seed: seed of the split, so every call returns the same split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x float32 (N, 10), y float32 (N,).

    Raises:
        ImportError: scikit-learn is not installed.
    """
    _sklearn.require_sklearn("baeum.datasets.diabetes")
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    x = data.data.astype(np.float32)
    y = data.target.astype(np.float32)
    return _sklearn.split(x, y, test_size, seed, stratify=False)
