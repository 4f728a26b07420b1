"""Keras's example "Text classification from scratch" (Mark Omernick and fchollet,
keras.io/examples/nlp/text_classification_from_scratch/), on baeum.

`run_example` is the example's code, in its order and with its names and constants
(max_features=20000, embedding_dim=128, sequence_length=500, batch_size=32, epochs=3,
validation_split=0.2, seed=1337, the same model), with `import baeum as keras` and
`from baeum import layers` for its imports. It runs on a small synthetic "aclImdb"
folder written in tmp_path instead of the 80 MB IMDB download. The tests then check
its numbers.

What differs from the example, and why:
- The data: `keras.utils.get_file(... aclImdb_v1.tar.gz ...)` is replaced by
  `write_acl_imdb`, which writes aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt and
  aclImdb/train/unsup: 250 + 250 short training reviews, 100 + 100 test reviews, with
  "<br /><br />" between sentences, punctuation and capitals, and positive and
  negative words that differ (the neutral words are shared). The example's shell step
  `rm -r aclImdb/train/unsup` is `shutil.rmtree`. (The newest keras-io version of the
  .py passes `class_names=["pos", "neg"]` for train instead of deleting unsup; the
  page, and this port, infer the classes, so "neg" is 0 and "pos" is 1 in every split.
  With ["pos", "neg"] only for train, its labels would be flipped against the test
  set's inferred ["neg", "pos"].)
- `text_batch.numpy()[i]` is `text_batch[i]`: baeum's batches are NumPy arrays already
  (of str: Keras gives bytes).
- `custom_standardization`: tf.strings.lower -> np.char.lower and
  tf.strings.regex_replace -> `regex_replace` below (re.sub on every string of the
  array), with the example's patterns; baeum's TextVectorization calls a `standardize`
  callable with the NumPy array of strings and takes back an array of the same shape.
  (np.char.lower also lower-cases non-ASCII letters, which tf.strings.lower leaves;
  the synthetic reviews are ASCII.)
- tf.data: `text_ds = raw_train_ds.map(lambda x, y: x)` is a generator of the text
  batches, `(x for x, y in raw_train_ds)`, as text_dataset_from_directory's docstring
  says (adapt takes any iterable of batches). `tf.expand_dims` in `vectorize_text` is
  np.expand_dims. `raw_ds.map(vectorize_text)` followed by `.cache().prefetch(10)` is
  `MapCache(raw_ds, vectorize_text)`: baeum's datasets have no map/cache/prefetch, and
  their error says to subclass `keras.utils.PyDataset`; MapCache is one that applies
  the function to every batch once, up front, and keeps the results: the batches that
  .map().cache() gives (tf.data computes them during the first epoch; prefetching
  changes the speed, not the batches). fit reads a PyDataset's batches in a new order
  each epoch (shuffle=True); tf.data's cache replays one order.
- The end-to-end model: Keras builds `keras.Model(keras.Input(shape=(1,),
  dtype="string"), model(vectorize_layer(inputs)))`, compiles it and evaluates it on
  raw_test_ds. baeum tensors hold numbers only, so a model cannot take strings:
  `keras.Input(dtype="string")` and calling TextVectorization on a symbolic tensor are
  errors that say so (test_the_keras_end_to_end_model_is_a_clear_error). The
  end-to-end model here is a function, raw strings -> vectorize_layer -> model.predict,
  and `end_to_end_model.evaluate(raw_test_ds)` is model.evaluate on raw_test_ds's
  batches vectorized as they are read (a generator).
- Added for the tests: `keras.utils.set_random_seed(seed)` first (weights, dropout and
  shuffles), verbose=0 in fit, evaluate and predict, and names for what fit and the
  evaluations return (history, test_results, end_to_end_results).

The sizes are the example's: Embedding(20000, 128) over 500 ids, 2,806,273 parameters
(Keras's count by formula, checked below); the run takes about 6 s on one core.
"""

import os
import re
import shutil
import string
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

import baeum as keras
from baeum import layers

# --- the synthetic aclImdb folder ------------------------------------------------------------

POSITIVE = ["great", "wonderful", "loved", "brilliant"]
NEGATIVE = ["awful", "terrible", "hated", "boring"]
NEUTRAL = ["the", "movie", "film", "was", "a", "plot", "acting", "and", "i", "it's",
           "story", "this", "of", "to", "director", "scene", "actors", "really", "very",
           "ending"]


