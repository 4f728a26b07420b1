"""Fashion-MNIST, as in ``keras.datasets.fashion_mnist``.

60000 training and 10000 test greyscale 28x28 images of Zalando's articles
in 10 classes (Xiao, Rasul and Vollgraf, 2017; MIT licence), a drop-in
replacement for MNIST. Class names are in ``CLASS_NAMES``.

    >>> from baeum.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
    >>> CLASS_NAMES[y_train[0]]                                            # doctest: +SKIP
    'Ankle boot'
"""

from . import _mnist_like

NAME = "fashion_mnist"

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

MIRRORS = (
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)

# Digests of the .gz files, keyed by file stem; both are checked on download.
# md5: published in the Fashion-MNIST README. sha256: the values that several
# independent projects pin for the same files (e.g. TFDS).
MD5 = {
    "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
}
SHA256 = {
    "train-images-idx3-ubyte": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}


def load_data(path=None, download=False):
    """Load Fashion-MNIST: ``(x_train, y_train), (x_test, y_test)``.

    Same files, shapes, dtypes and search order as `baeum.datasets.mnist.load_data`,
    with ``fashion_mnist`` as the folder name: `path`, then
    ``$BAEUM_DATA/fashion_mnist``, then ``~/.cache/baeum/fashion_mnist``, then
    (only with ``download=True``) the public mirrors.

    Returns:
        x_train: uint8 (60000, 28, 28); y_train: uint8 (60000,) with values 0-9;
        x_test: uint8 (10000, 28, 28); y_test: uint8 (10000,).
    """
    return _mnist_like.load(NAME, "Fashion-MNIST", path, download, MIRRORS, SHA256, MD5)
