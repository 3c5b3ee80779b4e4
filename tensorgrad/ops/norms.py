"""Vector norms (torch.norm / Tensor.norm): p = 2 ("fro"), 1, inf, -inf, 0 or any other number,
and cdist, the p-norm distances between two sets of row vectors.

The 2-norm is an op of its own because its gradient x / ||x|| must be 0, not 0/0, where the
norm is 0 (PyTorch's subgradient); the other p are written with abs, sum, amax and pow.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import dims_of, keepdim_shape, require_float


class Norm2(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, axes: tuple, keepdim: bool) -> Tensor:
        x = a._data
        out = _wrap(np.asarray(np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim)), dtype=x.dtype))
        ctx.save_for_backward(a, out)
        ctx.meta = (axes, keepdim)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, n = ctx.saved_tensors  # n, this op's output, keeps the backward twice differentiable
        axes, keepdim = ctx.meta
        if not keepdim:
            shape = keepdim_shape(a._data.shape, axes)
            g, n = reshape(g, shape), reshape(n, shape)
        safe = where(eq(n, 0), 1.0, n)  # a is 0 wherever the norm is: the gradient there is 0
        return mul(g, div(a, safe)), None, None


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The p-norm of input over dim (every dim when None)."""
    op = "norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    require_float(input, op)
    if dtype is not None:
        input = input.to(dtype)
    axes = dims_of(dim, input._data.ndim, op)
    if p == "fro" or p == 2:
        return Norm2.apply(input, axes, bool(keepdim))
    if isinstance(p, str) or not isinstance(p, (int, float)):
        raise RuntimeError(f"{op}: p must be 'fro' or a number, got {p!r}")
    a = abs(input)
    if p == math.inf:
        return amax(a, axes, keepdim)
    if p == -math.inf:
        return amin(a, axes, keepdim)
    if p == 0:
        return _wrap(np.sum(input._data != 0, axis=axes, keepdims=keepdim).astype(input._data.dtype))
    if p == 1:
        return sum(a, axes, keepdim)
    return pow(sum(pow(a, p), axes, keepdim), 1.0 / p)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M):
    (..., P, R), batch dims broadcast. Computed from the differences (as PyTorch does for small
    inputs; its matrix-product shortcut for large ones trades accuracy for speed), so the
    gradient at a zero distance is 0. compute_mode is accepted for compatibility."""
    op = "cdist"
    for name, t in (("X1", x1), ("X2", x2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected a Tensor for {name}, got {type(t).__name__}")
        if t._data.ndim < 2:
            raise RuntimeError(f"{op}: cdist only supports at least 2D tensors, {name} got: {t._data.ndim}D")
        require_float(t, op)
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(
            f"{op}: X1 and X2 must have the same number of columns. "
            f"X1: {x1._data.shape[-1]} X2: {x2._data.shape[-1]}"
        )
    if isinstance(p, bool) or not isinstance(p, (int, float)) or p < 0:
        raise RuntimeError(f"{op}: cdist only supports non-negative p values, got {p!r}")
    return norm(sub(unsqueeze(x1, -2), unsqueeze(x2, -3)), p, dim=-1)


from .elementwise import abs, div, eq, mul, pow, sub, where  # noqa: E402
from .reduce import amax, amin, sum  # noqa: E402
from .shape import reshape, unsqueeze  # noqa: E402
