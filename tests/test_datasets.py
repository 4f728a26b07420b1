"""baeum.datasets: IDX reading, MNIST-format loaders, sklearn sets, text, synthetic sets."""

import gzip
import hashlib
import struct
import sys

import numpy as np
import pytest

from baeum.datasets import (
    _download,
    _idx,
    diabetes,
    digits,
    fashion_mnist,
    iris,
    mnist,
    synthetic,
    text,
)

# ------------------------------------------------------------------ helpers

STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def idx_bytes(array, magic=None):
    """An IDX file's bytes, written by hand (independent of the reader under test)."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x00000800 | array.ndim
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write(path, data, gz=False):
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def small_split(rng, n):
    x = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, size=n, dtype=np.uint8)
    return x, y


def write_mnist_folder(folder, rng, n_train=7, n_test=3, gz=(True, False, False, True)):
    """Four small valid IDX files, some gzipped and some raw."""
    folder.mkdir(parents=True, exist_ok=True)
    (xtr, ytr), (xte, yte) = small_split(rng, n_train), small_split(rng, n_test)
    for stem, arr, z in zip(STEMS, (xtr, ytr, xte, yte), gz):
        write(folder / (stem + (".gz" if z else "")), idx_bytes(arr), gz=z)
    return (xtr, ytr), (xte, yte)


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No BAEUM_DATA and an empty, private user cache."""
    monkeypatch.delenv("BAEUM_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


# --------------------------------------------------------------- IDX reader


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_images_and_labels(tmp_path, rng, gz):
    x = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    y = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    xi = _idx.read_idx(write(tmp_path / "img", idx_bytes(x), gz=gz), kind="images")
    yi = _idx.read_labels(write(tmp_path / "lab", idx_bytes(y), gz=gz))
    np.testing.assert_array_equal(xi, x)
    np.testing.assert_array_equal(yi, y)
    assert xi.dtype == np.uint8 and xi.shape == (5, 28, 28) and yi.shape == (5,)
    assert xi.flags.writeable  # users normalise in place


def test_gzip_is_detected_from_content_not_name(tmp_path):
    y = np.arange(10, dtype=np.uint8)
    # A gzipped file without .gz, and a raw file that kept its .gz name.
    a = _idx.read_labels(write(tmp_path / "labels", idx_bytes(y), gz=True))
    b = _idx.read_labels(write(tmp_path / "labels.gz", idx_bytes(y), gz=False))
    np.testing.assert_array_equal(a, y)
    np.testing.assert_array_equal(b, y)


def test_read_idx_other_dtypes(tmp_path):
    data = struct.pack(">I", 0x00000D02) + struct.pack(">2I", 2, 3)
    data += np.arange(6, dtype=">f4").tobytes()
    out = _idx.read_idx(write(tmp_path / "f", data))
    np.testing.assert_array_equal(out, np.arange(6, dtype=np.float32).reshape(2, 3))
    assert out.dtype == np.float32 and out.dtype.isnative


def test_labels_file_where_images_expected(tmp_path):
    path = write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(4)))
    with pytest.raises(ValueError) as e:
        _idx.read_images(path)
    msg = str(e.value)
    assert str(path) in msg and "bad magic number" in msg
    assert "expected 2051 (0x00000803" in msg and "got 2049 (0x00000801" in msg
    assert "labels file" in msg


def test_images_file_where_labels_expected(tmp_path):
    path = write(tmp_path / "img", idx_bytes(np.zeros((2, 28, 28))))
    with pytest.raises(ValueError, match="expected 2049.*got 2051.*images file"):
        _idx.read_labels(path)


@pytest.mark.parametrize("gz", [False, True])
def test_bad_magic(tmp_path, gz):
    path = write(tmp_path / "junk", b"\x12\x34\x56\x78" + bytes(100), gz=gz)
    with pytest.raises(ValueError, match="bad magic number.*0x12345678"):
        _idx.read_idx(path)
    with pytest.raises(ValueError, match=r"junk: bad magic number: expected 2051"):
        _idx.read_images(path)


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_data(tmp_path, gz):
    data = idx_bytes(np.zeros((3, 28, 28)))[:-100]
    path = write(tmp_path / "imgs", data, gz=gz)
    with pytest.raises(ValueError) as e:
        _idx.read_images(path)
    msg = str(e.value)
    assert str(path) in msg and "truncated" in msg
    assert f"expected {3 * 28 * 28} bytes of data, got {3 * 28 * 28 - 100}" in msg


