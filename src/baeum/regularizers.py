"""Weight and activity regularizers: l1, l2, l1_l2 (Keras names), added to the training loss.

    Dense(64, kernel_regularizer="l2")              # 0.01 * sum(w^2)
    Dense(64, kernel_regularizer=L2(1e-4))
"""

from baeum.ops.elementwise import abs
from baeum.ops.reduce import sum


class Regularizer:
    def __call__(self, x):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x^2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        loss = 0.0
        if self.l1:
            loss = self.l1 * sum(abs(x))
        if self.l2:
            loss = loss + self.l2 * sum(x * x)
        return loss

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2

_ALIASES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _ALIASES:
            raise ValueError(
                f"unknown regularizer {identifier!r}; expected one of {sorted(_ALIASES)}"
            )
        return _ALIASES[identifier]()
    if isinstance(identifier, dict):
        return _ALIASES[identifier["class_name"]].from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise TypeError(f"a regularizer must be a string, dict or callable, got {identifier!r}")


def serialize(reg):
    """`{"class_name": ..., "config": ...}` for a regularizer; None stays None."""
    if reg is None:
        return None
    return {"class_name": type(reg).__name__, "config": reg.get_config()}
