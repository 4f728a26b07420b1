"""Depthwise 2-D convolution on channels-last images (N, H, W, C): each input channel is
convolved with its own depth_multiplier filters, channels never mix.

x (N, H, W, C), kernel (kh, kw, C, M) (Keras DepthwiseConv2D's layout, M the depth
multiplier) -> y (N, H_out, W_out, C*M), output channel c*M + m from input channel c and
filter m (as Keras/TensorFlow order them, and torch's conv2d with groups=C):

    y[n, p, q, c*M + m] = sum_{i, j} xp[n, p*sh + i*dh, q*sw + j*dw, c] * kernel[i, j, c, m]

There is no matmul to hand it to (each output value is a dot product of kh*kw numbers),
so it is a loop over the kh*kw kernel taps, each a whole-batch elementwise multiply-add
of one strided slice of the padded input (window_taps, the slices conv2d's col2im uses):

    y   += xp[taps(i), taps(j)] * kernel[i, j]            forward
    dxp[taps(i), taps(j)] += g * kernel[i, j]             backward, the col2im scatter
    dkernel[i, j] = sum over n, p, q of xp[taps(i), taps(j)] * g      backward (einsum)

With stride 1 (and no more padding than the dilated kernel's span - 1) the input gradient
is instead one more such conv, gathering rather than scattering: of g padded by
span - 1 - pad, with the kernel flipped. The passes go a few images at a time (cache).
With M > 1 the same loop runs once per filter m, on g's channels m, M + m, 2M + m, ...
Padding and output size are conv2d's (conv_geometry: "valid", "same", int or pair).
"""

import numpy as np

from baeum.autograd.function import Function, sum_rows
from baeum.ops.conv import (
    ConvGeometry,
    _check_bias,
    _check_kernel,
    _tensor,
    check_image,
    conv_geometry,
    crop_hw,
    image_chunks,
    pad_hw,
    window_taps,
)

# Every tap's pass reads and writes arrays as large as the output; a few images at a time
# they stay in cache from one tap to the next (measured: about 15% faster forward for a
# (32, 28, 28, 32) float32 batch than whole-batch passes, no slower for small batches).
_CHUNK_BYTES = 256 << 10


def _taps(geo):
    """(i, j, row slice, column slice) for every kernel tap."""
    (kh, kw), (sh, sw), (dh, dw), _, (ho, wo) = geo
    for i in range(kh):
        rows = window_taps(i, dh, sh, ho)
        for j in range(kw):
            yield i, j, rows, window_taps(j, dw, sw, wo)


