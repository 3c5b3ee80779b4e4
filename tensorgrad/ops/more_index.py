"""More indexing with PyTorch's names: masked_select, take, index_add, index_fill and index_copy (with
gradients, from indexing and `where`; the last three also in place, for the Tensor methods), and
the counting and searching functions isin, searchsorted, bucketize, bincount and histc (no
gradient, as in PyTorch).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import SCALARS, broadcast_shapes


def _tensor(input: Any, op: str, name: str = "input") -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: argument '{name}' must be a Tensor, not {type(input).__name__}")
    return input


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The entries of input where the bool mask is true (both broadcast), as a 1-D tensor."""
    x, m = _tensor(input, "masked_select"), _tensor(mask, "masked_select", "mask")
    if m._data.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected a bool tensor for mask, got dtype {m._data.dtype}")
    shape = broadcast_shapes(x._data.shape, m._data.shape, "masked_select")
    if x._data.shape != shape:
        x = expand(x, shape)
    return getitem(x, _wrap(np.broadcast_to(m._data, shape).copy()))


def take(input: Tensor, index: Tensor) -> Tensor:
    """input viewed as 1-D, at `index` (negative indices count from the end); index's shape."""
    x, i = _tensor(input, "take"), _tensor(index, "take", "index")
    if i._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {i._data.dtype}")
    n = x._data.size
    idx = i._data
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(
            f"take(): out of range: tried to access index {bad} on a tensor of {n} elements "
            f"(shape {list(x._data.shape)})"
        )
    return getitem(reshape(x, (-1,)), _wrap(np.where(idx < 0, idx + n, idx)))


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """True where an entry of `elements` is in `test_elements` (either may be a number); bool
    tensor of elements' shape."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin: expected elements or test_elements to be a Tensor")
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _wrap(np.asarray(np.isin(e, t, assume_unique=assume_unique, invert=invert)))


def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """For each value of input, the index where it would be inserted into the innermost dim of
    sorted_sequence to keep it sorted: before equal entries, or after them with right=True or
    side="right". int64, of input's shape (0-d for a number)."""
    op = "torch.searchsorted()"
    seq = _tensor(sorted_sequence, op, "sorted_sequence")._data
    values = input._data if isinstance(input, Tensor) else None
    if values is None:
        if not isinstance(input, SCALARS):
            raise TypeError(f"{op}: input must be a Tensor or a number, got {type(input).__name__}")
        values = np.asarray(input)
    if seq.ndim == 0:
        raise RuntimeError(f"{op}: boundaries tensor should have positive dimension, but got 0 dimension")
    if seq.ndim > 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            f"{op}: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
            f"tensor and input value tensor must match, but we got boundaries tensor {list(seq.shape)} "
            f"and input value tensor {list(values.shape)}"
        )
    if side not in (None, "left", "right"):
        raise RuntimeError(f"{op}: side can only be 'left' or 'right' but got {side!r}")
    if side == "left" and right:
        raise RuntimeError(
            f"{op}: side and right can't be set to opposites, got side of left while right was True"
        )
    if out_int32:
        raise RuntimeError(f"{op}: out_int32=True needs an int32 dtype, which tensorgrad does not have")
    if sorter is not None:
        order = _tensor(sorter, op, "sorter")._data
        if order.dtype != np.int64 or order.shape != seq.shape:
            raise RuntimeError(
                f"{op}: sorter must be an int64 tensor of the boundaries' shape {list(seq.shape)}, got "
                f"{order.dtype} of shape {list(order.shape)}"
            )
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise RuntimeError(f"{op}: sorter index out of range")
        seq = np.take_along_axis(seq, order, -1)
    where = "right" if side == "right" or right else "left"
    if seq.ndim == 1:
        return _wrap(np.asarray(np.searchsorted(seq, values, where), dtype=np.int64))
    rows, vals = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
    out = np.empty(vals.shape, np.int64)
    for r in range(rows.shape[0]):
        out[r] = np.searchsorted(rows[r], vals[r], where)
    return _wrap(out.reshape(values.shape))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """For each value of input, the index of its bucket among the 1-D increasing boundaries:
    i with boundaries[i-1] < x <= boundaries[i] (with right=True, boundaries[i-1] <= x < boundaries[i])."""
    b = _tensor(boundaries, "bucketize", "boundaries")
    if b._data.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({b._data.ndim})")
    return searchsorted(b, input, out_int32=out_int32, right=right)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ... occurs in a 1-D non-negative integer tensor (at least
    minlength bins), or the sum of the weights at each value: float32 for float32 weights, else
    float64, as in PyTorch."""
    x = _tensor(input, "bincount")._data
    if x.dtype.kind not in "iu" or x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError(
            "bincount only supports 1-d non-negative integral inputs "
            f"(got dtype {x.dtype}, shape {list(x.shape)})"
        )
    if operator.index(minlength) < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return _wrap(np.bincount(x, minlength=minlength).astype(np.int64))
    w = _tensor(weights, "bincount", "weights")._data
    if w.shape != x.shape:
        raise RuntimeError(
            f"bincount: weights should be 1-d and have the same length as input (weights {list(w.shape)}, "
            f"input {list(x.shape)})"
        )
    out_dtype = dtypes.float32 if w.dtype == dtypes.float32 else dtypes.float64
    return _wrap(np.bincount(x, weights=w.astype(np.float64), minlength=minlength).astype(out_dtype))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Counts of input's entries in `bins` equal-width bins over [min, max] (entries outside are
    ignored; the last bin includes max). With min == max the data's own range is used. Same dtype
    as input; no gradient."""
    x = _tensor(input, "histc")._data
    if x.dtype.kind != "f":
        raise RuntimeError(f"torch.histc: expected a floating point tensor, got dtype {x.dtype}")
    if operator.index(bins) <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(np.min(x)), float(np.max(x))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min (got min={min}, max={max})")
    # PyTorch's bin of x, computed as it does in the input's dtype: (x - lo) * bins / (hi - lo)
    lo_x, hi_x = x.dtype.type(lo), x.dtype.type(hi)
    v = x.reshape(-1)
    v = v[(v >= lo_x) & (v <= hi_x)]
    pos = ((v - lo_x) * x.dtype.type(bins) / (hi_x - lo_x)).astype(np.int64)
    pos[pos == bins] = bins - 1
    return _wrap(np.bincount(pos, minlength=int(bins)).astype(x.dtype))


