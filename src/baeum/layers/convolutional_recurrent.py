"""Convolutional LSTMs (Shi et al., 2015): ConvLSTM2D and ConvLSTM1D, Keras 3's layers.

An LSTM whose matrix products are convolutions: its input, its states and its output are
images (ConvLSTM2D) or sequences (ConvLSTM1D), so it learns how a picture moves in time,
as in next-frame prediction of a video or a radar map.

    ConvLSTM2D: inputs (batch, time, rows, cols, channels)
                  -> (batch, new_rows, new_cols, filters)          by default
                  -> (batch, time, new_rows, new_cols, filters)    return_sequences=True
    ConvLSTM1D: inputs (batch, time, steps, channels)
                  -> (batch, new_steps, filters)                   by default
                  -> (batch, time, new_steps, filters)             return_sequences=True
    return_state=True: [output, h, c], the last states of the output's shape (no time).

One step (ConvLSTMCell.call), with * a convolution and . the elementwise product:

    a = x_t * kernel + bias + h_{t-1} * recurrent_kernel     (batch, rows', cols', 4 filters)
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)        gates in the order i, f, c, o
    c_t = f . c_{t-1} + i . tanh(a_c)
    h_t = o . tanh(c_t)

The input convolution has the layer's strides, padding and dilation_rate; the recurrent
one always has stride 1 and padding "same", so the states keep the input convolution's
output size (rows', cols'). Weights (Keras's names, shapes and gate order):
kernel (kh, kw, channels, 4 filters), recurrent_kernel (kh, kw, filters, 4 filters),
bias (4 filters,); for ConvLSTM1D kernel (k, channels, 4 filters) and
recurrent_kernel (k, filters, 4 filters).

The layers are `RNN(ConvLSTMCell(...))`: the loop over time, masks, go_backwards and
initial_state are `baeum.layers.RNN`'s, and autograd backpropagates through time over it.
ConvLSTM1D is ConvLSTM2D on images one row high (a (1, k) kernel), as Conv1D is Conv2D's.
"""

import numpy as np

from baeum import activations, regularizers
from baeum import functional as F
from baeum.autograd.tensor import Tensor
from baeum.layers.convolutional import _conv_out, _padding
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer, unique_name
from baeum.layers.rnn_cells import RNN
from baeum.layers.weight_settings import set_weight_settings, weight_settings_config
from baeum.ops.conv import conv_geometry
from baeum.ops.shaping import concatenate


