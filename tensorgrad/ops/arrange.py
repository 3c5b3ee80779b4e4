"""Rearranging entries with PyTorch's names: roll, repeat_interleave, diag, meshgrid, select.
Each is indexing or broadcasting underneath, so gradients come from those ops."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap, normalize_dim


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at `index` along dim, without that dim (a view)."""
    d = normalize_dim(dim, input._data.ndim, "select")
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select: index {index} out of range for dim {dim} of size {size}")
    return getitem(input, (slice(None),) * d + (int(index),))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Entries shifted along dims (wrapping around); with dims=None over the flattened tensor."""
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            raise RuntimeError(f"roll: with dims=None, shifts must be one int, got {shifts!r}")
        return reshape(roll(reshape(input, (-1,)), shifts, 0), input._data.shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dimensions must align, got shifts={shifts} and dims={dims}")
    out = input
    for shift, dim in zip(shifts, dims):
        d = normalize_dim(dim, input._data.ndim, "roll")
        n = input._data.shape[d]
        if n:
            out = index_select(out, d, _wrap((np.arange(n) - int(shift)) % n))
    return out


def repeat_interleave(input: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
    """Each entry repeated `repeats` times (an int, or one count per entry) along dim; with
    dim=None over the flattened tensor."""
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    d = normalize_dim(dim, input._data.ndim, "repeat_interleave")
    counts = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    n = input._data.shape[d]
    if counts.dtype.kind not in "iu" or counts.ndim > 1 or (counts.ndim == 1 and counts.size not in (1, n)):
        raise RuntimeError(
            f"repeat_interleave: repeats must be an int or {n} ints for dim {dim}, got {counts.tolist()}"
        )
    if (counts < 0).any():
        raise RuntimeError(f"repeat_interleave: repeats can not be negative, got {counts.tolist()}")
    return index_select(input, d, _wrap(np.repeat(np.arange(n), counts)))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D input as the `diagonal`-th diagonal of a square matrix; the `diagonal`-th diagonal of
    a 2-D input."""
    x = input._data
    k = int(diagonal)
    if x.ndim == 1:
        return more_shape.diag_embed(input, k)
    if x.ndim == 2:
        return more_shape.diagonal(input, k)
    raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {list(x.shape)}")


def meshgrid(*tensors: Tensor, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors ("ij": matrix indexing, "xy": Cartesian)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if not isinstance(t, Tensor) or t._data.ndim > 1:
            raise RuntimeError("meshgrid: expected 0-D or 1-D tensors")
    shape = [t._data.size for t in tensors]
    if indexing == "xy" and len(shape) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    grids = []
    for i, t in enumerate(tensors):
        axis = i
        if indexing == "xy" and i < 2 and len(tensors) >= 2:
            axis = 1 - i
        view_shape = [1] * len(shape)
        view_shape[axis] = t._data.size
        grids.append(expand(reshape(t, tuple(view_shape)), tuple(shape)))
    return tuple(grids)


from . import more_shape  # noqa: E402
from .index import getitem, index_select  # noqa: E402
from .shape import expand, reshape  # noqa: E402
