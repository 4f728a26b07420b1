"""Attention, AdditiveAttention and MultiHeadAttention, as Keras 3 has them.

MultiHeadAttention against torch.nn.MultiheadAttention with the same weights (outputs,
per-head and averaged weights, every weight's and input's gradient, with padding masks,
attention masks and the causal mask) and against Keras's own known values; Attention and
AdditiveAttention against a NumPy transcription of Keras's formulas and by finite
differences; the layer checks of the harness (written out: these layers take several
inputs); the implicit masks of Embedding(mask_zero=True); dropout; models that learn an
associative recall task (only solvable by attending to the right step) and round-trip
through save/load; and the errors.
"""

import doctest
import json

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import AdditiveAttention, Attention, Dense, Input, MultiHeadAttention
from baeum.layers import attention as attention_module
from baeum.models import Model, load_model
from oracle import requires_torch, torch


def _call(layer, inputs, **kwargs):
    """Attention layers take a list; MultiHeadAttention takes (query, value[, key])."""
    if isinstance(layer, MultiHeadAttention):
        return layer(*inputs, **kwargs)
    return layer(list(inputs), **kwargs)


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _loss(out):
    return sum((o * o).mean() for o in _flat(out))


# --- the layer harness's checks, for layers with several inputs ---------------------------

HARNESS_CASES = [
    # (class, kwargs, input shapes, output shapes, trainable weights, parameters)
    (Attention, {}, [(2, 3, 4), (2, 5, 4)], [(2, 3, 4)], 0, 0),
    (Attention, {"use_scale": True}, [(2, 3, 4), (2, 5, 6), (2, 5, 4)], [(2, 3, 6)], 1, 1),
    (Attention, {"score_mode": "concat", "use_scale": True, "dropout": 0.3},
     [(2, 3, 4), (2, 5, 4)], [(2, 3, 4)], 2, 2),
    (AdditiveAttention, {}, [(2, 3, 4), (2, 5, 4)], [(2, 3, 4)], 1, 4),
    (AdditiveAttention, {"use_scale": False}, [(2, 3, 4), (2, 5, 4)], [(2, 3, 4)], 0, 0),
    # Keras's docs and tests: 8 weights, 3 * (16*2*2 + 2*2) + (2*2*16 + 16) = 284.
    (MultiHeadAttention, {"num_heads": 2, "key_dim": 2}, [(2, 8, 16), (2, 4, 16)],
     [(2, 8, 16)], 8, 284),
    # Keras's second basic case: 4 kernels; 16*2*2 * 2 + 16*2*4 + 2*4*16.
    (MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "value_dim": 4, "use_bias": False,
                          "dropout": 0.5}, [(2, 8, 16), (2, 4, 16)], [(2, 8, 16)], 4, 384),
    # A key of its own width, and an output shape: (16*4+4) + (5*4+4) + (6*4+4)
    # + (2*2*3*4 + 3*4).
    (MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "output_shape": (3, 4)},
     [(2, 8, 16), (2, 4, 6), (2, 4, 5)], [(2, 8, 3, 4)], 8, 180),
    (MultiHeadAttention, {"num_heads": 3, "key_dim": 2, "seed": 1},
     [(2, 5, 6), (2, 5, 6)], [(2, 5, 6), (2, 3, 5, 5)], 8, 3 * (6 * 6 + 6) + 6 * 6 + 6),
]


@pytest.mark.parametrize("cls, kwargs, shapes, out_shapes, n_trainable, n_params",
                         HARNESS_CASES)
def test_layer_checks(cls, kwargs, shapes, out_shapes, n_trainable, n_params):
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    call_kwargs = {"return_attention_scores": True} if len(out_shapes) == 2 else {}

    layer = cls(**kwargs)
    out = _call(layer, inputs, **call_kwargs)
    assert [o.shape for o in _flat(out)] == out_shapes
    assert len(layer.trainable_weights) == n_trainable and not layer.non_trainable_weights
    assert layer.count_params() == n_params
    assert all(w.requires_grad for w in layer.trainable_weights)

    config = layer.get_config()
    json.dumps(config)
    clone = cls.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    _call(clone, inputs, **call_kwargs)
    clone.set_weights(layer.get_weights())
    for a, b in zip(_flat(_call(layer, inputs, **call_kwargs)),
                    _flat(_call(clone, inputs, **call_kwargs))):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-6, atol=1e-6)

    symbolic = _call(cls(**kwargs), [Input(batch_shape=(None, *s[1:])) for s in shapes],
                     **call_kwargs)
    assert [t.shape for t in _flat(symbolic)] == [(None, *s[1:]) for s in out_shapes]

    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == n_trainable
    layer.trainable = True

    def loss_now(xs):
        baeum.random.seed(7)  # the same dropout masks before and after the step
        return _loss(_call(layer, xs, training=True, **call_kwargs))

    tensors = [baeum.tensor(x, requires_grad=True) for x in inputs]
    before = loss_now(tensors)
    before.backward()
    assert all(t.grad is not None and np.all(np.isfinite(t.grad.data)) for t in tensors)
    if n_trainable:
        assert all(w.grad is not None for w in layer.trainable_weights)
        with baeum.no_grad():
            for w in layer.trainable_weights:
                w.data -= 1e-2 * w.grad.data
                w.grad = None
        assert loss_now(inputs).item() < before.item()