def _chunks(out_shape, itemsize):
    """Slices of the batch whose output (N, H_out, W_out, C) fits _CHUNK_BYTES."""
    per_image = out_shape[1] * out_shape[2] * out_shape[3] * itemsize
    return image_chunks(out_shape[0], _CHUNK_BYTES // per_image)


def _forward_one(xp, kernel_m, geo, out, tmp):
    """out (N, H_out, W_out, C) = the depthwise conv of xp with kernel_m (kh, kw, C)."""
    rows_of_taps = _tap_rows(kernel_m, out.shape[2])
    for images in _chunks(out.shape, out.itemsize):
        x_c, out_c, tmp_c = xp[images], out[images], tmp[:images.stop - images.start]
        first = True
        for i, j, rows, cols in _taps(geo):
            if first:
                np.multiply(x_c[:, rows, cols], rows_of_taps[i, j], out=out_c)
                first = False
            else:
                out_c += np.multiply(x_c[:, rows, cols], rows_of_taps[i, j], out=tmp_c)
    return out


def _tap_rows(kernel_m, w_out):
    """kernel_m (kh, kw, C) repeated along a row of w_out windows: (kh, kw, W_out, C).
    Multiplying an output-sized array by a (W_out, C) block instead of a (C,) vector lets
    NumPy run its inner loop along whole rows (W_out*C values, not C): 2x faster."""
    return np.ascontiguousarray(np.broadcast_to(kernel_m[:, :, None],
                                                (*kernel_m.shape[:2], w_out, kernel_m.shape[2])))


def _backward_one(xp, g_m, kernel_m, geo, dxp, gk_m, tmp):
    """For one filter, g_m (N, H_out, W_out, C): add its input gradient to dxp
    (N, Hp, Wp, C) when dxp is given, and its kernel gradient (kh, kw, C) to gk_m when
    given; image chunk by image chunk, so that g_m's chunk is read from cache by both."""
    rows_of_taps = _tap_rows(kernel_m, g_m.shape[2])
    for images in _chunks(g_m.shape, g_m.itemsize):
        g_c, tmp_c = g_m[images], tmp[:images.stop - images.start]
        for i, j, rows, cols in _taps(geo):
            if dxp is not None:
                dxp[images, rows, cols] += np.multiply(g_c, rows_of_taps[i, j], out=tmp_c)
            if gk_m is not None:
                gk_m[i, j] += np.einsum("nhwc,nhwc->c", xp[images, rows, cols], g_c)


class DepthwiseConv2D(Function):
    """y = depthwise_conv(x, kernel) + bias. x (N, H, W, C), kernel (kh, kw, C, M),
    bias (C*M,) or None -> y (N, H_out, W_out, C*M)."""

    def forward(self, x, kernel, bias, *, geometry):
        n, _, _, c = x.shape
        m = kernel.shape[3]
        dtype = np.result_type(x, kernel)
        xp = pad_hw(x, geometry.pads).astype(dtype, copy=False)
        kernel = kernel.astype(dtype, copy=False)
        out_shape = (n, *geometry.out, c)
        tmp = np.empty((min(n, 1 + _CHUNK_BYTES // (np.prod(out_shape[1:]) * xp.itemsize)),
                        *out_shape[1:]), dtype)
        if m == 1:
            y = _forward_one(xp, kernel[..., 0], geometry, np.empty(out_shape, dtype), tmp)
        else:
            y = np.empty((n, *geometry.out, c, m), dtype)
            one = np.empty(out_shape, dtype)
            for f in range(m):
                y[..., f] = _forward_one(xp, kernel[..., f], geometry, one, tmp)
            y = y.reshape(n, *geometry.out, c * m)
        if bias is not None:
            y += bias.astype(dtype, copy=False)
        self.geo, self.x_shape, self.kernel = geometry, x.shape, kernel
        self.xp = xp if self.needs_input_grad[1] else None
        return y

    def backward(self, g):
        need_x, need_kernel, need_bias = self.needs_input_grad
        n, h, w, c = self.x_shape
        kernel, geo = self.kernel, self.geo
        m = kernel.shape[3]
        g = g.astype(kernel.dtype, copy=False)
        gx = gk = gb = None
        if need_x or need_kernel:
            g5 = g.reshape(*g.shape[:3], c, m)
            per_filter = [g5[..., 0] if m == 1 else np.ascontiguousarray(g5[..., f])
                          for f in range(m)]
            tmp = np.empty((n, *g.shape[1:3], c), g.dtype)
            gather = _gather_geometry(geo, (h, w)) if need_x else None
            dxp = None
            if need_x and gather is None:
                (top, bottom), (left, right) = geo.pads
                dxp = np.zeros((n, h + top + bottom, w + left + right, c), g.dtype)
            if need_kernel:
                gk = np.zeros(kernel.shape, g.dtype)
            for f in range(m):
                gk_m = np.zeros(kernel.shape[:3], g.dtype) if need_kernel else None
                if dxp is not None or gk_m is not None:
                    _backward_one(self.xp, per_filter[f], kernel[..., f], geo, dxp, gk_m, tmp)
                if need_kernel:
                    gk[..., f] = gk_m
            if gather is not None:
                gx = self._input_grad_by_gather(per_filter, gather)
            elif need_x:
                gx = crop_hw(dxp, geo.pads, (h, w))
        if need_bias:
            gb = sum_rows(g.reshape(-1, c * m))
        return gx, gk, gb


    def _input_grad_by_gather(self, per_filter, gather):
        """The input gradient of a stride-1 depthwise conv as one more depthwise conv: of
        the output gradient padded by span - 1 - pad, with the kernel flipped (each input
        pixel gathers its kh*kw terms, instead of kh*kw scatters into strided slices)."""
        n, h, w, c = self.x_shape
        dtype = per_filter[0].dtype
        gx = np.empty((n, h, w, c), dtype)
        one = np.empty_like(gx) if len(per_filter) > 1 else gx
        tmp = np.empty_like(gx)
        flipped = self.kernel[::-1, ::-1]
        for f, g_m in enumerate(per_filter):
            _forward_one(pad_hw(g_m, gather.pads), flipped[..., f], gather, one, tmp)
            if f == 0 and one is not gx:
                gx[...] = one
            elif f:
                gx += one
        return gx


def _gather_geometry(geo, hw):
    """The geometry of the stride-1 input gradient as a conv of the padded output gradient
    (None when it does not apply: strides > 1, or more padding than span - 1)."""
    if geo.strides != (1, 1):
        return None
    span = [(k - 1) * d + 1 for k, d in zip(geo.kernel, geo.dilation)]
    pads = tuple((s - 1 - a, s - 1 - b) for s, (a, b) in zip(span, geo.pads))
    if min(min(p) for p in pads) < 0:
        return None
    return ConvGeometry(geo.kernel, (1, 1), geo.dilation, pads, tuple(hw))


def depthwise_conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """Depthwise 2-D convolution of channels-last images: every input channel convolved
    with its own filters (Keras DepthwiseConv2D, tf.nn.depthwise_conv2d, torch conv2d
    with groups=C_in).

    x: (N, H, W, C); kernel: (kh, kw, C, depth_multiplier); bias: (C*depth_multiplier,)
    or None -> (N, H_out, W_out, C*depth_multiplier), output channel c*M + m from input
    channel c. padding, strides and dilation_rate as conv2d ("valid", "same", an int or
    a pair).

    >>> import numpy as np, baeum, baeum.functional as F
    >>> x = baeum.tensor(np.arange(32.0).reshape(1, 4, 4, 2))
    >>> k = baeum.tensor(np.ones((2, 2, 2, 1)))
    >>> F.depthwise_conv2d(x, k, strides=2).numpy()[0, :, :, 1].tolist()
    [[24.0, 40.0], [88.0, 104.0]]
    """
    x, kernel = check_image("depthwise_conv2d", x), _tensor(kernel)
    _check_kernel("depthwise_conv2d", kernel, "(kh, kw, C, depth_multiplier)")
    if kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"depthwise_conv2d: the kernel of shape {kernel.shape} (kh, kw, C, "
            f"depth_multiplier) expects {kernel.shape[2]} input channels, got inputs with "
            f"{x.shape[3]} channels (shape {x.shape})"
        )
    if kernel.shape[3] < 1:
        raise ValueError(f"depthwise_conv2d: the kernel of shape {kernel.shape} has a "
                         f"depth multiplier of 0; it must be at least 1")
    bias = _check_bias("depthwise_conv2d", bias, kernel.shape[2] * kernel.shape[3])
    geo = conv_geometry("depthwise_conv2d", x.shape[1:3], kernel.shape[:2], strides, padding,
                        dilation_rate)
    return DepthwiseConv2D.apply(x, kernel, bias, geometry=geo)


__all__ = ["depthwise_conv2d", "DepthwiseConv2D"]
