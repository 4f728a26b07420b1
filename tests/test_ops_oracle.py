"""Every core op against PyTorch: forward value and every input gradient, float64, rtol 1e-6.

Each case feeds the same seeded arrays to baeum and torch through `oracle.compare`,
which backpropagates a random upstream gradient (all-ones would hide transpose bugs).
"""

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum import losses
from oracle import compare, requires_torch, torch

if torch is not None:
    import torch.nn.functional as TF

pytestmark = [requires_torch, pytest.mark.torch]


def normal(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def positive(shape, seed=0):
    """Values in [0.5, 2): safe for log, sqrt, division and pow with any exponent."""
    return np.random.default_rng(seed).uniform(0.5, 2.0, shape)


# Shape pairs for binary ops: equal, broadcast on either side, both, and 0-d.
BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((2, 1, 4), (3, 1)),
    ((3, 1), (1, 5)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((1,), (2, 3)),
]


# --- elementwise arithmetic ---------------------------------------------------------
@pytest.mark.parametrize("sa, sb", BROADCAST_PAIRS)
@pytest.mark.parametrize(
    "op",
    [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b],
    ids=["add", "sub", "mul", "div"],
)
def test_binary_arithmetic(op, sa, sb):
    compare(op, op, [normal(sa, 1), positive(sb, 2)])


@pytest.mark.parametrize("sa, sb", BROADCAST_PAIRS[:5])
def test_pow_tensor_tensor(sa, sb):
    compare(lambda a, b: a**b, lambda a, b: a**b, [positive(sa, 1), normal(sb, 2)])


@pytest.mark.parametrize("p", [2, 3, 0.5, -1.5, 0, 1])
@pytest.mark.parametrize("shape", [(5,), (3, 4)])
def test_pow_tensor_scalar(p, shape):
    compare(lambda x: x**p, lambda x: x**p, [positive(shape)])


@pytest.mark.parametrize("base", [2.0, 0.5, 3])
@pytest.mark.parametrize("shape", [(5,), (2, 3)])
def test_pow_scalar_tensor(base, shape):
    compare(lambda x: base**x, lambda x: base**x, [normal(shape)])


@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize(
    "name, make",
    [
        ("neg", normal), ("exp", normal), ("log", positive), ("sqrt", positive),
        ("abs", normal), ("log1p", positive), ("expm1", normal), ("sin", normal),
        ("cos", normal),
    ],
)
def test_unary(name, make, shape):
    b_fn = {"neg": lambda x: -x}.get(name) or getattr(baeum, name)
    t_fn = {"neg": lambda x: -x}.get(name) or getattr(torch, name)
    compare(b_fn, t_fn, [make(shape)])


def test_abs_at_zero_has_zero_gradient():
    compare(baeum.abs, torch.abs, [np.array([-1.0, 0.0, 2.0])])


def test_methods_match_functions():
    compare(lambda x: x.exp() + x.abs() + x.clip(-0.5, 0.5), lambda x: x.exp() + x.abs()
            + x.clamp(-0.5, 0.5), [normal((3, 4))])
    compare(lambda x: x.log() * x.sqrt(), lambda x: x.log() * x.sqrt(), [positive((3, 4))])


@pytest.mark.parametrize("lo, hi", [(-0.5, 0.5), (None, 0.2), (-0.3, None), (0.0, 0.0)])
@pytest.mark.parametrize("shape", [(7,), (3, 5)])
def test_clip(lo, hi, shape):
    compare(lambda x: baeum.clip(x, lo, hi), lambda x: torch.clamp(x, lo, hi), [normal(shape)])


def test_clip_values_exactly_on_the_bounds_pass_the_gradient():
    compare(lambda x: baeum.clip(x, -1.0, 1.0), lambda x: torch.clamp(x, -1.0, 1.0),
            [np.array([-2.0, -1.0, 0.0, 1.0, 2.0])])


@pytest.mark.parametrize("sa, sb", BROADCAST_PAIRS[:5])
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum(name, sa, sb):
    compare(getattr(baeum, name), getattr(torch, name), [normal(sa, 1), normal(sb, 2)])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_ties_share_the_gradient(name):
    a = normal((3, 4), 1)
    b = normal((3, 4), 2)
    b[0] = a[0]  # a whole row of ties
    b[2, 1] = a[2, 1]
    compare(getattr(baeum, name), getattr(torch, name), [a, b])
    # ties under broadcasting: b is (4,) and equals row 1 of a
    compare(getattr(baeum, name), getattr(torch, name), [a, a[1].copy()])


@pytest.mark.parametrize("sc, sa, sb", [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)),
                                        ((4,), (3, 4), ()), ((2, 1, 4), (3, 1), (4,))])
