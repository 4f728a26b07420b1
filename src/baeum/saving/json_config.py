"""A model's architecture as JSON, without weights: `model.to_json()`, `model_from_json`.

    text = model.to_json()                       # the config.json of a .baeum file, alone
    same_architecture = baeum.models.model_from_json(text)   # fresh weights

The JSON names classes only (built-in, registered or in `custom_objects`); reading it
never runs code from it, as with `load_model`.
"""

import json

from baeum.saving import serialization


def model_to_json(model, **kwargs):
    """The architecture config of `model` as a JSON string (kwargs go to json.dumps)."""
    return json.dumps(serialization.serialize_layer(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new model, with freshly initialized weights, from `model.to_json()`'s string."""
    try:
        entry = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as e:
        raise ValueError(f"model_from_json expects the JSON string of model.to_json(), and "
                         f"could not read it: {e}") from None
    return serialization.deserialize_layer(entry, custom_objects, where="the JSON string")
