"""Adam: momentum on the gradient and on its square, with bias correction."""

import math

import numpy as np

from baeum.blas import axpy
from baeum.optimizers.optimizer import Optimizer, check_number


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), in Keras's form.

    Per weight `w` with gradient `g`, at update number `t = iterations + 1`
    (`m`, `v` start at zero)::

        m = m + (1 - beta_1) * (g - m)
        v = v + (1 - beta_2) * (g ** 2 - v)
        amsgrad:  v_hat = max(v_hat, v), and v_hat is used for v below
        alpha = lr * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        w = w - alpha * m / (sqrt(v) + epsilon)

    `epsilon` is the paper's "epsilon hat": it is added to the uncorrected root.
    torch's Adam adds its eps to the bias-corrected root,
    `w -= lr / (1 - beta_1 ** t) * m / (sqrt(v / (1 - beta_2 ** t)) + eps)`;
    the two agree exactly only at epsilon = 0. `t` is the optimizer's update count,
    shared by all weights (torch counts per parameter).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: float in [0, 1), decay of the first moment. Defaults to 0.9.
        beta_2: float in [0, 1), decay of the second moment. Defaults to 0.999.
        epsilon: float >= 0. Defaults to 1e-7.
        amsgrad: use the AMSGrad variant (Reddi et al., 2018). Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.
    """

    elementwise_update = True

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, params=None):
        owner = type(self).__name__
        self.beta_1 = check_number(owner, "beta_1", beta_1, 0.0, math.nextafter(1.0, 0.0))
        self.beta_2 = check_number(owner, "beta_2", beta_2, 0.0, math.nextafter(1.0, 0.0))
        self.epsilon = check_number(owner, "epsilon", epsilon, 0.0)
        self.amsgrad = bool(amsgrad)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    @property
    def slot_names(self):
        return ("m", "v", "v_hat") if self.amsgrad else ("m", "v")

    def update_step(self, grad, weight, slots, lr):
        m, v = slots[0], slots[1]
        t = self.iterations + 1
        alpha = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        # m += (1 - beta_1)(g - m); v += (1 - beta_2)(g^2 - v); each axpy is one pass.
        tmp = grad - m  # the one temporary
        axpy(1.0 - self.beta_1, tmp, m)
        np.square(grad, out=tmp)
        tmp -= v
        axpy(1.0 - self.beta_2, tmp, v)
        if self.amsgrad:
            v_hat = slots[2]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        axpy(-alpha, tmp, weight)

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }
