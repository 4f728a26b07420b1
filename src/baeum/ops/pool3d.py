"""Pooling on channels-last volumes (N, D, H, W, C): max and average pooling, global
pooling, and upsampling by repetition.

Windows follow conv3d's geometry (`volume_geometry`): "valid" or TensorFlow's "same".
As in the 2-D pools (ops/pool.py), a pooled value combines pd*ph*pw strided views of the
(padded) input, one per position in the window, with an elementwise maximum or sum; the
loops run over the window's positions, never over pixels.
"""

import numpy as np

from baeum.autograd.function import Function
from baeum.ops.conv3d import (
    check_volume,
    crop_dhw,
    int_triple,
    kernel_taps,
    pad_dhw,
    tap_index,
    volume_geometry,
)
from baeum.ops.pool import (
    _first_max,
    _lowest,
    _valid_counts,
    global_avg_pool2d,
    global_max_pool2d,
)


def _window_views(xp, geo):
    """Yield, for each position of the window in row-major order, the strided view of the
    padded input holding that position of every window: (N, D_out, H_out, W_out, C)."""
    for tap in kernel_taps(geo):
        yield xp[tap_index(geo, tap)]


def _combine_windows(combine, xp, geo):
    """Reduce every window of xp with `combine` (np.maximum or np.add):
    (N, Dp, Hp, Wp, C) -> (N, D_out, H_out, W_out, C)."""
    views = _window_views(xp, geo)
    out = np.array(next(views))
    for view in views:
        combine(out, view, out=out)
    return out


def _overlapping(geo):
    return any(s < k for s, k in zip(geo.strides, geo.kernel))


# --- max pooling --------------------------------------------------------------------


class MaxPool3D(Function):
    """Maximum over each window. The gradient goes to the FIRST maximum of each window in
    row-major order (depth, then rows, then columns), as in PyTorch and max_pool2d, so
    ties are not split."""

    def forward(self, x, *, geometry):
        self.geo, self.x_shape = geometry, x.shape
        # Padding with the lowest value never wins a max ("same" leaves >= 1 real pixel).
        self.xp = pad_dhw(x, geometry.pads, _lowest(x.dtype))
        self.y = _combine_windows(np.maximum, self.xp, geometry)
        return self.y

    def backward(self, g):
        y, geo = self.y, self.geo
        overlapping = _overlapping(geo)
        dxp = np.zeros(self.xp.shape, g.dtype)
        taken = np.zeros(y.shape, bool)  # windows whose maximum already got the gradient
        last = int(np.prod(geo.kernel)) - 1
        views = zip(_window_views(self.xp, geo), _window_views(dxp, geo))
        for k, (view, d_view) in enumerate(views):
            hit = ~taken if k == last else _first_max(view, y, taken, first=k == 0)
            if overlapping:
                d_view += g * hit
            else:  # each input pixel is in one window at most: write, no temporary
                np.multiply(g, hit, out=d_view)
        return (crop_dhw(dxp, geo.pads, self.x_shape[1:4]),)


def max_pool3d(x, pool_size, strides=None, padding="valid"):
    """3-D max pooling. x (N, D, H, W, C) -> (N, D_out, H_out, W_out, C).

    pool_size, strides: an int or 3 ints (strides default to pool_size); padding "valid"
    or "same" (TensorFlow's rule; padded pixels never win).

    >>> import numpy as np, baeum, baeum.functional as F
    >>> x = baeum.tensor(np.arange(16.0).reshape(1, 2, 2, 4, 1))
    >>> F.max_pool3d(x, 2).reshape(-1).tolist()
    [13.0, 15.0]
    """
    x, geo = _pool_args("max_pool3d", x, pool_size, strides, padding)
    return MaxPool3D.apply(x, geometry=geo)


# --- average pooling ----------------------------------------------------------------


class AvgPool3D(Function):
    """Mean over each window. With "same" padding the mean is over the real (unpadded)
    pixels only, as in TensorFlow/Keras."""

    def forward(self, x, *, geometry):
        self.geo, self.x_shape = geometry, x.shape
        if not any(a or b for a, b in geometry.pads):
            self.scale = np.asarray(1.0 / np.prod(geometry.kernel), x.dtype)
        else:
            self.scale = (1.0 / _valid_counts(x.shape[1:4], geometry)).astype(x.dtype)
        xp = pad_dhw(x, geometry.pads)
        self.padded_shape = xp.shape
        total = _combine_windows(np.add, xp, geometry)
        total *= self.scale
        return total

    def backward(self, g):
        g_mean = g * self.scale  # each pixel of a window gets this share
        dxp = np.zeros(self.padded_shape, g.dtype)
        for d_view in _window_views(dxp, self.geo):
            d_view += g_mean
        return (crop_dhw(dxp, self.geo.pads, self.x_shape[1:4]),)


