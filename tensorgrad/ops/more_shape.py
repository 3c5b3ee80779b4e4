"""More shape and matrix functions with PyTorch's names: movedim (moveaxis), diagonal, trace,
diag_embed, tril_indices, triu_indices, cross, rot90, fliplr, flipud, tensor_split, block_diag,
cartesian_prod and diff.

Each is composed of indexing, permute, flip, cat and arithmetic, so gradients (first and second)
come from those ops. Unlike PyTorch's, diagonal returns a copy, not a view.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import broadcast_shapes


def _tensor(input: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return input


def _dims(dims: Any, ndim: int, op: str, name: str) -> list[int]:
    dims = [dims] if isinstance(dims, (int, np.integer)) else list(dims)
    out = [normalize_dim(d, ndim, op) for d in dims]
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: repeated dim in `{name}` ({dims})")
    return out


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """input with its dims `source` moved to positions `destination` (ints or sequences of them);
    the other dims keep their order. A view."""
    nd = _tensor(input, "movedim")._data.ndim
    src = _dims(source, nd, "movedim", "source")
    dst = _dims(destination, nd, "movedim", "destination")
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
            f"the same number of dims as destination ({list(dst)} dims)"
        )
    if nd == 0:
        return input
    order: list = [None] * nd
    for s, t in zip(src, dst):
        order[t] = s
    rest = iter([i for i in range(nd) if i not in src])
    return permute(input, [next(rest) if o is None else o for o in order])


moveaxis = movedim


def _diagonal_positions(rows: int, cols: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the `offset`-th diagonal of a rows x cols matrix."""
    length = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    steps = np.arange(length, dtype=np.int64)
    return steps - min(offset, 0), steps + max(offset, 0)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The `offset`-th diagonal of the matrices spanned by dim1 and dim2, as the last dim (above the
    main diagonal for offset > 0, below for offset < 0)."""
    nd = _tensor(input, "diagonal")._data.ndim
    d1, d2 = normalize_dim(dim1, nd, "diagonal"), normalize_dim(dim2, nd, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: diagonal dimensions cannot be identical {dim1}, {dim2}")
    matrices = movedim(input, (d1, d2), (-2, -1))
    rows, cols = _diagonal_positions(*matrices._data.shape[-2:], int(offset))
    return getitem(matrices, (Ellipsis, _wrap(rows), _wrap(cols)))


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (integer and bool matrices sum as int64)."""
    nd = _tensor(input, "trace")._data.ndim
    if nd != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {nd}")
    return sum(diagonal(input))


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices (in dims dim1 and dim2 of the result) whose `offset`-th diagonals are the last dim
    of input, zero elsewhere."""
    shape = _tensor(input, "diag_embed")._data.shape
    nd = len(shape) + 1
    d1, d2 = normalize_dim(dim1, nd, "diag_embed"), normalize_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diag_embed: diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = shape[-1]
    n = m + abs(int(offset))
    # every matrix entry picks an entry of [input, 0]: its diagonal ones input[..., i], the rest 0
    picks = np.full((n, n), m, dtype=np.int64)
    picks[_diagonal_positions(n, n, int(offset))] = np.arange(m)
    padded = cat([input, zeros(shape[:-1] + (1,), dtype=input._data.dtype)], -1)
    square = reshape(index_select(padded, -1, _wrap(picks.reshape(-1))), shape[:-1] + (n, n))
    return movedim(square, (-2, -1), (d1, d2))


def _indices(row: int, col: int, offset: int, dtype: Any, upper: bool, op: str) -> Tensor:
    for name, v in (("row", row), ("col", col)):
        if operator.index(v) < 0:
            raise RuntimeError(f"{op}: {name} must be non-negative, got {v}")
    out_dtype = dtypes.int64 if dtype is None else dtypes.canonical(dtype, op)
    pick = np.triu_indices if upper else np.tril_indices
    rows, cols = pick(int(row), int(offset), int(col))
    return _wrap(np.stack([rows, cols]).astype(out_dtype))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (2, N) coordinates of the lower triangle (to the `offset`-th diagonal) of a row x col
    matrix, row by row."""
    return _indices(row, col, offset, dtype, False, "tril_indices")


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (2, N) coordinates of the upper triangle (from the `offset`-th diagonal) of a row x col
    matrix, row by row."""
    return _indices(row, col, offset, dtype, True, "triu_indices")


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along dim of two tensors with as many dims, broadcasting
    the others; with dim=None, along input's first dim of size 3."""
    a, b = _tensor(input, "cross"), _tensor(other, "cross")
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != len(sb):
        raise RuntimeError(
            f"cross: inputs must have the same number of dimensions, got shapes {list(sa)} and {list(sb)}"
        )
    broadcast_shapes(sa, sb, "cross")
    if dim is None:
        if 3 not in sa:
            raise RuntimeError(f"cross: no dimension of size 3 in input (shape {list(sa)})")
        d = sa.index(3)
    else:
        d = normalize_dim(dim, len(sa), "cross")
    if sa[d] != 3 or sb[d] != 3:
        raise RuntimeError(
            f"cross: inputs dimension {d} must have length 3. Got {sa[d]} and {sb[d]} "
            f"(shapes {list(sa)} and {list(sb)})"
        )
    a0, a1, a2 = (select(a, d, i) for i in range(3))
    b0, b1, b2 = (select(b, d, i) for i in range(3))
    return stack(
        [sub(mul(a1, b2), mul(a2, b1)), sub(mul(a2, b0), mul(a0, b2)), sub(mul(a0, b1), mul(a1, b0))], d
    )


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """input rotated by k * 90 degrees in the plane of dims, from the first dim toward the second."""
    nd = _tensor(input, "rot90")._data.ndim
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = normalize_dim(dims[0], nd, "rot90"), normalize_dim(dims[1], nd, "rot90")
    if d0 == d1:
        raise RuntimeError(
            f"rot90: expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    k = int(k) % 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, d0), d0, d1)
    return clone(input)


def fliplr(input: Tensor) -> Tensor:
    """input with the order of its columns (dim 1) reversed."""
    if _tensor(input, "fliplr")._data.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d, got shape {list(input.shape)}")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    """input with the order of its rows (dim 0) reversed."""
    if _tensor(input, "flipud")._data.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d, got a 0-d tensor")
    return flip(input, 0)


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of input along dim: `indices_or_sections` equal parts (the first size % sections one
    longer), or the parts between the listed indices (an int, a sequence, or an int64 tensor)."""
    x = _tensor(input, "tensor_split")._data
    if x.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = normalize_dim(dim, x.ndim, "tensor_split")
    split = indices_or_sections
    if isinstance(split, Tensor):
        if split._data.dtype != np.int64 or split._data.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional int64 tensor, but got dtype {split.dtype} with {split.ndim} dims"
            )
        split = split._data.tolist()
    n = x.shape[d]
    if isinstance(split, (int, np.integer)):
        sections = int(split)
        if sections <= 0:
            raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got {sections}")
        size, extra = divmod(n, sections)
        bounds = [i * size + min(i, extra) for i in range(sections + 1)]
    else:
        bounds = [0] + [operator.index(i) for i in split] + [n]
    lead = (slice(None),) * d
    return tuple(getitem(input, lead + (slice(bounds[i], bounds[i + 1]),)) for i in range(len(bounds) - 1))


