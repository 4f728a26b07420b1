import numpy as np

import baeum
from oracle import compare, requires_torch, torch


def test_square_grad():
    x = baeum.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    ((x * x) + 2 * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[4, 6], [8, 10]])


@requires_torch
def test_matmul_against_torch(rng):
    compare(lambda a, b: a @ b, lambda a, b: a @ b,
            [rng.standard_normal((3, 4)), rng.standard_normal((4, 5))])