def test_truncated_header(tmp_path):
    with pytest.raises(ValueError, match="truncated.*magic"):
        _idx.read_idx(write(tmp_path / "a", b"\x00\x00"))
    data = struct.pack(">I", 0x00000803) + struct.pack(">I", 5)  # 1 of 3 dims
    with pytest.raises(ValueError, match="truncated.*3 dimensions"):
        _idx.read_images(write(tmp_path / "b", data))


def test_truncated_gzip_stream(tmp_path):
    blob = gzip.compress(idx_bytes(np.arange(2000) % 10))
    path = tmp_path / "labels.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match="labels.gz: corrupt or truncated gzip"):
        _idx.read_labels(path)


def test_trailing_bytes(tmp_path):
    path = write(tmp_path / "lab", idx_bytes(np.zeros(4)) + b"\x00\x01")
    with pytest.raises(ValueError, match="expected 4 bytes of data.*2 more bytes"):
        _idx.read_labels(path)


# ------------------------------------------------------- MNIST-format loading


def test_load_from_path(tmp_path, rng, no_env):
    (xtr, ytr), (xte, yte) = write_mnist_folder(tmp_path / "m", rng)
    (a, b), (c, d) = mnist.load_data(path=tmp_path / "m")
    for got, want in ((a, xtr), (b, ytr), (c, xte), (d, yte)):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == np.uint8
    assert a.shape == (7, 28, 28) and b.shape == (7,) and c.shape == (3, 28, 28)


def test_search_order_env_then_cache(tmp_path, rng, monkeypatch, no_env):
    cached = write_mnist_folder(no_env / "baeum" / "mnist", rng, n_train=4)
    assert mnist.load_data()[0][0].shape[0] == 4  # only the cache exists

    env = write_mnist_folder(tmp_path / "data" / "mnist", rng, n_train=5)
    monkeypatch.setenv("BAEUM_DATA", str(tmp_path / "data"))
    (x, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x, env[0][0])  # $BAEUM_DATA/mnist wins over the cache

    own = write_mnist_folder(tmp_path / "own", rng, n_train=6)
    np.testing.assert_array_equal(mnist.load_data(path=tmp_path / "own")[0][0], own[0][0])
    assert cached[0][0].shape[0] == 4


def test_raw_file_preferred_over_gz(tmp_path, rng, no_env):
    folder = tmp_path / "m"
    write_mnist_folder(folder, rng, gz=(True, True, True, True))
    y = np.full(7, 9, np.uint8)
    write(folder / "train-labels-idx1-ubyte", idx_bytes(y))
    np.testing.assert_array_equal(mnist.load_data(path=folder)[0][1], y)


