"""The Tensor itself: creation, dtype rules, properties, conversions, no_grad, backward()."""

import numpy as np
import pytest

import baeum
from baeum.autograd.function import Function


# --- creation and dtype rules --------------------------------------------------------
def test_python_floats_become_float32():
    assert baeum.tensor([1.0, 2.5]).dtype == np.float32
    assert baeum.tensor([[1.0], [2.0]]).dtype == np.float32
    assert baeum.tensor(3.5).dtype == np.float32
    assert baeum.tensor([1, 2.5]).dtype == np.float32  # mixed int/float list


def test_numpy_arrays_and_scalars_keep_their_dtype():
    for dt in (np.float64, np.float32, np.int32, np.int64, np.uint8, np.bool_):
        assert baeum.tensor(np.zeros(3, dt)).dtype == dt
    assert baeum.tensor(np.float64(2.0)).dtype == np.float64
    assert baeum.tensor(np.int32(2)).dtype == np.int32


def test_ints_and_bools_stay_ints_and_bools():
    assert baeum.tensor([1, 2, 3]).dtype.kind == "i"
    assert baeum.tensor([True, False]).dtype == np.bool_


def test_explicit_dtype_by_name_type_or_numpy():
    assert baeum.tensor([1, 2], dtype="float64").dtype == np.float64
    assert baeum.tensor([1.0], dtype=np.float64).dtype == np.float64
    assert baeum.tensor([1.7, 2.2], dtype="int32").tolist() == [1, 2]
    assert baeum.tensor([1.0], dtype=baeum.float32).dtype == np.float32


def test_tensor_from_tensor_and_list_of_tensors():
    a = baeum.tensor([1.0, 2.0])
    assert baeum.tensor(a).tolist() == [1.0, 2.0]
    stacked = baeum.tensor([a, a])
    assert stacked.shape == (2, 2) and stacked.dtype == np.float32


def test_creation_functions():
    assert baeum.zeros(2, 3).shape == (2, 3) and baeum.zeros(2, 3).dtype == np.float32
    assert baeum.ones((2, 3)).shape == (2, 3)
    assert baeum.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert baeum.zeros(3, dtype="float64").dtype == np.float64
    assert baeum.randn(4, 5).dtype == np.float32 and baeum.rand(4).shape == (4,)
    assert baeum.arange(3).dtype.kind == "i" and baeum.arange(0, 1, 0.5).dtype == np.float32
    x = baeum.tensor(np.ones((2, 2)))
    assert baeum.zeros_like(x).dtype == np.float64 and baeum.ones_like(x).tolist() == [[1, 1]] * 2
    assert baeum.ones(2, requires_grad=True).requires_grad


def test_random_is_reproducible_with_seed():
    baeum.random.seed(7)
    a = baeum.randn(5).tolist()
    baeum.random.seed(7)
    assert baeum.randn(5).tolist() == a


@pytest.mark.parametrize("scalar", [2, 2.5, np.float64(2.5), np.float32(2.5), True])
@pytest.mark.parametrize(
    "op",
    [
        lambda x, s: x + s, lambda x, s: s + x, lambda x, s: x - s, lambda x, s: s - x,
        lambda x, s: x * s, lambda x, s: s * x, lambda x, s: x / s, lambda x, s: s / x,
        lambda x, s: x**s, lambda x, s: s**x, lambda x, s: baeum.maximum(x, s),
        lambda x, s: baeum.clip(x, s, None), lambda x, s: baeum.where(x.data > 1, x, s),
    ],
)
def test_float32_op_python_or_numpy_scalar_stays_float32(op, scalar):
    x = baeum.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = op(x, scalar)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_float32_ops_and_backward_stay_float32():
    import baeum.functional as F

    x = baeum.randn(4, 3, requires_grad=True)
    w = baeum.randn(3, 2, requires_grad=True)
    b = baeum.zeros(2, requires_grad=True)
    h = F.gelu(F.linear(x, w, b)) * 0.5 + F.softplus(x @ w) - x.mean(axis=1, keepdims=True)
    loss = (F.softmax(h) ** 2).sum() + x.var() + (2.0**x).mean() + F.elu(x).std()
    assert loss.dtype == np.float32
    loss.backward()
    for t in (x, w, b):
        assert t.grad.dtype == np.float32


