"""Finite-difference gradient checks of every core op (float64, no PyTorch needed), and
checks that `baeum.gradcheck` itself catches a wrong backward and says where."""

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum import losses
from baeum.autograd import Function, GradcheckError


def normal(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def positive(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0.5, 2.0, shape)


def labels(n, c, seed=0):
    return np.random.default_rng(seed).integers(0, c, n)


def probs(*shape, seed=0):
    p = np.random.default_rng(seed).uniform(0.1, 1.0, shape)
    return p / p.sum(axis=-1, keepdims=True)


def _seeded_dropout(x):
    baeum.random.seed(5)  # the same mask on every evaluation
    return F.dropout(x, 0.3)


# (name, function, inputs). Inputs stay clear of kinks (0 for relu/abs, clip bounds, ties).
CASES = [
    ("add", lambda a, b: a + b, [normal(3, 4), normal(4, seed=1)]),
    ("add_scalar", lambda a: 2.5 + a, [normal(3)]),
    ("sub", lambda a, b: a - b, [normal(2, 1, 3), normal(4, 1, seed=1)]),
    ("rsub", lambda a: 1.0 - a, [normal(3)]),
    ("mul", lambda a, b: a * b, [normal(3, 4), normal(3, 1, seed=1)]),
    ("div", lambda a, b: a / b, [normal(3, 4), positive(4, seed=1)]),
    ("rdiv", lambda a: 2.0 / a, [positive(3, 2)]),
    ("pow_scalar", lambda a: a**3, [normal(5)]),
    ("pow_fraction", lambda a: a**-1.5, [positive(5)]),
    ("pow_tensor", lambda a, b: a**b, [positive(3, 4), normal(4, seed=1)]),
    ("rpow", lambda a: 2.0**a, [normal(2, 3)]),
    ("neg", lambda a: -a, [normal(4)]),
    ("exp", baeum.exp, [normal(3, 2)]),
    ("log", baeum.log, [positive(3, 2)]),
    ("log1p", baeum.log1p, [positive(3, 2)]),
    ("expm1", baeum.expm1, [normal(3, 2)]),
    ("sin", baeum.sin, [normal(3, 2)]),
    ("cos", baeum.cos, [normal(3, 2)]),
    ("sqrt", baeum.sqrt, [positive(3, 2)]),
    ("abs", baeum.abs, [normal(3, 2)]),
    ("clip", lambda a: baeum.clip(a, -0.5, 0.7), [normal(4, 5)]),
    ("maximum", baeum.maximum, [normal(3, 4), normal(4, seed=1)]),
    ("minimum", baeum.minimum, [normal(3, 4), normal(3, 1, seed=1)]),
    ("where", lambda a, b: baeum.where(a.data > 0, a, b), [normal(3, 4), normal(4, seed=1)]),
    ("sum", lambda a: a.sum(), [normal(3, 4)]),
    ("sum_axis", lambda a: a.sum(axis=(0, -1), keepdims=True), [normal(2, 3, 4)]),
    ("mean", lambda a: a.mean(axis=1), [normal(3, 4)]),
    ("max", lambda a: a.max(axis=-1), [normal(3, 4)]),
    ("min", lambda a: a.min(axis=(0, 1), keepdims=True), [normal(2, 3, 4)]),
    ("max_all", lambda a: a.max(), [normal(5)]),
    ("var", lambda a: a.var(axis=0), [normal(4, 3)]),
    ("var_ddof", lambda a: a.var(ddof=1), [normal(4, 3)]),
    ("std", lambda a: a.std(axis=-1, keepdims=True, ddof=1), [normal(3, 5)]),
    ("reshape", lambda a: a.reshape(6, 2) * normal(6, 2, seed=9), [normal(3, 4)]),
    ("transpose", lambda a: a.transpose(2, 0, 1), [normal(2, 3, 4)]),
    ("transpose_neg", lambda a: a.transpose((0, -1, -2)), [normal(2, 3, 4)]),
    ("T", lambda a: a.T, [normal(2, 3)]),
    ("flatten", lambda a: a.flatten(), [normal(2, 3)]),
    ("squeeze", lambda a: a.squeeze(1), [normal(3, 1, 2)]),
    ("expand_dims", lambda a: a.expand_dims(-1), [normal(3, 2)]),
    ("broadcast_to", lambda a: baeum.broadcast_to(a, (2, 3, 4)), [normal(3, 1)]),
    ("getitem_slices", lambda a: a[1:, ::-2], [normal(3, 5)]),
    ("getitem_int", lambda a: a[-1, 2], [normal(3, 5)]),
    ("getitem_repeated", lambda a: a[np.array([0, 2, 2, 0])], [normal(3, 2)]),
    ("getitem_pairs", lambda a: a[np.array([0, 0]), np.array([1, 1])], [normal(3, 2)]),
    ("getitem_mask", lambda a: a[a.data > 0], [normal(4, 3)]),
    ("concatenate", lambda a, b: baeum.concatenate([a, b, a], axis=1),
     [normal(2, 3), normal(2, 1, seed=1)]),
    ("stack", lambda a, b: baeum.stack([a, b], axis=-1), [normal(2, 3), normal(2, 3, seed=1)]),
    ("split", lambda a: baeum.split(a, [1, 3], axis=1)[1] * 3.0, [normal(2, 5)]),
    ("pad", lambda a: baeum.pad(a, ((1, 0), (2, 1)), 0.5), [normal(2, 3)]),
    ("matmul_vec_vec", lambda a, b: a @ b, [normal(4), normal(4, seed=1)]),
    ("matmul_mat_vec", lambda a, b: a @ b, [normal(3, 4), normal(4, seed=1)]),
    ("matmul_vec_mat", lambda a, b: a @ b, [normal(4), normal(4, 2, seed=1)]),
    ("matmul_batched", lambda a, b: a @ b, [normal(2, 1, 3, 4), normal(3, 4, 2, seed=1)]),
    ("linear", F.linear, [normal(5, 3), normal(3, 2, seed=1), normal(2, seed=2)]),
    ("linear_3d", F.linear, [normal(2, 5, 3), normal(3, 2, seed=1), normal(1, 2, seed=2)]),
    ("relu", F.relu, [normal(3, 4)]),
    ("sigmoid", F.sigmoid, [normal(3, 4)]),
    ("tanh", F.tanh, [normal(3, 4)]),
    ("leaky_relu", lambda a: F.leaky_relu(a, 0.2), [normal(3, 4)]),
    ("elu", lambda a: F.elu(a, 0.7), [normal(3, 4)]),
    ("softplus", lambda a: F.softplus(a, beta=2.0), [normal(3, 4)]),
    ("gelu", F.gelu, [normal(3, 4)]),
    ("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"), [normal(3, 4)]),
    ("softmax_0", lambda a: F.softmax(a, axis=0), [normal(3, 4)]),
    ("softmax_last", F.softmax, [normal(2, 3, 4)]),
    ("log_softmax_1", lambda a: F.log_softmax(a, axis=1), [normal(2, 3, 4)]),
    ("embedding", lambda i, w: F.embedding(i, w), [np.array([[0, 2], [2, 2]]), normal(3, 4)]),
    ("embedding_3d_table", lambda i, w: F.embedding(i, w), [np.array([1, 1, 0]), normal(2, 2, 3)]),
    ("dropout", _seeded_dropout, [normal(4, 5)]),
    ("sparse_ce_logits", lambda z, y: losses.sparse_categorical_crossentropy(
        y, z, from_logits=True), [normal(4, 3), labels(4, 3)]),
    ("cce_logits", lambda z, t: losses.categorical_crossentropy(t, z, from_logits=True),
     [normal(4, 3), probs(4, 3)]),
    ("bce_logits", lambda z, t: losses.binary_crossentropy(t, z, from_logits=True),
     [normal(4, 3), probs(4, 3, seed=1)]),
    ("bce_probs", lambda p, t: losses.binary_crossentropy(t, p),
     [probs(4, 3), (normal(4, 3) > 0).astype(float)]),
    ("cce_probs", lambda p, t: losses.categorical_crossentropy(t, p),
     [probs(4, 3), np.eye(3)[[0, 2, 1, 1]]]),
    ("sparse_ce_probs", lambda p, y: losses.sparse_categorical_crossentropy(y, p),
     [probs(4, 3), labels(4, 3)]),
    ("mse", lambda p, t: losses.mean_squared_error(t, p), [normal(4, 3), normal(4, 3, seed=1)]),
    ("mae", lambda p, t: losses.mean_absolute_error(t, p), [normal(4, 3), normal(4, 3, seed=1)]),
    ("huber", lambda p, t: losses.huber(t, p), [2 * normal(4, 3), normal(4, 3, seed=1)]),
    ("kld", lambda p, t: losses.kl_divergence(t, p), [probs(4, 3), probs(4, 3, seed=1)]),
]


