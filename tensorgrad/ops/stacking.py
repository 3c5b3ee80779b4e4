"""Stacking, reshaping and product helpers composed from differentiable ops, with PyTorch's names:
atleast_1d/2d/3d, hstack, vstack (row_stack), dstack, column_stack, swapdims, adjoint, kron,
tensordot, inner, chain_matmul, diagflat, vander, combinations and narrow_copy.

Every one is written with cat, reshape, transpose, mul, matmul and indexing, so its gradient (and
second derivative) is theirs.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap, normalize_dim


def _tensor(input: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return input


def _atleast(tensors: tuple, ndim: int, op: str) -> Any:
    """Each tensor viewed with at least `ndim` dims, placed as PyTorch places the new size-1 dims:
    a 1-D (n,) becomes (1, n) and (1, n, 1); a 2-D (m, n) becomes (m, n, 1)."""
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        shape = _tensor(t, op)._data.shape
        if len(shape) < ndim:
            new = {0: (1, 1, 1), 1: (1, *shape, 1), 2: (*shape, 1)}[len(shape)]
            t = reshape(t, new[:ndim])
        out.append(t)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    """A 0-d tensor as shape (1,); others unchanged. One tensor in, one out; else a tuple."""
    return _atleast(tensors, 1, "atleast_1d")


def atleast_2d(*tensors: Any) -> Any:
    """0-d as (1, 1), 1-D (n,) as (1, n); others unchanged."""
    return _atleast(tensors, 2, "atleast_2d")


def atleast_3d(*tensors: Any) -> Any:
    """0-d as (1, 1, 1), (n,) as (1, n, 1), (m, n) as (m, n, 1); others unchanged."""
    return _atleast(tensors, 3, "atleast_3d")


def _sequence(tensors: Any, op: str) -> list:
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a sequence of Tensors, got {type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op}: expects a non-empty TensorList")
    return [_tensor(t, op) for t in tensors]


def hstack(tensors: Any) -> Tensor:
    """Concatenate column-wise: along dim 0 for 1-D tensors, dim 1 otherwise."""
    parts = list(atleast_1d(_sequence(tensors, "hstack")))
    return cat(parts, 0 if parts[0]._data.ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    """Concatenate row-wise (dim 0) after atleast_2d."""
    return cat(list(atleast_2d(_sequence(tensors, "vstack"))), 0)


row_stack = vstack


def dstack(tensors: Any) -> Tensor:
    """Concatenate depth-wise (dim 2) after atleast_3d."""
    return cat(list(atleast_3d(_sequence(tensors, "dstack"))), 2)


def column_stack(tensors: Any) -> Tensor:
    """0-d and 1-D tensors become columns (n, 1); then concatenate along dim 1."""
    parts = [reshape(t, (-1, 1)) if t._data.ndim <= 1 else t for t in _sequence(tensors, "column_stack")]
    return cat(parts, 1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """transpose(input, dim0, dim1) (NumPy's swapaxes under another name)."""
    return transpose(_tensor(input, "swapdims"), dim0, dim1)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (for real tensors, the transpose): a view."""
    ndim = _tensor(input, "adjoint")._data.ndim
    if ndim < 2:
        raise RuntimeError(
            f"adjoint: tensor.adjoint() is only supported on matrices or batches of matrices. "
            f"Got {ndim}-D tensor."
        )
    return transpose(input, -2, -1)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: for shapes a and b (padded with leading 1s to the same length), the
    result has shape a[i] * b[i], block (i...) equal to input[i...] * other."""
    a, b = _tensor(input, "kron"), _tensor(other, "kron")
    n = max(a._data.ndim, b._data.ndim)
    sa = (1,) * (n - a._data.ndim) + a._data.shape
    sb = (1,) * (n - b._data.ndim) + b._data.shape
    interleaved_a = tuple(x for s in sa for x in (s, 1))
    interleaved_b = tuple(x for s in sb for x in (1, s))
    product = mul(reshape(a, interleaved_a), reshape(b, interleaved_b))
    return reshape(product, tuple(x * y for x, y in zip(sa, sb)))


def _contracted_dims(dims: Any, a: Tensor, b: Tensor) -> tuple[list[int], list[int]]:
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        if dims < 0 or dims > min(na, nb):
            raise RuntimeError(
                f"tensordot: dims={dims} must be between 0 and the smaller number of dims of "
                f"shapes {list(a._data.shape)} and {list(b._data.shape)}"
            )
        return list(range(na - dims, na)), list(range(dims))
    if isinstance(dims, (list, tuple)) and len(dims) == 2:
        da, db = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError(f"tensordot: both dimension lists should have same length, got {da} and {db}")
        return [normalize_dim(d, na, "tensordot") for d in da], [
            normalize_dim(d, nb, "tensordot") for d in db
        ]
    raise TypeError(f"tensordot: dims must be an int or a pair of lists of dims, got {dims!r}")


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Sum of a * b over the paired dims (the last `dims` of a with the first of b, or the two
    lists), as one matrix product: result shape is a's free dims then b's free dims."""
    a, b = _tensor(a, "tensordot"), _tensor(b, "tensordot")
    da, db = _contracted_dims(dims, a, b)
    sa, sb = a._data.shape, b._data.shape
    for x, y in zip(da, db):
        if sa[x] != sb[y]:
            raise RuntimeError(
                f"tensordot: contracted dimensions need to match, but first has size {sa[x]} in dim {x} "
                f"and second has size {sb[y]} in dim {y} (shapes {list(sa)} and {list(sb)})"
            )
    free_a = [d for d in range(len(sa)) if d not in da]
    free_b = [d for d in range(len(sb)) if d not in db]
    k = math.prod(sa[d] for d in da)
    left = reshape(permute(a, free_a + da), (math.prod(sa[d] for d in free_a), k))
    right = reshape(permute(b, db + free_b), (k, math.prod(sb[d] for d in free_b)))
    return reshape(matmul(left, right), tuple(sa[d] for d in free_a) + tuple(sb[d] for d in free_b))


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum over the last dim of input * other (product if either is 0-d); result shape is
    input.shape[:-1] + other.shape[:-1]."""
    a, b = _tensor(input, "inner"), _tensor(other, "inner")
    if a._data.ndim == 0 or b._data.ndim == 0:
        return mul(a, b)
    if a._data.shape[-1] != b._data.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(a._data.shape)} and {list(b._data.shape)}"
        )
    return tensordot(a, b, ([-1], [-1]))


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of 2-D matrices, left to right (PyTorch's deprecated linalg.multi_dot)."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        if _tensor(m, "chain_matmul")._data.ndim != 2:
            raise RuntimeError(f"chain_matmul(): Tensor {i} must be 2-D, got shape {list(m._data.shape)}")
    out = matrices[0]
    for m in matrices[1:]:
        out = mm(out, m)
    return out if len(matrices) > 1 else clone(out)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened input as the `offset`-th diagonal of a square matrix."""
    return diag(reshape(_tensor(input, "diagflat"), (-1,)), offset)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-D x: columns x**(N-1), ..., x**0 (reversed if increasing).
    Powers are running products, so integer x stays integer (bool becomes int64)."""
    x = _tensor(x, "vander")
    if x._data.ndim != 1:
        raise RuntimeError(f"vander: x must be a one-dimensional tensor, got shape {list(x._data.shape)}")
    n = x._data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError(f"vander: N must be non-negative, got {N}")
    if x._data.dtype.kind == "b":
        x = cast(x, np.dtype(np.int64))
    rows = x._data.shape[0]
    columns = [_wrap(np.ones((rows, min(n, 1)), x._data.dtype))]
    if n > 1:
        columns.append(cumprod(expand(reshape(x, (rows, 1)), (rows, n - 1)), 1))
    powers = cat(columns, 1)
    return powers if increasing else flip(powers, (1,))


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The r-length combinations of a 1-D input's entries, as rows (itertools' order), shape (k, r)."""
    x = _tensor(input, "combinations")
    if x._data.ndim != 1:
        raise RuntimeError(f"combinations: Expect a 1D vector, but got shape {list(x._data.shape)}")
    if r < 0:
        raise RuntimeError(f"combinations: Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(np.empty((0,), x._data.dtype))
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(choose(range(x._data.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return reshape(index_select(x, 0, _wrap(index.reshape(-1))), index.shape)


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """narrow(input, dim, start, length) as a new contiguous tensor (not a view)."""
    return clone(narrow(_tensor(input, "narrow_copy"), dim, start, length))


from .arrange import diag  # noqa: E402
from .elementwise import cast, clone, mul  # noqa: E402
from .index import index_select  # noqa: E402
from .matmul import matmul, mm  # noqa: E402
from .scan import cumprod  # noqa: E402
from .shape import cat, expand, flip, narrow, permute, reshape, transpose  # noqa: E402
