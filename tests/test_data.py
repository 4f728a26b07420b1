"""baeum.data: to_categorical, train_test_split, batches."""

import sys

import numpy as np
import pytest

import baeum
from baeum import data
from baeum.data import BatchIterator, batches, to_categorical, train_test_split

# ------------------------------------------------------------ to_categorical


def test_to_categorical_basic():
    out = to_categorical([0, 2, 1, 2])
    assert out.dtype == np.float32 and out.shape == (4, 3)
    np.testing.assert_array_equal(out, np.eye(3)[[0, 2, 1, 2]])
    assert to_categorical([1], num_classes=5).tolist() == [[0, 1, 0, 0, 0]]
    assert to_categorical(np.array([1, 0]), dtype="int64").dtype == np.int64


def test_to_categorical_shapes_like_keras():
    assert to_categorical(np.zeros((6, 1), int), 4).shape == (6, 4)  # trailing 1 dropped
    assert to_categorical(np.zeros((2, 3), int), 4).shape == (2, 3, 4)
    assert to_categorical(np.int64(2), 3).tolist() == [0, 0, 1]  # a scalar label
    assert to_categorical(np.array([1.0, 0.0])).tolist() == [[0, 1], [1, 0]]  # whole floats
    assert to_categorical(np.zeros(0, int), num_classes=3).shape == (0, 3)


def test_to_categorical_errors():
    with pytest.raises(ValueError, match="label 3 is out of range for num_classes=3"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="labels must be >= 0, got -1"):
        to_categorical([0, -1])
    with pytest.raises(ValueError, match="integer class labels, got 1.5"):
        to_categorical([0.0, 1.5])
    with pytest.raises(ValueError, match="integer class labels"):
        to_categorical(["a", "b"])
    with pytest.raises(ValueError, match="num_classes must be a positive integer"):
        to_categorical([0], num_classes=0)


# --------------------------------------------------------- train_test_split


def _no_sklearn(monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)


def test_train_test_split_uses_sklearn():
    from sklearn.model_selection import train_test_split as sk

    x, y = np.arange(40).reshape(20, 2), np.arange(20) % 2
    ours = train_test_split(x, y, test_size=0.3, seed=4, stratify=y)
    theirs = sk(x, y, test_size=0.3, random_state=4, stratify=y)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="seed or random_state"):
        train_test_split(x, seed=1, random_state=1)


@pytest.mark.parametrize(
    "n, kwargs, sizes",
    [
        (10, {}, (7, 3)),  # default test_size 0.25, rounded up
        (10, {"test_size": 0.33}, (6, 4)),
        (10, {"test_size": 2}, (8, 2)),
        (10, {"train_size": 0.5}, (5, 5)),
        (10, {"train_size": 4, "test_size": 3}, (4, 3)),
    ],
)
def test_train_test_split_fallback_sizes(monkeypatch, n, kwargs, sizes):
    from sklearn.model_selection import train_test_split as sk

    want = [len(a) for a in sk(np.arange(n), **kwargs)]
    assert tuple(want) == sizes
    _no_sklearn(monkeypatch)
    tr, te = train_test_split(np.arange(n), **kwargs, seed=0)
    assert (len(tr), len(te)) == sizes
    assert len(set(tr) | set(te)) == len(tr) + len(te)  # disjoint


def test_train_test_split_fallback_stratify_and_order(monkeypatch):
    _no_sklearn(monkeypatch)
    x = np.arange(100)
    y = np.r_[np.zeros(80, int), np.ones(20, int)]
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, seed=0, stratify=y)
    assert np.bincount(y_te).tolist() == [16, 4] and np.bincount(y_tr).tolist() == [64, 16]
    np.testing.assert_array_equal(y[x_tr], y_tr)  # rows stay aligned
    assert sorted(np.r_[x_tr, x_te].tolist()) == x.tolist()
    again = train_test_split(x, y, test_size=0.2, seed=0, stratify=y)
    np.testing.assert_array_equal(again[0], x_tr)
    tr, te = train_test_split(x, shuffle=False, test_size=10)
    assert tr.tolist() == list(range(90)) and te.tolist() == list(range(90, 100))
    with pytest.raises(ValueError, match="same length"):
        train_test_split(x, y[:5])
    with pytest.raises(ValueError, match="test_size=1.5"):
        train_test_split(x, test_size=1.5)


