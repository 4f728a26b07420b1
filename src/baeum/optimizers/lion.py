"""Lion: the sign of an interpolated momentum, so every element moves by exactly lr."""

import numpy as np

from baeum.blas import axpy
from baeum.optimizers.optimizer import Optimizer, check_number


class Lion(Optimizer):
    """Lion, "EvoLved Sign Momentum" (Chen et al., 2023), in Keras's form.

    Per weight `w` with gradient `g` (`m` starts at zero)::

        c = beta_1 * m + (1 - beta_1) * g      (the update direction)
        w = w - lr * sign(c)
        m = beta_2 * m + (1 - beta_2) * g      (the momentum, with its own decay)

    Each element moves by exactly `lr` (or 0 where c = 0), so the update's norm is larger
    than Adam's: the paper uses a learning rate 3-10x smaller than AdamW's and a weight
    decay 3-10x larger. Weight decay is decoupled (see `Optimizer`), as in the paper's
    `w = w - lr * (sign(c) + weight_decay * w)`. One state array per weight, Adam's two.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: float in (0, 1], how much of the momentum the direction keeps. Defaults
            to 0.9 (beta_1 = 0 would make Lion signSGD).
        beta_2: float in [0, 1], decay of the momentum. Defaults to 0.99.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.

    >>> import baeum, numpy as np
    >>> w = baeum.tensor(np.array([1.0, -1.0, 0.5]))
    >>> opt = baeum.optimizers.Lion(learning_rate=0.1)
    >>> opt.apply([np.array([0.3, -2.0, 0.0])], [w])      # first step: lr * sign(g)
    >>> w.data.tolist()
    [0.9, -0.9, 0.5]
    """

    elementwise_update = True

    slot_names = ("momentum",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None, params=None):
        if isinstance(beta_1, bool) or not isinstance(beta_1, (int, float, np.number)) or \
                not 0 < beta_1 <= 1:
            raise ValueError(
                f"Lion: `beta_1` must be a number in (0, 1], got {beta_1!r} (at 0 the "
                "direction is the gradient's sign alone: signSGD)"
            )
        self.beta_1 = float(beta_1)
        self.beta_2 = check_number("Lion", "beta_2", beta_2, 0.0, 1.0)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    def update_step(self, grad, weight, slots, lr):
        (m,) = slots
        c = m * self.beta_1  # the one temporary
        axpy(1.0 - self.beta_1, grad, c)
        np.sign(c, out=c)
        axpy(-lr, c, weight)
        m *= self.beta_2
        axpy(1.0 - self.beta_2, grad, m)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
