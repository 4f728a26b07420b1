"""FTRL-Proximal: per-element rates like Adagrad, and an L1 term that makes weights exactly 0."""

import math

import numpy as np

from baeum.optimizers.optimizer import Optimizer, check_number


class Ftrl(Optimizer):
    """FTRL-Proximal, "Follow The Regularized Leader" (McMahan et al., 2013), in Keras's form.

    Made for large, sparse linear models (click-through prediction): the L1 term sets
    weights whose accumulated evidence is small to exactly 0. Per weight `w` with gradient
    `g`, with p = -learning_rate_power (0.5 by default, Adagrad's square root)::

        n_new = n + g ** 2                        (n starts at initial_accumulator_value)
        z = z + g + 2 * l2_shrinkage * w - (n_new ** p - n ** p) / lr * w
        w = (clip(z, -l1, l1) - z) / (n_new ** p / lr + 2 * l2 + beta / lr)
        n = n_new

    i.e. w = 0 where |z| <= l1, else -(z - sign(z) * l1) / (...). Note that w is
    recomputed from the state (z, n) at each step, not moved from its last value.
    `l2_regularization_strength` is the paper's stabilizing L2 (in the denominator);
    `l2_shrinkage_regularization_strength` is an L2 penalty on the weights' size (its
    gradient 2 * l2_shrinkage * w is added to g, but not to the accumulator).

    Args:
        learning_rate: float, schedule or callable (must stay > 0). Defaults to 0.001.
        learning_rate_power: float <= 0; 0 keeps the rate fixed. Defaults to -0.5.
        initial_accumulator_value: float >= 0, the start of n. Defaults to 0.1.
        l1_regularization_strength: float >= 0. Defaults to 0.0.
        l2_regularization_strength: float >= 0. Defaults to 0.0.
        l2_shrinkage_regularization_strength: float >= 0. Defaults to 0.0.
        beta: float, the paper's beta (added to n ** p). Defaults to 0.0.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.

    >>> import baeum, numpy as np
    >>> w = baeum.tensor(np.array([0.0, 0.0]))
    >>> opt = baeum.optimizers.Ftrl(1.0, initial_accumulator_value=0.0,
    ...                             l1_regularization_strength=1.0)
    >>> opt.apply([np.array([0.5, -3.0])], [w])   # |z| = 0.5 <= l1: exactly 0
    >>> w.data.tolist()                           # -(-3 + 1) / sqrt(9)
    [0.0, 0.6666666666666666]
    """

    elementwise_update = True

    slot_names = ("accumulator", "linear")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, params=None):
        self.learning_rate_power = check_number("Ftrl", "learning_rate_power",
                                                learning_rate_power, -math.inf, 0.0)
        self.initial_accumulator_value = check_number(
            "Ftrl", "initial_accumulator_value", initial_accumulator_value, 0.0)
        self.l1_regularization_strength = check_number(
            "Ftrl", "l1_regularization_strength", l1_regularization_strength, 0.0)
        self.l2_regularization_strength = check_number(
            "Ftrl", "l2_regularization_strength", l2_regularization_strength, 0.0)
        self.l2_shrinkage_regularization_strength = check_number(
            "Ftrl", "l2_shrinkage_regularization_strength",
            l2_shrinkage_regularization_strength, 0.0)
        self.beta = check_number("Ftrl", "beta", beta, -math.inf)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    def _initial_slot(self, slot_name, weight):
        if slot_name == "accumulator":
            return np.full_like(weight, self.initial_accumulator_value)
        return np.zeros_like(weight)

    def update_step(self, grad, weight, slots, lr):
        if not lr > 0:  # the formula divides by lr
            raise ValueError(f"Ftrl needs a learning rate > 0, got {lr!r} at update "
                             f"{self.iterations}")
        accumulator, linear = slots
        power = -self.learning_rate_power
        new_accumulator = accumulator + np.square(grad)
        root_new = new_accumulator**power  # a Python scalar power: NumPy's sqrt for 0.5
        sigma = root_new - accumulator**power
        sigma /= lr
        sigma *= weight
        linear += grad
        if self.l2_shrinkage_regularization_strength:
            linear += (2.0 * self.l2_shrinkage_regularization_strength) * weight
        linear -= sigma
        quadratic = root_new
        quadratic /= lr
        quadratic += 2.0 * self.l2_regularization_strength + self.beta / lr
        l1 = self.l1_regularization_strength
        np.clip(linear, -l1, l1, out=weight)
        weight -= linear
        weight /= quadratic
        accumulator[...] = new_accumulator

    def get_config(self):
        return {
            **super().get_config(),
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        }
