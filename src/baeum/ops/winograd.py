"""Winograd's F(2x2, 3x3) convolution, also fused with 2x2 max pooling for inference.

A 3x3 convolution with stride 1 makes each 2x2 block of outputs from one 4x4 tile of
input. Winograd (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
2015) computes that block with 16 products per (input, output) channel pair instead of
36:

    Y = A^T [ (G g G^T) * (B^T d B) ] A        d: 4x4 input tile, g: 3x3 kernel,
                                               *: elementwise, summed over C_in

The transforms B^T . B and A^T . A are only additions, and G g G^T is computed once per
call. Summed over channels, the elementwise products are 16 matrix products
(tiles, C_in) @ (C_in, C_out): 2.25x fewer multiplications than im2col's one product.

The 2x2 output blocks are exactly the windows of a 2x2 max pool with stride 2, so the
pool takes the maximum of the four outputs of each block and never builds the full
feature map. The bias and ReLU come after the pool: both are monotone, so max(relu(y +
b)) = relu(max(y) + b), and they run on a quarter of the values.

conv3x3 is the plain convolution (stride 1, full feature map), which conv2d uses where no
kernel gradient is needed (inference) and for the input gradient of a 3x3 stride-1 conv
(the same kind of convolution, of the output gradient with the flipped kernel). The
kernel gradient keeps im2col's product: it needs the column matrix anyway.

The results differ from im2col's by float rounding (about 1e-6 relative in float32).
"""

import numpy as np

from baeum import parallel
from baeum.ops import conv  # conv uses conv3x3 too: the module, not its names
from baeum.ops.activations import relu_array

# The transform matrices of F(2x2, 3x3).
_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
# B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]] and
# A^T = [[1, 1, 1, 0], [0, 1, -1, -1]] are applied as the additions they stand for.

# Winograd's 16 products have C_in as their inner size: from 16 input channels on they
# beat im2col's one product (conv, ReLU and 2x2 pool of 40 MNIST-sized images, one core:
# 1.7 against 2.0 ms at C_in=16, 2.8 against 3.8 at 32; 3.2 against 3.0 at 8, 5.9
# against 1.0 at 1).
MIN_CHANNELS = 16

# Images per pass: about this many bytes of products (16 x tiles x C_out) at a time, so
# that the transforms and the products stay in cache. For the MNIST CNN's predict at
# batch 1000 on 2 cores: 70 ms with 1 MB (5 images), 74 with 2 MB, 87-98 with 0.5 MB
# (the transforms' per-call cost), 116-141 with 0.25 MB.
_CHUNK_BYTES = 1 << 20


def kernel_transform(kernel):
    """U = G g G^T for each channel pair: kernel (3, 3, C_in, C_out) -> (16, C_in, C_out)."""
    c_in, c_out = kernel.shape[2:]
    g = _G.astype(kernel.dtype)
    rows = (g @ kernel.reshape(3, -1)).reshape(4, 3, -1)  # G g, for each column of g
    return np.matmul(g, rows).reshape(16, c_in, c_out)    # (G g) G^T


def _apply_bt(d, out):
    """out[k] = sum_a B^T[k, a] d[a] for the four arrays d[0..3] and four views out(k)."""
    np.subtract(d[0], d[2], out=out(0))
    np.add(d[1], d[2], out=out(1))
    np.subtract(d[2], d[1], out=out(2))
    np.subtract(d[1], d[3], out=out(3))


def input_transform(xp, tiles):
    """B^T d B for every 4x4 tile d of xp (N, Hp, Wp, C) starting at even rows and columns:
    -> V (4, 4, N, th, tw, C), tiles = (th, tw)."""
    n, _, wp, c = xp.shape
    th, tw = tiles
    rows = [xp[:, a:a + 2 * th - 1:2] for a in range(4)]         # (N, th, Wp, C) each
    across = np.empty((4, n, th, wp, c), xp.dtype)
    _apply_bt(rows, lambda k: across[k])                          # B^T d, down the rows
    cols = [across[:, :, :, b:b + 2 * tw - 1:2] for b in range(4)]  # (4, N, th, tw, C)
    v = np.empty((4, 4, n, th, tw, c), xp.dtype)
    _apply_bt(cols, lambda l: v[:, l])                            # (B^T d) B, across
    return v


def _at_rows(m):
    """A^T m over the first axis of m (4, 4, ...): the two rows (m0 + m1 + m2, m1 - m2 - m3)."""
    s0 = m[0] + m[1]
    s0 += m[2]
    s1 = m[1] - m[2]
    s1 -= m[3]
    return s0, s1


def output_transform(m, out):
    """A^T m A for m (4, 4, N, th, tw, C) -> its 2x2 blocks in out (N, 2 th, 2 tw, C)."""
    for a, s in enumerate(_at_rows(m)):
        left, right = out[:, a::2, 0::2], out[:, a::2, 1::2]
        np.add(s[0], s[1], out=left)
        left += s[2]
        np.subtract(s[1], s[2], out=right)
        right -= s[3]
    return out


