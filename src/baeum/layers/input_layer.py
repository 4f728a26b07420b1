"""`InputLayer`: the layer Keras lists for each input of a model (no weights).

`Input(shape=(4,))` is what a model is built from; `InputLayer(shape=(4,))` is the same
as a layer, for `Sequential([InputLayer(shape=(4,)), Dense(3)])`.
"""

from baeum.layers.layer import Layer, unique_name


class InputLayer(Layer):
    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 input_shape=None):
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype)
        shape = input_shape if shape is None else shape  # input_shape: Keras 2's name
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer needs shape= (without the batch axis) or "
                                 "batch_shape=")
            batch_shape = (batch_size, *((shape,) if isinstance(shape, int) else shape))
        self.batch_shape = tuple(batch_shape)
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return self.batch_shape

    def get_config(self):
        return {"name": self.name, "batch_shape": list(self.batch_shape), "dtype": self.dtype}
