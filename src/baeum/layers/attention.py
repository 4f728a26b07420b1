"""Attention layers: each query step gets an average of the value steps, weighted by how
well the query matches each step's key.

    scores  = score(query, key)              (batch, Tq, Tv), one row per query step
    weights = softmax(scores) over Tv         each row sums to 1 (dropout on it in training)
    output  = weights @ value                 (batch, Tq, value features)

Attention (Luong) scores with a dot product, AdditiveAttention (Bahdanau) with
sum(scale * tanh(query + key)); MultiHeadAttention (Vaswani et al., 2017) first projects
query, key and value into `num_heads` heads, scores each with a dot product scaled by
1/sqrt(key_dim), and projects the heads' outputs back together.

    query, value = Input(shape=(8, 16)), Input(shape=(4, 16))
    context = Attention()([query, value])                               # (None, 8, 16)
    context = MultiHeadAttention(num_heads=2, key_dim=8)(query, value)  # (None, 8, 16)

Masks, as in Keras. A value (key) step that a mask hides has 1e9 subtracted from its
score before the softmax, so its weight is exp(-1e9) = 0 and no gradient reaches it; the
gradients are those of the add, softmax and matmul ops. A hidden query step: Attention
gives it an output of zeros, MultiHeadAttention hides every key from it; either way the
output keeps the query's mask, so later layers and the loss skip that step. Tensors from
Embedding(mask_zero=True) bring their masks along.
"""

import math
import numbers

import numpy as np

from baeum import constraints, initializers, regularizers
from baeum import functional as F
from baeum.autograd.tensor import Tensor
from baeum.layers.layer import Layer, _any_symbolic, _to_tensors
from baeum.layers.symbolic import record_call

SCORE_MODES = ("dot", "concat")


def _title(layer):
    return f"{type(layer).__name__} '{layer.name}'"


def _dropout_rate(layer, rate):
    if not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"{type(layer).__name__} dropout must be a number in [0, 1), "
                         f"got {rate!r}")
    return float(rate)


def _positive_int(layer, argument, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{type(layer).__name__} argument `{argument}` must be a positive "
                         f"integer, got {value!r}")
    return int(value)


def _check_rank_3(layer, what, shape, higher_ranks_unsupported=False):
    """A (batch, steps, features) shape, or the error saying what `what` should be."""
    if len(shape) > 3 and higher_ranks_unsupported:
        raise NotImplementedError(
            f"{_title(layer)}: baeum attends over the steps of 3-D inputs (batch, steps, "
            f"features) only, got {what} of shape {tuple(shape)}; Keras's attention over "
            "several axes (attention_axes) is not implemented. Reshape the axes to attend "
            "over into one steps axis first"
        )
    if len(shape) != 3:
        raise ValueError(f"{_title(layer)} expects {what} of rank 3 (batch, steps, features), "
                         f"got shape {tuple(shape)}")


def _check_equal(layer, axis_name, named_sizes):
    """Known sizes that must agree (None is unknown), e.g. the batch of every input."""
    known = {size for _, size in named_sizes} - {None}
    if len(known) > 1:
        listed = ", ".join(f"{what} {size}" for what, size in named_sizes)
        raise ValueError(f"{_title(layer)}: {axis_name} must be equal, got {listed}")


def _check_features(layer, what, shape, expected):
    if shape[-1] is not None and shape[-1] != expected:
        raise ValueError(f"{_title(layer)}: expected axis -1 of {what} to have value "
                         f"{expected}, but received {what} of shape {tuple(shape)}")


def _bool_mask(layer, mask, shape, what):
    """`mask` as NumPy booleans of `shape`, or the error naming the shape it needs."""
    if mask is None:
        return None
    array = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(bool)
    if array.shape != tuple(shape):
        raise ValueError(f"{_title(layer)}: {what} must have shape {tuple(shape)}, "
                         f"got {array.shape}")
    return array


