"""Batch normalization as one fused op: forward and backward side by side.

    y = gamma * (x - mean) / sqrt(var + epsilon) + beta

normalizing over every axis but the channel axis (`axis`, -1 for NHWC images and for
(N, C) features). In training the mean and the biased variance come from the batch
and the moving statistics are updated in place, as Keras does:

    moving_mean     = moving_mean * momentum + batch_mean * (1 - momentum)
    moving_variance = moving_variance * momentum + batch_variance * (1 - momentum)

Keras uses the *biased* batch variance (divide by M, the number of values per channel)
both to normalize and in the moving average. PyTorch normalizes with the biased
variance too, but its running_var is updated with the *unbiased* one (divide by M - 1),
and its `momentum` is Keras's `1 - momentum`. In inference the moving statistics are
used and nothing is updated.

Written as a single Function because the composed version (mean, sub, mul, sqrt, ...)
records about ten graph nodes and keeps as many arrays alive; the fused backward is

    dx = gamma / sqrt(var + eps) * (g - mean(g) - xhat * mean(g * xhat))   (training)
    dx = gamma / sqrt(moving_var + eps) * g                                 (inference)
"""

import numpy as np

from baeum.autograd.function import Function


class BatchNorm(Function):
    """x (..., C, ...) with the channel on `axis`; gamma, beta, moving stats (C,).

    gamma or beta may be None (Keras's scale=False / center=False).
    """

    def forward(self, x, gamma, beta, moving_mean, moving_variance, *, training, momentum,
                epsilon, axis=-1):
        axis = axis % x.ndim
        self.axes = tuple(i for i in range(x.ndim) if i != axis)
        # Per-channel arrays reshaped to broadcast against x: (C,) for channels-last.
        self.bshape = tuple(x.shape[axis] if i == axis else 1 for i in range(x.ndim))
        self.training = training
        if training:
            mean = x.mean(axis=self.axes, keepdims=True)
            xc = x - mean
            var = np.mean(xc * xc, axis=self.axes, keepdims=True)
            inv_std = 1.0 / np.sqrt(var + epsilon)
            xhat = xc * inv_std
            # Keras's update rule (biased variance), in place on the layer's state.
            keep = 1.0 - momentum
            moving_mean[...] = moving_mean * momentum + mean.reshape(-1) * keep
            moving_variance[...] = moving_variance * momentum + var.reshape(-1) * keep
        else:
            inv_std = 1.0 / np.sqrt(moving_variance.reshape(self.bshape) + epsilon)
            xhat = (x - moving_mean.reshape(self.bshape)) * inv_std
            inv_std = inv_std.astype(x.dtype, copy=False)
            xhat = xhat.astype(x.dtype, copy=False)
        self.xhat, self.inv_std = xhat, inv_std
        self.gamma = None if gamma is None else gamma.reshape(self.bshape)
        y = xhat if gamma is None else xhat * self.gamma
        if beta is not None:
            y = y + beta.reshape(self.bshape)
        return y

    def backward(self, g):
        need_x, need_gamma, need_beta = self.needs_input_grad[:3]
        xhat, axes = self.xhat, self.axes
        g_beta = g.sum(axis=axes) if (need_beta or (need_x and self.training)) else None
        g_gamma = (g * xhat).sum(axis=axes) if (need_gamma or (need_x and self.training)) \
            else None
        gx = None
        if need_x:
            scale = self.inv_std if self.gamma is None else self.gamma * self.inv_std
            if self.training:
                m = g.size // g_beta.size
                gx = scale * (g - (g_beta / m).reshape(self.bshape)
                              - xhat * (g_gamma / m).reshape(self.bshape))
            else:
                gx = g * scale
        return (gx, g_gamma if need_gamma else None, g_beta if need_beta else None,
                None, None)


def batch_norm(x, moving_mean, moving_variance, gamma=None, beta=None, *, training=False,
               momentum=0.99, epsilon=1e-3, axis=-1):
    """Batch normalization of Tensor `x` over all axes but `axis`.

    `moving_mean` and `moving_variance` are Tensors of shape (C,) (non-trainable state);
    when `training` is true they are updated in place with Keras's rule.

    >>> import baeum, numpy as np
    >>> x = baeum.tensor(np.array([[1.0, 2.0], [3.0, 6.0]], np.float32))
    >>> mm, mv = baeum.zeros(2), baeum.ones(2)
    >>> batch_norm(x, mm, mv, training=True, epsilon=0.0).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> [round(float(v), 4) for v in mm.numpy()]    # 0.99 * 0 + 0.01 * batch mean
    [0.02, 0.04]
    """
    return BatchNorm.apply(x, gamma, beta, moving_mean.data, moving_variance.data,
                           training=bool(training), momentum=momentum, epsilon=epsilon,
                           axis=axis)