def test_weight_names_shapes_and_order_are_keras():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5, name="mha")
    layer(np.ones((1, 4, 8)), np.ones((1, 6, 7)), np.ones((1, 6, 9)))
    assert [(w.name, w.shape) for w in layer.weights] == [
        ("mha/query/kernel", (8, 2, 3)), ("mha/query/bias", (2, 3)),
        ("mha/key/kernel", (9, 2, 3)), ("mha/key/bias", (2, 3)),
        ("mha/value/kernel", (7, 2, 5)), ("mha/value/bias", (2, 5)),
        ("mha/attention_output/kernel", (2, 5, 8)), ("mha/attention_output/bias", (8,)),
    ]
    concat = Attention(use_scale=True, score_mode="concat", name="att")
    concat([np.ones((1, 2, 3)), np.ones((1, 4, 3))])
    assert [(w.name, w.shape) for w in concat.weights] == [
        ("att/scale", ()), ("att/concat_score_weight", ())]
    np.testing.assert_array_equal([w.data for w in concat.weights], [1.0, 1.0])


def test_build_takes_keras_keyword_shapes():
    layer = MultiHeadAttention(num_heads=2, key_dim=4)
    layer.build(query_shape=(2, 5, 8), value_shape=(2, 5, 8))
    assert layer.built and layer.count_params() == 3 * (8 * 2 * 4 + 2 * 4) + 2 * 4 * 8 + 8
    out = layer(query=np.ones((2, 5, 8)), value=np.ones((2, 3, 8)))
    assert out.shape == (2, 5, 8) and len(layer.weights) == 8   # built once


def test_configs_have_keras_keys():
    mha = MultiHeadAttention(num_heads=2, key_dim=4).get_config()
    assert {"num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape",
            "attention_axes", "kernel_initializer", "bias_initializer", "kernel_regularizer",
            "bias_regularizer", "activity_regularizer", "kernel_constraint",
            "bias_constraint", "seed"} <= set(mha)
    assert mha["value_dim"] == 4  # the key_dim, as Keras saves it
    assert MultiHeadAttention(2, 4, output_shape=8).get_config()["output_shape"] == [8]
    assert {"use_scale", "score_mode", "dropout"} <= set(Attention().get_config())
    additive = AdditiveAttention().get_config()
    assert additive["use_scale"] is True and "score_mode" not in additive


@pytest.mark.parametrize("query, value, key, output_shape, expected", [
    ((7, 4, 8), (7, 2, 8), None, None, (7, 4, 8)),
    ((7, 4, 8), (7, 2, 8), (7, 2, 3), None, (7, 4, 8)),
    ((7, 4, 8), (7, 2, 8), None, (3, 4), (7, 4, 3, 4)),
    ((7, 4, 8), (7, 2, 7), (7, 2, 8), 5, (7, 4, 5)),
])
def test_compute_output_shape_is_the_output_shape(query, value, key, output_shape, expected):
    layer = MultiHeadAttention(num_heads=2, key_dim=2, output_shape=output_shape)
    out = layer(np.ones(query), np.ones(value), None if key is None else np.ones(key))
    assert out.shape == expected == layer.compute_output_shape(query, value, key)
    assert layer.compute_output_shape(list(query), list(value),
                                      None if key is None else list(key)) == expected


