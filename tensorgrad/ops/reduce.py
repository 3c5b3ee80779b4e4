"""Reductions: sum, mean, max/min (with indices), amax/amin, var/std, argmax/argmin,
logsumexp, softmax and log_softmax, with `dim`/`keepdim` as PyTorch accepts them."""

from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import dims_of, keepdim_shape, require_float

values_indices = namedtuple("values_indices", ["values", "indices"])


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
        dtype = x.dtype if x.dtype.kind == "f" else dtypes.int64
        return _wrap(np.asarray(np.sum(x, axis=axes, keepdims=keepdim, dtype=dtype)))

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
        count = 1
        for ax in axes:
            count *= x.shape[ax]
        ctx.meta = (x.shape, axes, keepdim, count)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # mean of nothing is nan, silently
            return _wrap(np.asarray(np.mean(x, axis=axes, keepdims=keepdim)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, axes, keepdim, count = ctx.meta
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
        out = np.max(x, axis=axes, keepdims=True) if take_max else np.min(x, axis=axes, keepdims=True)
        ctx.meta = (x.shape, axes, keepdim)
        ctx.save_for_backward(a)
        ctx.out_keep = out
        return _wrap(out if keepdim else np.squeeze(out, axis=axes))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, axes, keepdim = ctx.meta
        (a,) = ctx.saved_tensors
        mask = (a._data == ctx.out_keep).astype(g._data.dtype)
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
    fn = np.argmax if take_max else np.argmin
    if dim is None:
        if x.size == 0:
            raise RuntimeError(f"{op}(): Expected a non-empty tensor when dim is None")
        out = np.asarray(fn(x))
        return _wrap((out.reshape((1,) * x.ndim) if keepdim else out).astype(np.int64))
    d = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    _check_nonempty(x, (d,), op)
    return _wrap(fn(x, axis=d, keepdims=bool(keepdim)).astype(np.int64))


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
    if isinstance(dim, bool):  # var(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    require_float(input, "var")
    c = _correction(unbiased, correction, "var")
    axes = dims_of(dim, input._data.ndim, "var")
    count = 1
    for ax in axes:
        count *= input._data.shape[ax]
    centered = sub(input, mean(input, axes, keepdim=True))
    total = sum(mul(centered, centered), axes, keepdim)
    denom = count - c
    return div(total, float(denom)) if denom > 0 else mul(total, float("nan") if count == 0 else float("inf"))


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Standard deviation: sqrt(var)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return sqrt(var(input, dim, unbiased, keepdim, correction=correction))


# ---- logsumexp, softmax, log_softmax ------------------------------------------------------------


def _shift(x: np.ndarray, axes: tuple) -> np.ndarray:
    """The max over axes (keepdims), with non-finite maxima replaced by 0 for stability."""
    m = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros(keepdim_shape(x.shape, axes), x.dtype)
    return np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)


class LogSumExp(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, axes: tuple, keepdim: bool) -> Tensor:
        x = a._data
        m = _shift(x, axes)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        result = _wrap(out if keepdim else np.squeeze(out, axis=axes))
        ctx.meta = (x.shape, axes, keepdim)
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, axes, keepdim = ctx.meta
        a, out = ctx.saved_tensors
        if not keepdim:
            out = reshape(out, keepdim_shape(shape, axes))
        return mul(_expand_back(g, shape, axes, keepdim), exp(sub(a, out))), None, None


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input), dim)) computed without overflow."""
    require_float(input, "logsumexp")
    return LogSumExp.apply(input, dims_of(dim, input._data.ndim, "logsumexp"), bool(keepdim))


class Softmax(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int) -> Tensor:
        x = a._data
        e = np.exp(x - _shift(x, (dim,)))
        out = _wrap(e / np.sum(e, axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (y,) = ctx.saved_tensors
        gy = mul(g, y)
        return sub(gy, mul(y, sum(gy, ctx.dim, keepdim=True))), None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int) -> Tensor:
        x = a._data
        shifted = x - _shift(x, (dim,))
        out = _wrap(shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True)))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (y,) = ctx.saved_tensors
        return sub(g, mul(exp(y), sum(g, ctx.dim, keepdim=True))), None


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x), dim), computed stably."""
    if dtype is not None:
        input = cast(input, dtypes.canonical(dtype, "softmax"))
    require_float(input, "softmax")
    return Softmax.apply(input, normalize_dim(dim, input._data.ndim, "softmax"))


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """x - logsumexp(x, dim), computed stably."""
    if dtype is not None:
        input = cast(input, dtypes.canonical(dtype, "log_softmax"))
    require_float(input, "log_softmax")
    return LogSoftmax.apply(input, normalize_dim(dim, input._data.ndim, "log_softmax"))


from .elementwise import cast, div, exp, maximum, minimum, mul, sqrt, sub  # noqa: E402
from .index import ScatterAdd  # noqa: E402
from .shape import expand, reshape, unsqueeze  # noqa: E402
