"""einsum: Einstein summation over any number of tensors, and its gradient.

An equation names every axis of every operand with a letter: a letter shared by two
operands pairs up those axes, a letter missing from the output is summed over.

    "ij,jk->ik"      matmul              "bij,bjk->bik"   batch matmul
    "i,j->ij"        outer product       "ij->ji"         transpose
    "ii->i"          diagonal            "ii"             trace (implicit output)
    "ij->"           sum of everything   "...ij,jk->...ik" any leading batch axes

Without "->" the output is implicit, as in NumPy and PyTorch: the "..." axes, then the
letters that appear once, in alphabetical order ("ij,jk" is "ij,jk->ik"). The "..."
axes of the operands broadcast against each other as NumPy's do; letters do not: an
index has one size everywhere (an error names it and both sizes). An explicit output
without "..." sums the "..." axes away, as torch.einsum does.

Forward: two operands go to one BLAS matmul (batch axes, kept axes, summed axes, each
group merged into one), which is 1.1-3x faster than np.einsum(..., optimize=True) on
the equations layers use; one operand is np.einsum (a view, a sum or a transpose);
three or more are contracted pairwise in the order np.einsum_path picks.

Backward: the gradient of an operand is an einsum of the output gradient with the
other operands, onto that operand's axes. An index found only in that operand and
summed away (the j of "ij->i") broadcasts the gradient along it; a repeated index
("ii->i") writes the gradient onto the diagonal of zeros; a "..." axis of size 1 that
broadcast is summed back to size 1 by autograd's `sum_to`.
"""

import functools
import math
import string
from collections import Counter

import numpy as np

from baeum.autograd.function import Function, sum_to
from baeum.autograd.tensor import Tensor

_LETTERS = string.ascii_letters


