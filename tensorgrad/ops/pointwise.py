"""More elementwise functions with PyTorch's names: reciprocal, trunc (fix), frac, sgn, signbit,
logical_xor, fmod, logaddexp, logaddexp2, hypot, deg2rad and rad2deg.

trunc, sgn and signbit have a zero derivative almost everywhere; like floor and sign they return
a tensor outside the graph. fmod, logaddexp(2) and hypot compute their values in numpy and write
their backward (PyTorch's formulas) in ops; the rest are composed of differentiable ops.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import broadcast_shapes, require_float, to_tensor


def _tensor(input: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return input


def reciprocal(input: Tensor) -> Tensor:
    """1 / input; integer and bool inputs give float32."""
    return rdiv(_tensor(input, "reciprocal"), 1.0)


def trunc(input: Tensor) -> Tensor:
    """input rounded toward zero (integer tensors come back as they are)."""
    x = _tensor(input, "trunc")._data
    return _wrap(np.asarray(np.trunc(x)) if x.dtype.kind == "f" else x.copy())


fix = trunc


def frac(input: Tensor) -> Tensor:
    """The fractional part, input - trunc(input), with input's sign; its gradient is the identity."""
    require_float(_tensor(input, "frac"), "frac")
    return sub(input, trunc(input))


def sgn(input: Tensor) -> Tensor:
    """sign(input): for real tensors PyTorch's sgn is sign."""
    return sign(_tensor(input, "sgn"))


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set: negative numbers, -0.0 and -inf (bool tensor)."""
    x = _tensor(input, "signbit")._data
    if x.dtype.kind == "b":
        return _wrap(np.zeros(x.shape, dtype=bool))
    return _wrap(np.asarray(np.signbit(x)))


def logical_xor(input: Tensor, other: Any) -> Tensor:
    """True where exactly one of input and other is non-zero (bool tensor, broadcasting)."""
    a = _tensor(input, "logical_xor")
    b = to_tensor(other, "logical_xor", a)
    broadcast_shapes(a._data.shape, b._data.shape, "logical_xor")
    return _wrap(np.asarray(np.logical_xor(a._data, b._data)))


class Fmod(Function):
    """The remainder of input / other with input's sign (C's fmod)."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # x % 0 and inf % y are nan
            return _wrap(np.asarray(np.fmod(a._data, b._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = _grad_for(g, a._data.dtype, a._data.shape) if need_a else None
        gb = None
        if need_b:  # -g * trunc(a / b): a step function of a and b, so a constant here
            with np.errstate(divide="ignore", invalid="ignore"):
                quotient = _wrap(np.asarray(np.trunc(a._data / b._data)))
            gb = _grad_for(neg(mul(g, quotient)), b._data.dtype, b._data.shape)
        return ga, gb


def fmod(input: Tensor, other: Any) -> Tensor:
    """input - trunc(input / other) * other, with broadcasting and PyTorch's type promotion;
    integer division by zero is an error."""
    a = _tensor(input, "fmod")
    b = to_tensor(other, "fmod", a)
    broadcast_shapes(a._data.shape, b._data.shape, "fmod")
    dtype = dtypes.promote(a._data.dtype, b._data.dtype)
    a, b = cast(a, dtype), cast(b, dtype)
    if dtype.kind == "f":
        return Fmod.apply(a, b)
    if dtype.kind == "b":
        raise RuntimeError("fmod: not implemented for bool tensors")
    if (b._data == 0).any():
        raise RuntimeError(f"fmod: ZeroDivisionError: integer division by zero (other has dtype {dtype})")
    return _wrap(np.asarray(np.fmod(a._data, b._data)))


class LogAddExp(Function):
    """log(exp(a) + exp(b)); its gradients are sigmoid(a - b) and sigmoid(b - a) times g."""

    function: Any = staticmethod(np.logaddexp)
    scale = 1.0  # logaddexp2 is the same with every difference scaled by log(2)

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return _wrap(np.asarray(type(ctx).function(a._data, b._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        scale = ctx.scale
        ga = gb = None
        if need_a:
            ga = _grad_for(mul(g, sigmoid(mul(sub(a, b), scale))), a._data.dtype, a._data.shape)
        if need_b:
            gb = _grad_for(mul(g, sigmoid(mul(sub(b, a), scale))), b._data.dtype, b._data.shape)
        return ga, gb


class LogAddExp2(LogAddExp):
    function = staticmethod(np.logaddexp2)
    scale = math.log(2.0)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(exp(input) + exp(other)) without overflow."""
    return LogAddExp.apply(*float_operands(_tensor(input, "logaddexp"), other, "logaddexp", ints=False))


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2**input + 2**other) without overflow."""
    return LogAddExp2.apply(*float_operands(_tensor(input, "logaddexp2"), other, "logaddexp2", ints=False))


class Hypot(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        out = _wrap(np.asarray(np.hypot(a._data, b._data)))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        scale = div(g, out)  # nan at (0, 0), as in PyTorch
        ga = _grad_for(mul(scale, a), a._data.dtype, a._data.shape) if need_a else None
        gb = _grad_for(mul(scale, b), b._data.dtype, b._data.shape) if need_b else None
        return ga, gb


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(input**2 + other**2) without overflow."""
    return Hypot.apply(*float_operands(_tensor(input, "hypot"), other, "hypot", ints=False))


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians; integer and bool inputs give float32."""
    return mul(_tensor(input, "deg2rad"), math.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees; integer and bool inputs give float32."""
    return mul(_tensor(input, "rad2deg"), 180.0 / math.pi)


from .elementwise import _grad_for, cast, div, mul, neg, rdiv, sigmoid, sign, sub  # noqa: E402
from .special import float_operands  # noqa: E402
