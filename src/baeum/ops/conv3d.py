"""3-D convolution on channels-last volumes (N, D, H, W, C): conv3d and conv3d_transpose.

The 2-D recipe of ops/conv.py one axis up. vol2col turns every kd x kh x kw window of the
zero-padded volume into one row of a column matrix `cols` (N*D_out*H_out*W_out,
kd*kh*kw*C_in), ordered (i, j, k, c) like the kernel (kd, kh, kw, C_in, C_out) reshaped
to the matrix W (kd*kh*kw*C_in, C_out):

    y = cols @ W + b                       forward, one matmul (cols gets a column of ones
                                           and W the row b: the bias add is in the matmul)
    dW = cols^T @ g,  db = sum(g)          backward, one matmul for both
    dcols = g @ W^T,  dx = col2vol(dcols)  backward: col2vol adds each of the kd*kh*kw
                                           kernel taps' slices of dcols back into the volume

vol2col and col2vol loop over the kernel's taps (kd*kh*kw strided slice copies / adds),
never over pixels. conv3d_transpose is conv3d's input gradient run forwards (Keras /
TensorFlow semantics), so its backward is conv3d's forward.

The window geometry is conv.py's ConvGeometry with three sizes per field, and "same"
padding is conv.py's rule (TensorFlow's: the odd extra pixel of padding goes at the end).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from baeum.autograd.function import Function, sum_rows
from baeum.ops.conv import (
    ConvGeometry,
    _check_bias,
    _same_pads,
    _tensor,
    _transpose_out_size,
    columns_t_matmul,
    image_chunks,
    window_taps,
)
from baeum.ops.conv import weight_matrix as conv_weight_matrix

# Without a kernel gradient to compute (inference), the column matrix is built and
# multiplied a few volumes at a time, about this many bytes of it per step.
_CHUNK_BYTES = 8 << 20


# --- the shared machinery: padding, vol2col, col2vol ---------------------------------


def pad_dhw(x, pads, value=0):
    """Pad the three spatial axes of (N, D, H, W, C) with `value`; no copy when there is
    nothing to pad. pads: ((front, back), (top, bottom), (left, right))."""
    if not any(a or b for a, b in pads):
        return x
    n, *dhw, c = x.shape
    out = np.full((n, *(s + a + b for s, (a, b) in zip(dhw, pads)), c), value, x.dtype)
    out[_inner(pads, dhw)] = x
    return out


def crop_dhw(xp, pads, dhw):
    """The unpadded volume of spatial size dhw inside the padded xp (a view)."""
    return xp[_inner(pads, dhw)]


def _inner(pads, dhw):
    return (slice(None), *(slice(a, a + s) for (a, _), s in zip(pads, dhw)), slice(None))


def tap_index(geo, tap):
    """The index into a padded volume of what kernel tap (i, j, k) sees in every window:
    a strided view (N, D_out, H_out, W_out, C)."""
    return (slice(None), *(window_taps(t, d, s, o) for t, d, s, o in zip(
        tap, geo.dilation, geo.strides, geo.out)), slice(None))


def kernel_taps(geo):
    """The kernel taps (i, j, k), in the kernel's (row-major) order."""
    return np.ndindex(*geo.kernel)


_ALL = slice(None)


