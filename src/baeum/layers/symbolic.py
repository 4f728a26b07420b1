"""Symbolic tensors for the functional API: `Input(shape)` and the nodes layers record.

    inputs = Input(shape=(4,))          # a KerasTensor of shape (None, 4)
    h = Dense(5)(inputs)                # Dense records a Node and returns a KerasTensor
    model = Model(inputs, h)            # Model walks the nodes back from the outputs

A KerasTensor holds no data, only its shape (batch dimension None), dtype, and the
node that produced it. Output shapes come from `layer.compute_output_shape` or, when
that returns None, from running the layer once on a batch of zeros.
"""

import numpy as np

from baeum import backend


def _operator(op, reverse=False):
    """A KerasTensor method for a binary operator (`reverse`: the other operand first)."""
    def method(self, other):
        return _op(op, self, other, reverse)
    return method


class KerasTensor:
    def __init__(self, shape, dtype=None, name=None, node=None, index=0):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype or backend.floatx).name
        self.name = name
        self.node = node        # the Node that produced it; None for an Input
        self.index = index      # which output of that node
        self.masked = False     # will its run-time tensor carry a mask (record_call)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    _is_symbolic_tensor = True  # how baeum.ops tells it from a real tensor

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"{self!r} is symbolic: it has a shape but no values until the model runs on "
            "data. Use it in a layer or a baeum.ops function, or call the model on arrays")

    # Python's arithmetic records a TensorOp layer, as in Keras 3 (`x + inputs`). NumPy
    # must not turn `array + x` into an array of objects: it defers to these methods.
    __array_ufunc__ = None

    __add__, __radd__ = _operator("add"), _operator("add", reverse=True)
    __sub__, __rsub__ = _operator("subtract"), _operator("subtract", reverse=True)
    __mul__, __rmul__ = _operator("multiply"), _operator("multiply", reverse=True)
    __truediv__, __rtruediv__ = _operator("divide"), _operator("divide", reverse=True)

    def __neg__(self):
        return _op("negative", self)


def _op(op, a, b=None, reverse=False):
    from baeum.layers.tensor_op import symbolic_op

    return symbolic_op(op, a, b, reverse)


class Node:
    """One call of a layer on symbolic inputs: what it was called with and what it gave."""

    def __init__(self, layer, inputs, args, kwargs, outputs):
        self.layer, self.inputs, self.args, self.kwargs = layer, inputs, args, kwargs
        self.outputs = outputs

    def input_tensors(self):
        return _flatten(self.inputs)


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):  # noqa: N802
    """A symbolic input for a functional model: `Input(shape=(28, 28, 1))`."""
    if _is_string_dtype(dtype):
        raise TypeError(
            f"Input(dtype={dtype!r}): baeum tensors hold numbers only, so a model cannot take "
            "strings (Keras has them with the TensorFlow backend only). Apply TextVectorization or "
            "StringLookup to the data before the model, and start the model at the ids: "
            "Input(shape=(sequence_length,), dtype=\"int64\")")
    if batch_shape is None:
        if shape is None:
            raise ValueError("Input needs shape= (without the batch dimension) or batch_shape=")
        if isinstance(shape, int):
            shape = (shape,)
        batch_shape = (batch_size, *tuple(shape))
    return KerasTensor(batch_shape, dtype=dtype, name=name or _input_name())


def _is_string_dtype(dtype):
    """Keras's "string" (tf.string), or a NumPy dtype of str or bytes."""
    if isinstance(dtype, str) and dtype.lower() in ("string", "str", "bytes", "unicode"):
        return True
    try:
        return dtype is not None and np.dtype(dtype).kind in "SU"
    except TypeError:
        return False


_input_count = [0]


def _input_name():
    n = _input_count[0]
    _input_count[0] += 1
    return "input_layer" if n == 0 else f"input_layer_{n}"


