"""Pooling on channels-last images (N, H, W, C): max and average pooling, global pooling,
and upsampling by repetition.

Windows follow conv2d's geometry (`conv_geometry`): "valid" or TensorFlow's "same".
A pooled value combines ph*pw strided views of the (padded) input, one per position in
the window, with an elementwise maximum or sum: for 2x2 windows this is 3-4x faster than
reshaping to (N, H_out, 2, W_out, 2, C) and reducing over two axes.
"""

import numpy as np

from baeum.autograd import grad_mode
from baeum.autograd.function import Function
from baeum.ops.activations import ReLU, relu_grad
from baeum.ops.conv import (
    check_image,
    conv_geometry,
    crop_hw,
    image_chunks,
    int_pair,
    pad_hw,
    window_taps,
)


def _window_views(xp, geo):
    """Yield, for each position (i, j) of the window in row-major order, the strided view of
    the padded input holding that position of every window: (N, H_out, W_out, C)."""
    (ph, pw), (sh, sw), _, _, (ho, wo) = geo
    for i in range(ph):
        rows = window_taps(i, 1, sh, ho)
        for j in range(pw):
            yield xp[:, rows, window_taps(j, 1, sw, wo)]


# A few images at a time, so that the partial result stays in cache between the ph*pw
# passes over it (2x faster on a batch of MNIST feature maps than whole-batch passes).
_CHUNK_BYTES = 512 << 10