# ---- index_add, index_fill, index_copy (out of place) ---------------------------------------------


def _index_along(input: Tensor, dim: int, index: Any, op: str, negative: bool) -> tuple[int, np.ndarray]:
    """(dim normalised, the int64 index as a 1-D array checked against the size of that dim;
    negative entries count from the end where `negative`)."""
    x = _tensor(input, op)._data
    d = normalize_dim(dim, x.ndim, op)
    i = _tensor(index, op, "index")._data
    if i.dtype != np.int64:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {i.dtype}")
    if i.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, got shape {list(i.shape)}")
    idx = i.reshape(-1)
    size = x.shape[d] if x.ndim else 1
    low = -size if negative else 0
    if idx.size and (idx.min() < low or idx.max() >= size):
        raise IndexError(
            f"{op}(): index {idx.tolist()} out of range for dimension {d} of size {size} "
            f"(input shape {list(x.shape)})"
        )
    return d, np.where(idx < 0, idx + size, idx)


def _source(input: Tensor, source: Any, d: int, count: int, op: str) -> Tensor:
    """source checked: input's dtype, and input's shape with dim d of length `count`."""
    s = _tensor(source, op, "source")
    if s._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"{op}(): self ({input._data.dtype}) and source ({s._data.dtype}) must have the same scalar type"
        )
    shape = input._data.shape
    want = shape[:d] + (count,) + shape[d + 1 :] if shape else (count,)
    if s._data.shape != want and not (s._data.size == count == 1 and not shape):
        raise RuntimeError(
            f"{op}(): source of shape {list(s._data.shape)} does not fit input of shape {list(shape)} "
            f"with {count} indices along dim {d} (expected shape {list(want)})"
        )
    return s


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """input with alpha * source added at `index` along dim (repeated indices add up)."""
    d, idx = _index_along(input, dim, index, "index_add", negative=False)
    s = _source(input, source, d, idx.size, "index_add")
    if alpha != 1:
        if input._data.dtype.kind != "f" and isinstance(alpha, float):
            raise RuntimeError(
                "index_add(): for integral input tensors, argument alpha must not be a floating point number"
            )
        s = mul(s, alpha)
    if not input._data.shape:
        return add(input, reshape(sum(s), ()))
    return add(input, IndexScatter.apply(s, input._data.shape, (slice(None),) * d + (idx,), True))


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """input with `value` (a number or a 0-d tensor) written at `index` along dim."""
    d, idx = _index_along(input, dim, index, "index_fill", negative=True)
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.ndim} dimension(s)."
        )
    x = input._data
    filled = np.zeros(x.shape[d] if x.ndim else 1, dtype=bool)
    filled[idx] = True
    mask = filled.reshape((-1,) + (1,) * (x.ndim - 1 - d)) if x.ndim else filled.reshape(())
    return masked_fill(input, _wrap(mask), value)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """input with the slices of source written at `index` along dim."""
    d, idx = _index_along(input, dim, index, "index_copy", negative=False)
    s = _source(input, source, d, idx.size, "index_copy")
    if np.unique(idx).size != idx.size:
        raise RuntimeError(
            f"index_copy(): index {idx.tolist()} repeats an entry (PyTorch leaves the result undefined)"
        )
    if not input._data.shape:
        return clone(reshape(s, ()) if idx.size else input)
    return IndexPut.apply(input, s, (slice(None),) * d + (idx,))


def index_add_(t: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    return apply_inplace(t, _index_add_scaled, (dim, index, source, alpha), "index_add_")


def _index_add_scaled(input: Tensor, dim: int, index: Tensor, source: Tensor, alpha: Any) -> Tensor:
    return index_add(input, dim, index, source, alpha=alpha)


def index_fill_(t: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    return apply_inplace(t, index_fill, (dim, index, value), "index_fill_")


def index_copy_(t: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    return apply_inplace(t, index_copy, (dim, index, source), "index_copy_")


from .elementwise import add, clone, masked_fill, mul  # noqa: E402
from .index import IndexPut, IndexScatter, getitem  # noqa: E402
from .inplace import apply_inplace  # noqa: E402
from .reduce import sum  # noqa: E402
from .shape import expand, reshape  # noqa: E402
