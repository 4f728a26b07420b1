"""Categorical preprocessing layers: CategoryEncoding, Discretization, Hashing, IntegerLookup.

They turn categories into the numbers a model eats, with Keras 3's names, arguments,
vocabulary rules and output modes:

    lookup = IntegerLookup()                    # arbitrary integer ids -> 0, 1, 2, ...
    lookup.adapt(np.array([12, 36, 12, 1138]))  # vocabulary by frequency: [-1, 12, 1138, 36]
    model = Sequential([Input(shape=(1,), dtype="int64"), lookup,
                        CategoryEncoding(lookup.vocabulary_size(), output_mode="one_hot"),
                        Dense(1)])

None of them trains and none has weights: what adapt() learns (a vocabulary, inverse
document frequencies, bin boundaries) is part of the layer's config, so a model that
holds them saves and loads with identical predictions. Their outputs are new
Tensors without a gradient (categories are not differentiable): int64 ids for
output_mode="int", float32 encodings otherwise.

The shared pieces: `IndexLookup` (the base of IntegerLookup and of the StringLookup in
`text_preprocessing.py`, as Keras's `IndexLookup`), `encode_categorical` (one_hot /
multi_hot / count / tf_idf, for every layer here), and the hashes Keras's lookups use:
FarmHash Fingerprint64 and SipHash-2-4, written out in Python so that the numbers are
Keras's own.
"""

import numpy as np

from baeum import backend
from baeum.autograd.tensor import Tensor
from baeum.layers.layer import Layer, _any_symbolic
from baeum.layers.symbolic import KerasTensor

_ENCODINGS = ("one_hot", "multi_hot", "count", "tf_idf")
_ALIASES = {"binary": "multi_hot", "tf-idf": "tf_idf"}  # Keras 2's names, still accepted


def _output_mode(layer_name, value, allowed):
    """Keras's validation of `output_mode`, with its deprecated aliases."""
    value = _ALIASES.get(value, value)
    if value not in allowed:
        raise ValueError(f"{layer_name}: unknown output_mode {value!r}; expected one of "
                         f"{', '.join(repr(a) for a in allowed)}")
    return value


def _no_sparse(layer_name, sparse):
    if sparse:
        raise ValueError(f"{layer_name}: sparse=True is not supported, baeum tensors are dense "
                         "(Keras supports it only with the TensorFlow backend)")


# --- the encodings ---------------------------------------------------------------------------

def bincount_rows(rows, ids, n_rows, depth, weights=None):
    """(n_rows, depth) table of how often each id occurs in each row (float64).

    rows, ids: 1-D int arrays of equal length (a ragged batch laid flat: id `ids[k]`
    belongs to row `rows[k]`); ids < 0 are dropped (masked tokens). One `np.bincount`
    on `row * depth + id` counts every row at once.
    """
    keep = ids >= 0
    flat = rows[keep] * depth + ids[keep]
    w = None if weights is None else np.asarray(weights, np.float64)[keep]
    return np.bincount(flat, weights=w, minlength=n_rows * depth).reshape(n_rows, depth)


def encode_categorical(ids, output_mode, depth, count_weights=None, idf_weights=None,
                       dtype=None):
    """Integer ids -> Keras's categorical encodings, as a float array.

    ids: int array of any shape, values in [0, depth); -1 marks a dropped (mask) token.
    - "one_hot": each id becomes a row of `depth`: (..., n) -> (..., n, depth), except
      that a last axis of size 1 is replaced: (batch, 1) -> (batch, depth).
    - "multi_hot" / "count": the last axis is one sample: (..., n) -> (..., depth), a 1
      for each id present / how many times it occurs (times `count_weights`, same
      shape as ids, when given). A scalar is one sample of one id.
    - "tf_idf": the counts times `idf_weights` (depth,).

    >>> encode_categorical(np.array([[0, 1, 1], [3, -1, 3]]), "count", 4).tolist()
    [[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]]
    """
    dtype = dtype or backend.floatx
    ids = np.asarray(ids)
    if output_mode == "one_hot":
        if ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ids[..., 0]
        return (ids[..., None] == np.arange(depth)).astype(dtype)
    if ids.ndim == 0:
        ids = ids[None]
    lead, n = ids.shape[:-1], ids.shape[-1]
    n_rows = int(np.prod(lead, dtype=np.int64))
    rows = np.repeat(np.arange(n_rows), n)
    weights = None if count_weights is None else np.asarray(count_weights).reshape(-1)
    counts = bincount_rows(rows, ids.reshape(-1), n_rows, depth, weights)
    return finish_encoding(counts, output_mode, idf_weights, dtype).reshape(*lead, depth)


def finish_encoding(counts, output_mode, idf_weights=None, dtype=None):
    """Counts per row (rows, depth) -> the multi_hot / count / tf_idf output."""
    dtype = dtype or backend.floatx
    if output_mode == "multi_hot":
        return (counts > 0).astype(dtype)
    if output_mode == "tf_idf":
        return (counts * idf_weights).astype(dtype)
    return counts.astype(dtype)


def encoded_shape(input_shape, output_mode, depth):
    """The output shape of `encode_categorical` for inputs of `input_shape`."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return (*shape[:-1], depth)
        return (*shape, depth)
    return (*shape[:-1], depth)


# --- inputs ----------------------------------------------------------------------------------

def data_array(x):
    """The NumPy array of a layer input: a Tensor's data, or an array from nested lists."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def integer_ids(layer, x, what="inputs"):
    """`x` as int64, accepting floats that hold whole numbers (a float32 Input's ids)."""
    x = data_array(x)
    if x.dtype.kind in "iub":
        return x.astype(np.int64, copy=False)
    if x.dtype.kind == "f":
        as_int = x.astype(np.int64)
        if np.array_equal(as_int, x):
            return as_int
        bad = x[as_int != x].flat[0]
        raise TypeError(f"{type(layer).__name__} '{layer.name}' expects integer {what}, got "
                        f"float values that are not whole numbers (e.g. {bad!r})")
    raise TypeError(f"{type(layer).__name__} '{layer.name}' expects integer {what}, got dtype "
                    f"{x.dtype}" + (" (for strings use StringLookup)" if x.dtype.kind in "USO"
                                     else ""))


