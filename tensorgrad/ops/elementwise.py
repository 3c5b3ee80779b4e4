"""Elementwise operations: arithmetic with broadcasting, unary maths, activations, comparisons.

Backward rules are written in tensorgrad operations so that they can be differentiated again.
Gradients of broadcast inputs are reduced back to the input's shape by `sum_to` alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import SCALARS, broadcast_shapes, to_tensor

# ---- dtype helpers -------------------------------------------------------------------------


def _promoted(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays in their PyTorch result dtype."""
    d = dtypes.promote(x.dtype, y.dtype)
    return (x if x.dtype == d else x.astype(d)), (y if y.dtype == d else y.astype(d))


def _float_input(x: np.ndarray) -> np.ndarray:
    """Integer and bool inputs of float-valued functions compute in float32, as in PyTorch."""
    return x if x.dtype.kind == "f" else x.astype(dtypes.float32)


def _grad_for(g: Tensor, t_dtype: np.dtype, shape: tuple) -> Tensor:
    """A gradient reduced to `shape` and cast to the input's dtype."""
    g = sum_to(g, shape)
    if g._data.dtype != t_dtype:
        g = cast(g, t_dtype)
    return g


def _check_shapes(a: Tensor, b: Tensor, op: str) -> None:
    if a._data.shape != b._data.shape:
        broadcast_shapes(a._data.shape, b._data.shape, op)


# ---- binary arithmetic ---------------------------------------------------------------------