def test_where(sc, sa, sb):
    cond = np.random.default_rng(5).random(sc) > 0.5
    compare(lambda c, a, b: baeum.where(c, a, b), lambda c, a, b: torch.where(c, a, b),
            [cond, normal(sa, 1), normal(sb, 2)])


# --- reductions ---------------------------------------------------------------------
AXES = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2)]


def _dims(axis, ndim):
    return tuple(range(ndim)) if axis is None else axis


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reductions(name, axis, keepdims):
    torch_fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[name]
    compare(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims),
            lambda x: torch_fn(x, dim=_dims(axis, 3), keepdim=keepdims),
            [normal((3, 4, 5))])


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reductions_functions_on_1d_and_2d(name):
    torch_fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[name]
    compare(getattr(baeum, name), lambda x: torch_fn(x, dim=(0,)), [normal((6,))])
    compare(lambda x: getattr(baeum, name)(x, axis=1), lambda x: torch_fn(x, dim=1),
            [normal((4, 6))])


@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_ties_share_the_gradient(name, axis):
    x = np.round(normal((3, 4, 5)))  # integers: many ties
    torch_fn = torch.amax if name == "max" else torch.amin
    compare(lambda t: getattr(t, name)(axis=axis), lambda t: torch_fn(t, dim=_dims(axis, 3)), [x])


@pytest.mark.parametrize("ddof", [0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std(name, axis, keepdims, ddof):
    compare(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims, ddof=ddof),
            lambda x: getattr(torch, name)(x, dim=_dims(axis, 3), keepdim=keepdims,
                                           correction=ddof),
            [normal((3, 4, 5))])


# --- shape ops ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "b_fn, t_fn, shape",
    [
        (lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1), (2, 3, 4)),
        (lambda x: x.reshape((6, 4)), lambda x: x.reshape(6, 4), (2, 3, 4)),
        (lambda x: baeum.reshape(x, (-1,)), lambda x: x.reshape(-1), (3, 4)),
        (lambda x: x.transpose(), lambda x: x.permute(2, 1, 0), (2, 3, 4)),
        (lambda x: x.transpose(1, 2, 0), lambda x: x.permute(1, 2, 0), (2, 3, 4)),
        (lambda x: x.transpose((0, -1, 1)), lambda x: x.permute(0, 2, 1), (2, 3, 4)),
        (lambda x: baeum.transpose(x, -1, -3, -2), lambda x: x.permute(2, 0, 1), (2, 3, 4)),
        (lambda x: x.T, lambda x: x.T, (3, 5)),
        (lambda x: x.flatten(), lambda x: x.flatten(), (2, 3, 4)),
        (lambda x: x.squeeze(), lambda x: x.squeeze(), (3, 1, 4, 1)),
        (lambda x: x.squeeze(1), lambda x: x.squeeze(1), (3, 1, 4, 1)),
        (lambda x: x.squeeze(-1), lambda x: x.squeeze(-1), (3, 1, 4, 1)),
        (lambda x: x.squeeze((1, 3)), lambda x: x.squeeze((1, 3)), (3, 1, 4, 1)),
        (lambda x: x.expand_dims(0), lambda x: x.unsqueeze(0), (3, 4)),
        (lambda x: x.expand_dims(-1), lambda x: x.unsqueeze(-1), (3, 4)),
        (lambda x: baeum.expand_dims(x, 1), lambda x: x.unsqueeze(1), (3, 4)),
        (lambda x: baeum.broadcast_to(x, (2, 3, 4)), lambda x: x.broadcast_to(2, 3, 4), (3, 1)),
    ],
)
def test_shape_ops(b_fn, t_fn, shape):
    compare(b_fn, t_fn, [normal(shape)])


