"""Datasets, as in ``keras.datasets``: each module has a ``load_data()`` returning
``(x_train, y_train), (x_test, y_test)`` as NumPy arrays.

- `mnist`, `fashion_mnist`: 28x28 uint8 images from local IDX files
  (``$BAEUM_DATA/<name>`` or ``~/.cache/baeum/<name>``; ``download=True`` to fetch).
- `iris`, `digits`, `diabetes`: the small sets bundled with scikit-learn (optional).
- `text`: plain-text corpora, tokenizer and vocabularies (word2vec, char-rnn).
- `synthetic`: logic gates, a noisy sine, a data-centre PUE simulator, a two-topic corpus.

Importing this package reads no file and never touches the network.
"""

from . import diabetes, digits, fashion_mnist, iris, mnist, synthetic, text

__all__ = ["mnist", "fashion_mnist", "iris", "digits", "diabetes", "text", "synthetic"]