def symbolic_error(layer):
    """The error for a string layer called on a symbolic tensor (a model's input)."""
    return TypeError(
        f"{type(layer).__name__} '{layer.name}' works on strings, which baeum tensors cannot "
        "hold, so it cannot be a layer of a model. Apply it to the data before the model, "
        "as Keras recommends for tf.data pipelines:\n"
        "    layer.adapt(train_texts); x_train = layer(train_texts)   # int ids\n"
        "    model.fit(x_train, y_train)            # a model that starts at the ids")


class DataLayer(Layer):
    """Base of the preprocessing layers here: nested lists are arrays, outputs carry no graph.

    Layer.__call__ reads a list as several inputs; these layers take one array, so a
    list (Keras's docs call them on `[[0, 1], [0, 0]]`) becomes an array first. A
    symbolic output gets the dtype the layer really returns (int64 ids).
    """

    int_input = False  # integer layers: inputs become int64 before Layer's float cast

    def __call__(self, inputs, *args, **kwargs):
        if not _any_symbolic(inputs):
            if isinstance(inputs, (list, tuple)):
                inputs = np.asarray(inputs)
            if self.int_input and data_array(inputs).dtype.kind not in "iu":
                # Layer.__call__ would cast float64 ids to float32 (losing ids > 2**24) and
                # reject strings without saying what the layer wanted.
                inputs = Tensor(integer_ids(self, inputs))
        out = super().__call__(inputs, *args, **kwargs)
        if isinstance(out, KerasTensor):
            out.dtype = "int64" if self.output_mode == "int" else self.dtype
        return out


def _batches(data, steps=None):
    """adapt()'s data as (batch, is_whole_dataset) pairs: one array, or an iterable of batches."""
    if isinstance(data, (list, tuple, np.ndarray, Tensor, str)):
        yield data, True
        return
    if not hasattr(data, "__iter__"):
        yield data, True
        return
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        yield batch, False


# --- CategoryEncoding ------------------------------------------------------------------------

class CategoryEncoding(DataLayer):
    """Integer categories in [0, num_tokens) -> one_hot / multi_hot / count vectors.

    Inputs (batch,) or (batch, n) integers. Outputs float32:
    - "multi_hot" (default): (batch, n) -> (batch, num_tokens), 1 for each category present
      (a 1-D input is one sample: (n,) -> (num_tokens,)).
    - "one_hot": (batch,) or (batch, 1) -> (batch, num_tokens); (batch, n) -> (batch, n,
      num_tokens).
    - "count": as multi_hot, with how many times each category occurs; `count_weights`
      (the inputs' shape) weighs each occurrence instead.

    >>> layer = CategoryEncoding(num_tokens=4, output_mode="one_hot")
    >>> layer([3, 2, 0, 1]).data.tolist()
    [[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
    >>> CategoryEncoding(4)([[0, 1], [0, 0], [1, 2], [3, 1]]).data.tolist()[3]
    [0.0, 1.0, 0.0, 1.0]
    """

    int_input = True

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        self.output_mode = _output_mode("CategoryEncoding", output_mode,
                                        ("one_hot", "multi_hot", "count"))
        if num_tokens is None:
            raise ValueError("CategoryEncoding: num_tokens must be set. If the number of "
                             "categories is not known beforehand, use IntegerLookup instead")
        if not isinstance(num_tokens, (int, np.integer)) or isinstance(num_tokens, bool) \
                or num_tokens < 1:
            raise ValueError(f"CategoryEncoding: num_tokens must be an integer >= 1, got "
                             f"{num_tokens!r}")
        _no_sparse("CategoryEncoding", sparse)
        self.num_tokens = int(num_tokens)
        self.sparse = False

    def call(self, inputs, count_weights=None):
        ids = integer_ids(self, inputs)
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_tokens):
            bad = np.unique(ids[(ids < 0) | (ids >= self.num_tokens)])[:10].tolist()
            raise ValueError(
                f"CategoryEncoding '{self.name}' has num_tokens={self.num_tokens}, so inputs "
                f"must be integers in [0, {self.num_tokens}); got {bad}. For arbitrary "
                "integer categories put an IntegerLookup first")
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"CategoryEncoding '{self.name}': count_weights is only used "
                                 f"with output_mode='count', not {self.output_mode!r}")
            count_weights = data_array(count_weights)
            if count_weights.shape != ids.shape:
                raise ValueError(f"CategoryEncoding '{self.name}': count_weights must have the "
                                 f"inputs' shape {ids.shape}, got {count_weights.shape}")
        return Tensor(encode_categorical(ids, self.output_mode, self.num_tokens,
                                         count_weights=count_weights, dtype=self.dtype))

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 0:
            return (self.num_tokens,)
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


# --- Discretization --------------------------------------------------------------------------

