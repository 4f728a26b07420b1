"""`Model`: a `Layer` that can be trained (`compile`/`fit`/`evaluate`/`predict`).

Three ways to make one, as in Keras:

    # 1. Sequential: a stack of layers
    model = Sequential([Input(shape=(4,)), Dense(16, activation="relu"), Dense(3)])

    # 2. Functional: a graph from Input to outputs
    inputs = Input(shape=(4,))
    outputs = Dense(3)(Dense(16, activation="relu")(inputs))
    model = Model(inputs=inputs, outputs=outputs)

    # 3. Subclassing: layers as attributes, the forward pass in `call`
    class MLP(Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(16, activation="relu")
            self.out = Dense(3)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

Layers assigned as attributes (or in lists and dicts) are tracked in the order they
were assigned, so `trainable_weights` has the same order on every run.
"""

import os

import numpy as np

from baeum.autograd import grad_mode
from baeum.layers import layer as layer_module
from baeum.layers.layer import Layer, _map_shapes
from baeum.training.trainer import Trainer


class Model(Trainer, Layer):
    _may_drop_masks = False  # a mask reaching a model reaches its layers, which decide

    def __new__(cls, *args, **kwargs):
        # Model(inputs, outputs) builds a functional model, as in Keras; so does a subclass
        # that keeps Model's __init__ (one that overrides only train_step, say: Keras's
        # "customizing fit" guide). It becomes a functional model of that subclass.
        if (args or "inputs" in kwargs or "outputs" in kwargs) and \
                cls.__init__ is Model.__init__:
            from baeum.models.functional import functional_class

            return object.__new__(functional_class(cls))
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__ got inputs/outputs: only Model(inputs=..., "
                "outputs=...) builds a functional model; a subclass takes its layers in __init__"
            )
        super().__init__(**kwargs)

    def __setattr__(self, name, value):
        # A layer (or a list/dict of them) assigned: what a training step updates may change.
        if isinstance(value, (Layer, list, tuple, dict)):
            self.__dict__.pop("_train_cache", None)
        object.__setattr__(self, name, value)

    def __call__(self, inputs, *args, training=None, **kwargs):
        if training is None:  # as Keras 3: the enclosing call's flag, else call's default
            training = layer_module.call_context_training[0]
            if training is None:
                training = layer_module.training_arg(type(self))[1]
            if training is None:
                return Layer.__call__(self, inputs, *args, **kwargs)
        # Layers called inside without a training flag inherit this one (Dropout, BatchNorm).
        context = layer_module.call_context_training
        previous, context[0] = context[0], training
        try:
            return Layer.__call__(self, inputs, *args, training=training, **kwargs)
        finally:
            context[0] = previous

    def _build_for(self, inputs):
        # A subclassed model builds its layers by running call(); nothing to create first.
        self._build_input_shape = _map_shapes(inputs)
        self.built = True

    def build(self, input_shape):
        """Create the weights by running the model once on zeros of `input_shape`.

        `input_shape` includes the batch axis (None allowed): `model.build((None, 4))`.
        """
        if self.built:
            return
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        dummy = [np.zeros(tuple(1 if d is None else d for d in s), dtype=self.dtype)
                 for s in shapes]
        with grad_mode.no_grad():
            self(dummy if isinstance(input_shape, list) else dummy[0], training=False)

    # --- inspecting -----------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print the table of layers, output shapes and parameter counts (Keras's format)."""
        from baeum.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in `model.layers`."""
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"get_layer(index={index}): the model has only {len(layers)} layers"
                )
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"no layer named {name!r}; the layers are {[layer.name for layer in layers]}"
        )

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from get_config()'s dict: a functional graph (Keras's
        `Model.from_config(model.get_config(), custom_objects=...)`), else cls(**config)."""
        if "input_layers" in config:
            from baeum.saving.serialization import _functional_from_config

            return _functional_from_config(config, custom_objects, "the config",
                                           cls=None if cls is Model else cls)
        return super().from_config(config)

    # --- saving (see baeum.saving) --------------------------------------------------------
    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Save architecture, weights and optimizer state to one `.baeum` file (atomic)."""
        from baeum.saving import save_model

        save_model(self, filepath, include_optimizer=include_optimizer, overwrite=overwrite)

    def zero_grad(self, set_to_none=True):
        """Forget every weight's gradient (`.grad = None`), as torch's Module.zero_grad
        (Keras's torch-backend train_step calls it before the forward pass)."""
        for w in self.weights:
            w.grad = None if set_to_none or w.grad is None else w.grad * 0

    def to_json(self, **kwargs):
        """The architecture, without weights, as a JSON string (see model_from_json)."""
        from baeum.saving.json_config import model_to_json

        return model_to_json(self, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Save every weight to a `.weights.safetensors` file (atomic)."""
        from baeum.saving import save_weights

        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"{filepath} exists and overwrite=False")
        save_weights(self, filepath)

    def load_weights(self, filepath):
        """Load weights saved by `save_weights` (or from a `.baeum` model file)."""
        from baeum.saving import load_weights

        load_weights(self, filepath)
