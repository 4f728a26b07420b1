"""`Sequential`: a plain stack of layers, each feeding the next.

    model = Sequential([
        Input(shape=(784,)),                  # or Dense(..., input_shape=(784,)) first
        Dense(256, activation="relu"),
        Dense(10, activation="softmax"),
    ])
    model.add(Dropout(0.5))                   # add and pop work as in Keras
    model.pop()

As soon as the input shape is known (an `Input`, `input_shape=` on the first layer, or
the first call on data) every layer is built, and its output shape recorded for
`summary()`, by one symbolic pass through the stack.
"""

from baeum.layers.convolutional import Conv2D
from baeum.layers.layer import Layer
from baeum.layers.symbolic import Input, KerasTensor, _flatten
from baeum.models.model import Model


class Sequential(Model):
    def __init__(self, layers=None, trainable=True, name=None):
        Layer.__init__(self, name=name, trainable=trainable)
        self._layers = []
        self._input = None           # the symbolic input (KerasTensor) once the shape is known
        self._outputs = []           # symbolic output of each layer, from the last build
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build()

    @property
    def layers(self):
        return list(self._layers)

    def add(self, layer, rebuild=True):
        """Append a layer (or set the input with an `Input(...)` first)."""
        if isinstance(layer, KerasTensor):
            if layer.node is not None or self._layers:
                raise ValueError(
                    "Sequential.add takes layers; an Input(...) may only come first, and "
                    f"only a fresh Input, got {layer!r}"
                )
            self._input = layer
            return
        from baeum.models.functional import InputLayer

        if isinstance(layer, InputLayer):
            self._input = Input(batch_shape=layer.batch_shape, dtype=layer.dtype,
                                name=layer.name)
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add takes a layer (an instance of baeum.layers.Layer), got "
                f"{type(layer).__name__}: {layer!r}"
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                f"All layers added to a Sequential model should have unique names; "
                f"'{layer.name}' is already in the model"
            )
        if not self._layers and self._input is None and layer._batch_input_shape is not None:
            self._input = Input(batch_shape=layer._batch_input_shape)
        self._layers.append(layer)
        self.__dict__.pop("_train_cache", None)
        if rebuild:
            self._maybe_build()

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self.__dict__.pop("_train_cache", None)
        if rebuild:
            self._maybe_build()
        return layer

    def _maybe_build(self):
        if not self._layers:
            self.built, self._outputs = False, []
            return
        if self._input is None:   # built later, at the first call on data
            return
        self._forget_graph()
        x, outputs = self._input, []
        for layer in self._layers:
            x = layer(x)   # symbolic: builds the layer and infers its output shape
            if isinstance(x, (list, tuple)) and len(x) != 1 and layer is not self._layers[-1]:
                raise ValueError(
                    f"layer '{layer.name}' returns {len(x)} tensors; every layer in a "
                    "Sequential model except the last must return one. Use the functional "
                    "API (Model(inputs, outputs)) for multi-output layers"
                )
            outputs.append(x)
        self._outputs = outputs
        self._build_input_shape = self._input.shape
        self.built = True

    def _forget_graph(self):
        """Take the previous build's calls off the layers, so that after add() or pop()
        `layer.output` is the output in the current stack."""
        for out in self._outputs:
            node = _flatten(out)[0].node
            nodes = node.layer.__dict__.get("_inbound_nodes", [])
            if node in nodes:
                nodes.remove(node)

    def _build_for(self, inputs):
        # First call on data without a known input shape: build from the data's shape.
        if isinstance(inputs, (list, tuple, dict)):
            raise ValueError("a Sequential model takes one input array, got a list or dict")
        self._input = Input(batch_shape=(None, *inputs.shape[1:]), dtype=inputs.dtype)
        self._maybe_build()

    def build(self, input_shape=None):
        """Build every layer for inputs of `input_shape` (batch axis included, may be None)."""
        if input_shape is None:
            if self._input is None:
                raise ValueError("Sequential.build needs an input_shape, e.g. (None, 784)")
        else:
            self._input = Input(batch_shape=(None, *tuple(input_shape)[1:]))
        self._maybe_build()

    def call(self, inputs, training=None):
        x = inputs
        layers = self._layers
        # A Conv2D followed by a MaxPooling2D runs as one step, the conv's output going
        # only to the pool (see Conv2D._max_pooled).
        i = 0
        while i < len(layers):
            layer = layers[i]
            pool = layers[i + 1] if i + 1 < len(layers) else None
            if layer.__class__ is Conv2D and pool is not None and layer.fuses_with(pool):
                x = layer(x, training=training, max_pool=pool)
                i += 2
            else:
                x = layer(x, training=training)
                i += 1
        return x

    def symbolic_tensors(self):
        if not self.built or self._input is None:
            return []
        return [self._input, *_flatten(self._outputs)]

    def inference_tensors(self):
        if not self.built or self._input is None:
            return []
        layers = self._layers
        return [self._input, *_flatten([
            out for i, out in enumerate(self._outputs)
            if not (layers[i].__class__ is Conv2D and i + 1 < len(layers)
                    and layers[i].fuses_with(layers[i + 1]))])]

    def symbolic_output_shapes(self):
        if not self.built or not self._outputs:
            return None
        last = self._outputs[-1]
        return [t.shape for t in last] if isinstance(last, (list, tuple)) else [last.shape]

    def layer_output_shapes(self):
        """Each layer's output shape (batch axis None), or None before the model is built."""
        if not self.built:
            return None
        return [[t.shape for t in o] if isinstance(o, (list, tuple)) else o.shape
                for o in self._outputs]

    @property
    def output_names(self):
        return [self._layers[-1].name] if self._layers else []

    def compute_output_shape(self, input_shape):
        shapes = self.symbolic_output_shapes()
        return shapes[0] if shapes and len(shapes) == 1 else None

    @property
    def input_shape(self):
        return None if self._input is None else self._input.shape

    # The symbolic graph of the stack, as in Keras: for a feature extractor,
    # Model(model.inputs, [layer.output for layer in model.layers]).
    @property
    def inputs(self):
        self._require_graph("inputs")
        return [self._input]

    @property
    def outputs(self):
        self._require_graph("outputs")
        return _flatten(self._outputs[-1])

    @property
    def input(self):
        return self.inputs[0]

    @property
    def output(self):
        outputs = self.outputs
        return outputs[0] if len(outputs) == 1 else outputs

    def _require_graph(self, what):
        if self._input is None or not self._outputs:
            raise AttributeError(
                f"Sequential model '{self.name}' has no defined {what} yet: start it with an "
                "Input(...) (or input_shape= on the first layer), or call it on data once"
            )

    @property
    def output_shape(self):
        shapes = self.symbolic_output_shapes()
        return None if shapes is None else shapes[0] if len(shapes) == 1 else shapes

    def get_config(self):
        layers = [{"class_name": type(layer).__name__, "config": layer.get_config()}
                  for layer in self._layers]
        config = {"name": self.name, "trainable": self.trainable, "layers": layers}
        if self._input is not None:
            config["batch_input_shape"] = list(self._input.shape)
            config["input_dtype"] = self._input.dtype
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from baeum import layers as layers_module

        known = {**{name: getattr(layers_module, name) for name in dir(layers_module)},
                 **(custom_objects or {})}
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        if config.get("batch_input_shape") is not None:
            model.add(Input(batch_shape=tuple(config["batch_input_shape"]),
                            dtype=config.get("input_dtype")))
        for entry in config["layers"]:
            layer_cls = known.get(entry["class_name"])
            if not (isinstance(layer_cls, type) and issubclass(layer_cls, Layer)):
                raise ValueError(
                    f"unknown layer class {entry['class_name']!r}; pass it in custom_objects"
                )
            model.add(layer_cls.from_config(entry["config"]), rebuild=False)
        model._maybe_build()
        return model
