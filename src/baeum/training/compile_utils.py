"""What `compile` was given, matched to the model's outputs: the loss and the metrics.

`compile(loss=..., metrics=...)` accepts one loss for every output, a list (one per
output) or a dict by output name, and the same for metrics. Names are resolved once
(at compile, so a typo fails there); the match to the outputs is made at the first
batch, when the outputs and the label shapes are known ("accuracy" needs them).
"""

import copy

import numpy as np

from baeum import losses as losses_module
from baeum import metrics as metrics_module
from baeum.autograd.tensor import Tensor


def _output_label(names, i):
    return repr(names[i]) if names else f"#{i}"


def _match(spec, n, names, what):
    """Spread `spec` over n outputs: one value for all, a list of n, or a dict by name."""
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in (names or [])]
        if unknown:
            raise ValueError(
                f"compile({what}=...) has entries for {unknown}, but the model's outputs are "
                f"named {names}"
            )
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)) and n > 1:
        if len(spec) != n:
            raise ValueError(
                f"the model has {n} outputs ({names}), but compile got a list of {len(spec)} "
                f"{what} values; give one per output, or a dict by output name"
            )
        return list(spec)
    if isinstance(spec, (list, tuple)) and n == 1 and what == "loss":
        if len(spec) != 1:
            raise ValueError(f"the model has 1 output, but compile got {len(spec)} losses")
        return list(spec)
    return [spec] * n


def resolve_loss(identifier):
    """A Loss object for a name, a Loss, a Loss class or a function."""
    obj = losses_module.get(identifier)
    if obj is None or isinstance(obj, losses_module.Loss):
        return obj
    cls = losses_module._CLASS_OF_FUNCTION.get(obj)
    if cls is not None:
        return cls()
    return losses_module.LossFunctionWrapper(obj)


