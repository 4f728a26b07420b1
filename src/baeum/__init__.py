"""baeum (배움, "learning"): deep learning from scratch on NumPy.

The low level is PyTorch-style (`baeum.tensor`, `backward()`, `no_grad()`); the high
level is Keras (`baeum.layers`, `baeum.Sequential`, `compile/fit`).
"""
# ruff: noqa: I001 - import order is deliberate: ops installs the Tensor methods first

from baeum import memory

memory.keep_freed_memory()  # before the first large array: see baeum/memory.py

from baeum import backend, random
from baeum.autograd import (
    Function,
    GradcheckError,
    Tensor,
    enable_grad,
    gradcheck,
    is_grad_enabled,
    no_grad,
    tensor,
)
from baeum import ops  # installs the Tensor operators and methods
from baeum.ops.creation import arange, full, ones, ones_like, rand, randn, zeros, zeros_like
from baeum.ops.elementwise import (
    abs,
    astype,
    clip,
    cos,
    exp,
    expm1,
    log,
    log1p,
    maximum,
    minimum,
    sin,
    sqrt,
    where,
)
from baeum.ops.einsum_op import einsum
from baeum.ops.linalg import matmul
from baeum.ops.reduce import argmax, argmin, max, mean, min, std, sum, var
from baeum.ops.shaping import (
    broadcast_to,
    concatenate,
    expand_dims,
    flatten,
    pad,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
)
from baeum import functional
from baeum import optimizers
from baeum import activations, callbacks, constraints, datasets, initializers, layers, losses
from baeum import metrics, models
from baeum import parallel, regularizers, saving, utils
from baeum import config
from baeum.layers import Input, KerasTensor, Layer
from baeum.models import Model, Sequential

float32 = backend.np.float32
float64 = backend.np.float64

__version__ = "0.1.0"