def test_missing_files_error_lists_every_place(tmp_path, monkeypatch, no_env):
    monkeypatch.setenv("BAEUM_DATA", str(tmp_path / "data"))
    (tmp_path / "data" / "mnist").mkdir(parents=True)
    (tmp_path / "data" / "mnist" / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(FileNotFoundError) as e:
        mnist.load_data()
    msg = str(e.value)
    assert str(tmp_path / "data" / "mnist") in msg
    assert "missing train-labels-idx1-ubyte[.gz]" in msg
    assert "train-images-idx3-ubyte[.gz]" not in msg.split("missing", 1)[1].split("\n")[0]
    assert str(no_env / "baeum" / "mnist") in msg and "does not exist" in msg
    for hint in ("BAEUM_DATA", "path=", "download=True"):
        assert hint in msg


def test_missing_files_error_without_env(no_env):
    with pytest.raises(FileNotFoundError, match=r"\$BAEUM_DATA/fashion_mnist \(BAEUM_DATA is not"):
        fashion_mnist.load_data()


def test_explicit_path_does_not_fall_back(tmp_path, rng, monkeypatch, no_env):
    write_mnist_folder(tmp_path / "data" / "mnist", rng)
    monkeypatch.setenv("BAEUM_DATA", str(tmp_path / "data"))
    with pytest.raises(FileNotFoundError, match="path argument"):
        mnist.load_data(path=tmp_path / "elsewhere")


def test_nothing_downloads_without_asking(monkeypatch, no_env):
    def no_network(*args, **kwargs):
        raise AssertionError("tried to use the network")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    with pytest.raises(FileNotFoundError):
        mnist.load_data()
    with pytest.raises(FileNotFoundError):
        fashion_mnist.load_data()


def test_image_label_count_mismatch(tmp_path, rng, no_env):
    folder = tmp_path / "m"
    write_mnist_folder(folder, rng, gz=(False,) * 4)
    write(folder / "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(2)))  # 3 images, 2 labels
    with pytest.raises(ValueError) as e:
        mnist.load_data(path=folder)
    msg = str(e.value)
    assert "count mismatch" in msg and "3 images" in msg and "2 labels" in msg
    assert "t10k-images-idx3-ubyte" in msg and "t10k-labels-idx1-ubyte" in msg


def test_swapped_files_are_caught(tmp_path, rng, no_env):
    folder = tmp_path / "m"
    write_mnist_folder(folder, rng, gz=(False,) * 4)
    images = (folder / "train-images-idx3-ubyte").read_bytes()
    labels = (folder / "train-labels-idx1-ubyte").read_bytes()
    (folder / "train-images-idx3-ubyte").write_bytes(labels)
    (folder / "train-labels-idx1-ubyte").write_bytes(images)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte: bad magic.*labels file"):
        mnist.load_data(path=folder)


def test_wrong_image_size_and_label_range(tmp_path, rng, no_env):
    folder = tmp_path / "m"
    write_mnist_folder(folder, rng, gz=(False,) * 4)
    write(folder / "t10k-images-idx3-ubyte", idx_bytes(np.zeros((3, 32, 32))))
    with pytest.raises(ValueError, match=r"expected images of shape \(28, 28\), got \(32, 32\)"):
        mnist.load_data(path=folder)
    write_mnist_folder(folder, rng, gz=(False,) * 4)
    write(folder / "t10k-labels-idx1-ubyte", idx_bytes([1, 2, 10]))
    with pytest.raises(ValueError, match=r"labels must be in 0..9, found 10"):
        mnist.load_data(path=folder)


# ----------------------------------------------------------------- download


def _mirror(tmp_path, rng):
    """A local 'mirror' of .gz files served through file:// URLs, and their digests."""
    src = tmp_path / "mirror"
    expected = write_mnist_folder(src, rng, gz=(True,) * 4)
    sha = {s: hashlib.sha256((src / f"{s}.gz").read_bytes()).hexdigest() for s in STEMS}
    md5 = {s: hashlib.md5((src / f"{s}.gz").read_bytes()).hexdigest() for s in STEMS}
    return src.as_uri() + "/", sha, md5, expected


def test_download_into_cache(tmp_path, rng, monkeypatch, no_env):
    url, sha, md5, expected = _mirror(tmp_path, rng)
    monkeypatch.setattr(mnist, "MIRRORS", (tmp_path.as_uri() + "/nowhere/", url))
    monkeypatch.setattr(mnist, "SHA256", sha)
    monkeypatch.setattr(mnist, "MD5", md5)
    (x, y), (xt, yt) = mnist.load_data(download=True)
    np.testing.assert_array_equal(x, expected[0][0])
    np.testing.assert_array_equal(yt, expected[1][1])
    cache = no_env / "baeum" / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(s + ".gz" for s in STEMS)
    # Now it is cached: loading again needs no download.
    monkeypatch.setattr(mnist, "MIRRORS", ())
    np.testing.assert_array_equal(mnist.load_data()[0][0], x)


def test_download_checksum_mismatch_leaves_nothing(tmp_path, rng, monkeypatch, no_env):
    url, sha, md5, _ = _mirror(tmp_path, rng)
    sha = dict(sha, **{"t10k-images-idx3-ubyte": "0" * 64})
    monkeypatch.setattr(mnist, "MIRRORS", (url,))
    monkeypatch.setattr(mnist, "SHA256", sha)
    monkeypatch.setattr(mnist, "MD5", md5)
    with pytest.raises(OSError, match="t10k-images-idx3-ubyte.gz.*sha256 mismatch: expected 0000"):
        mnist.load_data(download=True)
    names = {p.name for p in (no_env / "baeum" / "mnist").iterdir()}
    assert "t10k-images-idx3-ubyte.gz" not in names
    assert not any(n.endswith(".part") for n in names)  # temp files cleaned up


def test_download_into_explicit_path_and_md5_check(tmp_path, rng):
    url, sha, md5, _ = _mirror(tmp_path, rng)
    out = _download.download(
        "train-labels-idx1-ubyte.gz", [url], tmp_path / "dl", md5=md5[STEMS[1]]
    )
    assert out.read_bytes() == (tmp_path / "mirror" / "train-labels-idx1-ubyte.gz").read_bytes()
    with pytest.raises(OSError, match="md5 mismatch"):
        _download.download("train-labels-idx1-ubyte.gz", [url], tmp_path / "d2", md5="f" * 32)
    with pytest.raises(ValueError, match="no checksum"):
        _download.download("train-labels-idx1-ubyte.gz", [url], tmp_path / "d3")


def test_published_checksums_are_well_formed():
    for module in (mnist, fashion_mnist):
        assert set(module.SHA256) == set(STEMS) == set(module.MD5)
        assert all(len(v) == 64 and int(v, 16) >= 0 for v in module.SHA256.values())
        assert all(len(v) == 32 and int(v, 16) >= 0 for v in module.MD5.values())
    # The three MNIST originals that the shared copy holds byte for byte.
    assert mnist.SHA256["t10k-images-idx3-ubyte"].startswith("8d422c7b")
    assert mnist.SHA256["train-labels-idx1-ubyte"].startswith("3552534a")


def test_cache_dir_honours_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _download.cache_dir("mnist") == tmp_path / "baeum" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _download.cache_dir("mnist") == tmp_path / "home" / ".cache" / "baeum" / "mnist"


# ----------------------------------------------------------- real MNIST copy


def test_real_mnist(data_dir, monkeypatch, no_env):
    monkeypatch.setenv("BAEUM_DATA", str(data_dir))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_train, minlength=10).tolist() == counts
    assert abs(x_train.mean() / 255 - 0.13067) < 1e-4
    # The test images and labels are the originals, byte for byte (README checksums).
    header = struct.pack(">4I", 0x803, 10000, 28, 28)
    digest = hashlib.sha256(header + x_test.tobytes()).hexdigest()
    assert digest == "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    digest = hashlib.sha256(struct.pack(">2I", 0x801, 10000) + y_test.tobytes()).hexdigest()
    assert digest == "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"


# ------------------------------------------------------------ sklearn sets


def test_iris():
    (x, y), (xt, yt) = iris.load_data()
    assert x.shape == (120, 4) and xt.shape == (30, 4)
    assert x.dtype == np.float32 and y.dtype == np.int64 and yt.dtype == np.int64
    assert np.bincount(y).tolist() == [40, 40, 40]  # stratified
    assert np.bincount(yt).tolist() == [10, 10, 10]
    (x2, _), _ = iris.load_data()
    np.testing.assert_array_equal(x, x2)  # same seed, same split
    (x3, _), _ = iris.load_data(seed=1)
    assert not np.array_equal(x, x3)


def test_digits():
    (x, y), (xt, yt) = digits.load_data(test_size=0.25, seed=3)
    assert x.shape[1:] == (8, 8) and len(x) + len(xt) == 1797 and len(xt) == 450
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() == 0 and x.max() == 16  # sklearn's raw 0-16 values
    frac = np.bincount(yt, minlength=10) / np.bincount(np.r_[y, yt], minlength=10)
    assert np.all(np.abs(frac - 0.25) < 0.03)


def test_diabetes():
    (x, y), (xt, yt) = diabetes.load_data()
    assert x.shape == (353, 10) and xt.shape == (89, 10)
    assert x.dtype == np.float32 and y.dtype == np.float32 and y.shape == (353,)
    assert 20 < y.min() and y.max() < 400


def test_sklearn_missing_gives_install_hint(monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    for module in (iris, digits, diabetes):
        with pytest.raises(ImportError, match=r"pip install scikit-learn.*baeum\[datasets\]"):
            module.load_data()


# ------------------------------------------------------------------- text


def test_real_corpora(data_dir, monkeypatch, no_env):
    monkeypatch.setenv("BAEUM_DATA", str(data_dir))
    pride = text.load_corpus()
    assert "It is a truth universally acknowledged" in pride
    words = text.tokenize(pride)
    assert 120_000 < len(words) < 135_000
    assert 6_600 < len(set(words)) < 6_800  # "about 6.7 k distinct words"
    moby = text.load_corpus(name="moby_dick")
    assert moby.startswith("MOBY-DICK;")
    assert 16_500 < len(set(text.tokenize(moby))) < 17_500
    vocab = text.Vocabulary(words, min_count=5)
    assert vocab.id_to_word[1] == "the"
    assert vocab.counts.sum() == len(words)


def test_load_corpus_from_file_and_folder(tmp_path, no_env):
    f = tmp_path / "tiny.txt"
    f.write_bytes("\ufeffHello, world!\n".encode())  # a BOM is dropped
    assert text.load_corpus(f) == "Hello, world!\n"
    (tmp_path / "mine.txt").write_text("abc", encoding="utf-8")
    assert text.load_corpus(tmp_path, name="mine") == "abc"


def test_load_corpus_missing(tmp_path, monkeypatch, no_env):
    monkeypatch.setenv("BAEUM_DATA", str(tmp_path / "data"))
    with pytest.raises(FileNotFoundError) as e:
        text.load_corpus(name="moby_dick")
    msg = str(e.value)
    assert str(tmp_path / "data" / "text" / "moby_dick.txt") in msg
    assert str(no_env / "baeum" / "text" / "moby_dick.txt") in msg
    assert "BAEUM_DATA" in msg and "path=" in msg
    with pytest.raises(FileNotFoundError, match="path argument"):
        text.load_corpus(tmp_path / "nope.txt")


def test_tokenize():
    assert text.tokenize("Don't STOP--me now: 42 times_over, Élan!") == [
        "don", "t", "stop", "me", "now", "times", "over", "élan",
    ]  # fmt: skip


def test_vocabulary_cutoffs_and_order():
    tokens = "b a c a b a d".split()  # a:3, b:2, c:1, d:1
    v = text.Vocabulary(tokens)
    assert v.id_to_word == ["<unk>", "a", "b", "c", "d"]  # ties keep first appearance
    assert v.counts.tolist() == [0, 3, 2, 1, 1] and len(v) == 5
    v = text.Vocabulary(tokens, min_count=2)
    assert v.id_to_word == ["<unk>", "a", "b"] and v.counts.tolist() == [2, 3, 2]
    v = text.Vocabulary(tokens, max_size=2)  # <unk> counts towards max_size
    assert v.id_to_word == ["<unk>", "a"] and v.counts.tolist() == [4, 3]
    assert v.word_to_id == {"<unk>": 0, "a": 1}
    assert "a" in v and "b" not in v


def test_vocabulary_encode_decode():
    v = text.Vocabulary("the cat sat on the mat".split())
    ids = v.encode("the dog sat".split())
    assert ids == [v.word_to_id["the"], 0, v.word_to_id["sat"]]
    assert v.decode(ids) == ["the", "<unk>", "sat"]
    assert v.decode(np.array(ids)) == ["the", "<unk>", "sat"]
    with pytest.raises(ValueError, match="id 99 is out of range for a vocabulary of size 6"):
        v.decode([99])
    strict = text.Vocabulary("the cat".split(), unk_token=None)
    assert strict.encode(["the", "dog", "cat"]) == [0, 1]  # unknown words dropped
    assert strict.unk_id is None


def test_vocabulary_errors():
    with pytest.raises(ValueError, match="min_count"):
        text.Vocabulary(["a"], min_count=0)
    with pytest.raises(ValueError, match="max_size"):
        text.Vocabulary(["a"], max_size=1)
    with pytest.raises(ValueError, match="unknown token"):
        text.Vocabulary(["a", "<unk>"])


def test_char_vocabulary():
    s = "hello world"
    v = text.char_vocabulary(s)
    assert v.id_to_word == sorted(set(s)) and len(v) == 8
    assert "".join(v.decode(v.encode(s))) == s


# -------------------------------------------------------------- synthetic


def test_logic_gates_truth_tables():
    tables = {
        "and": [0, 0, 0, 1],
        "or": [0, 1, 1, 1],
        "xor": [0, 1, 1, 0],
        "nand": [1, 1, 1, 0],
        "nor": [1, 0, 0, 0],
        "xnor": [1, 0, 0, 1],
    }
    for kind, want in tables.items():
        x, y = synthetic.logic_gates(kind)
        assert x.dtype == np.float32 and x.shape == (4, 2)
        assert y.dtype == np.float32 and y.shape == (4,)
        assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
        assert y.tolist() == want
    assert synthetic.logic_gates("XOR")[1].tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError, match="unknown logic gate 'xand'.*and, or, xor, nand"):
        synthetic.logic_gates("xand")


def test_noisy_sine_and_windows():
    s = synthetic.noisy_sine(200, noise=0.0, period=20)
    assert s.shape == (200,) and s.dtype == np.float32
    np.testing.assert_allclose(s, np.sin(2 * np.pi * np.arange(200) / 20), atol=1e-6)
    a, b = synthetic.noisy_sine(100, seed=1), synthetic.noisy_sine(100, seed=1)
    np.testing.assert_array_equal(a, b)
    assert 0.05 < np.std(a - synthetic.noisy_sine(100, noise=0.0)) < 0.15

    x, y = synthetic.make_windows(a, 10)
    assert x.shape == (90, 10, 1) and y.shape == (90, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(x[5, :, 0], a[5:15])
    assert y[5, 0] == a[15]
    assert x.flags.c_contiguous
    with pytest.raises(ValueError, match=r"window must be an integer in 1..99"):
        synthetic.make_windows(a, 100)


def test_datacenter_pue():
    x, y = synthetic.datacenter_pue(5000, seed=0)
    assert x.shape == (5000, 19) and x.dtype == np.float32
    assert y.shape == (5000,) and y.dtype == np.float32
    assert len(synthetic.PUE_FEATURES) == 19 == len(set(synthetic.PUE_FEATURES))
    lo, hi = np.percentile(y, [1, 99])
    assert 1.05 < lo and hi < 1.7 and y.min() > 1.0
    x2, y2 = synthetic.datacenter_pue(5000, seed=0)
    np.testing.assert_array_equal(y, y2)

    # A linear model cannot reach 1 % MAPE (even fitted on the data it is scored on) ...
    a = np.c_[x, np.ones(len(x))].astype(np.float64)
    w, *_ = np.linalg.lstsq(a, y.astype(np.float64), rcond=None)
    linear_mape = np.mean(np.abs(a @ w - y) / y)
    assert linear_mape > 0.015
    # ... while the noise floor is far below it, so a flexible model can.
    _, clean = synthetic.datacenter_pue(5000, seed=0, noise=0.0)
    assert np.mean(np.abs(y - clean) / y) < 0.004


def test_two_topic_corpus():
    sents = synthetic.two_topic_corpus(300, seed=0)
    assert len(sents) == 300
    animals, vehicles = set(synthetic.ANIMALS), set(synthetic.VEHICLES)
    assert len(animals) == len(vehicles) == 20 and not animals & vehicles
    topics = []
    for s in sents:
        assert 5 <= len(s) <= 10
        assert set(s) <= animals or set(s) <= vehicles  # one topic per sentence
        topics.append(set(s) <= animals)
    assert 100 < sum(topics) < 200
    assert synthetic.two_topic_corpus(300, seed=0) == sents
    assert synthetic.two_topic_corpus(300, seed=1) != sents
