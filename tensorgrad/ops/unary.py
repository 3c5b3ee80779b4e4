"""More unary maths with PyTorch's names: log1p and expm1 (accurate near 0), asin, acos and
atan (and the two-argument atan2), floor, ceil and round, nan_to_num, clamp_min and clamp_max.

floor, ceil and round have a zero derivative almost everywhere; like `sign`, they return a
tensor outside the graph. nan_to_num passes the gradient where the input is finite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import broadcast_shapes, require_float


def _tensor(input: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return input


class Log1p(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):  # -1 -> -inf, below -1 -> nan
            return _wrap(np.asarray(np.log1p(a._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return div(g, add(a, 1.0))


class Expm1(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        with np.errstate(over="ignore"):
            out = _wrap(np.asarray(np.expm1(a._data)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return mul(g, add(out, 1.0))


class _Inverse(Function):
    """asin/acos/atan computed by numpy; each backward is its derivative written in ops."""

    numpy_function: Any = None

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):  # outside [-1, 1]: nan, as PyTorch, without a warning
            return _wrap(np.asarray(type(ctx).numpy_function(a._data)))


class Asin(_Inverse):
    numpy_function = staticmethod(np.arcsin)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return div(g, sqrt(rsub(mul(a, a), 1.0)))


class Acos(_Inverse):
    numpy_function = staticmethod(np.arccos)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return neg(div(g, sqrt(rsub(mul(a, a), 1.0))))


class Atan(_Inverse):
    numpy_function = staticmethod(np.arctan)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return div(g, add(mul(a, a), 1.0))


def asin(input: Tensor) -> Tensor:
    require_float(_tensor(input, "asin"), "asin")
    return Asin.apply(input)


def acos(input: Tensor) -> Tensor:
    require_float(_tensor(input, "acos"), "acos")
    return Acos.apply(input)


def atan(input: Tensor) -> Tensor:
    require_float(_tensor(input, "atan"), "atan")
    return Atan.apply(input)


class Atan2(Function):
    """The angle of the point (other, input), in (-pi, pi]; broadcasting as PyTorch."""

    @staticmethod
    def forward(ctx: Any, y: Tensor, x: Tensor) -> Tensor:
        ctx.save_for_backward(y, x)
        return _wrap(np.asarray(np.arctan2(y._data, x._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        y, x = ctx.saved_tensors
        need_y, need_x = ctx.needs_input_grad
        scale = div(g, add(mul(x, x), mul(y, y)))  # d/dy = x / r^2, d/dx = -y / r^2
        gy = _grad_for(mul(scale, x), y._data.dtype, y._data.shape) if need_y else None
        gx = _grad_for(neg(mul(scale, y)), x._data.dtype, x._data.shape) if need_x else None
        return gy, gx


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise angle of (other, input): atan(input / other) in the right quadrant."""
    y, x = _tensor(input, "atan2"), _tensor(other, "atan2")
    broadcast_shapes(y._data.shape, x._data.shape, "atan2")
    dtype = np.result_type(y._data.dtype, x._data.dtype)
    if dtype.kind != "f":  # integer and bool arguments give the default float dtype
        dtype = np.dtype(np.float32)
    if y._data.dtype != dtype:
        y = cast(y, dtype)
    if x._data.dtype != dtype:
        x = cast(x, dtype)
    return Atan2.apply(y, x)


def log1p(input: Tensor) -> Tensor:
    """log(1 + input), accurate where input is near 0."""
    require_float(_tensor(input, "log1p"), "log1p")
    return Log1p.apply(input)


def expm1(input: Tensor) -> Tensor:
    """exp(input) - 1, accurate where input is near 0."""
    require_float(_tensor(input, "expm1"), "expm1")
    return Expm1.apply(input)


def _rounded(input: Any, op: str, rounding: Any) -> Tensor:
    """rounding(x) of a float tensor; integer and bool tensors are already whole and keep their
    dtype, as in PyTorch (numpy's floor would make them float64)."""
    x = _tensor(input, op)._data
    return _wrap(np.asarray(rounding(x) if x.dtype.kind == "f" else x.copy()))


def floor(input: Tensor) -> Tensor:
    return _rounded(input, "floor", np.floor)


def ceil(input: Tensor) -> Tensor:
    return _rounded(input, "ceil", np.ceil)


def round(input: Tensor, decimals: int = 0) -> Tensor:
    """Round half to even (as PyTorch), to `decimals` places."""
    return _rounded(input, "round", lambda x: np.round(x, decimals))


def nan_to_num(
    input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (by default 0 and the dtype's
    largest and lowest finite values)."""
    x = _tensor(input, "nan_to_num")._data
    if x.dtype.kind != "f":
        return clone(input)
    replaced = np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
    return where(_wrap(np.asarray(np.isfinite(x))), input, _wrap(np.asarray(replaced)))


def clamp_min(input: Tensor, min: Any) -> Tensor:
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    return clamp(input, max=max)


from .elementwise import _grad_for, add, cast, clamp, clone, div, mul, neg, rsub, sqrt, where  # noqa: E402
