"""2-D convolution on channels-last images (N, H, W, C): conv2d and conv2d_transpose.

conv2d is im2col plus one matmul. Every kh x kw window of the zero-padded input becomes
one row of a column matrix `cols` (N*H_out*W_out, kh*kw*C_in), ordered (i, j, c) like
the kernel (kh, kw, C_in, C_out) reshaped to the matrix W (kh*kw*C_in, C_out):

    y = cols @ W + b                       forward, one matmul (cols gets a column of ones
                                           and W the row b: the bias add is in the matmul)
    dW = cols^T @ g,  db = sum(g)          backward, one matmul for both (in blocks of rows
                                           when cols is narrow: columns_t_matmul)
    dcols = g @ W^T,  dx = col2im(dcols)   backward: col2im adds each of the kh*kw kernel
                                           taps' slices of dcols back into the padded image

When no kernel gradient will be needed (inference), cols is never built whole: it is
built and multiplied a few images at a time (chunked_conv_matmul).

conv2d_transpose is conv2d's input gradient run forwards (Keras/TensorFlow semantics),
so its backward is conv2d's forward: the same helpers serve both ops.
"""

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from baeum.autograd.function import Function, sum_rows
from baeum.autograd.tensor import Tensor
from baeum.ops import winograd

# With this many channels or fewer, the column matrix is faster to build from kh*kw strided
# slice copies than from one transposing copy of a sliding-window view (3x faster for C=1,
# 3x slower for C=3), and to scatter back whole (col2im) than one kernel tap at a time.
_FEW_CHANNELS = 2

# Chunk sizes for passes that go a few images at a time so that what one step writes is
# still in cache when the next reads it: the column matrix when it is not kept (im2col,
# then the matmul), and dcols in the input gradient (the matmul, then the scatter).
_CHUNK_BYTES = 4 << 20
_SCATTER_BYTES = 1 << 20  # about one core's L2


class ConvGeometry(NamedTuple):
    """Where the windows of a convolution sit on its input (all sizes in pixels)."""

    kernel: tuple  # (kh, kw)
    strides: tuple  # (sh, sw)
    dilation: tuple  # (dh, dw)
    pads: tuple  # ((top, bottom), (left, right)) zero padding
    out: tuple  # (H_out, W_out)


# --- the shared machinery: padding, im2col, col2im ----------------------------------


