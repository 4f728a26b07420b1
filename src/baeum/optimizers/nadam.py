"""Nadam: Adam with Nesterov momentum and Dozat's momentum schedule."""

import math

import numpy as np

from baeum.optimizers.optimizer import Optimizer, check_number


class Nadam(Optimizer):
    """Nadam (Dozat, 2015), in Keras's form.

    Per weight `w` with gradient `g`, at update number `t = iterations + 1`
    (`m`, `v` start at zero)::

        u_t      = beta_1 * (1 - 0.5 * 0.96 ** t)          (momentum schedule)
        u_next   = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product = u_1 * u_2 * ... * u_t                  (one value, shared by all weights)
        m = m + (1 - beta_1) * (g - m)
        v = v + (1 - beta_2) * (g ** 2 - v)
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2 ** t)
        w = w - lr * m_hat / (sqrt(v_hat) + epsilon)

    This is torch's NAdam with `momentum_decay=1.0` (torch's default 0.004 makes its
    schedule `0.96 ** (0.004 * t)`, nearly constant); epsilon sits in the same place.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: float in [0, 1), decay of the first moment. Defaults to 0.9.
        beta_2: float in [0, 1), decay of the second moment. Defaults to 0.999.
        epsilon: float >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.
    """

    elementwise_update = True

    slot_names = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name=None, params=None):
        self.beta_1 = check_number("Nadam", "beta_1", beta_1, 0.0, math.nextafter(1.0, 0.0))
        self.beta_2 = check_number("Nadam", "beta_2", beta_2, 0.0, math.nextafter(1.0, 0.0))
        self.epsilon = check_number("Nadam", "epsilon", epsilon, 0.0)
        self.u_product = 1.0
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    def _u(self, t):
        return self.beta_1 * (1.0 - 0.5 * 0.96**t)

    def _begin_step(self):
        # Once per update, before any weight: the running product of the schedule.
        self.u_product *= self._u(self.iterations + 1)

    def update_step(self, grad, weight, slots, lr):
        m, v = slots
        t = self.iterations + 1
        u_t, u_next = self._u(t), self._u(t + 1)
        u_product = self.u_product
        tmp = grad - m  # temporaries: tmp and m_hat
        tmp *= 1.0 - self.beta_1
        m += tmp
        np.square(grad, out=tmp)
        tmp -= v
        tmp *= 1.0 - self.beta_2
        v += tmp
        m_hat = m * (u_next / (1.0 - u_product * u_next))
        np.multiply(grad, (1.0 - u_t) / (1.0 - u_product), out=tmp)
        m_hat += tmp
        # sqrt(v / (1 - beta_2**t)) as sqrt(v) / sqrt(1 - beta_2**t): one multiply fewer.
        np.sqrt(v, out=tmp)
        tmp *= 1.0 / math.sqrt(1.0 - self.beta_2**t)
        tmp += self.epsilon
        m_hat /= tmp
        m_hat *= lr
        weight -= m_hat

    def _state_items(self, copy):
        state = super()._state_items(copy)
        state[f"{self.name}/u_product"] = np.array(self.u_product, dtype=np.float64)
        return state

    def set_state(self, state):
        super().set_state(state)
        self.u_product = float(state[f"{self.name}/u_product"])

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