def test_float64_works_everywhere():
    import baeum.functional as F

    x = baeum.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    w = baeum.tensor(np.ones((3, 2)), requires_grad=True)
    loss = (F.log_softmax(F.tanh(x @ w) * 2.0, axis=0) * x.sum(axis=1, keepdims=True)).mean()
    assert loss.dtype == np.float64
    loss.backward()
    assert x.grad.dtype == np.float64 and w.grad.dtype == np.float64


def test_int_tensors():
    a = baeum.tensor([1, 2, 3])
    assert (a + a).dtype.kind == "i" and (a * 2).dtype.kind == "i" and (a - 1).tolist() == [0, 1, 2]
    assert a.sum().item() == 6 and a.sum().dtype.kind == "i"
    assert a.max().item() == 3
    # Where NumPy would give float64 from ints, baeum gives the default float (as torch).
    assert (a / 2).dtype == np.float32 and (a / 2).tolist() == [0.5, 1.0, 1.5]
    assert (a * 0.5).dtype == np.float32
    assert a.mean().dtype == np.float32 and a.mean().item() == 2.0
    assert baeum.exp(a).dtype == np.float32
    assert baeum.tensor([1, 2, 4]).var().item() == pytest.approx(14 / 9)
    assert a.astype("float32").dtype == np.float32
    # int tensors mixed with float64 arrays are float64, on purpose
    assert (a + np.ones(3)).dtype == np.float64


def test_astype_is_differentiable_between_floats():
    x = baeum.tensor([1.0, 2.0], requires_grad=True)
    y = x.astype("float64")
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 4.0]
    assert x.astype("float32") is x
    i = x.astype("int32")
    assert i.dtype == np.int32 and not i.requires_grad


# --- properties and conversions ------------------------------------------------------
def test_properties():
    x = baeum.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.size == 24 and len(x) == 2
    assert x.dtype == np.float32 and x.is_leaf and not x.requires_grad and x.grad is None
    assert "tensor(" in repr(x) and "requires_grad" not in repr(x)
    assert "requires_grad=True" in repr(baeum.ones(2, requires_grad=True))
    assert "float64" in repr(baeum.tensor(np.ones(2)))


def test_item_numpy_detach():
    x = baeum.tensor([[2.5]], requires_grad=True)
    assert x.item() == 2.5 and isinstance(x.item(), float)
    assert float(x) == 2.5 and int(baeum.tensor(3)) == 3
    arr = x.numpy()
    assert isinstance(arr, np.ndarray) and arr.shape == (1, 1)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.item() == 5.0
    assert np.shares_memory(d.data, y.data)  # detach shares memory, like torch


def test_results_are_always_ndarrays():
    x = baeum.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for t in (x.sum(), x.mean(), x.max(), x[0], x @ x, x.var()):
        assert type(t.data) is np.ndarray and t.shape == () and t.dtype == np.float32


def test_comparisons_return_bool_ndarrays():
    x = baeum.tensor([1.0, 2.0, 3.0])
    y = baeum.tensor([3.0, 2.0, 1.0])
    for result, expected in [
        (x < y, [True, False, False]), (x <= y, [True, True, False]),
        (x > 2, [False, False, True]), (x >= 2, [False, True, True]),
        (x == y, [False, True, False]), (x != y, [True, False, True]),
    ]:
        assert isinstance(result, np.ndarray) and result.dtype == np.bool_
        assert result.tolist() == expected


def test_argmax_and_array_protocol():
    x = baeum.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 1.0]])
    assert x.argmax(axis=1).tolist() == [1, 0] and x.argmin(axis=1).tolist() == [0, 1]
    assert np.asarray(x).shape == (2, 3)
    assert (np.ones(3) + baeum.ones(3)).__class__ is baeum.Tensor  # Tensor wins over ndarray


# --- no_grad ------------------------------------------------------------------------
def test_no_grad_context_manager_restores_state():
    w = baeum.ones(3, requires_grad=True)
    with baeum.no_grad():
        assert not baeum.is_grad_enabled()
        y = w * 2
        with baeum.enable_grad():
            z = w * 2
        assert not baeum.is_grad_enabled()
    assert baeum.is_grad_enabled()
    assert not y.requires_grad and y._ctx is None
    assert z.requires_grad


