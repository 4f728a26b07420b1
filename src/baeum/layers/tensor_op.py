"""Arithmetic on symbolic tensors: `x + y`, `x * 0.5`, `-x` inside a functional model.

Keras 3 lets a functional graph use Python's operators on its symbolic tensors:

    inputs = Input(shape=(16,))
    x = Dense(16, activation="relu")(inputs)
    outputs = Dense(16)(x) + inputs        # a residual connection
    model = Model(inputs, outputs)

Each such operator records a `TensorOp` layer (no weights) that applies the same
operator to the real tensors when the model runs. Its config names the operator and the
number it may take (`x * 0.5`), never code, so a model that uses them saves and loads.
The functions of `baeum.ops` (Keras's `keras.ops` names) record one the same way:
`ops.mean(x, axis=1)` on a symbolic x saves as {"op": "mean", "arguments": ...}.
"""

import numbers
import operator

from baeum.layers.layer import Layer, unique_name

# The operators a symbolic tensor supports: name -> function of two operands.
OPERATORS = {
    "add": operator.add,
    "subtract": operator.sub,
    "multiply": operator.mul,
    "divide": operator.truediv,
}


class TensorOp(Layer):
    """`operator(x, y)` of two symbolic tensors, or of one and a number (`constant`;
    `reverse=True` puts the number first: `2 - x`); "negative" takes one tensor.

    With `arguments`, `op` names a function of baeum.ops, called with arguments["args"]
    and arguments["kwargs"], where {"tensor": i} (or {"tensors": [i, j]}) stands for this
    layer's i-th input (or a list of them).
    """

    def __init__(self, op, constant=None, reverse=False, arguments=None, **kwargs):
        from baeum.ops.keras_ops import KERAS_OPS

        if arguments is not None and op not in KERAS_OPS:
            raise ValueError(f"TensorOp: baeum.ops has no function {op!r}; it has "
                             f"{sorted(KERAS_OPS)}")
        if arguments is None and op not in OPERATORS and op != "negative":
            raise ValueError(f"TensorOp: unknown operator {op!r}; expected one of "
                             f"{sorted(OPERATORS) + ['negative']}")
        kwargs.setdefault("name", unique_name(op))  # add, add_1, ... as Keras names them
        super().__init__(**kwargs)
        self.op, self.constant, self.reverse = op, constant, bool(reverse)
        self.arguments = arguments
        self._function = KERAS_OPS[op] if arguments is not None else None

    def call(self, inputs):
        if self._function is not None:
            args = [_fill(a, inputs) for a in self.arguments["args"]]
            kwargs = {k: _fill(v, inputs) for k, v in self.arguments["kwargs"].items()}
            return self._function(*args, **kwargs)
        if self.op == "negative":
            return -inputs[0]
        fn = OPERATORS[self.op]
        if self.constant is None:
            return fn(inputs[0], inputs[1])
        if self.reverse:
            return fn(self.constant, inputs[0])
        return fn(inputs[0], self.constant)

    def compute_output_shape(self, input_shape):
        """NumPy's broadcasting of the operands' shapes (None: a size not known yet); for
        a function of baeum.ops, None: the graph runs it once on zeros to find out."""
        if self._function is not None:
            return None
        shapes = [tuple(s) for s in input_shape]
        rank = max(len(s) for s in shapes)
        padded = [(1,) * (rank - len(s)) + s for s in shapes]
        out = []
        for sizes in zip(*padded):
            known = set(sizes) - {None, 1}
            if len(known) > 1:
                raise ValueError(f"{self.op}: operands of shapes {shapes} do not broadcast")
            out.append(known.pop() if known else (None if None in sizes else 1))
        return tuple(out)

    def get_config(self):
        config = {**super().get_config(), "op": self.op, "constant": self.constant,
                  "reverse": self.reverse}
        if self.arguments is not None:
            config["arguments"] = self.arguments
        return config


def _fill(template, inputs):
    """An argument with its tensor placeholders replaced by the layer's inputs."""
    if isinstance(template, dict) and set(template) == {"tensor"}:
        return inputs[template["tensor"]]
    if isinstance(template, dict) and set(template) == {"tensors"}:
        return [inputs[i] for i in template["tensors"]]
    return template


def symbolic_keras_op(name, args, kwargs):
    """Record baeum.ops.<name>(*args, **kwargs) on symbolic tensors as a TensorOp."""
    from baeum.layers.symbolic import KerasTensor

    tensors = []

    def placeholder(value, where):
        if isinstance(value, KerasTensor):
            tensors.append(value)
            return {"tensor": len(tensors) - 1}
        if isinstance(value, (list, tuple)) and value and all(
                isinstance(v, KerasTensor) for v in value):
            tensors.extend(value)
            return {"tensors": list(range(len(tensors) - len(value), len(tensors)))}
        if _is_json_constant(value):
            return list(value) if isinstance(value, tuple) else value
        raise TypeError(
            f"ops.{name} on symbolic tensors: its {where} ({type(value).__name__}) cannot be "
            "saved with the model; arguments may be symbolic tensors, numbers, strings or "
            "lists of them. For anything else, use a layer: Lambda or a custom Layer")

    template = {"args": [placeholder(a, f"argument {i + 1}") for i, a in enumerate(args)],
                "kwargs": {k: placeholder(v, f"argument {k}") for k, v in kwargs.items()}}
    return TensorOp(name, arguments=template, dtype=tensors[0].dtype)(tensors)


def _is_json_constant(value):
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, numbers.Number):
        return isinstance(value, (int, float))
    if isinstance(value, (list, tuple)):
        return all(_is_json_constant(v) for v in value)
    return False


def symbolic_op(op, a, b=None, reverse=False):
    """Record `op` applied to the symbolic tensor `a` and `b` (a symbolic tensor, a number,
    or None for "negative"); return the output symbolic tensor."""
    from baeum.layers.symbolic import KerasTensor

    if isinstance(b, KerasTensor):
        first, second = (b, a) if reverse else (a, b)
        return TensorOp(op, dtype=a.dtype)([first, second])
    if b is None:
        return TensorOp(op, dtype=a.dtype)([a])
    if isinstance(b, numbers.Number) and not isinstance(b, bool):
        return TensorOp(op, constant=float(b), reverse=reverse, dtype=a.dtype)([a])
    raise TypeError(
        f"a symbolic tensor can be combined with another symbolic tensor or a number, got "
        f"{type(b).__name__}; for an array, use a layer (e.g. Lambda(lambda x: x + array))"
    )
