"""Reshaping layers: values move, none is computed, there are no weights.

ZeroPadding1D, ZeroPadding2D   zeros around sequences (N, T, C) and images (N, H, W, C)
ZeroPadding3D                  ... and volumes (N, D, H, W, C)
Cropping1D, Cropping2D         the inverse: cut steps / rows and columns off the edges
Cropping3D                     ... and slices, rows and columns off volumes
UpSampling1D                   repeat every step `size` times (UpSampling2D is in pooling.py)
RepeatVector                   (N, features) -> (N, n, features), for seq2seq decoders
Permute                        reorder the non-batch axes (1-indexed, as Keras)

(Reshape and Flatten are in core.py.) Each is a baeum op already (pad, slicing,
upsample2d, broadcast_to, transpose), so each gradient is that op's backward.

    model = Sequential([Input(shape=(28, 28, 1)), ZeroPadding2D(2),   # 32x32, as LeNet-5
                        Conv2D(6, 5, activation="relu"), ...])
"""

import numpy as np

from baeum import functional as F
from baeum.layers.convolutional import _data_format
from baeum.layers.convolutional1d import _one_int
from baeum.layers.convolutional3d import _data_format as _volume_data_format
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.ops import shaping as shape_ops

# How each argument form is described in its error message, as in Keras's docstrings.
_FORMS = {
    1: "an int or a tuple of 2 ints (left_{w}, right_{w})",
    2: ("an int, a tuple of 2 ints (symmetric_height_{w}, symmetric_width_{w}) or a tuple "
        "of 2 tuples of 2 ints ((top_{w}, bottom_{w}), (left_{w}, right_{w}))"),
    3: ("an int, a tuple of 3 ints (symmetric_dim1_{w}, symmetric_dim2_{w}, "
        "symmetric_dim3_{w}) or a tuple of 3 tuples of 2 ints ((left_dim1_{w}, "
        "right_dim1_{w}), (left_dim2_{w}, right_dim2_{w}), (left_dim3_{w}, right_dim3_{w}))"),
}


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _edge_pairs(kind, name, value, rank):
    """Keras's forms of `padding` / `cropping` -> one (before, after) pair per spatial axis.

    rank 1: 2 -> ((2, 2),); (1, 3) -> ((1, 3),).
    rank 2: 2 -> ((2, 2), (2, 2)); (1, 3) -> ((1, 1), (3, 3));
            ((1, 2), (3, 4)) -> ((1, 2), (3, 4)).
    rank 3: the same with 3 entries: (1, 2, 3) -> ((1, 1), (2, 2), (3, 3)).
    """
    def pair(v):
        if _is_int(v):
            return (int(v), int(v))
        if isinstance(v, (tuple, list)) and len(v) == 2 and all(_is_int(e) for e in v):
            return (int(v[0]), int(v[1]))
        return None

    if _is_int(value):
        pairs = (pair(value),) * rank
    elif rank == 1:
        pairs = (pair(value) if isinstance(value, (tuple, list)) else None,)
    elif isinstance(value, (tuple, list)) and len(value) == rank:
        pairs = tuple(pair(v) for v in value)
    else:
        pairs = (None,)
    if None in pairs:
        word = "pad" if name == "padding" else "crop"
        raise ValueError(f"{kind} {name} must be {_FORMS[rank].format(w=word)}, "
                         f"got {value!r}")
    if any(n < 0 for p in pairs for n in p):
        raise ValueError(f"{kind} {name} cannot be negative, got {value!r}")
    return pairs


def _spatial_axes(rank):
    """The axes that are padded or cropped: those between the batch and the channels."""
    return range(1, rank + 1)


def _plain(pairs):
    """Pairs as lists, the form JSON gives back (so a config round-trips unchanged); for
    one axis the pair alone, the form the 1-D layers take."""
    lists = [list(p) for p in pairs]
    return lists[0] if len(lists) == 1 else lists


