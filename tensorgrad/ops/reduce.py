"""Reductions: sum, mean, max/min (with indices), amax/amin, var/std, argmax/argmin,
logsumexp, softmax and log_softmax, all/any/count_nonzero, with `dim`/`keepdim` as PyTorch
accepts them.

Floating-point inputs run on the kernels in kernels/reduce.pyx (integer inputs on numpy). The
backward kernels of softmax, log_softmax and logsumexp are ops themselves (`SoftmaxGrad`, ...)
whose backward is written in tensorgrad ops, so all three stay twice differentiable.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import dtypes
from .._kernels import reduce as kernels
from ..autograd.function import Function
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import dims_of, keepdim_shape, require_float

values_indices = namedtuple("values_indices", ["values", "indices"])


def _contiguous(x: np.ndarray) -> np.ndarray:
    return x if x.flags.c_contiguous else np.ascontiguousarray(x)


def _reduced_shape(shape: tuple, axes: tuple, keepdim: bool) -> tuple:
    """The shape of a reduction's result: `axes` set to 1 (keepdim) or removed."""
    if keepdim:
        return keepdim_shape(shape, axes)
    out = list(shape)
    for ax in reversed(axes):
        del out[ax]
    return tuple(out)


def _adjacent(x: np.ndarray, axes: tuple) -> tuple:
    """(x, axes) with the reduced axes adjacent, as the var and logsumexp kernels need: axes
    that are not adjacent are moved last (a view; the kept dims keep their order)."""
    if not axes or axes[-1] - axes[0] + 1 == len(axes):
        return x, axes
    last = tuple(range(x.ndim - len(axes), x.ndim))
    return np.moveaxis(x, axes, last), last


def _count(shape: tuple, axes: tuple) -> int:
    count = 1
    for ax in axes:
        count *= shape[ax]
    return count


