"""Learning rate schedules: the learning rate as a function of the optimizer's step.

Pass one as `learning_rate` to any optimizer; the optimizer then uses
`schedule(optimizer.iterations)` at every update (step 0 is the first update).
Names, arguments and formulas follow `keras.optimizers.schedules`.

>>> from baeum.optimizers.schedules import ExponentialDecay
>>> lr = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> lr(0), lr(10), lr(20)
(0.1, 0.05, 0.025)

All values are computed in Python floats (the optimizer casts to the weights' dtype).
"""

import bisect
import math


class LearningRateSchedule:
    """Base class: subclasses implement `__call__(step) -> float` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError(
            f"learning rate schedule {type(self).__name__} must implement __call__(self, step)"
        )

    def get_config(self):
        raise NotImplementedError(
            f"learning rate schedule {type(self).__name__} must implement get_config()"
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _positive(name, value):
    if not value > 0:
        raise ValueError(f"`{name}` must be > 0, got {name}={value!r}")
    return value


class _StepwiseDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments, and the
    progress `p = step / decay_steps` that their formulas decay with (floored with
    `staircase=True`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("decay_steps", decay_steps)
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _progress(self, step):
        p = float(step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_StepwiseDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    With `staircase=True`, `step / decay_steps` is floored: the rate drops every
    `decay_steps` steps (like torch's `StepLR(step_size=decay_steps, gamma=decay_rate)`).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return float(self.initial_learning_rate) * float(self.decay_rate) ** self._progress(step)


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[1]` while
    `boundaries[0] < step <= boundaries[1]`, ..., `values[-1]` after `boundaries[-1]`.

    >>> PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])(10)
    1.0
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay needs one more value than boundaries, got "
                f"{len(boundaries)} boundaries {boundaries} and {len(values)} values {values}"
            )
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(
                f"PiecewiseConstantDecay boundaries must be strictly increasing, got {boundaries}"
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        # bisect_left: the number of boundaries strictly below `step`.
        return float(self.values[bisect.bisect_left(self.boundaries, float(step))])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then cosine decay to `alpha` times the peak rate.

    Without warmup (`warmup_target=None`)::

        s = min(step, decay_steps)
        lr = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)

    With warmup: for `step < warmup_steps` the rate goes linearly from
    `initial_learning_rate` to `warmup_target`, then decays as above from
    `warmup_target` over the next `decay_steps` steps (step counted from the warmup's end).
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("decay_steps", decay_steps)
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps
        if warmup_steps < 0:
            raise ValueError(f"`warmup_steps` must be >= 0, got warmup_steps={warmup_steps!r}")

    def _decay(self, step, peak):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return peak * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = float(step)
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), initial)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (float(self.warmup_target) - initial) * fraction + initial
        return self._decay(step - self.warmup_steps, float(self.warmup_target))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class InverseTimeDecay(_StepwiseDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    With `staircase=True`, `step / decay_steps` is floored.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        p = self._progress(step)
        return float(self.initial_learning_rate) / (1.0 + float(self.decay_rate) * p)


class PolynomialDecay(LearningRateSchedule):
    """From `initial_learning_rate` to `end_learning_rate` in `decay_steps` steps along
    a polynomial of degree `power` (power=1: a straight line)::

        s = min(step, decay_steps)
        lr = (initial_learning_rate - end_learning_rate) * (1 - s / decay_steps) ** power
             + end_learning_rate

    With `cycle=True` the rate climbs back instead of staying at the end: `decay_steps` is
    replaced by its first multiple >= step (`decay_steps * ceil(step / decay_steps)`, and
    `decay_steps` at step 0), so each period decays more slowly than the one before.

    >>> lr = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)
    >>> lr(0), lr(5), lr(10), lr(20)
    (0.1, 0.05, 0.0, 0.0)
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("decay_steps", decay_steps)
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = float(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
        else:
            step = min(step, decay_steps)
        end = float(self.end_learning_rate)
        remaining = 1.0 - step / decay_steps
        return (float(self.initial_learning_rate) - end) * remaining ** float(self.power) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter, 2016).

    Period i (i = 0, 1, ...) lasts `first_decay_steps * t_mul ** i` steps and starts from
    `m_mul ** i` times the initial rate. With x = the fraction of period i done::

        lr = initial_learning_rate * ((1 - alpha) * m_mul ** i * 0.5 * (1 + cos(pi * x))
                                      + alpha)

    The periods start at the steps `first_decay_steps * (1 + t_mul + ... + t_mul ** (i-1))`;
    with f = step / first_decay_steps, i = floor(log(1 - f (1 - t_mul)) / log(t_mul))
    (i = floor(f) for t_mul = 1) and x = (f - (1 - t_mul ** i) / (1 - t_mul)) / t_mul ** i.

    >>> lr = CosineDecayRestarts(0.1, first_decay_steps=10)     # periods of 10, 20, 40 ...
    >>> lr(0), lr(5), round(lr(9.999), 6), lr(10), lr(20)
    (0.1, 0.05, 0.0, 0.1, 0.05)
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = _positive("first_decay_steps", first_decay_steps)
        self.t_mul = _positive("t_mul", t_mul)
        self.m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def _period(self, fraction):
        """(i, x): the period that `fraction` (steps / first_decay_steps) is in, and the
        fraction of that period done."""
        t_mul = float(self.t_mul)
        if t_mul == 1.0:
            i = math.floor(fraction)
            return i, fraction - i

        def start(i):  # where period i starts, in units of first_decay_steps
            return (1.0 - t_mul**i) / (1.0 - t_mul)

        i = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
        # The log can round across a period's first step (log(1000) / log(10) is
        # 2.9999999999999996): step back or on so that start(i) <= fraction < start(i + 1).
        while i > 0 and start(i) > fraction:
            i -= 1
        while start(i + 1) <= fraction:
            i += 1
        return i, (fraction - start(i)) / t_mul**i

    def __call__(self, step):
        i, done = self._period(float(step) / self.first_decay_steps)
        alpha = float(self.alpha)
        cosine = 0.5 * float(self.m_mul) ** i * (1.0 + math.cos(math.pi * done))
        return float(self.initial_learning_rate) * ((1.0 - alpha) * cosine + alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


ALL_SCHEDULES = {
    cls.__name__: cls
    for cls in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay, InverseTimeDecay,
                PolynomialDecay, CosineDecayRestarts)
}


def serialize(schedule):
    """`{"class_name": ..., "config": ...}`: a JSON-able description of a schedule."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config, custom_objects=None):
    """The schedule described by `serialize(...)`'s output."""
    known = {**ALL_SCHEDULES, **(custom_objects or {})}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            'expected a schedule description {"class_name": ..., "config": {...}}, '
            f"got {config!r}"
        )
    name = config["class_name"]
    if name not in known:
        raise ValueError(
            f"unknown learning rate schedule {name!r}; expected one of {sorted(known)} "
            "(pass custom_objects= for your own)"
        )
    return known[name].from_config(dict(config.get("config", {})))
