"""conv2d, then 2x2 max pooling with stride 2, as one op whose pool reads contiguous
memory: a training op, and `pooled_inference` for when no gradient is needed.

A max pool over channels-last images compares strided views: each 2x2 window position
is every other pixel of every other row, read in runs of C values, and NumPy pays per
run. Here the column matrix of the conv is built window-major instead: its rows are
ordered (image, i, j, row, column) for output pixel (2 row + i, 2 column + j), so the
conv's matrix product writes the four window positions as four contiguous blocks
(N, 4, H_out/2, W_out/2, C) and the pool is three elementwise maxima of whole blocks.
The kernel gradient cols^T @ dz sums over rows, so it does not care about their order.

    x (N, H, W, C_in), kernel (kh, kw, C_in, C_out), bias (C_out,) or None
    -> (N, H_conv // 2, W_conv // 2, C_out), H_conv x W_conv being the conv's output

As for max_pool2d with "valid" padding, an odd last conv row or column is left out: it
is not computed at all. `relu=True` applies ReLU after the pool, on a quarter of the
values: max and ReLU commute, and the gradient is the same (the window's maximum gets
g where it is > 0). The gradient goes to the FIRST maximum of each window in row-major
order, as max_pool2d's does.

For the MNIST CNN's first block (28x28x1 -> 32 channels, batch 100) conv, ReLU, pool
and their backward take 4.5 against 8.7 ms as three ops (2 BLAS threads); its inference
on 40 images 0.75 against 0.98 ms (1 thread).
"""

import numpy as np

from baeum.autograd.function import Function, sum_rows
from baeum.ops.activations import relu_array, relu_grad
from baeum.ops.conv import (
    _CHUNK_BYTES,
    ConvGeometry,
    columns_t_matmul,
    conv_input_grad,
    fill_windows,
    image_chunks,
    pad_hw,
    weight_matrix,
)


def window_major_im2col(xp, geo, ones_column=False):
    """Padded input (N, Hp, Wp, C) -> columns (N*4*Hq*Wq, kh*kw*C [+1]) for the conv output
    pixels (2a + i, 2b + j), a < Hq = H_out // 2, b < Wq = W_out // 2, rows ordered
    (n, i, j, a, b). Block (i, j) is an ordinary column matrix: that of a conv with twice
    the strides, on the input shifted by (i sh, j sw)."""
    n, _, _, c = xp.shape
    (kh, kw), (sh, sw), dilation, pads, (ho, wo) = geo
    hq, wq = ho // 2, wo // 2
    k = kh * kw * c
    cols = np.empty((n * 4 * hq * wq, k + ones_column), xp.dtype)
    if ones_column:
        cols[:, k] = 1
    blocks = cols[:, :k].reshape(n, 2, 2, hq, wq, kh, kw, c, copy=False)
    every_other = ConvGeometry((kh, kw), (2 * sh, 2 * sw), dilation, pads, (hq, wq))
    for i in range(2):
        for j in range(2):
            fill_windows(blocks[:, i, j], xp[:, i * sh:, j * sw:], every_other)
    return cols