def pad_hw(x, pads, value=0):
    """Pad the two spatial axes of (N, H, W, C) with `value`; no copy when there is nothing
    to pad. pads: ((top, bottom), (left, right))."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    n, h, w, c = x.shape
    out = np.full((n, h + top + bottom, w + left + right, c), value, x.dtype)
    out[:, top:top + h, left:left + w] = x
    return out


def crop_hw(xp, pads, hw):
    (top, _), (left, _) = pads
    return xp[:, top:top + hw[0], left:left + hw[1]]


def window_taps(offset, dilation, stride, n_out):
    """The input rows (or columns) that kernel tap `offset` sees across all n_out windows."""
    start = offset * dilation
    return slice(start, start + stride * (n_out - 1) + 1, stride)


def image_chunks(n, per_chunk):
    """Consecutive slices of a batch of n images, `per_chunk` images each (at least one): the
    unit of the passes that go a few images at a time to stay in cache."""
    per_chunk = max(int(per_chunk), 1)
    return [slice(start, min(start + per_chunk, n)) for start in range(0, n, per_chunk)]


def im2col(xp, geo, ones_column=False):
    """Padded input (N, Hp, Wp, C) -> columns (N*H_out*W_out, kh*kw*C), rows ordered (i, j, c).

    ones_column=True appends a column of ones, so that `cols @ [W; b]` adds the bias inside
    the matmul (a separate `y += b` pass over the output costs as much as a thin matmul).
    """
    n, _, _, c = xp.shape
    (kh, kw), _, _, _, (ho, wo) = geo
    k = kh * kw * c
    cols = np.empty((n * ho * wo, k + ones_column), xp.dtype)
    if ones_column:
        cols[:, k] = 1
    fill_windows(cols[:, :k].reshape(n, ho, wo, kh, kw, c, copy=False), xp, geo)
    return cols


def fill_windows(windows_out, xp, geo):
    """Copy every window of the padded input xp into windows_out (N, H_out, W_out, kh, kw, C),
    which may be a strided view (conv_max_pool's window-major column matrix)."""
    c = xp.shape[3]
    (kh, kw), (sh, sw), (dh, dw), _, (ho, wo) = geo
    if c <= _FEW_CHANNELS:
        for i in range(kh):
            rows = window_taps(i, dh, sh, ho)
            for j in range(kw):
                windows_out[:, :, :, i, j, :] = xp[:, rows, window_taps(j, dw, sw, wo), :]
    else:
        span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
        windows = sliding_window_view(xp, span, axis=(1, 2))  # (N, ., ., C, span_h, span_w)
        windows = windows[:, :(ho - 1) * sh + 1:sh, :(wo - 1) * sw + 1:sw, :, ::dh, ::dw]
        np.copyto(windows_out, windows.transpose(0, 1, 2, 4, 5, 3))


def col2im(dcols, padded_shape, geo, out=None):
    """Columns (N*H_out*W_out, kh*kw*C) -> padded image (N, Hp, Wp, C), adding overlaps
    (into `out` when given, a zeroed new array otherwise).

    The inverse scatter of im2col: one strided slice add per kernel tap (kh*kw of them),
    or, when the windows step one pixel across (stride and dilation 1 along W) and there
    is more than one channel, one add per kernel row and window column mod kw (also kh*kw
    adds, each moving whole runs).
    """
    n, _, _, c = padded_shape
    (kh, kw), (sh, sw), (dh, dw), _, (ho, wo) = geo
    dxp = np.zeros(padded_shape, dcols.dtype) if out is None else out
    if sw == 1 and dw == 1 and c > 1:
        # The kw*C values of one window and kernel row, (j, c), land on kw*C consecutive
        # values of the image row; windows r, r + kw, r + 2kw, ... land side by side. So
        # each add reads and writes runs of kw*C values instead of C, where NumPy's cost
        # per run decides: 41% fewer instructions for the MNIST CNN's second conv (C=32),
        # 3x faster for C=4. (For C=1 the per-tap adds run along whole image rows: 5x
        # faster than runs of kw values.)
        per_row = dcols.reshape(n, ho, wo, kh, kw * c)
        for i in range(kh):
            image_rows = dxp[:, window_taps(i, dh, sh, ho)]
            for r in range(min(kw, wo)):
                count = len(range(r, wo, kw))
                runs = image_rows[:, :, r:r + kw * count].reshape(n, ho, count, kw * c,
                                                                   copy=False)
                runs += per_row[:, :, r::kw, i]
        return dxp
    per_tap = dcols.reshape(n, ho, wo, kh, kw, c)
    for i in range(kh):
        rows = window_taps(i, dh, sh, ho)
        for j in range(kw):
            dxp[:, rows, window_taps(j, dw, sw, wo), :] += per_tap[:, :, :, i, j, :]
    return dxp


def weight_matrix(kernel, bias=None):
    """The kernel (kh, kw, C_in, C_out) as a matrix (kh*kw*C_in, C_out), with the bias as one
    more row when given: [W; b], which the ones column of im2col's matrix multiplies, so
    the bias is added inside the matrix product."""
    w_mat = kernel.reshape(-1, kernel.shape[3])
    if bias is None:
        return w_mat
    return np.concatenate([w_mat, bias.reshape(1, -1).astype(w_mat.dtype)])


# cols^T @ g for a column matrix this narrow is one product with a very long inner size
# (every output pixel of the batch), which OpenBLAS runs slowly; blocks of rows as a
# batch of small products, then summed, are 2.4x faster for the MNIST CNN's first conv
# at batch 100 (0.49 against 1.17-3.0 ms, 1 or 2 threads; 10 columns), 1.5x at 28
# columns, no faster at 73. Blocks of 2048 rows were as slow as one product.
_NARROW_COLUMNS = 32
_BLOCK_ROWS = 512


def columns_t_matmul(cols, g2):
    """cols^T @ g2 for cols (M, K) and g2 (M, C_out) -> (K, C_out): the kernel gradient."""
    rows, k = cols.shape
    if k > _NARROW_COLUMNS or rows < 2 * _BLOCK_ROWS:
        return cols.T @ g2
    blocks = rows // _BLOCK_ROWS
    split = blocks * _BLOCK_ROWS
    per_block = np.matmul(cols[:split].reshape(blocks, _BLOCK_ROWS, k).transpose(0, 2, 1),
                          g2[:split].reshape(blocks, _BLOCK_ROWS, g2.shape[1]))
    out = per_block.sum(axis=0)
    if split < rows:
        out += cols[split:].T @ g2[split:]
    return out


def conv_input_grad(g2, kernel, geo, image_shape):
    """conv2d's input gradient: g2 (N*H_out*W_out, C_out), kernel (kh, kw, C_in, C_out)
    -> (N, H, W, C_in), the gradient of the unpadded image of `image_shape`."""
    n, h, w, c = image_shape
    (top, bottom), (left, right) = geo.pads
    padded_shape = (n, h + top + bottom, w + left + right, c)
    (kh, kw), (sh, sw), (dh, dw), _, (ho, wo) = geo
    if winograd.applies(kernel.shape[:2] + kernel.shape[3:], geo.strides, geo.dilation) \
            and max(top, bottom, left, right) <= 2:
        # A 3x3 stride-1 conv's input gradient is a 3x3 stride-1 conv too: of the output
        # gradient padded by 2 - pad, with the kernel flipped and its channels swapped.
        g = pad_hw(g2.reshape(n, geo.out[0], geo.out[1], -1),
                   ((2 - top, 2 - bottom), (2 - left, 2 - right)))
        return winograd.conv3x3(g, kernel[::-1, ::-1].transpose(0, 1, 3, 2))
    w_t = kernel.reshape(-1, kernel.shape[3]).T  # (C_out, kh*kw*C_in)
    if c <= _FEW_CHANNELS:
        return crop_hw(col2im(g2 @ w_t, padded_shape, geo), geo.pads, (h, w))
    dxp = np.zeros(padded_shape, g2.dtype)
    if geo.strides == (1, 1):
        # dcols = g @ W^T for a few images at a time, scattered while still in cache: with
        # stride 1 every pixel gets kh*kw adds (1.5x faster than per-tap products here).
        pixels = ho * wo
        dcols_row_bytes = w_t.shape[1] * g2.itemsize
        for images in image_chunks(n, _SCATTER_BYTES // (pixels * dcols_row_bytes)):
            chunk = dxp[images]
            rows = slice(images.start * pixels, images.stop * pixels)
            col2im(g2[rows] @ w_t, chunk.shape, geo, out=chunk)
    else:
        # dcols = g @ W^T one kernel tap at a time: each (M, C_in) block comes out contiguous
        # and adds into its slice 2-4x faster than col2im's strided reads of a whole dcols.
        for i in range(kh):
            rows = window_taps(i, dh, sh, ho)
            for j in range(kw):
                tap_grad = (g2 @ kernel[i, j].T).reshape(n, ho, wo, c)
                dxp[:, rows, window_taps(j, dw, sw, wo)] += tap_grad
    return crop_hw(dxp, geo.pads, (h, w))


def chunked_conv_matmul(x, geo, w_mat, ones_column):
    """im2col(pad(x)) @ w_mat, a few thousand rows at a time, for when nothing needs the
    column matrix afterwards (inference: for 1000 MNIST images the whole column matrix of
    the second conv is 226 MB, written once and read once from main memory). Each chunk
    of images is padded on its own, too. x: (N, H, W, C) -> (N*H_out*W_out, C_out)."""
    n = x.shape[0]
    pixels = geo.out[0] * geo.out[1]
    rows = min(max(_CHUNK_BYTES // (w_mat.shape[0] * x.itemsize), 4096), 32768)
    chunks = image_chunks(n, rows // pixels)
    if len(chunks) == 1:
        return im2col(pad_hw(x, geo.pads), geo, ones_column) @ w_mat
    y = np.empty((n * pixels, w_mat.shape[1]), np.result_type(x, w_mat))
    for images in chunks:
        cols = im2col(pad_hw(x[images], geo.pads), geo, ones_column)
        np.matmul(cols, w_mat, out=y[images.start * pixels:images.stop * pixels])
    return y


# --- conv2d -----------------------------------------------------------------------


class Conv2D(Function):
    """y = conv(x, kernel) + bias. x (N, H, W, C_in), kernel (kh, kw, C_in, C_out),
    bias (C_out,) or None -> y (N, H_out, W_out, C_out)."""

    def forward(self, x, kernel, bias, *, geometry):
        c_out = kernel.shape[3]
        has_bias = bias is not None
        self.geo, self.x_shape, self.kernel_shape = geometry, x.shape, kernel.shape
        self.has_bias, self.kernel = has_bias, kernel
        self.cols = None
        keep_cols = self.needs_input_grad[1] or self.needs_input_grad[2]  # for dW = cols^T g
        if not keep_cols and winograd.applies(kernel.shape, geometry.strides,
                                              geometry.dilation):
            y = winograd.conv3x3(pad_hw(x, geometry.pads), kernel)
            if has_bias:
                y += bias.astype(y.dtype, copy=False)
            return y
        w_mat = weight_matrix(kernel, bias)
        if keep_cols:
            self.cols = im2col(pad_hw(x, geometry.pads), geometry, ones_column=has_bias)
            y = self.cols @ w_mat
        else:
            y = chunked_conv_matmul(x, geometry, w_mat, has_bias)
        return y.reshape(x.shape[0], *geometry.out, c_out)

    def backward(self, g):
        need_x, need_kernel, need_bias = self.needs_input_grad
        g2 = g.reshape(-1, self.kernel_shape[3])
        gx = conv_input_grad(g2, self.kernel, self.geo, self.x_shape) if need_x else None
        gk = gb = None
        if need_kernel:
            gw = columns_t_matmul(self.cols, g2)  # [dW; db] when cols has the ones column
            gk = (gw[:-1] if self.has_bias else gw).reshape(self.kernel_shape)
            gb = gw[-1] if need_bias else None
        elif need_bias:
            gb = sum_rows(g2)
        return gx, gk, gb


def conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """2-D convolution (cross-correlation, as in every framework) of channels-last images.

    x: (N, H, W, C_in); kernel: (kh, kw, C_in, C_out), the layout of Keras Conv2D and
    tf.nn.conv2d; bias: (C_out,) or None -> (N, H_out, W_out, C_out).

    padding: "valid" (none), "same" (TensorFlow's rule: H_out = ceil(H / stride), an odd
    leftover pixel of padding goes at the bottom/right), an int p (p zeros on every side)
    or a pair (ph, pw). strides and dilation_rate: an int or a pair.

    >>> import numpy as np, baeum, baeum.functional as F
    >>> x = baeum.tensor(np.arange(16.0).reshape(1, 4, 4, 1))
    >>> k = baeum.tensor(np.ones((2, 2, 1, 1)))
    >>> F.conv2d(x, k, strides=2).numpy()[0, :, :, 0].tolist()
    [[10.0, 18.0], [42.0, 50.0]]
    """
    x, kernel = check_image("conv2d", x), _tensor(kernel)
    _check_kernel("conv2d", kernel, "(kh, kw, C_in, C_out)")
    if kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"conv2d: the kernel of shape {kernel.shape} expects {kernel.shape[2]} input "
            f"channels, got inputs with {x.shape[3]} channels (shape {x.shape})"
        )
    bias = _check_bias("conv2d", bias, kernel.shape[3])
    geo = conv_geometry("conv2d", x.shape[1:3], kernel.shape[:2], strides, padding, dilation_rate)
    return Conv2D.apply(x, kernel, bias, geometry=geo)


# --- conv2d_transpose ---------------------------------------------------------------


class Conv2DTranspose(Function):
    """The gradient of conv2d with respect to its input, as an op of its own.

    x (N, H, W, C_in), kernel (kh, kw, C_out, C_in) (Keras Conv2DTranspose layout, which is
    the kernel of the conv2d being transposed), bias (C_out,) or None -> (N, H', W', C_out).
    """

    def forward(self, x, kernel, bias, *, geometry, out_hw):
        x2 = x.reshape(-1, x.shape[3])
        image_shape = (x.shape[0], *out_hw, kernel.shape[2])
        y = conv_input_grad(x2, kernel, geometry, image_shape)
        y = y + bias.astype(y.dtype, copy=False) if bias is not None else np.ascontiguousarray(y)
        self.geo, self.x_shape, self.kernel_shape = geometry, x.shape, kernel.shape
        self.x2 = x2 if self.needs_input_grad[1] else None
        self.w_mat = kernel.reshape(-1, x.shape[3])
        return y

    def backward(self, g):
        # The transpose's backward is conv2d's forward (for x) and its kernel gradient.
        need_x, need_kernel, need_bias = self.needs_input_grad
        gx = gk = gb = None
        if need_x or need_kernel:
            cols = im2col(pad_hw(g, self.geo.pads), self.geo)
            if need_x:
                gx = (cols @ self.w_mat).reshape(self.x_shape)
            if need_kernel:
                gk = columns_t_matmul(cols, self.x2).reshape(self.kernel_shape)
        if need_bias:
            gb = sum_rows(g.reshape(-1, g.shape[3]))
        return gx, gk, gb


def conv2d_transpose(
    x, kernel, bias=None, strides=1, padding="valid", output_padding=None, dilation_rate=1
):
    """Transposed convolution ("deconvolution"), the gradient of conv2d with respect to
    its input; Keras Conv2DTranspose / tf.nn.conv2d_transpose semantics.

    x: (N, H, W, C_in); kernel: (kh, kw, C_out, C_in) as Keras stores Conv2DTranspose
    kernels; bias: (C_out,) or None -> (N, H_out, W_out, C_out) where, per axis, with
    k = (kernel - 1) * dilation + 1:
        "valid": H_out = (H - 1) * stride + max(k, stride)   [+ output_padding instead
                 of max(k, stride) - k when output_padding is given]
        "same":  H_out = H * stride   [(H - 1) * stride + k % 2 + output_padding if given]

    >>> import numpy as np, baeum, baeum.functional as F
    >>> x = baeum.tensor(np.ones((1, 2, 2, 1)))
    >>> F.conv2d_transpose(x, np.ones((2, 2, 1, 1)), strides=2).shape
    (1, 4, 4, 1)
    """
    x, kernel = check_image("conv2d_transpose", x), _tensor(kernel)
    _check_kernel("conv2d_transpose", kernel, "(kh, kw, C_out, C_in)")
    if kernel.shape[3] != x.shape[3]:
        raise ValueError(
            f"conv2d_transpose: the kernel of shape {kernel.shape} (kh, kw, C_out, C_in) "
            f"expects {kernel.shape[3]} input channels, got inputs with {x.shape[3]} "
            f"channels (shape {x.shape})"
        )
    bias = _check_bias("conv2d_transpose", bias, kernel.shape[2])
    if not (isinstance(padding, str) and padding.lower() in ("valid", "same")):
        raise ValueError(
            f"conv2d_transpose padding must be 'valid' or 'same', got {padding!r}"
        )
    strides = int_pair("conv2d_transpose", "strides", strides)
    dilation = int_pair("conv2d_transpose", "dilation_rate", dilation_rate)
    if output_padding is not None:
        output_padding = int_pair("conv2d_transpose", "output_padding", output_padding, minimum=0)
        if any(p >= s for p, s in zip(output_padding, strides)):
            raise ValueError(
                f"conv2d_transpose: output_padding must be smaller than strides, got "
                f"output_padding={output_padding} with strides={strides}"
            )
    out_hw = tuple(
        _transpose_out_size(x.shape[1 + a], kernel.shape[a], strides[a], padding.lower(),
                            None if output_padding is None else output_padding[a], dilation[a])
        for a in range(2)
    )
    geo = conv_geometry("conv2d_transpose", out_hw, kernel.shape[:2], strides, padding, dilation)
    if geo.out != x.shape[1:3]:
        raise ValueError(
            f"conv2d_transpose: output_padding={output_padding} gives an output of size "
            f"{out_hw}, which a {padding!r} conv2d with strides {strides} maps to {geo.out}, "
            f"not to the input's {x.shape[1:3]}; choose another output_padding"
        )
    return Conv2DTranspose.apply(x, kernel, bias, geometry=geo, out_hw=out_hw)


def _transpose_out_size(size, kernel, stride, padding, output_padding, dilation):
    """One spatial size of a transposed conv's output, as Keras's
    compute_conv_transpose_output_shape computes it."""
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (size - 1) * stride + k + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + k % 2 + output_padding


# --- geometry and validation ----------------------------------------------------------


def conv_geometry(op, hw, kernel_hw, strides, padding, dilation_rate, window="kernel"):
    """Check the arguments of a convolution (or pooling) over an image of spatial size `hw`
    and work out its padding and output size. `op` and `window` name the caller and its
    window in error messages."""
    strides = int_pair(op, "strides", strides)
    dilation = int_pair(op, "dilation_rate", dilation_rate)
    span = tuple((k - 1) * d + 1 for k, d in zip(kernel_hw, dilation))
    if isinstance(padding, str) and padding.lower() == "valid":
        pads = ((0, 0), (0, 0))
    elif isinstance(padding, str) and padding.lower() == "same":
        pads = tuple(_same_pads(n, k, s) for n, k, s in zip(hw, span, strides))
    elif isinstance(padding, str):
        raise ValueError(
            f"{op} padding must be 'valid', 'same', an int or a pair of ints, got {padding!r}"
        )
    else:
        ph, pw = int_pair(op, "padding", padding, minimum=0)
        pads = ((ph, ph), (pw, pw))
    padded = tuple(n + a + b for n, (a, b) in zip(hw, pads))
    if padded[0] < span[0] or padded[1] < span[1]:
        dilated = f" (dilated to {span[0]}x{span[1]})" if span != tuple(kernel_hw) else ""
        raise ValueError(
            f"{op}: the {kernel_hw[0]}x{kernel_hw[1]} {window}{dilated} is larger than the "
            f"padded input {padded[0]}x{padded[1]} (input {hw[0]}x{hw[1]}, padding "
            f"{padding!r}); use a smaller {window}, more padding or a larger input"
        )
    out = tuple((p - k) // s + 1 for p, k, s in zip(padded, span, strides))
    return ConvGeometry(tuple(kernel_hw), strides, dilation, pads, out)


def _same_pads(size, span, stride):
    """TensorFlow "same": output ceil(size / stride); the odd extra pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return (total // 2, total - total // 2)


def int_pair(op, name, value, minimum=1):
    """An int or a pair of ints, each >= minimum, as a pair."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else value
    try:
        a, b = pair
        ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (a, b))
        ok = ok and not isinstance(value, bool) and min(a, b) >= minimum
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"{op} {name} must be an int >= {minimum} or a pair of them, got {value!r}"
        )
    return (int(a), int(b))


def check_image(op, x):
    """x as a Tensor, checked to be a batch of channels-last images (N, H, W, C)."""
    x = _tensor(x)
    if x.ndim != 4:
        hint = " (a single image? add a batch axis: x[None])" if x.ndim == 3 else ""
        raise ValueError(f"{op} expects inputs of shape (N, H, W, C), got shape {x.shape}{hint}")
    return x


def _check_kernel(op, kernel, layout):
    if kernel.ndim != 4:
        raise ValueError(f"{op} expects a kernel of shape {layout}, got shape {kernel.shape}")


def _check_bias(op, bias, channels):
    if bias is None:
        return None
    bias = _tensor(bias)
    if bias.shape != (channels,):
        raise ValueError(
            f"{op}: bias must have shape ({channels},), one value per output channel, "
            f"got shape {bias.shape}"
        )
    return bias


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


__all__ = [
    "conv2d", "conv2d_transpose", "Conv2D", "Conv2DTranspose", "ConvGeometry", "conv_geometry",
    "image_chunks", "im2col", "fill_windows", "col2im", "chunked_conv_matmul", "conv_input_grad",
    "weight_matrix", "pad_hw", "crop_hw", "window_taps", "int_pair", "check_image",
]