def test_symbolic_calls_build_models_that_run():
    target, source = Input(shape=(8, 16)), Input(shape=(4, 16))
    out, scores = MultiHeadAttention(num_heads=2, key_dim=2)(target, source,
                                                             return_attention_scores=True)
    assert out.shape == (None, 8, 16) and scores.shape == (None, 2, 8, 4)  # Keras's docs
    luong, weights = Attention()([target, source], return_attention_scores=True)
    assert luong.shape == (None, 8, 16) and weights.shape == (None, 8, 4)
    model = Model([target, source], [out, scores, luong, weights])
    x = [np.ones((3, 8, 16)), np.ones((3, 4, 16))]
    assert [p.shape for p in model.predict(x, verbose=0)] == [
        (3, 8, 16), (3, 2, 8, 4), (3, 8, 16), (3, 8, 4)]
    # Unknown lengths stay unknown.
    steps = Input(shape=(None, 6))
    assert MultiHeadAttention(1, 3)(steps, steps).shape == (None, None, 6)
    assert AdditiveAttention()([steps, steps]).shape == (None, None, 6)


def test_docstring_examples_run():
    failures, _ = doctest.testmod(attention_module)
    assert failures == 0


# --- MultiHeadAttention against torch.nn.MultiheadAttention ------------------------------

def _torch_twin(layer, embed, kdim, vdim):
    """torch.nn.MultiheadAttention holding `layer`'s weights (Keras's per-head kernels
    (dim, heads, size) flattened to (dim, heads*size) and transposed: torch computes
    x @ W^T, with the heads side by side along W's rows)."""
    weights = [w.data for w in layer.weights]
    use_bias = layer.use_bias
    module = torch.nn.MultiheadAttention(embed, layer.num_heads, bias=use_bias, kdim=kdim,
                                         vdim=vdim, batch_first=True, dtype=torch.float64)
    kernels = weights[0::2] if use_bias else weights
    q, k, v, o = (w.reshape(-1, embed if i == 3 else layer.num_heads * w.shape[-1]).T
                  for i, w in enumerate(kernels))
    with torch.no_grad():
        if module._qkv_same_embed_dim:
            module.in_proj_weight.copy_(torch.tensor(np.concatenate([q, k, v])))
        else:
            module.q_proj_weight.copy_(torch.tensor(q))
            module.k_proj_weight.copy_(torch.tensor(k))
            module.v_proj_weight.copy_(torch.tensor(v))
        module.out_proj.weight.copy_(torch.tensor(o))
        if use_bias:
            module.in_proj_bias.copy_(torch.tensor(
                np.concatenate([b.reshape(-1) for b in weights[1:6:2]])))
            module.out_proj.bias.copy_(torch.tensor(weights[7]))
    return module


def _torch_grads(module, layer):
    """torch's weight gradients in the layout of `layer.weights`."""
    heads, embed = layer.num_heads, module.embed_dim
    if module._qkv_same_embed_dim:
        kernels = list(module.in_proj_weight.grad.numpy().reshape(3, embed, -1))
    else:
        kernels = [p.grad.numpy() for p in
                   (module.q_proj_weight, module.k_proj_weight, module.v_proj_weight)]
    kernels = [g.T.reshape(g.shape[1], heads, -1) for g in kernels]
    kernels.append(module.out_proj.weight.grad.numpy().T.reshape(heads, -1, embed))
    if not layer.use_bias:
        return kernels
    biases = list(module.in_proj_bias.grad.numpy().reshape(3, heads, -1))
    biases.append(module.out_proj.bias.grad.numpy())
    return [g for pair in zip(kernels, biases) for g in pair]


@requires_torch
@pytest.mark.parametrize("case", ["self", "cross", "no_bias", "padding", "attention_mask",
                                  "causal", "averaged"])
