"""scatter and scatter_add (and their in-place forms): gather's writing counterparts.

For dim=0, scatter_add adds src[i][j] into out[index[i][j]][j], scatter writes it there. Both are
written with ScatterAdd (gather's adjoint), so the gradient of src is gather of the output's
gradient, and input's gradient passes where nothing was written (scatter) or everywhere
(scatter_add). PyTorch leaves scatter with a repeated position undefined; here it raises.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap, normalize_dim
from .index import ScatterAdd


def _checked(input: Tensor, dim: int, index: Any, src: Any, op: str) -> tuple[int, np.ndarray, Tensor]:
    """dim normalised, the index array, and src as a tensor cut to index's shape."""
    nd = input._data.ndim
    d = normalize_dim(dim, nd, op)
    if not isinstance(index, Tensor) or index._data.dtype != np.int64:
        kind = index._data.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"{op}: index must be an int64 tensor, got {kind}")
    idx = index._data
    if not isinstance(src, Tensor):
        src = _wrap(np.full(idx.shape, src, dtype=input._data.dtype))
    if idx.ndim != nd or src._data.ndim != nd:
        raise RuntimeError(
            f"{op}: index and src must have as many dims as input ({nd}), got index of shape "
            f"{list(idx.shape)} and src of shape {list(src.shape)}"
        )
    for i in range(nd):
        if idx.shape[i] > src._data.shape[i] or (i != d and idx.shape[i] > input._data.shape[i]):
            raise RuntimeError(
                f"{op}: index of shape {list(idx.shape)} does not fit src {list(src.shape)} and "
                f"input {list(input.shape)} at dimension {i}"
            )
    size = input._data.shape[d]
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise RuntimeError(f"{op}: index {idx.min()}..{idx.max()} out of range for dim {d} of size {size}")
    if src._data.shape != idx.shape:
        src = getitem(src, tuple(slice(0, s) for s in idx.shape))
    if src._data.dtype != input._data.dtype:
        src = cast(src, input._data.dtype)
    return d, idx, src


def _written(shape: tuple, dim: int, idx: np.ndarray) -> np.ndarray:
    """How many times each position of an array of `shape` is written by index along dim."""
    hits = np.zeros(shape, np.int64)
    full = list(np.indices(idx.shape, sparse=True))
    full[dim] = idx
    np.add.at(hits, tuple(full), 1)
    return hits


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """input with src added at index along dim (repeated positions add up)."""
    d, idx, s = _checked(input, dim, index, src, "scatter_add")
    return add(input, ScatterAdd.apply(s, input._data.shape, d, idx))


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
    """input with src (or the number `value`) written at index along dim."""
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src and value")
    d, idx, s = _checked(input, dim, index, value if src is None else src, "scatter")
    hits = _written(input._data.shape, d, idx)
    if (hits > 1).any():
        raise RuntimeError(
            "scatter: index writes some position more than once (PyTorch leaves the result "
            "undefined); use scatter_add to add them up"
        )
    return where(_wrap(hits > 0), ScatterAdd.apply(s, input._data.shape, d, idx), input)


def scatter_(t: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
    return apply_inplace(t, scatter, (dim, index, src, value), "scatter_")


def scatter_add_(t: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return apply_inplace(t, scatter_add, (dim, index, src), "scatter_add_")


from .elementwise import add, cast, where  # noqa: E402
from .index import getitem  # noqa: E402
from .inplace import apply_inplace  # noqa: E402