def test_no_grad_restores_state_after_an_exception():
    with pytest.raises(KeyError), baeum.no_grad():
        raise KeyError
    assert baeum.is_grad_enabled()


def test_no_grad_as_decorator_with_and_without_parentheses():
    w = baeum.ones(3, requires_grad=True)

    @baeum.no_grad()
    def f(t):
        return t * 2

    @baeum.no_grad
    def g(t):
        """docstring kept"""
        return t * 3

    assert not f(w).requires_grad and not g(w).requires_grad
    assert g.__doc__ == "docstring kept"
    assert baeum.is_grad_enabled() and (w * 2).requires_grad


# --- backward -----------------------------------------------------------------------
def test_long_chain_uses_no_recursion():
    x = baeum.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001**10_000, rtol=1e-3)


def test_topological_order_on_a_diamond():
    # x feeds two paths that meet again: its gradient must be complete before it is used.
    x = baeum.tensor(3.0, requires_grad=True)
    a = x * x  # 9
    b = a * 2 + a.exp() * 0  # depends on a twice
    c = (a + b) * x  # uses x directly too
    c.backward()
    # c = (x^2 + 2 x^2) x = 3 x^3 -> dc/dx = 9 x^2
    assert x.grad.item() == pytest.approx(81.0)


def test_gradient_accumulates_over_uses_and_calls():
    x = baeum.tensor([1.0, 2.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 5.0])
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 8.0])
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])


def test_leaf_grads_are_writeable_arrays():
    # Sum's backward spreads one value over a shape; the leaf must get a real array.
    a = baeum.ones(3, requires_grad=True)
    b = baeum.ones(2, 3, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.data.flags.writeable and b.grad.data.flags.writeable
    assert a.grad.tolist() == [2.0, 2.0, 2.0] and b.grad.tolist() == [[1.0] * 3] * 2


def test_graph_is_freed_after_backward():
    x = baeum.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()
    # the saved arrays are gone: the Function keeps nothing alive
    assert y._ctx.parents is None and "x" not in vars(y._ctx)


def test_retain_graph_allows_a_second_backward_which_accumulates():
    x = baeum.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 8.0])


def test_backward_with_explicit_grad_and_shape_check():
    x = baeum.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.data, [3.0, 30.0])
    with pytest.raises(ValueError, match=r"gradient of shape \(2,\), got \(3,\)"):
        (x * 3).backward(np.ones(3))


def test_backward_of_a_leaf_itself():
    x = baeum.tensor([1.0, 2.0], requires_grad=True)
    x.backward(np.array([1.0, 1.0]))
    assert x.grad.tolist() == [1.0, 1.0]


def test_non_scalar_backward_without_grad_raises():
    x = baeum.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"single-element.*\(2,\)"):
        (x * 2).backward()


def test_backward_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        baeum.tensor([1.0]).sum().backward()
    w = baeum.ones(1, requires_grad=True)
    with baeum.no_grad():
        y = (w * 2).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


def test_only_requested_gradients_are_computed():
    x = baeum.ones(2, 2, requires_grad=True)
    c = baeum.ones(2, 2)  # a constant
    (x @ c).sum().backward()
    assert x.grad is not None and c.grad is None


def test_a_function_that_returns_none_for_a_needed_input_stops_the_flow():
    class Blocker(Function):
        def forward(self, x):
            return x.copy()

        def backward(self, g):
            return (None,)

    x = baeum.ones(2, requires_grad=True)
    y = baeum.ones(2, requires_grad=True)
    h = Blocker.apply(x * 2)  # the Mul behind the blocker never receives a gradient
    (h + y).sum().backward()
    assert x.grad is None and y.grad.tolist() == [1.0, 1.0]


def test_multi_output_function_gets_zeros_for_unused_outputs():
    class SplitHalves(Function):
        n_outputs = 2

        def forward(self, x):
            return x[:2].copy(), x[2:].copy()

        def backward(self, grads):
            return (np.concatenate(grads),)

    x = baeum.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    lo, hi = SplitHalves.apply(x)
    (lo * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 0.0, 0.0]
