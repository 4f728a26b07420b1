"""AdamW: Adam with decoupled weight decay on by default."""

from baeum.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as in Keras.

    Before each Adam update (see `Adam` for that formula)::

        w = w - lr * weight_decay * w

    This is the same decay as torch's AdamW (`param.mul_(1 - lr * weight_decay)`).
    Keras applies the same decoupled decay in every optimizer when `weight_decay` is
    set; AdamW only turns it on by default.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        weight_decay: float >= 0. Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as for `Adam`.
        clipnorm, clipvalue, global_clipnorm, name, params: see `Optimizer`.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, params=None):
        if weight_decay is None:
            raise ValueError("AdamW: `weight_decay` must be a float >= 0, got None")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         params=params)