def vol2col(xp, geo, ones_column=False):
    """Padded volume (N, Dp, Hp, Wp, C) -> columns (N*D_out*H_out*W_out, kd*kh*kw*C), each
    row one window, ordered (i, j, k, c) as the kernel.

    One channel: one strided copy per kernel tap. More: one copy of a sliding-window view,
    in which NumPy merges a window row's (k, c) into one run of kw*C values (with
    dilation 1) instead of kw runs of C: 2.6x faster for C=2, 8x for C=8 ((8, 8, 16, 16,
    C) volumes, 3x3x3), 1.5x slower for C=1.

    ones_column=True appends a column of ones, so that `cols @ [W; b]` adds the bias
    inside the matmul."""
    n, c = xp.shape[0], xp.shape[4]
    k = int(np.prod(geo.kernel)) * c
    cols = np.empty((n * int(np.prod(geo.out)), k + ones_column), xp.dtype)
    if ones_column:
        cols[:, k] = 1
    windows = cols[:, :k].reshape(n, *geo.out, *geo.kernel, c, copy=False)
    if c == 1:
        for tap in kernel_taps(geo):
            windows[(_ALL,) * 4 + tap] = xp[tap_index(geo, tap)]
        return cols
    span = tuple((size - 1) * d + 1 for size, d in zip(geo.kernel, geo.dilation))
    views = sliding_window_view(xp, span, axis=(1, 2, 3))  # (N, ., ., ., C, span...)
    starts = tuple(slice(None, (o - 1) * s + 1, s) for o, s in zip(geo.out, geo.strides))
    taps = tuple(slice(None, None, d) for d in geo.dilation)
    np.copyto(windows, views[(_ALL, *starts, _ALL, *taps)].transpose(0, 1, 2, 3, 5, 6, 7, 4))
    return cols


def col2vol(dcols, padded_shape, geo):
    """Columns (N*D_out*H_out*W_out, kd*kh*kw*C) -> padded volume (N, Dp, Hp, Wp, C),
    adding where windows overlap: vol2col's inverse scatter, one strided add per tap.

    Where the windows step one voxel across (stride and dilation 1 along W) and there is
    more than one channel, the adds move whole runs instead, as conv.py's col2im does: a
    window's kw*C values of one kernel row land on kw*C consecutive values of the volume,
    and windows r, r + kw, r + 2kw, ... side by side (1.6-2.3x faster for C = 3 to 32)."""
    n, c = padded_shape[0], padded_shape[4]
    dxp = np.zeros(padded_shape, dcols.dtype)
    (kd, kh, kw), (do, ho, wo) = geo.kernel, geo.out
    if geo.strides[2] == 1 and geo.dilation[2] == 1 and c > 1:
        per_row = dcols.reshape(n, do, ho, wo, kd, kh, kw * c)
        for i in range(kd):
            for j in range(kh):
                rows = dxp[:, window_taps(i, geo.dilation[0], geo.strides[0], do),
                           window_taps(j, geo.dilation[1], geo.strides[1], ho)]
                for r in range(min(kw, wo)):
                    count = len(range(r, wo, kw))
                    runs = rows[:, :, :, r:r + kw * count].reshape(n, do, ho, count, kw * c,
                                                                  copy=False)
                    runs += per_row[:, :, :, r::kw, i, j]
        return dxp
    per_tap = dcols.reshape(n, *geo.out, *geo.kernel, c)
    for tap in kernel_taps(geo):
        dxp[tap_index(geo, tap)] += per_tap[(_ALL,) * 4 + tap]
    return dxp


def weight_matrix(kernel, bias=None):
    """The kernel (kd, kh, kw, C_in, C_out) as a matrix (kd*kh*kw*C_in, C_out), with the
    bias as one more row when given: [W; b], for vol2col's ones column. (conv.py's
    weight_matrix, given the kernel as a 1 x 1 2-D kernel of kd*kh*kw*C_in channels.)"""
    return conv_weight_matrix(kernel.reshape(1, 1, -1, kernel.shape[-1]), bias)


def conv3d_input_grad(g2, kernel, geo, volume_shape):
    """conv3d's input gradient: g2 (N*D_out*H_out*W_out, C_out), kernel
    (kd, kh, kw, C_in, C_out) -> (N, D, H, W, C_in), the gradient of the unpadded volume
    of `volume_shape`."""
    n, *dhw, c = volume_shape
    padded_shape = (n, *(s + a + b for s, (a, b) in zip(dhw, geo.pads)), c)
    w_t = kernel.reshape(-1, kernel.shape[-1]).T  # (C_out, kd*kh*kw*C_in)
    return crop_dhw(col2vol(g2 @ w_t, padded_shape, geo), geo.pads, dhw)