class Einsum(Function):
    """np.einsum(equation, *operands) with every operand's gradient.

    `terms` is one string of letters per operand (one letter per axis, "..." already
    spelled out as letters), `output` the output's letters and `sizes` every letter's
    size (the broadcast size for a "..." axis). `einsum` below parses the equation.
    """

    def forward(self, *arrays, terms, output, sizes):
        floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
        if floats and len(floats) < len(arrays):  # integers compute in the floats' dtype
            dtype = np.result_type(*floats)
            arrays = tuple(a if a.dtype.kind == "f" else a.astype(dtype) for a in arrays)
        self.arrays, self.terms, self.output, self.sizes = arrays, terms, output, sizes
        return contract(arrays, terms, output, sizes)

    def backward(self, g):
        arrays, terms = self.arrays, self.terms
        grads = []
        for i, need in enumerate(self.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            term = terms[i]
            axes = "".join(dict.fromkeys(term))  # one letter per distinct index, in order
            others = [j for j in range(len(arrays)) if j != i]
            # dL/dA_i = einsum(g, the other operands -> A_i's indices), at broadcast sizes.
            grad = contract([g, *(arrays[j] for j in others)],
                            [self.output, *(terms[j] for j in others)], axes, self.sizes)
            own = {letter: n for letter, n in zip(term, arrays[i].shape)}
            grad = sum_to(grad, tuple(own[letter] for letter in axes))
            if len(axes) < len(term):  # a repeated index: the gradient lives on a diagonal
                full = np.zeros(arrays[i].shape, grad.dtype)
                _diagonal_view(full, term, axes, writeable=True)[...] = grad
                grad = full
            grads.append(grad)
        return grads


def einsum(equation, *operands):
    """Einstein summation: `einsum("ij,jk->ik", a, b)` is a @ b (see the module docstring).

    equation: one term per operand, comma-separated, then optionally "->" and the
    output's term; a term is one letter per axis, with at most one "..." standing for
    any number of (broadcast) axes. operands: tensors, arrays or nested lists; also
    accepted as one list, torch's older form `einsum(equation, [a, b])`.
    Returns a Tensor with one axis per output letter; gradients flow to every operand.

    >>> import baeum
    >>> a, b = baeum.ones((2, 3)), baeum.ones((3, 4))
    >>> baeum.einsum("ij,jk->ik", a, b).shape
    (2, 4)
    >>> baeum.einsum("ii", baeum.tensor([[1.0, 2.0], [3.0, 4.0]])).item()   # trace
    5.0
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)) and operands[0] and all(
            isinstance(x, Tensor) for x in operands[0]):
        operands = tuple(operands[0])
    tensors = [x if isinstance(x, Tensor) else Tensor(x) for x in operands]
    terms, output, sizes = parse_equation(equation, [t.shape for t in tensors])
    return Einsum.apply(*tensors, terms=terms, output=output, sizes=sizes)


# --- parsing --------------------------------------------------------------------------------
def parse_equation(equation, shapes):
    """(terms, output, sizes) for an einsum equation and the operands' shapes.

    Every "..." becomes letters the equation does not use, right-aligned across operands
    (an operand with fewer "..." axes broadcasts, as in NumPy), so each operand's term
    has exactly one letter per axis.

    >>> parse_equation("...ij,jk", [(5, 2, 3), (3, 4)])
    (['aij', 'jk'], 'aik', {'i': 2, 'j': 3, 'k': 4, 'a': 5})
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string such as 'ij,jk->ik', got "
                        f"{type(equation).__name__}: {equation!r}")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(
            f"einsum: the equation {equation!r} has {len(inputs)} input term(s) "
            f"({', '.join(repr(t) for t in inputs)}), but {len(shapes)} operand(s) were "
            f"given, of shapes {', '.join(str(tuple(s)) for s in shapes) or 'none'}")
    split = [_split_term(t, equation, f"the term of operand {k}") for k, t in enumerate(inputs)]
    n_dots = []
    for k, ((before, dots, after), shape) in enumerate(zip(split, shapes)):
        named = len(before) + len(after)
        if (not dots and len(shape) != named) or len(shape) < named:
            raise ValueError(
                f"einsum: operand {k} has shape {tuple(shape)} ({len(shape)} dimensions), but "
                f"its term {inputs[k]!r} in {equation!r} names {named}"
                + (" (plus '...')" if dots else "; a term names every axis, or has '...' for the "
                   "rest, as in '...ij'"))
        n_dots.append(len(shape) - named if dots else 0)
    free = [c for c in _LETTERS if c not in eq]
    rank = max(n_dots, default=0)
    if rank > len(free):
        raise ValueError(f"einsum: {equation!r} uses too many indices: '...' stands for "
                         f"{rank} axes and only {len(free)} letters are left for them")
    dot_letters = "".join(free[:rank])

    terms, sizes, where, dot_shapes = [], {}, {}, []
    for k, ((before, _, after), shape, n) in enumerate(zip(split, shapes, n_dots)):
        term = before + dot_letters[rank - n:] + after
        terms.append(term)
        for axis, (letter, size) in enumerate(zip(term, shape)):
            if letter in dot_letters:
                continue
            if letter in sizes and sizes[letter] != size:
                k0, axis0 = where[letter]
                raise ValueError(
                    f"einsum: index {letter!r} of {equation!r} has size {sizes[letter]} in "
                    f"operand {k0} (axis {axis0} of shape {tuple(shapes[k0])}) but size {size} "
                    f"in operand {k} (axis {axis} of shape {tuple(shape)}); an index has one "
                    "size (only '...' axes broadcast)")
            sizes.setdefault(letter, size)
            where.setdefault(letter, (k, axis))
        dot_shapes.append(tuple(shape[len(before):len(before) + n]))
    try:
        sizes.update(zip(dot_letters, np.broadcast_shapes(*dot_shapes)))
    except ValueError:
        raise ValueError(f"einsum: the '...' axes of the operands of {equation!r}, of shapes "
                         f"{', '.join(map(str, dot_shapes))}, do not broadcast") from None

    if not arrow:  # implicit: the '...' axes, then the letters seen once, sorted
        counts = Counter(c for before, _, after in split for c in before + after)
        return terms, dot_letters + "".join(sorted(c for c, n in counts.items() if n == 1)), sizes
    before, dots, after = _split_term(rhs, equation, "the output term")
    for letter, n in Counter(before + after).items():
        if letter not in sizes:
            raise ValueError(f"einsum: output index {letter!r} of {equation!r} appears in no "
                             "input term")
        if n > 1:
            raise ValueError(f"einsum: output index {letter!r} appears {n} times in "
                             f"{equation!r}; an output index appears once")
    return terms, before + (dot_letters if dots else "") + after, sizes


def _split_term(term, equation, what):
    """(letters before '...', whether there is one, letters after)."""
    before, dots, after = term.partition("...")
    for c in before + after:
        if c not in _LETTERS:
            raise ValueError(
                f"einsum: {what}, {term!r} in {equation!r}, has {c!r}: a term is letters "
                "(a-z, A-Z, one per axis) and at most one '...'")
    return before, bool(dots), after


