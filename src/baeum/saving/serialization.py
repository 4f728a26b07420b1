"""Objects <-> JSON-able config dicts: layers, models, optimizers, losses and metrics.

Every object is stored as Keras 3 stores it:

    {"module": "baeum.layers", "class_name": "Dense", "config": {...from get_config()...},
     "registered_name": None}       # "Custom>MyLayer" for a registered class

- Sequential: `config["layers"]` is the list of its layers, an InputLayer first when the
  input shape is known.
- Functional: `config["layers"]` lists every layer with its `inbound_nodes` (one per
  call: the arguments, where each symbolic tensor is `keras_history` = [layer name,
  node index, tensor index]); `input_layers` / `output_layers` name the model's inputs
  and outputs the same way.
- Any other model (a registered subclass): its class and `get_config()`; it is rebuilt
  with `from_config` and then built by running it once on zeros of the saved input
  shape (`build_config`), after which the weights are loaded.

Deserializing looks every class up in `registry` (built-ins, registered, custom_objects):
nothing named in a config is imported or evaluated.
"""

import inspect

import numpy as np

from baeum.saving import registry

_LAYER_MODULE = "baeum.layers"
_MODEL_MODULE = "baeum.models"


# --- layers and models -----------------------------------------------------------------------


def serialize_layer(layer):
    """The config dict of a layer or a model (recursively for the models' layers)."""
    from baeum.models import Functional, Model, Sequential

    if isinstance(layer, Sequential):
        config = _sequential_config(layer)
    elif isinstance(layer, Functional):   # Functional, or a subclass built as Model(in, out)
        config = _functional_config(layer)
    else:
        config = layer.get_config()
    entry = _entry(layer, _MODEL_MODULE if isinstance(layer, Model) else _LAYER_MODULE, config)
    shape = getattr(layer, "_build_input_shape", None)
    if isinstance(layer, Model) and not isinstance(layer, (Sequential, Functional)) \
            and layer.built and shape is not None:
        entry["build_config"] = {"input_shape": _jsonable(shape)}
    return entry


def deserialize_layer(entry, custom_objects=None, where="the file"):
    """A new layer or model from `serialize_layer`'s output (weights freshly initialized)."""
    from baeum.layers.layer import Layer
    from baeum.models import Functional, InputLayer, Model, Sequential

    _check_entry(entry, "layer", where)
    cls = registry.resolve("layers", entry["class_name"], entry.get("registered_name"),
                           custom_objects, where)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{where}: {entry['class_name']!r} is not a layer class")
    config = entry.get("config") or {}
    if not isinstance(config, dict):
        raise ValueError(f"{where}: the config of layer {entry['class_name']!r} is not a dict")
    if issubclass(cls, Sequential):
        return _sequential_from_config(cls, config, custom_objects, where)
    if cls is Functional or (issubclass(cls, Model) and cls.__init__ is Model.__init__
                             and "input_layers" in config):
        return _functional_from_config(config, custom_objects, where, cls=cls)
    if cls is InputLayer:
        return _construct(cls, config, where)
    layer = _construct(cls, config, where)
    build = entry.get("build_config")
    if issubclass(cls, Model) and build and build.get("input_shape") is not None:
        shape = _shape_from_json(build["input_shape"])
        if isinstance(shape, dict):
            raise ValueError(
                f"{where}: model {entry['class_name']!r} was built on dict inputs; rebuilding "
                "it from the file is not supported (save the weights and rebuild it in code)"
            )
        try:
            layer.build(shape)
        except Exception as e:
            raise ValueError(
                f"{where}: model {entry['class_name']!r} could not be built for input shape "
                f"{shape} ({type(e).__name__}: {e})"
            ) from e
    return layer


def _construct(cls, config, where):
    """`cls.from_config(config)`, with a clear error, for subclasses without **kwargs too."""
    from baeum.models import Model

    extra = {}
    if issubclass(cls, Model) and not _accepts_kwargs(cls):
        # A model subclass whose __init__ takes no name=/trainable=: set those afterwards.
        params = inspect.signature(cls.__init__).parameters
        extra = {k: config[k] for k in ("name", "trainable", "dtype")
                 if k in config and k not in params}
        config = {k: v for k, v in config.items() if k not in extra}
    try:
        obj = cls.from_config(dict(config))
    except Exception as e:
        raise ValueError(
            f"{where}: could not rebuild {cls.__name__} from its config {config} "
            f"({type(e).__name__}: {e}). Its get_config() must return every argument of "
            "__init__, and __init__ must accept them"
        ) from e
    if "name" in extra:
        obj.name = extra["name"]
    if "trainable" in extra:
        obj.trainable = extra["trainable"]
    return obj


