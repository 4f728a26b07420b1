"""`Tensor`: an ndarray that remembers how it was made, and `backward()`.

A tensor holds its value in `.data` (a NumPy array). When it was produced by an op on
tensors that require grad, `._ctx` points to that op's `Function`; `backward()` walks
those links in reverse topological order and leaves each leaf's gradient in `.grad`.

The arithmetic operators and methods (`+`, `@`, `.sum()`, `.reshape()`, ...) are
attached by `baeum.ops` when it is imported, next to the ops they call.
"""

import numpy as np

from baeum import backend


class Tensor:
    # _keras_mask: set only on a layer's output that carries a mask (Embedding(mask_zero=
    # True) and the layers after it); never initialized, so tensors cost nothing for it.
    # constraint: a weight's projection after each optimizer step (baeum.constraints); a
    # slot left unset on every other tensor.
    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_idx", "name", "_keras_mask",
                 "constraint", "__weakref__")
    # NumPy defers `ndarray + Tensor` to `Tensor.__radd__` instead of looping over it.
    __array_ufunc__ = None
    __hash__ = object.__hash__

    def __init__(self, data, dtype=None, requires_grad=False):
        self.data = _to_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._ctx = None
        self._idx = 0
        self.name = None

    # --- what it is --------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self):
        return self._ctx is None

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self.data.dtype != backend.floatx:
            extra = f", dtype={self.data.dtype}" + extra
        return f"tensor({body}{extra})"

    def numpy(self):
        """The value as a NumPy array (shares memory, like torch's `.numpy()`)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self):
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, got shape {self.data.shape}"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self):
        """The same value, cut from the graph (shares memory)."""
        return _make(self.data, False, None, 0)

    def __deepcopy__(self, memo):
        """An independent copy of the value (and grad), cut from any graph: a leaf."""
        t = _make(self.data.copy(), self.requires_grad, None, 0)
        t.grad = None if self.grad is None else _make(self.grad.data.copy(), False, None, 0)
        t.name = self.name
        constraint = getattr(self, "constraint", None)
        if constraint is not None:
            t.constraint = constraint
        memo[id(self)] = t
        return t

    # --- Keras's Variable API: in-place updates of a weight, outside the graph ----------
    def assign(self, value):
        """Overwrite the value in place (same shape): `weight.assign(new_value)`."""
        value = value.data if isinstance(value, Tensor) else np.asarray(value)
        if value.shape != self.data.shape and value.size != 1:
            raise ValueError(f"assign: a value of shape {value.shape} cannot replace a tensor "
                             f"of shape {self.data.shape}")
        self.data[...] = value
        return self

    def assign_add(self, delta):
        """self += delta, in place: `self.total.assign_add(ops.sum(x, axis=0))`."""
        return self.assign(self.data + (delta.data if isinstance(delta, Tensor) else delta))

    def assign_sub(self, delta):
        """self -= delta, in place."""
        return self.assign(self.data - (delta.data if isinstance(delta, Tensor) else delta))

    @property
    def value(self):
        """The tensor itself, as Keras's `variable.value` is the backend tensor (so
        `weight.value.grad` is the weight's gradient, as with Keras on torch)."""
        return self

    def requires_grad_(self, flag=True):
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        self.requires_grad = bool(flag)
        return self

    def zero_grad(self):
        self.grad = None

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with shape {self.data.shape} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def any(self):
        return bool(self.data.any())

    def all(self):
        return bool(self.data.all())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    # --- backpropagation -----------------------------------------------------------
    def backward(self, grad=None, retain_graph=False):
        """Accumulate d(self)/d(leaf) into `leaf.grad` for every leaf that requires grad.

        `grad` is the upstream gradient (same shape as self); it may be omitted only
        for a single-element tensor (a loss). The graph is freed afterwards unless
        `retain_graph=True`.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() called on a tensor that does not require grad: none of the "
                "tensors it was computed from has requires_grad=True (or it was computed "
                "under no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without `grad` needs a single-element output (a loss), got "
                    f"shape {self.data.shape}; pass grad= an array of that shape, or reduce "
                    "with .sum() or .mean() first"
                )
            g = np.array(1, self.data.dtype).reshape(self.data.shape)  # 5x faster than ones_like
        else:
            g = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if g.shape != self.data.shape:
                raise ValueError(
                    f"backward(grad=...) expects a gradient of shape {self.data.shape}, "
                    f"got {g.shape}"
                )
        root = self._ctx
        if root is None:
            _accumulate_leaf(self, g)
            return
        order = _topological_order(root)  # raises first if the graph was already freed
        root.gouts[self._idx] = g
        for fn in order:
            gouts = fn.gouts
            if len(gouts) == 1:
                gy = gouts[0]
            elif any(gi is not None for gi in gouts):
                gy = [
                    np.zeros(shape, dtype) if gi is None else gi
                    for gi, (shape, dtype) in zip(gouts, fn.out_meta)
                ]
            else:
                gy = None
            # gy is None when every consumer returned None for this input: nothing flows.
            if gy is not None:
                needs = fn.needs_input_grad
                for i, gx in enumerate(fn.backward(gy)):
                    if gx is None or not needs[i]:
                        continue
                    parent = fn.parents[i]
                    ctx = parent._ctx
                    if ctx is None:
                        _accumulate_leaf(parent, gx)
                    else:  # sum the gradients of every use of this intermediate tensor
                        slot = ctx.gouts
                        k = parent._idx
                        slot[k] = gx if slot[k] is None else slot[k] + gx
            if retain_graph:
                fn.gouts = [None] * len(gouts)
            else:
                # Free the saved arrays now; the graph cannot be walked again.
                fn.__dict__.clear()
                fn.parents = None


def _accumulate_leaf(t, g):
    if g.dtype != t.data.dtype:
        g = g.astype(t.data.dtype)
    if t.grad is None:
        if not g.flags.writeable:  # a broadcast view from sum/mean: give the user a real array
            g = g.copy()
        t.grad = _make(g, False, None, 0)
    else:
        # A new array, never in place: gradient arrays may be shared between inputs.
        t.grad.data = t.grad.data + g


def _topological_order(root):
    """Functions reachable from `root`, each before the functions that made its inputs.

    Iterative depth-first search (an explicit stack, so a 10,000-op chain is fine).
    """
    order = []
    seen = set()
    stack = [(root, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        if fn in seen:
            continue
        if fn.parents is None:
            raise RuntimeError(
                "trying to backward through the graph a second time: its saved values were "
                "freed by the first backward(); call backward(retain_graph=True) the first time"
            )
        seen.add(fn)
        stack.append((fn, True))
        for p in fn.parents:
            if isinstance(p, Tensor):
                ctx = p._ctx
                if ctx is not None and ctx not in seen:
                    stack.append((ctx, False))
    order.reverse()
    return order


def _make(data, requires_grad, ctx, idx):
    """Fast internal constructor: no validation (the op already produced an ndarray)."""
    t = Tensor.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = requires_grad
    t._ctx = ctx
    t._idx = idx
    t.name = None
    return t


def _to_array(data, dtype=None):
    """Convert user data to an ndarray with baeum's dtype rules.

    Python floats and lists of them become float32 (the default float); NumPy arrays
    and NumPy scalars keep their dtype (float64 stays float64); integers stay integers.
    """
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = backend.as_dtype(dtype)
    if isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):  # before float: np.float64 is a Python float too
        arr = np.asarray(data)
    else:
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError) as e:
            raise TypeError(
                f"cannot make a tensor from {type(data).__name__}: {e}"
            ) from None
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(backend.floatx)
    if arr.dtype.kind not in "fiub":
        shown = repr(data) if len(repr(data)) <= 40 else repr(data)[:37] + "..."
        raise TypeError(
            "a tensor holds numbers (a number, a nested list of numbers or a numeric "
            f"ndarray), got {type(data).__name__} {shown} (NumPy dtype {arr.dtype})"
        )
    if dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


def tensor(data, dtype=None, requires_grad=False):
    """Make a Tensor from a number, a (nested) list or an ndarray.

    >>> import baeum
    >>> x = baeum.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.shape, x.dtype
    ((2, 2), dtype('float32'))
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)
