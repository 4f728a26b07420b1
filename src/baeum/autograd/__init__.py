"""Tensor, Function and the graph: the PyTorch-style core everything else stands on."""

from baeum.autograd.function import Function, sum_to
from baeum.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from baeum.autograd.gradcheck import GradcheckError, gradcheck
from baeum.autograd.tensor import Tensor, tensor
