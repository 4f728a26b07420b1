"""`Layer`: the building block. Config in `__init__`, weights in `build`, math in `call`.

The protocol follows Keras:

    class Dense(Layer):
        def __init__(self, units, **kwargs):      # store and validate the config
            super().__init__(**kwargs)
            self.units = units
        def build(self, input_shape):             # create weights once the input is known
            self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
        def call(self, x):                        # a few lines of ops
            return F.linear(x, self.kernel)
        def get_config(self):                     # every __init__ argument, for saving
            return {**super().get_config(), "units": self.units}

A layer called on arrays or Tensors computes; called on the symbolic output of
`baeum.Input` it records a node of a functional model instead (see `symbolic.py`).
Weights are plain `baeum.Tensor`s: trainable ones have requires_grad=True.
"""

import inspect
import re
import threading
import warnings

import numpy as np

from baeum import backend
from baeum.autograd.tensor import Tensor
from baeum.layers.input_spec import InputSpec, check_input, check_input_shape
from baeum.layers.symbolic import KerasTensor, record_call

_name_counts = {}

# The `training` flag of the enclosing model call. A layer called without one inherits
# it (Keras's call context): `self.dropout(x)` inside a model's `call` follows
# `model(x, training=True)`. Models set it around their call.
call_context_training = [None]

# Whether each Layer class's `call` takes `training` / another argument (read from its
# signature once; training= has a cache of its own, it is asked at every call).
_TRAINING_ARG = {}    # layer class -> (call takes training, its default value or None)
_TAKES_ARGUMENT = {}  # (layer class, argument name) -> bool
# add_weight's positional order: baeum's (Keras 2's) with a name first, Keras 3's otherwise.
_ADD_WEIGHT_NAME_FIRST = ("name", "shape", "initializer", "dtype", "trainable", "regularizer",
                          "constraint")
_ADD_WEIGHT_SHAPE_FIRST = ("shape", "initializer", "dtype", "trainable", "autocast",
                           "regularizer", "constraint", "aggregation",
                           "overwrite_with_gradient", "name")
masks_made = [False]  # has any layer output carried a mask yet (see Layer.__call__)


def training_arg(cls):
    """(whether cls.call takes `training`, the default it gives it or None), read from the
    signature once per class."""
    entry = _TRAINING_ARG.get(cls)
    if entry is None:
        param = inspect.signature(cls.call).parameters.get("training")
        default = None if param is None or param.default is param.empty else param.default
        entry = _TRAINING_ARG[cls] = (param is not None, default)
    return entry
losses_added = [False]  # has any layer called add_loss yet (see Layer.__call__)
_outermost = threading.local()  # .inside: within an outermost call that collects losses

# Bumped whenever a weight is created, so models can cache their weight lists safely.
weights_version = [0]