def _causal_mask(query_steps, key_steps):
    """(Tq, Tv) booleans, True where key step j <= query step i: nothing from the future."""
    return np.tril(np.ones((query_steps, key_steps), bool))


def _masked_softmax(scores, keep):
    """softmax(scores) over the last axis, after lowering the scores where `keep` (booleans
    that broadcast to scores, or None) is False by 1e9 (float16: by its largest value), as
    Keras does: those weights come out 0. A row with nothing kept is lowered alike
    everywhere and still sums to 1 (near-uniform in float32, where 1e9 swamps the scores),
    as in Keras; torch gives NaN there."""
    if keep is None:
        return F.softmax(scores, axis=-1)
    large = 65504.0 if scores.dtype == np.float16 else 1e9
    return F.softmax(scores + np.where(keep, 0.0, -large).astype(scores.dtype), axis=-1)


def _record_symbolic(layer, inputs, args, kwargs, output_shapes):
    """Record a call on symbolic tensors whose outputs have `output_shapes` (one shape, or
    a list for several outputs): which the first input's shape alone cannot tell."""
    return record_call(layer, inputs, tuple(args), dict(kwargs), output_shapes=output_shapes)


def _is_shape(x):
    return isinstance(x, (tuple, list)) and all(
        d is None or isinstance(d, numbers.Integral) for d in x)


def _shape(x):
    """The shape of a tensor or array, or `x` itself when it is a shape already."""
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return tuple(x) if _is_shape(x) else np.shape(x)


