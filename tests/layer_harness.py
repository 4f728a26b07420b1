"""One test harness for every layer, in the spirit of Keras's `run_layer_test`.

    run_layer_test(Conv2D, {"filters": 4, "kernel_size": 3}, input_shape=(2, 8, 8, 1),
                   expected_output_shape=(2, 6, 6, 4), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0, expected_params=40)

checks, on a seeded random input:
  - the output shape (a list of shapes for layers that return several tensors),
  - the numbers of trainable and non-trainable weights and the parameter count,
  - get_config -> from_config: the config is JSON-serializable, the copy's config is
    equal, and the copy given the same weights gives the same output,
  - a call on a symbolic `Input` gives the same output shape (batch axis None),
  - `trainable = False` moves every weight to non_trainable_weights,
  - one SGD step on mean(output**2) w.r.t. the trainable weights lowers that loss
    (for a layer without weights: the gradient reaches a float input, finite and
    of the input's shape).

`assert_layer_equals_composition(layer, composed, x, upstream)`: a layer with a fused or
in-place path gives, bit for bit, the values and gradients of the plain composition.
"""

import json

import numpy as np

import baeum
from baeum.layers import Input


def run_layer_test(layer_cls, kwargs, input_shape, expected_output_shape,
                   expected_num_trainable_weights, expected_num_non_trainable_weights,
                   expected_params=None, input_dtype="float32", input_data=None,
                   call_kwargs=None, learning_rate=1e-2):
    call_kwargs = dict(call_kwargs or {})
    x = _input(input_shape, input_dtype) if input_data is None else np.asarray(input_data)

    # --- shapes and weights -----------------------------------------------------------
    layer = layer_cls(**kwargs)
    out = layer(x, **call_kwargs)
    _assert_shapes(_shapes(out), expected_output_shape, "output shape")
    assert len(layer.trainable_weights) == expected_num_trainable_weights, (
        f"{len(layer.trainable_weights)} trainable weights, expected "
        f"{expected_num_trainable_weights}"
    )
    assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, (
        f"{len(layer.non_trainable_weights)} non-trainable weights, expected "
        f"{expected_num_non_trainable_weights}"
    )
    if expected_params is not None:
        assert layer.count_params() == expected_params, (
            f"{layer.count_params()} parameters, expected {expected_params}"
        )
    for w in layer.trainable_weights:
        assert w.requires_grad, f"trainable weight {w.name} does not require grad"
    for w in layer.non_trainable_weights:
        assert not w.requires_grad, f"non-trainable weight {w.name} requires grad"

    # --- config round trip --------------------------------------------------------------
    config = layer.get_config()
    json.dumps(config)
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config, (
        f"config does not round-trip:\n{config}\n!=\n{clone.get_config()}"
    )
    clone(x, **call_kwargs)
    clone.set_weights(layer.get_weights())
    for a, b in zip(_flat(layer(x, **call_kwargs)), _flat(clone(x, **call_kwargs))):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-6, atol=1e-6,
                                   err_msg="from_config copy gives a different output")

    # --- symbolic call -----------------------------------------------------------------
    symbolic = layer_cls(**kwargs)(Input(batch_shape=(None, *input_shape[1:]),
                                         dtype=input_dtype), **call_kwargs)
    expected = expected_output_shape
    if _is_shape(expected):
        expected = [expected]
    _assert_shapes([tuple(t.shape) for t in _flat(symbolic)],
                   [(None, *s[1:]) for s in expected], "symbolic output shape")

    # --- freezing ----------------------------------------------------------------------
    n_weights = len(layer.weights)
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == n_weights
    layer.trainable = True
    assert len(layer.trainable_weights) == expected_num_trainable_weights

    # --- one training step -------------------------------------------------------------
    if expected_num_trainable_weights:
        _check_training_step(layer, x, call_kwargs, learning_rate)
    elif np.asarray(x).dtype.kind == "f":
        xt = baeum.tensor(x, requires_grad=True)
        loss = _loss(layer(xt, **{**call_kwargs, "training": True}))
        loss.backward()
        assert xt.grad is not None and xt.grad.shape == xt.shape, "no gradient reaches the input"
        assert np.all(np.isfinite(xt.grad.data))
    return layer


def assert_layer_equals_composition(layer, composed, x, upstream):
    """`layer(x)` and `composed(x)` (the same computation from plain ops, on the layer's
    weights) give the same output and, under the upstream gradient, the same gradients of
    x and of every weight: bit for bit. Returns the output."""
    results = []
    for fn in (layer, composed):
        for w in layer.weights:
            w.grad = None
        xt = baeum.tensor(x, requires_grad=True)
        y = fn(xt)
        y.backward(upstream)
        results.append([y.data, xt.grad.data] + [w.grad.data for w in layer.weights])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    return results[1][0]


def _check_training_step(layer, x, call_kwargs, learning_rate):
    weights = layer.trainable_weights

    def loss_now():
        baeum.random.seed(7)     # the same dropout mask before and after the step
        return _loss(layer(x, **{**call_kwargs, "training": True}))

    before = loss_now()
    before.backward()
    assert all(w.grad is not None for w in weights), "a trainable weight got no gradient"
    with baeum.no_grad():
        for w in weights:
            w.data -= learning_rate * w.grad.data
            w.grad = None
    after = loss_now()
    assert after.item() < before.item(), (
        f"one SGD step did not lower mean(output**2): {before.item()} -> {after.item()}"
    )


def _loss(out):
    total = None
    for o in _flat(out):
        term = (o * o).mean()
        total = term if total is None else total + term
    return total


def _input(shape, dtype):
    rng = np.random.default_rng(0)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 10, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _shapes(out):
    return [tuple(o.shape) for o in _flat(out)]


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, int) for d in s)


def _assert_shapes(got, expected, what):
    if _is_shape(expected):
        expected = [expected]
    expected = [tuple(s) for s in expected]
    assert got == expected, f"{what}: got {got}, expected {expected}"
