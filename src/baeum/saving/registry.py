"""Which classes a saved file may name: the built-ins, the registered ones, and custom_objects.

Loading never imports or evaluates anything named in a file. A config says
`"class_name": "Dense"`; the class is looked up here, in a table built from
baeum's own modules, in the objects registered with `@register_serializable()`,
or in the `custom_objects` given to `load_model`. Anything else is an error.

    @baeum.saving.register_serializable()          # registered as "Custom>MyModel"
    class MyModel(baeum.Model):
        ...
"""

import threading

# Built-in tables, one per kind of object, filled on first use (the modules they come
# from import baeum.saving themselves, so they cannot be read at import time).
_KIND_MODULES = {
    "layers": ("baeum.layers", "baeum.models"),
    "optimizers": ("baeum.optimizers", "baeum.optimizers.schedules"),
    "losses": ("baeum.losses",),
    "metrics": ("baeum.metrics",),
    "initializers": ("baeum.initializers",),
    "regularizers": ("baeum.regularizers",),
    "activations": ("baeum.activations",),
}
_builtins = {}
_SINGULAR = {"layers": "layer", "optimizers": "optimizer", "losses": "loss", "metrics": "metric",
             "initializers": "initializer", "regularizers": "regularizer",
             "activations": "activation"}

_REGISTERED = {}          # "package>name" -> object
_REGISTERED_NAMES = {}    # id(object) -> "package>name"
_scope = threading.local()


def register_serializable(package="Custom", name=None):
    """Decorator: make a class or function loadable by the name "package>name".

    >>> import baeum
    >>> @baeum.saving.register_serializable(package="Docs")
    ... def halve(x):
    ...     return x * 0.5
    >>> baeum.saving.get_registered_name(halve)
    'Docs>halve'
    >>> baeum.saving.get_registered_object("Docs>halve") is halve
    True
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"package must be a string without '>', got {package!r}")

    def decorator(obj):
        registered_name = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise TypeError(
                f"cannot register {obj.__name__}: a class needs a get_config() method so that "
                "it can be saved and rebuilt"
            )
        _REGISTERED[registered_name] = obj
        _REGISTERED_NAMES[id(obj)] = registered_name
        return obj

    return decorator


def get_registered_name(obj):
    """The name `obj` is saved under: "package>name" when registered, else its own name."""
    return _REGISTERED_NAMES.get(id(obj), getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object saved as `name`, from custom_objects, the scope, the registry or module_objects.

    Returns None when no table has it.
    """
    for table in (custom_objects, *_scope_tables(), _REGISTERED, module_objects):
        if table and name in table:
            return table[name]
    return None


def registered_by_short_name():
    """{"MyLayer": MyLayer, ...}: the registered objects by their name without the package."""
    return {key.split(">", 1)[1]: obj for key, obj in _REGISTERED.items()}


class custom_object_scope:  # noqa: N801 (Keras's name)
    """`with custom_object_scope({"MyLayer": MyLayer}):` makes these names loadable inside."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        if not hasattr(_scope, "stack"):
            _scope.stack = []
        _scope.stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope.stack.pop()


def _scope_tables():
    return reversed(getattr(_scope, "stack", ()))


def builtin_objects(kind):
    """{class or function name: object} of baeum's own `kind` ("layers", "losses", ...)."""
    table = _builtins.get(kind)
    if table is None:
        table = {}
        for module_name in _KIND_MODULES[kind]:
            table.update(_public_objects(module_name))
        _builtins[kind] = table
    return table


def _public_objects(module_name):
    import importlib

    # Only baeum's own module names, fixed above, are ever imported here.
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return {}
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    out = {}
    for n in names:
        obj = getattr(module, n, None)
        if callable(obj) and getattr(obj, "__module__", "").startswith("baeum."):
            out[n] = obj
    return out


def singular(kind):
    """"losses" -> "loss", for messages."""
    return _SINGULAR[kind]


def resolve(kind, class_name, registered_name=None, custom_objects=None, where="the file"):
    """The class or function a config names, or a ValueError that says how to make it known."""
    for name in (registered_name, class_name):
        if name:
            obj = get_registered_object(name, custom_objects)
            if obj is not None:
                return obj
    obj = builtin_objects(kind).get(class_name)
    if obj is not None and not registered_name:
        return obj
    shown, what = registered_name or class_name, singular(kind)
    raise ValueError(
        f"{where} names an unknown {what} class {shown!r}: it is not a built-in baeum "
        f"{what} and not registered. Decorate the class with "
        "@baeum.saving.register_serializable() before loading, or pass "
        f"custom_objects={{{shown!r}: {class_name}}} to load_model"
    )
