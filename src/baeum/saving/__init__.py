"""`baeum.saving`: models and weights on disk, as JSON config + safetensors; never pickle.

    model.save("model.baeum")                      # architecture + weights + optimizer
    model = baeum.saving.load_model("model.baeum")
    model.save_weights("model.weights.safetensors")
    model.load_weights("model.weights.safetensors")

    @baeum.saving.register_serializable()          # make your own class loadable
    class MyModel(baeum.Model): ...

Loading only ever builds classes it knows: baeum's own, registered ones, and those
passed as `custom_objects`. Every write is atomic.
"""

from baeum.saving.json_config import model_from_json
from baeum.saving.model_file import load_model, save_model
from baeum.saving.registry import (
    custom_object_scope,
    get_registered_name,
    get_registered_object,
    register_serializable,
)
from baeum.saving.serialization import deserialize_layer, serialize_layer
from baeum.saving.weights import load_weights, save_weights

# Keras's names for the same decorator and scope.
register_keras_serializable = register_serializable
CustomObjectScope = custom_object_scope

__all__ = [
    "save_model", "load_model", "save_weights", "load_weights", "register_serializable",
    "register_keras_serializable", "get_registered_name", "get_registered_object",
    "custom_object_scope", "CustomObjectScope", "serialize_layer", "deserialize_layer",
    "model_from_json",
]
