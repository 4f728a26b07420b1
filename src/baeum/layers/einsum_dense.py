"""EinsumDense: a dense layer whose product is an einsum of the inputs and the kernel (Keras 3's).

    outputs = activation(einsum(equation, inputs, kernel) + bias)

The equation names the axes of the inputs, the kernel and the outputs, in one of Keras's
three forms: "ab,bc->ac" (every axis named, the first is the batch), "...b,bc->...c"
(any leading axes, the batch among them, pass through) and "ab...,bc->ac..." (any
trailing axes pass through). `output_shape` gives the output axes' sizes except the
batch's and the "..." ones, None where the inputs tell the size; the kernel's shape
follows: an axis shared with the inputs has the input's size, any other the output's.
`bias_axes` picks the output letters that get a bias; the bias spans the output axes
from the first of them on, with size 1 on the others, so that it broadcasts.

    "ab,bc->ac", 64, bias "c"            (batch, 32)  -> (batch, 64)       kernel (32, 64)
    "abc,cd->abd", (None, 64), bias "d"  (batch, 32, 128) -> (batch, 32, 64), kernel (128, 64)
    "abc,cde->abde", (None, 8, 64)       (batch, 32, 128) -> (batch, 32, 8, 64),
                                          kernel (128, 8, 64): 8 heads of size 64
"""

import numbers
import re

from baeum import activations
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.layers.weight_settings import set_weight_settings, weight_settings_config
from baeum.ops.einsum_op import einsum

# Keras's three forms of equation, and where the axes that "..." stands for are.
_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), None),
    (re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)"), "left"),
    (re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\."), "right"),
)