def test_multi_head_attention_matches_torch(case, rng):
    batch, target, source, embed, heads = 3, 4, 5, 6, 2
    kdim = vdim = embed
    if case == "cross":
        kdim, vdim = 3, 7
    if case in ("self", "causal"):
        source = target
    layer = MultiHeadAttention(num_heads=heads, key_dim=embed // heads,
                               use_bias=case != "no_bias", dtype="float64")
    query = rng.standard_normal((batch, target, embed))
    value = query if source == target and case == "self" else \
        rng.standard_normal((batch, source, vdim))
    key = rng.standard_normal((batch, source, kdim)) if case == "cross" else value
    layer(query, value, key)
    for w in layer.weights:  # non-zero biases, so that their gradients mean something
        w.data[...] = rng.standard_normal(w.shape) * 0.5
    module = _torch_twin(layer, embed, kdim, vdim)

    b_kwargs, t_kwargs = {}, {}
    if case == "padding":
        value_mask = np.ones((batch, source), bool)
        value_mask[0, 3:] = value_mask[2, 1:2] = False
        b_kwargs["value_mask"] = value_mask
        t_kwargs["key_padding_mask"] = torch.tensor(~value_mask)
    if case == "attention_mask":
        allowed = rng.random((batch, target, source)) < 0.6
        allowed[..., 0] = True  # no query step left with nothing to attend to (NaN in torch)
        b_kwargs["attention_mask"] = allowed
        # torch: (batch*heads, T, S), True = not allowed.
        t_kwargs["attn_mask"] = torch.tensor(np.repeat(~allowed, heads, axis=0))
    if case == "causal":
        b_kwargs["use_causal_mask"] = True
        t_kwargs["attn_mask"] = torch.tensor(~np.tril(np.ones((target, source), bool)))

    qb, vb, kb = (baeum.tensor(a.copy(), requires_grad=True) for a in (query, value, key))
    out, scores = layer(qb, vb, kb, return_attention_scores=True, **b_kwargs)
    qt, vt, kt = (torch.tensor(a.copy(), requires_grad=True) for a in (query, value, key))
    average = case == "averaged"
    out_t, scores_t = module(qt, kt, vt, need_weights=True, average_attn_weights=average,
                             **t_kwargs)
    if average:
        scores = scores.mean(axis=1)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scores.data, scores_t.detach().numpy(), rtol=1e-9, atol=1e-12)

    r_out, r_scores = rng.standard_normal(out.shape), rng.standard_normal(scores.shape)
    ((out * r_out).sum() + (scores * r_scores).sum()).backward()
    ((out_t * torch.tensor(r_out)).sum() + (scores_t * torch.tensor(r_scores)).sum()).backward()
    for b, t, what in ((qb, qt, "query"), (vb, vt, "value"), (kb, kt, "key")):
        np.testing.assert_allclose(b.grad.data, t.grad.numpy(), rtol=1e-8, atol=1e-11,
                                   err_msg=f"gradient of the {what}")
    for w, g in zip(layer.weights, _torch_grads(module, layer)):
        np.testing.assert_allclose(w.grad.data, g, rtol=1e-8, atol=1e-11,
                                   err_msg=f"gradient of {w.name}")


def test_keras_known_values():
    # Keras's test_correctness: identity projections, zero biases, 8 heads of 8.
    num_heads = key_dim = 8
    query = key = np.identity(key_dim)[None]
    value = np.arange(key_dim * key_dim).reshape(1, key_dim, key_dim) / 100.0
    layer = MultiHeadAttention(num_heads=num_heads, key_dim=key_dim, dtype="float64")
    layer(query, value, key)
    kernel = np.repeat(np.identity(key_dim)[:, None, :], num_heads, axis=1)
    bias = np.zeros((num_heads, key_dim))
    layer.set_weights([kernel, bias] * 3 + [kernel, np.zeros(key_dim)])
    out, scores = layer(query=query, value=value, key=key, return_attention_scores=True)
    expected_out = np.array([2.406, 2.440, 2.473, 2.504, 2.535, 2.568, 2.602, 2.633])
    np.testing.assert_allclose(out.data, np.tile(expected_out[None, :, None], (1, 1, 8)),
                               atol=2e-3)
    expected_scores = np.where(np.eye(8, dtype=bool), 0.1691, 0.1187)
    np.testing.assert_allclose(scores.data, np.tile(expected_scores, (1, 8, 1, 1)), atol=2e-4)


def test_attention_mask_shapes_broadcast_as_keras(rng):
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    mask = np.tril(np.ones((5, 5)))
    layer = MultiHeadAttention(num_heads=2, key_dim=4)
    expected = layer(x, x, attention_mask=mask).data
    for m in (np.tile(mask[None], (2, 1, 1)), np.tile(mask[None, None], (2, 2, 1, 1))):
        np.testing.assert_allclose(layer(x, x, attention_mask=m).data, expected, atol=1e-6)
    np.testing.assert_allclose(layer(x, x, use_causal_mask=True).data, expected, atol=1e-6)
    # The causal mask and an explicit one are ANDed.
    extra = np.ones((2, 5, 5), bool)
    extra[:, 2, 1] = False
    np.testing.assert_allclose(layer(x, x, attention_mask=extra, use_causal_mask=True).data,
                               layer(x, x, attention_mask=extra & mask.astype(bool)).data,
                               atol=1e-6)


def test_multi_head_attention_gradcheck_with_masks(rng):
    layer = MultiHeadAttention(num_heads=2, key_dim=2, value_dim=3, dtype="float64")
    query, value = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    layer(query, value)
    value_mask = np.array([[True, True, False, True], [True, False, False, False]])

    def fn(q, v):
        out, scores = layer(q, v, value_mask=value_mask, use_causal_mask=True,
                            return_attention_scores=True)
        return out.sum(axis=2) + scores.sum(axis=(1, 3))

    assert baeum.gradcheck(fn, query, value)