class Discretization(DataLayer):
    """Continuous values -> the index of their bin, bins given or learned as quantiles.

    bin_boundaries [b0, b1, ..., bk] make k+2 bins: (-inf, b0), [b0, b1), ..., [bk, inf);
    a value x goes to bin i when b[i-1] <= x < b[i] (np.digitize). Or num_bins: adapt()
    learns num_bins - 1 boundaries, the 1/num_bins, 2/num_bins, ... quantiles of the data,
    with Keras's streaming approximation (relative error about `epsilon`).

    Inputs any shape. Outputs int64 bin ids of the same shape, or with output_mode
    "one_hot" / "multi_hot" / "count" the encodings of CategoryEncoding over
    len(bin_boundaries) + 1 bins.

    >>> x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    >>> Discretization(bin_boundaries=[0.0, 1.0, 2.0])(x).data.tolist()
    [[0, 2, 3, 1], [1, 3, 2, 1]]
    >>> layer = Discretization(num_bins=4, epsilon=0.01)
    >>> layer.adapt(x)
    >>> layer(x).data.tolist()
    [[0, 2, 3, 2], [1, 3, 3, 1]]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, **kwargs):
        super().__init__(**kwargs)
        _no_sparse("Discretization", sparse)
        self.output_mode = _output_mode("Discretization", output_mode,
                                        ("int", "one_hot", "multi_hot", "count"))
        if num_bins is not None and (not isinstance(num_bins, (int, np.integer))
                                     or num_bins < 0):
            raise ValueError(f"Discretization: num_bins must be an integer >= 0, got "
                             f"{num_bins!r}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Discretization: set num_bins (then call adapt()) or "
                             f"bin_boundaries, not both; got num_bins={num_bins} and "
                             f"bin_boundaries={bin_boundaries}")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("Discretization: set either num_bins (then call adapt()) or "
                             "bin_boundaries")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in np.asarray(bin_boundaries, np.float64).ravel()]
            if np.any(np.diff(bin_boundaries) < 0):
                raise ValueError(f"Discretization: bin_boundaries must be sorted, got "
                                 f"{bin_boundaries}")
        self.bin_boundaries = bin_boundaries
        self.num_bins = None if num_bins is None else int(num_bins)
        self.epsilon = float(epsilon)
        self.sparse = False
        self._summary = np.zeros((2, 0), np.float32)

    def adapt(self, data, batch_size=None, steps=None):
        """Learn `num_bins - 1` quantile boundaries from `data` (an array, or batches)."""
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}' was given bin_boundaries; adapt() "
                             "learns them only for a layer made with num_bins=")
        summary = np.zeros((2, 0), np.float32)
        for batch, _ in _batches(data, steps):
            values = np.asarray(data_array(batch), np.float32).reshape(-1)
            if not np.all(np.isfinite(values)):
                raise ValueError(f"Discretization '{self.name}': adapt() data contains NaN "
                                 "or inf")
            # (new, previous): Keras's order, which decides how ties are sorted.
            summary = _merge_summaries(_summarize(values, self.epsilon), summary,
                                       self.epsilon)
        if summary.shape[1] == 0:
            raise ValueError(f"Discretization '{self.name}': adapt() got no values")
        self._summary = summary
        self.bin_boundaries = _compress_summary(summary, 1.0 / self.num_bins)[0, :-1].tolist() \
            if self.num_bins else []

    def _boundaries(self):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}' has no bin boundaries yet: call "
                             "adapt(data) first, or pass bin_boundaries=")
        return self.bin_boundaries

    def call(self, inputs):
        x = data_array(inputs)
        if x.dtype.kind not in "fiub":
            raise TypeError(f"Discretization '{self.name}' expects numbers, got dtype {x.dtype}")
        boundaries = self._boundaries()
        ids = np.digitize(x, np.asarray(boundaries, np.float64)).astype(np.int64)
        if self.output_mode == "int":
            return Tensor(ids)
        return Tensor(encode_categorical(ids, self.output_mode, len(boundaries) + 1,
                                         dtype=self.dtype))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.output_mode, len(self._boundaries()) + 1)

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}

    @classmethod
    def from_config(cls, config):
        # After adapt() both are set, which __init__ refuses: set the boundaries after.
        config = dict(config)
        boundaries = config.get("bin_boundaries")
        if boundaries is not None and config.get("num_bins") is not None:
            config.pop("bin_boundaries")
            layer = super().from_config(config)
            layer.bin_boundaries = [float(b) for b in boundaries]
            return layer
        return super().from_config(config)


# Keras's quantile summary: a (2, k) float32 array of sorted values and the weight
# (number of data points) each stands for; merged batch by batch, compressed to about
# 1/epsilon entries, then read at the 1/num_bins quantiles.

def _summarize(values, epsilon):
    values = np.sort(values)
    increment = values.size / (1.0 / epsilon)  # values per entry, for 1/epsilon entries
    step = max(increment, 1.0)
    kept = values[int(increment)::int(step)]
    return np.stack([kept, np.full(kept.shape, step, np.float32)])


def _merge_summaries(a, b, epsilon):
    merged = np.concatenate((a, b), axis=1)
    merged = merged[:, np.argsort(merged[0])]
    return _compress_summary(merged, epsilon)


def _compress_summary(summary, epsilon):
    """The summary re-read at the cumulative-weight fractions epsilon, 2*epsilon, ..., 1."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    at = cum / cum[-1]
    values = np.interp(fractions, at, summary[0])
    cum_new = np.interp(fractions, at, cum)
    weights = np.diff(cum_new, prepend=0.0)
    return np.stack((values, weights)).astype(np.float32)


# --- hashes ----------------------------------------------------------------------------------
# Keras hashes strings with TensorFlow's Fingerprint64 (FarmHash's farmhashna::Hash64),
# salted ones with SipHash-2-4. Both are fixed, published algorithms; here they are in
# plain Python integers (masked to 64 bits), one call per distinct value.

_M = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _rot(v, s):  # rotate right
    return ((v >> s) | (v << (64 - s))) & _M if s else v


