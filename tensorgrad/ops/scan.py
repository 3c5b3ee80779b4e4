"""Cumulative sums along a dim (PyTorch's cumsum)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap, normalize_dim


class CumSum(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int, dtype: Any) -> Tensor:
        ctx.dim = dim
        return _wrap(np.cumsum(a._data, axis=dim, dtype=dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        # each input entry feeds every output entry from it to the end: a reversed cumsum
        d = ctx.dim
        return flip(CumSum.apply(flip(g, d), d, None), d), None, None


def cumsum(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """out[..., i, ...] = sum of input[..., :i+1, ...] along dim; integer and bool inputs sum as
    int64, as in PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(f"cumsum: expected a Tensor, got {type(input).__name__}")
    x = input._data
    if x.ndim == 0:
        normalize_dim(dim, 0, "cumsum")
        return cast(input, dtypes.canonical(dtype, "cumsum")) if dtype is not None else clone(input)
    d = normalize_dim(dim, x.ndim, "cumsum")
    if dtype is not None:
        out_dtype = dtypes.canonical(dtype, "cumsum")
    else:
        out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.int64)
    if out_dtype.kind == "f" and x.dtype != out_dtype:
        input = cast(input, out_dtype)
    return CumSum.apply(input, d, out_dtype)


from .elementwise import cast, clone  # noqa: E402
from .shape import flip  # noqa: E402
