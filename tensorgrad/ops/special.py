"""Special functions with PyTorch's names: erf, erfc and erfinv (computed by scipy.special), logit
and xlogy.

Each is a Function whose backward is PyTorch's formula (tools/autograd/derivatives.yaml) written in
tensorgrad ops, so second derivatives exist too. Integer and bool inputs compute in float32, as in
PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import broadcast_shapes, to_tensor

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def float_input(input: Any, op: str) -> Tensor:
    """input as a floating-point tensor: int and bool tensors become float32, as in PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        return _wrap(input._data.astype(dtypes.float32))
    return input


def float_operands(input: Any, other: Any, op: str, ints: bool = True) -> tuple[Tensor, Tensor]:
    """Both operands (a Tensor and a Tensor or a number) as tensors of their promoted floating
    dtype. With `ints`, integer and bool operands promote to float32; without, they are an error
    (as PyTorch's kernels for logaddexp and hypot have no integer version)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(
            f"{op}: expected at least one Tensor, got {type(input).__name__} and {type(other).__name__}"
        )
    like = input if isinstance(input, Tensor) else other
    a, b = to_tensor(input, op, like), to_tensor(other, op, like)
    broadcast_shapes(a._data.shape, b._data.shape, op)
    dtype = dtypes.promote(a._data.dtype, b._data.dtype)
    if dtype.kind != "f":
        if not ints:
            raise RuntimeError(
                f"{op}: expected floating point tensors, got dtypes {a._data.dtype} and {b._data.dtype}"
            )
        dtype = dtypes.float32
    return cast(a, dtype), cast(b, dtype)


def scipy_special() -> Any:
    """scipy.special, imported on first use: it takes ~0.15 s, too much for `import tensorgrad`."""
    from scipy import special

    return special


class _ScipyUnary(Function):
    """A scipy.special function of the input; subclasses name it in `function` and give `backward`."""

    function = ""

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return _wrap(np.asarray(getattr(scipy_special(), type(ctx).function)(a._data)))


class Erf(_ScipyUnary):
    function = "erf"

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return mul(g, mul(exp(neg(mul(a, a))), _TWO_OVER_SQRT_PI))


class Erfc(_ScipyUnary):
    function = "erfc"

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return mul(g, mul(exp(neg(mul(a, a))), -_TWO_OVER_SQRT_PI))


class Erfinv(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        # +-1 -> +-inf, outside [-1, 1] -> nan. scipy's erfinv answers nan there too, but by
        # throwing and catching a C++ exception inside boost, which a process running under
        # AddressSanitizer (CI's debug stage) cannot survive: such inputs are made nan first.
        x = a._data
        out = _wrap(np.asarray(scipy_special().erfinv(np.where(np.abs(x) <= 1, x, np.nan).astype(x.dtype))))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return mul(g, mul(exp(mul(out, out)), math.sqrt(math.pi) / 2))


def erf(input: Tensor) -> Tensor:
    """The error function, 2/sqrt(pi) times the integral of exp(-t**2) from 0 to input."""
    return Erf.apply(float_input(input, "erf"))


def erfc(input: Tensor) -> Tensor:
    """1 - erf(input), accurate where erf(input) is near 1."""
    return Erfc.apply(float_input(input, "erfc"))


def erfinv(input: Tensor) -> Tensor:
    """The inverse of erf on (-1, 1); -inf and inf at -1 and 1, nan outside."""
    return Erfinv.apply(float_input(input, "erfinv"))


class Logit(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, eps: float | None) -> Tensor:
        ctx.save_for_backward(a)
        ctx.eps = eps
        z = a._data if eps is None else np.clip(a._data, eps, 1.0 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 -> -inf, 1 -> inf, outside -> nan
            return _wrap(np.asarray(np.log(z / (1.0 - z))))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        # PyTorch's infinitely_differentiable_logit_backward: g / (x (1 - x)) inside [lo, hi];
        # outside, 0 where eps clamped the input and nan where the logit is undefined
        (a,) = ctx.saved_tensors
        eps = ctx.eps
        lo, hi = (0.0, 1.0) if eps is None else (eps, 1.0 - eps)
        inside = logical_and(ge(a, lo), le(a, hi))
        grad = div(g, mul(a, rsub(a, 1.0)))
        return where(inside, grad, math.nan if eps is None else 0.0), None


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(p / (1 - p)) of p = input, clamped to [eps, 1 - eps] first when eps is given."""
    return Logit.apply(float_input(input, "logit"), None if eps is None else float(eps))


class Xlogy(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, y: Tensor) -> Tensor:
        ctx.save_for_backward(x, y)
        xd, yd = x._data, y._data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(xd == 0, 0.0, xd * np.log(yd))
        return _wrap(np.asarray(np.where(np.isnan(yd), np.nan, out)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            # xlogy(g, y), except 0 where x == 0 and y <= 0 (PyTorch's choice where x log y is
            # undefined around the point: the derivative along x = 0)
            undefined = logical_and(eq(x, 0.0), le(y, 0.0))
            gx = _grad_for(where(undefined, 0.0, Xlogy.apply(g, y)), x._data.dtype, x._data.shape)
        if need_y:
            gy = _grad_for(div(mul(g, x), y), y._data.dtype, y._data.shape)
        return gx, gy


def xlogy(input: Any, other: Any) -> Tensor:
    """input * log(other), 0 where input is 0 (unless other is nan); either may be a number."""
    x, y = float_operands(input, other, "xlogy")
    return Xlogy.apply(x, y)


from .elementwise import (  # noqa: E402
    _grad_for,
    cast,
    div,
    eq,
    exp,
    ge,
    le,
    logical_and,
    mul,
    neg,
    rsub,
    where,
)
