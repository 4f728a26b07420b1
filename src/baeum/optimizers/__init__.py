"""Optimizers with Keras's names and defaults, usable Keras-style and PyTorch-style.

    opt = baeum.optimizers.Adam(learning_rate=1e-3)          # Keras: opt.apply(grads, weights)
    opt = baeum.optimizers.Adam(model.trainable_weights)     # PyTorch: zero_grad / step
    opt = baeum.optimizers.get("adam")                        # from a string alias

See `optimizer.py` for the design and `schedules` for learning rate schedules.
"""

from baeum.optimizers import schedules
from baeum.optimizers.adadelta import Adadelta
from baeum.optimizers.adagrad import Adagrad
from baeum.optimizers.adam import Adam
from baeum.optimizers.adamax import Adamax
from baeum.optimizers.adamw import AdamW
from baeum.optimizers.ftrl import Ftrl
from baeum.optimizers.lion import Lion
from baeum.optimizers.nadam import Nadam
from baeum.optimizers.optimizer import Optimizer
from baeum.optimizers.rmsprop import RMSprop
from baeum.optimizers.sgd import SGD

ALL_OPTIMIZERS = {
    cls.__name__: cls
    for cls in (SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW, Adamax, Nadam, Lion, Ftrl)
}
_BY_ALIAS = {name.lower(): cls for name, cls in ALL_OPTIMIZERS.items()}


def serialize(optimizer):
    """`{"class_name": "Adam", "config": {...}}`: what `get`/`deserialize` rebuild from."""
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None):
    """A new optimizer from `serialize(...)`'s output (no state: see `set_state`)."""
    known = {**ALL_OPTIMIZERS, **(custom_objects or {})}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            'expected an optimizer description {"class_name": "Adam", "config": {...}} '
            f"(from baeum.optimizers.serialize), got {config!r}"
        )
    name = config["class_name"]
    cls = known.get(name) or _BY_ALIAS.get(str(name).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(known)}")
    return cls.from_config(config.get("config", {}), custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name ("adam", case-insensitive), a serialized dict or an instance.

    >>> get("Adam").learning_rate
    0.001
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_ALIAS.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"unknown optimizer {identifier!r}; expected one of {sorted(_BY_ALIAS)} "
                "(or an Optimizer instance)"
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(
        "could not interpret optimizer identifier: expected a name such as 'adam', a dict "
        f"from baeum.optimizers.serialize, or an Optimizer, got {identifier!r}"
    )


__all__ = [
    "Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "Nadam",
    "Lion", "Ftrl", "schedules", "get", "serialize", "deserialize",
]
