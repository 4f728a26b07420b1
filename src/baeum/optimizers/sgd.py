"""SGD: gradient descent, optionally with (Nesterov) momentum, in Keras's form."""

from baeum.blas import axpy
from baeum.optimizers.optimizer import Optimizer, check_number


class SGD(Optimizer):
    """Gradient descent with optional momentum.

    Per weight `w` with gradient `g` (Keras 3's formula)::

        momentum == 0:  w = w - lr * g
        momentum  > 0:  velocity = momentum * velocity - lr * g
                        w = w + velocity                              (nesterov=False)
                        w = w + momentum * velocity - lr * g          (nesterov=True)

    `velocity` starts at zero. Unlike torch's `buf = momentum * buf + g; w -= lr * buf`,
    the velocity here already holds the learning rate; the two agree while the learning
    rate is constant, and differ right after it changes (a schedule, ReduceLROnPlateau).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.01.
        momentum: float in [0, 1]. Defaults to 0.0 (plain gradient descent).
        nesterov: use Nesterov momentum. Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.

    >>> import baeum
    >>> w = baeum.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = baeum.optimizers.SGD([w], learning_rate=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0.8, 1.6], requires_grad=True)
    """

    elementwise_update = True

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None, params=None):
        self.momentum = check_number("SGD", "momentum", momentum, 0.0, 1.0)
        self.nesterov = bool(nesterov)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)

    @property
    def slot_names(self):
        return ("velocity",) if self.momentum > 0 else ()

    def update_step(self, grad, weight, slots, lr):
        # axpy (y += a x) updates in one pass with no temporary (baeum/blas.py).
        if self.momentum == 0:
            axpy(-lr, grad, weight)
            return
        (velocity,) = slots
        velocity *= self.momentum
        axpy(-lr, grad, velocity)
        if self.nesterov:
            axpy(self.momentum, velocity, weight)
            axpy(-lr, grad, weight)
        else:
            axpy(1.0, velocity, weight)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