def _flat_positions(shape, index):
    """Which flat elements `x[index]` picks, computed with NumPy's indexing rules."""
    return torch.from_numpy(np.array(np.arange(int(np.prod(shape))).reshape(shape)[index]))


GETITEM_CASES = [
    ((5,), 2), ((5,), -1), ((5,), slice(1, 4)), ((5,), slice(None, None, -1)),
    ((6,), slice(5, 0, -2)), ((3, 4), (1, slice(None))), ((3, 4), (slice(None), -2)),
    ((3, 4), (slice(None, None, -1), slice(1, None, 2))), ((2, 3, 4), (Ellipsis, 1)),
    ((2, 3, 4), (None, 0, slice(1, 3))), ((5,), np.array([0, 2, 2, 4, 0, 0])),
    ((4, 3), np.array([3, 1, 3])), ((4, 3), (np.array([0, 2, 0]), np.array([1, 1, 1]))),
    ((4, 3), (slice(None), np.array([2, 2, 0]))), ((4, 3), [1, 1, 2]),
    ((4, 3), np.array([[0, 1], [1, 1]])), ((3, 4), "mask"), ((3, 4), "row_mask"),
]


@pytest.mark.parametrize("shape, index", GETITEM_CASES)
def test_getitem(shape, index):
    x = normal(shape)
    if isinstance(index, str):
        rng = np.random.default_rng(3)
        index = rng.random(shape) > 0.4 if index == "mask" else np.array([True, False, True])
    positions = _flat_positions(shape, index)
    # torch sees only a flat gather (its backward accumulates repeated positions);
    # baeum sees the NumPy-style index itself.
    compare(lambda t: t[index], lambda t: t.reshape(-1)[positions], [x])


@pytest.mark.parametrize(
    "shape, index, torch_index",
    [((3, 4), (1, slice(1, 3)), (1, slice(1, 3))), ((5,), np.array([1, 1, 3]), [1, 1, 3]),
     ((3, 4), (slice(None), np.array([0, 0, 3])), (slice(None), [0, 0, 3]))],
)
def test_getitem_direct_torch_indexing(shape, index, torch_index):
    compare(lambda t: t[index], lambda t: t[torch_index], [normal(shape)])


def test_getitem_with_a_tensor_index():
    ids = np.array([2, 0, 2])
    compare(lambda t: t[baeum.tensor(ids)], lambda t: t[torch.from_numpy(ids)], [normal((4, 2))])


@pytest.mark.parametrize("axis, shapes", [(0, [(2, 3), (4, 3), (1, 3)]),
                                          (1, [(2, 1), (2, 3), (2, 2)]),
                                          (-1, [(2, 3, 1), (2, 3, 4)])])
def test_concatenate(axis, shapes):
    arrays = [normal(s, i) for i, s in enumerate(shapes)]
    compare(lambda *xs: baeum.concatenate(xs, axis=axis),
            lambda *xs: torch.cat(xs, dim=axis), arrays)


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_stack(axis):
    arrays = [normal((3, 4), i) for i in range(3)]
    compare(lambda *xs: baeum.stack(xs, axis=axis), lambda *xs: torch.stack(xs, dim=axis), arrays)


@pytest.mark.parametrize("shape, sections, axis, sizes",
                         [((6, 2), 3, 0, [2, 2, 2]), ((2, 6), 2, -1, [3, 3]),
                          ((7, 2), [2, 5], 0, [2, 3, 2]), ((3, 5), [1], 1, [1, 4])])
