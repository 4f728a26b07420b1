"""`baeum.utils`: the helpers Keras tutorials import from `keras.utils`.

    y_train = baeum.utils.to_categorical(y_train, 10)   # one-hot labels
    baeum.utils.set_random_seed(42)                     # reproducible weights and shuffles
"""

import random as _python_random

from baeum import random as _random
from baeum.data import to_categorical

__all__ = ["set_random_seed", "to_categorical"]


def set_random_seed(seed):
    """Seed Python's `random`, NumPy's global generator and baeum's (initializers, dropout,
    shuffling), as `keras.utils.set_random_seed` does."""
    _random.seed(seed)  # checks the seed; also seeds np.random
    _python_random.seed(seed)