class EinsumDense(Layer):
    """activation(einsum(equation, inputs, kernel) + bias); see the module docstring.

    equation: "ab,bc->ac", "...b,bc->...c" or "ab...,bc->ac..." (inputs, kernel, outputs).
    output_shape: an int, or a tuple with one entry per output axis except the batch axis
    and the "..." axes; None where the size comes from the inputs.
    bias_axes: the output letters with a bias (e.g. "d"), or None for no bias.
    Initializers, regularizers and constraints as Dense's. LoRA (`lora_rank`) is Keras's
    fine-tuning extension, not in baeum.

    >>> import baeum
    >>> layer = baeum.layers.EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")
    >>> layer(baeum.layers.Input(shape=(32, 128))).shape
    (None, 32, 64)
    >>> layer.kernel.shape, layer.bias.shape, layer.count_params()
    ((128, 64), (64,), 8256)
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        super().__init__(**kwargs)
        if lora_rank is not None or lora_alpha is not None:
            raise ValueError(
                f"EinsumDense '{self.name}': baeum has no LoRA (got lora_rank={lora_rank!r}, "
                f"lora_alpha={lora_alpha!r}); leave them None and train the kernel itself, "
                "or freeze the layer with trainable=False")
        _, _, output_spec, _ = split_equation(equation, self.name)
        if isinstance(output_shape, numbers.Integral) and not isinstance(output_shape, bool):
            output_shape = (output_shape,)
        if not isinstance(output_shape, (tuple, list)) or not all(
                d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool)
                              and d > 0) for d in output_shape):
            raise ValueError(f"EinsumDense '{self.name}': output_shape must be a positive int "
                             f"or a tuple of them (None for a size the inputs give), got "
                             f"{output_shape!r}")
        if bias_axes is not None:
            if not isinstance(bias_axes, str) or not bias_axes:
                raise ValueError(f"EinsumDense '{self.name}': bias_axes must be a string of "
                                 f"output letters such as 'd', or None, got {bias_axes!r}")
            for c in bias_axes:
                if c not in output_spec:
                    raise ValueError(
                        f"EinsumDense '{self.name}': bias dimension {c!r} was requested, but "
                        f"is not part of the output spec {output_spec!r} of {equation!r}")
        self.equation = equation
        self.partial_output_shape = tuple(None if d is None else int(d) for d in output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        set_weight_settings(self, kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer,
                            kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        kernel_shape, bias_shape, self.full_output_shape = einsum_dense_shapes(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape, self.name)
        self.kernel = self.add_weight("kernel", kernel_shape, self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight("bias", bias_shape, self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if bias_shape is not None else None)
        # The input axes the kernel shares have the size the kernel was built for.
        input_spec, kernel_spec, _, elided = split_equation(self.equation, self.name)
        first = len(input_shape) - len(input_spec) if elided == "left" else 0
        axes = {first + i - len(input_shape): input_shape[first + i]
                for i, c in enumerate(input_spec) if c in kernel_spec}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs):
        y = einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            y = y + self.bias
        return activations.apply_to_fresh(self.activation, y)

    def compute_output_shape(self, input_shape):
        return einsum_dense_shapes(self.equation, self.bias_axes, tuple(input_shape),
                                   self.partial_output_shape, self.name)[2]

    def get_config(self):
        return {
            **super().get_config(),
            "output_shape": list(self.partial_output_shape),
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            **weight_settings_config(self),
        }


def split_equation(equation, name="einsum_dense"):
    """(input letters, kernel letters, output letters, where "..." is: None/"left"/"right").

    >>> split_equation("...b,bc->...c")
    ('b', 'bc', 'c', 'left')
    """
    if isinstance(equation, str):
        for pattern, elided in _FORMS:
            match = pattern.fullmatch(equation)
            if match:
                return (*match.groups(), elided)
    raise ValueError(
        f"EinsumDense '{name}': invalid einsum equation {equation!r}. Equations must be in "
        "the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]... (inputs, kernel, "
        "outputs, e.g. 'ab,bc->ac')")


def einsum_dense_shapes(equation, bias_axes, input_shape, output_shape, name="einsum_dense"):
    """(kernel shape, bias shape or None, full output shape), by Keras's rules.

    `output_shape` has the sizes of the output letters after the first (the batch's);
    with leading "...", of every output letter (the batch is among the "..." axes).
    The kernel takes an input letter's size from the inputs, any other from the outputs.

    >>> einsum_dense_shapes("abc,cde->abde", "be", (2, 7, 2), (7, 3, 4))
    ((2, 3, 4), (7, 1, 4), (2, 7, 3, 4))
    """
    where = f"EinsumDense '{name}'"
    input_spec, kernel_spec, output_spec, elided = split_equation(equation, name)
    rank = len(input_shape)
    n_elided = rank - len(input_spec)
    if n_elided < 0 or (elided is None and n_elided):
        raise ValueError(
            f"{where}: the equation {equation!r} names {len(input_spec)} input axes "
            f"({input_spec!r}{' and ...' if elided else ''}), but the inputs have shape "
            f"{input_shape} ({rank} axes)")
    first = n_elided if elided == "left" else 0
    input_size = {c: input_shape[first + i] for i, c in enumerate(input_spec)}
    given = output_spec if elided == "left" else output_spec[1:]
    if len(output_shape) != len(given):
        raise ValueError(
            f"{where}: output_shape {tuple(output_shape)} has {len(output_shape)} entries, but "
            f"the output {output_spec!r} of {equation!r} needs {len(given)}: the sizes of "
            f"{given!r} (None for a size the inputs give)"
            + ("" if elided == "left" else f", without the batch axis {output_spec[0]!r}"))

    size = {} if elided == "left" else {output_spec[0]: input_size.get(output_spec[0])}
    for c, n in zip(given, output_shape):
        known = input_size.get(c)
        if n is not None and known is not None and n != known:
            raise ValueError(
                f"{where}: input shape and output shape do not match at shared dimension "
                f"{c!r}. Input shape is {known}, and output shape is {n}.")
        size[c] = n if n is not None else known
    for c in output_spec:
        if c not in input_spec and c not in kernel_spec:
            raise ValueError(
                f"{where}: dimension {c!r} was specified in the output {output_spec!r} but "
                f"has no corresponding dim in the input spec {input_spec!r} or kernel spec "
                f"{kernel_spec!r}")

    kernel_shape = []
    for c in kernel_spec:
        if c in input_spec:
            n, source = input_size[c], f"the inputs {input_shape}"
        elif c in output_spec:
            n, source = size[c], f"output_shape {tuple(output_shape)}"
        else:
            raise ValueError(
                f"{where}: kernel dimension {c!r} did not have a match in either the input "
                f"spec {input_spec!r} or the output spec {output_spec!r}. For this layer, "
                "the kernel must be fully specified.")
        if n is None:
            raise ValueError(f"{where}: the kernel's axis {c!r} takes its size from {source}, "
                             "where it is None; give it a size")
        kernel_shape.append(n)

    bias_shape = None
    if bias_axes is not None:
        start = min(output_spec.index(c) for c in bias_axes)
        bias_shape = [size[c] if c in bias_axes else 1 for c in output_spec[start:]]
        if None in bias_shape:
            raise ValueError(f"{where}: the bias axes {bias_axes!r} need known sizes, got "
                             f"{tuple(bias_shape)} from the inputs {input_shape} and "
                             f"output_shape {tuple(output_shape)}")
        if elided != "left":  # ones for the trailing "..." axes: the bias broadcasts over them
            bias_shape += [1] * n_elided
        bias_shape = tuple(bias_shape)

    outputs = tuple(size[c] for c in output_spec)
    if elided == "left":
        outputs = tuple(input_shape[:n_elided]) + outputs
    elif elided == "right":
        outputs = outputs + tuple(input_shape[rank - n_elided:])
    return tuple(kernel_shape), bias_shape, outputs