def review(rng, sentiment_words):
    """Two to four sentences of three to six shared words and four words of one
    sentiment, with capitals, punctuation and "<br /><br />" between the sentences."""
    sentences = []
    for _ in range(rng.integers(2, 5)):
        words = list(rng.choice(NEUTRAL, rng.integers(3, 7))) + list(
            rng.choice(sentiment_words, 4))
        rng.shuffle(words)
        words[0] = words[0].capitalize()
        if rng.random() < 0.5:
            words[1] += ","
        sentences.append(" ".join(words) + str(rng.choice([".", "!", "...", "?"])))
    return "<br /><br />".join(sentences)


def write_acl_imdb(root, seed, n_train=250, n_test=100):
    """aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt and aclImdb/train/unsup, as IMDB's
    archive is laid out. Returns the path of aclImdb."""
    rng = np.random.default_rng(seed)
    dataset_dir = os.path.join(root, "aclImdb")
    for split, n in [("train", n_train), ("test", n_test)]:
        for label, words, ratings in [("pos", POSITIVE, (7, 11)), ("neg", NEGATIVE, (1, 5))]:
            folder = os.path.join(dataset_dir, split, label)
            os.makedirs(folder)
            for i in range(n):
                name = f"{i}_{rng.integers(*ratings)}.txt"
                with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                    f.write(review(rng, words))
    os.makedirs(os.path.join(dataset_dir, "train", "unsup"))
    for i in range(20):  # unlabelled reviews, which the example deletes
        with open(os.path.join(dataset_dir, "train", "unsup", f"{i}_0.txt"), "w") as f:
            f.write(review(rng, POSITIVE + NEGATIVE))
    return dataset_dir


# --- what stands in for tf.strings and tf.data -----------------------------------------------

def regex_replace(input, pattern, rewrite):
    """tf.strings.regex_replace on a NumPy array of str: re.sub on every string."""
    return np.vectorize(lambda s: re.sub(pattern, rewrite, s), otypes=[str])(input)


class MapCache(keras.utils.PyDataset):
    """`raw_ds.map(fn).cache().prefetch(buffer_size=10)`: fn applied once to every batch
    of raw_ds, the results kept in memory (baeum's datasets have no map, cache or
    prefetch)."""

    def __init__(self, raw_ds, fn):
        super().__init__()
        self.batches = [fn(*batch) for batch in raw_ds]

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        return self.batches[index]


# --- the example -----------------------------------------------------------------------------

def run_example(dataset_dir, seed):
    keras.utils.set_random_seed(seed)   # added: reproducible weights, dropout, shuffles

    shutil.rmtree(os.path.join(dataset_dir, "train", "unsup"))   # rm -r aclImdb/train/unsup

    batch_size = 32
    train_dir = os.path.join(dataset_dir, "train")
    test_dir = os.path.join(dataset_dir, "test")

    raw_train_ds = keras.utils.text_dataset_from_directory(
        train_dir,
        batch_size=batch_size,
        validation_split=0.2,
        subset="training",
        seed=1337,
    )
    raw_val_ds = keras.utils.text_dataset_from_directory(
        train_dir,
        batch_size=batch_size,
        validation_split=0.2,
        subset="validation",
        seed=1337,
    )
    raw_test_ds = keras.utils.text_dataset_from_directory(test_dir, batch_size=batch_size)

    print(f"Number of batches in raw_train_ds: {raw_train_ds.cardinality()}")
    print(f"Number of batches in raw_val_ds: {raw_val_ds.cardinality()}")
    print(f"Number of batches in raw_test_ds: {raw_test_ds.cardinality()}")

    for text_batch, label_batch in raw_train_ds.take(1):
        for i in range(5):
            print(text_batch[i])        # Keras: text_batch.numpy()[i]
            print(label_batch[i])

    def custom_standardization(input_data):
        lowercase = np.char.lower(input_data)
        stripped_html = regex_replace(lowercase, "<br />", " ")
        return regex_replace(
            stripped_html, f"[{re.escape(string.punctuation)}]", ""
        )

    # Model constants.
    max_features = 20000
    embedding_dim = 128
    sequence_length = 500

    vectorize_layer = keras.layers.TextVectorization(
        standardize=custom_standardization,
        max_tokens=max_features,
        output_mode="int",
        output_sequence_length=sequence_length,
    )

    # Let's make a text-only dataset (no labels):
    text_ds = (x for x, y in raw_train_ds)   # Keras: raw_train_ds.map(lambda x, y: x)
    # Let's call `adapt`:
    vectorize_layer.adapt(text_ds)

    def vectorize_text(text, label):
        text = np.expand_dims(text, -1)
        return vectorize_layer(text), label

    # Vectorize the data, and keep it (Keras: .map(vectorize_text), then
    # .cache().prefetch(buffer_size=10)).
    train_ds = MapCache(raw_train_ds, vectorize_text)
    val_ds = MapCache(raw_val_ds, vectorize_text)
    test_ds = MapCache(raw_test_ds, vectorize_text)

    # A integer input for vocab indices.
    inputs = keras.Input(shape=(None,), dtype="int64")

    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)

    # Conv1D + global max pooling
    x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)

    # We add a vanilla hidden layer:
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.5)(x)

    # We project onto a single unit output layer, and squash it with a sigmoid:
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)

    model = keras.Model(inputs, predictions)

    # Compile the model with binary crossentropy loss and an adam optimizer.
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])

    epochs = 3

    # Fit the model using the train and test datasets.
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0)

    test_results = model.evaluate(test_ds, verbose=0)

    # The end-to-end model. Keras: inputs = keras.Input(shape=(1,), dtype="string");
    # outputs = model(vectorize_layer(inputs)); keras.Model(inputs, outputs), compiled as
    # model. baeum models take numbers only, so it is the same two steps in a function.
    def end_to_end_model(raw_strings):
        return model.predict(vectorize_layer(np.expand_dims(raw_strings, -1)), verbose=0)

    # Test it with `raw_test_ds`, which yields raw strings
    end_to_end_results = model.evaluate(
        (vectorize_text(x, y) for x, y in raw_test_ds), verbose=0)

    return SimpleNamespace(**locals())


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    dataset_dir = write_acl_imdb(tmp_path_factory.mktemp("imdb"), seed=0)
    return run_example(dataset_dir, seed=0)