def _pool_chunks(n, out_nbytes):
    """Image slices of about _CHUNK_BYTES of pooled output each."""
    return image_chunks(n, _CHUNK_BYTES * n // max(out_nbytes, 1))


def _combine_windows(combine, xp, geo):
    """Reduce every window of the padded input with `combine` (np.maximum or np.add):
    (N, Hp, Wp, C) -> (N, H_out, W_out, C)."""
    n = xp.shape[0]
    out = np.empty((n, *geo.out, xp.shape[3]), xp.dtype)
    for images in _pool_chunks(n, out.nbytes):
        out_chunk = out[images]
        views = _window_views(xp[images], geo)
        first, second = next(views), next(views, None)
        if second is None:  # a 1x1 window
            np.copyto(out_chunk, first)
            continue
        combine(first, second, out=out_chunk)
        for view in views:
            combine(out_chunk, view, out=out_chunk)
    return out


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


# --- max pooling --------------------------------------------------------------------


class MaxPool2D(Function):
    """Maximum over each window. The gradient goes to the FIRST maximum of each window in
    row-major order (as in PyTorch), so ties - common after ReLU - are not split.

    relu_output: the array relu(x) when this node pools a ReLU's output but is recorded
    over the ReLU's input x (max_pool2d does that). Max and relu commute, so the gradient of
    max_pool2d(relu(x)) is relu's mask taken on the pooled output, where the window's
    maximum is > 0, times g, routed to the first maximum: the ReLU's own backward, a pass
    over a 4x larger array, never runs.
    """

    def forward(self, x, *, geometry, relu_output=None):
        self.after_relu = relu_output is not None
        if self.after_relu:
            x = relu_output
        self.geo, self.x_shape = geometry, x.shape
        # Padding with the lowest value never wins a max ("same" leaves >= 1 real pixel).
        self.xp = pad_hw(x, geometry.pads, _lowest(x.dtype))
        self.y = _combine_windows(np.maximum, self.xp, geometry)
        return self.y

    def backward(self, g):
        y, geo = self.y, self.geo
        if self.after_relu:
            g = relu_grad(g, y)
        overlapping = any(s < k for s, k in zip(geo.strides, geo.kernel))
        # Windows that tile the input exactly write every pixel once: no zero fill needed.
        tiles = not overlapping and geo.pads == ((0, 0), (0, 0)) and all(
            o * s == n for o, s, n in zip(geo.out, geo.strides, self.xp.shape[1:3]))
        dxp = (np.empty if tiles else np.zeros)(self.xp.shape, g.dtype)
        for images in _pool_chunks(y.shape[0], y.nbytes):  # as in forward
            _route_to_first_max(self.xp[images], y[images], g[images], dxp[images], geo,
                                overlapping)
        return (crop_hw(dxp, geo.pads, self.x_shape[1:3]),)


def _route_to_first_max(xp, y, g, dxp, geo, overlapping):
    """Add each window's gradient g to the first position of its maximum y in dxp."""
    taken = np.zeros(y.shape, bool)  # windows whose maximum already got the gradient
    last = geo.kernel[0] * geo.kernel[1] - 1
    views = zip(_window_views(xp, geo), _window_views(dxp, geo))
    for k, (view, d_view) in enumerate(views):
        hit = ~taken if k == last else _first_max(view, y, taken, first=k == 0)
        if overlapping:
            d_view += g * hit
        else:  # each input pixel is in one window at most: write, no temporary
            np.multiply(g, hit, out=d_view)


def _first_max(view, y, taken, first=False):
    """Where `view` (one window position) holds its window's maximum y and no earlier
    position did; marks those windows in `taken`. (The last position needs no test: it
    takes every window still untaken, which then holds its maximum there.)"""
    hit = view == y
    if not first:
        hit &= ~taken
    taken |= hit
    return hit


def max_pool2d(x, pool_size, strides=None, padding="valid"):
    """Max pooling. x (N, H, W, C) -> (N, H_out, W_out, C).

    pool_size, strides: int or pair (strides default to pool_size); padding "valid" or
    "same" (TensorFlow's rule; padded pixels never win).

    >>> import baeum, baeum.functional as F
    >>> x = baeum.tensor([[1., 4, 8, 3], [6, 9, 2, 1], [11, 13, 6, 7], [8, 19, 8, 2]])
    >>> F.max_pool2d(x.reshape(1, 4, 4, 1), 2).reshape(2, 2).tolist()
    [[9.0, 8.0], [19.0, 8.0]]
    """
    x, geo = _pool_args("max_pool2d", x, pool_size, strides, padding)
    relu = x._ctx
    if relu.__class__ is ReLU and grad_mode.enabled:  # conv -> relu -> pool: see MaxPool2D
        return MaxPool2D.apply(relu.parents[0], geometry=geo, relu_output=x.data)
    return MaxPool2D.apply(x, geometry=geo)


# --- average pooling ----------------------------------------------------------------


class AvgPool2D(Function):
    """Mean over each window. With "same" padding the mean is over the real (unpadded)
    pixels only, as in TensorFlow/Keras."""

    def forward(self, x, *, geometry):
        self.geo, self.x_shape = geometry, x.shape
        (ph, pw), _, _, pads, _ = geometry
        if pads == ((0, 0), (0, 0)):
            self.scale = np.asarray(1.0 / (ph * pw), x.dtype)
        else:
            self.scale = (1.0 / _valid_counts(x.shape[1:3], geometry)).astype(x.dtype)
        xp = pad_hw(x, pads)
        self.padded_shape = xp.shape
        total = _combine_windows(np.add, xp, geometry)
        total *= self.scale
        return total

    def backward(self, g):
        g_mean = g * self.scale  # each pixel of a window gets this share
        dxp = np.zeros(self.padded_shape, g.dtype)
        for d_view in _window_views(dxp, self.geo):
            d_view += g_mean
        return (crop_hw(dxp, self.geo.pads, self.x_shape[1:3]),)


def _valid_counts(spatial, geo):
    """Number of real (unpadded) pixels in each window, shape (1, *out, 1): for images
    (spatial = (H, W)) and, in ops/pool3d.py, volumes (D, H, W)."""
    counts = np.ones(())
    for size, k, s, (before, _), n_out in zip(spatial, geo.kernel, geo.strides, geo.pads,
                                               geo.out):
        start = np.arange(n_out) * s - before
        counts = np.multiply.outer(counts, np.minimum(start + k, size) - np.maximum(start, 0))
    return counts[None, ..., None]


def avg_pool2d(x, pool_size, strides=None, padding="valid"):
    """Average pooling. x (N, H, W, C) -> (N, H_out, W_out, C); arguments as max_pool2d.

    >>> import baeum, baeum.functional as F
    >>> x = baeum.tensor([[1., 3, 0, 0], [5, 7, 0, 4], [0, 0, 1, 1], [0, 0, 1, 1]])
    >>> F.avg_pool2d(x.reshape(1, 4, 4, 1), 2).reshape(2, 2).tolist()
    [[4.0, 1.0], [0.0, 1.0]]
    """
    x, geo = _pool_args("avg_pool2d", x, pool_size, strides, padding)
    if x.dtype.kind != "f":
        raise TypeError(f"avg_pool2d expects floating-point inputs, got dtype {x.dtype}")
    return AvgPool2D.apply(x, geometry=geo)


# --- global pooling -----------------------------------------------------------------


class GlobalAvgPool2D(Function):
    """(N, H, W, C) -> (N, C) (or (N, 1, 1, C) with keepdims): the mean of each channel."""

    def forward(self, x, *, keepdims):
        self.x_shape = x.shape
        return x.mean(axis=(1, 2), keepdims=keepdims)

    def backward(self, g):
        n, h, w, c = self.x_shape
        dx = np.empty(self.x_shape, g.dtype)
        dx[...] = g.reshape(n, 1, 1, c) * np.asarray(1.0 / (h * w), g.dtype)
        return (dx,)


class GlobalMaxPool2D(Function):
    """(N, H, W, C) -> (N, C) (or (N, 1, 1, C)): the maximum of each channel; the gradient
    goes to its first occurrence in row-major order."""

    def forward(self, x, *, keepdims):
        n, h, w, c = self.x_shape = x.shape
        self.where = x.reshape(n, h * w, c).argmax(axis=1)[:, None, :]  # (N, 1, C)
        y = np.take_along_axis(x.reshape(n, h * w, c), self.where, axis=1)
        return y.reshape((n, 1, 1, c) if keepdims else (n, c))

    def backward(self, g):
        n, h, w, c = self.x_shape
        dx = np.zeros((n, h * w, c), g.dtype)
        np.put_along_axis(dx, self.where, g.reshape(n, 1, c), axis=1)
        return (dx.reshape(self.x_shape),)


def global_avg_pool2d(x, keepdims=False):
    """Mean over H and W: (N, H, W, C) -> (N, C), or (N, 1, 1, C) with keepdims."""
    x = check_image("global_avg_pool2d", x)
    return GlobalAvgPool2D.apply(x, keepdims=keepdims)


def global_max_pool2d(x, keepdims=False):
    """Maximum over H and W: (N, H, W, C) -> (N, C), or (N, 1, 1, C) with keepdims."""
    x = check_image("global_max_pool2d", x)
    return GlobalMaxPool2D.apply(x, keepdims=keepdims)


# --- upsampling ---------------------------------------------------------------------


class Upsample2D(Function):
    """Nearest-neighbour upsampling: each pixel repeated sh times down and sw times across."""

    def forward(self, x, *, size):
        n, h, w, c = x.shape
        sh, sw = self.size = size
        big = np.broadcast_to(x[:, :, None, :, None, :], (n, h, sh, w, sw, c))
        return big.reshape(n, h * sh, w * sw, c)

    def backward(self, g):
        n, hs, ws, c = g.shape
        sh, sw = self.size
        return (g.reshape(n, hs // sh, sh, ws // sw, sw, c).sum(axis=(2, 4)),)


def upsample2d(x, size=(2, 2)):
    """Repeat rows `size[0]` times and columns `size[1]` times (Keras UpSampling2D, nearest).

    x (N, H, W, C) -> (N, H*sh, W*sw, C).

    >>> import baeum, baeum.functional as F
    >>> F.upsample2d(baeum.tensor([[[[1.], [2.]]]]), 2).reshape(2, 4).tolist()
    [[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]
    """
    x = check_image("upsample2d", x)
    return Upsample2D.apply(x, size=int_pair("upsample2d", "size", size))


# --- argument checks ----------------------------------------------------------------


def _pool_args(op, x, pool_size, strides, padding):
    x = check_image(op, x)
    if not (isinstance(padding, str) and padding.lower() in ("valid", "same")):
        raise ValueError(f"{op} padding must be 'valid' or 'same', got {padding!r}")
    pool_size = int_pair(op, "pool_size", pool_size)
    strides = pool_size if strides is None else strides
    geo = conv_geometry(op, x.shape[1:3], pool_size, strides, padding, 1, window="pooling window")
    return x, geo


__all__ = [
    "max_pool2d", "avg_pool2d", "global_avg_pool2d", "global_max_pool2d", "upsample2d",
    "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "GlobalMaxPool2D", "Upsample2D",
]
