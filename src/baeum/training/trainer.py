"""`compile`, `fit`, `evaluate`, `predict`: the Keras training loop, mixed into `Model`.

`fit` runs exactly the loop you would write by hand (see `train_step`):

    for x, y in batches:
        y_pred = model(x, training=True)              # forward
        loss = loss_fn(y, y_pred) + sum(model.losses)  # + regularization
        optimizer.zero_grad(); loss.backward()         # gradients into w.grad
        optimizer.apply(grads, weights)                # the update

plus the bookkeeping around it: metrics averaged over the epoch (on arrays, outside
the graph), validation, callbacks and the progress bar. Arrays are checked and cast to
float32 once per call, not per batch; where the batches come from (arrays, a generator,
a PyDataset) and how they make epochs is the business of training/data.py.
"""

import math
import warnings

import numpy as np

from baeum import parallel
from baeum.autograd import grad_mode
from baeum.autograd.tensor import Tensor
from baeum.callbacks import CallbackList
from baeum.layers import layer as layer_module
from baeum.layers import recurrent
from baeum.layers.symbolic import _flatten, _map
from baeum.metrics import Mean
from baeum.training.compile_utils import CompileLoss, CompileMetrics
from baeum.training.data import batch_source, unpack_x_y_sample_weight


class Trainer:
    compiled = False
    optimizer = None
    compiled_loss = None
    compiled_metrics = None
    stop_training = False
    history = None

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Choose the optimizer, the loss and the metrics (names or objects, as in Keras).

        loss: a name ("mse", "sparse_categorical_crossentropy", ...), a `baeum.losses`
            object or a function; for several outputs a list or a dict by output name.
        metrics: e.g. ["accuracy"]; "accuracy" becomes binary, categorical or sparse
            categorical accuracy from the loss and the label shapes.
        The other arguments exist for Keras compatibility and change nothing here.
        """
        from baeum import optimizers

        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self.compiled_loss = None if loss is None else CompileLoss(loss, loss_weights)
        self.compiled_metrics = CompileMetrics(metrics, weighted_metrics)
        self._loss_tracker = Mean(name="loss")
        self._output_loss_trackers = []
        self._nan_warned = False
        self.compiled = True
        self.stop_training = False

    # --- the training loop ----------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for `epochs` passes over (x, y) in mini-batches; return a `History`.

        x, y: arrays, lists of arrays (several inputs/outputs) or dicts by name. Or x is a
            generator or a `baeum.utils.PyDataset` giving (x, y) or (x, y, sample_weight)
            batches (then y, sample_weight and batch_size stay None); a generator needs
            steps_per_epoch to run more than one epoch, and shuffle reorders a PyDataset's
            batches. steps_per_epoch: batches per epoch (default: one whole pass).
        validation_split: the LAST fraction of the data (taken before shuffling) is held
            out and evaluated after each epoch (arrays only). validation_data=(x_val, y_val),
            or a generator/PyDataset, instead (validation_steps batches of it).
        verbose: 0 silent, 1 or "auto" a progress bar per epoch, 2 one line per epoch.
        """
        self._assert_compiled("fit")
        data = self._data(x, y, sample_weight, batch_size=batch_size)
        batch_size = _batch_size(batch_size)
        val = None
        if validation_data is not None:
            val = self._data(*unpack_x_y_sample_weight(validation_data), prefix="validation ",
                             batch_size=validation_batch_size)
        elif validation_split:
            data, val = data.split(validation_split)
        data.apply_class_weight(class_weight)
        self._check_targets(data)
        # Each epoch's batches (data.epochs: Keras's rules); a finite generator may run out
        # before `epochs`, which ends training.
        data_epochs = data.epochs(batch_size, shuffle, steps_per_epoch,
                                  count=epochs - initial_epoch, steps_name="steps_per_epoch")
        n_val = epochs // validation_freq - initial_epoch // validation_freq   # evaluations
        val_epochs = None if val is None else val.epochs(
            validation_batch_size or batch_size, steps=validation_steps, count=n_val,
            steps_name="validation_steps")
        callbacks = self._callback_list(callbacks, verbose, add_history=True, epochs=epochs,
                                        steps=data.steps_per_epoch(batch_size, steps_per_epoch))
        self.stop_training = False
        callbacks.on_train_begin()
        logs = {}
        for epoch, batches in zip(range(initial_epoch, epochs), data_epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            for step, batch in enumerate(batches):
                callbacks.on_train_batch_begin(step)
                logs = self.train_step(batch)
                callbacks.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            logs = self._metrics_result_or(logs)
            if val_epochs is not None and (epoch + 1) % validation_freq == 0:
                logs.update(self._validate(val_epochs, callbacks))
            callbacks.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        callbacks.on_train_end(logs)
        return callbacks.history

    def train_step(self, data):
        """One optimizer step on one batch (x, y, sample_weight); returns the running logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)                               # forward
        loss = self.compute_loss(x, y, y_pred, sample_weight)          # loss + regularization
        weights = self._weights_to_train()                             # = trainable_weights
        for w in weights:                                             # optimizer.zero_grad()
            w.grad = None
        loss.backward()                                               # d loss / d weights
        self.optimizer.apply([w.grad for w in weights], weights)      # optimizer.step()
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """Loss and metrics on one batch, without a graph and with training=False."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with grad_mode.no_grad():
            y_pred = self(x, training=False)
            self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs on one batch, as arrays (no graph, training=False).

        A large batch runs in cache-sized slices, side by side on every core
        (baeum/parallel.py): the outputs are those of the whole batch, as every layer
        treats samples separately in inference. A model with a stateful layer
        (stateful=True) runs the batch whole, in this thread: its states are the batch's.
        """
        x, _, _ = unpack_x_y_sample_weight(data)
        with grad_mode.no_grad():
            n = len(_flatten(x)[0])
            ranges, n_threads = ([(0, n)], 1) if n < 2 or not self.built \
                or self._has_stateful_layer() else \
                parallel.plan(n, _largest_sample_bytes(self))
            if len(ranges) == 1:
                return _map_arrays(self(x, training=False))

            def run_slice(rows):
                part = _map(x, lambda a: a[rows[0]:rows[1]])
                return _map_arrays(self(part, training=False))

            # training=False is set here first: each thread's model call saves and restores
            # this shared flag, and so they all save and restore the same value.
            context = layer_module.call_context_training
            previous, context[0] = context[0], False
            try:
                outputs = parallel.map_slices(run_slice, ranges, n_threads)
            finally:
                context[0] = previous
            return _concatenate(outputs)

    # --- loss and metrics -----------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss on this batch, plus the regularization losses (`model.losses`).

        Also records the batch's loss for the epoch average (weighted by batch size).
        """
        outputs = _flat_outputs(y_pred, self._output_order(y_pred))
        if self.compiled_loss is not None:
            if y is None:
                raise ValueError(
                    "this model was compiled with a loss, so fit/evaluate need targets y"
                )
            if not self.compiled_loss.built or not self.compiled_metrics.built:
                self._build_compiled(y, y_pred, outputs)
            total, per_output = self.compiled_loss(self._flat_targets(y), outputs, sample_weight)
        else:
            total, per_output = None, []
        for reg in self._regularization_losses():                     # = self.losses
            total = reg if total is None else total + reg
        if total is None:
            raise ValueError(
                "no loss to compute: pass loss= to compile() (e.g. loss='mse'), or add "
                "regularization losses to the model"
            )
        n = len(outputs[0])
        value = total.item()
        if not math.isfinite(value) and self.__dict__.get("_unchecked_data") is not None:
            # train_on_batch checks its batch only now, before any update (a NaN or inf in
            # the data reaches the loss): first say if the data is the cause.
            self._unchecked_data.check_finite()
        if not math.isfinite(value) and not self._nan_warned:
            self._nan_warned = True
            warnings.warn(
                f"the loss became {value} (not finite): training has diverged. Usual causes: "
                "a learning rate that is too high, unscaled inputs, or log(0) in a custom loss",
                RuntimeWarning, stacklevel=3,
            )
        self._loss_tracker.update_state(value, n)
        for tracker, out_loss in zip(self._output_loss_trackers, per_output):
            if tracker is not None:
                tracker.update_state(out_loss.item(), n)
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics on arrays (never through the graph); return the logs."""
        if not self.compiled_metrics.built and y is not None:
            self._build_compiled(y, y_pred, _flat_outputs(y_pred))
        if self.compiled_metrics.entries:
            outputs = _flat_outputs(y_pred, self._output_order(y_pred))
            arrays = [o.data if hasattr(o, "data") else np.asarray(o) for o in outputs]
            masks = [getattr(o, "_keras_mask", None) for o in outputs
                     if isinstance(o, Tensor)] or None
            if masks and all(m is None for m in masks):
                masks = None
            self.compiled_metrics.update_state(self._flat_targets(y), arrays, sample_weight,
                                               masks)
        return self.get_metrics_result()

    def _build_compiled(self, y, y_pred, outputs):
        """Match the compiled loss and metrics to the outputs, at the first batch."""
        n = len(outputs)
        names = list(y_pred) if isinstance(y_pred, dict) else self.output_names_for(n)
        if self.compiled_loss is not None and not self.compiled_loss.built:
            self.compiled_loss.build(n, names)
        losses = self.compiled_loss.losses if self.compiled_loss is not None else [None] * n
        self.compiled_metrics.build(self._flat_targets(y), [o.data for o in outputs], names,
                                    losses)
        # Per-output losses are logged (as "<output>_loss") when there are several outputs.
        self._output_loss_trackers = [
            None if loss is None else Mean(name=f"{name}_loss") for name, loss in zip(names, losses)
        ] if n > 1 else []

    def _flat_targets(self, y):
        if isinstance(y, dict):
            names = self.compiled_loss.names if self.compiled_loss else None
            missing = [k for k in (names or []) if k not in y]
            if names is None or missing:
                raise ValueError(
                    f"y is a dict with keys {sorted(y)}, but the model's outputs are named "
                    f"{names}"
                )
            return [y[k] for k in names]
        if isinstance(y, (list, tuple)):
            return list(y)
        return [y]

    def _output_order(self, y_pred):
        return self.compiled_loss.names if isinstance(y_pred, dict) and self.compiled_loss \
            and self.compiled_loss.names else None

    def output_names_for(self, n):
        """Names of the outputs: from the model when it knows them, else output_0, ..."""
        names = getattr(self, "output_names", None)
        if names and len(names) == n:
            return list(names)
        return ["output"] if n == 1 else [f"output_{i}" for i in range(n)]

    @property
    def metrics(self):
        """The metric objects: the loss tracker first, then the compiled metrics."""
        if not self.compiled:
            return []
        trackers = [t for t in self._output_loss_trackers if t is not None]
        return [self._loss_tracker, *trackers, *self.compiled_metrics.metrics]

    @property
    def metrics_names(self):
        return list(self.get_metrics_result())

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def _metrics_result_or(self, logs):
        """An epoch's logs, as Keras takes them: the metrics' running results when the last
        step reported those same names, else what the last step returned (a custom
        train_step's own logs: {"d_loss": ..., "g_loss": ...})."""
        results = self.get_metrics_result()
        if not isinstance(logs, dict) or set(logs) == set(results):
            return results
        return dict(logs)

    def get_metrics_result(self):
        """{'loss': ..., 'accuracy': ...}: the running averages since the last reset (of
        the metrics a subclass lists in its own `metrics` property, if it has one)."""
        if type(self).metrics is not Trainer.metrics:
            logs = {}
            for metric in self.metrics:
                result = metric.result()
                logs.update(result if isinstance(result, dict) else {metric.name: result})
            return logs
        logs = {"loss": self._loss_tracker.result()}
        for tracker in self._output_loss_trackers:
            if tracker is not None:
                logs[tracker.name] = tracker.result()
        logs.update(self.compiled_metrics.result())
        return logs

    def _has_stateful_layer(self):
        """Whether a layer in the model is stateful (stateful=True). Free while no stateful
        layer exists in the process; then a walk of the layer tree (a few us a batch)."""
        if not recurrent.stateful_layers_made[0]:
            return False
        stack, seen = [self], {id(self)}
        while stack:
            layer = stack.pop()
            if layer is not self and getattr(layer, "stateful", False) is True:
                return True
            for sub in layer._sublayers():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    stack.append(sub)
        return False

    # --- what a step trains, cached (walking the layer tree every batch costs ~10%) -------
    def _train_cache_now(self):
        """(weights that may train, layers with regularizers), rebuilt when weights are
        created or layers assigned; which weights train is read live from requires_grad."""
        version = layer_module.weights_version[0]
        cache = self.__dict__.get("_train_cache")
        if cache is None or cache[0] != version:
            layers, stack, seen = [], [self], {id(self)}
            while stack:
                layer = stack.pop()
                layers.append(layer)
                for sub in reversed(layer._sublayers()):
                    if id(sub) not in seen:
                        seen.add(id(sub))
                        stack.append(sub)
            candidates, seen_w = [], set()
            for layer in layers:
                for w in layer._own_trainable:
                    if id(w) not in seen_w:
                        seen_w.add(id(w))
                        candidates.append(w)
            regularized = [layer for layer in layers if layer._regularized
                           or getattr(layer, "activity_regularizer", None) is not None]
            cache = (version, candidates, regularized, layers)
            self.__dict__["_train_cache"] = cache
        return cache

    def _weights_to_train(self):
        """The trainable weights, in the same order as `model.trainable_weights`."""
        weights = [w for w in self._train_cache_now()[1] if w.requires_grad]
        if not weights:
            raise ValueError(
                f"model '{self.name}' has no trainable weights, so there is nothing to train: "
                "all its layers have trainable=False (set layer.trainable = True before "
                "training it, e.g. discriminator.trainable = True in a GAN loop)"
            )
        return weights

    def _regularization_losses(self):
        out = []
        for layer in self._train_cache_now()[2]:
            out += [reg(w) for w, reg in layer._regularized]
            out += layer._activity_losses
        if layer_module.losses_added[0]:
            for layer in self._train_cache_now()[3]:
                out += layer._added_losses
        return out

    # --- evaluate and predict -------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics over (x, y), weighted by batch size: loss, or [loss, *metrics].

        x may be a generator or PyDataset of (x, y) batches, as in fit; steps: how many
        batches to evaluate (default: all).
        """
        self._assert_compiled("evaluate")
        data = self._data(x, y, sample_weight, batch_size=batch_size)
        batch_size = _batch_size(batch_size)
        self._check_targets(data)
        callbacks = self._callback_list(callbacks, verbose,
                                        steps=data.steps_per_epoch(batch_size, steps))
        logs = self._run_evaluation(next(data.epochs(batch_size, steps=steps)), callbacks)
        return _logs_result(logs, return_dict)

    def _run_evaluation(self, batches, callbacks):
        self.reset_metrics()
        callbacks.on_test_begin()
        for step, batch in enumerate(batches):
            callbacks.on_test_batch_begin(step)
            logs = self.test_step(batch)
            callbacks.on_test_batch_end(step, logs)
        logs = self._metrics_result_or(logs)
        callbacks.on_test_end(logs)
        return logs

    def _validate(self, val_epochs, callbacks):
        """The next evaluation of the validation data as val_ logs ({} once a generator of
        validation batches has run out, which data.epochs has warned of)."""
        batches = next(val_epochs, None)
        if batches is None:
            return {}
        return {"val_" + name: value
                for name, value in self._run_evaluation(batches, callbacks).items()}

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None):
        """The model's outputs on x as NumPy arrays (batched, no graph, training=False).

        x may be a generator or PyDataset of batches: x, (x,) or (x, y) (y is ignored);
        steps: how many batches to predict (default: all).
        """
        data = self._data(x, batch_size=batch_size, targets="ignored")
        batch_size = _batch_size(batch_size)
        callbacks = self._callback_list(callbacks, verbose,
                                        steps=data.steps_per_epoch(batch_size, steps))
        callbacks.on_predict_begin()
        outputs = []
        for step, batch in enumerate(next(data.epochs(batch_size, steps=steps))):
            callbacks.on_predict_batch_begin(step)
            outputs.append(self.predict_step(batch))
            callbacks.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callbacks.on_predict_end()
        return _concatenate(outputs)

    # --- one batch at a time --------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on this batch; returns its loss (and metrics) like Keras 2."""
        self._assert_compiled("train_on_batch")
        # The NaN/inf check reads the whole batch (15 us for an MNIST batch, 2% of a small
        # MLP's step). With baeum's own train_step it runs only if the loss is not finite,
        # which NaN or inf in the data makes it; compute_loss then raises before any update.
        lazy = type(self).train_step is Trainer.train_step and \
            type(self).compute_loss is Trainer.compute_loss
        data = self._data(x, y, sample_weight, check_finite=not lazy)
        data.apply_class_weight(class_weight)
        self.reset_metrics()
        self._unchecked_data = data if lazy else None
        try:
            logs = self.train_step(data.as_batch())
        finally:
            self._unchecked_data = None
        return _logs_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on this batch, without training."""
        self._assert_compiled("test_on_batch")
        data = self._data(x, y, sample_weight)
        self.reset_metrics()
        logs = self.test_step(data.as_batch())
        return _logs_result(logs, return_dict)

    def predict_on_batch(self, x):
        """The outputs on this one batch, as arrays."""
        return self.predict_step(self._data(x, targets="ignored").as_batch())

    # --- helpers --------------------------------------------------------------------------
    def _assert_compiled(self, method):
        if not self.compiled:
            raise RuntimeError(
                f"You must call compile() before {method}(): the model does not know its "
                "optimizer and loss yet, e.g. model.compile(optimizer='adam', "
                "loss='sparse_categorical_crossentropy', metrics=['accuracy'])"
            )

    def _data(self, x, y=None, sample_weight=None, prefix="", check_finite=True,
              batch_size=None, targets=None):
        """Where the batches come from (arrays, a generator, a PyDataset): see data.py.
        targets: "required" by default when compiled with a loss; "ignored" in predict."""
        if targets is None:
            targets = "optional" if self.compiled_loss is None else "required"
        return batch_source(x, y, sample_weight, batch_size, targets,
                            float_dtype=np.dtype(self.dtype), prefix=prefix,
                            check_finite=check_finite)

    def _check_targets(self, data):
        """Labels out of range fail here, before training, when the output shapes are known."""
        shapes = self.symbolic_output_shapes()
        if self.compiled_loss is None or data.ys is None or shapes is None:
            return
        if not self.compiled_loss.built:
            self.compiled_loss.build(len(shapes), self.output_names_for(len(shapes)))
        if len(data.ys) == len(shapes):
            self.compiled_loss.check_targets(data.ys, shapes)

    def symbolic_output_shapes(self):
        """Output shapes known without data (functional and built sequential models)."""
        return None

    def symbolic_tensors(self):
        """The inputs and every layer's outputs as symbolic tensors, when known without
        data (functional and built sequential models); else []."""
        return []

    def inference_tensors(self):
        """The symbolic tensors whose values inference holds in memory: symbolic_tensors()
        less the outputs a fused step never builds (a Conv2D's before its MaxPooling2D)."""
        return self.symbolic_tensors()

    def _callback_list(self, callbacks, verbose, add_history=False, **params):
        if verbose == "auto":
            verbose = 1
        if verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
        return CallbackList(callbacks, add_history=add_history, add_progbar=verbose != 0,
                            model=self, verbose=verbose, **params)


def _batch_size(batch_size):
    if batch_size is None:
        return 32
    if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def _flat_outputs(y_pred, names=None):
    if isinstance(y_pred, dict):
        return [y_pred[k] for k in names] if names else list(y_pred.values())
    if isinstance(y_pred, (list, tuple)):
        return list(y_pred)
    return [y_pred]


def _map_arrays(out):
    return _map(out, lambda o: o.data if hasattr(o, "data") else np.asarray(o))


def _largest_sample_bytes(model):
    """Bytes of one sample of the largest layer output (or input) that inference holds;
    None if unknown."""
    sizes = [math.prod(t.shape[1:]) * np.dtype(t.dtype).itemsize
             for t in model.inference_tensors() if None not in t.shape[1:]]
    return max(sizes, default=None)


def _concatenate(batches):
    first = batches[0]
    if isinstance(first, dict):
        return {k: _concatenate([b[k] for b in batches]) for k in first}
    if isinstance(first, list):
        return [_concatenate([b[i] for b in batches]) for i in range(len(first))]
    return first if len(batches) == 1 else np.concatenate(batches, axis=0)


def _logs_result(logs, return_dict):
    if return_dict:
        return dict(logs)
    values = list(logs.values())
    return values[0] if len(values) == 1 else values