def unique_name(base):
    """dense, dense_1, dense_2, ... like Keras's automatic layer names."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def clear_session():
    """Reset automatic layer names (dense, dense_1, ...)."""
    _name_counts.clear()


def snake_case(name):
    """Keras's rule: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d, SimpleRNN -> simple_rnn."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Layer:
    def __init_subclass__(cls, **kwargs):
        # A direct `layer.build(shape)` (a Keras habit) marks the layer built, so the
        # first call does not build it a second time (duplicate weights).
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_marks_built", False):
            def build_and_mark(self, input_shape, *args, **kw):
                out = build(self, input_shape, *args, **kw)
                self.built = True
                if self._build_input_shape is None:
                    self._build_input_shape = input_shape
                return out

            build_and_mark.__doc__, build_and_mark.__name__ = build.__doc__, "build"
            build_and_mark.__wrapped__ = build
            build_and_mark._marks_built = True
            cls.build = build_and_mark
        # A user's layer that defines compute_mask may make a mask from its inputs alone
        # (Keras 3 calls it on every call). baeum's own layers say so with makes_mask.
        if "compute_mask" in cls.__dict__ and "makes_mask" not in cls.__dict__ \
                and not cls.__module__.startswith("baeum."):
            cls.makes_mask = True

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None,
                 batch_size=None, input_dim=None, **kwargs):
        if kwargs:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {sorted(kwargs)}"
            )
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = np.dtype(backend.as_dtype(dtype) if dtype else backend.floatx).name
        self.built = False
        self.input_spec = None
        self._checked_input = None      # (spec, shape) of the last input that passed
        self._trainable = bool(trainable)
        self._own_trainable = []
        self._own_non_trainable = []
        self._regularized = []          # (weight, regularizer) pairs
        self._activity_losses = []      # from the last call, when activity_regularizer is set
        self._added_losses = []         # add_loss's, since the last outermost call
        self._build_input_shape = None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        self._batch_input_shape = (
            (batch_size, *tuple(input_shape)) if input_shape is not None else None
        )

    # --- weights -------------------------------------------------------------------
    def add_weight(self, *args, **kwargs):
        """Create a weight tensor now (call from `build`); it is tracked in creation order.

        Arguments by keyword, or by position in either order: baeum's (and Keras 2's)
        `add_weight("kernel", (4, 3), "zeros")`, or Keras 3's, shape first:
        `add_weight((4, 3), "zeros")`. The initializer defaults to glorot_uniform for
        floats and zeros otherwise, as in Keras 3.
        """
        order = _ADD_WEIGHT_NAME_FIRST if args and isinstance(args[0], str) \
            else _ADD_WEIGHT_SHAPE_FIRST
        if len(args) > len(order):
            raise TypeError(f"add_weight takes at most {len(order)} positional arguments "
                            f"({', '.join(order)}), got {len(args)}")
        for key, value in zip(order, args):
            if key in kwargs:
                raise TypeError(f"add_weight got two values for {key!r}")
            kwargs[key] = value
        return self._new_weight(**kwargs)

    def _new_weight(self, name=None, shape=(), initializer=None, dtype=None, trainable=True,
                    regularizer=None, constraint=None, autocast=True, aggregation=None,
                    overwrite_with_gradient=False):
        # autocast, aggregation, overwrite_with_gradient: Keras's mixed-precision and
        # distribution settings, accepted from Keras code with nothing to do here.
        from baeum import constraints, initializers, regularizers

        dtype = backend.as_dtype(dtype or self.dtype)
        if isinstance(shape, int):
            shape = (shape,)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.kind == "f" else "zeros"
        init = initializers.get(initializer)
        value = np.asarray(init(tuple(shape), dtype=dtype), dtype=dtype)
        w = Tensor(value, requires_grad=bool(trainable and self._trainable))
        w.name = f"{self.name}/{name or 'variable'}"  # Keras 3 names an unnamed weight so
        (self._own_trainable if trainable else self._own_non_trainable).append(w)
        weights_version[0] += 1
        if regularizer is not None:
            self._regularized.append((w, regularizers.get(regularizer)))
        if constraint is not None:
            w.constraint = constraints.get(constraint)
            constraints.in_use[0] = True
        return w

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        for w in self._own_trainable:
            w.requires_grad = value
        for layer in self._sublayers():
            layer.trainable = value

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        return _unique(self._own_trainable + [
            w for layer in self._sublayers() for w in layer.trainable_weights
        ])

    @property
    def non_trainable_weights(self):
        own = self._own_non_trainable if self._trainable else (
            self._own_trainable + self._own_non_trainable
        )
        return _unique(own + [
            w for layer in self._sublayers() for w in layer.non_trainable_weights
        ])

    @property
    def weights(self):
        """All weights, trainable first within each layer, in creation order."""
        return _unique(self._own_trainable + self._own_non_trainable + [
            w for layer in self._sublayers() for w in layer.weights
        ])

    @property
    def variables(self):
        return self.weights

    def get_weights(self):
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights):
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(
                f"layer '{self.name}' expects a list of {len(mine)} weight arrays, "
                f"got {len(weights)}"
            )
        for w, value in zip(mine, weights):
            value = np.asarray(value)
            if value.shape != w.shape:
                raise ValueError(
                    f"weight '{w.name}' of layer '{self.name}' has shape {w.shape}, "
                    f"got an array of shape {value.shape}"
                )
            w.data[...] = value

    def count_params(self):
        if not self.built and not self.weights:
            raise ValueError(
                f"layer '{self.name}' is not built yet, so its weights do not exist: call it "
                "on data or give the model an input shape first"
            )
        return int(sum(w.size for w in self.weights))

    @property
    def losses(self):
        """The losses (Tensors) of this layer and its sublayers from the last call: add_loss's,
        the activity regularizers', and the weight regularizers'."""
        out = [reg(w) for w, reg in self._regularized] + self._activity_losses \
            + self._added_losses
        for layer in self._sublayers():
            out.extend(layer.losses)
        return out

    def add_loss(self, loss):
        """Add a term to the training loss from inside `call`, as Keras's `add_loss`:

            def call(self, inputs):
                self.add_loss(1e-2 * baeum.ops.mean(inputs))   # a scalar Tensor
                return inputs

        `fit` adds it to the compiled loss, and gradients flow through it. The terms
        start afresh at each outermost call (a model's, or a layer's called on its own).
        """
        for term in loss if isinstance(loss, (list, tuple)) else [loss]:
            term = term if isinstance(term, Tensor) else Tensor(np.asarray(term, self.dtype))
            if term.size != 1:
                raise ValueError(f"add_loss in layer '{self.name}' expects a scalar loss, got "
                                 f"shape {term.shape}: reduce it first (e.g. ops.mean)")
            self._added_losses.append(term.reshape(()) if term.ndim else term)
        losses_added[0] = True

    def _outermost_call(self, inputs, *args, **kwargs):
        # Keras: an outermost call starts the add_loss terms of the layer and of every
        # layer inside it afresh; the calls it makes inside keep adding to them.
        stack = [self]
        while stack:
            layer = stack.pop()
            layer._added_losses = []
            stack.extend(layer._sublayers())
        _outermost.inside = True
        try:
            return self(inputs, *args, **kwargs)
        finally:
            _outermost.inside = False

    # --- sublayers (tracked from attributes, in insertion order) ----------------------
    def _sublayers(self):
        found, seen = [], {id(self)}
        for name, value in vars(self).items():
            if name not in _NOT_SUBLAYERS:
                _collect_layers(value, found, seen)
        return found

    @property
    def layers(self):
        return self._sublayers()

    # --- calling ---------------------------------------------------------------------
    def build(self, input_shape):
        """Create weights for inputs of `input_shape` (batch dimension included, may be None)."""
        self.built = True

    def call(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must implement call()")

    def compute_output_shape(self, input_shape):
        """Output shape for `input_shape`; by default found by running call on a small batch."""
        return None

    def __call__(self, inputs, *args, training=None, **kwargs):
        if losses_added[0] and not getattr(_outermost, "inside", False):
            return self._outermost_call(inputs, *args, training=training, **kwargs)
        if inputs.__class__ is Tensor:  # the common case, checked first: no structure walk
            if inputs.data.dtype.kind == "f" and inputs.data.dtype != self.dtype:
                inputs = inputs.astype(self.dtype)
        elif _any_symbolic(inputs):
            return record_call(self, inputs, args, dict(kwargs, training=training))
        else:
            inputs = _to_tensors(inputs, self.dtype)
        if training is None:
            training = call_context_training[0]
        if not self.built:
            self._build_for(inputs)
        spec = self.input_spec
        if spec is not None:
            # The same shape against the same spec passed last time: skip the check.
            checked = self._checked_input
            if not (checked is not None and checked[0] is spec and isinstance(inputs, Tensor)
                    and checked[1] == inputs.shape):
                check_input(self, inputs)
                if isinstance(inputs, Tensor):
                    self._checked_input = (spec, inputs.shape)
        # Keras's masking: a mask rides on a tensor from Embedding(mask_zero=True) on, to
        # the layers whose call() takes one (recurrent layers, GlobalAveragePooling1D).
        # (No tensor has one until some layer made one: skip the lookup until then.)
        mask = None
        if masks_made[0] or kwargs:
            if masks_made[0] and inputs.__class__ is Tensor:
                mask = getattr(inputs, "_keras_mask", None)
            elif masks_made[0] and isinstance(inputs, (list, tuple)):  # a merge's inputs
                masks = [getattr(t, "_keras_mask", None) for t in inputs]
                mask = None if all(m is None for m in masks) else masks
            if "mask" in kwargs:
                mask = kwargs["mask"]
            elif mask is not None and self._accepts("mask"):
                kwargs["mask"] = mask
        cls = self.__class__
        takes_training, training_default = _TRAINING_ARG.get(cls) or training_arg(cls)
        if takes_training:
            # No flag given or inherited: the call's own default, as in Keras 3 (the
            # augmentation layers' is True: called on their own, they augment).
            if training is None:
                training = training_default
            out = self.call(inputs, *args, training=training, **kwargs)
        else:
            out = self.call(inputs, *args, **kwargs)
        if mask is not None or self.makes_mask:
            out_mask = self.compute_mask(inputs, mask)
            if isinstance(out_mask, (list, tuple)) and isinstance(out, (list, tuple)):
                for tensor, m in zip(_flatten(out), out_mask):  # one mask per output
                    if m is not None:
                        tensor._keras_mask = m.data if isinstance(m, Tensor) else m
                masks_made[0] = True
            elif out_mask is not None:
                _flatten(out)[0]._keras_mask = \
                    out_mask.data if isinstance(out_mask, Tensor) else out_mask
                masks_made[0] = True
            elif mask is not None and not self._mask_warned and self._drops_masks():
                self._warn_mask_dropped()
        activity = getattr(self, "activity_regularizer", None)
        if activity is not None:
            self._activity_losses = [activity(o) for o in _flatten(out)]
        return out

    def _build_for(self, inputs):
        shapes = _map_shapes(inputs)
        check_input_shape(self, shapes)  # a bad rank fails here, not inside build
        self._build_input_shape = shapes
        self.build(shapes)
        self.built = True

    def build_from_shape(self, input_shape):
        """Build for a shape given without data (used by Sequential with input_shape=)."""
        if not self.built:
            check_input_shape(self, input_shape)
            self._build_input_shape = input_shape
            self.build(input_shape)
            self.built = True

    @classmethod
    def _call_signature(cls):
        cached = cls.__dict__.get("_call_params")
        if cached is None:
            cached = set(inspect.signature(cls.call).parameters)
            cls._call_params = cached
        return cached

    def _accepts(self, argument):
        """Whether this layer's call() takes `argument` ("training", "mask")."""
        key = (self.__class__, argument)
        takes = _TAKES_ARGUMENT.get(key)
        if takes is None:
            takes = _TAKES_ARGUMENT[key] = argument in self.__class__._call_signature()
        return takes

    # --- masking (Keras's protocol) -----------------------------------------------------
    supports_masking = False  # passes its input's mask on unchanged (Dense, Dropout, ...)
    makes_mask = False        # computes a mask of its own (Embedding with mask_zero)

    def compute_mask(self, inputs, mask=None):
        """The mask of this layer's output: (batch, timesteps) booleans, or None."""
        return mask if self.supports_masking else None

    _mask_warned = False
    _may_drop_masks = True  # False for models: their own layers see the mask

    def _drops_masks(self):
        """Whether a mask reaching this layer is lost: it neither passes masks on, nor
        computes one, nor takes one in call() (Conv1D, Flatten, the 1-D pools, ...)."""
        cls = self.__class__
        return (self._may_drop_masks and not self.supports_masking
                and cls.compute_mask is Layer.compute_mask and not self._accepts("mask"))

    def _warn_mask_dropped(self):
        # Keras 3's warning, once per layer: padded steps count as data from here on.
        self._mask_warned = True
        warnings.warn(
            f"Layer '{self.name}' (of type {self.__class__.__name__}) was passed an input "
            "with a mask attached to it. However, this layer does not support masking and "
            "will therefore destroy the mask information. Downstream layers will not see "
            "the mask.", UserWarning, stacklevel=3)

    # --- the symbolic graph --------------------------------------------------------------
    @property
    def input(self):
        """The symbolic input(s) of this layer's first call on symbolic tensors, as in Keras
        (e.g. `Model(model.input, [layer.output for layer in model.layers])` to see every
        layer's activations)."""
        return self._first_node("input").inputs

    @property
    def output(self):
        """The symbolic output(s) of this layer's first call on symbolic tensors."""
        outputs = self._first_node("output").outputs
        return outputs[0] if len(outputs) == 1 else list(outputs)

    def _first_node(self, what):
        nodes = self.__dict__.get("_inbound_nodes")
        if not nodes:
            raise AttributeError(
                f"The layer {self.name} has never been called and thus has no defined {what}: "
                "call it on a symbolic Input(...) first, or give its model an input shape "
                "(an Input first in a Sequential, or input_shape= on the first layer)"
            )
        return nodes[0]

    # --- config ------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        batch_input_shape = config.pop("batch_input_shape", None)
        if batch_input_shape is not None:
            config["input_shape"] = tuple(batch_input_shape[1:])
            config["batch_size"] = batch_input_shape[0]
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _unique(tensors):
    seen, out = set(), []
    for t in tensors:
        if id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out


# Attributes that hold layers without making them sublayers: the trainer's cache of every
# layer in the model's tree (training/trainer.py), which would otherwise add the nested
# layers to a subclassed model's `layers` after its first fit.
_NOT_SUBLAYERS = frozenset({"_train_cache"})


def _collect_layers(value, found, seen):
    if isinstance(value, Layer):
        if id(value) not in seen:
            seen.add(id(value))
            found.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect_layers(v, found, seen)
    elif isinstance(value, dict):
        for v in value.values():
            _collect_layers(v, found, seen)


def _any_symbolic(x):
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(isinstance(v, KerasTensor) for v in x)
    if isinstance(x, dict):
        return any(isinstance(v, KerasTensor) for v in x.values())
    return False


def _to_tensors(x, dtype):
    """Arrays become Tensors; float data is cast to the layer's dtype (Keras autocasting)."""
    if isinstance(x, Tensor):
        if x.data.dtype.kind == "f" and x.data.dtype != dtype:
            return x.astype(dtype)
        return x
    if isinstance(x, (list, tuple)):
        return type(x)(_to_tensors(v, dtype) for v in x)
    if isinstance(x, dict):
        return {k: _to_tensors(v, dtype) for k, v in x.items()}
    arr = np.asarray(x)
    if arr.dtype.kind == "f" and arr.dtype != dtype:
        arr = arr.astype(dtype)
    elif arr.dtype.kind not in "fiub":
        raise TypeError(f"layer inputs must be numeric arrays, got dtype {arr.dtype}")
    return Tensor(arr)


def _map_shapes(x):
    if isinstance(x, (list, tuple)):
        return [tuple(v.shape) for v in x]
    if isinstance(x, dict):
        return {k: tuple(v.shape) for k, v in x.items()}
    return tuple(x.shape)


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flatten(item)]
    return [x]


__all__ = ["Layer", "InputSpec", "clear_session", "unique_name"]
