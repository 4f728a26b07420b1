"""StringLookup, IntegerLookup, TextVectorization, CategoryEncoding, Hashing, Discretization:
the examples of Keras's own docstrings (keras/src/layers/preprocessing/*.py), published
hash test vectors, a text corpus, a text classifier, models that save and load, errors."""

import doctest
import json
import os
import re
from collections import Counter

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.datasets import text
from baeum.layers import (
    CategoryEncoding,
    Dense,
    Discretization,
    Embedding,
    GlobalAveragePooling1D,
    Hashing,
    Input,
    IntegerLookup,
    StringLookup,
    TextVectorization,
    categorical_preprocessing,
    text_preprocessing,
)
from baeum.layers.categorical_preprocessing import fingerprint64, siphash24
from baeum.models import Model, Sequential, load_model
from layer_harness import run_layer_test

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]
DATA4 = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
INT_VOCAB = [12, 36, 1138, 42]
INT_DATA4 = np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])


def values(out):
    return out.data.tolist() if isinstance(out, baeum.Tensor) else np.asarray(out).tolist()


# --- StringLookup: Keras's docstring examples -------------------------------------------------

def test_string_lookup_with_a_known_vocabulary():
    layer = StringLookup(vocabulary=VOCAB)
    out = layer(DATA)
    assert isinstance(out, baeum.Tensor) and out.data.dtype == np.int64
    assert values(out) == [[1, 3, 4], [4, 0, 2]]
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c", "d"]
    assert layer.get_vocabulary(include_special_tokens=False) == VOCAB
    assert layer.vocabulary_size() == 5
    assert values(layer(np.array(DATA))) == [[1, 3, 4], [4, 0, 2]]        # arrays too
    assert values(layer(np.array(DATA, dtype="S"))) == [[1, 3, 4], [4, 0, 2]]  # and bytes


def test_string_lookup_adapt_orders_by_count_then_by_decreasing_token():
    layer = StringLookup()
    layer.adapt(DATA)
    # "d" occurs twice; the ties follow in reverse sort order (Keras's lexsort).
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert values(layer(DATA)) == [[5, 3, 1], [1, 2, 4]]


def test_string_lookup_max_tokens_keeps_the_most_frequent():
    layer = StringLookup(max_tokens=3)
    layer.adapt(["x", "y", "y", "z", "z", "z", "w"])
    assert layer.get_vocabulary() == ["[UNK]", "z", "y"]      # max_tokens counts [UNK]
    assert values(layer(["w", "y", "z"])) == [0, 2, 1]


def test_string_lookup_multiple_oov_indices_use_keras_farmhash_buckets():
    layer = StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    # Keras: the OOV value "m" goes to 0 and "z" to 1, the vocabulary moves up by one.
    assert values(layer([["a", "c", "d"], ["m", "z", "b"]])) == [[2, 4, 5], [0, 1, 3]]
    assert layer.get_vocabulary()[:3] == ["[UNK]", "[UNK]", "a"]


