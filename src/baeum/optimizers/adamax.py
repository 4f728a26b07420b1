"""Adamax: Adam with the infinity norm of past gradients in place of their mean square."""

import math

import numpy as np

from baeum.optimizers.optimizer import Optimizer, check_number


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2014, section 7.1), in Keras's form.

    Per weight `w` with gradient `g`, at update number `t = iterations + 1`
    (`m`, `u` start at zero)::

        m = m + (1 - beta_1) * (g - m)
        u = max(beta_2 * u, |g|)
        w = w - lr / (1 - beta_1 ** t) * m / (u + epsilon)

    `u` needs no bias correction. torch's Adamax puts its eps inside the max,
    `u = max(beta_2 * u, |g| + eps)`, `w -= lr / (1 - beta_1 ** t) * m / u`; the two
    agree exactly at epsilon = 0. Its `weight_decay` is an L2 term added to the gradient,
    here (as in every Keras optimizer) it is decoupled: see `Optimizer`.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: float in [0, 1), decay of the first moment. Defaults to 0.9.
        beta_2: float in [0, 1), decay of the infinity norm. Defaults to 0.999.
        epsilon: float >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.

    >>> import baeum, numpy as np
    >>> w = baeum.tensor(np.array([1.0, -1.0]))
    >>> opt = baeum.optimizers.Adamax(learning_rate=0.1, epsilon=0.0)
    >>> opt.apply([np.array([0.5, -2.0])], [w])      # first step: lr * sign(g)
    >>> w.data.tolist()
    [0.9, -0.9]
    """

    elementwise_update = True

    slot_names = ("m", "u")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name=None, params=None):
        self.beta_1 = check_number("Adamax", "beta_1", beta_1, 0.0, math.nextafter(1.0, 0.0))
        self.beta_2 = check_number("Adamax", "beta_2", beta_2, 0.0, math.nextafter(1.0, 0.0))
        self.epsilon = check_number("Adamax", "epsilon", epsilon, 0.0)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    def update_step(self, grad, weight, slots, lr):
        m, u = slots
        t = self.iterations + 1
        tmp = grad - m  # the one temporary
        tmp *= 1.0 - self.beta_1
        m += tmp
        u *= self.beta_2
        np.abs(grad, out=tmp)
        np.maximum(u, tmp, out=u)
        np.add(u, self.epsilon, out=tmp)
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1.0 - self.beta_1**t)
        weight -= tmp

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
