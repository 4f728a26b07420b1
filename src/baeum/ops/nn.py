"""Neural-network ops that are not activations: dropout and embedding lookup."""

import math

import numpy as np

from baeum import random
from baeum.autograd.function import Function


class Dropout(Function):
    """Zero each value with probability `rate`, scale the rest by 1/(1-rate) (inverted dropout).

    mask_shape: the mask's shape when it is shared along some axes (size 1 there: a whole
    feature map dropped at once), else x's. generator: a numpy Generator of the caller's,
    else baeum's global one.
    """

    def forward(self, x, rate, mask_shape=None, generator=None):
        generator = generator or random.get_generator()
        keep = generator.random(mask_shape or x.shape, dtype=np.float32) >= rate
        self.mask = keep * np.asarray(1.0 / (1.0 - rate), dtype=x.dtype)
        return x * self.mask

    def backward(self, g):
        return (g * self.mask, None)


class Embedding(Function):
    """table[ids]: ids (...) integers, table (vocab, dim) -> (..., dim).

    Backward adds each output row's gradient into the row it came from; repeated ids
    accumulate. The sums are one np.bincount over (row, column) pairs, in float64: 2-7x
    faster than np.add.at (22 against 11 ms for a text batch of 32 x 500 ids into a
    20000 x 128 table).
    """

    def forward(self, ids, table):
        self.ids, self.table_shape, self.dtype = ids, table.shape, table.dtype
        return table[ids]

    def backward(self, g):
        vocab, dim = self.table_shape[0], math.prod(self.table_shape[1:])
        rows = self.ids.reshape(-1, 1).astype(np.intp, copy=False)  # uint64 * int: float
        cells = (rows * dim + np.arange(dim)).reshape(-1)
        gt = np.bincount(cells, weights=g.reshape(-1), minlength=vocab * dim)
        return (None, gt.reshape(self.table_shape).astype(self.dtype, copy=False))