def block_diag(*tensors: Tensor) -> Tensor:
    """The block-diagonal matrix of the inputs (0-d ones as 1x1, 1-D ones as one row), zero
    elsewhere, in their promoted dtype."""
    if not tensors:
        return zeros(1, 0)
    blocks = []
    dtype = None
    for i, t in enumerate(tensors):
        _tensor(t, "block_diag")
        if t._data.ndim > 2:
            raise RuntimeError(
                "block_diag: Input tensors must have 2 or fewer dimensions. "
                f"Input {i} has {t.ndim} dimensions"
            )
        blocks.append(t if t._data.ndim == 2 else reshape(t, (1, t._data.size)))
        dtype = t._data.dtype if dtype is None else dtypes.promote(dtype, t._data.dtype)
    width = 0
    for b in blocks:
        width += b._data.shape[1]
    rows = []
    left = 0
    for b in blocks:
        r, c = b._data.shape
        parts = [zeros(r, left, dtype=dtype), cast(b, dtype), zeros(r, width - left - c, dtype=dtype)]
        rows.append(cat(parts, 1))
        left += c
    return cat(rows, 0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one entry of each 1-D input, as the rows of an (N, len(tensors))
    tensor (itertools.product's order); one input comes back as it is."""
    if not tensors:
        raise RuntimeError("cartesian_prod: expected at least one tensor")
    for t in tensors:
        if _tensor(t, "cartesian_prod")._data.ndim != 1:
            raise RuntimeError(f"cartesian_prod: Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([reshape(g, (-1,)) for g in meshgrid(*tensors, indexing="ij")], 1)


def diff(
    input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None, append: Tensor | None = None
) -> Tensor:
    """The n-th forward difference along dim (out[i] = input[i + 1] - input[i], n times), after
    concatenating prepend and append along dim; bool tensors give logical_xor."""
    x = _tensor(input, "diff")._data
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = normalize_dim(dim, x.ndim, "diff")
    if operator.index(n) < 0:
        raise RuntimeError(f"diff expects n to be non-negative, got {n}")
    parts = []
    for name, t in (("prepend", prepend), ("input", input), ("append", append)):
        if t is None:
            continue
        s = _tensor(t, "diff")._data.shape
        if len(s) != x.ndim or s[:d] + s[d + 1 :] != x.shape[:d] + x.shape[d + 1 :]:
            raise RuntimeError(
                f"diff expects {name} of shape {list(s)} to match the input's shape {list(x.shape)} "
                f"except in dim {d}"
            )
        parts.append(t)
    out = cat(parts, d) if len(parts) > 1 else input
    for _ in range(int(n)):
        size = out._data.shape[d]
        if size == 0:
            break
        later, earlier = narrow(out, d, 1, size - 1), narrow(out, d, 0, size - 1)
        out = logical_xor(later, earlier) if out._data.dtype.kind == "b" else sub(later, earlier)
    return out


from .arrange import meshgrid, select  # noqa: E402
from .creation import zeros  # noqa: E402
from .elementwise import cast, clone, mul, sub  # noqa: E402
from .index import getitem, index_select  # noqa: E402
from .pointwise import logical_xor  # noqa: E402
from .reduce import sum  # noqa: E402
from .shape import cat, flip, narrow, permute, reshape, stack, transpose  # noqa: E402
