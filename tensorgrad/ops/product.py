"""prod: the product of the entries (over all, or along one dim).

Its gradient, the product of all the other entries, is computed without dividing by the entry
(which fails at zeros): with no zero it is prod / x, with one zero only that entry's gradient is
non-zero (the product of the others), with two or more every gradient is zero. Once
differentiable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, _wrap, normalize_dim


def _others_product(x: np.ndarray, axis: int) -> np.ndarray:
    """For each entry, the product of the other entries along axis."""
    zero = x == 0
    zeros = np.sum(zero, axis=axis, keepdims=True)
    safe = np.where(zero, 1, x)
    nonzero_product = np.prod(safe, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(zeros == 0, nonzero_product / safe, 0)
    return np.where((zeros == 1) & zero, nonzero_product, out).astype(x.dtype)


class Prod(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: Any, keepdim: bool) -> Tensor:
        ctx.save_for_backward(a)
        ctx.meta = (dim, keepdim)
        return _wrap(np.asarray(np.prod(a._data, axis=dim, keepdims=keepdim)))

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        dim, keepdim = ctx.meta
        x = a._data
        if dim is None:
            others = _others_product(x.reshape(-1), 0).reshape(x.shape)
            return _wrap(others * g._data), None, None
        gd = g._data if keepdim else np.expand_dims(g._data, dim)
        return _wrap(_others_product(x, dim) * gd), None, None


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The product of all entries, or along dim; integer and bool inputs multiply as int64."""
    if not isinstance(input, Tensor):
        raise TypeError(f"prod: expected a Tensor, got {type(input).__name__}")
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind != "f":
        input = input.to(np.int64)
    if dim is not None:
        dim = normalize_dim(dim, input._data.ndim, "prod") if input._data.ndim else None
    return Prod.apply(input, dim, bool(keepdim))
