"""The `.baeum` model file: one zip with the architecture, the weights and the optimizer state.

    model.save("mnist.baeum")
    model = baeum.models.load_model("mnist.baeum")

Inside the zip:
    config.json            the model (see `serialization`), its compile settings,
                           format_version and baeum_version
    model.safetensors      every weight, keyed "dense/kernel", ... in model.weights order
    optimizer.safetensors  the optimizer state (get_state(), with the iteration count),
                           when the model is compiled and include_optimizer=True

Keras's `.keras` file is the same idea (config.json + weights in a zip). Loading reads
JSON and raw arrays only: classes come from the registry, never from the file.
"""

import io
import json
import os
import zipfile
import zlib

from safetensors import SafetensorError
from safetensors import numpy as st

from baeum.saving import registry, serialization
from baeum.saving.atomic import atomic_write
from baeum.saving.weights import (
    assign_weights,
    bytes_to_arrays,
    contiguous,
    read_metadata,
    weights_to_bytes,
)

FORMAT_VERSION = 1
MODEL_SUFFIX = ".baeum"
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
OPTIMIZER_NAME = "optimizer.safetensors"


def save_model(model, path, include_optimizer=True, overwrite=True):
    """Write `model` to `path` (ending in .baeum) as one zip, atomically.

    A crash or error while saving leaves any previous file at `path` untouched.
    """
    from baeum import __version__

    path = os.fspath(path)
    if not path.endswith(MODEL_SUFFIX):
        raise ValueError(
            f"cannot save the model to {path}: the file name must end in '.baeum' "
            "(use model.save_weights('name.weights.safetensors') for the weights only)"
        )
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and overwrite=False")
    if not model.built:
        raise ValueError(
            f"cannot save model '{model.name}': it is not built, so its weights do not exist "
            "yet. Call it on a batch of data (or fit it), or give it an input shape, first"
        )
    config = {"format_version": FORMAT_VERSION, "baeum_version": __version__,
              **serialization.serialize_layer(model),
              "compile_config": serialization.compile_config(model)}
    config_bytes = json.dumps(config, indent=1, allow_nan=False).encode("utf-8")
    weights = model.weights
    weights_bytes = weights_to_bytes(weights, metadata={"format": "baeum.model"})
    optimizer_bytes = None
    if include_optimizer and config["compile_config"] is not None:
        optimizer_bytes = _optimizer_bytes(model.optimizer, weights)

    def write(f):
        with zipfile.ZipFile(f, "w") as zf:
            zf.writestr(CONFIG_NAME, config_bytes, compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr(WEIGHTS_NAME, weights_bytes, compress_type=zipfile.ZIP_STORED)
            if optimizer_bytes is not None:
                zf.writestr(OPTIMIZER_NAME, optimizer_bytes, compress_type=zipfile.ZIP_STORED)

    atomic_write(path, write)


def _optimizer_bytes(optimizer, model_weights):
    # The state is per weight, in the order the optimizer first saw them: record which
    # model weights those are (positions in model.weights), so that a loaded optimizer is
    # built for the same ones in the same order.
    position = {id(w): i for i, w in enumerate(model_weights)}
    tracked = list(getattr(optimizer, "_weights", []))
    unknown = [w for w in tracked if id(w) not in position]
    if unknown:
        raise ValueError(
            f"cannot save the optimizer state: it holds state for {len(unknown)} weight(s) "
            "that are not in this model; save with include_optimizer=False"
        )
    metadata = {"format": "baeum.optimizer",
                "weight_indices": json.dumps([position[id(w)] for w in tracked])}
    return st.save({k: contiguous(v) for k, v in optimizer.get_state().items()},
                   metadata=metadata)


def load_model(path, custom_objects=None, compile=True):
    """The model saved in `path`: same architecture, weights and (with compile) optimizer.

    custom_objects: {"MyLayer": MyLayer, ...} for classes and functions that are not
    built in and not registered with `@baeum.saving.register_serializable()`.
    """
    path = os.fspath(path)
    where = f"model file {path}"
    with _open_zip(path) as zf, registry.custom_object_scope(custom_objects):
        names = set(zf.namelist())
        config = _read_json(zf, path)
        _check_version(config, path)
        weights_data = _read(zf, WEIGHTS_NAME, path)
        model = serialization.deserialize_layer(config, custom_objects, where)
        from baeum.models import Model

        if not isinstance(model, Model):
            raise ValueError(f"{path} holds a {type(model).__name__}, not a model")
        assign_weights(model.weights, bytes_to_arrays(weights_data, where), where)
        compile_config = config.get("compile_config")
        if compile and compile_config:
            optimizer = serialization.compile_from_config(model, compile_config,
                                                          custom_objects, where)
            if OPTIMIZER_NAME in names:
                _load_optimizer_state(optimizer, model, _read(zf, OPTIMIZER_NAME, path), where)
    return model


def read_weights_member(path):
    """The bytes of model.safetensors inside the .baeum file `path` (for load_weights)."""
    with _open_zip(path) as zf:
        _check_version(_read_json(zf, path), path)
        return _read(zf, WEIGHTS_NAME, path)


def _open_zip(path):
    """The .baeum zip, read into memory; clear errors for everything that is not one."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no model file at {path}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a directory, not a baeum model file")
    with open(path, "rb") as f:
        data = f.read()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path} is not a baeum model file (not a zip archive, or a truncated one)"
        ) from None
    if CONFIG_NAME not in zf.namelist():
        zf.close()
        raise ValueError(f"{path} is not a baeum model file: the zip archive has no {CONFIG_NAME}")
    return zf


def _read(zf, name, path):
    if name not in zf.namelist():
        raise ValueError(f"{path} is incomplete: the zip archive has no {name}")
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as e:
        raise ValueError(f"{path} is corrupted: {name} cannot be read ({e})") from None


def _read_json(zf, path):
    try:
        config = json.loads(_read(zf, CONFIG_NAME, path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path} is corrupted: {CONFIG_NAME} is not valid JSON ({e})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{path} is not a baeum model file: {CONFIG_NAME} describes no model")
    return config


def _check_version(config, path):
    version = config.get("format_version")
    if not isinstance(version, int):
        raise ValueError(f"{path} is not a baeum model file: {CONFIG_NAME} has no "
                         "format_version")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by baeum {config.get('baeum_version', '?')} in file format "
            f"{version}; this baeum reads format {FORMAT_VERSION} and older: upgrade baeum"
        )


def _load_optimizer_state(optimizer, model, data, where):
    try:
        state = st.load(data)
    except (SafetensorError, ValueError, TypeError) as e:
        raise ValueError(f"{where} is corrupted: the optimizer state cannot be read ({e})") \
            from None
    weights = model.weights
    try:
        indices = json.loads(read_metadata(data)["weight_indices"])
    except (ValueError, KeyError, TypeError):
        indices = None
    if not (isinstance(indices, list)
            and all(isinstance(i, int) and 0 <= i < len(weights) for i in indices)):
        raise ValueError(f"{where} is corrupted: the optimizer state does not say which "
                         "weights it belongs to")
    try:
        optimizer.build([weights[i] for i in indices])
        optimizer.set_state(state)
    except ValueError as e:
        raise ValueError(f"{where}: the optimizer state does not fit the optimizer ({e})") \
            from None
