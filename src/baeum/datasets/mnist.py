"""MNIST handwritten digits, as in ``keras.datasets.mnist``.

60000 training and 10000 test greyscale images of the digits 0-9, 28x28
pixels, 0 = background and 255 = full ink (LeCun, Cortes and Burges; CC BY-SA 3.0).

    >>> from baeum.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, y_train.shape                # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), (60000,))
"""

from . import _mnist_like

NAME = "mnist"

# Public mirrors of the original files (yann.lecun.com itself no longer serves them reliably).
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# sha256 of the original .gz files, keyed by file stem (the values torchvision and
# TFDS pin). Checked only on download: a local copy may legitimately differ (the
# shared offline copy has a reconstructed train-images file), so local files are
# only checked for IDX structure.
SHA256 = {
    "train-images-idx3-ubyte": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# The published md5 sums of the same files, checked as well.
MD5 = {
    "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
}


def load_data(path=None, download=False):
    """Load MNIST: ``(x_train, y_train), (x_test, y_test)``.

    Args:
        path: a folder holding the four IDX files (``train-images-idx3-ubyte``,
            ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
            ``t10k-labels-idx1-ubyte``, each gzipped ``.gz`` or not). When
            given, only this folder is used (and downloaded into).
        download: if True and no local copy is found, download the files from
            public mirrors into the cache (or `path`) and verify their
            checksums. Nothing is ever downloaded otherwise.

    Search order without `path`: ``$BAEUM_DATA/mnist``, then the user cache
    ``~/.cache/baeum/mnist`` (``$XDG_CACHE_HOME/baeum/mnist``).

    Returns:
        x_train: uint8 (60000, 28, 28); y_train: uint8 (60000,) with values 0-9;
        x_test: uint8 (10000, 28, 28); y_test: uint8 (10000,).

    Raises:
        FileNotFoundError: no folder has the files and `download` is False; the
            message lists every place looked in and how to provide the files.
        ValueError: a file is not a valid IDX file or the splits do not match.
    """
    return _mnist_like.load(NAME, "MNIST", path, download, MIRRORS, SHA256, MD5)