def _expand_back(g: Tensor, in_shape: tuple, axes: tuple, keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back over the reduced axes."""
    if not keepdim:
        g = reshape(g, keepdim_shape(in_shape, axes))
    return expand(g, in_shape)


# ---- sum and mean -------------------------------------------------------------------------------


class Sum(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, axes: tuple, keepdim: bool) -> Tensor:
        x = a._data
        ctx.meta = (x.shape, axes, keepdim)
        if x.dtype.kind != "f":
            return _wrap(np.asarray(np.sum(x, axis=axes, keepdims=keepdim, dtype=dtypes.int64)))
        out = np.empty(_reduced_shape(x.shape, axes, keepdim), x.dtype)
        kernels.sum(_contiguous(x), axes, out)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, axes, keepdim = ctx.meta
        return _expand_back(g, shape, axes, keepdim), None, None


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """Sum over `dim` (an int, a tuple of ints, or None for all)."""
    if dtype is not None:
        input = cast(input, dtypes.canonical(dtype, "sum"))
    return Sum.apply(input, dims_of(dim, input._data.ndim, "sum"), bool(keepdim))


class Mean(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, axes: tuple, keepdim: bool) -> Tensor:
        x = a._data
        ctx.meta = (x.shape, axes, keepdim)
        out = np.empty(_reduced_shape(x.shape, axes, keepdim), x.dtype)
        kernels.sum(_contiguous(x), axes, out, True)  # the mean of nothing is nan, silently
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, axes, keepdim = ctx.meta
        count = _count(shape, axes)
        return (
            div(_expand_back(g, shape, axes, keepdim), float(count) if count else 1.0),
            None,
            None,
        )


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """Mean over `dim`; the input must be floating point, as in PyTorch."""
    if dtype is not None:
        input = cast(input, dtypes.canonical(dtype, "mean"))
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input._data.dtype}"
        )
    return Mean.apply(input, dims_of(dim, input._data.ndim, "mean"), bool(keepdim))


# ---- max / min ------------------------------------------------------------------------------------


class ExtremumAlongDim(Function):
    """max or min along one dim, returning (values, indices); the gradient goes to the index."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int, keepdim: bool, take_max: bool) -> tuple:
        x = a._data
        if x.dtype.kind == "f":
            idx = np.empty(keepdim_shape(x.shape, (dim,)), np.int64)
            values = np.empty(idx.shape, x.dtype)
            kernels.arg_extremum(_contiguous(x), dim, values, idx, take_max)
        else:
            idx = np.argmax(x, axis=dim, keepdims=True) if take_max else np.argmin(x, axis=dim, keepdims=True)
            values = np.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            values = values.squeeze(dim)
            out_idx = idx.squeeze(dim)
        else:
            out_idx = idx
        ctx.meta = (x.shape, dim, idx, keepdim)
        indices = _wrap(out_idx.astype(np.int64, copy=False))
        ctx.mark_non_differentiable(indices)
        return _wrap(values), indices

    @staticmethod
    def backward(ctx: Any, g: Tensor, g_indices: Any) -> tuple:
        shape, dim, idx, keepdim = ctx.meta
        if not keepdim:
            g = unsqueeze(g, dim)
        return ScatterAdd.apply(g, shape, dim, idx), None, None, None


class Extremum(Function):
    """amax or amin over axes; ties share the gradient evenly (as PyTorch's amax)."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, axes: tuple, keepdim: bool, take_max: bool) -> Tensor:
        x = a._data
        if x.dtype.kind == "f":
            out = np.empty(keepdim_shape(x.shape, axes), x.dtype)
            kernels.extremum(_contiguous(x), axes, out, take_max)
        else:
            out = np.max(x, axis=axes, keepdims=True) if take_max else np.min(x, axis=axes, keepdims=True)
        ctx.meta = (x.shape, axes, keepdim)
        ctx.save_for_backward(a)
        ctx.out_keep = out
        return _wrap(out if keepdim else np.squeeze(out, axis=axes))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, axes, keepdim = ctx.meta
        (a,) = ctx.saved_tensors
        mask = np.asarray(a._data == ctx.out_keep, dtype=g._data.dtype)  # 0-d stays an array
        mask /= np.sum(mask, axis=axes, keepdims=True)
        return mul(_expand_back(g, shape, axes, keepdim), _wrap(mask)), None, None, None


def _check_nonempty(x: np.ndarray, axes: tuple, op: str) -> None:
    for ax in axes:
        if x.shape[ax] == 0:
            raise IndexError(
                f"{op}(): Expected reduction dim {ax} to have non-zero size (input shape {list(x.shape)})"
            )
    if not axes and x.size == 0:
        raise RuntimeError(f"{op}(): Expected a non-empty tensor (input shape {list(x.shape)})")


def _extremum(input: Tensor, dim: Any, keepdim: bool, take_max: bool, op: str) -> Any:
    if isinstance(dim, Tensor):
        return maximum(input, dim) if take_max else minimum(input, dim)
    x = input._data
    if dim is None:
        axes = tuple(range(x.ndim))
        if x.size == 0:
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return Extremum.apply(input, axes, False, take_max)
    d = normalize_dim(dim, x.ndim, op)
    _check_nonempty(x, (d,) if x.ndim else (), op)
    if x.ndim == 0:
        return values_indices(input, _wrap(np.zeros((), np.int64)))
    values, indices = ExtremumAlongDim.apply(input, d, bool(keepdim), take_max)
    return values_indices(values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest element, or `(values, indices)` along `dim`, or `maximum(input, other)`."""
    return _extremum(input, dim, keepdim, True, "max")


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The smallest element, or `(values, indices)` along `dim`, or `minimum(input, other)`."""
    return _extremum(input, dim, keepdim, False, "min")


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    axes = dims_of(None if dim == () else dim, input._data.ndim, "amax")
    _check_nonempty(input._data, axes, "amax")
    return Extremum.apply(input, axes, bool(keepdim), True)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    axes = dims_of(None if dim == () else dim, input._data.ndim, "amin")
    _check_nonempty(input._data, axes, "amin")
    return Extremum.apply(input, axes, bool(keepdim), False)


def _arg_extremum(input: Tensor, dim: Any, keepdim: bool, take_max: bool, op: str) -> Tensor:
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(f"{op}(): Expected a non-empty tensor when dim is None")
        shape = (1,) * x.ndim if keepdim else ()
        x, d = x.reshape(-1), 0
    else:
        d = normalize_dim(dim, x.ndim, op)
        if x.ndim == 0:
            return _wrap(np.zeros((), np.int64))
        _check_nonempty(x, (d,), op)
        shape = _reduced_shape(x.shape, (d,), bool(keepdim))
    if x.dtype.kind != "f":
        fn = np.argmax if take_max else np.argmin
        return _wrap(np.asarray(fn(x, axis=d)).astype(np.int64).reshape(shape))
    out = np.empty(shape, np.int64)
    kernels.arg_extremum(_contiguous(x), d, None, out, take_max)
    return _wrap(out)


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg_extremum(input, dim, keepdim, True, "argmax")


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg_extremum(input, dim, keepdim, False, "argmin")


# ---- var / std ------------------------------------------------------------------------------------


def _correction(unbiased: Any, correction: Any, op: str) -> float:
    if correction is not None and unbiased is not None:
        raise TypeError(f"{op}: pass either unbiased or correction, not both")
    if correction is not None:
        return float(correction)
    if unbiased is None:
        return 1.0
    if not isinstance(unbiased, bool):
        raise TypeError(f"{op}: unbiased must be a bool, got {type(unbiased).__name__}")
    return 1.0 if unbiased else 0.0


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Variance over `dim` with Bessel's correction by default (correction=1)."""
    return _variance(input, dim, unbiased, keepdim, correction, "var")


def _variance(input: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any, op: str) -> Tensor:
    """var's arguments checked in the name of `op` (var or std, whose errors name itself)."""
    if isinstance(dim, bool):  # var(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    require_float(input, op)
    c = _correction(unbiased, correction, op)
    return Var.apply(input, dims_of(dim, input._data.ndim, op), bool(keepdim), c)


class Var(Function):
    """sum((x - mean)^2) / max(count - correction, 0), two passes in one kernel."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, axes: tuple, keepdim: bool, correction: float) -> Tensor:
        x, adjacent = _adjacent(a._data, axes)
        out = np.empty(_reduced_shape(a._data.shape, axes, keepdim), x.dtype)
        kernels.var(_contiguous(x), adjacent, out, correction)
        ctx.meta = (a._data.shape, axes, keepdim, correction)
        ctx.save_for_backward(a)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, axes, keepdim, correction = ctx.meta
        (a,) = ctx.saved_tensors
        denom = _count(shape, axes) - correction
        scale = 2.0 / denom if denom > 0 else float("inf")
        centered = sub(a, mean(a, axes, keepdim=True))
        return mul(mul(_expand_back(g, shape, axes, keepdim), scale), centered), None, None, None


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Standard deviation: sqrt(var)."""
    return sqrt(_variance(input, dim, unbiased, keepdim, correction, "std"))


# ---- logsumexp, softmax, log_softmax ------------------------------------------------------------


class LogSumExp(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, axes: tuple, keepdim: bool) -> Tensor:
        x, adjacent = _adjacent(a._data, axes)
        out = np.empty(_reduced_shape(a._data.shape, axes, keepdim), x.dtype)
        kernels.logsumexp(_contiguous(x), adjacent, out)
        result = _wrap(out)
        ctx.meta = (a._data.shape, axes, keepdim)
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, axes, keepdim = ctx.meta
        a, out = ctx.saved_tensors
        if not keepdim:
            out = reshape(out, keepdim_shape(shape, axes))
            g = reshape(g, keepdim_shape(shape, axes))
        return LogSumExpGrad.apply(a, out, g, axes), None, None


class LogSumExpGrad(Function):
    """g * exp(x - lse), the gradient of logsumexp (lse and g keep the reduced dims as 1)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, lse: Tensor, g: Tensor, axes: tuple) -> Tensor:
        xd, adjacent = _adjacent(x._data, axes)
        out = np.empty(xd.shape, xd.dtype)
        kernels.logsumexp_backward(
            _contiguous(xd), _contiguous(lse._data), _contiguous(g._data), adjacent, out
        )
        result = _wrap(out if adjacent is axes else np.moveaxis(out, adjacent, axes))
        ctx.axes = axes
        ctx.save_for_backward(x, lse, g, result)
        return result

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        x, lse, g, gx = ctx.saved_tensors
        axes = ctx.axes
        need_x, need_lse, need_g = ctx.needs_input_grad[:3]
        gg_gx = mul(gg, gx) if need_x or need_lse else None
        grad_lse = neg(sum(gg_gx, axes, keepdim=True)) if need_lse else None
        grad_g = sum(mul(gg, exp(sub(x, lse))), axes, keepdim=True) if need_g else None
        return gg_gx if need_x else None, grad_lse, grad_g, None


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input), dim)) computed without overflow."""
    require_float(input, "logsumexp")
    return LogSumExp.apply(input, dims_of(dim, input._data.ndim, "logsumexp"), bool(keepdim))


class Softmax(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int) -> Tensor:
        x = a._data
        out = _wrap(np.empty(x.shape, x.dtype))
        kernels.softmax(_contiguous(x), dim, out._data)
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (y,) = ctx.saved_tensors
        return SoftmaxGrad.apply(y, g, ctx.dim), None


class SoftmaxGrad(Function):
    """y * (g - sum(g * y, dim)), the gradient of softmax from its output y."""

    @staticmethod
    def forward(ctx: Any, y: Tensor, g: Tensor, dim: int) -> Tensor:
        out = np.empty(y._data.shape, y._data.dtype)
        kernels.softmax_backward(_contiguous(y._data), _contiguous(g._data), dim, out)
        ctx.dim = dim
        ctx.save_for_backward(y, g)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        y, g = ctx.saved_tensors
        dim = ctx.dim
        need_y, need_g = ctx.needs_input_grad[:2]
        grad_y = None
        if need_y:  # d/dy of y * (g - s), s = sum(g * y): gg * (g - s) - g * sum(gg * y)
            s = sum(mul(g, y), dim, keepdim=True)
            grad_y = sub(mul(gg, sub(g, s)), mul(g, sum(mul(gg, y), dim, keepdim=True)))
        grad_g = SoftmaxGrad.apply(y, gg, dim) if need_g else None
        return grad_y, grad_g, None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int) -> Tensor:
        x = a._data
        out = _wrap(np.empty(x.shape, x.dtype))
        kernels.log_softmax(_contiguous(x), dim, out._data)
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (y,) = ctx.saved_tensors
        return LogSoftmaxGrad.apply(y, g, ctx.dim), None