# ---------------------------------------------------------------- batches


def test_batches_cover_every_sample_once():
    x = np.arange(103 * 2).reshape(103, 2)
    y = np.arange(103)
    it = batches(x, y, batch_size=10, seed=0)
    assert isinstance(it, BatchIterator) and len(it) == 11
    for _ in range(2):  # every epoch
        seen = []
        sizes = []
        for xb, yb in it:
            np.testing.assert_array_equal(xb[:, 0] // 2, yb)  # x and y stay paired
            seen += yb.tolist()
            sizes.append(len(yb))
        assert sorted(seen) == list(range(103)) and seen != list(range(103))
        assert sizes == [10] * 10 + [3]


def test_batches_drop_last_and_lengths():
    x = np.zeros((10, 1))
    assert len(batches(x, batch_size=3, drop_last=True)) == 3
    assert [len(b) for b in batches(x, batch_size=3, drop_last=True)] == [3, 3, 3]
    assert len(batches(x, batch_size=5, drop_last=True)) == 2
    assert len(batches(x, batch_size=32)) == 1
    assert len(batches(x, batch_size=32, drop_last=True)) == 0
    assert list(batches(x, batch_size=32, drop_last=True)) == []
    assert len(batches(np.zeros((0, 3)), batch_size=4)) == 0


def test_batches_no_shuffle_gives_views_in_order():
    x = np.arange(10)
    out = list(batches(x, batch_size=4, shuffle=False))
    assert [b.tolist() for b in out] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert np.shares_memory(out[0], x)  # no copies without shuffling


def test_batches_reproducible_with_seed():
    x = np.arange(50)

    def run(seed):  # three epochs of one iterator
        it = batches(x, batch_size=7, seed=seed)
        return [b.tolist() for _ in range(3) for b in it]

    assert run(1) == run(1)
    assert run(1) != run(2)
    it = batches(x, batch_size=50, seed=5)
    first, second = next(iter(it)), next(iter(it))
    assert first.tolist() != second.tolist()  # a new order each epoch


def test_batches_follow_baeum_random_seed():
    x = np.arange(40)
    baeum.random.seed(7)
    a = [b.tolist() for b in batches(x, batch_size=8)]
    baeum.random.seed(7)
    b = [b.tolist() for b in batches(x, batch_size=8)]
    assert a == b and sorted(sum(a, [])) == list(range(40))


def test_batches_multi_input():
    x1, x2 = np.arange(12).reshape(6, 2), np.arange(6) * 10
    y = np.arange(6)
    for x in ((x1, x2), [x1, x2]):
        for xb, yb in batches(x, y, batch_size=4, seed=0):
            assert type(xb) is type(x) and len(xb) == 2
            np.testing.assert_array_equal(xb[1], yb * 10)
            np.testing.assert_array_equal(xb[0][:, 0], yb * 2)
    for xb, yb in batches({"a": x1, "b": x2}, (y, -y), batch_size=4, seed=0):
        assert set(xb) == {"a", "b"} and isinstance(yb, tuple)
        np.testing.assert_array_equal(xb["b"], yb[0] * 10)
        np.testing.assert_array_equal(yb[1], -yb[0])


def test_batches_nested_list_is_one_array():
    out = list(batches([[0, 0], [0, 1], [1, 0]], [0, 1, 1], batch_size=2, shuffle=False))
    assert out[0][0].shape == (2, 2) and out[1][1].tolist() == [1]


def test_batches_errors():
    with pytest.raises(ValueError, match="y has 9 samples but x has 10"):
        batches(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match=r"x\[1\] has 4 samples but x\[0\] has 5"):
        batches((np.zeros(5), np.zeros(4)))
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        batches(np.zeros(5), batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        batches(np.zeros(5), batch_size=2.5)
    with pytest.raises(ValueError, match="scalar"):
        batches(np.float32(1.0))


def test_module_exports():
    assert set(data.__all__) == {"to_categorical", "train_test_split", "BatchIterator", "batches"}
