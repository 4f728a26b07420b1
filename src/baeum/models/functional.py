"""Functional models: a graph of layer calls from `Input`s to outputs, run in order.

    inputs = Input(shape=(4,))
    h = Dense(16, activation="relu")(inputs)   # records a Node: (layer, its inputs, outputs)
    outputs = Dense(3)(h)
    model = Model(inputs=inputs, outputs=outputs)

At construction the Nodes are collected by walking back from the outputs (an explicit
stack, no recursion) and put in topological order once. Calling the model runs each
node's layer on the values of its inputs, in that order. A layer called twice is
shared: both nodes use its one set of weights. A model is a layer, so it can be
called inside another model.
"""

from baeum.layers.convolutional import Conv2D
from baeum.layers.input_layer import InputLayer
from baeum.layers.layer import Layer
from baeum.layers.symbolic import KerasTensor, _flatten, _map
from baeum.models.model import Model


def functional_class(cls):
    """Functional itself for Model, else a functional model class of the subclass `cls`:
    `class CustomModel(Model)` with its own train_step, built as CustomModel(inputs,
    outputs), runs its graph as Functional does and steps as CustomModel says."""
    if cls is Model or issubclass(cls, Functional):
        return Functional if cls is Model else cls
    made = _FUNCTIONAL_CLASSES.get(cls)
    if made is None:
        made = type(cls.__name__, (cls, Functional), {
            "__module__": cls.__module__, "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__, "subclassed_from": cls})
        _FUNCTIONAL_CLASSES[cls] = made
    return made


_FUNCTIONAL_CLASSES = {}  # Model subclass -> its functional class


class Functional(Model):
    #: The user's Model subclass this functional class was made for (None for Functional).
    subclassed_from = None

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        for label, struct in (("inputs", inputs), ("outputs", outputs)):
            bad = [v for v in _flatten(struct) if not isinstance(v, KerasTensor)]
            if bad:
                raise TypeError(
                    f"Model({label}=...) takes symbolic tensors from Input(...) and layer "
                    f"calls on them, got {type(bad[0]).__name__}: {bad[0]!r}"
                )
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._input_tensors = _flatten(inputs)
        self._output_tensors = _flatten(outputs)
        for t in self._input_tensors:
            if t.node is not None:
                raise ValueError(
                    f"Model inputs must come straight from Input(...), but {t!r} is the "
                    f"output of layer '{t.node.layer.name}'"
                )
        self._nodes = _topological_nodes(self._input_tensors, self._output_tensors)
        # Per node: do its extra arguments hold symbolic tensors to fill in at run time?
        # (node, extras, None), or (conv node, extras, pool node) for a fused pair.
        self._plan = _fuse_conv_pool([
            (node, any(isinstance(v, KerasTensor)
                       for v in _flatten([list(node.args), list(node.kwargs.values())])), None)
            for node in self._nodes
        ], self._output_tensors)
        self._input_layers = [
            InputLayer(batch_shape=t.shape, dtype=t.dtype, name=t.name)
            for t in self._input_tensors
        ]
        seen, layers = set(), []
        for node in self._nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                layers.append(node.layer)
        self._layers = self._input_layers + layers
        if isinstance(outputs, dict):
            self.output_names = list(outputs)
        else:
            self.output_names = _unique_names(
                [t.node.layer.name if t.node is not None else t.name
                 for t in self._output_tensors]
            )
        self.input_names = [t.name for t in self._input_tensors]
        self._build_input_shape = _map(inputs, lambda t: t.shape)
        self.built = True

    @property
    def layers(self):
        return list(self._layers)

    @property
    def inputs(self):
        return list(self._input_tensors)

    @property
    def outputs(self):
        return list(self._output_tensors)

    @property
    def input(self):
        """The model's own inputs as given to Model(...): one tensor, a list or a dict."""
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        """(None, 4), or a list of shapes for several inputs, as in Keras."""
        shapes = [t.shape for t in self._input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    def symbolic_tensors(self):
        return [*self._input_tensors, *(t for node in self._nodes for t in node.outputs)]

    def inference_tensors(self):
        unbuilt = {id(t) for node, _, pool in self._plan if pool is not None
                   for t in node.outputs}
        return [t for t in self.symbolic_tensors() if id(t) not in unbuilt]

    def symbolic_output_shapes(self):
        return [t.shape for t in self._output_tensors]

    def compute_output_shape(self, input_shape):
        shapes = _map(self._outputs_struct, lambda t: t.shape)
        return shapes if isinstance(shapes, (tuple, list)) and not isinstance(
            self._outputs_struct, dict) else None

    def call(self, inputs, training=None):
        values = {}
        for t, value in zip(self._input_tensors, self._flatten_inputs(inputs)):
            values[id(t)] = value
        # A Conv2D whose output only a MaxPooling2D reads runs as one step with it (see
        # Conv2D._max_pooled); the pool's node is then left out.
        for node, symbolic_extras, pool_node in self._plan:
            x = _fill(node.inputs, values)
            args, kwargs = node.args, node.kwargs
            if symbolic_extras:
                args, kwargs = _fill(args, values), _fill(kwargs, values)
            if kwargs.get("training") is None:  # not fixed when the graph was built
                kwargs = {**kwargs, "training": training}
            if pool_node is None:
                out = node.layer(x, *args, **kwargs)
            else:  # the step's output is the pool's
                out = node.layer(x, *args, max_pool=pool_node.layer, **kwargs)
                node = pool_node
            if len(node.outputs) == 1 and not isinstance(out, (list, tuple)):
                values[id(node.outputs[0])] = out
            else:
                for t, value in zip(node.outputs, _flatten(out)):
                    values[id(t)] = value
        return _fill(self._outputs_struct, values)

    def _flatten_inputs(self, inputs):
        n = len(self._input_tensors)
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                keys = list(self._inputs_struct)
            else:
                keys = self.input_names
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(
                    f"model '{self.name}' expects inputs named {keys}, got a dict with keys "
                    f"{sorted(inputs)} (missing {missing})"
                )
            return [inputs[k] for k in keys]
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != n:
            raise ValueError(
                f"model '{self.name}' expects {n} input(s) {self.input_names}, got {len(flat)}; "
                "pass a list with one array per input (or a dict by input name)"
            )
        return flat

    def get_config(self):
        """The graph: every layer's config and the calls between them (as Keras's)."""
        from baeum.saving.serialization import _functional_config

        return _functional_config(self)


def _topological_nodes(inputs, outputs):
    """Every node needed for `outputs`, each after the nodes producing its inputs."""
    input_ids = {id(t) for t in inputs}
    order, done, on_path = [], set(), set()
    stack = [(t, False) for t in reversed(outputs)]
    while stack:
        t, expanded = stack.pop()
        node = t.node
        if node is None:
            if id(t) not in input_ids:
                raise ValueError(
                    f"Graph disconnected: the outputs depend on {t!r}, which is not among "
                    f"the model's inputs {[i.name for i in inputs]}. Pass every Input the "
                    "outputs are computed from to Model(inputs=[...])"
                )
            continue
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            on_path.discard(id(node))
            order.append(node)
            continue
        on_path.add(id(node))
        stack.append((t, True))
        for parent in reversed(_node_input_tensors(node)):
            if parent.node is None or id(parent.node) not in done:
                stack.append((parent, False))
    return order


def _node_input_tensors(node):
    return [v for v in _flatten([node.inputs, list(node.args), list(node.kwargs.values())])
            if isinstance(v, KerasTensor)]


def _fill(struct, values):
    """Replace every KerasTensor in a structure by its computed value."""
    if isinstance(struct, KerasTensor):
        return values[id(struct)]
    if isinstance(struct, (list, tuple)):
        return type(struct)(_fill(v, values) for v in struct)
    if isinstance(struct, dict):
        return {k: _fill(v, values) for k, v in struct.items()}
    return struct


def _unique_names(names):
    seen, out = {}, []
    for name in names:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name}_{n}")
    return out


def _fuse_conv_pool(plan, model_outputs):
    """The plan with each Conv2D node whose only reader is a MaxPooling2D node paired with
    that node, which leaves the plan (the Conv2D and its pool then run as one step)."""
    readers = {}
    for node, _, _ in plan:
        for t in _flatten([node.inputs, list(node.args), list(node.kwargs.values())]):
            if isinstance(t, KerasTensor):
                readers.setdefault(id(t), []).append(node)
    outputs = {id(t) for t in model_outputs}
    fused, pooled = [], set()
    for node, extras, _ in plan:
        if id(node) in pooled:
            continue
        out = node.outputs[0]
        out_readers = readers.get(id(out), [])
        pool = out_readers[0] if len(out_readers) == 1 else None
        if (node.layer.__class__ is Conv2D and not extras and id(out) not in outputs
                and pool is not None and node.layer.fuses_with(pool.layer)
                and pool.inputs is out and not pool.args
                and set(pool.kwargs) <= {"training"}):
            fused.append((node, extras, pool))
            pooled.add(id(pool))
        else:
            fused.append((node, extras, None))
    return fused
