"""Merging layers: one tensor from a list of tensors, for models with several branches.

    left, right = Input(shape=(16,)), Input(shape=(8,))
    joined = Concatenate()([Dense(4)(left), Dense(4)(right)])   # (None, 8)
    summed = Add()([Dense(4)(left), Dense(4)(right)])           # (None, 4); or add([...])
    score = Dot(axes=1)([Dense(4)(left), Dense(4)(right)])      # (None, 1)

The elementwise merges (Add, Subtract, Multiply, Average, Maximum, Minimum) broadcast as
Keras does: after the batch axis, each axis must have equal sizes or a size of 1, and
an input of lower rank first gets unit axes right after its batch axis. The batch
sizes must be equal. None of these layers has weights; their gradients are those of
the ops they run (add, concatenate, matmul, ...).
"""

import numpy as np

from baeum.layers.layer import Layer
from baeum.ops import elementwise
from baeum.ops import shaping as shape_ops

EPSILON = 1e-7  # Dot(normalize=True): the smallest norm divided by (Keras's epsilon)


def _as_list(layer, inputs, count=None):
    """The inputs (tensors, or their shapes in build) as a list, or the error for a single
    input or a wrong count."""
    name = type(layer).__name__
    single_shape = isinstance(inputs, tuple) and all(
        d is None or isinstance(d, (int, np.integer)) for d in inputs) and inputs
    if not isinstance(inputs, (list, tuple)) or single_shape:
        shape = inputs if single_shape else getattr(inputs, "shape", None)
        raise ValueError(
            f"A merge layer should be called on a list of inputs: {name} '{layer.name}' got "
            f"a single input of shape {shape}. Pass the tensors as a list, "
            f"e.g. {name}()([x1, x2])"
        )
    inputs = list(inputs)
    if count is not None and len(inputs) != count:
        raise ValueError(
            f"{name} '{layer.name}' should be called on a list of exactly {count} inputs, "
            f"got {len(inputs)}"
        )
    if not inputs:
        raise ValueError(f"{name} '{layer.name}' should be called on a list of at least "
                         "1 input, got an empty list")
    return inputs


def _broadcast(layer, shapes):
    """The output shape of an elementwise merge of `shapes` (batch axis first), or the
    error naming the shapes that do not fit."""
    batches = {s[0] for s in shapes} - {None}
    if len(batches) > 1:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}' cannot merge tensors with different batch "
            f"sizes: got shapes {[tuple(s) for s in shapes]}"
        )
    rank = max(len(s) for s in shapes)
    # Lower ranks get unit axes right after the batch axis.
    padded = [(1,) * (rank - len(s)) + tuple(s[1:]) for s in shapes]
    out = [batches.pop() if batches else None]
    for axis, sizes in enumerate(zip(*padded), start=1):
        known = set(sizes) - {None, 1}
        if len(known) > 1:
            raise ValueError(
                f"{type(layer).__name__} '{layer.name}': inputs have incompatible shapes "
                f"{[tuple(s) for s in shapes]}: after the batch axis, sizes must be equal "
                f"or 1 (they differ at axis {axis})"
            )
        out.append(None if None in sizes else (known.pop() if known else 1))
    return tuple(out)


class _Merge(Layer):
    """Base of the elementwise merges: `_merge(tensors)` on tensors of one rank."""

    n_inputs = None  # a fixed number of inputs (Subtract: 2), else any number >= 1

    def build(self, input_shape):
        _broadcast(self, _as_list(self, input_shape, self.n_inputs))
        self.built = True

    def call(self, inputs):
        inputs = _as_list(self, inputs, self.n_inputs)
        _broadcast(self, [x.shape for x in inputs])
        rank = max(x.ndim for x in inputs)
        for i, x in enumerate(inputs):
            while x.ndim < rank:  # unit axes after the batch axis, as in Keras
                x = shape_ops.expand_dims(x, 1)
            inputs[i] = x
        return self._merge(inputs)

    def _merge(self, inputs):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        """As Keras: a step is real where it is real in any input, when every input has
        a mask; else no mask."""
        if not isinstance(mask, list) or any(m is None for m in mask):
            return None
        return np.logical_or.reduce([np.asarray(m, bool) for m in mask])

    def compute_output_shape(self, input_shape):
        return _broadcast(self, _as_list(self, input_shape, self.n_inputs))


class Add(_Merge):
    """The elementwise sum of the inputs: `Add()([x1, x2, ...])`."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """inputs[0] - inputs[1], for exactly two inputs."""

    n_inputs = 2

    def _merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """The elementwise product of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(_Merge):
    """The elementwise mean of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out * (1.0 / len(inputs))


class Maximum(_Merge):
    """The elementwise maximum of the inputs (a tie sends the gradient to both, halved,
    as `baeum.ops.maximum` does)."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = elementwise.maximum(out, x)
        return out