class ConvLSTMCell(Layer):
    """One time step of a convolutional LSTM (the cell ConvLSTM1D and ConvLSTM2D run).

    rank 2: inputs x_t (batch, rows, cols, channels), states [h, c] each
    (batch, rows', cols', filters) -> (h_t, [h_t, c_t]); rank 1: the same without cols.
    (rows', cols') is the input convolution's output size; `state_size` is
    [(rows', cols', filters)] * 2 once built (-1 before, as Keras's).

    dropout: each gate's input convolution sees x_t under a mask of its own (4 masks,
    drawn at a sequence's first step and kept for all of it, as Keras's);
    recurrent_dropout the same for h_{t-1}.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        kind = f"ConvLSTM{rank}D"
        if rank not in (1, 2):
            raise ValueError(f"ConvLSTMCell rank must be 1 or 2, got {rank!r}")
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) \
                or filters <= 0:
            raise ValueError(f"{kind} filters must be a positive integer, got {filters!r}")
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = _ints(kind, "kernel_size", kernel_size, rank)
        self.strides = _ints(kind, "strides", strides, rank)
        self.dilation_rate = _ints(kind, "dilation_rate", dilation_rate, rank)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{kind}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), "
                f"got strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self.padding = _padding(kind, padding)
        if data_format not in (None, "channels_last"):
            layout = "(batch, time, channels, rows, cols)" if rank == 2 else \
                "(batch, time, channels, steps)"
            order = "(0, 1, 3, 4, 2)" if rank == 2 else "(0, 1, 3, 2)"
            raise NotImplementedError(
                f"{kind} supports data_format='channels_last' only, got {data_format!r}; "
                f"transpose {layout} inputs with x.transpose{order}"
            )
        self.data_format = "channels_last"
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.unit_forget_bias = bool(unit_forget_bias)
        set_weight_settings(
            self, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= rate < 1:
                raise ValueError(f"{kind} {arg} must be in [0, 1), got {rate}")
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        # seed: the cell's own stream for its dropout masks (as Keras's seed=)
        self._generator = None if seed is None else np.random.default_rng(seed)
        self._dropout_masks = self._recurrent_dropout_masks = None
        self.state_size = -1  # (rows', cols', filters) per state, known once built
        self.output_size = None
        self.input_spec = InputSpec(ndim=rank + 2)

    # --- weights -------------------------------------------------------------------------
    def build(self, input_shape):
        kind = f"ConvLSTM{self.rank}D"
        *spatial, channels = input_shape[1:]
        if None in spatial or channels is None:
            axes = "rows, cols" if self.rank == 2 else "steps"
            raise ValueError(
                f"{kind}: the sizes of every axis but batch and time must be known, got the "
                f"step shape {tuple(input_shape)} (batch, {axes}, channels)"
            )
        out = conv_geometry(kind, _as_2d(spatial), _as_2d(self.kernel_size),
                            _as_2d(self.strides), self.padding, _as_2d(self.dilation_rate)).out
        self.spatial_dims = tuple(spatial)
        self.output_size = (*out[2 - self.rank:], self.filters)
        self.state_size = [self.output_size, self.output_size]
        n4 = 4 * self.filters
        self.kernel = self.add_weight("kernel", (*self.kernel_size, channels, n4),
                                      self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (*self.kernel_size, self.filters, n4),
            self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = (self.add_weight("bias", (n4,), self._bias_init(),
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={
            i + 1: d for i, d in enumerate(input_shape[1:])})

    def _bias_init(self):
        """unit_forget_bias: the forget gate's quarter of the bias starts at 1."""
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, n = self.bias_initializer, self.filters

        def bias_with_forget_ones(shape, dtype=None):
            return np.concatenate([np.asarray(init((n,), dtype=dtype), dtype),
                                   np.ones((n,), dtype),
                                   np.asarray(init((2 * n,), dtype=dtype), dtype)])

        return bias_with_forget_ones

    def get_initial_state(self, batch_size=None):
        if not self.built:
            raise ValueError(f"ConvLSTMCell '{self.name}' has no state shape until it is built "
                             "(its states have the input convolution's output size)")
        return [Tensor(np.zeros((batch_size, *self.output_size), self.dtype))
                for _ in range(2)]

    # --- one step ------------------------------------------------------------------------
    def call(self, inputs, states, training=None):
        """x_t, [h_{t-1}, c_{t-1}] -> (h_t, [h_t, c_t]); * a convolution, . elementwise:

            a = x_t * kernel + bias + h_{t-1} * recurrent_kernel    (4 filters channels)
            i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_c)   o = sigmoid(a_o)
            c_t = f . c_{t-1} + i . g
            h_t = o . tanh(c_t)

        (sigmoid and tanh: recurrent_activation and activation.)
        """
        h, c = states
        n, gate, act = self.filters, self.recurrent_activation, self.activation
        a = self._input_conv(inputs, training) + self._recurrent_conv(h, training)
        i = gate(a[..., :n])
        f = gate(a[..., n:2 * n])
        g = act(a[..., 2 * n:3 * n])
        o = gate(a[..., 3 * n:])
        c = f * c + i * g
        h = o * act(c)
        return h, [h, c]

    def _input_conv(self, x, training):
        """x_t * kernel + bias, all four gates: (batch, rows', cols', 4 filters)."""
        geometry = dict(strides=self.strides, padding=self.padding,
                        dilation_rate=self.dilation_rate)
        if not (training and self.dropout):
            return self._conv(x, self.kernel, self.bias, **geometry)
        masks = self._masks("_dropout_masks", x, self.dropout)
        biases = [None] * 4 if self.bias is None else _gates(self.bias, self.filters)
        return concatenate([self._conv(x * m, k, b, **geometry) for m, k, b in
                            zip(masks, _gates(self.kernel, self.filters), biases)], axis=-1)

    def _recurrent_conv(self, h, training):
        """h_{t-1} * recurrent_kernel, stride 1, padding "same": (batch, rows', cols', 4 f)."""
        ones = (1,) * self.rank
        geometry = dict(strides=ones, padding="same", dilation_rate=ones)
        if not (training and self.recurrent_dropout):
            return self._conv(h, self.recurrent_kernel, None, **geometry)
        masks = self._masks("_recurrent_dropout_masks", h, self.recurrent_dropout)
        return concatenate([self._conv(h * m, k, None, **geometry) for m, k in
                            zip(masks, _gates(self.recurrent_kernel, self.filters))], axis=-1)

    def _conv(self, x, kernel, bias, strides, padding, dilation_rate):
        if self.rank == 2:
            return F.conv2d(x, kernel, bias, strides=strides, padding=padding,
                            dilation_rate=dilation_rate)
        # rank 1: (batch, steps, channels) as an image one row high, the kernel as (1, k).
        n, steps, channels = x.shape
        y = F.conv2d(x.reshape(n, 1, steps, channels), kernel.reshape(1, *kernel.shape),
                     bias, strides=_as_2d(strides), padding=padding,
                     dilation_rate=_as_2d(dilation_rate))
        return y.reshape(n, y.shape[2], y.shape[3])

    # --- dropout: four masks per sequence, drawn at its first step ------------------------
    def _masks(self, attr, like, rate):
        masks = getattr(self, attr)
        if masks is None or masks[0].shape != like.shape:
            ones = Tensor(np.ones(like.shape, like.dtype))
            masks = [F.dropout(ones, rate, training=True, generator=self._generator)
                     for _ in range(4)]
            setattr(self, attr, masks)
        return masks

    def reset_dropout_mask(self):
        self._dropout_masks = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_masks = None

    def get_config(self):
        return {
            **super().get_config(),
            "rank": self.rank,
            **_cell_settings(self),
        }