def avg_pool3d(x, pool_size, strides=None, padding="valid"):
    """3-D average pooling. x (N, D, H, W, C) -> (N, D_out, H_out, W_out, C); arguments as
    max_pool3d.

    >>> import numpy as np, baeum, baeum.functional as F
    >>> x = baeum.tensor(np.arange(16.0).reshape(1, 2, 2, 4, 1))
    >>> F.avg_pool3d(x, 2).reshape(-1).tolist()
    [6.5, 8.5]
    """
    x, geo = _pool_args("avg_pool3d", x, pool_size, strides, padding)
    if x.dtype.kind != "f":
        raise TypeError(f"avg_pool3d expects floating-point inputs, got dtype {x.dtype}")
    return AvgPool3D.apply(x, geometry=geo)


# --- global pooling -----------------------------------------------------------------


def global_avg_pool3d(x, keepdims=False):
    """Mean over D, H and W: (N, D, H, W, C) -> (N, C), or (N, 1, 1, 1, C) with keepdims.

    global_avg_pool2d's op on the volume seen as an image (N, D, H*W, C).

    >>> import numpy as np, baeum, baeum.functional as F
    >>> F.global_avg_pool3d(baeum.tensor(np.ones((2, 3, 4, 5, 6))), keepdims=True).shape
    (2, 1, 1, 1, 6)
    """
    return _global_pool(global_avg_pool2d, "global_avg_pool3d", x, keepdims)


def global_max_pool3d(x, keepdims=False):
    """Maximum over D, H and W: (N, D, H, W, C) -> (N, C), or (N, 1, 1, 1, C) with
    keepdims; the gradient goes to the first maximum in row-major order."""
    return _global_pool(global_max_pool2d, "global_max_pool3d", x, keepdims)


def _global_pool(pool2d, op, x, keepdims):
    x = check_volume(op, x)
    n, d, h, w, c = x.shape
    y = pool2d(x.reshape(n, d, h * w, c))
    return y.reshape(n, 1, 1, 1, c) if keepdims else y


# --- upsampling ---------------------------------------------------------------------


class Upsample3D(Function):
    """Nearest-neighbour upsampling: each voxel repeated sd, sh and sw times along D, H, W."""

    def forward(self, x, *, size):
        n, d, h, w, c = x.shape
        sd, sh, sw = self.size = size
        big = np.broadcast_to(x[:, :, None, :, None, :, None, :], (n, d, sd, h, sh, w, sw, c))
        return big.reshape(n, d * sd, h * sh, w * sw, c)

    def backward(self, g):
        n, ds, hs, ws, c = g.shape
        sd, sh, sw = self.size
        return (g.reshape(n, ds // sd, sd, hs // sh, sh, ws // sw, sw, c).sum(axis=(2, 4, 6)),)


def upsample3d(x, size=(2, 2, 2)):
    """Repeat every voxel size[0] times along D, size[1] along H and size[2] along W
    (Keras UpSampling3D). x (N, D, H, W, C) -> (N, D*sd, H*sh, W*sw, C).

    >>> import numpy as np, baeum, baeum.functional as F
    >>> F.upsample3d(baeum.tensor(np.ones((1, 1, 2, 1, 3))), 2).shape
    (1, 2, 4, 2, 3)
    """
    x = check_volume("upsample3d", x)
    return Upsample3D.apply(x, size=int_triple("upsample3d", "size", size))


# --- argument checks ----------------------------------------------------------------


def _pool_args(op, x, pool_size, strides, padding):
    x = check_volume(op, x)
    if not (isinstance(padding, str) and padding.lower() in ("valid", "same")):
        raise ValueError(f"{op} padding must be 'valid' or 'same', got {padding!r}")
    pool_size = int_triple(op, "pool_size", pool_size)
    strides = pool_size if strides is None else strides
    geo = volume_geometry(op, x.shape[1:4], pool_size, strides, padding, 1,
                          window="pooling window")
    return x, geo


__all__ = [
    "max_pool3d", "avg_pool3d", "global_avg_pool3d", "global_max_pool3d", "upsample3d",
    "MaxPool3D", "AvgPool3D", "Upsample3D",
]