def _u64(b, i):
    return int.from_bytes(b[i:i + 8], "little")


def _u32(b, i):
    return int.from_bytes(b[i:i + 4], "little")


def _mix(v):
    return v ^ (v >> 47)


def _len16(u, v, mul):
    a = _mix(((u ^ v) * mul) & _M)
    b = _mix(((v ^ a) * mul) & _M)
    return (b * mul) & _M


def _ends(b, n, mul, k):
    """The words a, b, c, d that FarmHash's HashLen17to32 (k = K1) and HashLen33to64
    (k = K2) read from the first 16 and the last 16 of the n bytes b."""
    return ((_u64(b, 0) * k) & _M, _u64(b, 8), (_u64(b, n - 8) * mul) & _M,
            (_u64(b, n - 16) * _K2) & _M)


def _mix4(a, b, c, d, k):
    """The two words those hashes hand HashLen16: rot(a + b, 43) + rot(c, 30) + d and
    a + rot(b + k, 18) + c (mod 2**64)."""
    return ((_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M,
            (a + _rot((b + k) & _M, 18) + c) & _M)


def _weak32(b, i, x, y):
    """FarmHash's WeakHashLen32WithSeeds over b[i:i+32] with seeds x, y."""
    w, p, q, z = _u64(b, i), _u64(b, i + 8), _u64(b, i + 16), _u64(b, i + 24)
    x = (x + w) & _M
    y = _rot((y + x + z) & _M, 21)
    c = x
    x = (x + p + q) & _M
    y = (y + _rot(x, 44)) & _M
    return (x + z) & _M, (y + c) & _M


def fingerprint64(data):
    """FarmHash Fingerprint64 of bytes (TensorFlow's `Fingerprint64`), as an unsigned int.

    >>> fingerprint64(b"abc")
    2640714258260161385
    """
    n = len(data)
    if n <= 16:
        if n >= 8:
            mul = _K2 + n * 2
            a = (_u64(data, 0) + _K2) & _M
            b = _u64(data, n - 8)
            c = (_rot(b, 37) * mul + a) & _M
            d = ((_rot(a, 25) + b) * mul) & _M
            return _len16(c, d, mul)
        if n >= 4:
            return _len16(n + (_u32(data, 0) << 3), _u32(data, n - 4), _K2 + n * 2)
        if n:
            y = data[0] + (data[n >> 1] << 8)
            z = n + (data[n - 1] << 2)
            return (_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
        return _K2
    if n <= 32:
        mul = _K2 + n * 2
        a, b, c, d = _ends(data, n, mul, _K1)
        return _len16(*_mix4(a, b, c, d, _K2), mul)
    if n <= 64:
        mul = _K2 + n * 2
        a, b, c, d = _ends(data, n, mul, _K2)
        y, t = _mix4(a, b, c, d, _K2)
        z = _len16(y, t, mul)
        e = (_u64(data, 16) * mul) & _M
        f = _u64(data, 24)
        g = ((y + _u64(data, n - 32)) * mul) & _M
        h = ((z + _u64(data, n - 24)) * mul) & _M
        return _len16(*_mix4(e, f, g, h, a), mul)
    # Longer: 64-byte blocks into a 56-byte state (v, w, x, y, z), then the last 64 bytes.
    seed = 81
    x = (seed * _K2 + _u64(data, 0)) & _M
    y = (seed * _K1 + 113) & _M
    z = (_mix((y * _K2 + 113) & _M) * _K2) & _M
    v0 = v1 = w0 = w1 = 0
    end = ((n - 1) // 64) * 64
    for i in range(0, end, 64):
        x = (_rot((x + y + v0 + _u64(data, i + 8)) & _M, 37) * _K1) & _M
        y = (_rot((y + v1 + _u64(data, i + 48)) & _M, 42) * _K1) & _M
        x ^= w1
        y = (y + v0 + _u64(data, i + 40)) & _M
        z = (_rot((z + w0) & _M, 33) * _K1) & _M
        v0, v1 = _weak32(data, i, (v1 * _K1) & _M, (x + w0) & _M)
        w0, w1 = _weak32(data, i + 32, (z + w1) & _M, (y + _u64(data, i + 16)) & _M)
        x, z = z, x
    mul = _K1 + ((z & 0xFF) << 1)
    i = n - 64
    w0 = (w0 + ((n - 1) & 63)) & _M
    v0 = (v0 + w0) & _M
    w0 = (w0 + v0) & _M
    x = (_rot((x + y + v0 + _u64(data, i + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v1 + _u64(data, i + 48)) & _M, 42) * mul) & _M
    x ^= (w1 * 9) & _M
    y = (y + v0 * 9 + _u64(data, i + 40)) & _M
    z = (_rot((z + w0) & _M, 33) * mul) & _M
    v0, v1 = _weak32(data, i, (v1 * mul) & _M, (x + w0) & _M)
    w0, w1 = _weak32(data, i + 32, (z + w1) & _M, (y + _u64(data, i + 16)) & _M)
    x, z = z, x
    return _len16((_len16(v0, w0, mul) + _mix(y) * _K0 + z) & _M,
                  (_len16(v1, w1, mul) + x) & _M, mul)


def _rotl(v, s):
    return ((v << s) | (v >> (64 - s))) & _M


def siphash24(k0, k1, data):
    """SipHash-2-4 of bytes with the 128-bit key (k0, k1) (TensorFlow's StrongKeyedHash).

    >>> hex(siphash24(0x0706050403020100, 0x0F0E0D0C0B0A0908, b""))   # the paper's vector
    '0x726fdb47dd0e0e31'
    """
    v = [0x736F6D6570736575 ^ k0, 0x646F72616E646F6D ^ k1,
         0x6C7967656E657261 ^ k0, 0x7465646279746573 ^ k1]

    def rounds(count):
        v0, v1, v2, v3 = v
        for _ in range(count):
            v0 = (v0 + v1) & _M
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _M
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _M
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _M
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)
        v[:] = [v0, v1, v2, v3]

    n = len(data)
    full = n - n % 8
    words = [_u64(data, i) for i in range(0, full, 8)]
    words.append(((n & 0xFF) << 56) | int.from_bytes(data[full:], "little"))
    for m in words:
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    v[2] ^= 0xFF
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def hash_buckets(values, num_buckets, salt=None):
    """Each value's bucket in [0, num_buckets), as Keras's hashing: int64, values' shape.

    Strings are hashed as UTF-8; integers as their decimal string (TensorFlow's
    as_string), floats after truncation to integers. salt=None: FarmHash Fingerprint64;
    salt=[k0, k1]: SipHash-2-4 keyed with it. Each distinct value is hashed once.
    """
    values = np.asarray(values)
    if values.dtype.kind == "f":
        values = values.astype(np.int64)
    flat = values.reshape(-1)
    unique, inverse = np.unique(flat, return_inverse=True)
    out = np.empty(len(unique), np.int64)
    for k, u in enumerate(unique.tolist()):
        if isinstance(u, bytes):
            data = u
        elif isinstance(u, str):
            data = u.encode("utf-8")
        else:
            data = str(int(u)).encode("ascii")
        h = fingerprint64(data) if salt is None else siphash24(salt[0], salt[1], data)
        out[k] = h % num_buckets
    return out[inverse.reshape(-1)].reshape(values.shape)


# --- Hashing ---------------------------------------------------------------------------------

class Hashing(DataLayer):
    """Strings or integers -> hash bins in [0, num_bins), with Keras's hash functions.

    FarmHash Fingerprint64 by default; SipHash-2-4 keyed by `salt` (an int k, same as
    [k, k], or [k0, k1]) when given. Integers hash as their decimal strings and floats
    are truncated to integers first, as in Keras. With `mask_value`, that value goes to
    bin 0 and the others to 1 + hash % (num_bins - 1). The bins are Keras's own, so a
    model trained on Keras-hashed features sees the same ids.

    Inputs any shape (strings: NumPy arrays or lists, outside a model; integers: also as
    a layer of a model). Outputs int64 bins of the same shape, or the encodings of
    CategoryEncoding over num_bins with output_mode "one_hot" / "multi_hot" / "count".

    >>> Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).data.ravel().tolist()
    [1, 0, 1, 1, 2]
    >>> Hashing(num_bins=3, salt=[133, 137])([["A"], ["B"], ["C"]]).data.ravel().tolist()
    [1, 2, 1]
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_bins, (int, np.integer)) or isinstance(num_bins, bool) \
                or num_bins <= 0:
            raise ValueError(f"Hashing: num_bins must be a positive integer, got {num_bins!r}")
        self.output_mode = _output_mode("Hashing", output_mode,
                                        ("int", "one_hot", "multi_hot", "count"))
        _no_sparse("Hashing", sparse)
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2 \
                    and all(isinstance(s, (int, np.integer)) for s in salt):
                salt = [int(s) for s in salt]
            elif isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
                salt = [int(salt), int(salt)]
            else:
                raise ValueError("Hashing: salt must be an integer or a pair of integers, got "
                                 f"{salt!r}")
            if any(not 0 <= s < 2**64 for s in salt):
                raise ValueError(f"Hashing: salt values must be unsigned 64-bit integers, got "
                                 f"{salt}")
        self.num_bins = int(num_bins)
        # A NumPy scalar (np.str_, np.int64) becomes a Python one, for the JSON config.
        self.mask_value = mask_value.item() if isinstance(mask_value, np.generic) else mask_value
        self.salt = salt
        self.sparse = False

    def __call__(self, inputs, *args, **kwargs):
        # Strings go straight to call(); numbers take the usual path (so Hashing can sit in
        # a model on integer inputs). Floats are truncated to integers first, as in Keras
        # (and before Layer.__call__ could round float64 values to float32).
        if not _any_symbolic(inputs):
            if isinstance(inputs, str):
                raise TypeError(f"Hashing '{self.name}' expects an array or a list of values, "
                                f"got a single string {inputs!r}: wrap it in a list")
            values = data_array(inputs)
            if values.dtype.kind in "USO":
                self.built = True
                return self.call(values)
            if values.dtype.kind == "f":
                inputs = Tensor(values.astype(np.int64))
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        values = data_array(inputs)
        if values.dtype.kind == "S":
            values = np.char.decode(values, "utf-8")
        elif values.dtype.kind == "O":
            values = values.astype(str)
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1  # bin 0 is the mask's
            mask = values == self.mask_value
        ids = hash_buckets(values, bins, self.salt)
        if mask is not None:
            ids = np.where(mask, 0, ids + 1)
        if self.output_mode == "int":
            return Tensor(ids)
        return Tensor(encode_categorical(ids, self.output_mode, self.num_bins, dtype=self.dtype))

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


# --- IndexLookup: the vocabulary layers ------------------------------------------------------

class IndexLookup(DataLayer):
    """Tokens -> vocabulary indices, the shared base of IntegerLookup and StringLookup.

    The index layout is Keras's: with output_mode="int", [mask token (if any), OOV
    indices (num_oov_indices of them), the vocabulary...]; in the other modes the mask
    token has no index (masked tokens are dropped) and the OOV indices come first.
    adapt() orders the vocabulary by decreasing frequency, ties broken by decreasing
    token (Keras's `np.lexsort((tokens, counts))[::-1]`), and keeps the first
    max_tokens - (number of special indices). Lookups are vectorized: one sorted copy of
    the vocabulary and `np.searchsorted`.

    Subclasses say how values become tokens (`_tokens_array`) and how OOV tokens are
    spread over several OOV indices (`_oov_buckets`).
    """

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, has_input_vocabulary=None,
                 vocabulary_size=None, **kwargs):
        # vocabulary_size: Keras's config key for the frozen size; the vocabulary itself
        # is in our config, so it is accepted (Keras configs load) and not needed.
        super().__init__(**kwargs)
        cls = type(self).__name__
        if max_tokens is not None and (not isinstance(max_tokens, (int, np.integer))
                                       or max_tokens <= 1):
            raise ValueError(f"{cls}: if set, max_tokens must be an integer greater than 1, "
                             f"got max_tokens={max_tokens!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{cls}: pad_to_max_tokens=True needs max_tokens")
        if not isinstance(num_oov_indices, (int, np.integer)) or num_oov_indices < 0:
            raise ValueError(f"{cls}: num_oov_indices must be an integer >= 0, got "
                             f"{num_oov_indices!r}")
        self.output_mode = _output_mode(cls, output_mode, ("int", *_ENCODINGS))
        if invert and self.output_mode != "int":
            raise ValueError(f"{cls}: invert=True needs output_mode='int', got "
                             f"output_mode={self.output_mode!r}")
        _no_sparse(cls, sparse)
        if idf_weights is not None and self.output_mode != "tf_idf":
            raise ValueError(f"{cls}: idf_weights are only used with output_mode='tf_idf', "
                             f"not {self.output_mode!r}")
        if self.output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{cls}: with a vocabulary and output_mode='tf_idf', pass "
                             "idf_weights too (or call adapt() instead)")
        if idf_weights is not None and vocabulary is None:
            raise ValueError(f"{cls}: idf_weights need a vocabulary of the same length")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.vocabulary_dtype = vocabulary_dtype
        self.invert = bool(invert)
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        # A vocabulary given by the user is static: adapt() refuses to replace it (Keras).
        self._has_input_vocabulary = bool(vocabulary is not None if has_input_vocabulary is None
                                          else has_input_vocabulary)
        self._tokens = None      # the vocabulary without special tokens, a 1-D array
        self._idf = None         # float32 (vocabulary_size,) for tf_idf, specials first
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # --- index layout -------------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _special_tokens(self):
        return [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices

    # --- the vocabulary -----------------------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary as a list, in index order (the special tokens first, unless
        include_special_tokens=False): `layer.get_vocabulary()[i]` is the token of id i."""
        tokens = [] if self._tokens is None else self._tokens.tolist()
        return (self._special_tokens() if include_special_tokens else []) + tokens

    def vocabulary_size(self):
        """The number of indices: the vocabulary plus the mask and OOV indices."""
        return self._token_start_index() + (0 if self._tokens is None else len(self._tokens))

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (and, for tf_idf, the idf weights) directly instead of adapt().

        vocabulary: a list or 1-D array of tokens, with or without the special tokens at
            the front (in Keras's order: mask token, then the OOV tokens), or the path
            of a text file with one token per line.
        idf_weights: for output_mode="tf_idf" only, one per vocabulary entry; without
            the special tokens, the OOV indices get the mean weight.
        """
        cls = type(self).__name__
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{cls} '{self.name}': output_mode='tf_idf' needs "
                                 "idf_weights with the vocabulary")
        elif idf_weights is not None:
            raise ValueError(f"{cls} '{self.name}': idf_weights are only used with "
                             f"output_mode='tf_idf', not {self.output_mode!r}")
        if isinstance(vocabulary, str):
            if self.output_mode == "tf_idf":
                raise ValueError(f"{cls} '{self.name}': output_mode='tf_idf' does not support "
                                 "a vocabulary file; pass a list with idf_weights")
            try:
                with open(vocabulary, encoding="utf-8") as f:
                    vocabulary = f.read().splitlines()
            except OSError as e:
                raise ValueError(f"{cls} '{self.name}': vocabulary file {vocabulary} cannot "
                                 f"be read ({e})") from None
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        vocab = self._tokens_array(data_array(vocabulary), "vocabulary")
        if vocab.ndim != 1:
            raise ValueError(f"{cls} '{self.name}': the vocabulary must be 1-D, got shape "
                             f"{vocab.shape}")
        if vocab.size == 0:
            raise ValueError(f"{cls} '{self.name}': cannot set an empty vocabulary")
        start = self._token_start_index()
        specials = self._special_tokens()
        found_specials = len(vocab) >= start and vocab[:start].tolist() == specials
        tokens = vocab[start:] if found_specials else vocab
        unique, counts = np.unique(tokens, return_counts=True)
        if (counts > 1).any():
            raise ValueError(f"{cls} '{self.name}': the vocabulary repeats "
                             f"{unique[counts > 1].tolist()}; each token must appear once")
        for token, what in ((self.mask_token, "mask"), (self.oov_token if self.invert
                                                       else None, "OOV")):
            if token is not None and (tokens == token).any():
                raise ValueError(
                    f"{cls} '{self.name}': found the {what} token {token!r} inside the "
                    "vocabulary. The vocabulary need not hold the mask and OOV tokens; if it "
                    f"does, they must come first, in exactly this order: {specials}")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(f"{cls} '{self.name}': a vocabulary of {start + len(tokens)} "
                             f"entries (special tokens included) is larger than max_tokens="
                             f"{self.max_tokens}")
        if idf_weights is not None:
            idf = np.asarray(data_array(idf_weights), backend.floatx)
            if idf.ndim != 1 or len(idf) != len(vocab):
                raise ValueError(f"{cls} '{self.name}': idf_weights must be 1-D with one "
                                 f"weight per vocabulary entry ({len(vocab)}), got shape "
                                 f"{idf.shape}")
            if not found_specials:
                # No real document frequency for the OOV indices: their mean, as Keras.
                idf = np.concatenate([np.full(start, idf.mean(), idf.dtype), idf])
            self._idf = idf
        self._set_tokens(tokens)

    def _set_tokens(self, tokens):
        self._tokens = tokens
        order = np.argsort(tokens, kind="stable")
        self._sorted = tokens[order]
        self._sorted_ids = order.astype(np.int64) + self._token_start_index()

    def _require_vocabulary(self):
        if self._tokens is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' has no vocabulary yet: call "
                "adapt(data) on sample data first, or pass vocabulary= (or call "
                "set_vocabulary())")

    # --- adapt ----------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Build the vocabulary from `data`: a list or array of tokens (each element of a
        1-D array is one document, each row of a 2-D one), or an iterable of batches."""
        self._start_adapt()
        for batch, whole in _batches(data, steps):
            if _is_ragged(batch):  # a list of token lists of different lengths
                self._count_documents([self._tokens_array(np.asarray(d), "adapt() data")
                                       .reshape(-1) for d in batch])
                continue
            values = self._tokens_array(data_array(batch), "adapt() data")
            if values.ndim == 0:
                values = values.reshape(1, 1)
            elif values.ndim == 1:
                # A whole 1-D dataset is as many documents; one 1-D batch is one (Keras).
                values = values[:, None] if whole else values[None, :]
            self._count_dense(values.reshape(len(values), -1))
        self._finish_adapt()

    def _start_adapt(self):
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via the `vocabulary` argument")
        self._counts = []   # (unique tokens, counts) per batch
        self._doc_counts = []
        self._num_documents = 0

    def _count_dense(self, rows):
        """Count a (documents, tokens) array: occurrences, and documents holding each token."""
        self._counts.append(np.unique(rows, return_counts=True))
        if self.output_mode == "tf_idf" and rows.size:
            s = np.sort(rows, axis=1)
            first = np.ones(s.shape, bool)
            first[:, 1:] = s[:, 1:] != s[:, :-1]
            self._doc_counts.append(np.unique(s[first], return_counts=True))
        self._num_documents += len(rows)

    def _count_documents(self, documents):
        """Count a ragged batch: a list of 1-D token arrays, one per document."""
        flat = np.concatenate(documents) if documents else np.zeros(0, self._empty_dtype())
        self._counts.append(np.unique(flat, return_counts=True))
        if self.output_mode == "tf_idf" and flat.size:
            per_doc = np.concatenate([np.unique(d) for d in documents])
            self._doc_counts.append(np.unique(per_doc, return_counts=True))
        self._num_documents += len(documents)

    def _finish_adapt(self):
        tokens, counts = _sum_counts(self._counts, self._empty_dtype())
        drop = np.zeros(len(tokens), bool)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                drop |= tokens == special
        tokens, counts = tokens[~drop], counts[~drop]
        if len(tokens) == 0:
            raise ValueError(f"{type(self).__name__} '{self.name}': adapt() found no tokens "
                             "(besides the mask and OOV tokens) to build a vocabulary from")
        # Decreasing count, ties by decreasing token: Keras's deterministic order.
        order = np.lexsort((tokens, counts))[::-1]
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start_index()]
        tokens = tokens[order]
        if self.output_mode == "tf_idf":
            doc_tokens, doc_counts = _sum_counts(self._doc_counts, self._empty_dtype())
            pos = np.searchsorted(doc_tokens, tokens)
            idf = np.log(1.0 + self._num_documents / (1.0 + doc_counts[pos]))
            idf = idf.astype(backend.floatx)
            # The OOV indices' weight: the mean of the vocabulary's, as Keras.
            self._idf = np.concatenate([np.full(self._token_start_index(), idf.mean(),
                                                idf.dtype), idf])
        self._set_tokens(tokens)
        del self._counts, self._doc_counts

    # --- lookups --------------------------------------------------------------------------
    def _lookup(self, values):
        """Tokens (any shape) -> int64 ids; a masked token is 0 ("int") or -1 (dropped)."""
        self._require_vocabulary()
        if len(self._sorted):
            pos = np.minimum(np.searchsorted(self._sorted, values), len(self._sorted) - 1)
            found = self._sorted[pos] == values
            ids = np.where(found, self._sorted_ids[pos], -1)
        else:  # max_tokens left no room for tokens after the special ones
            found = np.zeros(np.shape(values), bool)
            ids = np.full(np.shape(values), -1, np.int64)
        oov = ~found
        is_mask = None
        if self.mask_token is not None:
            is_mask = values == self.mask_token
            oov &= ~is_mask
        if oov.any():
            if self.num_oov_indices == 0:
                bad = np.unique(values[oov])[:10].tolist()
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': with num_oov_indices=0 every "
                    f"input must be in the vocabulary; found out-of-vocabulary values {bad}. "
                    "Consider num_oov_indices=1")
            start = self._oov_start_index()
            if self.num_oov_indices == 1:
                ids[oov] = start
            else:
                ids[oov] = start + self._oov_buckets(values[oov])
        if is_mask is not None:
            ids[is_mask] = 0 if self.output_mode == "int" else -1
        return ids

    def _invert(self, ids):
        """Ids -> tokens; ids outside the vocabulary give the OOV token."""
        self._require_vocabulary()
        vocab = np.asarray(self.get_vocabulary())  # wide enough for the special tokens
        inside = (ids >= 0) & (ids < len(vocab))
        out = vocab[np.where(inside, ids, 0)]
        if not inside.all():
            out = out.astype(np.result_type(out, np.asarray(self.oov_token)))
            out[~inside] = self.oov_token
        return out

    def _depth(self):
        if self.pad_to_max_tokens:
            return self.max_tokens
        self._require_vocabulary()
        return self.vocabulary_size()

    def _idf_weights(self, depth):
        # With pad_to_max_tokens the extra (never used) indices weigh 0.
        return np.pad(self._idf, (0, depth - len(self._idf)))

    def _encode_ids(self, ids):
        """Lookup ids -> this layer's output array (the ids themselves for "int")."""
        if self.output_mode == "int":
            return ids
        depth = self._depth()
        idf = self._idf_weights(depth) if self.output_mode == "tf_idf" else None
        return encode_categorical(ids, self.output_mode, depth, idf_weights=idf,
                                  dtype=self.dtype)

    def call(self, inputs):
        values = self._tokens_array(data_array(inputs), "inputs", ids=self.invert)
        if self.invert:
            return self._invert(values)
        return self._encode_ids(self._lookup(values))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.output_mode, self._depth())

    # --- config -----------------------------------------------------------------------------
    def get_config(self):
        # The vocabulary (and idf weights) go in the config, adapted or given, special tokens
        # first: from_config rebuilds the same layer (Keras keeps an adapted one in an
        # asset file next to the config).
        config = {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "mask_token": self.mask_token,
            "oov_token": self.oov_token,
            "vocabulary": None if self._tokens is None else self.get_vocabulary(),
            "idf_weights": None if self._idf is None or self._tokens is None
            else self._idf.tolist(),
            "invert": self.invert,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "has_input_vocabulary": self._has_input_vocabulary,
        }
        return config

    @classmethod
    def from_config(cls, config):
        check_config_vocabulary(cls, config)
        return super().from_config(config)


def check_config_vocabulary(cls, config):
    """A config's vocabulary must be a list: from_config never reads a file it names."""
    if isinstance(config.get("vocabulary"), str):
        raise ValueError(f"{cls.__name__}: a saved config must hold the vocabulary itself, "
                         f"not a file path ({config['vocabulary']!r}); loading a model "
                         "reads no other files")


def _is_ragged(batch):
    return isinstance(batch, (list, tuple)) and len(batch) > 1 \
        and all(isinstance(d, (list, tuple, np.ndarray)) for d in batch) \
        and len({len(d) for d in batch}) > 1


def _sum_counts(parts, dtype):
    """Per-batch (unique tokens, counts) pairs -> one sorted (tokens, counts) pair."""
    if not parts:
        return np.zeros(0, dtype), np.zeros(0, np.int64)
    tokens = np.concatenate([t for t, _ in parts])
    counts = np.concatenate([c for _, c in parts])
    unique, inverse = np.unique(tokens, return_inverse=True)
    return unique, np.bincount(inverse.reshape(-1), weights=counts,
                               minlength=len(unique)).astype(np.int64)


# --- IntegerLookup ---------------------------------------------------------------------------

class IntegerLookup(IndexLookup):
    """Arbitrary integer tokens -> contiguous indices (or back, with invert=True).

    With the defaults (num_oov_indices=1, mask_token=None, oov_token=-1), index 0 is
    the out-of-vocabulary bucket and the vocabulary follows from 1. With several OOV
    indices an unknown token t goes to t % num_oov_indices (Keras's "floormod").
    output_mode: "int" (ids, the inputs' shape), "one_hot", "multi_hot", "count",
    "tf_idf" (as CategoryEncoding, over vocabulary_size() indices, or max_tokens with
    pad_to_max_tokens=True). A numeric layer: it also works inside a model.

    Inputs any shape of integers (floats holding whole numbers are accepted: a float32
    Input's values; use Input(dtype="int64") for ids above 2**24). Outputs int64 ids
    or float32 encodings.

    >>> layer = IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]])).data.tolist()
    [[1, 3, 4], [4, 0, 2]]
    >>> layer = IntegerLookup()
    >>> layer.adapt(np.array([[12, 1138, 42], [42, 1000, 36]]))
    >>> layer.get_vocabulary()
    [-1, 42, 1138, 1000, 36, 12]
    """

    int_input = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, name=None,
                 **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError("IntegerLookup: only vocabulary_dtype='int64' is supported, got "
                             f"{vocabulary_dtype!r}")
        for arg, value in (("mask_token", mask_token), ("oov_token", oov_token)):
            if value is not None and (not isinstance(value, (int, np.integer))
                                      or isinstance(value, bool)):
                raise ValueError(f"IntegerLookup: {arg} must be an integer or None, got "
                                 f"{value!r}")
        super().__init__(
            max_tokens=max_tokens, num_oov_indices=num_oov_indices,
            mask_token=None if mask_token is None else int(mask_token),
            oov_token=None if oov_token is None else int(oov_token),
            vocabulary_dtype=vocabulary_dtype, vocabulary=vocabulary, idf_weights=idf_weights,
            invert=invert, output_mode=output_mode, sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens, name=name, **kwargs)

    def _empty_dtype(self):
        return np.int64

    def _tokens_array(self, values, what, ids=False):
        return integer_ids(self, values, "ids" if ids else what)

    def _oov_buckets(self, values):
        return np.mod(values, self.num_oov_indices)

    def call(self, inputs):
        return Tensor(super().call(inputs))

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}


__all__ = ["CategoryEncoding", "Discretization", "Hashing", "IndexLookup", "IntegerLookup",
           "encode_categorical", "fingerprint64", "siphash24"]