# The arguments of the cell, which ConvLSTM2D's config and properties share.
_CELL_SETTINGS = (
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
    "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "dropout", "recurrent_dropout", "seed",
)


class ConvLSTM2D(RNN):
    """2-D convolutional LSTM over a sequence of images, Keras 3's.

    inputs (batch, time, rows, cols, channels) -> (batch, rows', cols', filters)
    (return_sequences=True: (batch, time, rows', cols', filters)); return_state=True:
    [output, h, c] with h, c (batch, rows', cols', filters). rows', cols' as Conv2D's
    ("valid": (rows - kh) // s + 1; "same": ceil(rows / s)).

    One step, gates i, f, c, o (* convolution, . elementwise product):
        a = x_t * kernel + bias + h_{t-1} * recurrent_kernel
        i, f, o = recurrent_activation(a_i, a_f, a_o)
        c_t = f . c_{t-1} + i . activation(a_c);   h_t = o . activation(c_t)

    Weights: kernel (kh, kw, channels, 4 filters), recurrent_kernel
    (kh, kw, filters, 4 filters), bias (4 filters,); unit_forget_bias=True starts the
    forget gate's bias at 1. The recurrent convolution has stride 1, padding "same".
    call(inputs, initial_state=[h0, c0], mask=(batch, time) booleans, training=...).
    stateful=True: each call starts from the states the previous call ended with (see
    RNN). Not supported: data_format="channels_first" (transpose the inputs to channels
    last).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.ConvLSTM2D(8, 3, return_state=True)
    >>> out, h, c = layer(np.ones((2, 5, 10, 10, 2), np.float32))
    >>> out.shape, c.shape
    ((2, 8, 8, 8), (2, 8, 8, 8))
    >>> layer.count_params()   # 3*3*2*32 + 3*3*8*32 + 32
    2912
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            self.rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name=unique_name("conv_lstm_cell"), dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        # The rank is checked in build (with this layer's own message), then the spec holds
        # every axis but batch and time: the states have the first input's spatial size.
        self.input_spec = None

    def build(self, input_shape):
        self._check_rank(input_shape)
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=self.rank + 3, axes={
            i + 2: d for i, d in enumerate(input_shape[2:])})

    def _check_rank(self, shape):
        if len(shape) != self.rank + 3:
            image = "rows, cols" if self.rank == 2 else "steps"
            hint = (f": a single sequence (time, {image}, channels)? add the batch axis, "
                    f"x[None]; a batch without a time axis? add one, x[:, None]"
                    if len(shape) == self.rank + 2 else "")
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects inputs of shape (batch, time, "
                f"{image}, channels) ({self.rank + 3} axes), got shape {tuple(shape)}{hint}"
            )

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        batch, steps, *spatial = input_shape[:-1]
        cell = self.cell
        out = tuple(_conv_out(size, k, s, d, cell.padding) for size, k, s, d in
                    zip(spatial, cell.kernel_size, cell.strides, cell.dilation_rate))
        state = (batch, *out, cell.filters)
        output = (batch, steps, *out, cell.filters) if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        return {**config, **_cell_settings(self.cell),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config):
        return super(RNN, cls).from_config(config)  # Layer's: every argument is ours


# The cell's settings read as the layer's (layer.filters, layer.kernel_size, ...), as
# Keras's properties do.
for _name in _CELL_SETTINGS:
    setattr(ConvLSTM2D, _name, property(lambda self, name=_name: getattr(self.cell, name)))
del _name


class ConvLSTM1D(ConvLSTM2D):
    """1-D convolutional LSTM over a sequence of sequences, Keras 3's: ConvLSTM2D on images
    one row high.

    inputs (batch, time, steps, channels) -> (batch, steps', filters)
    (return_sequences=True: (batch, time, steps', filters)); return_state=True:
    [output, h, c] with h, c (batch, steps', filters). The step is ConvLSTM2D's with 1-D
    convolutions. Weights: kernel (k, channels, 4 filters), recurrent_kernel
    (k, filters, 4 filters), bias (4 filters,).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.ConvLSTM1D(4, 3, padding="same", return_sequences=True)
    >>> layer(np.ones((2, 5, 12, 3), np.float32)).shape
    (2, 5, 12, 4)
    >>> layer.count_params()   # 3*3*16 + 3*4*16 + 16
    352
    """

    rank = 1


# --- helpers ---------------------------------------------------------------------------------


def _cell_settings(cell):
    """The cell's arguments, serialized: the layer's config shares them."""
    return {
        "filters": cell.filters,
        "kernel_size": list(cell.kernel_size),
        "strides": list(cell.strides),
        "padding": cell.padding,
        "data_format": cell.data_format,
        "dilation_rate": list(cell.dilation_rate),
        "activation": activations.serialize(cell.activation),
        "recurrent_activation": activations.serialize(cell.recurrent_activation),
        "use_bias": cell.use_bias,
        "unit_forget_bias": cell.unit_forget_bias,
        **weight_settings_config(cell),
        "dropout": cell.dropout,
        "recurrent_dropout": cell.recurrent_dropout,
        "seed": cell.seed,
    }


def _ints(kind, name, value, rank):
    """An int or `rank` ints (a tuple or list), each >= 1, as a tuple of `rank` ints."""
    values = (value,) * rank if isinstance(value, (int, np.integer)) else value
    try:
        values = tuple(values)
        ok = len(values) == rank and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
            for v in values) and not isinstance(value, bool)
    except TypeError:
        ok = False
    if not ok:
        what = "a positive int" if rank == 1 else f"a positive int or {rank} of them"
        raise ValueError(f"{kind} {name} must be {what}, got {value!r}")
    return tuple(int(v) for v in values)


def _as_2d(sizes):
    """1-D sizes (k,) as the 2-D (1, k) of an image one row high; 2-D sizes as they are."""
    sizes = tuple(sizes)
    return (1, *sizes) if len(sizes) == 1 else sizes


def _gates(w, n):
    """The four gates' slices (i, f, c, o) of a weight's last axis of 4 n."""
    return [w[..., k * n:(k + 1) * n] for k in range(4)]