@pytest.mark.parametrize("name, fn, inputs", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, inputs):
    assert baeum.gradcheck(fn, *inputs)


def test_gradcheck_of_x_to_the_zero_at_zero():
    assert baeum.gradcheck(lambda x: x**0 + x, np.array([0.0, 1.0, -2.0]))


def test_gradcheck_of_a_whole_mlp():
    def mlp(x, w1, b1, w2, b2):
        h = F.tanh(F.linear(x, w1, b1))
        return losses.sparse_categorical_crossentropy(
            np.array([0, 1, 1, 0]), F.linear(h, w2, b2), from_logits=True).mean()

    assert baeum.gradcheck(mlp, normal(4, 3), normal(3, 5, seed=1), normal(5, seed=2),
                           normal(5, 2, seed=3), normal(2, seed=4))


def test_gradcheck_leaves_the_callers_arrays_alone():
    x = baeum.tensor(np.array([1.0, 2.0]), requires_grad=True)
    baeum.gradcheck(lambda a: a * a, x)
    assert x.tolist() == [1.0, 2.0] and x.grad is None


# --- gradcheck catches wrong backwards ------------------------------------------------
class SquareForgetsTheTwo(Function):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return (g * self.x,)  # wrong: d(x^2)/dx = 2x


class MulWrongSecondInput(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        return (g * self.b, g * self.b)  # the second should be g * a


class OneBadElement(Function):
    def forward(self, x):
        return 3 * x

    def backward(self, g):
        gx = 3 * g
        gx[1, 2] += 1.0
        return (gx,)


class TransposedGradient(Function):
    def forward(self, x):
        return x * np.arange(x.size).reshape(x.shape)

    def backward(self, g):
        return ((g * np.arange(g.size).reshape(g.shape)).T.reshape(g.shape),)


def test_gradcheck_catches_a_wrong_factor():
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(3,\)\) at element \(\d,\)"):
        baeum.gradcheck(SquareForgetsTheTwo.apply, normal(3))


def test_gradcheck_names_the_wrong_input():
    with pytest.raises(GradcheckError, match=r"input 1 \(shape \(2, 2\)\)"):
        baeum.gradcheck(MulWrongSecondInput.apply, normal(2, 2), normal(2, 2, seed=1))


def test_gradcheck_names_the_wrong_element_and_both_values():
    with pytest.raises(GradcheckError, match=r"element \(1, 2\): backward gave .*, finite "):
        baeum.gradcheck(OneBadElement.apply, normal(3, 4))


def test_gradcheck_catches_a_transposed_gradient():
    # a random upstream gradient, not all-ones, is what makes this detectable
    with pytest.raises(GradcheckError):
        baeum.gradcheck(TransposedGradient.apply, normal(3, 3))


def test_gradcheck_catches_a_missing_gradient():
    class NoGradient(Function):
        def forward(self, x):
            return 2 * x

        def backward(self, g):
            return (None,)

    with pytest.raises(GradcheckError, match="backward gave 0"):
        baeum.gradcheck(lambda x: NoGradient.apply(x) + 0 * x, normal(3))
