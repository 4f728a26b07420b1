"""The core layers: Dense, Activation, Flatten, Reshape, Dropout, Lambda, Identity."""

import inspect
import math

import numpy as np

from baeum import activations
from baeum import functional as F
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer
from baeum.layers.weight_settings import set_weight_settings, weight_settings_config


class Dense(Layer):
    """outputs = activation(inputs @ kernel + bias), on the last axis.

    inputs (batch, ..., in) -> (batch, ..., units); kernel (in, units), bias (units,).

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Dense(3)
    >>> layer(np.ones((2, 4))).shape
    (2, 3)
    >>> layer.count_params()   # 4*3 weights + 3 biases
    15
    """

    supports_masking = True

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense units must be a positive integer, got {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_settings(self, kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer,
                            kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        in_dim = input_shape[-1]
        self.kernel = self.add_weight("kernel", (in_dim, self.units), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight("bias", (self.units,), self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})

    def call(self, inputs):
        if self.activation is activations.relu:  # one op: the ReLU runs on the fresh product
            return F.linear(inputs, self.kernel, self.bias, relu=True)
        return activations.apply_to_fresh(self.activation,
                                          F.linear(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weight_settings_config(self),
        }



class Activation(Layer):
    """Applies an activation function: `Activation("relu")`."""

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1*d2*...): keeps the batch axis."""

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], n)


class Reshape(Layer):
    """Reshape everything but the batch axis: `Reshape((28, 28, 1))` (-1 allowed once)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def compute_output_shape(self, input_shape):
        if -1 in self.target_shape:
            known = math.prod(d for d in self.target_shape if d != -1)
            total = math.prod(input_shape[1:]) if None not in input_shape[1:] else None
            fill = None if total is None else total // known
            return (input_shape[0], *[fill if d == -1 else d for d in self.target_shape])
        return (input_shape[0], *self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Dropout(Layer):
    """During training zero a `rate` fraction of inputs and scale the rest by 1/(1-rate).

    noise_shape: the mask's shape, e.g. (None, 1, features) to drop the same features at
    every timestep (None takes the input's size). seed: this layer's own random stream
    (its masks repeat run after run whatever else draws numbers); default: baeum's.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def call(self, inputs, training=None):
        return F.dropout(inputs, self.rate, training=bool(training),
                         noise_shape=self.noise_shape, generator=self._generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
                "seed": self.seed}


class Lambda(Layer):
    """A function of the inputs as a layer: `Lambda(lambda x: x * 2)`.

    The function gets baeum Tensors and returns one (baeum ops and Tensor methods keep
    the gradient). `arguments`: extra keyword arguments for it. `output_shape` (without
    the batch axis, or a function of the input shape) saves running it once on zeros to
    find the shape in a functional model.

    Saving: baeum never stores or runs code from a file, so a model with a Lambda saves
    only when its function is registered (`@baeum.saving.register_serializable()` on a
    named function); load_model then finds it by that name. Anything else is an error at
    save time, not a model that cannot be loaded later.
    """

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda needs a function, got {type(function).__name__}: "
                            f"{function!r}")
        self.function = function
        self.output_shape_arg = output_shape
        self.arguments = dict(arguments or {})
        try:
            self._takes_training = "training" in inspect.signature(function).parameters
        except (TypeError, ValueError):  # builtins without a signature
            self._takes_training = False

    def call(self, inputs, training=None):
        if self._takes_training:
            return self.function(inputs, training=training, **self.arguments)
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        shape = self.output_shape_arg
        if shape is None:
            return None  # found by running the function once
        if callable(shape):
            return tuple(shape(input_shape))
        return (input_shape[0], *tuple(shape))

    def get_config(self):
        from baeum.saving.registry import get_registered_name, get_registered_object

        name = get_registered_name(self.function)
        if get_registered_object(name) is not self.function:
            raise ValueError(
                f"Lambda layer '{self.name}' wraps {self.function!r}, which cannot be saved: "
                "baeum does not store code in files. Make it a named function decorated "
                "with @baeum.saving.register_serializable(), or save only the weights "
                "(model.save_weights) and rebuild the model in code"
            )
        if callable(self.output_shape_arg):
            raise ValueError(f"Lambda layer '{self.name}': an output_shape function cannot be "
                             "saved; give a tuple")
        return {**super().get_config(), "function": name,
                "output_shape": None if self.output_shape_arg is None
                else list(self.output_shape_arg),
                "arguments": self.arguments}

    @classmethod
    def from_config(cls, config):
        from baeum.saving.registry import get_registered_object

        config = dict(config)
        name = config.pop("function")
        function = get_registered_object(name)
        if function is None:
            raise ValueError(
                f"Lambda function {name!r} is not registered: decorate it with "
                "@baeum.saving.register_serializable() (in code run before loading), or pass "
                f"custom_objects={{{name!r}: function}} to load_model"
            )
        return cls(function, **config)


class Identity(Layer):
    """Returns its inputs unchanged (a tensor, or a list of them) and passes their mask on:
    a placeholder, e.g. for a layer a model's config may switch off.

    >>> import baeum, numpy as np
    >>> baeum.layers.Identity()(np.array([[1.0, 2.0]])).tolist()
    [[1.0, 2.0]]
    """

    supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