# --- contraction ----------------------------------------------------------------------------
def contract(arrays, terms, output, sizes):
    """einsum of `arrays` (one term per array, one letter per axis) onto `output`.

    A letter of `output` in no term broadcasts (a gradient along an index that was summed
    away); an axis of size 1 whose letter has a larger size broadcasts too.
    """
    operands = []
    for a, term in zip(arrays, terms):
        axes = "".join(dict.fromkeys(term))
        if len(axes) < len(term):
            a, term = _diagonal_view(a, term, axes), axes  # read-only: never an alias to write
        squeeze = tuple(i for i, c in enumerate(term) if a.shape[i] == 1 and sizes[c] != 1)
        if squeeze:  # a broadcast '...' axis: the operand is constant along it
            a = a.reshape([n for i, n in enumerate(a.shape) if i not in squeeze])
            term = "".join(c for i, c in enumerate(term) if i not in squeeze)
        operands.append((a, term))
    present = set("".join(term for _, term in operands))
    reached = "".join(c for c in output if c in present)
    if len(operands) == 1:
        y = _single(*operands[0], reached)
    elif len(operands) == 2:
        y = _pair(*operands[0], *operands[1], reached)
    else:
        y = _chain(operands, reached)
    if len(reached) < len(output):
        y = y.reshape([sizes[c] if c in present else 1 for c in output])
        y = np.broadcast_to(y, [sizes[c] for c in output])
    return y


def _diagonal_view(a, term, axes, writeable=False):
    """The view of `a` with one axis per distinct letter: a[i, i] for "ii" (the strides of
    a repeated letter's axes add up)."""
    strides = [sum(s for c, s in zip(term, a.strides) if c == letter) for letter in axes]
    shape = [a.shape[term.index(letter)] for letter in axes]
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=writeable)


def _single(a, term, output):
    return a if term == output else np.einsum(f"{term}->{output}", a)


def _pair(a, ta, b, tb, output):
    """Two operands as one matmul: (batch, left, summed) @ (batch, summed, right)."""
    a, ta = _sum_alone(a, ta, tb, output)
    b, tb = _sum_alone(b, tb, ta, output)
    batch = [c for c in ta if c in tb and c in output]
    summed = [c for c in ta if c in tb and c not in output]
    left = [c for c in ta if c not in tb]
    right = [c for c in tb if c not in ta]
    size = {**dict(zip(ta, a.shape)), **dict(zip(tb, b.shape))}
    nb, m, k, n = (math.prod(size[c] for c in group) for group in (batch, left, summed, right))
    a = a.transpose([ta.index(c) for c in batch + left + summed])
    b = b.transpose([tb.index(c) for c in batch + summed + right])
    if nb == 1:
        y = a.reshape(m, k) @ b.reshape(k, n)
    else:
        y = np.matmul(a.reshape(nb, m, k), b.reshape(nb, k, n))
    order = batch + left + right
    y = y.reshape([size[c] for c in order])
    return y if "".join(order) == output else y.transpose([order.index(c) for c in output])


def _sum_alone(a, term, other, output):
    """Sum the axes whose letter is in neither the other operand nor the output."""
    axes = tuple(i for i, c in enumerate(term) if c not in other and c not in output)
    if not axes:
        return a, term
    return a.sum(axis=axes), "".join(c for i, c in enumerate(term) if i not in axes)


def _chain(operands, output):
    """Three or more operands: pairwise, in the order np.einsum_path finds cheapest."""
    equation = ",".join(term for _, term in operands) + "->" + output
    operands = list(operands)
    for step in _path(equation, tuple(a.shape for a, _ in operands)):
        group = [operands.pop(i) for i in sorted(step, reverse=True)][::-1]
        operands.append(_reduce(group, output + "".join(term for _, term in operands)))
    a, term = operands[0]
    return _single(a, term, output)


@functools.lru_cache(maxsize=256)
def _path(equation, shapes):
    """np.einsum_path's greedy order (cached: it costs about 25 us a call)."""
    placeholders = [np.broadcast_to(np.zeros((), np.float32), shape) for shape in shapes]
    return np.einsum_path(equation, *placeholders, optimize="greedy")[0][1:]


def _reduce(group, needed):
    """One operand from a group of them, left to right, keeping the letters in `needed`
    (the greedy path groups all the rest at once when no pair is cheaper first)."""
    a, term = group[0]
    if len(group) == 1:
        keep = "".join(c for c in term if c in needed)
        return _single(a, term, keep), keep
    for k, (b, other) in enumerate(group[1:], start=2):
        later = needed + "".join(t for _, t in group[k:])
        keep = "".join(c for c in dict.fromkeys(term + other) if c in later)
        a, term = _pair(a, term, b, other, keep), keep
    return a, term