class LogSoftmaxGrad(Function):
    """g - exp(y) * sum(g, dim), the gradient of log_softmax from its output y."""

    @staticmethod
    def forward(ctx: Any, y: Tensor, g: Tensor, dim: int) -> Tensor:
        out = np.empty(y._data.shape, y._data.dtype)
        kernels.log_softmax_backward(_contiguous(y._data), _contiguous(g._data), dim, out)
        ctx.dim = dim
        ctx.save_for_backward(y, g)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        y, g = ctx.saved_tensors
        dim = ctx.dim
        need_y, need_g = ctx.needs_input_grad[:2]
        gg_p = mul(gg, exp(y))  # gg times the softmax
        grad_y = neg(mul(gg_p, sum(g, dim, keepdim=True))) if need_y else None
        grad_g = sub(gg, sum(gg_p, dim, keepdim=True)) if need_g else None
        return grad_y, grad_g, None


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x), dim), computed stably."""
    if dtype is not None:
        input = cast(input, dtypes.canonical(dtype, "softmax"))
    require_float(input, "softmax")
    if input._data.ndim == 0:  # PyTorch accepts a 0-d input: one element along dim 0
        return reshape(softmax(reshape(input, (1,)), dim), ())
    return Softmax.apply(input, normalize_dim(dim, input._data.ndim, "softmax"))


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """x - logsumexp(x, dim), computed stably."""
    if dtype is not None:
        input = cast(input, dtypes.canonical(dtype, "log_softmax"))
    require_float(input, "log_softmax")
    if input._data.ndim == 0:  # PyTorch accepts a 0-d input: one element along dim 0
        return reshape(log_softmax(reshape(input, (1,)), dim), ())
    return LogSoftmax.apply(input, normalize_dim(dim, input._data.ndim, "log_softmax"))


# ---- truth tests: all, any, count_nonzero (no gradient) --------------------------------------------


def _truth(input: Tensor, dim: Any, keepdim: bool, fn: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    x = input._data
    axes = dims_of(dim, x.ndim, op)
    return _wrap(np.asarray(fn(x, axis=axes, keepdims=bool(keepdim))))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where every entry (along dim) is non-zero; a bool tensor."""
    return _truth(input, dim, keepdim, np.all, "all")


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where some entry (along dim) is non-zero; a bool tensor."""
    return _truth(input, dim, keepdim, np.any, "any")


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number of non-zero entries (along dim), as int64."""
    if not isinstance(input, Tensor):
        raise TypeError(f"count_nonzero: expected a Tensor, got {type(input).__name__}")
    axes = dims_of(dim, input._data.ndim, "count_nonzero")
    return _wrap(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


from .elementwise import cast, div, exp, maximum, minimum, mul, neg, sqrt, sub  # noqa: E402
from .index import ScatterAdd  # noqa: E402
from .shape import expand, reshape, unsqueeze  # noqa: E402