def record_call(layer, inputs, args, kwargs, output_shapes=None):
    """Build `layer` for the symbolic inputs, infer its output shape, record a Node.

    output_shapes: given by a layer whose outputs its first input's shape cannot tell
    (MultiHeadAttention's value length, return_attention_scores' second output)."""
    from baeum.autograd import grad_mode
    from baeum.layers.input_spec import check_input_shape

    shapes = _map(inputs, lambda t: t.shape)
    if not layer.built:
        layer.build_from_shape(shapes)  # checks the input spec first
    check_input_shape(layer, shapes)    # the built layer's spec (e.g. its channel count)
    out_shapes = layer.compute_output_shape(shapes) if output_shapes is None else \
        (list(output_shapes) if isinstance(output_shapes, list) else tuple(output_shapes))
    dummy = None
    # Which tensors carry a mask when the model runs (Embedding(mask_zero=True) on): a layer
    # whose call takes `mask` is run on zeros with an all-True one, as Keras passes its
    # symbolic mask; the outputs learn whether they carry one in turn.
    masked = any(t.masked for t in _flatten(inputs))
    mask = None
    if masked:
        first = _flatten(inputs)[0]
        mask = np.ones(_concrete(first.shape)[:2], bool) if len(first.shape) >= 2 else None
    if out_shapes is None:
        dummy = _map(inputs, lambda t: np.zeros(_concrete(t.shape), dtype=t.dtype))
        run_kwargs = dict(kwargs)
        run_kwargs["training"] = False
        if mask is not None and "mask" not in run_kwargs and layer._accepts("mask"):
            run_kwargs["mask"] = mask
        with grad_mode.no_grad():
            out = layer(dummy, *args, **run_kwargs)
        out_shapes = _map(out, lambda t: (None, *t.shape[1:]))
        out_dtypes = _map(out, lambda t: t.dtype)
    else:
        out_dtypes = _map(out_shapes, lambda s: layer.dtype, leaf=_is_shape)
    node = Node(layer, inputs, args, kwargs, None)
    flat_shapes = _flatten(out_shapes, leaf=_is_shape)
    flat_dtypes = _flatten(out_dtypes, leaf=lambda d: not isinstance(d, (list, tuple)))
    outs = [
        KerasTensor(s, dtype=d, node=node, index=i)
        for i, (s, d) in enumerate(zip(flat_shapes, flat_dtypes))
    ]
    if masked or layer.makes_mask:
        _mark_masked(layer, inputs, dummy, mask, outs)
    node.outputs = outs
    # Each layer keeps its calls on symbolic tensors: `layer.output` is the first one's.
    layer.__dict__.setdefault("_inbound_nodes", []).append(node)
    return outs[0] if _is_shape(out_shapes) else outs


def _mark_masked(layer, inputs, dummy, mask, outs):
    """Set `masked` on the outputs whose run-time tensors will carry a mask: what the
    layer's compute_mask gives for zeros and the all-True input mask (None: no mask)."""
    from baeum.autograd import grad_mode

    if dummy is None:
        dummy = _map(inputs, lambda t: np.zeros(_concrete(t.shape), dtype=t.dtype))
    arg = _to_tensors_for_mask(dummy)
    with grad_mode.no_grad():
        out_mask = layer.compute_mask(arg, mask)
    if isinstance(out_mask, (list, tuple)):
        for t, m in zip(outs, out_mask):
            t.masked = m is not None
    elif out_mask is not None:
        outs[0].masked = True


def _to_tensors_for_mask(x):
    from baeum.autograd.tensor import Tensor

    return _map(x, lambda a: Tensor(a))


def _concrete(shape):
    # A batch of 2 (BatchNormalization-style layers need more than one sample);
    # other unknown sizes become 1.
    return tuple(2 if i == 0 and d is None else (1 if d is None else d)
                 for i, d in enumerate(shape))


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _is_leaf(v):
    return not isinstance(v, (list, tuple, dict))


def _map(x, fn, leaf=None):
    """`fn` applied to every leaf of nested lists/tuples/dicts (tuples come back as lists)."""
    leaf = leaf or _is_leaf
    if leaf(x):
        return fn(x)
    if isinstance(x, dict):
        return {k: _map(v, fn, leaf) for k, v in x.items()}
    return [_map(v, fn, leaf) for v in x]


def _flatten(x, leaf=None):
    """The leaves of nested lists/tuples/dicts, in order, as one list."""
    leaf = leaf or _is_leaf
    if leaf(x):
        return [x]
    values = x.values() if isinstance(x, dict) else x
    return [u for v in values for u in _flatten(v, leaf)]