# --- the data --------------------------------------------------------------------------------

def test_the_folders_and_the_split(example):
    assert not os.path.exists(os.path.join(example.dataset_dir, "train", "unsup"))
    for ds in (example.raw_train_ds, example.raw_val_ds, example.raw_test_ds):
        assert ds.class_names == ["neg", "pos"]       # unsup is gone: two classes
    assert [ds.cardinality() for ds in (example.raw_train_ds, example.raw_val_ds,
                                        example.raw_test_ds)] == [13, 4, 7]
    train, val = set(example.raw_train_ds.file_paths), set(example.raw_val_ds.file_paths)
    assert (len(train), len(val), len(train & val)) == (400, 100, 0)
    texts, labels = example.raw_train_ds[0]
    assert texts.shape == (32,) and labels.dtype == np.int32
    # The label is the folder: pos (1) reviews have the positive words only.
    for text, label in zip(texts, labels):
        words = set(re.findall(r"[a-z]+", text.lower()))
        assert bool(words & set(POSITIVE)) == (label == 1)
        assert bool(words & set(NEGATIVE)) == (label == 0)
        assert "<br /><br />" in text


def test_custom_standardization(example):
    raw = np.array([["It's GREAT!<br /><br />A film, really... wonderful?"], ["Awful."]])
    out = example.custom_standardization(raw)
    assert out.shape == (2, 1)
    assert out.tolist() == [["its great  a film really wonderful"], ["awful"]]


def test_vocabulary(example):
    vocabulary = example.vectorize_layer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"]
    # Every word of the training subset (not the validation one), counted by hand after
    # the example's standardization, most frequent first.
    counts = Counter()
    for path in example.raw_train_ds.file_paths:
        with open(path, encoding="utf-8") as f:
            text = f.read().lower().replace("<br />", " ")
        counts.update(re.sub(f"[{re.escape(string.punctuation)}]", "", text).split())
    assert sorted(vocabulary[2:]) == sorted(counts)
    assert len(vocabulary) == 2 + len(NEUTRAL) + len(POSITIVE) + len(NEGATIVE)
    assert [counts[w] for w in vocabulary[2:]] == sorted(counts.values(), reverse=True)
    assert "br" not in vocabulary and "its" in vocabulary
    assert not any(set(w) & set(string.punctuation) for w in vocabulary[2:])
    # Keras's default standardization keeps the "br" of "<br />": the reason for the
    # custom one.
    default = keras.layers.TextVectorization(max_tokens=20000)
    default.adapt(x for x, y in example.raw_train_ds)
    assert "br" in default.get_vocabulary()