# --- Attention and AdditiveAttention against Keras's formulas in NumPy ---------------------

def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _reference(kind, query, value, key, scale, concat_weight, query_mask, value_mask,
               causal):
    """Keras's Attention / AdditiveAttention, transcribed: scores, the 1e9 penalty, softmax,
    weights @ value, and the query mask on the result."""
    pairs = query[:, :, None, :] + key[:, None, :, :]
    if kind == "dot":
        scores = query @ key.transpose(0, 2, 1) * (1.0 if scale is None else scale)
    elif kind == "concat":
        scores = concat_weight * np.tanh(pairs * (1.0 if scale is None else scale)).sum(-1)
    else:
        scores = (np.tanh(pairs) * (1.0 if scale is None else scale)).sum(-1)
    keep = np.ones(scores.shape, bool)
    if value_mask is not None:
        keep &= value_mask[:, None, :]
    if causal:
        keep &= np.tril(np.ones(scores.shape[1:], bool))
    weights = _softmax(scores - 1e9 * ~keep)
    out = weights @ value
    if query_mask is not None:
        out = out * query_mask[:, :, None]
    return out, weights


REFERENCE_CASES = [
    ("dot", {}), ("dot", {"use_scale": True}), ("concat", {"score_mode": "concat"}),
    ("concat", {"score_mode": "concat", "use_scale": True}), ("additive", {}),
    ("additive", {"use_scale": False}),
]


@pytest.mark.parametrize("kind, kwargs", REFERENCE_CASES)
@pytest.mark.parametrize("masks", ["none", "masks", "causal", "key"])
def test_attention_matches_the_keras_formulas(kind, kwargs, masks, rng):
    cls = AdditiveAttention if kind == "additive" else Attention
    layer = cls(dtype="float64", **kwargs)
    # A key of the query's width; the value of its own when there is a key.
    value_steps = 4 if masks == "causal" else 5
    key = rng.standard_normal((2, value_steps, 3)) if masks == "key" else None
    query = rng.standard_normal((2, 4, 3))
    value = rng.standard_normal((2, value_steps, 3 if key is None else 6))
    inputs = [query, value] if key is None else [query, value, key]
    layer(inputs)
    for w in layer.weights:  # not all ones, so that a swapped weight would show
        w.data[...] = rng.uniform(0.5, 1.5, w.shape)
    named = {w.name.split("/")[-1]: w.data for w in layer.weights}
    query_mask = value_mask = None
    call_kwargs = {}
    if masks == "masks":
        query_mask = np.array([[True, True, False, True], [True, False, True, True]])
        value_mask = np.array([[True, False, True, True, False], [False, True, True, True, True]])
        call_kwargs["mask"] = [query_mask, value_mask]
    if masks == "causal":
        call_kwargs["use_causal_mask"] = True
    out, weights = layer(inputs, return_attention_scores=True, **call_kwargs)
    expected_out, expected_weights = _reference(
        kind, query, value, value if key is None else key, named.get("scale"),
        named.get("concat_score_weight"), query_mask, value_mask, masks == "causal")
    np.testing.assert_allclose(out.data, expected_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(weights.data, expected_weights, rtol=1e-10, atol=1e-12)
    if value_mask is not None:
        assert np.all(weights.data[~np.broadcast_to(value_mask[:, None], weights.shape)] == 0)
        np.testing.assert_array_equal(out._keras_mask, query_mask)


@pytest.mark.parametrize("kind, kwargs", REFERENCE_CASES)
def test_attention_gradcheck_inputs_and_weights(kind, kwargs, rng):
    cls = AdditiveAttention if kind == "additive" else Attention
    layer = cls(dtype="float64", **kwargs)
    query, value, key = (rng.standard_normal(s) for s in ((2, 3, 2), (2, 4, 3), (2, 4, 2)))
    layer([query, value, key])
    names = [w.name.split("/")[-1] for w in layer.weights]
    value_mask = np.array([[True, False, True, True], [True, True, True, False]])

    def fn(q, v, k, *weights):
        for name, w in zip(names, weights):  # the weights as gradcheck's own leaves
            setattr(layer, name, w)
        out, scores = layer([q, v, k], mask=[None, value_mask], use_causal_mask=True,
                            return_attention_scores=True)
        return out.sum(axis=2) + scores.sum(axis=2)

    weights = [rng.uniform(0.5, 1.5, w.shape) for w in layer.weights]
    assert baeum.gradcheck(fn, query, value, key, *weights)


def test_masked_value_steps_get_no_gradient(rng):
    value = baeum.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True)
    value_mask = np.array([[True, True, False, False], [True, False, True, True]])
    out = Attention(dtype="float64")([baeum.tensor(rng.standard_normal((2, 2, 3))), value],
                                     mask=[None, value_mask])
    out.backward(rng.standard_normal(out.shape))
    assert np.all(value.grad.data[~value_mask] == 0)
    assert np.all(value.grad.data[value_mask] != 0)