def test_split(shape, sections, axis, sizes):
    # Weight each piece differently so a mixed-up piece would change the gradient.
    def b_fn(x):
        parts = baeum.split(x, sections, axis=axis)
        return baeum.concatenate([p * (i + 1.0) for i, p in enumerate(parts)], axis=axis)

    def t_fn(x):
        parts = torch.split(x, sizes, dim=axis)
        return torch.cat([p * (i + 1.0) for i, p in enumerate(parts)], dim=axis)

    compare(b_fn, t_fn, [normal(shape)])


@pytest.mark.parametrize("shape, pad_width, value", [((3, 4), ((1, 2), (0, 3)), 0.0),
                                                    ((2, 3, 2), ((0, 0), (2, 1), (1, 1)), 0.5),
                                                    ((4,), 2, -1.0)])
def test_pad(shape, pad_width, value):
    pw = np.broadcast_to(np.asarray(pad_width), (len(shape), 2))
    torch_pad = [int(n) for pair in pw[::-1] for n in pair]  # last axis first
    compare(lambda x: baeum.pad(x, pad_width, value),
            lambda x: TF.pad(x, torch_pad, value=value), [normal(shape)])


# --- matmul and linear ----------------------------------------------------------------
@pytest.mark.parametrize(
    "sa, sb",
    [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)),
     ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 6)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)),
     ((3, 4), (2, 4, 5))],
)
def test_matmul(sa, sb):
    compare(lambda a, b: a @ b, lambda a, b: a @ b, [normal(sa, 1), normal(sb, 2)])
    compare(baeum.matmul, torch.matmul, [normal(sa, 3), normal(sb, 4)])


@pytest.mark.parametrize(
    "x_shape, bias_shape",
    [((5, 3), (4,)), ((2, 5, 3), (4,)), ((3,), (4,)), ((5, 3), (1, 4)), ((2, 5, 3), (1, 4)),
     ((5, 3), None), ((2, 5, 3), None), ((3,), None)],
)
def test_linear(x_shape, bias_shape):
    arrays = [normal(x_shape, 1), normal((3, 4), 2)]
    if bias_shape is None:
        compare(F.linear, lambda x, w: x @ w, arrays)
        # relu=True: the ReLU inside the same op (Dense(activation="relu")).
        compare(lambda x, w: F.linear(x, w, relu=True), lambda x, w: (x @ w).relu(), arrays)
    else:
        compare(F.linear, lambda x, w, b: x @ w + b, [*arrays, normal(bias_shape, 3)])
        compare(lambda x, w, b: F.linear(x, w, b, relu=True),
                lambda x, w, b: (x @ w + b).relu(), [*arrays, normal(bias_shape, 3)])


# --- activations ---------------------------------------------------------------------
ACTIVATIONS = [
    ("relu", F.relu, lambda t: TF.relu(t)),
    ("sigmoid", F.sigmoid, torch.sigmoid if torch else None),
    ("tanh", F.tanh, torch.tanh if torch else None),
    ("leaky_relu", F.leaky_relu, lambda t: TF.leaky_relu(t)),
    ("leaky_relu_0.2", lambda x: F.leaky_relu(x, 0.2), lambda t: TF.leaky_relu(t, 0.2)),
    ("elu", F.elu, lambda t: TF.elu(t)),
    ("elu_0.5", lambda x: F.elu(x, 0.5), lambda t: TF.elu(t, 0.5)),
    ("softplus", F.softplus, lambda t: TF.softplus(t)),
    ("softplus_beta2", lambda x: F.softplus(x, beta=2.0, threshold=3.0),
     lambda t: TF.softplus(t, beta=2.0, threshold=3.0)),
    ("gelu", F.gelu, lambda t: TF.gelu(t)),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda t: TF.gelu(t, approximate="tanh")),
    ("relu_method", lambda x: x.relu() + x.sigmoid() + x.tanh(),
     lambda t: t.relu() + t.sigmoid() + t.tanh()),
]


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("name, b_fn, t_fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activations(name, b_fn, t_fn, shape):
    compare(b_fn, t_fn, [2.0 * normal(shape)])


@pytest.mark.parametrize("name, b_fn, t_fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activations_at_large_values(name, b_fn, t_fn):
    compare(b_fn, t_fn, [np.array([-800.0, -50.0, -30.0, -1e-3, 1e-3, 30.0, 50.0, 800.0])],
            rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax(name, axis):
    compare(lambda x: getattr(F, name)(x, axis=axis),
            lambda x: getattr(TF, name)(x, dim=axis), [3.0 * normal((3, 4, 5))])


def test_softmax_with_huge_logits_is_stable():
    x = np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]])
    compare(F.softmax, lambda t: TF.softmax(t, dim=-1), [x])
    compare(F.log_softmax, lambda t: TF.log_softmax(t, dim=-1), [x])


