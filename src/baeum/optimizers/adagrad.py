"""Adagrad: per-element learning rates from the running sum of squared gradients."""

import numpy as np

from baeum.optimizers.optimizer import Optimizer, check_number


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), in Keras's form.

    Per weight `w` with gradient `g`::

        accumulator = accumulator + g ** 2           (starts at initial_accumulator_value)
        w = w - lr * g / sqrt(accumulator + epsilon)

    Differs from torch's Adagrad, whose accumulator starts at 0 by default and whose
    epsilon sits outside the root: `w -= lr * g / (sqrt(accumulator) + eps)`.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        initial_accumulator_value: float >= 0, the accumulator's start. Defaults to 0.1.
        epsilon: float >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.
    """

    elementwise_update = True

    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name=None, params=None):
        self.initial_accumulator_value = check_number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, 0.0
        )
        self.epsilon = check_number("Adagrad", "epsilon", epsilon, 0.0)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    def _initial_slot(self, slot_name, weight):
        return np.full_like(weight, self.initial_accumulator_value)

    def update_step(self, grad, weight, slots, lr):
        (accumulator,) = slots
        t = np.square(grad)  # the one temporary
        accumulator += t
        np.add(accumulator, self.epsilon, out=t)
        np.sqrt(t, out=t)
        np.divide(grad, t, out=t)
        t *= lr
        weight -= t

    def get_config(self):
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
