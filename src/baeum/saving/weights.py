"""Weights files: every weight of a model in one safetensors file, keyed by its path.

    model.save_weights("mlp.weights.safetensors")
    model.load_weights("mlp.weights.safetensors")

Keys are the weights' names ("dense/kernel", "dense/bias", ...) in `model.weights`
order, made unique with a numeric suffix when two weights share a name. Loading matches
by key and checks every shape. A model rebuilt in the same session has the same layers
under new automatic names ("dense_2" for "dense"); when the keys differ only in those
numbers, the weights are matched in order instead (their shapes are still checked).

safetensors holds raw arrays and a JSON header, nothing executable.
"""

import json
import os
import re

from safetensors import SafetensorError
from safetensors import numpy as st

from baeum.saving.atomic import atomic_write

WEIGHTS_SUFFIXES = (".weights.safetensors", ".safetensors")


def weight_keys(weights):
    """A unique key per weight, in order: its name, or name_1, name_2, ... on a clash."""
    keys, used = [], set()
    for i, w in enumerate(weights):
        base = getattr(w, "name", None) or f"weight_{i}"
        key, n = base, 0
        while key in used:
            n += 1
            key = f"{base}_{n}"
        used.add(key)
        keys.append(key)
    return keys


def weights_to_bytes(weights, metadata=None):
    """The safetensors bytes of these weights (a list of Tensors).

    safetensors does not keep the order of its entries, so the keys in order go into the
    header's metadata ("keys", a JSON list).
    """
    keys = weight_keys(weights)
    arrays = {k: contiguous(w.data) for k, w in zip(keys, weights)}
    return st.save(arrays, metadata={**(metadata or {}), "keys": json.dumps(keys)})


def contiguous(array):
    """A C-contiguous array, as safetensors needs (np.ascontiguousarray would make 0-d 1-d)."""
    return array if array.flags.c_contiguous else array.copy(order="C")


def read_metadata(data):
    """The string metadata of safetensors bytes (its header's "__metadata__"), or {}."""
    # The file starts with the header's length (8 bytes, little-endian), then the JSON header.
    try:
        n = int.from_bytes(data[:8], "little")
        metadata = json.loads(data[8:8 + n].decode("utf-8")).get("__metadata__") or {}
    except (ValueError, UnicodeDecodeError, AttributeError):
        return {}
    return metadata if isinstance(metadata, dict) else {}


def bytes_to_arrays(data, where):
    """{key: array} from safetensors bytes, in saved order; `where` names the file in errors."""
    try:
        arrays = st.load(data)
    except (SafetensorError, ValueError, TypeError) as e:
        raise ValueError(f"{where} is corrupted: its weights cannot be read ({e})") from None
    try:
        order = json.loads(read_metadata(data).get("keys", "[]"))
    except ValueError:
        order = []
    if isinstance(order, list) and sorted(order) == sorted(arrays):
        arrays = {k: arrays[k] for k in order}
    return arrays


def assign_weights(weights, arrays, where):
    """Copy `arrays` ({key: array} from a file) into `weights`, checking keys and shapes."""
    keys = weight_keys(weights)
    if set(keys) == set(arrays):
        pairs = [(k, k) for k in keys]
    elif _same_structure(keys, list(arrays)):
        pairs = list(zip(keys, arrays))
    else:
        missing = [k for k in keys if k not in arrays]
        extra = [k for k in arrays if k not in set(keys)]
        parts = []
        if missing:
            parts.append(f"missing from the file: {_names(missing)}")
        if extra:
            parts.append(f"in the file but not in the model: {_names(extra)}")
        raise ValueError(
            f"{where} does not match the model's weights ({'; '.join(parts)}). "
            f"The model has {len(keys)} weights, the file {len(arrays)}"
        )
    for w, (key, file_key) in zip(weights, pairs):
        value = arrays[file_key]
        if value.shape != w.shape:
            raise ValueError(
                f"{where}: weight '{key}' has shape {tuple(w.shape)} in the model but "
                f"{tuple(value.shape)} in the file"
            )
    # Assign only once everything fits, so a failed load leaves the model as it was.
    for w, (_, file_key) in zip(weights, pairs):
        w.data[...] = arrays[file_key]


def _same_structure(model_keys, file_keys):
    # "dense_3/kernel" and "dense/kernel" are the same weight of a layer built again.
    if len(model_keys) != len(file_keys):
        return False
    return all(_strip_numbers(a) == _strip_numbers(b) for a, b in zip(model_keys, file_keys))


def _strip_numbers(key):
    return re.sub(r"(?:_\d+)+(?=/|$)", "", key)


def _names(keys, limit=8):
    shown = ", ".join(f"'{k}'" for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _model_weights(model, action):
    weights = model.weights
    if not weights:
        raise ValueError(
            f"cannot {action}: model '{getattr(model, 'name', model)}' has no weights yet. "
            "Build it first: call it on a batch of data, or give it an input shape "
            "(Input(shape=...) or input_shape= on the first layer)"
        )
    return weights


def _check_suffix(path, action):
    if not str(path).endswith(WEIGHTS_SUFFIXES):
        raise ValueError(
            f"cannot {action} {path}: a weights file name must end in '.weights.safetensors' "
            "(or '.safetensors'); use model.save('name.baeum') for the whole model"
        )


def save_weights(model, path):
    """Write all weights of `model` to `path` (ending in .weights.safetensors), atomically."""
    path = os.fspath(path)
    _check_suffix(path, "save weights to")
    weights = _model_weights(model, f"save weights to {path}")
    from baeum import __version__

    data = weights_to_bytes(weights, metadata={"format": "baeum.weights",
                                               "baeum_version": __version__})
    atomic_write(path, lambda f: f.write(data))


def load_weights(model, path):
    """Read the weights in `path` into `model` (built, with the same architecture).

    `path` is a weights file (.weights.safetensors), or a whole-model .baeum file whose
    weights are taken.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no weights file at {path}")
    if path.endswith(".baeum"):
        from baeum.saving.model_file import read_weights_member

        data, where = read_weights_member(path), f"model file {path}"
    else:
        _check_suffix(path, "load weights from")
        with open(path, "rb") as f:
            data = f.read()
        where = f"weights file {path}"
    weights = _model_weights(model, f"load weights from {path}")
    assign_weights(weights, bytes_to_arrays(data, where), where)
