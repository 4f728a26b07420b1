"""einsum: forward and every operand's gradient against torch.einsum (float64 tight, float32
too), finite-difference gradient checks, the errors a user can cause, and the names it is
exposed under (baeum.einsum, F.einsum, ops.einsum on real and symbolic tensors)."""

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum import layers, ops
from baeum.models import load_model
from oracle import compare, requires_torch, torch

# (equation, operand shapes): each kind of index einsum has.
EQUATIONS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),                        # matmul
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),               # batch matmul
    ("i,j->ij", [(3,), (4,)]),                              # outer product
    ("ii", [(4, 4)]),                                       # trace (implicit output)
    ("ii->i", [(4, 4)]),                                    # diagonal
    ("ij->ji", [(3, 4)]),                                   # transpose
    ("ij->", [(3, 4)]),                                     # sum of everything
    ("ij->i", [(3, 4)]),                                    # sum over one index
    ("...ij,jk->...ik", [(2, 1, 3, 4), (4, 5)]),            # leading batch axes
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 6)]),      # a broadcast batch axis
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),             # three operands
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),         # bilinear
    ("ij,jk", [(3, 4), (4, 5)]),                            # implicit output
    ("ba,ac", [(3, 4), (4, 5)]),                            # implicit output, sorted: bc
    ("Ba,aC", [(3, 4), (4, 5)]),                            # upper case sorts first
    ("iij,jk->ik", [(3, 3, 4), (4, 2)]),                    # a diagonal inside a product
    ("ii,ij,jj->ij", [(3, 3), (3, 3), (3, 3)]),             # diagonals of three operands
    ("ij,ij->ij", [(3, 4), (3, 4)]),                        # elementwise product
    ("ij,kl->", [(2, 3), (4, 5)]),                          # indices summed in one operand
    ("bqhd,bkhd->bhqk", [(2, 3, 4, 5), (2, 6, 4, 5)]),      # attention scores
    ("ijk,ikl,l->ij", [(2, 3, 4), (2, 4, 5), (5,)]),        # batch axis with a vector
    ("...ij->ij", [(2, 3, 4)]),                             # '...' summed (torch's rule)
    ("...,...->...", [(2, 1), (3,)]),                       # pure broadcasting
    ("i,->i", [(3,), ()]),                                  # a scalar operand
    ("b i j , b j k -> b i k", [(2, 3, 4), (2, 4, 5)]),     # spaces, as torch allows
]
IDS = [eq for eq, _ in EQUATIONS]


def operands(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


@requires_torch
@pytest.mark.torch
@pytest.mark.parametrize("equation, shapes", EQUATIONS, ids=IDS)
def test_einsum_matches_torch_float64(equation, shapes):
    compare(lambda *xs: baeum.einsum(equation, *xs),
            lambda *xs: torch.einsum(equation, *xs), operands(shapes), rtol=1e-10,
            atol=1e-12)


@requires_torch
@pytest.mark.torch
@pytest.mark.parametrize("equation, shapes", EQUATIONS, ids=IDS)
def test_einsum_matches_torch_float32(equation, shapes):
    xs = [x.astype(np.float32) for x in operands(shapes)]
    b = [baeum.tensor(x, requires_grad=True) for x in xs]
    t = [torch.tensor(x, requires_grad=True) for x in xs]
    yb, yt = baeum.einsum(equation, *b), torch.einsum(equation, *t)
    assert yb.dtype == np.float32
    np.testing.assert_allclose(yb.data, yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    r = np.random.default_rng(1).standard_normal(yb.shape).astype(np.float32)
    yb.backward(r)
    yt.backward(torch.from_numpy(r))
    for i, (xb, xt) in enumerate(zip(b, t)):
        assert xb.grad.dtype == np.float32 and xb.grad.shape == xb.shape
        np.testing.assert_allclose(xb.grad.data, xt.grad.numpy(), rtol=1e-5, atol=1e-5,
                                   err_msg=f"gradient of operand {i}")


@pytest.mark.parametrize("equation, shapes", EQUATIONS, ids=IDS)
def test_einsum_forward_matches_numpy(equation, shapes):
    xs = operands(shapes)
    if equation == "...ij->ij":  # NumPy refuses an explicit output without '...'
        expected = xs[0].sum(axis=0)
    else:
        expected = np.einsum(equation, *xs)
    np.testing.assert_allclose(baeum.einsum(equation, *xs).data, expected, rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("ii->i", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    ("bn,anm,bm->ba", [(2, 3), (2, 3, 2), (2, 2)]),
    ("iij,jk->ik", [(2, 2, 3), (3, 2)]),
    ("ij,kl->ik", [(2, 3), (2, 2)]),
])
def test_einsum_gradcheck(equation, shapes):
    assert baeum.gradcheck(lambda *xs: baeum.einsum(equation, *xs), *operands(shapes))


def test_gradient_of_a_diagonal_is_zero_off_the_diagonal():
    x = baeum.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    baeum.einsum("ii->i", x).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad.data, np.diag([1.0, 2.0, 3.0]))


def test_gradient_of_an_operand_used_twice_adds_up():
    # x used as both operands: d/dx sum(x x^T * r) = (r + r^T) x
    x0 = np.random.default_rng(0).standard_normal((3, 4))
    x = baeum.tensor(x0, requires_grad=True)
    r = np.random.default_rng(1).standard_normal((3, 3))
    baeum.einsum("ik,jk->ij", x, x).backward(r)
    np.testing.assert_allclose(x.grad.data, (r + r.T) @ x0, rtol=1e-12)


def test_only_the_operands_that_require_grad_get_one():
    a = baeum.tensor(np.ones((2, 3)), requires_grad=True)
    b = baeum.tensor(np.ones((3, 4)))
    baeum.einsum("ij,jk->ik", a, b).sum().backward()
    assert a.grad.shape == (2, 3) and b.grad is None
    np.testing.assert_array_equal(a.grad.data, np.full((2, 3), 4.0))


def test_integer_operands_compute_in_the_float_dtype():
    a = np.arange(6).reshape(2, 3)
    w = baeum.tensor(np.ones((3, 2), np.float32), requires_grad=True)
    y = baeum.einsum("ij,jk->ik", a, w)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, [[3, 3], [12, 12]])
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [[3, 3], [5, 5], [7, 7]])


