"""Weight constraints (Keras names): projections applied to a weight after each update.

    Dense(64, kernel_constraint=MaxNorm(3))     # each unit's incoming weights: norm <= 3
    Dense(64, kernel_constraint="non_neg")      # weights >= 0

A layer gives a weight its constraint (`add_weight(..., constraint=...)`); the weight
carries it (`weight.constraint`, as a Keras variable does), and every optimizer applies
it right after updating that weight, in `fit` and in a PyTorch-style `opt.step()` alike.
Each constraint maps the weight's array to the projected one: `constraint(w) -> w'`.

The max-norm constraint of Srivastava et al.'s dropout paper is `MaxNorm(3)` on the
kernels of the layers that dropout feeds. `axis` is the axis the norm runs over: 0 for
a Dense kernel (in, units) gives one norm per unit; a Conv2D kernel
(kh, kw, in, filters) takes axis=[0, 1, 2] for one norm per filter.
"""

import numpy as np

EPSILON = 1e-7  # Keras's backend.epsilon(), added to norms before dividing by them

in_use = [False]  # has any weight been given a constraint (the optimizers check this)


class Constraint:
    """Base class: `__call__(w)` returns the constrained array; `get_config()` saves it."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else int(axis)


def _config_axis(axis):
    return list(axis) if isinstance(axis, tuple) else axis


class MaxNorm(Constraint):
    """Rescale each slice whose L2 norm (over `axis`) exceeds `max_value` back to it:
    w * min(norm, max_value) / (norm + eps)."""

    def __init__(self, max_value=2, axis=0):
        if not max_value > 0:
            raise ValueError(f"MaxNorm max_value must be > 0, got {max_value!r}")
        self.max_value, self.axis = float(max_value), _axis(axis)

    def __call__(self, w):
        norms = _norms(w, self.axis)
        return w * (np.clip(norms, 0, self.max_value) / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": _config_axis(self.axis)}


class MinMaxNorm(Constraint):
    """Move each slice's L2 norm (over `axis`) into [min_value, max_value], a `rate`
    fraction of the way: desired = rate * clip(norm) + (1 - rate) * norm."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        if not 0 <= min_value <= max_value:
            raise ValueError(f"MinMaxNorm needs 0 <= min_value <= max_value, got "
                             f"min_value={min_value!r}, max_value={max_value!r}")
        if not 0 <= rate <= 1:
            raise ValueError(f"MinMaxNorm rate must be in [0, 1], got {rate!r}")
        self.min_value, self.max_value = float(min_value), float(max_value)
        self.rate, self.axis = float(rate), _axis(axis)

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (self.rate * np.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": _config_axis(self.axis)}


class NonNeg(Constraint):
    """Negative weights become 0."""

    def __call__(self, w):
        return w * (w >= 0)


class UnitNorm(Constraint):
    """Each slice divided by its L2 norm (over `axis`)."""

    def __init__(self, axis=0):
        self.axis = _axis(axis)

    def __call__(self, w):
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": _config_axis(self.axis)}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_ALIASES = {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
            "unit_norm": UnitNorm, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm,
            "NonNeg": NonNeg, "UnitNorm": UnitNorm}


def get(identifier):
    """A constraint from a name ("max_norm", "non_neg", ...), a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _ALIASES:
            raise ValueError(f"unknown constraint {identifier!r}; expected one of "
                             f"{sorted(_ALIASES)}")
        return _ALIASES[identifier]()
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        if name not in _ALIASES:
            raise ValueError(f"unknown constraint {name!r}; expected one of {sorted(_ALIASES)}")
        return _ALIASES[name].from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise TypeError(f"a constraint must be a string, dict or callable, got {identifier!r}")


def serialize(constraint):
    """`{"class_name": ..., "config": ...}`; None stays None."""
    if constraint is None:
        return None
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def apply_constraints(weights):
    """Project each weight that has a constraint, in place (after an optimizer update)."""
    for w in weights:
        constraint = getattr(w, "constraint", None)
        if constraint is not None:
            w.data[...] = constraint(w.data)