def conv_blocks(x, w_mat, geo, has_bias):
    """The columns and the conv output as window blocks z (N, 4, Hq, Wq, C_out)."""
    cols = window_major_im2col(pad_hw(x, geo.pads), geo, has_bias)
    z = (cols @ w_mat).reshape(x.shape[0], 4, geo.out[0] // 2, geo.out[1] // 2, -1)
    return cols, z


def max_of_blocks(z, out=None):
    """The 2x2 max pool: the elementwise maximum of the 4 blocks of z (N, 4, ...)."""
    m = np.maximum(z[:, 0], z[:, 1], out=out)
    np.maximum(m, z[:, 2], out=m)
    np.maximum(m, z[:, 3], out=m)
    return m


def route_to_first_max(z, m, g):
    """The gradient of max over the 4 blocks of z (N, 4, ...) given their maximum m and its
    gradient g (N, ...): g goes to the first block holding the maximum, 0 to the others."""
    dz = np.empty_like(z, dtype=g.dtype)
    taken = np.zeros(m.shape, bool)  # windows whose maximum already got the gradient
    for k in range(4):
        if k < 3:
            hit = z[:, k] == m
            if k:
                hit &= ~taken
            taken |= hit
        else:  # the last position takes every window still untaken
            hit = ~taken
        np.multiply(g, hit, out=dz[:, k])
    return dz


class ConvMaxPool2x2(Function):
    """max_pool2d(conv2d(x, kernel) + bias, 2) [then ReLU]; shapes in the module docstring."""

    def forward(self, x, kernel, bias, *, geometry, relu=False):
        self.geo, self.x_shape, self.kernel_shape = geometry, x.shape, kernel.shape
        self.kernel, self.has_bias, self.relu = kernel, bias is not None, relu
        self.cols, self.z = conv_blocks(x, weight_matrix(kernel, bias), geometry, self.has_bias)
        self.m = max_of_blocks(self.z)
        return relu_array(self.m) if relu else self.m

    def backward(self, g):
        need_x, need_kernel, need_bias = self.needs_input_grad
        if self.relu:
            g = relu_grad(g, self.m)  # relu(m) > 0 exactly where m > 0
        dz = route_to_first_max(self.z, self.m, g)
        c_out = self.kernel_shape[3]
        dz2 = dz.reshape(-1, c_out)
        gx = gk = gb = None
        if need_x:
            gx = conv_input_grad(self._conv_order(dz), self.kernel, self.geo, self.x_shape)
        if need_kernel:
            gw = columns_t_matmul(self.cols, dz2)  # [dW; db] with the ones column
            gk = (gw[:-1] if self.has_bias else gw).reshape(self.kernel_shape)
            gb = gw[-1] if need_bias else None
        elif need_bias:
            gb = sum_rows(dz2)
        return gx, gk, gb

    def _conv_order(self, dz):
        """dz (N, 4, Hq, Wq, C) -> the conv output's gradient (N*H_out*W_out, C) in the
        ordinary pixel order, 0 on an odd last row or column that the pool left out."""
        n, _, hq, wq, c = dz.shape
        ho, wo = self.geo.out
        exact = (ho, wo) == (2 * hq, 2 * wq)
        g = (np.empty if exact else np.zeros)((n, ho, wo, c), dz.dtype)
        g[:, :2 * hq, :2 * wq].reshape(n, hq, 2, wq, 2, c, copy=False)[...] = \
            dz.reshape(n, 2, 2, hq, wq, c).transpose(0, 3, 1, 4, 2, 5)
        return g.reshape(-1, c)


def pooled_inference(x, kernel, bias, geometry, relu=False):
    """The op's value on arrays, no gradient: a few images at a time, so that the column
    matrix stays about conv's _CHUNK_BYTES (for 1000 MNIST images the second conv's would
    be 226 MB, written once and read once from main memory)."""
    w_mat = weight_matrix(kernel, bias)
    n = x.shape[0]
    hq, wq = geometry.out[0] // 2, geometry.out[1] // 2
    out = np.empty((n, hq, wq, w_mat.shape[1]), np.result_type(x, w_mat))
    cols_bytes_per_image = 4 * hq * wq * w_mat.shape[0] * x.itemsize
    for images in image_chunks(n, _CHUNK_BYTES // cols_bytes_per_image):
        max_of_blocks(conv_blocks(x[images], w_mat, geometry, bias is not None)[1],
                      out=out[images])
    return relu_array(out, out) if relu else out


def conv2d_max_pool2x2(x, kernel, bias, geometry, relu=False):
    """The op on Tensors; geometry is conv2d's (conv_geometry), already checked. The conv
    output must hold at least one 2x2 window (H_out, W_out >= 2)."""
    if min(geometry.out) < 2:
        raise ValueError(
            f"conv2d_max_pool2x2: the conv's output of {geometry.out[0]}x{geometry.out[1]} "
            "pixels is smaller than one 2x2 pool window"
        )
    return ConvMaxPool2x2.apply(x, kernel, bias, geometry=geometry, relu=relu)
