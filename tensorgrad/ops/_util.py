"""Small helpers shared by the op modules: operand conversion, dims, broadcast shapes."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap, normalize_dim

SCALARS = (int, float, bool, np.integer, np.floating, np.bool_)


def to_tensor(value: Any, op: str, like: Tensor | None = None) -> Tensor:
    """Turn an operand (Tensor, Python scalar, list, ndarray) into a Tensor for `op`."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, SCALARS):
        dtype = dtypes.scalar_result(like._data.dtype, value) if like is not None else None
        if dtype is None:
            return tensor(value)
        return _wrap(np.asarray(value, dtype=dtype))
    if isinstance(value, (list, tuple, np.ndarray)):
        return tensor(value)
    raise TypeError(f"{op}: expected a Tensor or a number as operand, got {type(value).__name__}")


def dims_of(dim: Any, ndim: int, op: str) -> tuple[int, ...]:
    """Normalise `dim` (None, an int, or a tuple/list of ints) to a sorted tuple of axes.

    As in PyTorch, None and an empty tuple mean every dim, and a 0-d tensor accepts dim 0 or -1
    (it has no axis to reduce, so the result is ()).
    """
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        axes = tuple(sorted(normalize_dim(d, ndim, op) for d in dim))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"{op}: dim {tuple(dim)} appears multiple times in the list of dims")
        return axes if ndim else ()
    d = normalize_dim(dim, ndim, op)
    return (d,) if ndim else ()


def keepdim_shape(shape: tuple, axes: tuple) -> tuple:
    """`shape` with the reduced `axes` set to 1."""
    out = list(shape)
    for a in axes:
        out[a] = 1
    return tuple(out)


def broadcast_shapes(a: tuple, b: tuple, op: str) -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise RuntimeError(
            f"{op}: the size of tensor a {list(a)} must match the size of tensor b {list(b)} "
            "at every non-singleton dimension (shapes cannot be broadcast together)"
        ) from None


def require_float(t: Tensor, op: str) -> None:
    """RuntimeError unless t is floating point (PyTorch raises RuntimeError for an op's dtype)."""
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got dtype {t._data.dtype}")


from .creation import tensor  # noqa: E402