# --- implicit masks ------------------------------------------------------------------------

QUERY_IDS = np.array([[1, 2, 3, 0, 0], [3, 3, 1, 1, 2], [1, 0, 0, 0, 0]])
VALUE_IDS = np.array([[5, 4, 0], [3, 0, 0], [2, 1, 1]])


@pytest.mark.parametrize("use_causal_mask", [False, True])
def test_embedding_masks_are_the_query_and_value_masks(use_causal_mask):
    # Keras's test_masking: the masks on the inputs give the same output as the mask
    # written out, and the output keeps the query's mask.
    layer = MultiHeadAttention(num_heads=2, key_dim=2)
    query = layers.Embedding(4, 8, mask_zero=True)(QUERY_IDS)
    value = layers.Embedding(6, 8, mask_zero=True)(VALUE_IDS)
    output = layer(query=query, value=value, use_causal_mask=use_causal_mask)
    mask = np.array([[[1, 1, 0]] * 3 + [[0, 0, 0]] * 2] + [[[1, 0, 0]] * 5]
                    + [[[1, 1, 1]] + [[0, 0, 0]] * 4])
    if use_causal_mask:
        mask = mask & np.array([[[1, 0, 0], [1, 1, 0]] + [[1, 1, 1]] * 3])
    np.testing.assert_array_equal(output._keras_mask, QUERY_IDS != 0)
    plain_query, plain_value = baeum.tensor(query.data), baeum.tensor(value.data)
    manual = layer(query=plain_query, value=plain_value, attention_mask=mask)
    np.testing.assert_allclose(output.data, manual.data, atol=1e-6)
    explicit = layer(plain_query, plain_value, query_mask=QUERY_IDS != 0,
                     value_mask=VALUE_IDS != 0, use_causal_mask=use_causal_mask)
    np.testing.assert_allclose(output.data, explicit.data, atol=1e-6)
    assert hasattr(query, "_keras_mask")  # unlike Keras, the inputs keep their masks


def test_padding_leaves_the_real_steps_unchanged(rng):
    embed = layers.Embedding(10, 4, mask_zero=True)
    mha, luong = MultiHeadAttention(num_heads=2, key_dim=3), Attention()
    padded, short = np.array([[3, 1, 4, 0, 0]]), np.array([[3, 1, 4]])
    for attend in (lambda x: mha(x, x), lambda x: luong([x, x])):
        together, alone = attend(embed(padded)).data, attend(embed(short)).data
        np.testing.assert_allclose(together[:, :3], alone, rtol=1e-5, atol=1e-6)
    assert np.all(luong([embed(padded), embed(padded)]).data[:, 3:] == 0)


def test_masks_flow_through_a_model_to_the_pooling():
    ids = Input(shape=(5,), dtype="int64")
    x = layers.Embedding(10, 4, mask_zero=True)(ids)
    x = MultiHeadAttention(num_heads=2, key_dim=2)(x, x)
    model = Model(ids, layers.GlobalAveragePooling1D()(x))
    np.testing.assert_allclose(model.predict(np.array([[3, 1, 4, 0, 0]]), verbose=0),
                               model.predict(np.array([[3, 1, 4]]), verbose=0),
                               rtol=1e-5, atol=1e-6)


# --- dropout -------------------------------------------------------------------------------