def test_operands_as_one_list_and_as_lists_of_numbers():
    a, b = baeum.ones((2, 3)), baeum.ones((3, 4))
    assert baeum.einsum("ij,jk->ik", [a, b]).shape == (2, 4)  # torch's older form
    np.testing.assert_array_equal(baeum.einsum("ij->ji", [[1.0, 2.0]]).data, [[1.0], [2.0]])


def test_no_grad_records_no_graph():
    a = baeum.tensor(np.ones((2, 3)), requires_grad=True)
    with baeum.no_grad():
        y = baeum.einsum("ij->j", a)
    assert not y.requires_grad


# --- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("equation, shapes, message", [
    ("ij,jk->ik", [(2, 3)], r"2 input term\(s\) \('ij', 'jk'\), but 1 operand\(s\)"),
    ("ij,jk->ik", [(2, 3), (3, 4), (4,)], r"2 input term\(s\).*but 3 operand\(s\)"),
    ("ij,jk->ik", [(2, 3), (4, 5)],
     r"index 'j' .* size 3 in operand 0 \(axis 1 .*\) but size 4 in operand 1 \(axis 0"),
    ("ii", [(2, 3)], r"index 'i' .* size 2 in operand 0 .* but size 3 in operand 0"),
    ("ij,ij->ij", [(1, 3), (2, 3)], r"index 'i' .* size 1 .* size 2.*only '\.\.\.' axes"),
    ("ij", [(2, 3, 4)], r"operand 0 has shape \(2, 3, 4\) \(3 dimensions\).*names 2"),
    ("...ijk", [(2, 3)], r"operand 0 has shape \(2, 3\).*names 3 \(plus '\.\.\.'\)"),
    ("ij->k", [(2, 3)], r"output index 'k' .* appears in no input term"),
    ("ij->ii", [(2, 3)], r"output index 'i' appears 2 times"),
    ("i..j", [(2, 3)], r"has '\.'"),
    ("i1", [(2, 3)], r"has '1'"),
    ("...ij,...jk", [(2, 3, 4), (3, 4, 5)], r"'\.\.\.' axes .* \(2,\), \(3,\), do not broadcast"),
])
def test_einsum_errors(equation, shapes, message):
    with pytest.raises(ValueError, match=message):
        baeum.einsum(equation, *[np.ones(s) for s in shapes])


def test_einsum_equation_must_be_a_string():
    with pytest.raises(TypeError, match="equation must be a string"):
        baeum.einsum(np.ones(3), np.ones(3))


# --- the names it goes by ----------------------------------------------------------------
def test_exposed_as_baeum_functional_and_keras_ops():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    for fn in (baeum.einsum, F.einsum, ops.einsum, baeum.ops.einsum):
        np.testing.assert_array_equal(fn("ij,jk->ik", a, b).data, np.full((2, 4), 3.0))
    assert "einsum" in ops.__all__ and "einsum" in F.__all__


def test_ops_einsum_on_symbolic_tensors_records_saves_and_loads(tmp_path):
    inputs = layers.Input(shape=(5, 4))
    x = layers.Dense(4, name="proj")(inputs)
    scores = ops.einsum("bqd,bkd->bqk", x, inputs)   # (None, 5, 5)
    assert scores.shape == (None, 5, 5)
    outputs = layers.Dense(2)(layers.Flatten()(scores))
    model = baeum.Model(inputs, outputs)
    data = np.random.default_rng(0).standard_normal((3, 5, 4)).astype(np.float32)
    dense = model.get_layer("proj")
    expected = np.einsum("bqd,bkd->bqk", data @ dense.kernel.data + dense.bias.data, data)
    np.testing.assert_allclose(
        baeum.Model(inputs, scores)(data).data, expected, rtol=1e-5, atol=1e-6)
    model.compile(optimizer="adam", loss="mse")
    model.fit(data, np.zeros((3, 2), np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "einsum.baeum")
    loaded = load_model(tmp_path / "einsum.baeum")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-6, atol=1e-6)
