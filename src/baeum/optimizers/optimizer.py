"""`Optimizer`: the base class of every optimizer, usable Keras-style and PyTorch-style.

One object, two ways to drive it:

Keras style: give gradients and weights; per-weight state is created lazily the first
time a weight is seen.

    opt = baeum.optimizers.Adam(learning_rate=1e-3)
    opt.apply(grads, model.trainable_weights)            # or
    opt.apply_gradients(zip(grads, model.trainable_weights))

PyTorch style: give the parameters up front (the first positional argument, or
`params=`), then let the optimizer read each parameter's `.grad`.

    opt = baeum.optimizers.Adam(model.trainable_weights, learning_rate=1e-3)
    opt.zero_grad()         # every parameter's .grad = None
    loss.backward()
    opt.step()              # applies p.grad for each parameter; grad None -> skipped

The first positional argument is the learning rate when it is a number or a
schedule, and the parameters when it is a Tensor or an iterable of Tensors, so
`SGD(0.1, 0.9)` (Keras: learning_rate, momentum) and `SGD(params, 0.1, 0.9)`
(PyTorch: params, lr, momentum) both mean what they say.

Both styles run the same update, `_apply(grads, weights)`, once per call:

1. current learning rate `lr` = `learning_rate` (a float), or `schedule(iterations)`;
2. gradients cast to each weight's dtype, then clipped (`clipnorm` per gradient,
   `global_clipnorm` over all of them, or `clipvalue` elementwise);
3. decoupled weight decay, when `weight_decay` is set: `w = w - lr * weight_decay * w`
   (Keras applies it like this in every optimizer, not as an L2 term in the gradient);
4. `update_step(grad, weight_array, slots, lr)` per weight: the optimizer's formula,
   written in place on `w.data` and on its state arrays ("slots");
5. each weight's constraint, if it has one (`Dense(kernel_constraint=MaxNorm(3))`),
   projects it, as Keras does after every update;
6. `iterations += 1`.

Small models update in one call: when the formula is elementwise (`elementwise_update`,
true for every built-in optimizer) and the weights are small (the iris MLP: 8 arrays,
513 numbers), step 4 runs once on all weights joined into one flat array, whose state
slots are views of one flat buffer per slot. The ~12 NumPy calls of an Adam update then
run once instead of once per weight (a few microseconds each on tiny arrays).

Updates are NumPy in place (`out=`), on arrays, so no graph is ever built. Scalars
stay Python floats, so float32 weights and state stay float32. Gradient arrays are
never written to (they may be shared).

State for saving: `get_state()` returns `{"adam/iterations": ..., "adam/m/0": ...,
"adam/m/1": ..., "adam/v/0": ...}` (insertion-ordered: slot by slot, weights in the
order they were first seen) and `set_state(state)` loads it back; call
`build(weights)` first on a fresh Keras-style optimizer so it knows the weights.
`get_config()` / `from_config()` round-trip the hyperparameters.
"""

import math
import numbers
import warnings
from collections.abc import Iterable

import numpy as np

from baeum import constraints
from baeum.autograd.tensor import Tensor
from baeum.optimizers import schedules


def _is_params(x):
    """True for what PyTorch passes first (a Tensor or an iterable of them)."""
    if isinstance(x, Tensor):
        return True
    if isinstance(x, (str, bytes, numbers.Number, schedules.LearningRateSchedule)):
        return False
    return isinstance(x, Iterable)


class _ParamsMayComeFirst(type):
    """Lets `Adam(params, ...)` work beside Keras's `Adam(learning_rate, ...)`.

    When the first positional argument is parameters, it is passed as `params=` and
    the remaining positional arguments shift to `learning_rate, ...`.
    """

    def __call__(cls, *args, **kwargs):
        if args and _is_params(args[0]):
            if "params" in kwargs:
                raise TypeError(
                    f"{cls.__name__} got the parameters twice: positionally and as params="
                )
            kwargs["params"] = args[0]
            args = args[1:]
        return super().__call__(*args, **kwargs)


