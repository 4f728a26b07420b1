"""Arithmetic on symbolic tensors: `x + y`, `x * 0.5`, `-x` inside a functional model.

Keras 3 lets a functional graph use Python's operators on its symbolic tensors:

    inputs = Input(shape=(16,))
    x = Dense(16, activation="relu")(inputs)
    outputs = Dense(16)(x) + inputs        # a residual connection
    model = Model(inputs, outputs)

Each such operator records a `TensorOp` layer (no weights) that applies the same
operator to the real tensors when the model runs. Its config names the operator and the
number it may take (`x * 0.5`), never code, so a model that uses them saves and loads.
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
    `reverse=True` puts the number first: `2 - x`); "negative" takes one tensor."""

    def __init__(self, op, constant=None, reverse=False, **kwargs):
        if op not in OPERATORS and op != "negative":
            raise ValueError(f"TensorOp: unknown operator {op!r}; expected one of "
                             f"{sorted(OPERATORS) + ['negative']}")
        kwargs.setdefault("name", unique_name(op))  # add, add_1, ... as Keras names them
        super().__init__(**kwargs)
        self.op, self.constant, self.reverse = op, constant, bool(reverse)

    def call(self, inputs):
        if self.op == "negative":
            return -inputs[0]
        fn = OPERATORS[self.op]
        if self.constant is None:
            return fn(inputs[0], inputs[1])
        if self.reverse:
            return fn(self.constant, inputs[0])
        return fn(inputs[0], self.constant)

    def compute_output_shape(self, input_shape):
        """NumPy's broadcasting of the operands' shapes (None: a size not known yet)."""
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
        return {**super().get_config(), "op": self.op, "constant": self.constant,
                "reverse": self.reverse}


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