def _accepts_kwargs(cls):
    params = inspect.signature(cls.__init__).parameters.values()
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _entry(obj, module, config):
    cls = getattr(type(obj), "subclassed_from", None) or type(obj)   # the user's class
    registered = registry.get_registered_name(cls)
    return {
        "module": module,
        "class_name": cls.__name__,
        "config": config,
        "registered_name": registered if ">" in registered else None,
    }


def _check_entry(entry, what, where):
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise ValueError(
            f"{where}: expected a {what} description {{'class_name': ..., 'config': ...}}, "
            f"got {entry!r:.200}"
        )


# --- Sequential --------------------------------------------------------------------------------


def _sequential_config(model):
    from baeum.models import InputLayer

    layers = []
    if model._input is not None:
        t = model._input
        input_layer = InputLayer(batch_shape=t.shape, dtype=t.dtype, name=t.name)
        layers.append(_entry(input_layer, _LAYER_MODULE,
                             {"name": t.name, "batch_shape": list(t.shape), "dtype": t.dtype}))
    layers.extend(serialize_layer(layer) for layer in model.layers)
    return {"name": model.name, "trainable": model.trainable, "layers": layers}


def _sequential_from_config(cls, config, custom_objects, where):
    entries = config.get("layers")
    if not isinstance(entries, list):
        raise ValueError(f"{where}: a Sequential config needs a list of 'layers'")
    layers = [deserialize_layer(e, custom_objects, where) for e in entries]
    kwargs = {k: config[k] for k in ("name", "trainable") if k in config}
    try:
        return cls(layers, **kwargs)
    except Exception as e:
        raise ValueError(f"{where}: could not rebuild the Sequential model "
                         f"({type(e).__name__}: {e})") from e


# --- Functional ----------------------------------------------------------------------------------


def _functional_config(model):
    from baeum.layers.symbolic import KerasTensor, _map

    # Node index = which call of its layer, counted over this model's nodes in order.
    node_index, calls = {}, {}
    for node in model._nodes:
        n = calls.get(id(node.layer), 0)
        node_index[id(node)] = n
        calls[id(node.layer)] = n + 1
    input_names = {id(t): t.name for t in model._input_tensors}

    def history(t):
        if t.node is None:
            return [input_names[id(t)], 0, 0]
        return [t.node.layer.name, node_index[id(t.node)], t.index]

    def encode(value):
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": value.dtype,
                               "keras_history": history(value)}}
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, np.generic):
            return value.item()
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise ValueError(
            f"cannot save the functional model '{model.name}': a layer call has the argument "
            f"{value!r}, which is not a tensor, number, string or None"
        )

    layers = []
    for input_layer in model._input_layers:
        entry = _entry(input_layer, _LAYER_MODULE, input_layer.get_config())
        entry.update(name=input_layer.name, inbound_nodes=[])
        layers.append(entry)
    by_layer = {}
    for node in model._nodes:
        by_layer.setdefault(id(node.layer), []).append(node)
    for layer in model.layers[len(model._input_layers):]:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": [encode(node.inputs), *[encode(a) for a in node.args]],
             "kwargs": encode(node.kwargs)}
            for node in by_layer[id(layer)]
        ]
        layers.append(entry)
    names = [entry["name"] for entry in layers]
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(
            f"cannot save the functional model '{model.name}': several layers are named "
            f"{duplicates}; give every layer a unique name"
        )
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": _map(model._inputs_struct, history),
        "output_layers": _map(model._outputs_struct, history),
    }