def test_dropout_on_the_weights_in_training_only_and_seeded(rng):
    query, value = rng.standard_normal((2, 4, 6)), rng.standard_normal((2, 5, 6))
    a = MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=3)
    b = MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=3)
    plain = MultiHeadAttention(num_heads=2, key_dim=3)
    for layer in (a, b, plain):
        layer(query, value)
    b.set_weights(a.get_weights())
    plain.set_weights(a.get_weights())
    np.testing.assert_array_equal(a(query, value).data, plain(query, value).data)
    out_a, scores_a = a(query, value, training=True, return_attention_scores=True)
    out_b = b(query, value, training=True)
    np.testing.assert_array_equal(out_a.data, out_b.data)      # the same seed, same masks
    assert not np.allclose(out_a.data, plain(query, value).data)
    # Keras returns MultiHeadAttention's weights from before the dropout...
    np.testing.assert_allclose(scores_a.data,
                               plain(query, value, return_attention_scores=True)[1].data)
    # ... and Attention's from after it: dropped (0) or scaled by 1 / (1 - rate).
    luong = Attention(dropout=0.5, seed=0)
    _, dropped = luong([query, value], training=True, return_attention_scores=True)
    _, kept = luong([query, value], return_attention_scores=True)
    ratio = dropped.data / kept.data
    assert set(np.round(np.unique(ratio), 5)) == {0.0, 2.0}


# --- learning --------------------------------------------------------------------------

def _recall_data(n, steps, rng):
    """Associative recall: `steps` (key, value) pairs, keys a permutation; the query is
    one of the keys; the label is the value paired with it. Only attention links the
    query to the pairs in the models below."""
    keys = np.stack([rng.permutation(steps) for _ in range(n)])
    values = rng.integers(0, steps, size=(n, steps))
    asked = rng.integers(0, steps, size=n)
    pairs = np.concatenate([np.eye(steps)[keys], np.eye(steps)[values]], -1).astype("float32")
    query = np.eye(steps)[keys[np.arange(n), asked]][:, None, :].astype("float32")
    where = (keys == keys[np.arange(n), asked][:, None])
    return [query, pairs], values[np.arange(n), asked], where