class _ZeroPadding(Layer):
    rank = 2

    def __init__(self, padding, data_format, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.padding = _edge_pairs(kind, "padding", padding, self.rank)
        self.data_format = _data_format(kind, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return shape_ops.pad(inputs, ((0, 0), *self.padding, (0, 0)))

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, (before, after) in zip(_spatial_axes(self.rank), self.padding):
            if out[axis] is not None:
                out[axis] += before + after
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "padding": _plain(self.padding),
                "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Zeros before and after the steps: (batch, T, C) -> (batch, left + T + right, C).

    padding: an int (as many on both sides) or (left_pad, right_pad).

    >>> import baeum, numpy as np
    >>> y = baeum.layers.ZeroPadding1D((1, 2))(np.ones((1, 2, 1), np.float32))
    >>> y.shape, y.data[0, :, 0].tolist()
    ((1, 5, 1), [0.0, 1.0, 1.0, 0.0, 0.0])
    """

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Rows and columns of zeros around each image: (batch, H, W, C) ->
    (batch, top + H + bottom, left + W + right, C).

    padding: an int (the same on every side), (symmetric_height_pad, symmetric_width_pad),
    or ((top_pad, bottom_pad), (left_pad, right_pad)).

    >>> import baeum, numpy as np
    >>> y = baeum.layers.ZeroPadding2D(1)(np.ones((1, 2, 2, 1), np.float32))
    >>> y.data[0, :, :, 0].astype(int).tolist()
    [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Zeros around each volume: (batch, D, H, W, C) -> (batch, D + front + back,
    H + top + bottom, W + left + right, C).

    padding: an int (the same on every side), 3 ints (symmetric per axis), or 3 pairs
    ((left_dim1_pad, right_dim1_pad), (left_dim2_pad, right_dim2_pad),
    (left_dim3_pad, right_dim3_pad)).

    >>> import baeum, numpy as np
    >>> baeum.layers.ZeroPadding3D(2)(np.ones((1, 1, 2, 2, 3), np.float32)).shape
    (1, 5, 6, 6, 3)
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        _volume_data_format("ZeroPadding3D", data_format)  # the volumes' wording of the error
        super().__init__(padding, data_format, **kwargs)


class _Cropping(Layer):
    rank = 2

    def __init__(self, cropping, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _edge_pairs(type(self).__name__, "cropping", cropping, self.rank)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)  # the check that something is left
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(_spatial_axes(self.rank), self.cropping):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, (before, after) in zip(_spatial_axes(self.rank), self.cropping):
            if out[axis] is None:
                continue
            if before + after >= out[axis]:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}' crops {before} + {after} from axis "
                    f"{axis} of size {out[axis]}, which leaves nothing: the cropping of each "
                    f"axis must sum to less than its size. Input shape: {tuple(input_shape)}, "
                    f"cropping={_plain(self.cropping)}"
                )
            out[axis] -= before + after
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "cropping": _plain(self.cropping)}


class Cropping1D(_Cropping):
    """Cut steps off the start and the end: (batch, T, C) -> (batch, T - left - right, C).

    cropping: an int (as many at both ends) or (left_crop, right_crop).

    >>> import baeum, numpy as np
    >>> x = np.arange(5, dtype=np.float32).reshape(1, 5, 1)
    >>> baeum.layers.Cropping1D((1, 2))(x).data[0, :, 0].tolist()
    [1.0, 2.0]
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):  # no data_format, as in Keras
        super().__init__(cropping, **kwargs)


class Cropping2D(_Cropping):
    """Cut rows and columns off each image's edges: (batch, H, W, C) ->
    (batch, H - top - bottom, W - left - right, C).

    cropping: an int (the same on every side), (symmetric_height_crop,
    symmetric_width_crop), or ((top_crop, bottom_crop), (left_crop, right_crop)).

    >>> import baeum, numpy as np
    >>> baeum.layers.Cropping2D(((2, 2), (4, 4)))(np.ones((2, 28, 28, 3), np.float32)).shape
    (2, 24, 20, 3)
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, **kwargs)
        self.data_format = _data_format(type(self).__name__, data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Cropping3D(Cropping2D):
    """Cut slices, rows and columns off each volume's edges: (batch, D, H, W, C) ->
    (batch, D - front - back, H - top - bottom, W - left - right, C).

    cropping: an int (the same on every side), 3 ints (symmetric per axis), or 3 pairs
    ((left_dim1_crop, right_dim1_crop), (left_dim2_crop, right_dim2_crop),
    (left_dim3_crop, right_dim3_crop)).

    >>> import baeum, numpy as np
    >>> baeum.layers.Cropping3D((2, 4, 2))(np.ones((2, 28, 28, 10, 3), np.float32)).shape
    (2, 24, 20, 6, 3)
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        _volume_data_format("Cropping3D", data_format)  # the volumes' wording of the error
        super().__init__(cropping, data_format, **kwargs)


class UpSampling1D(Layer):
    """Repeat each step `size` times: (batch, T, C) -> (batch, T * size, C).

    >>> import baeum, numpy as np
    >>> x = np.array([[[1.0], [2.0]]], np.float32)
    >>> baeum.layers.UpSampling1D(2)(x).data[0, :, 0].tolist()
    [1.0, 1.0, 2.0, 2.0]
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = _one_int("UpSampling1D", "size", size)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        # A sequence is an image one row high: upsample2d's (1, size) repeats the steps.
        n, t, c = inputs.shape
        y = F.upsample2d(inputs.reshape(n, 1, t, c), size=(1, self.size))
        return y.reshape(n, t * self.size, c)

    def compute_output_shape(self, input_shape):
        n, t, c = input_shape
        return (n, None if t is None else t * self.size, c)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class RepeatVector(Layer):
    """The same vector at n steps: (batch, features) -> (batch, n, features).

    In an LSTM autoencoder it hands the encoder's last state to every decoder step.

    >>> import baeum, numpy as np
    >>> baeum.layers.RepeatVector(3)(np.array([[1.0, 2.0]], np.float32)).data.tolist()
    [[[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]]
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not _is_int(n):
            raise TypeError(f"RepeatVector n must be an integer, got {type(n).__name__}: {n!r}")
        if n <= 0:
            raise ValueError(f"RepeatVector n must be a positive integer, got {n}")
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        batch, features = inputs.shape
        # A view, not n copies; its backward sums the n gradients into one vector.
        return shape_ops.broadcast_to(inputs.reshape(batch, 1, features),
                                      (batch, self.n, features))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorder the axes after the batch axis; dims count them from 1, as in Keras.

    (batch, d1, d2, d3) with dims=(3, 1, 2) -> (batch, d3, d1, d2). (2, 1) swaps a
    sequence's steps and features: (batch, T, C) -> (batch, C, T).

    >>> import baeum, numpy as np
    >>> baeum.layers.Permute((2, 1))(np.zeros((4, 10, 64), np.float32)).shape
    (4, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        given = dims
        dims = tuple(dims) if np.iterable(dims) and not isinstance(dims, str) else ()
        is_permutation = (bool(dims) and all(_is_int(d) for d in dims)
                          and sorted(dims) == list(range(1, len(dims) + 1)))
        if not is_permutation:
            raise ValueError(
                "Permute dims must be a permutation of 1..rank, the axes after the batch axis "
                f"counted from 1 (e.g. (2, 1) to swap steps and features), got {given!r}"
            )
        self.dims = tuple(int(d) for d in dims)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return shape_ops.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}
