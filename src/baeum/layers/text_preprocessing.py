"""Text preprocessing layers: StringLookup and TextVectorization (with Keras 3's API).

They run on the data, before the model, as Keras recommends for tf.data pipelines:
baeum tensors hold numbers, so strings never enter a model.

    vectorize = TextVectorization(max_tokens=20000, output_sequence_length=200)
    vectorize.adapt(train_texts)                  # vocabulary by frequency
    x_train = vectorize(train_texts)              # int64 Tensor (batch, 200), 0 = padding
    model = Sequential([Input(shape=(200,), dtype="int64"),
                        Embedding(vectorize.vocabulary_size(), 16),
                        GlobalAveragePooling1D(), Dense(1, activation="sigmoid")])

Calling them on a symbolic tensor (inside a model) is an error that says so. Their
vocabulary is in their config (get_config / from_config round-trip it).

This module also re-exports the categorical layers of `categorical_preprocessing`
(CategoryEncoding, Discretization, Hashing, IntegerLookup), so that `baeum.layers`
imports all of Keras's text and categorical preprocessing layers from one place.
"""

import re
import string

import numpy as np

from baeum.autograd.tensor import Tensor
from baeum.layers.categorical_preprocessing import (
    CategoryEncoding,
    Discretization,
    Hashing,
    IndexLookup,
    IntegerLookup,
    bincount_rows,
    check_config_vocabulary,
    finish_encoding,
    hash_buckets,
    integer_ids,
    symbolic_error,
)
from baeum.layers.layer import Layer, _any_symbolic


def as_strings(layer, x, what="inputs"):
    """A NumPy array of str from lists/arrays of str or bytes, or a clear error."""
    name = f"{type(layer).__name__} '{layer.name}'"
    if isinstance(x, Tensor):
        raise TypeError(f"{name} expects strings, got a numeric Tensor of shape {x.shape}"
                        + ("; for integer tokens use IntegerLookup"
                           if isinstance(layer, StringLookup) else ""))
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} expects a batch of strings (a list or an array), got a "
                        f"single string {x!r:.60}: wrap it in a list")
    try:
        arr = np.asarray(x)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"{name}: {what} must be a rectangular list or array of strings "
                         f"({e})") from None
    if arr.dtype.kind == "U":
        return arr
    if arr.size == 0:  # [] is float64 to NumPy
        return arr.astype(str)
    if arr.dtype.kind == "S":
        return np.char.decode(arr, layer._encoding)
    if arr.dtype.kind == "O":
        flat = [v.decode(layer._encoding) if isinstance(v, bytes) else v
                for v in arr.reshape(-1).tolist()]
        if all(isinstance(v, str) for v in flat):
            return np.array(flat, dtype=str).reshape(arr.shape)
    raise TypeError(f"{name} expects strings, got {what} of dtype {arr.dtype}"
                    + ("; for integer tokens use IntegerLookup"
                       if isinstance(layer, StringLookup) else ""))


class _StringLayer(Layer):
    """Called on data only: strings cannot be in a Tensor, so no symbolic (model) calls.

    Overrides Layer.__call__, whose conversion to numeric Tensors rejects strings; the
    layer has no weights to build and no graph to record.
    """

    def __call__(self, inputs, *args, training=None, **kwargs):
        if _any_symbolic(inputs):
            raise symbolic_error(self)
        self.built = True
        return self.call(inputs, *args, **kwargs)


# --- StringLookup ----------------------------------------------------------------------------

