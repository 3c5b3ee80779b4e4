"""Sorting along a dim: sort, argsort, topk, kthvalue, median, mode (and unique), with PyTorch's names,
orders and return values.

The order is computed in numpy (no gradient flows through indices); the values are gathered from
the input by those indices, so their gradient is gather's (scattered back to where each value
came from). As in PyTorch, NaN sorts after every number in ascending order and before every
number in descending order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap, normalize_dim
from .index import Gather
from .reduce import values_indices
from .shape import reshape, squeeze


def _order(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """int64 indices that sort x along dim (stable: equal values keep their order)."""
    moved = np.moveaxis(x, dim, -1)
    if not descending:
        order = np.argsort(moved, axis=-1, kind="stable")
    elif x.dtype.kind == "f":  # NaN first, then the numbers from the largest
        order = np.lexsort((-moved, ~np.isnan(moved)), axis=-1)
    elif x.dtype.kind == "b":
        order = np.argsort(~moved, axis=-1, kind="stable")
    else:  # integers: compare as Python would, without negating (which overflows at the minimum)
        order = np.argsort(moved, axis=-1, kind="stable")[..., ::-1]
    return np.ascontiguousarray(np.moveaxis(order, -1, dim), dtype=np.int64)


def _check(input: Any, dim: int, op: str) -> int:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return normalize_dim(dim, input._data.ndim, op)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort input along dim (int64); the order is always stable."""
    d = _check(input, dim, "argsort")
    if input._data.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    return _wrap(_order(input._data, d, descending))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """(values, indices): input sorted along dim, and where each value came from."""
    d = _check(input, dim, "sort")
    if input._data.ndim == 0:
        return values_indices(input.clone(), _wrap(np.zeros((), np.int64)))
    order = _order(input._data, d, descending)
    return values_indices(Gather.apply(input, d, order), _wrap(order))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """(values, indices) of the k-th smallest entry (k from 1) along dim."""
    d = _check(input, dim, "kthvalue")
    size = input._data.shape[d] if input._data.ndim else 1
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 1 <= k <= size:
        raise RuntimeError(f"kthvalue: k={k!r} is out of range for dim {dim} of size {size}")
    if input._data.ndim == 0:
        return values_indices(input.clone(), _wrap(np.zeros((), np.int64)))
    order = np.take(_order(input._data, d, False), [k - 1], axis=d)
    values = Gather.apply(input, d, order)
    if not keepdim:
        return values_indices(squeeze(values, d), _wrap(np.squeeze(order, d)))
    return values_indices(values, _wrap(order))


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median (of an even count, the smaller middle value), as PyTorch: over all
    entries (a tensor) or along dim ((values, indices)). A NaN makes the median NaN."""
    if dim is None:
        if input._data.size == 0:
            return _wrap(np.asarray(np.nan, dtype=input._data.dtype))
        return median(reshape(input, (-1,)), 0).values
    d = _check(input, dim, "median")
    if input._data.ndim == 0:
        return values_indices(input.clone(), _wrap(np.zeros((), np.int64)))
    x = input._data
    n = x.shape[d]
    if n == 0:
        raise RuntimeError(f"median(): expected reduction dim {d} to have non-zero size")
    nans = np.isnan(x).sum(axis=d, keepdims=True) if x.dtype.kind == "f" else np.zeros((1,) * x.ndim, int)
    position = np.where(nans > 0, n - nans, (n - 1) // 2)  # NaNs sort last: pick the first NaN
    picked = np.take_along_axis(
        _order(x, d, False), np.broadcast_to(position, nans.shape).astype(np.int64), d
    )
    values = Gather.apply(input, d, picked)
    if not keepdim:
        return values_indices(squeeze(values, d), _wrap(np.squeeze(picked, d)))
    return values_indices(values, _wrap(picked))


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """(values, indices) of the most frequent value along dim: of equally frequent values the
    smallest, and its last position (as PyTorch on the CPU)."""
    d = _check(input, dim, "mode")
    if input._data.ndim == 0:
        return values_indices(input.clone(), _wrap(np.zeros((), np.int64)))
    n = input._data.shape[d]
    if n == 0:
        raise RuntimeError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    order = np.moveaxis(_order(input._data, d, False), d, -1)
    ranked = np.take_along_axis(np.moveaxis(input._data, d, -1), order, -1)
    positions = np.arange(n)
    starts_run = np.ones(ranked.shape, bool)
    starts_run[..., 1:] = ranked[..., 1:] != ranked[..., :-1]
    run_start = np.maximum.accumulate(np.where(starts_run, positions, 0), axis=-1)
    # Where a run of equal values first reaches the longest length is the end of the smallest
    # value with the most repeats; the stable sort puts its last position there.
    best = np.argmax(positions - run_start, axis=-1)[..., None]
    picked = np.moveaxis(np.take_along_axis(order, best, -1), -1, d)
    values = Gather.apply(input, d, picked)
    if not keepdim:
        return values_indices(squeeze(values, d), _wrap(np.squeeze(picked, d)))
    return values_indices(values, _wrap(picked))


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct entries (sorted), and optionally where each entry went and how often each
    distinct one occurs, as torch.unique. No gradient."""
    x = input._data
    axis = None if dim is None else normalize_dim(dim, x.ndim, "unique")
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=axis)
    out: list = [_wrap(values)]
    if return_inverse:
        out.append(_wrap(inverse.reshape(x.shape if axis is None else -1).astype(np.int64)))
    if return_counts:
        out.append(_wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """(values, indices) of the k largest (or smallest) entries along dim, in order."""
    d = _check(input, dim, "topk")
    size = input._data.shape[d] if input._data.ndim else 1
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 0 <= k <= size:
        raise RuntimeError(f"topk: selected index k={k!r} out of range for dim {dim} of size {size}")
    if input._data.ndim == 0:
        return values_indices(input.clone(), _wrap(np.zeros((), np.int64)))
    order = np.take(_order(input._data, d, largest), np.arange(k), axis=d)
    return values_indices(Gather.apply(input, d, order), _wrap(order))