@pytest.mark.parametrize("kind", ["multi_head", "luong"])
def test_a_model_learns_associative_recall_and_round_trips(kind, rng, tmp_path):
    steps = 5
    (query, pairs), y, where = _recall_data(1500, steps, rng)
    q_in, p_in = Input(shape=(1, steps), name="query"), Input(shape=(steps, 2 * steps),
                                                              name="pairs")
    if kind == "multi_head":
        context, scores = MultiHeadAttention(num_heads=1, key_dim=8, name="attend")(
            q_in, p_in, return_attention_scores=True)
    else:
        context, scores = Attention(use_scale=True, name="attend")(
            [Dense(8)(q_in), p_in, Dense(8)(p_in)], return_attention_scores=True)
    out = Dense(steps, activation="softmax")(layers.Flatten()(context))
    model = Model([q_in, p_in], out)
    model.compile(baeum.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit([query, pairs], y, epochs=15, batch_size=32, verbose=0)
    assert model.evaluate([query, pairs], y, verbose=0)[1] > 0.95
    # It learned to look at the pair holding the asked key.
    weights = Model([q_in, p_in], scores).predict([query, pairs], verbose=0)
    weights = weights[:, 0, 0] if kind == "multi_head" else weights[:, 0]
    assert np.mean(weights[where]) > 0.8

    model.save(tmp_path / "recall.baeum")
    loaded = load_model(tmp_path / "recall.baeum")
    assert type(loaded.get_layer("attend")) is type(model.get_layer("attend"))
    np.testing.assert_array_equal(loaded.predict([query[:20], pairs[:20]], verbose=0),
                                  model.predict([query[:20], pairs[:20]], verbose=0))


class TransformerBlock(layers.Layer):
    """The block of Keras's "Text classification with Transformer" example, as written."""

    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = baeum.Sequential([Dense(ff_dim, activation="relu"), Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.dropout1(self.att(inputs, inputs))
        out1 = self.layernorm1(inputs + attn_output)
        return self.layernorm2(out1 + self.dropout2(self.ffn(out1)))


def test_the_keras_transformer_block_trains_inside_a_model(rng):
    ids = Input(shape=(10,), dtype="int64")
    block = TransformerBlock(embed_dim=32, num_heads=2, ff_dim=32)
    x = block(layers.Embedding(50, 32)(ids))
    model = Model(ids, Dense(2, activation="softmax")(layers.GlobalAveragePooling1D()(x)))
    # The example's summary: MultiHeadAttention 3*(32*2*32 + 2*32) + 2*32*32 + 32 = 8416,
    # the feed-forward part 2*(32*32 + 32), the two normalizations 2*64.
    assert block.count_params() == 8416 + 2112 + 128 == 10656
    x_train = rng.integers(1, 50, size=(64, 10))
    y_train = (x_train == 7).any(axis=1).astype(np.int64)
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(x_train, y_train, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


# --- regularizers and constraints --------------------------------------------------------

def test_regularizers_and_constraints_reach_every_projection():
    layer = MultiHeadAttention(num_heads=2, key_dim=2, kernel_regularizer="l2",
                               bias_regularizer="l1", activity_regularizer="l2",
                               kernel_constraint="non_neg")
    layer(np.ones((1, 3, 4)), np.ones((1, 2, 4)))
    assert len(layer.losses) == 8 + 4   # 4 kernels + 4 biases, 4 projections' activities
    kernels = [w for w in layer.weights if w.name.endswith("kernel")]
    assert len(kernels) == 4 and all(getattr(w, "constraint", None) is not None
                                     for w in kernels)
    clone = MultiHeadAttention.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


# --- errors ----------------------------------------------------------------------------

def test_bad_arguments_are_clear_errors():
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="argument `key_dim`"):
            MultiHeadAttention(num_heads=2, key_dim=bad)
        with pytest.raises(ValueError, match="argument `num_heads`"):
            MultiHeadAttention(num_heads=bad, key_dim=2)
        with pytest.raises(ValueError, match="argument `value_dim`"):
            MultiHeadAttention(num_heads=2, key_dim=2, value_dim=bad)
    with pytest.raises(ValueError, match="Invalid `output_shape`"):
        MultiHeadAttention(num_heads=2, key_dim=16, output_shape=8.0)
    with pytest.raises(ValueError, match="`attention_axes` must be an int, list, or tuple"):
        MultiHeadAttention(num_heads=2, key_dim=2, attention_axes="steps")
    with pytest.raises(NotImplementedError, match="attention_axes=None, 1 or -2"):
        MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(1, 2))
    MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=-2)  # the steps axis: fine
    with pytest.raises(ValueError, match=r"score_mode 'add'.*one of 'dot', 'concat'"):
        Attention(score_mode="add")
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
        Attention(dropout=1.5)
    with pytest.raises(TypeError, match="unexpected keyword"):
        AdditiveAttention(score_mode="dot")


def test_bad_inputs_are_clear_errors():
    x = np.ones((2, 3, 4))
    with pytest.raises(ValueError, match=r"list of inputs, namely \[query, value\]"):
        Attention()(x)
    with pytest.raises(ValueError, match="list of 2 or 3 inputs.*got 4"):
        Attention()([x, x, x, x])
    with pytest.raises(ValueError, match=r"expects value of rank 3 .* got shape \(2, 4\)"):
        Attention()([x, np.ones((2, 4))])
    with pytest.raises(ValueError, match="features of the query and the key"):
        Attention()([x, np.ones((2, 5, 6))])
    with pytest.raises(ValueError, match="numbers of steps of the value and the key"):
        AdditiveAttention()([x, np.ones((2, 5, 4)), np.ones((2, 6, 4))])
    with pytest.raises(ValueError, match="batch sizes must be equal"):
        Attention()([x, np.ones((3, 5, 4))])
    with pytest.raises(ValueError, match=r"value_mask \(batch, Tv\) must have shape \(2, 5\)"):
        Attention()([x, np.ones((2, 5, 4))], mask=[None, np.ones((2, 4), bool)])
    with pytest.raises(ValueError, match=r"mask=\[query_mask, value_mask\]"):
        Attention()([x, x], mask=np.ones((2, 3), bool))

    mha = MultiHeadAttention(num_heads=2, key_dim=2, name="mha")
    with pytest.raises(ValueError, match="except the last one, must be equal"):
        mha(np.ones((2, 4, 8)), np.ones((2, 2, 8)), np.ones((2, 1, 7)))
    with pytest.raises(ValueError, match=r"expects query of rank 3 .* got shape \(2, 8\)"):
        mha(np.ones((2, 8)), np.ones((2, 2, 8)))
    with pytest.raises(NotImplementedError, match="3-D inputs .* only"):
        mha(np.ones((2, 3, 4, 8)), np.ones((2, 3, 4, 8)))
    mha(np.ones((2, 4, 8)), np.ones((2, 3, 8)))
    with pytest.raises(ValueError, match=r"expected axis -1 of query to have value 8, but "
                                         r"received query of shape \(2, 4, 7\)"):
        mha(np.ones((2, 4, 7)), np.ones((2, 3, 8)))
    with pytest.raises(ValueError, match=r"value_mask \(batch, S\) must have shape \(2, 3\)"):
        mha(np.ones((2, 4, 8)), np.ones((2, 3, 8)), value_mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match=r"attention_mask of shape \(4, 4\) does not fit .* "
                                         r"\(2, 2, 4, 3\)"):
        mha(np.ones((2, 4, 8)), np.ones((2, 3, 8)), attention_mask=np.ones((4, 4)))
