"""Fisher's iris flowers: 150 samples, 4 features, 3 classes (the copy bundled with scikit-learn).

>>> from baeum.datasets import iris
>>> (x_train, y_train), (x_test, y_test) = iris.load_data()
>>> x_train.shape, x_train.dtype, y_train.dtype, x_test.shape
((120, 4), dtype('float32'), dtype('int64'), (30, 4))
"""

import numpy as np

from . import _sklearn

FEATURE_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
CLASS_NAMES = ("setosa", "versicolor", "virginica")


def load_data(test_size=0.2, seed=0):
    """Load iris, split into train and test with the same class proportions.

    Args:
        test_size: fraction (0-1) or number of samples for the test split.
        seed: seed of the split, so every call returns the same split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x float32 (N, 4) in cm,
        y int64 (N,) with values 0, 1, 2 (see ``CLASS_NAMES``).

    Raises:
        ImportError: scikit-learn is not installed.
    """
    _sklearn.require_sklearn("baeum.datasets.iris")
    from sklearn.datasets import load_iris

    data = load_iris()
    x = data.data.astype(np.float32)
    y = data.target.astype(np.int64)
    return _sklearn.split(x, y, test_size, seed, stratify=True)
