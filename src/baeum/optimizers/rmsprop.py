"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

import numpy as np

from baeum.optimizers.optimizer import Optimizer, check_number


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), in Keras's form.

    Per weight `w` with gradient `g` (all state starts at zero)::

        velocity = rho * velocity + (1 - rho) * g ** 2
        centered=False:  denominator = velocity + epsilon
        centered=True:   average_gradient = rho * average_gradient + (1 - rho) * g
                         denominator = velocity - average_gradient ** 2 + epsilon
        increment = lr * g / sqrt(denominator)
        momentum == 0:   w = w - increment
        momentum  > 0:   momentum_buffer = momentum * momentum_buffer + increment  ("momentum")
                         w = w - momentum_buffer

    Differs from torch's RMSprop: torch puts epsilon outside the root
    (`g / (sqrt(...) + eps)`), and with momentum torch's buffer holds `g / sqrt(...)`
    with the learning rate applied afterwards (the same while the rate is constant).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        rho: float in [0, 1], the averages' decay. Defaults to 0.9.
        momentum: float in [0, 1]. Defaults to 0.0.
        epsilon: float >= 0. Defaults to 1e-7.
        centered: normalize by the estimated variance instead of the second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.
    """

    elementwise_update = True

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, params=None):
        self.rho = check_number("RMSprop", "rho", rho, 0.0, 1.0)
        self.momentum = check_number("RMSprop", "momentum", momentum, 0.0, 1.0)
        self.epsilon = check_number("RMSprop", "epsilon", epsilon, 0.0)
        self.centered = bool(centered)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    @property
    def slot_names(self):
        return (
            ("velocity",)
            + (("average_gradient",) if self.centered else ())
            + (("momentum",) if self.momentum > 0 else ())
        )

    def update_step(self, grad, weight, slots, lr):
        rho = self.rho
        velocity = slots[0]
        t = np.square(grad)  # the one temporary
        t *= 1.0 - rho
        velocity *= rho
        velocity += t
        if self.centered:
            average_gradient = slots[1]
            average_gradient *= rho
            np.multiply(grad, 1.0 - rho, out=t)
            average_gradient += t
            np.square(average_gradient, out=t)
            np.subtract(velocity, t, out=t)
            t += self.epsilon
        else:
            np.add(velocity, self.epsilon, out=t)
        np.sqrt(t, out=t)
        np.divide(grad, t, out=t)
        t *= lr
        if self.momentum > 0:
            buffer = slots[-1]
            buffer *= self.momentum
            buffer += t
            weight -= buffer
        else:
            weight -= t

    def get_config(self):
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