class Add(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            x, y = _promoted(x, y)
        ctx.inputs_meta = (a._data.shape, a._data.dtype, b._data.shape, b._data.dtype)
        return _wrap(np.add(x, y))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        sa, da, sb, db = ctx.inputs_meta
        need_a, need_b = ctx.needs_input_grad
        return (_grad_for(g, da, sa) if need_a else None, _grad_for(g, db, sb) if need_b else None)


class Sub(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            x, y = _promoted(x, y)
        ctx.inputs_meta = (a._data.shape, a._data.dtype, b._data.shape, b._data.dtype)
        return _wrap(np.subtract(x, y))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        sa, da, sb, db = ctx.inputs_meta
        need_a, need_b = ctx.needs_input_grad
        return (
            _grad_for(g, da, sa) if need_a else None,
            _grad_for(neg(g), db, sb) if need_b else None,
        )


class Mul(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            x, y = _promoted(x, y)
        ctx.save_for_backward(a, b)
        return _wrap(np.multiply(x, y))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = _grad_for(mul(g, b), a._data.dtype, a._data.shape) if need_a else None
        gb = _grad_for(mul(g, a), b._data.dtype, b._data.shape) if need_b else None
        return ga, gb


class Div(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        x, y = _float_input(a._data), _float_input(b._data)
        if x.dtype != y.dtype:
            x, y = _promoted(x, y)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.divide(x, y))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = _grad_for(div(g, b), a._data.dtype, a._data.shape) if need_a else None
        gb = None
        if need_b:
            gb = _grad_for(neg(div(mul(g, a), mul(b, b))), b._data.dtype, b._data.shape)
        return ga, gb


class Pow(Function):
    """a ** b for two tensors."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            x, y = _promoted(x, y)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return _wrap(np.power(x, y))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            ga = _grad_for(mul(g, mul(b, pow(a, sub(b, 1)))), a._data.dtype, a._data.shape)
        if need_b:
            # d/db a**b = a**b * log(a); defined as 0 where a == 0 and b >= 0, as in PyTorch
            safe = where(eq(a, 0) & ge(b, 0), 1.0, a)
            gb = _grad_for(mul(g, mul(pow(a, b), log(safe))), b._data.dtype, b._data.shape)
        return ga, gb


class PowScalar(Function):
    """a ** c for a Python number c."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        x = a._data
        if x.dtype.kind != "f" and (isinstance(c, float) or c < 0):
            x = x.astype(dtypes.float32)
        ctx.save_for_backward(a)
        ctx.exponent = c
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if c == 2:
                return _wrap(np.multiply(x, x))
            return _wrap(np.power(x, x.dtype.type(c)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        c = ctx.exponent
        if c == 0:
            return mul(g, 0.0), None
        if c == 1:
            return g, None
        if c == 2:
            return mul(g, mul(a, 2.0)), None
        return mul(g, mul(pow(a, c - 1), float(c))), None


class RPowScalar(Function):
    """c ** a for a Python number c."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        x = _float_input(a._data)
        out = _wrap(np.power(x.dtype.type(c), x))
        ctx.save_for_backward(out)
        ctx.log_base = float(np.log(c)) if c > 0 else float("nan")
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (out,) = ctx.saved_tensors
        return mul(mul(g, out), ctx.log_base), None


class AddScalar(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        x = a._data
        d = dtypes.scalar_result(x.dtype, c)
        if d != x.dtype:
            x = x.astype(d)
        return _wrap(np.add(x, d.type(c)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return g, None


class MulScalar(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        x = a._data
        d = dtypes.scalar_result(x.dtype, c)
        if d != x.dtype:
            x = x.astype(d)
        ctx.factor = c
        return _wrap(np.multiply(x, d.type(c)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return mul(g, ctx.factor), None


class RSubScalar(Function):
    """c - a for a Python number c."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        x = a._data
        d = dtypes.scalar_result(x.dtype, c)
        if d != x.dtype:
            x = x.astype(d)
        return _wrap(np.subtract(d.type(c), x))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return neg(g), None


class RDivScalar(Function):
    """c / a for a Python number c."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        x = _float_input(a._data)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = _wrap(np.divide(x.dtype.type(c), x))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, out = ctx.saved_tensors
        return neg(div(mul(g, out), a)), None


class Neg(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        if a._data.dtype.kind == "b":
            raise TypeError("neg: negation of a bool tensor is not supported; use ~ or logical_not")
        return _wrap(np.negative(a._data))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        return neg(g)


def _scalar_or_tensor(a: Any, b: Any, op: str) -> tuple[Tensor, Any]:
    """(tensor, other) where other is a Tensor or a Python scalar; `a` must be the tensor."""
    if not isinstance(a, Tensor):
        a = to_tensor(a, op, b if isinstance(b, Tensor) else None)
    if isinstance(b, Tensor):
        _check_shapes(a, b, op)
        return a, b
    if isinstance(b, SCALARS):
        return a, b.item() if isinstance(b, np.generic) else b
    return a, to_tensor(b, op, a)


def add(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    """input + alpha * other, with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    if input.__class__ is Tensor and other.__class__ is Tensor and input._data.shape == other._data.shape:
        return Add.apply(input, other)
    if not isinstance(input, Tensor):
        input, other = other, input
    a, b = _scalar_or_tensor(input, other, "add")
    if isinstance(b, Tensor):
        return Add.apply(a, b)
    return AddScalar.apply(a, b)


def sub(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    """input - alpha * other, with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    if not isinstance(input, Tensor):
        return rsub(other, input)
    a, b = _scalar_or_tensor(input, other, "sub")
    if isinstance(b, Tensor):
        return Sub.apply(a, b)
    return AddScalar.apply(a, -b)


def rsub(input: Tensor, other: Any) -> Tensor:
    """other - input."""
    a, b = _scalar_or_tensor(input, other, "rsub")
    if isinstance(b, Tensor):
        return Sub.apply(b, a)
    return RSubScalar.apply(a, b)


def mul(input: Any, other: Any) -> Tensor:
    """input * other, with broadcasting."""
    if input.__class__ is Tensor and other.__class__ is Tensor and input._data.shape == other._data.shape:
        return Mul.apply(input, other)
    if not isinstance(input, Tensor):
        input, other = other, input
    a, b = _scalar_or_tensor(input, other, "mul")
    if isinstance(b, Tensor):
        return Mul.apply(a, b)
    return MulScalar.apply(a, b)


def div(input: Any, other: Any, rounding_mode: str | None = None) -> Tensor:
    """input / other (true division; integer inputs give float32)."""
    if rounding_mode is not None:
        if rounding_mode == "floor":
            return floor_divide(input, other)
        if rounding_mode == "trunc":
            q = div(input, other)
            return _wrap(
                np.trunc(q._data).astype(
                    dtypes.promote(to_tensor(input, "div")._data.dtype, to_tensor(other, "div")._data.dtype)
                )
            )
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    if not isinstance(input, Tensor):
        return rdiv(other, input)
    a, b = _scalar_or_tensor(input, other, "div")
    if isinstance(b, Tensor):
        return Div.apply(a, b)
    if a._data.dtype.kind != "f":
        return Div.apply(a, to_tensor(b, "div"))
    return MulScalar.apply(a, 1.0 / b) if b != 0 else Div.apply(a, to_tensor(b, "div", a))


true_divide = div


def rdiv(input: Tensor, other: Any) -> Tensor:
    """other / input."""
    a, b = _scalar_or_tensor(input, other, "div")
    if isinstance(b, Tensor):
        return Div.apply(b, a)
    return RDivScalar.apply(a, b)


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent."""
    if not isinstance(input, Tensor):
        return rpow(exponent, input)
    a, b = _scalar_or_tensor(input, exponent, "pow")
    if isinstance(b, Tensor):
        return Pow.apply(a, b)
    return PowScalar.apply(a, b)


def rpow(input: Tensor, base: Any) -> Tensor:
    """base ** input."""
    a, b = _scalar_or_tensor(input, base, "pow")
    if isinstance(b, Tensor):
        return Pow.apply(b, a)
    return RPowScalar.apply(a, b)


def neg(input: Tensor) -> Tensor:
    return Neg.apply(input)


negative = neg


# ---- unary maths and activations -------------------------------------------------------------


class Exp(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        with np.errstate(over="ignore"):
            out = _wrap(np.exp(_float_input(a._data)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return mul(g, out)


class Log(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.log(_float_input(a._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return div(g, a)


class Sqrt(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        with np.errstate(invalid="ignore"):
            out = _wrap(np.sqrt(_float_input(a._data)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return div(g, mul(out, 2.0))


class Tanh(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        out = _wrap(np.tanh(_float_input(a._data)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return mul(g, rsub(mul(out, out), 1.0))


class Sigmoid(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        x = _float_input(a._data)
        # 0.5 * (1 + tanh(x / 2)) never overflows, unlike 1 / (1 + exp(-x))
        out = _wrap(0.5 * (np.tanh(0.5 * x) + 1.0))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return mul(g, mul(out, rsub(out, 1.0)))


class Relu(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        out = _wrap(np.maximum(a._data, a._data.dtype.type(0)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return mul(g, _wrap((out._data > 0).astype(g._data.dtype)))


class Abs(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return _wrap(np.abs(a._data))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return mul(g, sign(a))


class Sin(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return _wrap(np.sin(_float_input(a._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return mul(g, cos(a))


class Cos(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return _wrap(np.cos(_float_input(a._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return neg(mul(g, sin(a)))


class Clamp(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, lo: Any, hi: Any) -> Tensor:
        x = a._data
        ctx.save_for_backward(a)
        ctx.bounds = (lo, hi)
        out = x
        if lo is not None:
            out = np.maximum(out, x.dtype.type(lo) if x.dtype.kind == "f" else lo)
        if hi is not None:
            out = np.minimum(out, x.dtype.type(hi) if x.dtype.kind == "f" else hi)
        return _wrap(out if out is not x else x.copy())

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        x = a._data
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        return mul(g, _wrap(inside.astype(g._data.dtype))), None, None


def _unary(cls: type, x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return cls.apply(x)


def exp(input: Tensor) -> Tensor:
    return _unary(Exp, input, "exp")


def log(input: Tensor) -> Tensor:
    return _unary(Log, input, "log")


def sqrt(input: Tensor) -> Tensor:
    return _unary(Sqrt, input, "sqrt")


def rsqrt(input: Tensor) -> Tensor:
    return rdiv(sqrt(input), 1.0)


def tanh(input: Tensor) -> Tensor:
    return _unary(Tanh, input, "tanh")


def sigmoid(input: Tensor) -> Tensor:
    return _unary(Sigmoid, input, "sigmoid")


def relu(input: Tensor) -> Tensor:
    return _unary(Relu, input, "relu")


def abs(input: Tensor) -> Tensor:
    return _unary(Abs, input, "abs")


def sin(input: Tensor) -> Tensor:
    return _unary(Sin, input, "sin")


def cos(input: Tensor) -> Tensor:
    return _unary(Cos, input, "cos")


def square(input: Tensor) -> Tensor:
    return mul(input, input)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit values to [min, max]; the gradient passes where min <= input <= max."""
    if not isinstance(input, Tensor):
        raise TypeError(f"clamp: expected a Tensor, got {type(input).__name__}")
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    for name, v in (("min", min), ("max", max)):
        if v is not None and not isinstance(v, SCALARS):
            raise TypeError(f"clamp: {name} must be a number or a Tensor, got {type(v).__name__}")
    return Clamp.apply(input, min, max)


clip = clamp


# ---- maximum, minimum, where, masked_fill -------------------------------------------------------


class Maximum(Function):
    """Elementwise max; where the inputs tie, each gets half the gradient (as in PyTorch)."""

    take_max = True

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            x, y = _promoted(x, y)
        ctx.save_for_backward(a, b)
        return _wrap(np.maximum(x, y) if ctx.take_max else np.minimum(x, y))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        x, y = a._data, b._data
        first = (x > y) if ctx.take_max else (x < y)
        share = first.astype(g._data.dtype) + g._data.dtype.type(0.5) * (x == y)
        need_a, need_b = ctx.needs_input_grad
        ga = _grad_for(mul(g, _wrap(share)), x.dtype, x.shape) if need_a else None
        gb = _grad_for(mul(g, _wrap(1 - share)), y.dtype, y.shape) if need_b else None
        return ga, gb


class Minimum(Maximum):
    take_max = False


def maximum(input: Tensor, other: Any) -> Tensor:
    a, b = _scalar_or_tensor(input, other, "maximum")
    return Maximum.apply(a, to_tensor(b, "maximum", a))


def minimum(input: Tensor, other: Any) -> Tensor:
    a, b = _scalar_or_tensor(input, other, "minimum")
    return Minimum.apply(a, to_tensor(b, "minimum", a))


class Where(Function):
    @staticmethod
    def forward(ctx: Any, cond: np.ndarray, a: Tensor, b: Tensor) -> Tensor:
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            x, y = _promoted(x, y)
        ctx.cond = cond
        ctx.meta = (x.dtype, a._data.shape, b._data.shape)
        return _wrap(np.where(cond, x, y))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        d, sa, sb = ctx.meta
        _, need_a, need_b = ctx.needs_input_grad
        cond = _wrap(ctx.cond)
        ga = _grad_for(where(cond, g, 0.0), d, sa) if need_a else None
        gb = _grad_for(where(cond, 0.0, g), d, sb) if need_b else None
        return None, ga, gb


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Elements of `input` where `condition` is true, else of `other` (broadcasting all three)."""
    cond = to_tensor(condition, "where")
    if cond._data.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {cond._data.dtype}")
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    a = to_tensor(input, "where", like)
    b = to_tensor(other, "where", like)
    shape = broadcast_shapes(broadcast_shapes(cond.shape, a.shape, "where"), b.shape, "where")
    return Where.apply(np.broadcast_to(cond._data, shape), a, b)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """`input` with `value` written where the bool `mask` (broadcast to input's shape) is true."""
    m = to_tensor(mask, "masked_fill")
    if m._data.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {m._data.dtype}")
    if broadcast_shapes(input.shape, m.shape, "masked_fill") != input.shape:
        raise RuntimeError(
            f"masked_fill: mask of shape {list(m.shape)} cannot be broadcast to the input's "
            f"shape {list(input.shape)}"
        )
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                f"masked_fill only supports a 0-dimensional value tensor, but got one with "
                f"{value.ndim} dimension(s)"
            )
        return where(m, cast(value, input.dtype), input)
    return where(m, _wrap(np.asarray(value, dtype=input.dtype)), input)


# ---- dtype casts and copies --------------------------------------------------------------------


class Cast(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dtype: np.dtype) -> Tensor:
        ctx.src = a._data.dtype
        return _wrap(a._data.astype(dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return cast(g, ctx.src), None


def cast(input: Tensor, dtype: np.dtype) -> Tensor:
    """`input` converted to `dtype` (itself if it already has it, as PyTorch's `.to`)."""
    if input._data.dtype == dtype:
        return input
    if dtype.kind != "f" or input._data.dtype.kind != "f":
        with np.errstate(invalid="ignore"):
            return _wrap(input._data.astype(dtype))
    return Cast.apply(input, dtype)


class Clone(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        return _wrap(a._data.copy())

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        return g


def clone(input: Tensor) -> Tensor:
    return Clone.apply(input)


# ---- comparisons and other ops without a gradient ----------------------------------------------


def _compare(ufunc: Any, a: Any, b: Any, op: str) -> Tensor:
    a, b = _scalar_or_tensor(a, b, op)
    x = a._data
    y = b._data if isinstance(b, Tensor) else b
    return _wrap(ufunc(x, y))


def eq(input: Any, other: Any) -> Tensor:
    return _compare(np.equal, input, other, "eq")


def ne(input: Any, other: Any) -> Tensor:
    return _compare(np.not_equal, input, other, "ne")


def lt(input: Any, other: Any) -> Tensor:
    return _compare(np.less, input, other, "lt")


def le(input: Any, other: Any) -> Tensor:
    return _compare(np.less_equal, input, other, "le")


def gt(input: Any, other: Any) -> Tensor:
    return _compare(np.greater, input, other, "gt")


def ge(input: Any, other: Any) -> Tensor:
    return _compare(np.greater_equal, input, other, "ge")


def _logical(ufunc: Any, a: Any, b: Any, op: str) -> Tensor:
    a, b = _scalar_or_tensor(a, b, op)
    for t in (a, b):
        if isinstance(t, Tensor) and t._data.dtype.kind not in "bi":
            raise TypeError(f"{op}: expected bool or integer tensors, got dtype {t._data.dtype}")
    y = b._data if isinstance(b, Tensor) else b
    return _wrap(ufunc(a._data, y))


def logical_and(input: Any, other: Any) -> Tensor:
    return (
        _logical(np.logical_and, input, other, "logical_and")
        if _is_bool(input, other)
        else _logical(np.bitwise_and, input, other, "bitwise_and")
    )


def logical_or(input: Any, other: Any) -> Tensor:
    return (
        _logical(np.logical_or, input, other, "logical_or")
        if _is_bool(input, other)
        else _logical(np.bitwise_or, input, other, "bitwise_or")
    )


def _is_bool(a: Any, b: Any) -> bool:
    return (not isinstance(a, Tensor) or a._data.dtype == np.bool_) and (
        not isinstance(b, Tensor) or b._data.dtype == np.bool_
    )


def logical_not(input: Tensor) -> Tensor:
    if input._data.dtype == np.bool_:
        return _wrap(np.logical_not(input._data))
    if input._data.dtype.kind == "i":
        return _wrap(np.invert(input._data))
    raise TypeError(f"bitwise_not: expected a bool or integer tensor, got dtype {input._data.dtype}")


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by sign (no gradient flows through it, as its derivative is zero)."""
    return _wrap(np.sign(input._data))


def floor_divide(input: Any, other: Any) -> Tensor:
    a, b = _scalar_or_tensor(input, other, "floor_divide")
    y = b._data if isinstance(b, Tensor) else b
    with np.errstate(divide="ignore", invalid="ignore"):
        return _wrap(np.floor_divide(a._data, y))


def remainder(input: Any, other: Any) -> Tensor:
    a, b = _scalar_or_tensor(input, other, "remainder")
    y = b._data if isinstance(b, Tensor) else b
    with np.errstate(divide="ignore", invalid="ignore"):
        return _wrap(np.remainder(a._data, y))


def isnan(input: Tensor) -> Tensor:
    return _wrap(np.isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    return _wrap(np.isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    return _wrap(np.isfinite(input._data))


from .shape import sum_to  # noqa: E402