# --- nn ops -----------------------------------------------------------------------------
@pytest.mark.parametrize("ids_shape", [(6,), (2, 5), (2, 3, 2)])
def test_embedding(ids_shape):
    ids = np.random.default_rng(4).integers(0, 4, ids_shape)
    ids.flat[:3] = 1  # make sure ids repeat
    compare(lambda i, w: F.embedding(i, w), lambda i, w: TF.embedding(i, w),
            [ids, normal((5, 3))])


# --- fused losses ---------------------------------------------------------------------
@pytest.mark.parametrize("n, c", [(1, 2), (6, 5), (16, 10)])
def test_sparse_categorical_crossentropy_from_logits(n, c):
    labels = np.random.default_rng(n).integers(0, c, n)
    compare(lambda z, y: losses.sparse_categorical_crossentropy(y, z, from_logits=True),
            lambda z, y: TF.cross_entropy(z, y, reduction="none"),
            [3.0 * normal((n, c)), labels])


def test_sparse_categorical_crossentropy_from_logits_sequence():
    labels = np.random.default_rng(0).integers(0, 4, (2, 3))
    compare(lambda z, y: losses.sparse_categorical_crossentropy(y, z, from_logits=True),
            lambda z, y: TF.cross_entropy(z.permute(0, 2, 1), y, reduction="none"),
            [normal((2, 3, 4)), labels])


def test_sparse_categorical_crossentropy_transposed_logits():
    # logits that are a transposed view: the fused op must not rely on their memory layout
    labels = np.array([0, 2, 1, 1])
    compare(lambda z, y: losses.sparse_categorical_crossentropy(y, z.T, from_logits=True),
            lambda z, y: TF.cross_entropy(z.T, y, reduction="none"),
            [normal((3, 4)), labels])


@pytest.mark.parametrize("n, c", [(1, 3), (5, 4), (8, 10)])
def test_categorical_crossentropy_from_logits_soft_targets(n, c):
    rng = np.random.default_rng(c)
    target = rng.random((n, c))
    target /= target.sum(axis=1, keepdims=True)
    compare(lambda z, t: losses.categorical_crossentropy(t, z, from_logits=True),
            lambda z, t: TF.cross_entropy(z, t, reduction="none"),
            [2.0 * normal((n, c)), target])


def test_categorical_crossentropy_from_logits_on_axis_0():
    target = np.eye(4)[[0, 3, 1]].T  # classes on axis 0
    compare(lambda z, t: losses.categorical_crossentropy(t, z, from_logits=True, axis=0),
            lambda z, t: TF.cross_entropy(z.T, t.T, reduction="none"),
            [normal((4, 3)), target], grad=[True, False])


