"""Tensor, Function and the graph: the PyTorch-style core everything else stands on."""

from baeum.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from baeum.autograd.tensor import Tensor, tensor
from baeum.autograd.function import Function, sum_to  # noqa: I001 - needs Tensor first
from baeum.autograd.gradcheck import GradcheckError, gradcheck