class StringLookup(_StringLayer, IndexLookup):
    """Strings -> vocabulary indices (or back, with invert=True), as Keras's StringLookup.

    The layout, as Keras: [mask_token (if set, "int" mode only), num_oov_indices OOV
    indices, the vocabulary...]. With the defaults index 0 is "[UNK]", the OOV bucket.
    With several OOV indices an unknown string goes to FarmHash64(string) %
    num_oov_indices, Keras's own buckets. adapt() orders the vocabulary by frequency,
    ties by decreasing string. output_mode: "int", "one_hot", "multi_hot", "count",
    "tf_idf" (as IntegerLookup).

    Inputs: a list or NumPy array of strings (str or UTF-8 bytes), any shape; with
    invert=True, integer ids. Outputs a baeum Tensor: int64 ids of the inputs' shape,
    or float32 encodings; with invert=True a NumPy array of str (a Tensor holds only
    numbers). Apply it to the data before the model: it cannot be a layer of a model.

    >>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
    >>> layer([["a", "c", "d"], ["d", "z", "b"]]).data.tolist()
    [[1, 3, 4], [4, 0, 2]]
    >>> StringLookup(vocabulary=["a", "b", "c", "d"], invert=True)([[1, 0]]).tolist()
    [['a', '[UNK]']]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None,
                 **kwargs):
        for arg, value in (("mask_token", mask_token), ("oov_token", oov_token)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"StringLookup: {arg} must be a string or None, got {value!r}")
        self._encoding = encoding
        super().__init__(
            max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
            oov_token=oov_token, vocabulary_dtype="string", vocabulary=vocabulary,
            idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens, name=name, **kwargs)
        self.encoding = encoding

    def _empty_dtype(self):
        return str

    def _tokens_array(self, values, what, ids=False):
        if ids:
            return integer_ids(self, values, "ids (invert=True maps ids back to strings)")
        return as_strings(self, values, what)

    def _oov_buckets(self, values):
        return hash_buckets(values, self.num_oov_indices)

    def call(self, inputs):
        out = super().call(inputs)
        return out if self.invert else Tensor(out)

    def get_config(self):
        config = {**super().get_config(), "encoding": self.encoding}
        # Keras: strings have one dtype, so it is not part of StringLookup's config.
        config.pop("vocabulary_dtype", None)
        return config


# --- TextVectorization -----------------------------------------------------------------------

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
# Keras lower-cases with tf.strings.lower, which changes ASCII letters only, and strips
# the ASCII punctuation of its regex [!"#$%&()*+,-./:;<=>?@[\]^_`{|}~'] (= string.punctuation).
_LOWER = {ord(c): ord(c.lower()) for c in string.ascii_uppercase}
_STRIP = dict.fromkeys(map(ord, string.punctuation))
_TABLES = {"lower": _LOWER, "strip_punctuation": _STRIP,
           "lower_and_strip_punctuation": {**_LOWER, **_STRIP}}
# tf.strings.split's whitespace: ASCII spaces, tabs and line breaks, runs count as one.
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


class TextVectorization(_StringLayer):
    """Text -> token ids or bag-of-words vectors: standardize, split, ngrams, look up.

    1. standardize each string: "lower_and_strip_punctuation" (default), "lower",
       "strip_punctuation", None, or a callable that takes the NumPy array of strings
       (the inputs' shape) and returns one of the same shape. As in Keras, lower-casing
       changes ASCII letters only and the punctuation stripped is ASCII's.
    2. split it: "whitespace" (default), "character", None (the string is one token),
       or a callable that takes the 1-D array of standardized strings and returns one
       sequence of tokens per string.
    3. ngrams: None, n (all 1..n-grams) or a tuple of sizes; tokens joined by " ", all
       unigrams of a text first, then its bigrams, ... (tf.strings.ngrams' order).
    4. look the tokens up in a StringLookup vocabulary with mask token "" (index 0,
       padding) and OOV token "[UNK]" (index 1, unknown words), learned by adapt()
       (most frequent first, ties by decreasing token) or given as `vocabulary`.

    Inputs: a list or NumPy array of strings, (batch,) or (batch, 1). Outputs a baeum
    Tensor:
    - output_mode="int": int64 ids (batch, output_sequence_length), padded with 0 or
      truncated; without output_sequence_length, padded to the longest text.
    - "multi_hot" / "count" / "tf_idf": float32 (batch, vocabulary_size()) (or
      (batch, max_tokens) with pad_to_max_tokens=True), index 0 being "[UNK]".

    Apply it to the data before the model (it cannot be a layer of a model) and feed
    the ids to an Embedding of input_dim = vocabulary_size().

    >>> vectorize = TextVectorization(max_tokens=5000, output_sequence_length=4)
    >>> vectorize.adapt(["foo bar", "bar baz", "baz bada boom"])
    >>> vectorize.get_vocabulary()
    ['', '[UNK]', 'baz', 'bar', 'foo', 'boom', 'bada']
    >>> vectorize([["foo qux bar"], ["qux baz"]]).data.tolist()
    [[4, 1, 3, 0], [1, 2, 0, 0]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("vocabulary_size", None)  # Keras's config key; the vocabulary says it
        super().__init__(name=name, **kwargs)
        self._standardize = _function_or_name("standardize", standardize, _STANDARDIZE)
        self._split = _function_or_name("split", split, _SPLIT)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        modes = ("int", "multi_hot", "count", "tf_idf")
        if output_mode not in modes:
            raise ValueError(f"TextVectorization: unknown output_mode {output_mode!r}; expected "
                             f"one of {', '.join(map(repr, modes))}")
        if isinstance(ngrams, list):  # from a JSON config
            ngrams = tuple(ngrams)
        if not (ngrams is None or _positive_int(ngrams)
                or isinstance(ngrams, tuple) and ngrams and all(map(_positive_int, ngrams))):
            raise ValueError("TextVectorization: ngrams must be None, a positive integer, or a "
                             f"tuple of positive integers, got ngrams={ngrams!r}")
        if output_mode == "int":
            if not (output_sequence_length is None or _positive_int(output_sequence_length)):
                raise ValueError("TextVectorization: output_sequence_length must be None or a "
                                 f"positive integer, got {output_sequence_length!r}")
        elif output_sequence_length is not None:
            raise ValueError("TextVectorization: output_sequence_length is only for "
                             f"output_mode='int', not {output_mode!r}")
        if ragged:
            raise ValueError("TextVectorization: ragged=True is not supported (Keras supports "
                             "it only with the TensorFlow backend); outputs are padded arrays")
        self._encoding = encoding
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, has_input_vocabulary=has_input_vocabulary, encoding=encoding)

    # --- the vocabulary (StringLookup's) ----------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order: "" (padding, "int" mode), "[UNK]", then tokens."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The number of ids, padding and "[UNK]" included (an Embedding's input_dim)."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (and, for tf_idf, idf weights) instead of adapt()."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from texts: a list or array of strings, or an iterable of
        batches of them. Each string is one document (for tf_idf's document counts)."""
        lookup = self._lookup_layer
        lookup._start_adapt()
        batches = [data] if isinstance(data, (list, tuple, np.ndarray, str, bytes)) else data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            lookup._count_documents([np.array(d, dtype=str) for d in self._preprocess(batch)])
        lookup._finish_adapt()

    # --- the pipeline -----------------------------------------------------------------------
    def _preprocess(self, inputs):
        """Strings -> a list with one list of tokens per text."""
        texts = as_strings(self, inputs)
        if self._standardize is not None:
            if callable(self._standardize):
                out = as_strings(self, self._standardize(texts), "the standardize callable's "
                                 "output")
                if out.shape != texts.shape:
                    raise ValueError(f"TextVectorization '{self.name}': the standardize "
                                     f"callable must keep the shape {texts.shape}, got "
                                     f"{out.shape}")
                texts = out
            else:
                table = _TABLES[self._standardize]
                texts = np.array([t.translate(table) for t in texts.reshape(-1).tolist()],
                                 dtype=str).reshape(texts.shape)
        if self._split is None:
            rows = texts.reshape(len(texts), -1) if texts.ndim else texts.reshape(1, 1)
            docs = rows.tolist()
        else:
            if texts.ndim > 1:
                if texts.shape[-1] != 1 or texts.ndim > 2:
                    raise ValueError(
                        "When using TextVectorization to tokenize strings, the input rank must "
                        f"be 1 or the last shape dimension must be 1. Received: inputs.shape="
                        f"{texts.shape} with rank={texts.ndim}")
                texts = texts[:, 0]
            elif texts.ndim == 0:
                texts = texts.reshape(1)
            if self._split == "whitespace":
                docs = [_WHITESPACE.split(t.strip(" \t\n\r\f\v")) if t.strip(" \t\n\r\f\v")
                        else [] for t in texts.tolist()]
            elif self._split == "character":
                docs = [list(t) for t in texts.tolist()]
            else:
                docs = self._split(texts)
                if len(docs) != len(texts):
                    raise ValueError(f"TextVectorization '{self.name}': the split callable must "
                                     f"return one sequence of tokens per text ({len(texts)}), "
                                     f"got {len(docs)}")
                docs = [[str(t) for t in d] for d in docs]
        if self._ngrams is not None:
            docs = [[" ".join(d[i:i + n]) for n in self._ngrams for i in range(len(d) - n + 1)]
                    for d in docs]
        return docs

    def call(self, inputs):
        docs = self._preprocess(inputs)
        lengths = np.array([len(d) for d in docs], np.int64)
        flat = np.array([t for d in docs for t in d], dtype=str)
        # One vectorized lookup for the whole batch, laid flat; rows[k] is the text of token k.
        ids = self._lookup_layer._lookup(flat)
        rows = np.repeat(np.arange(len(docs)), lengths)
        if self._output_mode == "int":
            width = self._output_sequence_length
            if width is None:
                width = int(lengths.max(initial=0))
            cols = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            keep = cols < width  # truncation
            out = np.zeros((len(docs), width), np.int64)  # 0: padding ("" in the vocabulary)
            out[rows[keep], cols[keep]] = ids[keep]
            return Tensor(out)
        lookup = self._lookup_layer
        depth = lookup._depth()
        counts = bincount_rows(rows, ids, len(docs), depth)
        idf = lookup._idf_weights(depth) if self._output_mode == "tf_idf" else None
        return Tensor(finish_encoding(counts, self._output_mode, idf, self.dtype))

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        return (input_shape[0], self._lookup_layer._depth())

    # --- config -----------------------------------------------------------------------------
    def get_config(self):
        lookup = self._lookup_layer
        lookup_config = lookup.get_config()
        return {
            **super().get_config(),
            "max_tokens": lookup.max_tokens,
            "standardize": _function_config(self._standardize),
            "split": _function_config(self._split),
            "ngrams": list(self._ngrams_arg) if isinstance(self._ngrams_arg, tuple)
            else self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            "vocabulary": lookup_config["vocabulary"],
            "idf_weights": lookup_config["idf_weights"],
            "encoding": self._encoding,
            "vocabulary_size": lookup.vocabulary_size(),
            "has_input_vocabulary": lookup._has_input_vocabulary,
        }

    @classmethod
    def from_config(cls, config):
        check_config_vocabulary(cls, config)
        return super().from_config(config)


def _positive_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0


def _function_or_name(arg, value, names):
    """None, one of Keras's names, a callable, or the name of a registered function."""
    if value is None or callable(value) or value in names:
        return value
    if isinstance(value, str):
        from baeum.saving.registry import get_registered_object

        fn = get_registered_object(value)  # "package>name" from a saved config
        if callable(fn) and not isinstance(fn, type):
            return fn
    raise ValueError(f"TextVectorization: unknown {arg} {value!r}; expected None, one of "
                     f"{', '.join(map(repr, names))}, or a callable")


def _function_config(value):
    if value is None or isinstance(value, str):
        return value
    from baeum.saving.registry import get_registered_name, get_registered_object

    registered = get_registered_name(value)
    if get_registered_object(registered) is not value:
        raise ValueError(
            f"TextVectorization: the callable {value!r} cannot be saved by name; register it "
            "with @baeum.saving.register_serializable() (and load with it registered)")
    return registered


__all__ = ["CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "StringLookup",
           "TextVectorization", "as_strings"]
