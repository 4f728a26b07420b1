"""Fused loss ops: softmax + cross-entropy and sigmoid + binary cross-entropy.

Fusing is for numerical stability (log-sum-exp instead of log(softmax)) and speed
(the gradient is simply softmax - target). Each returns one loss value per sample;
reductions are the caller's (baeum.losses).
"""

import numpy as np

from baeum.autograd.function import Function
from baeum.ops.activations import log_softmax_array, sigmoid_array


class SparseSoftmaxCrossEntropy(Function):
    """logits (..., C), labels (...) integers -> loss (...) = -log softmax(logits)[label].

    mean=True returns the mean over all samples instead, one op (the loss classes use it
    for their default reduction): its backward is (softmax - onehot) / n in place.
    """

    def forward(self, logits, labels, mean=False):
        self.logp = log_softmax_array(logits, -1)
        # Rows of a (samples, C) view and the label of each row: plain fancy indexing
        # is several times faster than take_along_axis on small batches.
        self.rows = np.arange(labels.size)
        self.flat_labels = labels.reshape(-1)
        picked = self.logp.reshape(-1, logits.shape[-1])[self.rows, self.flat_labels]
        self.mean = mean
        if mean:  # (sum / n: ndarray.mean is a Python-level wrapper, slow on small arrays)
            return np.asarray(-picked.sum() / picked.size, dtype=logits.dtype)
        return -picked.reshape(labels.shape)

    def backward(self, g):
        softmax = np.exp(self.logp)
        # A fresh array, so editing it in place is safe (reshape may copy: use its result).
        grad = softmax.reshape(-1, softmax.shape[-1])
        grad[self.rows, self.flat_labels] -= 1
        grad = grad.reshape(softmax.shape)
        if self.mean:
            grad *= g / self.rows.size
            return (grad, None)
        return (grad * g[..., None], None)


class SoftmaxCrossEntropy(Function):
    """logits (..., C), target (..., C) probabilities -> loss (...) = -sum target * log softmax."""

    def forward(self, logits, target):
        self.logp = log_softmax_array(logits, -1)
        self.target = target
        return -(target * self.logp).sum(axis=-1)

    def backward(self, g):
        g1 = g[..., None]
        nl, nt = self.needs_input_grad
        t = self.target
        gl = (np.exp(self.logp) * t.sum(axis=-1, keepdims=True) - t) * g1 if nl else None
        gt = -self.logp * g1 if nt else None
        return gl, gt


class SigmoidBinaryCrossEntropy(Function):
    """logits x, target t (same shape) -> max(x, 0) - x t + log(1 + e^-|x|), elementwise."""

    def forward(self, x, t):
        self.x, self.t = x, t
        return np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))

    def backward(self, g):
        nx, nt = self.needs_input_grad
        gx = (sigmoid_array(self.x) - self.t) * g if nx else None
        gt = -self.x * g if nt else None
        return gx, gt