class Attention(Layer):
    """Dot-product (Luong-style) attention, Keras's `Attention`.

    inputs: [query (batch, Tq, dim), value (batch, Tv, value_dim)], or
    [query, value, key (batch, Tv, dim)]; the key is the value when not given.
    Output (batch, Tq, value_dim); with return_attention_scores=True also the weights
    (batch, Tq, Tv), after the dropout.

        scores = query @ key^T                        (times `scale` if use_scale)
        score_mode="concat": scores = concat_score_weight * sum over dim of
                             tanh(scale * (query + key))   (scale only if use_scale)
        output = softmax(scores) @ value

    Weights: `scale` () if use_scale, `concat_score_weight` () for "concat", both
    starting at 1. mask=[query_mask (batch, Tq), value_mask (batch, Tv)] (booleans): a
    hidden value step gets weight 0, a hidden query step an output of zeros, and the
    output keeps the query's mask. use_causal_mask=True: query step i sees value steps
    j <= i only (decoder self-attention). dropout: a fraction of the weights dropped in
    training; seed: its own random stream, as Dropout's.

    >>> import baeum, numpy as np
    >>> query, value = np.ones((2, 3, 4)), np.ones((2, 5, 4))
    >>> baeum.layers.Attention()([query, value]).shape
    (2, 3, 4)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in SCORE_MODES:
            raise ValueError(f"Invalid score_mode {score_mode!r} for {type(self).__name__}: "
                             f"expected one of {', '.join(map(repr, SCORE_MODES))}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = _dropout_rate(self, dropout)
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def _query_value_key(self, inputs):
        """(query, value, key) from the inputs list (tensors or shapes); key defaults to
        the value. Checks the count, the ranks and that the sizes fit together."""
        # A tuple of sizes is one input's shape; a list of sizes could only be a mistake.
        if not isinstance(inputs, (list, tuple)) or _is_shape(inputs):
            raise ValueError(
                f"{_title(self)} must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key], got a single input of shape {_shape(inputs)}")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{_title(self)} takes a list of 2 or 3 inputs, namely [query, "
                             f"value] or [query, value, key], got {len(inputs)}")
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        shapes = {"query": _shape(query), "value": _shape(value), "key": _shape(key)}
        for what, shape in shapes.items():
            _check_rank_3(self, what, shape)
        _check_equal(self, "the batch sizes", [(w, s[0]) for w, s in shapes.items()])
        _check_equal(self, "the numbers of steps of the value and the key",
                     [("value", shapes["value"][1]), ("key", shapes["key"][1])])
        _check_equal(self, "the features of the query and the key (the last axes)",
                     [("query", shapes["query"][2]), ("key", shapes["key"][2])])
        return query, value, key

    def build(self, input_shape):
        self._query_value_key(input_shape)
        self.scale = self.add_weight("scale", (), "ones") if self.use_scale else None
        self.concat_score_weight = (self.add_weight("concat_score_weight", (), "ones")
                                    if self.score_mode == "concat" else None)

    def _calculate_scores(self, query, key):
        """(batch, Tq, dim) and (batch, Tv, dim) -> scores (batch, Tq, Tv)."""
        if self.score_mode == "dot":
            scores = query @ key.transpose(0, 2, 1)
            return scores * self.scale if self.scale is not None else scores
        # (batch, Tq, 1, dim) + (batch, 1, Tv, dim): every query step with every key step.
        pairs = query.expand_dims(-2) + key.expand_dims(-3)
        if self.scale is not None:
            pairs = pairs * self.scale
        return self.concat_score_weight * pairs.tanh().sum(axis=-1)

    def _masks(self, mask, query, value):
        if mask is None:
            return None, None
        if not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3:
            raise ValueError(f"{_title(self)} takes mask=[query_mask, value_mask] (a list of "
                             f"2 or 3), got {mask!r}")
        return (_bool_mask(self, mask[0], query.shape[:2], "query_mask (batch, Tq)"),
                _bool_mask(self, mask[1], value.shape[:2], "value_mask (batch, Tv)"))

    def __call__(self, inputs, *args, return_attention_scores=False, **kwargs):
        if return_attention_scores and _any_symbolic(inputs):
            # Two outputs, which the shared symbolic recording cannot know of.
            shapes = [_shape(t) for t in inputs] if isinstance(inputs, (list, tuple)) \
                else _shape(inputs)
            query, value, _ = self._query_value_key(shapes)
            self.build_from_shape(shapes)
            return _record_symbolic(
                self, inputs, args, dict(kwargs, return_attention_scores=True),
                [self.compute_output_shape(shapes), (query[0], query[1], value[1])])
        return super().__call__(inputs, *args, return_attention_scores=return_attention_scores,
                                **kwargs)

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        query, value, key = self._query_value_key(inputs)
        query_mask, value_mask = self._masks(mask, query, value)
        scores = self._calculate_scores(query, key)
        keep = None if value_mask is None else value_mask[:, None, :]
        if use_causal_mask:
            causal = _causal_mask(*scores.shape[1:])
            keep = causal if keep is None else keep & causal
        weights = _masked_softmax(scores, keep)
        if training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout, training=True, generator=self._generator)
        output = weights @ value
        if query_mask is not None:
            output = output * query_mask[:, :, None].astype(output.dtype)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        """The query's mask (the output has the query's steps)."""
        if not isinstance(mask, (list, tuple)) or mask[0] is None:
            return None
        return np.asarray(mask[0].data if isinstance(mask[0], Tensor) else mask[0], bool)

    def compute_output_shape(self, input_shape):
        query, value, _ = self._query_value_key(input_shape)
        return (*query[:-1], value[-1])

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention, Keras's `AdditiveAttention`.

    Inputs, masks, outputs and arguments as `Attention`'s; only the scores differ:

        scores = sum over dim of scale * tanh(query + key)    (batch, Tq, Tv)

    Weights: `scale` (dim,), glorot_uniform, if use_scale (the default); without it
    the scale is 1.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.AdditiveAttention()
    >>> layer([np.ones((2, 3, 4)), np.ones((2, 5, 4))]).shape
    (2, 3, 4)
    >>> layer.count_params()   # one scale per feature
    4
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        if "score_mode" in kwargs:  # Keras takes it and ignores it: a silent wrong model
            raise TypeError("AdditiveAttention got an unexpected keyword argument "
                            "'score_mode': its scores are always additive (use Attention("
                            "score_mode=...) for 'dot' or 'concat')")
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        query_shape = _shape(self._query_value_key(input_shape)[0])
        self.scale = (self.add_weight("scale", (query_shape[-1],), "glorot_uniform")
                      if self.use_scale else None)

    def _calculate_scores(self, query, key):
        # (batch, Tq, 1, dim) + (batch, 1, Tv, dim): every query step with every key step.
        pairs = (query.expand_dims(-2) + key.expand_dims(-3)).tanh()
        if self.scale is not None:
            pairs = pairs * self.scale
        return pairs.sum(axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), Keras's `MultiHeadAttention`.

    query (batch, T, dim), value (batch, S, value_features), key (batch, S,
    key_features) (default: the value) -> output (batch, T, dim), or (batch, T,
    *output_shape); with return_attention_scores=True also the weights of every head,
    (batch, num_heads, T, S), before the dropout.

        per head h:  Q_h = query @ Wq_h + bq_h     (batch, T, key_dim)
                     K_h = key @ Wk_h + bk_h       (batch, S, key_dim)
                     V_h = value @ Wv_h + bv_h     (batch, S, value_dim)
                     A_h = softmax(Q_h K_h^T / sqrt(key_dim))   (dropout in training)
        output = sum over h of (A_h V_h) @ Wo_h + bo

    Weights, in Keras's order, shapes and names: query/kernel (dim, num_heads, key_dim),
    query/bias (num_heads, key_dim), the same for key (key_features) and value
    (value_dim), attention_output/kernel (num_heads, value_dim, dim) and
    attention_output/bias (dim,). The regularizers and constraints apply to every kernel
    and bias; the activity regularizer to the four projections' outputs, as in Keras.

    Masks (booleans; True = attend): query_mask (batch, T), value_mask and key_mask
    (batch, S), attention_mask (batch, T, S) or anything that broadcasts to (batch,
    num_heads, T, S), and use_causal_mask=True (step t sees steps <= t); all are combined
    with AND. Masks riding on the inputs (Embedding(mask_zero=True)) count as the query,
    value and key masks, and the output keeps the query's.

    attention_axes: only the steps axis of 3-D inputs (None, 1 or -2).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.MultiHeadAttention(num_heads=2, key_dim=2)
    >>> out, scores = layer(np.ones((1, 8, 16)), np.ones((1, 4, 16)),
    ...                     return_attention_scores=True)
    >>> out.shape, scores.shape
    ((1, 8, 16), (1, 2, 8, 4))
    >>> layer.count_params()   # 3 * (16*2*2 + 2*2) + 2*2*16 + 16
    284
    """

    supports_masking = True

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = _positive_int(self, "num_heads", num_heads)
        self.key_dim = _positive_int(self, "key_dim", key_dim)
        self.value_dim = (self.key_dim if value_dim is None
                          else _positive_int(self, "value_dim", value_dim))
        self.dropout = _dropout_rate(self, dropout)
        self.use_bias = bool(use_bias)
        # Not `self.output_shape`: models read that name as a layer's output shape.
        self._output_shape = self._valid_output_shape(output_shape)
        self.attention_axes = self._valid_attention_axes(attention_axes)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        # Not `self.activity_regularizer`: Layer would apply that to the output only.
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def _valid_output_shape(self, output_shape):
        if output_shape is None:
            return None
        shape = (output_shape,) if isinstance(output_shape, numbers.Integral) else output_shape
        if not isinstance(shape, (list, tuple)) or not shape or not all(
                isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0
                for d in shape):
            raise ValueError(f"Invalid `output_shape`: {output_shape!r}. When specified, it "
                             "must be a positive int or a tuple or list of them (the output's "
                             "shape after the batch and steps axes)")
        return tuple(int(d) for d in shape)

    def _valid_attention_axes(self, attention_axes):
        if attention_axes is None:
            return None
        axes = (attention_axes,) if isinstance(attention_axes, numbers.Integral) \
            else attention_axes
        if not isinstance(axes, (list, tuple)):
            raise ValueError(f"`attention_axes` must be an int, list, or tuple, got "
                             f"{attention_axes!r}")
        axes = tuple(axes)
        if axes not in ((1,), (-2,)):
            raise NotImplementedError(
                f"{_title(self)}: baeum attends over the steps axis of 3-D inputs (batch, "
                f"steps, features) only: attention_axes=None, 1 or -2, got {attention_axes!r}")
        return axes

    # --- shapes ------------------------------------------------------------------------
    def _check_shapes(self, query_shape, value_shape, key_shape):
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            _check_rank_3(self, what, shape, higher_ranks_unsupported=True)
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"{_title(self)}: all dimensions of `value` and `key`, except the last one, "
                f"must be equal. Received: value_shape={tuple(value_shape)} and "
                f"key_shape={tuple(key_shape)}")
        _check_equal(self, "the batch sizes", [("query", query_shape[0]),
                                               ("value", value_shape[0]),
                                               ("key", key_shape[0])])

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self._check_shapes(query_shape, value_shape, key_shape)
        return (*query_shape[:-1], *(self._output_shape or (query_shape[-1],)))

    # --- weights -----------------------------------------------------------------------
    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self._check_shapes(query_shape, value_shape, key_shape)
        heads = self.num_heads
        self.query_kernel, self.query_bias = self._projection(
            "query", (query_shape[-1], heads, self.key_dim))
        self.key_kernel, self.key_bias = self._projection(
            "key", (key_shape[-1], heads, self.key_dim))
        self.value_kernel, self.value_bias = self._projection(
            "value", (value_shape[-1], heads, self.value_dim))
        self.output_kernel, self.output_bias = self._projection(
            "attention_output",
            (heads, self.value_dim, *(self._output_shape or (query_shape[-1],))), n_in=2)
        self.built = True

    # Layer wraps a subclass's build(input_shape) to mark it built; this one marks itself,
    # so that Keras's keyword call build(query_shape=..., value_shape=...) works too.
    build._marks_built = True

    def _projection(self, name, kernel_shape, n_in=1):
        """Keras's EinsumDense weights: a kernel over the first `n_in` axes of its shape
        into the rest, and a bias of the rest's shape."""
        kernel = self.add_weight(f"{name}/kernel", kernel_shape, self.kernel_initializer,
                                 regularizer=self.kernel_regularizer,
                                 constraint=self.kernel_constraint)
        bias = None
        if self.use_bias:
            bias = self.add_weight(f"{name}/bias", kernel_shape[n_in:], self.bias_initializer,
                                   regularizer=self.bias_regularizer,
                                   constraint=self.bias_constraint)
        return kernel, bias

    # --- calling -----------------------------------------------------------------------
    def __call__(self, query, value, key=None, **kwargs):
        # Layer.__call__ sees one input; the value and the key come as more arguments, so
        # they are converted, and the layer built from all three shapes, here.
        tensors = [query, value] if key is None else [query, value, key]
        if _any_symbolic(tensors):
            return self._record(tensors, kwargs)
        value = _to_tensors(value, self.dtype)
        key = None if key is None else _to_tensors(key, self.dtype)
        if not self.built:
            self.build(_shape(query), value.shape, None if key is None else key.shape)
        return super().__call__(query, value, key, **kwargs)

    def _record(self, tensors, kwargs):
        shapes = [_shape(t) for t in tensors]
        if not self.built:
            self.build(*shapes)
        output_shape = self.compute_output_shape(*shapes)
        if kwargs.get("return_attention_scores"):
            query_shape, value_shape = shapes[0], shapes[1]
            output_shape = [output_shape,
                            (query_shape[0], self.num_heads, query_shape[1], value_shape[1])]
        return _record_symbolic(self, tensors[0], tensors[1:], kwargs, output_shape)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key_given = key is not None
        key = key if key_given else value
        self._check_shapes(query.shape, value.shape, key.shape)
        _check_features(self, "query", query.shape, self.query_kernel.shape[0])
        _check_features(self, "key", key.shape, self.key_kernel.shape[0])
        _check_features(self, "value", value.shape, self.value_kernel.shape[0])
        keep = self._attention_mask(
            query, value,
            query_mask if query_mask is not None else getattr(query, "_keras_mask", None),
            value_mask if value_mask is not None else getattr(value, "_keras_mask", None),
            key_mask if key_mask is not None or not key_given
            else getattr(key, "_keras_mask", None),
            attention_mask, use_causal_mask)
        # (batch, steps, heads, size) -> (batch, heads, steps, size): one matmul per head.
        q = _project(query, self.query_kernel, self.query_bias)
        k = _project(key, self.key_kernel, self.key_bias)
        v = _project(value, self.value_kernel, self.value_bias)
        scaled_q = q.transpose(0, 2, 1, 3) * (1.0 / math.sqrt(self.key_dim))
        scores = _masked_softmax(scaled_q @ k.transpose(0, 2, 3, 1), keep)  # (b, h, T, S)
        weights = F.dropout(scores, self.dropout, training=bool(training),
                            generator=self._generator)
        context = (weights @ v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)  # (b, T, h, v)
        output = _project(context, self.output_kernel, self.output_bias, n_in=2)
        if self._activity_regularizer is not None:
            self._activity_losses = [self._activity_regularizer(t) for t in (q, k, v, output)]
        return (output, scores) if return_attention_scores else output

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask,
                        attention_mask, use_causal_mask):
        """Keras's combined mask: every given mask ANDed, as booleans that broadcast to the
        scores (batch, heads, T, S); None when there is no mask at all."""
        batch, target, source = query.shape[0], query.shape[1], value.shape[1]
        keep = None
        for mask, shape, what, expand in (
                (query_mask, (batch, target), "query_mask (batch, T)", (1, 3)),
                (value_mask, (batch, source), "value_mask (batch, S)", (1, 2)),
                (key_mask, (batch, source), "key_mask (batch, S)", (1, 2))):
            mask = _bool_mask(self, mask, shape, what)
            if mask is not None:
                mask = np.expand_dims(mask, expand)
                keep = mask if keep is None else keep & mask
        if use_causal_mask:
            causal = _causal_mask(target, source)[None, None]
            keep = causal if keep is None else keep & causal
        if attention_mask is not None:
            mask = np.asarray(attention_mask.data if isinstance(attention_mask, Tensor)
                              else attention_mask).astype(bool)
            given_shape, scores_shape = mask.shape, (batch, self.num_heads, target, source)
            # Keras adds the missing axes before (batch, T, S)'s T: a heads axis, a batch axis.
            while mask.ndim < 4:
                mask = np.expand_dims(mask, -3)
            try:
                fits = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
            except ValueError:
                fits = False
            if not fits:
                raise ValueError(
                    f"{_title(self)}: attention_mask of shape {given_shape} does not fit the "
                    f"attention scores (batch, heads, T, S) = {scores_shape}: give (batch, T, "
                    "S), (T, S) or (batch, heads, T, S), True where a query step may attend")
            keep = mask if keep is None else keep & mask
        return keep

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": None if self._output_shape is None else list(self._output_shape),
            "attention_axes": None if self.attention_axes is None else list(self.attention_axes),
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        }


def _project(x, kernel, bias, n_in=1):
    """x's last `n_in` axes times kernel (those axes first in its shape) plus bias, as
    Keras's EinsumDense: (batch, steps, *in) @ (*in, *out) -> (batch, steps, *out), one
    fused matmul + bias on the flattened axes."""
    in_dims, out_dims = kernel.shape[:n_in], kernel.shape[n_in:]
    lead = x.shape[:x.ndim - n_in]
    flat_kernel = kernel.reshape(math.prod(in_dims), math.prod(out_dims))
    flat_bias = None if bias is None else bias.reshape(math.prod(out_dims))
    y = F.linear(x.reshape(*lead, math.prod(in_dims)), flat_kernel, flat_bias)
    return y.reshape(*lead, *out_dims)