@pytest.mark.parametrize("shape", [(5, 1), (4, 3), (2, 3, 2)])
def test_binary_crossentropy_from_logits(shape):
    target = np.random.default_rng(1).random(shape)
    logits = 4.0 * normal(shape)
    logits.flat[0] = 60.0  # far in the saturated region
    compare(lambda z, t: losses.binary_crossentropy(t, z, from_logits=True),
            lambda z, t: TF.binary_cross_entropy_with_logits(z, t, reduction="none").mean(-1),
            [logits, target])


# --- probability paths: NumPy reference of Keras's formulas, gradients against torch ---
EPS = 1e-7


def keras_bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p), axis=-1)


def keras_cce(t, p):
    p = p / p.sum(axis=-1, keepdims=True)
    p = np.clip(p, EPS, 1 - EPS)
    return -np.sum(t * np.log(p), axis=-1)


def keras_scce(y, p):
    return keras_cce(np.eye(p.shape[-1])[y], p)


def torch_bce(p, t):
    p = p.clamp(EPS, 1 - EPS)
    return -(t * p.log() + (1 - t) * (1 - p).log()).mean(-1)


def torch_cce(p, t):
    p = (p / p.sum(-1, keepdim=True)).clamp(EPS, 1 - EPS)
    return -(t * p.log()).sum(-1)


@pytest.mark.parametrize("shape", [(6, 1), (4, 3)])
def test_binary_crossentropy_probabilities(shape):
    rng = np.random.default_rng(2)
    p = rng.random(shape)
    p.flat[0], p.flat[1] = 0.0, 1.0  # exercise the clipping
    t = (rng.random(shape) > 0.5).astype(float)
    out = compare(lambda p, t: losses.binary_crossentropy(t, p),
                  torch_bce, [p, t], grad=[True, False])
    np.testing.assert_allclose(out.data, keras_bce(t, p), rtol=1e-6)


@pytest.mark.parametrize("n, c", [(5, 3), (2, 10)])
def test_categorical_crossentropy_probabilities(n, c):
    rng = np.random.default_rng(3)
    p = rng.random((n, c)) + 0.05  # unnormalised on purpose: Keras rescales
    t = np.eye(c)[rng.integers(0, c, n)]
    out = compare(lambda p, t: losses.categorical_crossentropy(t, p),
                  torch_cce, [p, t], grad=[True, False])
    np.testing.assert_allclose(out.data, keras_cce(t, p), rtol=1e-6)


@pytest.mark.parametrize("n, c", [(5, 3), (2, 10)])
def test_sparse_categorical_crossentropy_probabilities(n, c):
    rng = np.random.default_rng(4)
    p = rng.random((n, c))
    p /= p.sum(axis=1, keepdims=True)
    p[0, :] = 0.0
    p[0, 0] = 1.0  # a confident row: clipping at 1 - eps and eps
    y = rng.integers(0, c, n)
    y[0] = 1
    out = compare(lambda p, y: losses.sparse_categorical_crossentropy(y, p),
                  lambda p, y: torch_cce(p, TF.one_hot(y, c).double()), [p, y])
    np.testing.assert_allclose(out.data, keras_scce(y, p), rtol=1e-6)


@pytest.mark.parametrize("shape", [(6,), (4, 3)])
def test_regression_losses(shape):
    a, b = normal(shape, 1), normal(shape, 2)
    compare(lambda t, p: losses.mean_squared_error(t, p),
            lambda t, p: ((p - t) ** 2).mean(-1), [a, b])
    compare(lambda t, p: losses.mean_absolute_error(t, p),
            lambda t, p: (p - t).abs().mean(-1), [a, b])
    compare(lambda t, p: losses.huber(t, p, delta=0.7),
            lambda t, p: TF.huber_loss(p, t, reduction="none", delta=0.7).mean(-1), [a, b])


def test_kl_divergence():
    rng = np.random.default_rng(6)
    t, p = rng.random((4, 3)), rng.random((4, 3))
    t[0, 0] = 0.0
    compare(lambda t, p: losses.kl_divergence(t, p),
            lambda t, p: (t.clamp(EPS, 1) * (t.clamp(EPS, 1) / p.clamp(EPS, 1)).log()).sum(-1),
            [t, p])


