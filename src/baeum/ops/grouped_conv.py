"""Grouped 2-D convolution (Keras Conv2D(groups=g), torch conv2d(groups=g)) on channels-last
images, composed from the ops that exist: the input channels split into g equal groups,
each convolved with its own filters // g filters, the results side by side.

x (N, H, W, C), kernel (kh, kw, C // g, F) -> y (N, H_out, W_out, F); output channels
j*F/g ... (j+1)*F/g - 1 see only input channels j*C/g ... (j+1)*C/g - 1:

    y[..., group j of F] = conv2d(x[..., group j of C], kernel[..., group j of F])

Each group is one conv2d (ops/conv.py) and autograd puts the backward together (slices,
conv2d's backward, concatenate). One group per channel (g = C) is a depthwise conv, and
runs as one: the kernel (kh, kw, 1, C*M) is depthwise_conv2d's (kh, kw, C, M) reshaped,
output channel c*M + m in both (ops/depthwise_conv.py).
"""

import numpy as np

from baeum.ops import shaping
from baeum.ops.conv import _check_bias, _check_kernel, _tensor, check_image, conv2d
from baeum.ops.depthwise_conv import depthwise_conv2d


def grouped_conv2d(x, kernel, bias=None, groups=1, strides=1, padding="valid",
                   dilation_rate=1):
    """conv2d with the channels in `groups` independent groups.

    x: (N, H, W, C); kernel: (kh, kw, C // groups, F) (Keras's layout); bias: (F,) or
    None -> (N, H_out, W_out, F). C and F must be divisible by groups; padding, strides
    and dilation_rate as conv2d. groups=1 is conv2d.

    >>> import numpy as np, baeum
    >>> from baeum.ops.grouped_conv import grouped_conv2d
    >>> x = np.concatenate([np.ones((1, 2, 2, 1)), 10 * np.ones((1, 2, 2, 1))], axis=-1)
    >>> grouped_conv2d(x, np.ones((2, 2, 1, 2)), groups=2).numpy()[0, 0, 0].tolist()
    [4.0, 40.0]
    """
    x, kernel = check_image("grouped_conv2d", x), _tensor(kernel)
    _check_kernel("grouped_conv2d", kernel, "(kh, kw, C_in // groups, C_out)")
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"grouped_conv2d groups must be a positive integer, got {groups!r}")
    channels, filters = x.shape[3], kernel.shape[3]
    if channels % groups:
        raise ValueError(
            f"grouped_conv2d: the {channels} input channels must be divisible by "
            f"groups={groups} (inputs of shape {x.shape})"
        )
    if filters % groups:
        raise ValueError(
            f"grouped_conv2d: the {filters} output channels (filters) of the kernel of shape "
            f"{kernel.shape} must be divisible by groups={groups}"
        )
    if kernel.shape[2] * groups != channels:
        raise ValueError(
            f"grouped_conv2d: the kernel of shape {kernel.shape} (kh, kw, C_in // groups, "
            f"C_out) expects {kernel.shape[2]} * {groups} = {kernel.shape[2] * groups} input "
            f"channels, got inputs with {channels} channels (shape {x.shape})"
        )
    bias = _check_bias("grouped_conv2d", bias, filters)
    window = dict(strides=strides, padding=padding, dilation_rate=dilation_rate)
    if groups == 1:
        return conv2d(x, kernel, bias, **window)
    if groups == channels:  # one channel per group: a depthwise conv
        kh, kw = kernel.shape[:2]
        return depthwise_conv2d(x, kernel.reshape(kh, kw, channels, filters // channels), bias,
                                **window)
    per_in, per_out = channels // groups, filters // groups
    outputs = []
    for j in range(groups):
        ins, outs = slice(j * per_in, (j + 1) * per_in), slice(j * per_out, (j + 1) * per_out)
        outputs.append(conv2d(x[..., ins], kernel[..., outs],
                              None if bias is None else bias[outs], **window))
    return shaping.concatenate(outputs, axis=3)


__all__ = ["grouped_conv2d"]