def _resolve_loss_spec(spec):
    if isinstance(spec, dict):
        return {k: resolve_loss(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [resolve_loss(v) for v in spec]
    return resolve_loss(spec)


class CompileLoss:
    """The total loss: sum over outputs of loss_weight * loss(y_true, y_pred, sample_weight)."""

    def __init__(self, loss, loss_weights=None):
        self.spec = _resolve_loss_spec(loss)   # unknown names fail here, at compile
        self.loss_weights = loss_weights
        self.built = False
        self.losses = None      # one Loss (or None) per output
        self.weights = None
        self.names = None

    def build(self, n_outputs, output_names):
        self.names = list(output_names) if output_names else None
        self.losses = _match(self.spec, n_outputs, self.names, "loss")
        if self.loss_weights is None:
            weights = [1.0] * n_outputs
        else:
            weights = _match(self.loss_weights, n_outputs, self.names, "loss_weights")
        self.weights = [1.0 if w is None else float(w) for w in weights]
        if all(loss is None for loss in self.losses):
            raise ValueError("compile(loss=...) gives no loss for any of the model's outputs")
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        """y_true and y_pred: lists, one entry per output. Returns (total, per_output)."""
        if len(y_true) != len(y_pred):
            raise ValueError(
                f"the model has {len(y_pred)} output(s) but {len(y_true)} target array(s) "
                "were given; pass y as a list (or dict by output name) with one array per output"
            )
        total, per_output = None, []
        for loss, weight, t, p in zip(self.losses, self.weights, y_true, y_pred):
            if loss is None:
                per_output.append(None)
                continue
            value = loss(t, p, sample_weight)
            per_output.append(value)
            term = value if weight == 1.0 else value * weight
            total = term if total is None else total + term
        return total, per_output

    def check_targets(self, ys, output_shapes):
        """Check every sparse label against the number of classes, before training starts."""
        for loss, y, shape in zip(self.losses, ys, output_shapes):
            if shape is None or shape[-1] is None:
                continue
            fn = getattr(loss, "fn", None)
            sparse = isinstance(loss, losses_module.SparseCategoricalCrossentropy) or \
                fn is losses_module.sparse_categorical_crossentropy
            if sparse:
                losses_module._sparse_labels(y, (len(y), *shape[1:]))


def _resolve_metric(identifier, y_true, y_pred, loss):
    """A Metric for one output; "accuracy"/"acc" picked from the loss and the shapes."""
    if isinstance(identifier, str) and identifier in metrics_module.ACCURACY_ALIASES:
        fn = getattr(loss, "fn", None)
        binary_loss = isinstance(loss, losses_module.BinaryCrossentropy) or \
            fn is losses_module.binary_crossentropy
        if binary_loss or y_pred.shape[-1] == 1:
            return metrics_module.BinaryAccuracy(name=identifier)
        sparse = y_true.ndim < y_pred.ndim or (
            y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
        )
        if sparse:
            return metrics_module.SparseCategoricalAccuracy(name=identifier)
        return metrics_module.CategoricalAccuracy(name=identifier)
    obj = metrics_module.get(identifier)
    if isinstance(obj, metrics_module.Metric):
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", "metric")
    return metrics_module.MeanMetricWrapper(obj, name=name)


def _validate_metric_ids(spec):
    """Resolve every name now so an unknown one fails at compile (accuracy waits for data)."""
    if spec is None:
        return
    items = spec.values() if isinstance(spec, dict) else (
        spec if isinstance(spec, (list, tuple)) else [spec]
    )
    for item in items:
        if isinstance(item, (list, tuple)):
            _validate_metric_ids(list(item))
        elif item is not None and item not in metrics_module.ACCURACY_ALIASES:
            metrics_module.get(item)


def _per_output(spec, n, names, what):
    """Metrics spec -> a list (one per output) of lists of identifiers (Keras 3's rules)."""
    if spec is None:
        return [[] for _ in range(n)]
    if isinstance(spec, dict):
        matched = _match(spec, n, names, what)
    elif isinstance(spec, (list, tuple)):
        if n == 1:
            matched = [list(spec)]
        elif len(spec) != n:
            raise ValueError(
                f"For a model with multiple outputs, when providing the `{what}` argument as "
                f"a list, it should have as many entries as the model has outputs. Received: "
                f"{what}={list(spec)!r} of length {len(spec)} whereas the model has {n} "
                f"outputs {names}. Give one entry per output, e.g. [['accuracy'], []], or a "
                "dict by output name"
            )
        else:
            matched = list(spec)
    else:   # one metric: for every output
        matched = [spec] * n
    return [[] if m is None else list(m) if isinstance(m, (list, tuple)) else [m]
            for m in matched]


class CompileMetrics:
    """The metrics of every output, updated on arrays (never through the graph)."""

    def __init__(self, metrics=None, weighted_metrics=None):
        _validate_metric_ids(metrics)
        _validate_metric_ids(weighted_metrics)
        self.spec, self.weighted_spec = metrics, weighted_metrics
        self.built = False
        self.entries = []       # (log name, Metric, output index, weighted)

    def build(self, y_true, y_pred, output_names, output_losses):
        n = len(y_pred)
        prefix = [f"{name}_" if n > 1 else "" for name in (output_names or [""] * n)]
        seen = set()
        for weighted, spec, what in ((False, self.spec, "metrics"),
                                     (True, self.weighted_spec, "weighted_metrics")):
            for i, ids in enumerate(_per_output(spec, n, output_names, what)):
                for identifier in ids:
                    metric = _resolve_metric(identifier, y_true[i], y_pred[i], output_losses[i])
                    if id(metric) in seen:  # one Metric object given for several outputs
                        metric = copy.deepcopy(metric)
                        metric.reset_state()
                    seen.add(id(metric))
                    self.entries.append((prefix[i] + metric.name, metric, i, weighted))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None, masks=None):
        """masks: per output, None or the (batch, timesteps) mask of a sequence output,
        which every metric of that output applies (as Keras's metrics do)."""
        for _, metric, i, weighted in self.entries:
            sw = sample_weight if weighted else None
            mask = masks[i] if masks else None
            if mask is not None:
                sw = _masked(mask, sw)
            metric.update_state(y_true[i], y_pred[i], sw)

    def reset_state(self):
        for _, metric, _, _ in self.entries:
            metric.reset_state()

    def result(self):
        return {name: _plain(metric.result()) for name, metric, _, _ in self.entries}

    @property
    def metrics(self):
        return [metric for _, metric, _, _ in self.entries]


def _plain(value):
    """A metric's result as a number or a NumPy array of its own: a custom metric may
    return its state Tensor itself (Keras's guide returns `self.true_positives.value`),
    which its next update would change under the logs."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        return value.item() if value.ndim == 0 else value.copy()
    return value


def _masked(mask, sample_weight):
    """Weights 1 on real steps, 0 on masked ones, times the samples' weights if any."""
    weights = np.asarray(mask, np.float64)
    if sample_weight is None:
        return weights
    sw = np.asarray(sample_weight, np.float64)
    if sw.ndim == weights.ndim + 1 and sw.shape[-1] == 1:
        sw = sw[..., 0]
    return weights * sw.reshape(sw.shape + (1,) * (weights.ndim - sw.ndim))