def pooled_output_transform(m, out):
    """The maximum of A^T m A's 2x2 block, for m (4, 4, ...) -> out (...)."""
    s0, s1 = _at_rows(m)
    np.add(s0[0], s0[1], out=out)  # (A^T m A)[0, 0]
    out += s0[2]
    block = s0[1] - s0[2]          # [0, 1]
    block -= s0[3]
    np.maximum(out, block, out=out)
    np.add(s1[0], s1[1], out=block)       # [1, 0]
    block += s1[2]
    np.maximum(out, block, out=out)
    np.subtract(s1[1], s1[2], out=block)  # [1, 1]
    block -= s1[3]
    np.maximum(out, block, out=out)
    return out


def _products(xp, u, tiles):
    """The 16 products V @ U for the tiles of xp: (4, 4, N, th, tw, C_out)."""
    v = input_transform(xp, tiles)
    m = np.matmul(v.reshape(16, -1, v.shape[-1]), u)
    return m.reshape(4, 4, xp.shape[0], *tiles, u.shape[2])


def _chunks(n, tiles, c_out, itemsize):
    per_chunk = max(1, _CHUNK_BYTES // (16 * tiles[0] * tiles[1] * c_out * itemsize))
    return [slice(start, min(start + per_chunk, n)) for start in range(0, n, per_chunk)]


def applies(kernel_shape, strides, dilation):
    """Whether Winograd computes this convolution: a 3x3 kernel, stride 1, no dilation,
    enough input channels (kernel_shape: (kh, kw, C_in, C_out)), and BLAS on one thread.

    On one thread (predict's slices, or OPENBLAS_NUM_THREADS=1) Winograd is faster: for
    the MNIST CNN's second conv, 2.9 against 3.6 ms (40 images, forward), 9.4 against 11.6
    (its input gradient at batch 100), 2.7 against 4.4 (fused with ReLU and pool). With
    two BLAS threads im2col's one large product uses both cores and the small products
    do not: 3.0 against 2.4, 8.2 against 8.3, 2.7 against 2.3.
    """
    return (tuple(kernel_shape[:2]) == (3, 3) and tuple(strides) == (1, 1)
            and tuple(dilation) == (1, 1) and kernel_shape[2] >= MIN_CHANNELS
            and (parallel.blas_threads() or 1) == 1)


def conv3x3(xp, kernel):
    """The "valid" 3x3 convolution (stride 1) of already padded images: xp (N, Hp, Wp, C_in),
    kernel (3, 3, C_in, C_out) -> (N, Hp - 2, Wp - 2, C_out). No bias, no gradient."""
    n, hp, wp, _ = xp.shape
    ho, wo = hp - 2, wp - 2
    tiles = (-(-ho // 2), -(-wo // 2))
    if ho % 2 or wo % 2:  # an odd size: one more zero row or column makes whole tiles
        xp = conv.pad_hw(xp, ((0, ho % 2), (0, wo % 2)))
    u = kernel_transform(kernel.astype(xp.dtype, copy=False))
    c_out = kernel.shape[3]
    out = np.empty((n, 2 * tiles[0], 2 * tiles[1], c_out), xp.dtype)
    for images in _chunks(n, tiles, c_out, xp.itemsize):
        output_transform(_products(xp[images], u, tiles), out[images])
    if ho % 2 or wo % 2:
        out = np.ascontiguousarray(out[:, :ho, :wo])
    return out


def pooled_size(hw, padding):
    """(H, W) of the input -> the pooled output's (H, W): whole 2x2 windows of the
    conv's output, which is H x W ("same") or (H - 2) x (W - 2) ("valid")."""
    pad = 2 if padding == "same" else 0
    return tuple(max(size + pad - 2, 0) // 2 for size in hw)


def conv3x3_max_pool2x2(x, kernel, bias=None, padding="valid", relu=False):
    """max_pool2d(act(conv2d(x, kernel, bias, padding=padding)), 2) in one pass, where act is
    relu or the identity. x (N, H, W, C_in), kernel (3, 3, C_in, C_out), bias (C_out,) or
    None, padding "valid" or "same" -> (N, H_conv // 2, W_conv // 2, C_out), where H_conv is
    H ("same") or H - 2 ("valid"). Arrays in, array out: no gradient."""
    n = x.shape[0]
    c_out = kernel.shape[3]
    th, tw = pooled_size(x.shape[1:3], padding)  # one 4x4 tile of input per pool window
    if not (th and tw):
        raise ValueError(
            f"conv3x3_max_pool2x2: a {padding!r} 3x3 conv of {x.shape[1]}x{x.shape[2]} "
            "images leaves less than one 2x2 pooling window; use larger images or 'same'"
        )
    xp = conv.pad_hw(x, ((1, 1), (1, 1))) if padding == "same" else x
    u = kernel_transform(kernel.astype(x.dtype, copy=False))
    out = np.empty((n, th, tw, c_out), x.dtype)
    for images in _chunks(n, (th, tw), c_out, x.itemsize):
        pooled_output_transform(_products(xp[images], u, (th, tw)), out[images])
    if bias is not None:
        out += bias.astype(x.dtype, copy=False)
    return relu_array(out, out) if relu else out