def _functional_from_config(config, custom_objects, where, cls=None):
    """The functional model of `config`, as `cls(inputs, outputs)` (default Functional)."""
    from baeum.layers.symbolic import Input
    from baeum.models import Functional

    entries = config.get("layers")
    if not isinstance(entries, list):
        raise ValueError(f"{where}: a functional model config needs a list of 'layers'")
    outputs_of = {}        # layer name -> [outputs of node 0, outputs of node 1, ...]
    layers, pending = {}, []
    for entry in entries:
        _check_entry(entry, "layer", where)
        name = entry.get("name") or (entry.get("config") or {}).get("name")
        if entry["class_name"] == "InputLayer" and not entry.get("registered_name"):
            cfg = entry.get("config") or {}
            tensor = Input(batch_shape=tuple(cfg["batch_shape"]), dtype=cfg.get("dtype"),
                           name=cfg.get("name", name))
            outputs_of[name] = [[tensor]]
            continue
        layer = deserialize_layer(entry, custom_objects, where)
        layers[name] = layer
        outputs_of[name] = []
        for node in entry.get("inbound_nodes") or []:
            pending.append((name, node))

    def decode(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            layer_name, node_i, tensor_i = value["config"]["keras_history"]
            return outputs_of[layer_name][node_i][tensor_i]
        if isinstance(value, list):
            return [decode(v) for v in value]
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        return value

    def ready(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = value.get("config", {}).get("keras_history")
            if not (isinstance(history, list) and len(history) == 3):
                raise ValueError(f"{where}: a bad keras_history {history!r} in the model graph")
            layer_name, node_i, _ = history
            if layer_name not in outputs_of:
                raise ValueError(
                    f"{where}: the model graph refers to a layer {layer_name!r} that is not "
                    "in the file"
                )
            return node_i < len(outputs_of[layer_name])
        if isinstance(value, list):
            return all(ready(v) for v in value)
        if isinstance(value, dict):
            return all(ready(v) for v in value.values())
        return True

    # Call the layers on symbolic tensors, each node once its inputs exist (a layer's
    # nodes in their saved order, so the node indices come out the same).
    while pending:
        progress = False
        for item in list(pending):
            name, node = item
            first_of_layer = next(p for p in pending if p[0] == name) is item
            if not first_of_layer or not ready(node.get("args")) or not ready(node.get("kwargs")):
                continue
            args = decode(node.get("args") or [])
            kwargs = decode(node.get("kwargs") or {})
            if not args:
                raise ValueError(f"{where}: a call of layer {name!r} has no inputs")
            try:
                out = layers[name](*args, **kwargs)
            except Exception as e:
                raise ValueError(f"{where}: calling layer {name!r} while rebuilding the model "
                                 f"failed ({type(e).__name__}: {e})") from e
            outputs_of[name].append(out if isinstance(out, (list, tuple)) else [out])
            pending.remove(item)
            progress = True
        if not progress:
            stuck = sorted({name for name, _ in pending})
            raise ValueError(f"{where}: the model graph is inconsistent: the calls of layers "
                             f"{stuck} depend on tensors that are never computed")

    def resolve_ref(ref):
        layer_name, node_i, tensor_i = ref
        try:
            return outputs_of[layer_name][node_i][tensor_i]
        except (KeyError, IndexError):
            raise ValueError(f"{where}: the model's inputs or outputs refer to {ref}, which "
                             "is not in the graph") from None

    inputs = _map_refs(config.get("input_layers"), resolve_ref, where)
    outputs = _map_refs(config.get("output_layers"), resolve_ref, where)
    kwargs = {k: config[k] for k in ("name", "trainable") if k in config}
    return (cls or Functional)(inputs, outputs, **kwargs)


def _is_ref(value):
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and all(isinstance(v, int) for v in value[1:]))


def _map_refs(value, fn, where):
    if _is_ref(value):
        return fn(value)
    if isinstance(value, list):
        return [_map_refs(v, fn, where) for v in value]
    if isinstance(value, dict):
        return {k: _map_refs(v, fn, where) for k, v in value.items()}
    raise ValueError(f"{where}: bad input_layers/output_layers entry {value!r}")


# --- optimizers, losses and metrics -----------------------------------------------------------


def serialize_optimizer(optimizer):
    return _entry(optimizer, "baeum.optimizers", optimizer.get_config())


def deserialize_optimizer(entry, custom_objects=None, where="the file"):
    from baeum.optimizers import Optimizer

    _check_entry(entry, "optimizer", where)
    cls = registry.resolve("optimizers", entry["class_name"], entry.get("registered_name"),
                           custom_objects, where)
    if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
        raise ValueError(f"{where}: {entry['class_name']!r} is not an optimizer class")
    try:
        return cls.from_config(dict(entry.get("config") or {}),
                               custom_objects=_short_names(custom_objects))
    except Exception as e:
        raise ValueError(f"{where}: could not rebuild optimizer {entry['class_name']} "
                         f"({type(e).__name__}: {e})") from e


def _short_names(custom_objects):
    # Registered objects by their plain name too, for lookups that only know class names.
    return {**registry.registered_by_short_name(), **(custom_objects or {})}


def serialize_compile_value(value, kind):
    """A loss or metric spec as given to compile (names, objects, functions, lists, dicts)."""
    from baeum import losses, metrics

    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [serialize_compile_value(v, kind) for v in value]
    if isinstance(value, dict):
        return {k: serialize_compile_value(v, kind) for k, v in value.items()}
    if type(value) in (losses.LossFunctionWrapper, metrics.MeanMetricWrapper):
        return {**_entry(value, f"baeum.{kind}", value.get_config()),
                "fn": serialize_compile_value(value.fn, kind)}
    if isinstance(value, type):
        value = value()
    if hasattr(value, "get_config") and not inspect.isfunction(value):
        return _entry(value, f"baeum.{kind}", value.get_config())
    if callable(value):
        name = registry.get_registered_name(value)
        builtin = registry.builtin_objects(kind).get(name)
        if builtin is value:
            return name
        return {"module": None, "class_name": "function", "config": name,
                "registered_name": name}
    raise ValueError(f"cannot save the {registry.singular(kind)} {value!r}")


def deserialize_compile_value(value, kind, custom_objects=None, where="the file"):
    what = registry.singular(kind)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [deserialize_compile_value(v, kind, custom_objects, where) for v in value]
    if not isinstance(value, dict):
        raise ValueError(f"{where}: bad {what} entry {value!r}")
    if "class_name" not in value:
        return {k: deserialize_compile_value(v, kind, custom_objects, where)
                for k, v in value.items()}
    if value["class_name"] == "function":
        name = value.get("config")
        # Built-in functions are saved as plain names; a "function" entry is a user's own.
        fn = registry.get_registered_object(name, custom_objects)
        if fn is None or isinstance(fn, type) or not callable(fn):
            raise ValueError(
                f"{where}: the compiled {what} is a function {name!r} that is not "
                f"known here: decorate it with @baeum.saving.register_serializable(), pass "
                f"custom_objects={{{name!r}: {name.split('>')[-1]}}}, or load with "
                "compile=False"
            )
        return fn
    cls = registry.resolve(kind, value["class_name"], value.get("registered_name"),
                           custom_objects, where)
    if not isinstance(cls, type):
        raise ValueError(f"{where}: {value['class_name']!r} is not a {what} class")
    config = dict(value.get("config") or {})
    try:
        if "fn" in value:
            fn = deserialize_compile_value(value["fn"], kind, custom_objects, where)
            if isinstance(fn, str):
                fn = _builtin_function(kind, fn)
            if not inspect.isfunction(fn):
                raise ValueError(f"{value['fn']!r} is not a {what} function")
            return cls(fn, **config)
        return cls.from_config(config)
    except Exception as e:
        raise ValueError(f"{where}: could not rebuild {what} {value['class_name']} "
                         f"({type(e).__name__}: {e})") from e


def _builtin_function(kind, name):
    """A built-in loss or metric function by one of its names ("mse"), through the module's
    own lookup, so that only real losses and metrics are found."""
    from baeum import losses, metrics

    return (losses if kind == "losses" else metrics).get(name)


def compile_config(model):
    """What `compile` was given, as JSON (None if the model is not compiled)."""
    if not getattr(model, "compiled", False) or model.optimizer is None:
        return None
    compiled_metrics = model.compiled_metrics
    return {
        "optimizer": serialize_optimizer(model.optimizer),
        "loss": serialize_compile_value(getattr(model, "loss", None), "losses"),
        "loss_weights": _jsonable(getattr(model.compiled_loss, "loss_weights", None)),
        "metrics": serialize_compile_value(getattr(compiled_metrics, "spec", None), "metrics"),
        "weighted_metrics": serialize_compile_value(
            getattr(compiled_metrics, "weighted_spec", None), "metrics"),
    }


def compile_from_config(model, config, custom_objects=None, where="the file"):
    """Compile `model` as described by `compile_config`; returns the optimizer."""
    optimizer = deserialize_optimizer(config["optimizer"], custom_objects, where)
    model.compile(
        optimizer=optimizer,
        loss=deserialize_compile_value(config.get("loss"), "losses", custom_objects, where),
        loss_weights=config.get("loss_weights"),
        metrics=deserialize_compile_value(config.get("metrics"), "metrics", custom_objects,
                                          where),
        weighted_metrics=deserialize_compile_value(config.get("weighted_metrics"), "metrics",
                                                   custom_objects, where),
    )
    return optimizer


# --- JSON helpers ------------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _shape_from_json(value):
    """[None, 4] -> (None, 4); [[None, 4], [None, 2]] -> [(None, 4), (None, 2)]."""
    if isinstance(value, dict):
        return {k: _shape_from_json(v) for k, v in value.items()}
    if isinstance(value, list) and all(v is None or isinstance(v, int) for v in value):
        return tuple(value)
    if isinstance(value, list):
        return [_shape_from_json(v) for v in value]
    raise ValueError(f"bad input shape {value!r}")
