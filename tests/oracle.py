"""The PyTorch oracle harness: same seeded inputs into baeum and torch, compare the
forward value and every input gradient under a random upstream gradient (all-ones
would hide transpose bugs). float64, tight tolerance.

    from oracle import torch, compare
    compare(lambda a, b: a @ b, lambda a, b: a @ b, [rng.standard_normal((3, 4)), ...])
"""

import os

import numpy as np
import pytest

import baeum

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - exercised only on machines without torch
    torch = None
    if os.environ.get("CI") == "true":
        raise

requires_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch not installed (pip install torch)"
)


def compare(baeum_fn, torch_fn, inputs, *, grad=None, rtol=1e-6, atol=1e-9, seed=0):
    """Run both functions on the same float64 arrays and assert forward and gradients agree.

    `inputs`: a list of ndarrays. Float arrays become leaves that require grad in both
    frameworks unless `grad` (a list of bools) says otherwise; integer arrays pass as
    constants. Returns the baeum output tensor.
    """
    if grad is None:
        grad = [np.asarray(a).dtype.kind == "f" for a in inputs]
    b_in, t_in = [], []
    for a, g in zip(inputs, grad):
        a = np.asarray(a)
        if a.dtype.kind == "f":
            a = a.astype(np.float64)
        b_in.append(baeum.tensor(a.copy(), requires_grad=g))
        t_in.append(torch.tensor(a.copy(), requires_grad=g))
    b_out = baeum_fn(*b_in)
    t_out = torch_fn(*t_in)
    np.testing.assert_allclose(
        b_out.data, t_out.detach().numpy(), rtol=rtol, atol=atol, err_msg="forward differs"
    )
    r = np.random.default_rng(seed).standard_normal(b_out.shape)
    b_out.backward(r)
    t_out.backward(torch.from_numpy(r))
    for i, (b, t, g) in enumerate(zip(b_in, t_in, grad)):
        if not g:
            continue
        tg = np.zeros(b.shape) if t.grad is None else t.grad.numpy()
        bg = np.zeros(b.shape) if b.grad is None else b.grad.data
        np.testing.assert_allclose(
            bg, tg, rtol=rtol, atol=atol, err_msg=f"gradient of input {i} differs"
        )
    return b_out


def layer_against_torch(layer, x, torch_fn, rng, tol=1e-10):
    """layer(x) against torch_fn(x, *weights) with the layer's weights copied: the output
    and, under a random upstream gradient, the gradients of x and of every weight.
    Returns baeum's output."""
    xb = baeum.tensor(x, requires_grad=True)
    y = layer(xb)
    xt = torch.tensor(x, requires_grad=True)
    wt = [torch.tensor(w.data.copy(), requires_grad=True) for w in layer.weights]
    yt = torch_fn(xt, *wt)
    assert y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=tol, atol=tol)
    r = rng.standard_normal(y.shape)
    y.backward(r)
    yt.backward(torch.from_numpy(r))
    for ours, theirs in zip([xb, *layer.weights], [xt, *wt]):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=tol, atol=tol)
    return y
