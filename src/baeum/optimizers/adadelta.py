"""Adadelta: step sizes from running averages of squared gradients and squared steps."""

import numpy as np

from baeum.optimizers.optimizer import Optimizer, check_number


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), in Keras's form (the same formula as torch's).

    Per weight `w` with gradient `g` (both averages start at zero)::

        accumulated_grad = rho * accumulated_grad + (1 - rho) * g ** 2
        delta = sqrt(accumulated_delta + epsilon) / sqrt(accumulated_grad + epsilon) * g
        accumulated_delta = rho * accumulated_delta + (1 - rho) * delta ** 2
        w = w - lr * delta

    The paper has no learning rate (use `learning_rate=1.0` for its exact form);
    Keras's default is 0.001, torch's is 1.0.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        rho: float in [0, 1], the averages' decay. Defaults to 0.95.
        epsilon: float >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.
    """

    elementwise_update = True

    slot_names = ("accumulated_grad", "accumulated_delta")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None, params=None):
        self.rho = check_number("Adadelta", "rho", rho, 0.0, 1.0)
        self.epsilon = check_number("Adadelta", "epsilon", epsilon, 0.0)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    def update_step(self, grad, weight, slots, lr):
        accumulated_grad, accumulated_delta = slots
        rho, eps = self.rho, self.epsilon
        t = np.square(grad)
        t *= 1.0 - rho
        accumulated_grad *= rho
        accumulated_grad += t
        delta = accumulated_delta + eps
        np.sqrt(delta, out=delta)
        delta *= grad
        np.add(accumulated_grad, eps, out=t)
        np.sqrt(t, out=t)
        delta /= t
        np.square(delta, out=t)
        t *= 1.0 - rho
        accumulated_delta *= rho
        accumulated_delta += t
        delta *= lr
        weight -= delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