def _conv_matmul(x, geo, w_mat, ones_column):
    """vol2col(pad(x)) @ w_mat a few volumes at a time, when nothing needs the column
    matrix afterwards. x (N, D, H, W, C) -> (N*D_out*H_out*W_out, C_out)."""
    n = x.shape[0]
    pixels = int(np.prod(geo.out))
    per_volume = pixels * w_mat.shape[0] * x.itemsize
    chunks = image_chunks(n, _CHUNK_BYTES // max(per_volume, 1))
    if len(chunks) == 1:
        return vol2col(pad_dhw(x, geo.pads), geo, ones_column) @ w_mat
    y = np.empty((n * pixels, w_mat.shape[1]), np.result_type(x, w_mat))
    for volumes in chunks:
        cols = vol2col(pad_dhw(x[volumes], geo.pads), geo, ones_column)
        np.matmul(cols, w_mat, out=y[volumes.start * pixels:volumes.stop * pixels])
    return y


# --- conv3d -----------------------------------------------------------------------


class Conv3D(Function):
    """y = conv3d(x, kernel) + bias. x (N, D, H, W, C_in), kernel (kd, kh, kw, C_in, C_out),
    bias (C_out,) or None -> y (N, D_out, H_out, W_out, C_out)."""

    def forward(self, x, kernel, bias, *, geometry):
        has_bias = bias is not None
        self.geo, self.x_shape, self.kernel = geometry, x.shape, kernel
        self.has_bias = has_bias
        w_mat = weight_matrix(kernel, bias)
        self.cols = None
        if self.needs_input_grad[1] or self.needs_input_grad[2]:  # dW = cols^T g
            self.cols = vol2col(pad_dhw(x, geometry.pads), geometry, ones_column=has_bias)
            y = self.cols @ w_mat
        else:
            y = _conv_matmul(x, geometry, w_mat, has_bias)
        return y.reshape(x.shape[0], *geometry.out, kernel.shape[-1])

    def backward(self, g):
        need_x, need_kernel, need_bias = self.needs_input_grad
        g2 = g.reshape(-1, self.kernel.shape[-1])
        gx = conv3d_input_grad(g2, self.kernel, self.geo, self.x_shape) if need_x else None
        gk = gb = None
        if need_kernel:
            gw = columns_t_matmul(self.cols, g2)  # [dW; db] when cols has the ones column
            gk = (gw[:-1] if self.has_bias else gw).reshape(self.kernel.shape)
            gb = gw[-1] if need_bias else None
        elif need_bias:
            gb = sum_rows(g2)
        return gx, gk, gb


def conv3d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """3-D convolution (cross-correlation) of channels-last volumes.

    x: (N, D, H, W, C_in); kernel: (kd, kh, kw, C_in, C_out), the layout of Keras Conv3D
    and tf.nn.conv3d; bias: (C_out,) or None -> (N, D_out, H_out, W_out, C_out).

    padding: "valid" (none), "same" (TensorFlow's rule: D_out = ceil(D / stride), an odd
    leftover pixel of padding goes at the end), an int p (p zeros on every side) or three
    ints. strides and dilation_rate: an int or three ints. Per axis, with the dilated
    kernel k = (kd - 1) * dilation + 1: "valid" D_out = (D - k) // stride + 1.

    >>> import numpy as np, baeum, baeum.functional as F
    >>> x = baeum.tensor(np.arange(8.0).reshape(1, 2, 2, 2, 1))
    >>> k = baeum.tensor(np.ones((2, 2, 2, 1, 1)))
    >>> F.conv3d(x, k).reshape(-1).tolist()   # 0 + 1 + ... + 7
    [28.0]
    >>> F.conv3d(x, k, padding="same").shape
    (1, 2, 2, 2, 1)
    """
    x, kernel = check_volume("conv3d", x), _tensor(kernel)
    _check_kernel("conv3d", kernel, "(kd, kh, kw, C_in, C_out)")
    if kernel.shape[3] != x.shape[4]:
        raise ValueError(
            f"conv3d: the kernel of shape {kernel.shape} expects {kernel.shape[3]} input "
            f"channels, got inputs with {x.shape[4]} channels (shape {x.shape})"
        )
    bias = _check_bias("conv3d", bias, kernel.shape[4])
    geo = volume_geometry("conv3d", x.shape[1:4], kernel.shape[:3], strides, padding,
                          dilation_rate)
    return Conv3D.apply(x, kernel, bias, geometry=geo)


# --- conv3d_transpose -------------------------------------------------------------


class Conv3DTranspose(Function):
    """The gradient of conv3d with respect to its input, as an op of its own.

    x (N, D, H, W, C_in), kernel (kd, kh, kw, C_out, C_in) (Keras Conv3DTranspose layout:
    the kernel of the conv3d being transposed), bias (C_out,) or None
    -> (N, D', H', W', C_out)."""

    def forward(self, x, kernel, bias, *, geometry, out_dhw):
        x2 = x.reshape(-1, x.shape[4])
        y = conv3d_input_grad(x2, kernel, geometry, (x.shape[0], *out_dhw, kernel.shape[3]))
        y = y + bias.astype(y.dtype, copy=False) if bias is not None else np.ascontiguousarray(y)
        self.geo, self.x_shape, self.kernel_shape = geometry, x.shape, kernel.shape
        self.x2 = x2 if self.needs_input_grad[1] else None
        self.w_mat = kernel.reshape(-1, x.shape[4])
        return y

    def backward(self, g):
        # The transpose's backward is conv3d's forward (for x) and its kernel gradient.
        need_x, need_kernel, need_bias = self.needs_input_grad
        gx = gk = gb = None
        if need_x or need_kernel:
            cols = vol2col(pad_dhw(g, self.geo.pads), self.geo)
            if need_x:
                gx = (cols @ self.w_mat).reshape(self.x_shape)
            if need_kernel:
                gk = columns_t_matmul(cols, self.x2).reshape(self.kernel_shape)
        if need_bias:
            gb = sum_rows(g.reshape(-1, g.shape[4]))
        return gx, gk, gb


def conv3d_transpose(
    x, kernel, bias=None, strides=1, padding="valid", output_padding=None, dilation_rate=1
):
    """Transposed 3-D convolution, the gradient of conv3d with respect to its input;
    Keras Conv3DTranspose / tf.nn.conv3d_transpose semantics.

    x: (N, D, H, W, C_in); kernel: (kd, kh, kw, C_out, C_in) as Keras stores
    Conv3DTranspose kernels; bias: (C_out,) or None -> (N, D_out, H_out, W_out, C_out)
    where, per axis, with k = (kd - 1) * dilation + 1:
        "valid": D_out = (D - 1) * stride + max(k, stride)   [(D - 1) * stride + k
                 + output_padding when output_padding is given]
        "same":  D_out = D * stride   [(D - 1) * stride + k % 2 + output_padding if given]

    >>> import numpy as np, baeum, baeum.functional as F
    >>> x = baeum.tensor(np.ones((1, 2, 2, 2, 1)))
    >>> F.conv3d_transpose(x, np.ones((2, 2, 2, 3, 1)), strides=2).shape
    (1, 4, 4, 4, 3)
    """
    op = "conv3d_transpose"
    x, kernel = check_volume(op, x), _tensor(kernel)
    _check_kernel(op, kernel, "(kd, kh, kw, C_out, C_in)")
    if kernel.shape[4] != x.shape[4]:
        raise ValueError(
            f"{op}: the kernel of shape {kernel.shape} (kd, kh, kw, C_out, C_in) expects "
            f"{kernel.shape[4]} input channels, got inputs with {x.shape[4]} channels "
            f"(shape {x.shape})"
        )
    bias = _check_bias(op, bias, kernel.shape[3])
    if not (isinstance(padding, str) and padding.lower() in ("valid", "same")):
        raise ValueError(f"{op} padding must be 'valid' or 'same', got {padding!r}")
    padding = padding.lower()
    strides = int_triple(op, "strides", strides)
    dilation = int_triple(op, "dilation_rate", dilation_rate)
    if output_padding is not None:
        output_padding = int_triple(op, "output_padding", output_padding, minimum=0)
        if any(p >= s for p, s in zip(output_padding, strides)):
            raise ValueError(
                f"{op}: output_padding must be smaller than strides, got "
                f"output_padding={output_padding} with strides={strides}"
            )
    out_dhw = tuple(
        _transpose_out_size(x.shape[1 + a], kernel.shape[a], strides[a], padding,
                            None if output_padding is None else output_padding[a], dilation[a])
        for a in range(3)
    )
    geo = volume_geometry(op, out_dhw, kernel.shape[:3], strides, padding, dilation)
    if geo.out != x.shape[1:4]:
        raise ValueError(
            f"{op}: output_padding={output_padding} gives an output of size {out_dhw}, which "
            f"a {padding!r} conv3d with strides {strides} maps to {geo.out}, not to the "
            f"input's {x.shape[1:4]}; choose another output_padding"
        )
    return Conv3DTranspose.apply(x, kernel, bias, geometry=geo, out_dhw=out_dhw)


# --- geometry and validation ----------------------------------------------------------


def volume_geometry(op, dhw, kernel_dhw, strides, padding, dilation_rate, window="kernel"):
    """Check the arguments of a 3-D convolution (or pooling) over a volume of spatial size
    `dhw` and work out its padding and output size (conv.py's conv_geometry, one axis up).
    `op` and `window` name the caller and its window in error messages."""
    strides = int_triple(op, "strides", strides)
    dilation = int_triple(op, "dilation_rate", dilation_rate)
    span = tuple((k - 1) * d + 1 for k, d in zip(kernel_dhw, dilation))
    if isinstance(padding, str) and padding.lower() == "valid":
        pads = ((0, 0),) * 3
    elif isinstance(padding, str) and padding.lower() == "same":
        pads = tuple(_same_pads(n, k, s) for n, k, s in zip(dhw, span, strides))
    elif isinstance(padding, str):
        raise ValueError(
            f"{op} padding must be 'valid', 'same', an int or 3 ints, got {padding!r}"
        )
    else:
        pads = tuple((p, p) for p in int_triple(op, "padding", padding, minimum=0))
    padded = tuple(n + a + b for n, (a, b) in zip(dhw, pads))
    if any(p < k for p, k in zip(padded, span)):
        size = "x".join(map(str, kernel_dhw))
        dilated = f" (dilated to {'x'.join(map(str, span))})" if span != tuple(kernel_dhw) else ""
        raise ValueError(
            f"{op}: the {size} {window}{dilated} is larger than the padded input "
            f"{'x'.join(map(str, padded))} (input {'x'.join(map(str, dhw))}, padding "
            f"{padding!r}); use a smaller {window}, more padding or a larger input"
        )
    out = tuple((p - k) // s + 1 for p, k, s in zip(padded, span, strides))
    return ConvGeometry(tuple(int(k) for k in kernel_dhw), strides, dilation, pads, out)


def int_triple(op, name, value, minimum=1):
    """An int or 3 ints (a tuple or list), each >= minimum, as a tuple of 3."""
    triple = (value,) * 3 if isinstance(value, (int, np.integer)) else value
    try:
        ok = len(triple) == 3 and not isinstance(value, (bool, str)) and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum
            for v in triple)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(
            f"{op} {name} must be an int >= {minimum} or a tuple of 3 of them, got {value!r}"
        )
    return tuple(int(v) for v in triple)


def check_volume(op, x):
    """x as a Tensor, checked to be a batch of channels-last volumes (N, D, H, W, C)."""
    x = _tensor(x)
    if x.ndim != 5:
        hint = " (a single volume? add a batch axis: x[None])" if x.ndim == 4 else ""
        raise ValueError(
            f"{op} expects inputs of shape (N, D, H, W, C), got shape {x.shape}{hint}"
        )
    return x


def _check_kernel(op, kernel, layout):
    if kernel.ndim != 5:
        raise ValueError(f"{op} expects a kernel of shape {layout}, got shape {kernel.shape}")


__all__ = [
    "conv3d", "conv3d_transpose", "Conv3D", "Conv3DTranspose", "vol2col", "col2vol",
    "conv3d_input_grad", "volume_geometry", "pad_dhw", "crop_dhw", "int_triple",
    "check_volume", "weight_matrix", "tap_index", "kernel_taps",
]
