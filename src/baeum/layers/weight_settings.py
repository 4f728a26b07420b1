"""The initializer, regularizer and constraint arguments of a layer's weights, set and
serialized in one place: Dense, EinsumDense, the convolutions, the recurrent layers and
their cells all take Keras's `<weight>_initializer`, `<weight>_regularizer` and
`<weight>_constraint` arguments, and put them back in get_config.

    set_weight_settings(self, kernel_initializer=kernel_initializer, ...)
    config = {..., **weight_settings_config(self)}
"""

from baeum import constraints, initializers, regularizers

_MODULES = {"initializer": initializers, "regularizer": regularizers,
            "constraint": constraints}


def set_weight_settings(layer, **settings):
    """layer.<name> = the object each argument names (`kernel_initializer="he_normal"`: the
    initializer), the kind read from the name's ending; the names are remembered, in
    order, for weight_settings_config."""
    for name, value in settings.items():
        setattr(layer, name, _MODULES[name.rsplit("_", 1)[1]].get(value))
    layer._weight_setting_names = tuple(settings)


def weight_settings_config(layer):
    """The config entries of set_weight_settings's arguments, serialized, in their order."""
    return {name: _MODULES[name.rsplit("_", 1)[1]].serialize(getattr(layer, name))
            for name in layer._weight_setting_names}
