"""`clone_model`: the same architecture with new weights, as Keras's `keras.models.clone_model`.

    target = baeum.models.clone_model(q_network)      # freshly initialized weights
    target.set_weights(q_network.get_weights())       # ... or a copy of them

(`copy.deepcopy(model)` copies the weights too, and the optimizer and compile state.)
"""

from baeum.saving import serialization


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    """A new model of the same architecture as `model`, its weights initialized afresh.

    clone_function(layer) -> new layer, for a Sequential model: how each layer is copied
    (default: `layer.__class__.from_config(layer.get_config())`, new weights).
    Sequential, functional and registered subclassed models clone from their config.
    """
    from baeum.models import Sequential

    if input_tensors is not None or kwargs:
        unknown = ["input_tensors"] * (input_tensors is not None) + sorted(kwargs)
        raise NotImplementedError(f"clone_model: baeum does not support {unknown}; it "
                                  "clones a model onto the same inputs")
    if clone_function is not None:
        if not isinstance(model, Sequential):
            raise NotImplementedError("clone_model: clone_function is supported for "
                                      "Sequential models only")
        layers = [clone_function(layer) for layer in model.layers]
        shape = model._build_input_shape
        clone = Sequential(layers, name=model.name)
        if shape is not None:
            clone.build(shape)
        return clone
    return serialization.deserialize_layer(serialization.serialize_layer(model),
                                           where=f"the config of model '{model.name}'")