@pytest.mark.parametrize("mode, expected", [
    ("multi_hot", [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ("count", [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
])
def test_string_lookup_multi_hot_and_count(mode, expected):
    out = StringLookup(vocabulary=VOCAB, output_mode=mode)(DATA4)
    assert out.data.dtype == np.float32 and values(out) == expected


def test_string_lookup_one_hot():
    out = StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"])
    np.testing.assert_array_equal(out.data, np.eye(5)[[1, 2, 3, 4, 0]])
    column = StringLookup(vocabulary=VOCAB, output_mode="one_hot")([["b"], ["z"]])
    assert column.shape == (2, 5)                 # a last axis of 1 is replaced


def test_string_lookup_tf_idf_with_given_weights():
    layer = StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    # The OOV index gets the mean weight, 0.5: "z" twice gives 1.0.
    np.testing.assert_allclose(layer(DATA4).data, [[0, 0.25, 0, 0.6, 0.8],
                                                   [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    with_oov = StringLookup(output_mode="tf_idf")
    with_oov.set_vocabulary(["[UNK]", *VOCAB], idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(with_oov(DATA4).data, [[0, 0.25, 0, 0.6, 0.8],
                                                      [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)


def test_string_lookup_tf_idf_adapt_learns_inverse_document_frequencies():
    docs = [["a", "b", "b"], ["a", "c", "c"], ["a", "b", "d"]]
    layer = StringLookup(output_mode="tf_idf")
    layer.adapt(docs)
    assert layer.get_vocabulary() == ["[UNK]", "b", "a", "c", "d"]   # 3, 3, 2, 1: a < b
    idf = np.log(1 + 3 / (1 + np.array([2, 3, 1, 1])))              # log(1 + N / (1 + df))
    expected_weights = np.concatenate([[idf.mean()], idf])
    out = layer([["b", "b", "d", "zz"]]).data
    np.testing.assert_allclose(out, [[1 * expected_weights[0], 2 * idf[0], 0, 0, idf[3]]],
                               rtol=1e-6)


def test_string_lookup_mask_token():
    layer = StringLookup(vocabulary=VOCAB, mask_token="[MASK]")
    assert layer.get_vocabulary() == ["[MASK]", "[UNK]", "a", "b", "c", "d"]
    assert values(layer([["a", "[MASK]", "z"]])) == [[2, 0, 1]]
    # Outside "int" mode the mask token has no index and masked inputs are dropped.
    hot = StringLookup(vocabulary=VOCAB, mask_token="[MASK]", output_mode="count")
    assert values(hot([["a", "[MASK]", "[MASK]", "z"]])) == [[1, 1, 0, 0, 0]]
    adapted = StringLookup(mask_token="")
    adapted.adapt([["x", "", "", ""], ["x", "y", "", ""]])
    assert adapted.get_vocabulary() == ["", "[UNK]", "x", "y"]       # the mask is not counted


def test_string_lookup_invert_and_forward_inverse_pairs():
    inverse = StringLookup(vocabulary=VOCAB, invert=True)
    out = inverse([[1, 3, 4], [4, 0, 2]])
    assert isinstance(out, np.ndarray)           # strings: a NumPy array, not a Tensor
    assert out.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    forward = StringLookup(vocabulary=VOCAB)
    assert inverse(forward(DATA)).tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    assert inverse(np.array([9])).tolist() == ["[UNK]"]   # ids past the vocabulary: OOV
    with_mask = StringLookup(vocabulary=VOCAB, mask_token="", invert=True)
    assert with_mask([0, 1, 2]).tolist() == ["", "[UNK]", "a"]


def test_string_lookup_num_oov_indices_zero_rejects_unknown_tokens():
    layer = StringLookup(vocabulary=VOCAB, num_oov_indices=0)
    assert values(layer(["a", "d"])) == [0, 3]
    with pytest.raises(ValueError, match=r"out-of-vocabulary values \['q', 'z'\]"):
        layer(["z", "a", "q"])


def test_string_lookup_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\nd\n", encoding="utf-8")
    layer = StringLookup(vocabulary=str(path))
    assert values(layer(DATA)) == [[1, 3, 4], [4, 0, 2]]
    assert layer.get_config()["vocabulary"] == ["[UNK]", *VOCAB]    # the list, not the path
    with pytest.raises(ValueError, match="not a file path"):
        StringLookup.from_config({**layer.get_config(), "vocabulary": str(path)})


def test_string_lookup_config_round_trip_keeps_the_adapted_vocabulary():
    layer = StringLookup(output_mode="tf_idf", max_tokens=10)
    layer.adapt([["x", "y", "y"], ["y", "z"]])
    config = layer.get_config()
    json.dumps(config)
    assert config["vocabulary"] == ["[UNK]", "y", "z", "x"] and config["encoding"] == "utf-8"
    clone = StringLookup.from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone([["y", "q", "x"]]).data, layer([["y", "q", "x"]]).data)
    clone.adapt([["q", "q"]])                # an adapted layer may be adapted again ...
    assert clone.get_vocabulary() == ["[UNK]", "q"]
    with pytest.raises(ValueError, match="after setting a static vocabulary"):
        StringLookup(vocabulary=VOCAB).adapt(DATA)   # ... a given vocabulary is static
    static = StringLookup.from_config(StringLookup(vocabulary=VOCAB).get_config())
    with pytest.raises(ValueError, match="after setting a static vocabulary"):
        static.adapt(DATA)                    # and stays static through a config


# --- IntegerLookup -----------------------------------------------------------------------------

def test_integer_lookup_keras_examples():
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    assert values(IntegerLookup(vocabulary=INT_VOCAB)(data)) == [[1, 3, 4], [4, 0, 2]]
    layer = IntegerLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    assert values(layer(data)) == [[5, 2, 1], [1, 3, 4]]
    # Several OOV indices: token % num_oov_indices (Keras's floormod): 37 -> 1, 1000 -> 0.
    two = IntegerLookup(vocabulary=INT_VOCAB, num_oov_indices=2)
    assert values(two(np.array([[12, 1138, 42], [37, 1000, 36]]))) == [[2, 4, 5], [1, 0, 3]]
    inverse = IntegerLookup(vocabulary=INT_VOCAB, invert=True)
    assert values(inverse(np.array([[1, 3, 4], [4, 0, 2]]))) == [[12, 1138, 42], [42, -1, 36]]
    pair = IntegerLookup(vocabulary=IntegerLookup(vocabulary=INT_VOCAB).get_vocabulary(),
                         invert=True)
    assert values(pair(IntegerLookup(vocabulary=INT_VOCAB)(data))) == \
        [[12, 1138, 42], [42, -1, 36]]


@pytest.mark.parametrize("mode, expected", [
    ("multi_hot", [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ("count", [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
    ("tf_idf", [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]]),
])
def test_integer_lookup_encodings(mode, expected):
    idf = [0.25, 0.75, 0.6, 0.4] if mode == "tf_idf" else None
    layer = IntegerLookup(vocabulary=INT_VOCAB, output_mode=mode, idf_weights=idf)
    np.testing.assert_allclose(layer(INT_DATA4).data, expected, rtol=1e-6)


def test_integer_lookup_one_hot_and_pad_to_max_tokens():
    out = IntegerLookup(vocabulary=INT_VOCAB, output_mode="one_hot")(np.array([12, 36, 1138,
                                                                               42, 7]))
    np.testing.assert_array_equal(out.data, np.eye(5)[[1, 2, 3, 4, 0]])
    padded = IntegerLookup(vocabulary=INT_VOCAB, output_mode="multi_hot", max_tokens=8,
                           pad_to_max_tokens=True)
    assert values(padded(np.array([[12, 7]]))) == [[1, 1, 0, 0, 0, 0, 0, 0]]


def test_integer_lookup_mask_token_and_whole_floats():
    layer = IntegerLookup(vocabulary=INT_VOCAB, mask_token=0)
    assert layer.get_vocabulary() == [0, -1, 12, 36, 1138, 42]
    assert values(layer(np.array([[12.0, 0.0, 5.0]]))) == [[2, 0, 1]]  # a float32 Input's ids
    big = np.array([[123456789.0]])             # above 2**24: float32 would round it
    assert values(IntegerLookup(vocabulary=[123456789])(big)) == [[1]]
    with pytest.raises(TypeError, match="expects integer inputs.*not whole numbers"):
        layer(np.array([1.5]))


def test_integer_lookup_harness():
    x = np.array([[12, 36, 5], [42, 42, 1138]])
    run_layer_test(IntegerLookup, {"vocabulary": INT_VOCAB}, x.shape, x.shape, 0, 0,
                   expected_params=0, input_dtype="int64", input_data=x)
    run_layer_test(IntegerLookup, {"vocabulary": INT_VOCAB, "output_mode": "multi_hot"},
                   x.shape, (2, 5), 0, 0, input_dtype="int64", input_data=x)


# --- TextVectorization -------------------------------------------------------------------------

def test_text_vectorization_keras_examples():
    vectorize = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    vectorize.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert vectorize.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]
    out = vectorize([["foo qux bar"], ["qux baz"]])
    assert isinstance(out, baeum.Tensor) and out.data.dtype == np.int64
    assert values(out) == [[4, 1, 3, 0], [1, 2, 0, 0]]
    batched = TextVectorization()
    batched.adapt(iter([["foo bar", "bar baz"], ["baz bada boom"]]))   # batches, e.g. a dataset
    assert batched.get_vocabulary() == vectorize.get_vocabulary()
    given = TextVectorization(max_tokens=5000, output_sequence_length=4,
                              vocabulary=["earth", "wind", "and", "fire"])
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert given.vocabulary_size() == 6


def test_text_vectorization_standardization_and_vocabulary_order():
    vectorize = TextVectorization()
    vectorize.adapt(["The cat sat.", "The DOG sat!", "A cat? The cat, and the dog's bone."])
    # Lower-cased, punctuation (apostrophes too) stripped; by count, ties by reverse order.
    assert vectorize.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "dogs", "dog",
                                          "bone", "and", "a"]
    out = vectorize(["the cat", "A dog ate the bone"])      # padded to the longest text
    assert values(out) == [[2, 3, 0, 0, 0], [9, 6, 1, 2, 7]]
    lower = TextVectorization(standardize="lower")
    lower.adapt(["Hi, there! hi"])
    assert lower.get_vocabulary() == ["", "[UNK]", "there!", "hi,", "hi"]
    # Keras lower-cases ASCII letters only (tf.strings.lower): "É" stays.
    assert TextVectorization(standardize="lower")._preprocess(["ÉLAN Élan"]) == [["Élan",
                                                                                 "Élan"]]


def test_text_vectorization_output_sequence_length_pads_and_truncates():
    vectorize = TextVectorization(output_sequence_length=3, vocabulary=["a", "b", "c"])
    assert values(vectorize(["a b c a b", "c", ""])) == [[2, 3, 4], [4, 0, 0], [0, 0, 0]]
    assert vectorize(np.array([["a b"], ["c"]])).shape == (2, 3)     # (batch, 1) inputs


def test_text_vectorization_ngrams():
    vectorize = TextVectorization(ngrams=2)
    vectorize.adapt(["the cat sat", "the dog"])
    assert vectorize.get_vocabulary() == ["", "[UNK]", "the", "the dog", "the cat", "sat",
                                          "dog", "cat sat", "cat"]
    # All unigrams of a text first, then its bigrams (tf.strings.ngrams' order).
    assert values(vectorize(["the cat sat"])) == [[2, 8, 5, 4, 7]]
    bigrams = TextVectorization(ngrams=(2,), vocabulary=["the cat", "cat sat"])
    assert values(bigrams(["the cat sat", "the"])) == [[2, 3], [0, 0]]


@pytest.mark.parametrize("mode, expected", [
    ("multi_hot", [[0, 1, 1, 0, 0], [1, 0, 1, 1, 0]]),
    ("count", [[0, 2, 1, 0, 0], [2, 0, 1, 1, 0]]),
])
def test_text_vectorization_multi_hot_and_count(mode, expected):
    vectorize = TextVectorization(output_mode=mode)
    vectorize.adapt(["the cat sat", "the dog", "the cat"])
    assert vectorize.get_vocabulary() == ["[UNK]", "the", "cat", "sat", "dog"]  # no "" here
    out = vectorize(["The cat the", "a cat sat, x"])
    assert out.data.dtype == np.float32 and values(out) == expected
    padded = TextVectorization(output_mode=mode, max_tokens=8, pad_to_max_tokens=True,
                               vocabulary=["the", "cat", "sat", "dog"])
    assert padded(["the cat"]).shape == (1, 8)


def test_text_vectorization_tf_idf():
    vectorize = TextVectorization(output_mode="tf_idf")
    vectorize.adapt(["a b b", "a c", "a"])
    assert vectorize.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    idf = np.log(1 + 3 / (1 + np.array([3, 1, 1])))
    np.testing.assert_allclose(vectorize(["b b a z"]).data,
                               [[idf.mean(), idf[0], 2 * idf[1], 0]], rtol=1e-6)


def test_text_vectorization_split_character_none_and_callables():
    chars = TextVectorization(split="character", standardize=None)
    chars.adapt(["abba"])
    assert chars.get_vocabulary() == ["", "[UNK]", "b", "a"]
    assert values(chars(["ab", "bbc"])) == [[3, 2, 0], [2, 2, 1]]
    whole = TextVectorization(split=None, vocabulary=["new york", "paris"])
    assert values(whole(["New York", "Paris", "Rome"])) == [[2], [3], [1]]
    custom = TextVectorization(standardize=lambda s: np.char.upper(s),
                               split=lambda s: [t.split("-") for t in s])
    custom.adapt(["a-b-b"])
    assert custom.get_vocabulary() == ["", "[UNK]", "B", "A"]
    with pytest.raises(ValueError, match="cannot be saved by name"):
        custom.get_config()


def test_text_vectorization_config_round_trip_and_registered_callables():
    vectorize = TextVectorization(max_tokens=20, ngrams=(1, 2), output_sequence_length=6)
    vectorize.adapt(["one two three", "two three", "three"])
    config = vectorize.get_config()
    json.dumps(config)
    assert config["ngrams"] == [1, 2] and config["vocabulary"][:3] == ["", "[UNK]", "three"]
    clone = TextVectorization.from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone(["two one four"]).data,
                                  vectorize(["two one four"]).data)

    @baeum.saving.register_serializable(package="TextTest")
    def dashes(texts):
        return np.char.replace(texts, "-", " ")

    custom = TextVectorization(standardize=dashes, vocabulary=["a", "b"])
    assert custom.get_config()["standardize"] == "TextTest>dashes"
    again = TextVectorization.from_config(custom.get_config())
    assert values(again(["a-b"])) == [[2, 3]]


def test_text_corpus_vocabulary_matches_keras_rules(data_dir, monkeypatch):
    monkeypatch.setenv("BAEUM_DATA", str(data_dir))
    corpus = text.load_corpus()
    paragraphs = [p for p in corpus.split("\n\n") if p.strip()]
    vectorize = TextVectorization(max_tokens=2000, output_sequence_length=40)
    vectorize.adapt(paragraphs)
    vocab = vectorize.get_vocabulary()
    assert len(vocab) == 2000 and vocab[:6] == ["", "[UNK]", "the", "to", "of", "and"]
    # The oracle: Keras's own standardization regex (after ASCII lower-casing), a
    # whitespace split and a frequency sort with ties by decreasing token.
    punct = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
    ascii_lower = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
    counts = Counter(w for p in paragraphs for w in punct.sub("", p.translate(ascii_lower))
                     .split())
    expected = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:1998]
    assert vocab[2:] == [w for w, _ in expected]
    ids = vectorize(paragraphs[:64])
    assert ids.shape == (64, 40) and ids.data.max() < vectorize.vocabulary_size()
    assert Embedding(vectorize.vocabulary_size(), 8)(ids).shape == (64, 40, 8)


def _sentences(rng, n):
    filler = ("the a movie film story actor plot scene was is it this very quite really and "
              "but").split()
    good, bad = "great wonderful excellent superb lovely".split(), \
        "awful terrible boring dreadful poor".split()
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = list(rng.choice(filler, int(rng.integers(4, 10))))
        words.insert(int(rng.integers(len(words) + 1)), str(rng.choice(good if label else bad)))
        texts.append(" ".join(words).capitalize() + rng.choice([".", "!", "?"]))
        labels.append(label)
    return texts, np.array(labels, np.float32)[:, None]


def test_text_classifier_learns_sentiment_words(rng):
    # TextVectorization on the data, then Embedding -> GlobalAveragePooling1D -> Dense.
    x_train, y_train = _sentences(rng, 800)
    x_test, y_test = _sentences(rng, 200)
    vectorize = TextVectorization(max_tokens=100, output_sequence_length=12)
    vectorize.adapt(x_train)
    model = Sequential([Input(shape=(12,), dtype="int64"),
                        Embedding(vectorize.vocabulary_size(), 8),
                        GlobalAveragePooling1D(), Dense(1, activation="sigmoid")])
    model.compile(optimizer=baeum.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(vectorize(x_train), y_train, epochs=30, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(vectorize(x_test), y_test, verbose=0)
    assert accuracy > 0.95


# --- CategoryEncoding --------------------------------------------------------------------------

def test_category_encoding_keras_examples():
    one_hot = CategoryEncoding(num_tokens=4, output_mode="one_hot")
    np.testing.assert_array_equal(one_hot([3, 2, 0, 1]).data, np.eye(4)[[3, 2, 0, 1]])
    multi = CategoryEncoding(num_tokens=4, output_mode="multi_hot")
    assert values(multi([[0, 1], [0, 0], [1, 2], [3, 1]])) == \
        [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]
    count = CategoryEncoding(num_tokens=4, output_mode="count")
    weights = np.array([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]])
    np.testing.assert_allclose(count([[0, 1], [0, 0], [1, 2], [3, 1]], count_weights=weights)
                               .data, [[0.1, 0.2, 0, 0], [0.2, 0, 0, 0], [0, 0.2, 0.3, 0],
                                       [0, 0.2, 0, 0.4]], rtol=1e-6)
    assert values(count([[1, 1, 3]])) == [[0, 2, 0, 1]]
    assert multi(np.array([0, 3])).shape == (4,)           # a 1-D input is one sample


@pytest.mark.parametrize("mode, out_shape", [("multi_hot", (3, 6)), ("one_hot", (3, 4, 6)),
                                             ("count", (3, 6))])
def test_category_encoding_harness(mode, out_shape):
    run_layer_test(CategoryEncoding, {"num_tokens": 6, "output_mode": mode}, (3, 4), out_shape,
                   0, 0, expected_params=0, input_dtype="int64",
                   input_data=np.array([[0, 1, 5, 1], [2, 2, 2, 2], [3, 4, 0, 5]]))


# --- Hashing -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    # Published FarmHash Fingerprint64 values (Guava's FarmHashFingerprint64Test, pyfarmhash,
    # BigQuery's FARM_FINGERPRINT docs), covering every length branch of the algorithm.
    (b"", 11160318154034397263),
    (b"abc", 2640714258260161385),
    (b"test", 8581389452482819506),
    (b"1footrue", -1541654101129638711),
    (b"2applefalse", 2794438866806483259),
    (b"Amazon Redshift", 8085098817162212970),
    (b"test" * 8, -4196240717365766262),
    (b"ECCD828C-5D7A-4C8B-9A1B-F244747E96C3", 9693850515132481856),
    (b"F7479877-4690-4A44-AFC9-8FE987EA512F:some_other_id", 6862335115798125349),
    (b"test" * 64, 3500507768004279527),
])
def test_fingerprint64_known_values(data, expected):
    assert fingerprint64(data) == expected % 2**64


def test_siphash24_reference_vectors():
    k0, k1 = 0x0706050403020100, 0x0F0E0D0C0B0A0908        # key 00 01 ... 0f
    assert siphash24(k0, k1, b"") == 0x726FDB47DD0E0E31
    assert siphash24(k0, k1, bytes(range(15))) == 0xA129CA6149BE45E5


def test_hashing_keras_examples():
    letters = [["A"], ["B"], ["C"], ["D"], ["E"]]
    out = Hashing(num_bins=3)(letters)
    assert out.data.dtype == np.int64 and values(out) == [[1], [0], [1], [1], [2]]
    masked = Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]])
    assert values(masked) == [[1], [1], [0], [2], [2]]
    assert values(Hashing(num_bins=3, salt=[133, 137])(letters)) == [[1], [2], [1], [0], [2]]
    assert values(Hashing(num_bins=3, salt=133)(letters)) == [[0], [0], [2], [1], [0]]
    # TensorFlow's to_hash_bucket_fast example.
    assert values(Hashing(num_bins=3)(["Hello", "TensorFlow", "2.x"])) == [0, 2, 2]


def test_hashing_integers_as_their_decimal_strings_and_in_a_model():
    layer = Hashing(num_bins=7)
    ids = np.array([[3, 10], [12345, -8]])
    expected = [[fingerprint64(str(v).encode()) % 7 for v in row] for row in ids.tolist()]
    assert values(layer(ids)) == expected
    floats = ids + np.where(ids < 0, -0.5, 0.5)
    assert values(layer(floats)) == expected                    # truncated, as in Keras
    assert values(Hashing(num_bins=7)(ids.astype(str))) == expected
    inputs = Input(shape=(2,), dtype="int64")
    encoded = Hashing(num_bins=7, output_mode="multi_hot")(inputs)
    assert encoded.shape == (None, 7)
    model = Model(inputs, Dense(1)(encoded))
    assert model.predict(ids, verbose=0).shape == (2, 1)
    run_layer_test(Hashing, {"num_bins": 5, "output_mode": "one_hot"}, (4, 1), (4, 5), 0, 0,
                   input_dtype="int64")


# --- Discretization ----------------------------------------------------------------------------

def test_discretization_keras_examples():
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    fixed = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    out = fixed(x)
    assert out.data.dtype == np.int64 and values(out) == [[0, 2, 3, 1], [1, 3, 2, 1]]
    learned = Discretization(num_bins=4, epsilon=0.01)
    learned.adapt(x)
    assert values(learned(x)) == [[0, 2, 3, 2], [1, 3, 3, 1]]
    np.testing.assert_allclose(learned.bin_boundaries, [0.0, 0.5, 1.3], rtol=1e-6)
    hot = Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode="count")
    assert values(hot(x)) == [[1, 1, 1, 1], [0, 2, 1, 1]]


def test_discretization_adapt_is_close_to_numpy_quantiles(rng):
    data = rng.standard_normal(20_000)
    layer = Discretization(num_bins=5)
    layer.adapt(data)
    expected = np.quantile(data, [0.2, 0.4, 0.6, 0.8])
    np.testing.assert_allclose(layer.bin_boundaries, expected, atol=0.03)
    # Each bin holds about a fifth of the data.
    counts = np.bincount(layer(data[:, None]).data.ravel(), minlength=5) / data.size
    np.testing.assert_allclose(counts, 0.2, atol=0.01)
    batched = Discretization(num_bins=5)
    batched.adapt(iter(np.array_split(data, 4)))            # batches, as from a dataset
    np.testing.assert_allclose(batched.bin_boundaries, expected, atol=0.05)


def test_discretization_config_round_trip_after_adapt():
    layer = Discretization(num_bins=3)
    layer.adapt(np.arange(30.0))
    config = layer.get_config()
    assert config["num_bins"] == 3 and len(config["bin_boundaries"]) == 2
    clone = Discretization.from_config(json.loads(json.dumps(config)))
    assert clone.bin_boundaries == layer.bin_boundaries
    run_layer_test(Discretization, {"bin_boundaries": [2.0, 5.0], "output_mode": "one_hot"},
                   (3, 1), (3, 3), 0, 0, input_dtype="int64")


# --- inside models: train, save, load ----------------------------------------------------------

def test_model_with_integer_lookup_and_category_encoding_trains_and_saves(rng, tmp_path):
    categories = np.array([3, 17, 42, 100, 7, 999])
    x = rng.choice(categories, size=(600, 1))
    y = np.isin(x[:, 0], [17, 100, 999]).astype(np.float32)[:, None]
    lookup = IntegerLookup()
    lookup.adapt(x)
    inputs = Input(shape=(1,), dtype="int64")
    ids = lookup(inputs)
    assert ids.shape == (None, 1) and ids.dtype == "int64"
    encoded = CategoryEncoding(lookup.vocabulary_size(), output_mode="one_hot")(ids)
    assert encoded.shape == (None, 7)
    model = Model(inputs, Dense(1, activation="sigmoid")(encoded))
    model.compile(optimizer=baeum.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    path = tmp_path / "lookup.baeum"
    model.save(path)
    loaded = load_model(path)
    probe = np.array([[3], [17], [5], [999]])                 # 5: out of vocabulary
    np.testing.assert_array_equal(loaded.predict(probe, verbose=0),
                                  model.predict(probe, verbose=0))
    assert loaded.layers[1].get_vocabulary() == lookup.get_vocabulary()


def test_sequential_with_discretization_saves_and_loads(rng, tmp_path):
    layer = Discretization(num_bins=4)
    layer.adapt(rng.standard_normal((500, 1)))
    model = Sequential([Input(shape=(1,)), layer, CategoryEncoding(4, output_mode="one_hot"),
                        Dense(2)])
    assert model.output_shape == (None, 2) and model.count_params() == 10
    path = tmp_path / "bins.baeum"
    model.save(path)
    loaded = load_model(path)
    x = rng.standard_normal((8, 1)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    unbuilt = Sequential([IntegerLookup(vocabulary=[5, 6]), CategoryEncoding(3), Dense(1)])
    assert unbuilt.predict(np.array([[5, 6], [7, 7]]), verbose=0).shape == (2, 1)


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, match", [
    (lambda: StringLookup(output_mode="one-hot"),
     "unknown output_mode 'one-hot'; expected one of 'int', 'one_hot', 'multi_hot'"),
    (lambda: IntegerLookup(output_mode="bag"), "unknown output_mode 'bag'"),
    (lambda: TextVectorization(output_mode="one_hot"),
     "unknown output_mode 'one_hot'; expected one of 'int', 'multi_hot', 'count', 'tf_idf'"),
    (lambda: CategoryEncoding(3, output_mode="int"),
     "expected one of 'one_hot', 'multi_hot', 'count'"),
    (lambda: Hashing(3, output_mode="tf_idf"), "expected one of 'int', 'one_hot'"),
    (lambda: Discretization(num_bins=3, output_mode="x"), "unknown output_mode 'x'"),
    (lambda: TextVectorization(standardize="lowercase"),
      "unknown standardize 'lowercase'; expected None, one of 'lower_and_strip_punctuation', "
     "'lower', 'strip_punctuation', or a callable"),
    (lambda: TextVectorization(split="words"),
     "unknown split 'words'; expected None, one of 'whitespace', 'character', or a callable"),
    (lambda: TextVectorization(ngrams=[0]), "ngrams must be None, a positive integer"),
    (lambda: TextVectorization(output_mode="count", output_sequence_length=5),
     "output_sequence_length is only for output_mode='int'"),
    (lambda: TextVectorization(ragged=True), "ragged=True is not supported"),
    (lambda: StringLookup(sparse=True, output_mode="count"), "sparse=True is not supported"),
    (lambda: StringLookup(invert=True, output_mode="count"), "invert=True needs output_mode"),
    (lambda: StringLookup(max_tokens=1), "max_tokens must be an integer greater than 1"),
    (lambda: StringLookup(pad_to_max_tokens=True), "pad_to_max_tokens=True needs max_tokens"),
    (lambda: StringLookup(vocabulary=["a", "b", "a"]), r"repeats \['a'\]"),
    (lambda: StringLookup(vocabulary=["a", "[M]"], mask_token="[M]"),
     r"found the mask token '\[M\]' inside the vocabulary.*\['\[M\]', '\[UNK\]'\]"),
    (lambda: StringLookup(vocabulary=["a", "b", "c"], max_tokens=3), "larger than max_tokens=3"),
    (lambda: StringLookup(vocabulary=[]), "cannot set an empty vocabulary"),
    (lambda: StringLookup(vocabulary=VOCAB, output_mode="tf_idf"), "pass idf_weights too"),
    (lambda: StringLookup(vocabulary=VOCAB, idf_weights=[1.0] * 4), "only used with"),
    (lambda: IntegerLookup(vocabulary_dtype="int32"), "only vocabulary_dtype='int64'"),
    (lambda: CategoryEncoding(), "num_tokens must be set.*use IntegerLookup"),
    (lambda: Hashing(0), "num_bins must be a positive integer"),
    (lambda: Hashing(3, salt="pepper"), "salt must be an integer or a pair"),
    (lambda: Discretization(), "set either num_bins"),
    (lambda: Discretization(num_bins=3, bin_boundaries=[1.0]), "not both"),
    (lambda: Discretization(bin_boundaries=[1.0]).adapt(np.ones(3)), "learns them only"),
])
def test_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("layer", [
    lambda: StringLookup(), lambda: StringLookup(output_mode="count"),
    lambda: IntegerLookup(), lambda: TextVectorization(),
])
def test_calling_before_adapt_without_vocabulary(layer):
    data = np.array([[1, 2]]) if isinstance(layer(), IntegerLookup) else [["a b"]]
    with pytest.raises(ValueError, match=r"has no vocabulary yet: call adapt\(data\)"):
        layer()(data)


def test_discretization_before_adapt():
    with pytest.raises(ValueError, match=r"no bin boundaries yet: call adapt\(data\)"):
        Discretization(num_bins=3)(np.ones((2, 1)))


@pytest.mark.parametrize("layer", [
    lambda: StringLookup(vocabulary=VOCAB), lambda: StringLookup(vocabulary=VOCAB, invert=True),
    lambda: TextVectorization(vocabulary=VOCAB),
])
def test_string_layers_refuse_symbolic_tensors(layer):
    with pytest.raises(TypeError, match="cannot be a layer of a model. Apply it to the data "
                                        "before the model"):
        layer()(Input(shape=(1,)))


@pytest.mark.parametrize("dtype", ["string", "str", str, np.str_, np.bytes_, "<U5"])
def test_a_string_input_says_models_take_numbers(dtype):
    # Keras's end-to-end text models start at Input(shape=(1,), dtype="string").
    with pytest.raises(TypeError, match="baeum tensors hold numbers only, so a model cannot "
                                        "take strings.*Apply TextVectorization"):
        Input(shape=(1,), dtype=dtype)
    assert Input(shape=(3,), dtype="int64").dtype == "int64"


def test_wrong_kinds_of_inputs():
    with pytest.raises(TypeError, match="expects strings, got inputs of dtype int64; for "
                                        "integer tokens use IntegerLookup"):
        StringLookup(vocabulary=VOCAB)(np.array([1, 2]))
    with pytest.raises(TypeError, match="expects integer inputs, got dtype <U1 \\(for strings "
                                        "use StringLookup\\)"):
        IntegerLookup(vocabulary=[1])(np.array(["a"]))
    with pytest.raises(TypeError, match="a single string 'hello': wrap it in a list"):
        TextVectorization(vocabulary=VOCAB)("hello")
    with pytest.raises(ValueError, match="the last shape dimension must be 1"):
        TextVectorization(vocabulary=VOCAB)([["a", "b"]])
    with pytest.raises(ValueError, match=r"num_tokens=3, so inputs must be integers in \[0, 3\);"
                                         r" got \[-1, 3\]"):
        CategoryEncoding(3)([[0, 3, -1]])
    with pytest.raises(ValueError, match="count_weights is only used with output_mode='count'"):
        CategoryEncoding(3)([[0]], count_weights=[[1.0]])


def test_layers_are_exported_from_baeum_layers():
    for name in ("StringLookup", "IntegerLookup", "TextVectorization", "CategoryEncoding",
                 "Hashing", "Discretization"):
        assert getattr(layers, name).__name__ == name
    assert os.path.basename(layers.StringLookup.__module__.replace(".", "/")) == \
        "text_preprocessing"


def test_docstring_examples_run():
    for module in (categorical_preprocessing, text_preprocessing):
        failures, tried = doctest.testmod(module)
        assert tried > 0 and failures == 0, module.__name__
