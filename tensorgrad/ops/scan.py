"""Scans along a dim with PyTorch's names: cumsum, cumprod, cummax, cummin (values and indices) and
logcumsumexp.

The values come from numpy; each backward is written in tensorgrad ops (PyTorch's formulas), so the
scans are twice differentiable. cummax and cummin gather their values by the indices, so the
gradient goes to the entry each running extremum came from.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import require_float


def _scan_input(input: Any, dim: int, dtype: Any, op: str) -> tuple[Tensor, int]:
    """(input in the scan's dtype, dim normalised): `dtype` when given, else the input's own
    floating dtype, or int64 for integer and bool inputs, as in PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    x = input._data
    d = normalize_dim(dim, x.ndim, op)
    if dtype is not None:
        out_dtype = dtypes.canonical(dtype, op)
    else:
        out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.int64)
    return cast(input, out_dtype), d


def _reverse_cumsum(t: Tensor, dim: int) -> Tensor:
    """out[i] = sum of t[i:] along dim."""
    return flip(CumSum.apply(flip(t, dim), dim), dim)


class CumSum(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        return _wrap(np.cumsum(a._data, axis=dim))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        # each input entry feeds every output entry from it to the end: a reversed cumsum
        return _reverse_cumsum(g, ctx.dim), None


def cumsum(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """out[..., i, ...] = sum of input[..., :i+1, ...] along dim; integer and bool inputs sum as
    int64, as in PyTorch."""
    x, d = _scan_input(input, dim, dtype, "cumsum")
    return clone(x) if x._data.ndim == 0 else CumSum.apply(x, d)


class CumProd(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        out = _wrap(np.cumprod(a._data, axis=dim))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, out = ctx.saved_tensors
        return _cumprod_grad(g, a, out, ctx.dim), None


def _cumprod_grad(g: Tensor, a: Tensor, out: Tensor, d: int) -> Tensor:
    """grad[i] = sum over k >= i of g[k] * (the product of a[:k+1] without a[i]), as PyTorch's
    cumprod_backward: by division when a has no zero; else, when this gradient will not be
    differentiated, in O(n) from each slice's first zero; else from an O(n^2) table whose every
    step is differentiable (the first-zero form is not, in the zeros)."""
    zero = a._data == 0
    if not zero.any():
        return div(_reverse_cumsum(mul(g, out), d), a)
    if is_grad_enabled():
        return _cumprod_grad_table(g, a, d)
    seen = np.cumsum(zero, axis=d)  # zeros up to and including each position
    before = _wrap(seen == 0)  # before the slice's first zero: a[i] != 0 there
    first = _wrap(zero & (seen == 1))
    # before the first zero: the terms k >= first zero vanish, the rest are g[k] out[k] / a[i]
    head = div(_reverse_cumsum(where(before, mul(g, out), 0.0), d), where(before, a, 1.0))
    # at the first zero: the products of the slice with that zero replaced by 1
    products = CumProd.apply(where(first, 1.0, a), d)
    at_zero = where(first, _reverse_cumsum(where(before, 0.0, mul(g, products)), d), 0.0)
    return add(head, at_zero)  # after the first zero every product holds it: 0


def _cumprod_grad_table(g: Tensor, a: Tensor, d: int) -> Tensor:
    x, gx = movedim(a, d, -1), movedim(g, d, -1)
    n = x._data.shape[-1]
    rows = expand(unsqueeze(x, -2), x._data.shape[:-1] + (n, n))  # rows[..., i, j] = x[..., j]
    others = CumProd.apply(where(_wrap(np.eye(n, dtype=bool)), 1.0, rows), rows._data.ndim - 1)
    later = _wrap(np.triu(np.ones((n, n), dtype=bool)))  # k >= i
    grad = sum(mul(where(later, others, 0.0), unsqueeze(gx, -2)), -1)
    return movedim(grad, -1, d)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """out[..., i, ...] = product of input[..., :i+1, ...] along dim; integer and bool inputs
    multiply as int64, as in PyTorch."""
    x, d = _scan_input(input, dim, dtype, "cumprod")
    return clone(x) if x._data.ndim == 0 else CumProd.apply(x, d)


def _running_extremum(input: Tensor, dim: int, take_max: bool, op: str) -> Any:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    x = input._data
    d = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return values_indices(clone(input), _wrap(np.zeros((), np.int64)))
    running = (np.maximum if take_max else np.minimum).accumulate(x, axis=d)
    # As PyTorch: a value equal to the running extremum takes over its index (the last of ties),
    # and a NaN is the extremum from where it appears (the index of the latest NaN).
    takes_over = x == running
    if x.dtype.kind == "f":
        takes_over |= np.isnan(x)
    positions = np.arange(x.shape[d], dtype=np.int64).reshape((-1,) + (1,) * (x.ndim - 1 - d))
    indices = np.maximum.accumulate(np.where(takes_over, positions, 0), axis=d)
    return values_indices(Gather.apply(input, d, indices), _wrap(indices))


def cummax(input: Tensor, dim: int) -> Any:
    """(values, indices): the running maximum along dim and where each came from."""
    return _running_extremum(input, dim, True, "cummax")


def cummin(input: Tensor, dim: int) -> Any:
    """(values, indices): the running minimum along dim and where each came from."""
    return _running_extremum(input, dim, False, "cummin")


class LogCumSumExp(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        out = _wrap(np.logaddexp.accumulate(a._data, axis=dim))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        # grad[i] = sum over k >= i of g[k] exp(a[i] - out[k]), computed as PyTorch does: in log
        # space, the positive and the negative parts of g apart, so that nothing overflows
        a, out = ctx.saved_tensors
        d = ctx.dim
        lowest = float(np.finfo(g._data.dtype).min)
        log_abs = log(abs(g))
        parts = []
        for keep in (gt(g, 0.0), lt(g, 0.0)):
            logs = sub(where(keep, log_abs, lowest), out)
            reverse = flip(LogCumSumExp.apply(flip(logs, d), d), d)
            parts.append(exp(add(reverse, a)))
        return sub(parts[0], parts[1]), None


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """out[..., i, ...] = log of the sum of exp(input[..., :i+1, ...]) along dim, without overflow."""
    x, d = _scan_input(input, dim, None, "logcumsumexp")
    require_float(input, "logcumsumexp")
    return clone(x) if x._data.ndim == 0 else LogCumSumExp.apply(x, d)


from .elementwise import abs, add, cast, clone, div, exp, gt, log, lt, mul, sub, where  # noqa: E402
from .index import Gather  # noqa: E402
from .more_shape import movedim  # noqa: E402
from .reduce import sum, values_indices  # noqa: E402
from .shape import expand, flip, unsqueeze  # noqa: E402