class Optimizer(metaclass=_ParamsMayComeFirst):
    """Base class. A subclass sets `slot_names`, writes `update_step` and `get_config`.

    Args (every optimizer takes these, with Keras's meaning):
        learning_rate: a float >= 0, a `schedules.LearningRateSchedule` (called with
            `iterations`), or a callable with no arguments returning the rate.
        weight_decay: float or None. If set, `w -= lr * weight_decay * w` before each update.
        clipnorm: float or None. Clip each gradient to this L2 norm.
        clipvalue: float or None. Clip each gradient element to [-clipvalue, clipvalue].
        global_clipnorm: float or None. Scale all gradients so that their joint L2 norm
            is at most this. At most one of the three clipping arguments may be set.
        name: the prefix of the state keys (default: the optimizer's lowercase name).
        params: the parameters (PyTorch style), needed for `step()` and `zero_grad()`.
    """

    #: names of the per-weight state arrays, e.g. ("m", "v"); may depend on the config
    slot_names = ()
    #: True when update_step treats every element on its own (then small weights may be
    #: updated together as one flat array); a subclass with a per-tensor formula sets False
    elementwise_update = False

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, params=None):
        cls = type(self).__name__
        set_clips = [
            f"{k}={v}" for k, v in
            (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm))
            if v is not None
        ]
        if len(set_clips) > 1:
            raise ValueError(
                f"{cls}: set at most one of clipnorm, clipvalue and global_clipnorm, "
                f"got {', '.join(set_clips)}"
            )
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm)):
            if value is not None and not (isinstance(value, numbers.Real) and value > 0):
                raise ValueError(f"{cls}: `{arg}` must be a number > 0 or None, got {value!r}")
        if weight_decay is not None and not (
            isinstance(weight_decay, numbers.Real) and weight_decay >= 0
        ):
            raise ValueError(
                f"{cls}: `weight_decay` must be a number >= 0 or None, got {weight_decay!r}"
            )
        self.name = name or cls.lower()
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.learning_rate = learning_rate
        self.iterations = 0
        # Per-weight state, in the order weights are first seen.
        self._weights = []        # the weight Tensors (kept alive, so their ids stay unique)
        self._index = {}          # id(weight) -> position in self._weights
        self._slots = []          # per weight: tuple of state arrays, in slot_names order
        self._decays = []         # per weight: does weight decay apply to it?
        self._flat = None         # (positions, flat slots, bounds): see _flat_group
        self._decay_excluded_ids = set()
        self._decay_excluded_names = ()
        self._params = None
        if params is not None:
            self._params = self._check_params(params)
            self.build(self._params)

    # --- the learning rate ---------------------------------------------------------
    @property
    def learning_rate(self):
        """The rate the next update will use (a float)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return float(lr(self.iterations))
        if callable(lr):
            return float(lr())
        return lr

    @learning_rate.setter
    def learning_rate(self, value):
        """Set a float (ReduceLROnPlateau does this), a schedule or a no-argument callable."""
        if isinstance(value, Tensor):
            value = value.item()
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            value = float(value)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(
                    f"{type(self).__name__}: `learning_rate` must be a finite number >= 0, "
                    f"got {value!r}"
                )
        elif not callable(value):
            raise ValueError(
                f"{type(self).__name__}: `learning_rate` must be a float, a "
                f"LearningRateSchedule or a callable, got {value!r}"
            )
        self._learning_rate = value

    # --- Keras style -----------------------------------------------------------------
    def build(self, weights):
        """Create the state for `weights` now (in this order) instead of at the first update."""
        for w in self._check_params(weights):
            self._register(w)

    def apply(self, grads, weights=None):
        """Update `weights` in place with `grads` (ndarrays or Tensors; None = no update).

        `weights` may be omitted when the optimizer was given its parameters.
        """
        if weights is None:
            weights = self._require_params("apply(grads) without weights")
        grads, weights = list(grads), list(weights)
        if len(grads) != len(weights):
            raise ValueError(
                f"{type(self).__name__}.apply got {len(grads)} gradients for "
                f"{len(weights)} weights; they must pair up one to one"
            )
        if not any(g is None for g in grads):  # the usual case: every weight has a gradient
            self._apply(grads, weights)
            return
        pairs = [(g, w) for g, w in zip(grads, weights) if g is not None]
        if not pairs:
            raise ValueError(
                f"{type(self).__name__}.apply: no gradients given (all {len(grads)} are None)"
            )
        if len(pairs) < len(weights):
            missing = [_weight_name(w, i) for i, (g, w) in enumerate(zip(grads, weights))
                       if g is None]
            warnings.warn(
                f"gradients do not exist for weights {missing}; they are not updated. "
                "Is the loss computed from them?",
                stacklevel=2,
            )
        self._apply([g for g, _ in pairs], [w for _, w in pairs])

    def apply_gradients(self, grads_and_vars):
        """Keras's `apply_gradients(zip(grads, weights))`; returns `iterations`."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [w for _, w in pairs])
        return self.iterations

    # --- PyTorch style -----------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient (`.grad = None`), before the next backward()."""
        for p in self._require_params("zero_grad()"):
            if set_to_none or p.grad is None:
                p.grad = None
            else:  # a fresh array: the old one may be shared
                p.grad = Tensor(np.zeros_like(p.grad.data))

    def step(self, closure=None):
        """Apply each parameter's `.grad`; parameters whose grad is None are skipped.

        `closure` (optional, as in PyTorch): re-evaluates the model and returns the loss,
        which step() returns.
        """
        loss = None
        if closure is not None:
            from baeum.autograd.grad_mode import enable_grad

            with enable_grad():
                loss = closure()
        params = self._require_params("step()")
        with_grad = [p for p in params if p.grad is not None]
        if not with_grad:
            raise ValueError(
                f"{type(self).__name__}.step(): none of the {len(params)} parameters has a "
                "gradient; call loss.backward() before optimizer.step()"
            )
        self._apply([p.grad.data for p in with_grad], with_grad)
        return loss

    # --- the shared update -------------------------------------------------------------
    def _apply(self, grads, weights):
        lr = self.learning_rate
        arrays, indices, index = [], [], self._index
        for g, w in zip(grads, weights):
            if g.__class__ is Tensor:
                g = g.data
            if not isinstance(w, Tensor):
                raise TypeError(
                    f"{type(self).__name__} updates baeum Tensors (model.trainable_weights), "
                    f"got a {type(w).__name__}"
                )
            data = w.data
            # A dtype cast makes a new array; the caller's gradient is never written to.
            if g.__class__ is not np.ndarray or g.dtype != data.dtype:
                g = np.asarray(g.data if isinstance(g, Tensor) else g).astype(data.dtype,
                                                                              copy=False)
            if g.shape != data.shape:
                raise ValueError(
                    f"{type(self).__name__}: gradient of shape {g.shape} does not match "
                    f"weight {_weight_name(w)} of shape {data.shape}"
                )
            arrays.append(g)
            i = index.get(id(w))
            indices.append(self._register(w) if i is None else i)
        arrays = self._clip(arrays)
        if self.weight_decay:
            keep = 1.0 - lr * self.weight_decay
            for w, i in zip(weights, indices):
                if self._decays[i]:
                    np.multiply(w.data, keep, out=w.data)
        self._begin_step()
        flat = self._flat_group(indices, weights)
        if flat is None:
            for g, w, i in zip(arrays, weights, indices):
                self.update_step(g, w.data, self._slots[i], lr)
        else:
            _, flat_slots, bounds = flat
            flat_weights = np.concatenate([w.data.reshape(-1) for w in weights])
            self.update_step(np.concatenate([g.reshape(-1) for g in arrays]), flat_weights,
                             flat_slots, lr)
            for w, (start, stop) in zip(weights, bounds):
                w.data[...] = flat_weights[start:stop].reshape(w.data.shape)
        if constraints.in_use[0]:
            constraints.apply_constraints(weights)
        self.iterations += 1

    # Weights of at most this many numbers in all are updated as one flat array; above it
    # the joining copies cost more than the calls they save.
    _FLAT_MAX_SIZE = 1 << 15

    def _flat_group(self, indices, weights):
        """The flat state for updating `weights` (at state positions `indices`) together, or
        None when they are updated one by one. Built on first use: each weight's slots
        become views of one flat array per slot, so per-weight state (get_state,
        set_state) stays the same memory. Only the latest group is kept: a weight in a
        new group gets new views."""
        key = tuple(indices)
        if self._flat is not None and self._flat[0] == key:
            return self._flat
        dtype = weights[0].data.dtype
        if (not self.elementwise_update or not self.slot_names or len(set(key)) < len(key)
                or sum(w.data.size for w in weights) > self._FLAT_MAX_SIZE
                or any(w.data.dtype != dtype for w in weights)):
            return None
        stops = np.cumsum([w.data.size for w in weights]).tolist()
        bounds = list(zip([0] + stops[:-1], stops))
        flat_slots = tuple(
            np.concatenate([self._slots[i][k].reshape(-1) for i in indices], dtype=dtype)
            for k in range(len(self.slot_names)))
        for i, w, (start, stop) in zip(indices, weights, bounds):
            self._slots[i] = tuple(f[start:stop].reshape(w.data.shape) for f in flat_slots)
        self._flat = (key, flat_slots, bounds)
        return self._flat

    def _begin_step(self):
        """Hook: per-update (not per-weight) work, before the weights are updated."""

    def update_step(self, grad, weight, slots, lr):
        """Update the array `weight` in place; `slots` are its state arrays (in place too)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_step")

    def _clip(self, grads):
        if self.clipnorm is not None:
            return [_clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(_squared_norm(g) for g in grads))
            if not math.isfinite(norm):  # inf or NaN: make it visible, as Keras does
                return [g * math.nan for g in grads]
            if norm > self.global_clipnorm:
                return [g * (self.global_clipnorm / norm) for g in grads]
            return grads
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # --- per-weight state ----------------------------------------------------------------
    def _register(self, w):
        """Position of weight `w` in the state, creating its slots on first sight."""
        i = self._index.get(id(w))
        if i is None:
            i = len(self._weights)
            self._index[id(w)] = i
            self._weights.append(w)
            self._slots.append(tuple(self._initial_slot(s, w.data) for s in self.slot_names))
            self._decays.append(self._decays_weight(w))
        return i

    def _initial_slot(self, slot_name, weight):
        """A state array for `weight`; zeros unless the optimizer says otherwise."""
        return np.zeros_like(weight)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """No weight decay for these weights, or for weights whose name contains any of
        `var_names` (e.g. `["bias"]`)."""
        self._decay_excluded_ids = {id(w) for w in (var_list or ())}
        self._decay_excluded_names = tuple(var_names or ())
        self._decays = [self._decays_weight(w) for w in self._weights]

    def _decays_weight(self, w):
        if id(w) in self._decay_excluded_ids:
            return False
        name = w.name or ""
        return not any(part in name for part in self._decay_excluded_names)

    @property
    def variables(self):
        """The state arrays (live, not copies), in `get_state()` order."""
        return list(self._state_items(copy=False).values())

    def get_state(self):
        """`{key: ndarray}` copies of the state, with stable insertion-ordered keys."""
        return self._state_items(copy=True)

    def _state_items(self, copy):
        state = {f"{self.name}/iterations": np.array(self.iterations, dtype=np.int64)}
        for k, slot in enumerate(self.slot_names):
            for i, slots in enumerate(self._slots):
                state[f"{self.name}/{slot}/{i}"] = slots[k].copy() if copy else slots[k]
        return state

    def set_state(self, state):
        """Load what `get_state()` returned (same weights, same order) into this optimizer."""
        expected = self._state_items(copy=False)
        missing = [k for k in expected if k not in state]
        unexpected = [k for k in state if k not in expected]
        if missing or unexpected:
            hint = ""
            if not self._weights:
                hint = " (this optimizer has no weights yet: call optimizer.build(weights) first)"
            raise ValueError(
                f"{type(self).__name__}.set_state: keys do not match{hint}; missing "
                f"{missing[:5]}{'...' if len(missing) > 5 else ''}, unexpected "
                f"{unexpected[:5]}{'...' if len(unexpected) > 5 else ''}"
            )
        for key, target in expected.items():
            value = np.asarray(state[key])
            if value.shape != target.shape:
                raise ValueError(
                    f"{type(self).__name__}.set_state: {key!r} has shape {value.shape}, "
                    f"expected {target.shape}"
                )
        self.iterations = int(state[f"{self.name}/iterations"])
        for key, target in list(expected.items())[1:]:
            np.copyto(target, state[key], casting="same_kind")

    # --- config ----------------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif callable(lr):
            warnings.warn(
                f"{type(self).__name__}.get_config: a callable learning rate cannot be saved; "
                "storing its current value instead (use a LearningRateSchedule to keep it)",
                stacklevel=2,
            )
            lr = self.learning_rate
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self):
        lr = self._learning_rate
        lr = lr if isinstance(lr, float) else repr(lr)
        return f"{type(self).__name__}(learning_rate={lr}, name={self.name!r})"

    # --- helpers -----------------------------------------------------------------------------
    def _check_params(self, params):
        if isinstance(params, Tensor):
            params = [params]
        params = list(params)
        seen = set()
        for i, p in enumerate(params):
            if isinstance(p, dict):
                raise TypeError(
                    f"{type(self).__name__}: parameter groups (dicts) are not supported; "
                    "pass a list of Tensors, or one optimizer per group"
                )
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: parameters must be baeum Tensors, item {i} is "
                    f"a {type(p).__name__}"
                )
            if p.data.dtype.kind != "f":
                raise TypeError(
                    f"{type(self).__name__}: parameter {_weight_name(p, i)} has dtype "
                    f"{p.data.dtype}; only floating-point tensors can be optimized"
                )
            if id(p) in seen:
                raise ValueError(
                    f"{type(self).__name__}: parameter {_weight_name(p, i)} appears more "
                    "than once"
                )
            seen.add(id(p))
        return params

    def _require_params(self, what):
        if self._params is None:
            name = type(self).__name__
            raise ValueError(
                f"{name}.{what} needs the parameters: create the optimizer with them, "
                f"{name}(model.trainable_weights, ...), or call apply(grads, weights)"
            )
        return self._params


def _weight_name(w, i=None):
    name = getattr(w, "name", None)
    if name:
        return repr(name)
    return f"#{i}" if i is not None else f"with shape {w.shape}"


def _squared_norm(g):
    flat = g.reshape(-1)
    return float(np.dot(flat, flat))


def _clip_by_norm(g, clipnorm):
    """`g * clipnorm / max(||g||, clipnorm)` (a new array only when it clips)."""
    norm = math.sqrt(_squared_norm(g))
    if norm > clipnorm:
        return g * (clipnorm / norm)
    return g


def check_number(owner, name, value, low, high=math.inf):
    """A hyperparameter as a float in [low, high], or a clear error naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
        bounds = f">= {low}" if high == math.inf else f"in [{low}, {high}]"
        raise ValueError(f"{owner}: `{name}` must be a number {bounds}, got {value!r}")
    return float(value)