class Minimum(_Merge):
    """The elementwise minimum of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = elementwise.minimum(out, x)
        return out


class Concatenate(Layer):
    """The inputs joined along `axis` (default -1, the features); every other axis must
    have the same size: (None, 3) and (None, 5) -> (None, 8)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise TypeError(f"Concatenate axis must be an integer, got {axis!r}")
        self.axis = axis

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the shapes
        self.built = True

    def call(self, inputs):
        inputs = _as_list(self, inputs)
        self.compute_output_shape([x.shape for x in inputs])
        return shape_ops.concatenate(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """As Keras, for sequences (batch, steps, ...): joined along the features, a step is
        real where it is real in any input; joined along the steps, the masks are joined
        too. An input without a mask counts as all real."""
        if not isinstance(mask, list):
            return None
        ndim = inputs[0].ndim
        masks = [np.ones(x.shape[:2], bool) if m is None else np.asarray(m, bool)
                 for x, m in zip(inputs, mask)]
        if ndim >= 3 and self.axis % ndim == 1:
            return np.concatenate(masks, axis=1)
        if ndim >= 3 and self.axis % ndim >= 2:
            return np.logical_or.reduce(masks)
        return None

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in _as_list(self, input_shape)]
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise ValueError(
                f"Concatenate '{self.name}' (axis={self.axis}) needs inputs of one rank with "
                f"that axis, got shapes {shapes}"
            )
        axis = self.axis % rank
        out = []
        for i in range(rank):
            sizes = [s[i] for s in shapes]
            if i == axis:
                out.append(None if None in sizes else sum(sizes))
                continue
            known = set(sizes) - {None}
            if len(known) > 1:
                raise ValueError(
                    f"Concatenate '{self.name}' (axis={self.axis}) needs inputs with matching "
                    f"shapes except along the concatenation axis, got shapes {shapes} "
                    f"(they differ at axis {i})"
                )
            out.append(known.pop() if known else None)
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Layer):
    """The dot product of two inputs, sample by sample, along `axes`.

    axes: one axis for both inputs, or a pair (axis of the first, axis of the second);
    the batch axis 0 cannot be one. Two (batch, n) inputs with axes=1 give (batch, 1);
    (batch, n, d) and (batch, m, d) with axes=2 give (batch, n, m). normalize=True
    divides each input by its L2 norm along its axis first: the output is then the
    cosine similarity (word2vec's similarity check).
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = isinstance(axes, (list, tuple))
        if not (isinstance(axes, int) or (pair and len(axes) == 2
                                          and all(isinstance(a, int) for a in axes))):
            raise ValueError(f"Dot axes must be an integer or a pair of integers, got {axes!r}")
        self.axes = list(axes) if pair else axes
        self.normalize = bool(normalize)

    def _axes(self, shapes):
        axes = self.axes if isinstance(self.axes, list) else [self.axes, self.axes]
        axes = [a % len(s) if -len(s) <= a < len(s) else None for a, s in zip(axes, shapes)]
        if None in axes or 0 in axes:
            raise ValueError(
                f"Dot '{self.name}': axes={self.axes} must name an axis after the batch axis "
                f"in both inputs, got shapes {shapes}"
            )
        return axes

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the shapes
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in _as_list(self, input_shape, 2)]
        if min(len(s) for s in shapes) < 2:
            raise ValueError(f"Dot '{self.name}' needs inputs with a batch axis and at least "
                             f"one more, got shapes {shapes}")
        (a, b), (s1, s2) = self._axes(shapes), shapes
        if None not in (s1[a], s2[b]) and s1[a] != s2[b]:
            raise ValueError(
                f"Dot '{self.name}': axis {a} of the first input ({s1[a]}) and axis {b} of the "
                f"second ({s2[b]}) must have the same size; shapes {shapes}"
            )
        if None not in (s1[0], s2[0]) and s1[0] != s2[0]:
            raise ValueError(f"Dot '{self.name}' cannot merge tensors with different batch "
                             f"sizes: got shapes {shapes}")
        out = [*s1[:a], *s1[a + 1:], *s2[1:b], *s2[b + 1:]]
        return tuple(out) if len(out) > 1 else (out[0], 1)

    def call(self, inputs):
        x, y = _as_list(self, inputs, 2)
        out_shape = self.compute_output_shape([x.shape, y.shape])
        a, b = self._axes([x.shape, y.shape])
        if self.normalize:
            x, y = _l2_normalize(x, a), _l2_normalize(y, b)
        if x.ndim == 2 and y.ndim == 2:  # rows against rows: no matrix product needed
            return (x * y).sum(axis=1, keepdims=True)
        # Move x's summed axis last and y's to axis 1, then one batched matrix product:
        # (batch, rest of x, n) @ (batch, n, rest of y).
        if a != x.ndim - 1:
            x = x.transpose([i for i in range(x.ndim) if i != a] + [a])
        if b != 1:
            y = y.transpose([0, b] + [i for i in range(1, y.ndim) if i != b])
        product = x.reshape(x.shape[0], -1, x.shape[-1]) @ y.reshape(y.shape[0], y.shape[1], -1)
        return product.reshape(x.shape[0], *out_shape[1:])

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x, axis):
    """x / max(||x||, EPSILON) along `axis`."""
    squares = (x * x).sum(axis=axis, keepdims=True)
    return x / elementwise.sqrt(elementwise.maximum(squares, EPSILON * EPSILON))


# Keras's functional forms: `add([x1, x2])` is `Add()([x1, x2])`.
def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
