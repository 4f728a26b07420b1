"""Shared code for the small datasets bundled with scikit-learn (iris, digits, diabetes).

scikit-learn is an optional dependency: it is imported only when a loader is
called, so ``import baeum`` stays fast and works without it.
"""

import numpy as np


def require_sklearn(what):
    """Import scikit-learn or explain how to install it."""
    try:
        import sklearn  # noqa: F401
    except ImportError as e:
        raise ImportError(
            f"{what} needs scikit-learn, which is not installed. "
            "Install it with `pip install scikit-learn` (or `pip install baeum[datasets]`)."
        ) from e


def split(x, y, test_size, seed, stratify):
    """Split with sklearn's train_test_split and a fixed seed; stratified for classifiers.

    Returns ``(x_train, y_train), (x_test, y_test)``.
    """
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, random_state=seed, stratify=y if stratify else None
    )
    return (np.ascontiguousarray(x_train), np.ascontiguousarray(y_train)), (
        np.ascontiguousarray(x_test),
        np.ascontiguousarray(y_test),
    )