# --- dropout: statistics, not torch (the masks come from different generators) --------
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_statistics_and_gradient(rate):
    baeum.random.seed(3)
    x = baeum.tensor(np.full((200, 500), 2.0), requires_grad=True)
    y = F.dropout(x, rate)
    kept = y.data != 0
    assert abs(kept.mean() - (1 - rate)) < 0.01  # 100k draws: sd of the fraction ~ 0.0016
    np.testing.assert_allclose(y.data[kept], 2.0 / (1 - rate))  # survivors are rescaled
    assert abs(y.data.mean() - 2.0) < 0.05  # the mean is preserved
    y.sum().backward()
    # the gradient is the mask itself: 1/(1-rate) where kept, 0 where dropped
    np.testing.assert_allclose(x.grad.data, kept / (1 - rate))


def test_dropout_is_identity_when_not_training_or_rate_zero():
    x = baeum.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_masks_follow_the_seed():
    x = baeum.ones(50)
    baeum.random.seed(11)
    a = F.dropout(x, 0.5).data
    baeum.random.seed(11)
    b = F.dropout(x, 0.5).data
    np.testing.assert_array_equal(a, b)


def test_dropout_noise_shape_shares_the_mask_along_unit_axes():
    # (batch, steps, features) with noise_shape (None, 1, features): a feature is dropped
    # at every step of a sequence or at none, and the gradient follows the same mask.
    baeum.random.seed(5)
    x = baeum.tensor(np.ones((4, 6, 50)), requires_grad=True)
    y = F.dropout(x, 0.5, noise_shape=(None, 1, 50))
    assert np.all(y.data == y.data[:, :1, :])             # the same at every step
    dropped = (y.data[:, 0, :] == 0).mean()
    assert 0.35 < dropped < 0.65                          # 200 draws at rate 0.5
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)    # x is ones: y is the mask
    with pytest.raises(ValueError, match=r"noise_shape \(4, 2, 50\) does not fit inputs of "
                                         r"shape \(4, 6, 50\)"):
        F.dropout(x, 0.5, noise_shape=(4, 2, 50))
    with pytest.raises(ValueError, match="one entry per axis"):
        F.dropout(x, 0.5, noise_shape=(None, 50))


def test_dropout_layer_seed_gives_its_own_repeatable_masks():
    x = np.ones((3, 40), np.float32)
    first = baeum.layers.Dropout(0.5, seed=42)
    baeum.random.seed(1)
    a = [first(x, training=True).data for _ in range(2)]
    second = baeum.layers.Dropout(0.5, seed=42)
    baeum.random.seed(2)                                  # the global stream does not matter
    b = [second(x, training=True).data for _ in range(2)]
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], a[1])                 # a stream, not one repeated mask
    config = baeum.layers.Dropout(0.3, noise_shape=(None, 1, 8), seed=7).get_config()
    assert config["noise_shape"] == [None, 1, 8] and config["seed"] == 7
    assert baeum.layers.Dropout.from_config(config).get_config() == config


@pytest.mark.parametrize("shape", [(3, 5), (70, 100), (3, 65536 + 7), (2, 300, 250)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_array_matches_numpy_in_blocks_and_in_place(shape, dtype, rng):
    # relu_array compares with a cached block of zeros (NumPy's array-array loop is SIMD,
    # its scalar one is not), block by block for large arrays: same values, NaN kept.
    from baeum.ops.activations import relu_array

    x = rng.standard_normal(shape).astype(dtype)
    x.reshape(-1)[::97] = np.nan
    want = np.maximum(x, 0)
    np.testing.assert_array_equal(relu_array(x), want)
    strided = x[:, ::2]  # not contiguous: NumPy's own loop
    np.testing.assert_array_equal(relu_array(strided), np.maximum(strided, 0))
    same = relu_array(x, x)
    assert same is x
    np.testing.assert_array_equal(x, want)