def test_vectorized_batches(example):
    ids, labels = example.train_ds[0]
    assert ids.shape == (32, 500) and ids.dtype == np.int64
    assert labels.shape == (32,)
    vocabulary = example.vectorize_layer.get_vocabulary()
    text = "The film was GREAT!<br /><br />I loved the acting, zzz."
    words = ["the", "film", "was", "great", "i", "loved", "the", "acting"]
    row = example.vectorize_layer([[text]]).data[0]
    assert row[:9].tolist() == [vocabulary.index(w) for w in words] + [1]   # zzz: [UNK]
    assert not row[9:].any()                                                # padding
    # Each review's ids are its words, padded with 0 to 500.
    texts, _ = example.raw_train_ds[0]
    standardized = example.custom_standardization(texts)
    for k in range(3):
        words = str(standardized[k]).split()
        assert words and len(words) < 500
        assert example.vectorize_layer(texts[k:k + 1, None]).data[0, :len(words)].tolist() \
            == [vocabulary.index(w) for w in words]
    assert (len(example.train_ds), len(example.val_ds), len(example.test_ds)) == (13, 4, 7)
    assert sum(len(b[1]) for b in example.test_ds) == 200


# --- the model -------------------------------------------------------------------------------

def test_model_layers_and_parameter_count(example):
    model = example.model
    # Keras's counts: 20000 * 128; (7 * 128 * 128 + 128) twice; 128 * 128 + 128; 128 + 1.
    assert [layer.count_params() for layer in model.layers if layer.weights] == [
        2_560_000, 114_816, 114_816, 16_512, 129]
    assert model.count_params() == 2_806_273
    assert model.layers[-1].name == "predictions"
    # (500 - 7) // 3 + 1 = 165 steps, then (165 - 7) // 3 + 1 = 53.
    convs = [layer for layer in model.layers if isinstance(layer, layers.Conv1D)]
    features = keras.Model(model.inputs, [conv.output for conv in convs])
    first, second = features.predict(example.test_ds[0][0][:2], verbose=0)
    assert first.shape == (2, 165, 128) and second.shape == (2, 53, 128)


def test_training_learns_the_task(example):
    history = example.history.history
    assert len(history["loss"]) == 3
    assert history["loss"][0] > 0.6                       # chance is log 2 = 0.693
    assert history["loss"][2] < 0.5 * history["loss"][0]
    assert history["val_accuracy"][2] >= 0.95
    loss, accuracy = example.test_results
    assert accuracy >= 0.95 and loss < 0.1


def test_evaluate_reports_binary_crossentropy_and_accuracy(example):
    xs, ys = zip(*example.test_ds.batches)
    p = example.model.predict(np.concatenate(xs), verbose=0)[:, 0].astype(np.float64)
    y = np.concatenate(ys)
    p_clipped = np.clip(p, 1e-7, 1 - 1e-7)
    bce = -np.mean(y * np.log(p_clipped) + (1 - y) * np.log(1 - p_clipped))
    loss, accuracy = example.test_results
    assert loss == pytest.approx(bce, rel=1e-4, abs=1e-6)
    assert accuracy == pytest.approx(np.mean((p > 0.5) == y))


# --- the end-to-end model --------------------------------------------------------------------

def test_end_to_end_model_matches_the_model(example):
    texts, labels = example.raw_test_ds[0]
    ids, _ = example.vectorize_text(texts, labels)
    np.testing.assert_array_equal(example.end_to_end_model(texts),
                                  example.model.predict(ids, verbose=0))
    # The evaluation on raw strings is the one on the vectorized test set.
    assert example.end_to_end_results == pytest.approx(example.test_results, rel=1e-5)
    scores = example.end_to_end_model(np.array([
        "Great movie! I loved the acting, the story was wonderful.<br /><br />A brilliant "
        "film, really great.",
        "Awful movie! I hated the acting, the story was boring.<br /><br />A terrible "
        "film, really awful.",
    ]))
    assert scores.shape == (2, 1)
    assert scores[0, 0] > 0.8 and scores[1, 0] < 0.2    # "pos" is class 1, "neg" 0


def test_the_keras_end_to_end_model_is_a_clear_error(example):
    with pytest.raises(TypeError, match="numbers"):
        keras.Input(shape=(1,), dtype="string")
    with pytest.raises(TypeError, match="cannot be a layer of a model"):
        example.vectorize_layer(keras.Input(shape=(1,)))
