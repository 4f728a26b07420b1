"""What inputs a layer accepts, and the error a user sees when an input does not fit."""

from dataclasses import dataclass


@dataclass
class InputSpec:
    """Constraints a layer puts on its input: exact rank, minimum rank, fixed axis sizes.

    `axes` maps an axis (negative counts from the end) to the size it must have.
    """

    ndim: int | None = None
    min_ndim: int | None = None
    axes: dict | None = None


def check_input(layer, inputs):
    """Raise a Keras-style ValueError, with a hint for the classic mistakes, on a bad input."""
    spec = layer.input_spec
    xs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    specs = spec if isinstance(spec, (list, tuple)) else [spec] * len(xs)
    for i, (x, s) in enumerate(zip(xs, specs)):
        if s is None:
            continue
        shape = tuple(x.shape)
        where = f"Input {i} of layer '{layer.name}' is incompatible with the layer"
        if s.ndim is not None and len(shape) != s.ndim:
            raise ValueError(
                f"{where}: expected ndim={s.ndim}, found ndim={len(shape)}. "
                f"Full shape received: {shape}{_rank_hint(layer, shape, s.ndim)}"
            )
        if s.min_ndim is not None and len(shape) < s.min_ndim:
            raise ValueError(
                f"{where}: expected min_ndim={s.min_ndim}, found ndim={len(shape)}. "
                f"Full shape received: {shape}"
            )
        for axis, size in (s.axes or {}).items():
            if size is None or shape[axis] is None:  # unknown sizes (symbolic) fit anything
                continue
            if shape[axis] != size:
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {size}, "
                    f"but received input with shape {shape}"
                    f"{_flatten_hint(layer, shape, axis, size)}"
                )


def check_input_shape(layer, input_shape):
    """check_input for shapes (a tuple, or a list/dict of them) instead of tensors."""
    if layer.input_spec is None:
        return
    if isinstance(input_shape, dict):
        input_shape = list(input_shape.values())
    if isinstance(input_shape, list):
        check_input(layer, [_Shaped(s) for s in input_shape])
    else:
        check_input(layer, _Shaped(input_shape))


class _Shaped:
    def __init__(self, shape):
        self.shape = tuple(shape)


def _flatten_hint(layer, shape, axis, size):
    n = 1
    for d in shape[1:]:
        n *= d
    if type(layer).__name__ == "Dense" and len(shape) > 2 and n == size:
        return (
            f". Dense '{layer.name}' expects inputs with last dimension {size}, got {shape}: "
            "did you forget a Flatten() layer before it?"
        )
    return ""


def _rank_hint(layer, shape, ndim):
    if ndim == 3 and hasattr(layer, "return_sequences"):
        return (
            f". {type(layer).__name__} '{layer.name}' expects (batch, timesteps, features): "
            "for one feature per timestep add an axis, x[..., None]"
        )
    if ndim == 4 and len(shape) == 3:
        return (
            ". Convolution and pooling layers take images as (batch, height, width, channels): "
            "add the channel axis, e.g. x[..., None] or Reshape((28, 28, 1))"
        )
    return ""
