"""Elementwise operations: arithmetic with broadcasting, unary maths, activations, comparisons.

float32/float64 arithmetic runs in the kernels of `tensorgrad._kernels.elementwise`, which take
broadcast, strided and stride-0 operands as they are and allocate the output; int and bool
tensors keep numpy's ufuncs. Backward rules are written in tensorgrad operations so that they can
be differentiated again; where a gradient is one fused kernel pass (tanh, sigmoid, relu, ...), that
pass is an op of its own (`TanhBackward(g, y)`, ...) whose backward is again written in ops.
Gradients of broadcast inputs are reduced back to the input's shape by `sum_to` alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from .._kernels import elementwise as _k
from ..autograd.function import Function, apply_op
from ..tensor import Tensor, _wrap
from ._util import SCALARS, broadcast_shapes, to_tensor

try:
    import cython
except ImportError:  # uncompiled, without Cython installed
    from .. import _cython_shim as cython

_F32 = dtypes.float32
_F64 = dtypes.float64
_INF = float("inf")

# Kernels are called as `_k.name(...)` at call time (never bound to another name), so that the
# profiler, which wraps the module's functions, sees every call.

# ---- dtype helpers -------------------------------------------------------------------------


def _promoted(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays in their PyTorch result dtype."""
    d = dtypes.promote(x.dtype, y.dtype)
    return (x if x.dtype == d else x.astype(d)), (y if y.dtype == d else y.astype(d))


def _float_input(x: np.ndarray) -> np.ndarray:
    """x as a float32/float64 array a kernel takes; int and bool inputs of float-valued
    functions compute in float32, as in PyTorch."""
    d = x.dtype
    if d is _F32 or d is _F64:
        return x
    return x.astype(_F64 if d == _F64 else _F32)


def _binary(kernel: Any, ufunc: Any, x: np.ndarray, y: np.ndarray) -> Tensor:
    """x (op) y in the promoted dtype: `kernel` (an `_k` function) for floats, numpy's ufunc otherwise.

    Float dtypes are recognised by identity: numpy's native float32/float64 dtypes are
    singletons, and an odd float dtype (non-native byte order, metadata) must not reach a kernel.
    """
    d = x.dtype
    if d is y.dtype and (d is _F32 or d is _F64):
        return _wrap(kernel(x, y))
    if d != y.dtype:
        x, y = _promoted(x, y)
        d = x.dtype
        if d is _F32 or d is _F64:
            return _wrap(kernel(x, y))
    return _wrap(ufunc(x, y))


def _scalar_other(kernel: Any, ufunc: Any, x: np.ndarray, c: Any, reflected: bool) -> Tensor:
    """x (op) c for a Python scalar c and an array x that is not float32/float64 (int, bool), in
    PyTorch's result dtype."""
    d = dtypes.scalar_result(x.dtype, c)
    if d != x.dtype:
        x = x.astype(d)
    if d is _F32 or d is _F64:
        return _wrap(kernel(x, c))
    v = d.type(c)
    return _wrap(ufunc(v, x) if reflected else ufunc(x, v))


def _grad_for(g: Tensor, t_dtype: np.dtype, shape: tuple) -> Tensor:
    """A gradient reduced to `shape` and cast to the input's dtype."""
    if g._data.shape != shape:
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
    @cython.locals(ctx=Function, a=Tensor, b=Tensor)
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        if ctx.needs_input_grad:  # empty unless recorded (e.g. summing gradients in backward)
            ctx.inputs_meta = (a._data.shape, a._data.dtype, b._data.shape, b._data.dtype)
        return _binary(_k.add, np.add, a._data, b._data)

    @staticmethod
    @cython.locals(ctx=Function, g=Tensor)
    def backward(ctx: Any, g: Tensor) -> tuple:
        sa, da, sb, db = ctx.inputs_meta
        need_a, need_b = ctx.needs_input_grad
        return (_grad_for(g, da, sa) if need_a else None, _grad_for(g, db, sb) if need_b else None)


class Sub(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        ctx.inputs_meta = (a._data.shape, a._data.dtype, b._data.shape, b._data.dtype)
        return _binary(_k.sub, np.subtract, a._data, b._data)

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
    @cython.locals(ctx=Function, a=Tensor, b=Tensor)
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        if ctx.needs_input_grad:  # empty unless recorded (e.g. not inside a plain backward)
            ctx.save_for_backward(a, b)
        return _binary(_k.mul, np.multiply, a._data, b._data)

    @staticmethod
    @cython.locals(ctx=Function, g=Tensor, a=Tensor, b=Tensor)
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = _grad_for(apply_op(Mul, (g, b)), a._data.dtype, a._data.shape) if need_a else None
        gb = _grad_for(apply_op(Mul, (g, a)), b._data.dtype, b._data.shape) if need_b else None
        return ga, gb


class Div(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return _binary(_k.div, np.divide, _float_input(a._data), _float_input(b._data))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        g_over_b = div(g, b)
        ga = _grad_for(g_over_b, a._data.dtype, a._data.shape) if need_a else None
        gb = None
        if need_b:  # -g a / b**2
            gb = _grad_for(neg(div(mul(g_over_b, a), b)), b._data.dtype, b._data.shape)
        return ga, gb


class Pow(Function):
    """a ** b for two tensors."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return _binary(_k.power, np.power, a._data, b._data)

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
        if c == 2:
            return _binary(_k.mul, np.multiply, x, x)
        d = x.dtype
        if d is _F32 or d is _F64:
            return _wrap(_k.pow_scalar_forward(x, c))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return _wrap(np.power(x, d.type(c)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        c = ctx.exponent
        if c == 0:
            return mul(g, 0.0), None
        if c == 1:
            return g, None
        return PowScalarBackward.apply(g, a, c), None


class RPowScalar(Function):
    """c ** a for a Python number c."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        out = _wrap(_k.rpow_scalar(_float_input(a._data), c))
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
        d = x.dtype
        if d is _F32 or d is _F64:
            return _wrap(_k.add_scalar(x, c))
        return _scalar_other(_k.add_scalar, np.add, x, c, False)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return g, None


class MulScalar(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        ctx.factor = c
        x = a._data
        d = x.dtype
        if d is _F32 or d is _F64:
            return _wrap(_k.mul_scalar(x, c))
        return _scalar_other(_k.mul_scalar, np.multiply, x, c, False)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return mul(g, ctx.factor), None


class RSubScalar(Function):
    """c - a for a Python number c."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        x = a._data
        d = x.dtype
        if d is _F32 or d is _F64:
            return _wrap(_k.rsub_scalar(x, c))
        return _scalar_other(_k.rsub_scalar, np.subtract, x, c, True)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return neg(g), None


class RDivScalar(Function):
    """c / a for a Python number c."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, c: Any) -> Tensor:
        out = _wrap(_k.rdiv_scalar(_float_input(a._data), c))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, out = ctx.saved_tensors
        return neg(div(mul(g, out), a)), None


class Neg(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        x = a._data
        d = x.dtype
        if d is _F32 or d is _F64:
            return _wrap(_k.neg_forward(x))
        if d.kind == "b":
            raise RuntimeError("neg: negation of a bool tensor is not supported; use ~ or logical_not")
        return _wrap(np.negative(x))

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
        return apply_op(Add, (input, other))
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
    _check_no_bool(a, b, "sub")
    if isinstance(b, Tensor):
        return Sub.apply(a, b)
    return AddScalar.apply(a, -b)


def rsub(input: Tensor, other: Any) -> Tensor:
    """other - input."""
    a, b = _scalar_or_tensor(input, other, "rsub")
    _check_no_bool(a, b, "sub")
    if isinstance(b, Tensor):
        return Sub.apply(b, a)
    return RSubScalar.apply(a, b)


def _check_no_bool(a: Tensor, b: Any, op: str) -> None:
    if a._data.dtype.kind == "b" or (isinstance(b, Tensor) and b._data.dtype.kind == "b"):
        raise RuntimeError(
            f"{op}: subtraction, the `-` operator, with a bool tensor is not supported (as in "
            "PyTorch); use ~ (logical_not), or convert with .long() first"
        )


def mul(input: Any, other: Any) -> Tensor:
    """input * other, with broadcasting."""
    if input.__class__ is Tensor and other.__class__ is Tensor and input._data.shape == other._data.shape:
        return apply_op(Mul, (input, other))
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
        out = _wrap(_k.exp_forward(_float_input(a._data)))
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
        return _wrap(_k.log_forward(_float_input(a._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return div(g, a)


class Sqrt(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        out = _wrap(_k.sqrt_forward(_float_input(a._data)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return SqrtBackward.apply(g, out)


class Tanh(Function):
    @staticmethod
    @cython.locals(ctx=Function, a=Tensor, out=Tensor)
    def forward(ctx: Any, a: Tensor) -> Tensor:
        out = _wrap(_k.tanh_forward(_float_input(a._data)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return apply_op(TanhBackward, (g, out))


class Sigmoid(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        out = _wrap(_k.sigmoid_forward(_float_input(a._data)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return SigmoidBackward.apply(g, out)


class Relu(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        x = a._data
        d = x.dtype
        if d is _F32 or d is _F64:
            out = _wrap(_k.relu_forward(x))
        else:
            out = _wrap(np.maximum(x, d.type(0)))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return ReluBackward.apply(g, out)


class Abs(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        x = a._data
        d = x.dtype
        return _wrap(_k.abs_forward(x) if (d is _F32 or d is _F64) else np.abs(x))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return AbsBackward.apply(g, a)


class Sin(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return _wrap(_k.sin_forward(_float_input(a._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return SinBackward.apply(g, a)


class Cos(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return _wrap(_k.cos_forward(_float_input(a._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return CosBackward.apply(g, a)


class Clamp(Function):
    """Limit to [lo, hi] (None: no bound); the gradient passes where lo <= input <= hi."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, lo: Any, hi: Any) -> Tensor:
        x = a._data
        ctx.save_for_backward(a)
        ctx.bounds = (-_INF if lo is None else lo, _INF if hi is None else hi)
        d = x.dtype
        if d is _F32 or d is _F64:
            return _wrap(_k.clamp_forward(x, ctx.bounds[0], ctx.bounds[1]))
        out = x
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        return _wrap(out if out is not x else x.copy())

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        return ClampBackward.apply(g, a, lo, hi), None, None


# ---- fused backward rules: ops of their own, so that their gradients exist too ----------------


def _grad_array(g: Tensor, like: np.ndarray) -> np.ndarray:
    """The upstream gradient's array in the dtype of the array the kernel pairs it with."""
    x = g._data
    return x if x.dtype is like.dtype else x.astype(like.dtype)


class _ActivationBackward(Function):
    """g * f'(.) in one kernel pass `_k.<kernel>(g, s)`, where s is the tensor the activation
    saved (its output y or its input x, per subclass). Subclasses give `kernel` and `backward`."""

    kernel = ""

    @staticmethod
    @cython.locals(ctx=Function, g=Tensor, s=Tensor)
    def forward(ctx: Any, g: Tensor, s: Tensor) -> Tensor:
        if ctx.needs_input_grad:  # empty unless recorded (create_graph): nothing to keep
            ctx.save_for_backward(g, s)
        y = s._data
        return _wrap(getattr(_k, ctx.kernel)(_grad_array(g, y), y))


class TanhBackward(_ActivationBackward):
    """g * (1 - y**2) from tanh's output y."""

    kernel = "tanh_backward"

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        return (
            TanhBackward.apply(gg, y) if need_g else None,
            mul(mul(gg, g), mul(y, -2.0)) if need_y else None,
        )


class SigmoidBackward(_ActivationBackward):
    """g * y * (1 - y) from sigmoid's output y."""

    kernel = "sigmoid_backward"

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        return (
            SigmoidBackward.apply(gg, y) if need_g else None,
            mul(mul(gg, g), rsub(mul(y, 2.0), 1.0)) if need_y else None,
        )


class SqrtBackward(_ActivationBackward):
    """g / (2 y) from sqrt's output y."""

    kernel = "sqrt_backward"

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        return (
            SqrtBackward.apply(gg, y) if need_g else None,
            neg(div(SqrtBackward.apply(mul(gg, g), y), y)) if need_y else None,  # -gg g / (2 y**2)
        )


class ReluBackward(_ActivationBackward):
    """g where relu's output y > 0, else 0 (a constant mask: no gradient to y)."""

    kernel = "relu_backward"

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        _, y = ctx.saved_tensors
        return ReluBackward.apply(gg, y), None


class AbsBackward(_ActivationBackward):
    """g * sign(x) from abs's input x (piecewise constant: no gradient to x)."""

    kernel = "abs_backward"

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        _, x = ctx.saved_tensors
        return AbsBackward.apply(gg, x), None


class SinBackward(_ActivationBackward):
    """g * cos(x) from sin's input x."""

    kernel = "sin_backward"

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        g, x = ctx.saved_tensors
        need_g, need_x = ctx.needs_input_grad
        return (
            SinBackward.apply(gg, x) if need_g else None,
            CosBackward.apply(mul(gg, g), x) if need_x else None,  # -gg g sin(x)
        )


class CosBackward(_ActivationBackward):
    """-g * sin(x) from cos's input x."""

    kernel = "cos_backward"

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        g, x = ctx.saved_tensors
        need_g, need_x = ctx.needs_input_grad
        return (
            CosBackward.apply(gg, x) if need_g else None,
            neg(SinBackward.apply(mul(gg, g), x)) if need_x else None,  # -gg g cos(x)
        )


class ClampBackward(Function):
    """g where lo <= x <= hi, else 0, from clamp's input x (a constant mask: no gradient to x)."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, x: Tensor, lo: float, hi: float) -> Tensor:
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        return _wrap(_k.clamp_backward(_grad_array(g, x._data), x._data, lo, hi))

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        return ClampBackward.apply(gg, x, lo, hi), None, None, None


class PowScalarBackward(Function):
    """g * c * x**(c - 1), the gradient of x**c for a Python number c."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, x: Tensor, c: Any) -> Tensor:
        ctx.save_for_backward(g, x)
        ctx.exponent = c
        return _wrap(_k.pow_scalar_backward(_grad_array(g, x._data), x._data, c))

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        g, x = ctx.saved_tensors
        c = ctx.exponent
        need_g, need_x, _ = ctx.needs_input_grad
        gx = None
        if need_x and c != 1:  # x**0 is constant; else gg g c (c-1) x**(c-2)
            gx = mul(PowScalarBackward.apply(mul(gg, g), x, c - 1), float(c))
        return (PowScalarBackward.apply(gg, x, c) if need_g else None), gx, None


def _unary(cls: type, x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return cls.apply(x)


def exp(input: Tensor) -> Tensor:
    return Exp.apply(input) if input.__class__ is Tensor else _unary(Exp, input, "exp")


def log(input: Tensor) -> Tensor:
    return Log.apply(input) if input.__class__ is Tensor else _unary(Log, input, "log")


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(input) if input.__class__ is Tensor else _unary(Sqrt, input, "sqrt")


def rsqrt(input: Tensor) -> Tensor:
    return rdiv(sqrt(input), 1.0)


def tanh(input: Tensor) -> Tensor:
    return apply_op(Tanh, (input,)) if input.__class__ is Tensor else _unary(Tanh, input, "tanh")


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(input) if input.__class__ is Tensor else _unary(Sigmoid, input, "sigmoid")


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input) if input.__class__ is Tensor else _unary(Relu, input, "relu")


def abs(input: Tensor) -> Tensor:
    return Abs.apply(input) if input.__class__ is Tensor else _unary(Abs, input, "abs")


def sin(input: Tensor) -> Tensor:
    return Sin.apply(input) if input.__class__ is Tensor else _unary(Sin, input, "sin")


def cos(input: Tensor) -> Tensor:
    return Cos.apply(input) if input.__class__ is Tensor else _unary(Cos, input, "cos")


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

    kernel, ufunc, share = "maximum", np.maximum, "maximum_share"

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return _binary(getattr(_k, ctx.kernel), ctx.ufunc, a._data, b._data)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        x, y = _promoted(a._data, b._data)
        x, y = _float_input(x), _float_input(y)
        share = getattr(_k, ctx.share)
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            ga = _grad_for(mul(g, _wrap(share(x, y))), a._data.dtype, a._data.shape)
        if need_b:
            gb = _grad_for(mul(g, _wrap(share(y, x))), b._data.dtype, b._data.shape)
        return ga, gb


class Minimum(Maximum):
    kernel, ufunc, share = "minimum", np.minimum, "minimum_share"


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
        ctx.meta = (a._data.dtype, a._data.shape, b._data.dtype, b._data.shape)
        return _wrap(np.where(cond, x, y))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        da, sa, db, sb = ctx.meta
        _, need_a, need_b = ctx.needs_input_grad
        cond = _wrap(ctx.cond)
        ga = _grad_for(where(cond, g, 0.0), da, sa) if need_a else None
        gb = _grad_for(where(cond, 0.0, g), db, sb) if need_b else None
        return None, ga, gb


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Elements of `input` where `condition` is true, else of `other` (broadcasting all three)."""
    cond = to_tensor(condition, "where")
    if cond._data.dtype != np.bool_:
        raise RuntimeError(f"where: condition must be a bool tensor, got dtype {cond._data.dtype}")
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    a = to_tensor(input, "where", like)
    b = to_tensor(other, "where", like)
    shape = broadcast_shapes(broadcast_shapes(cond.shape, a.shape, "where"), b.shape, "where")
    return Where.apply(np.broadcast_to(cond._data, shape), a, b)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """`input` with `value` written where the bool `mask` (broadcast to input's shape) is true."""
    m = to_tensor(mask, "masked_fill")
    if m._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill: mask must be a bool tensor, got dtype {m._data.dtype}")
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


def _bitwise(ufunc: Any, a: Any, b: Any, op: str) -> Tensor:
    a, b = _scalar_or_tensor(a, b, op)
    for t in (a, b):
        if isinstance(t, Tensor) and t._data.dtype.kind not in "bi":
            raise RuntimeError(f"{op}: expected bool or integer tensors, got dtype {t._data.dtype}")
    y = b._data if isinstance(b, Tensor) else b
    return _wrap(ufunc(a._data, y))


def bitwise_and(input: Any, other: Any) -> Tensor:
    """`&`: bitwise on integers, logical on bools."""
    return _bitwise(np.bitwise_and, input, other, "bitwise_and")


def bitwise_or(input: Any, other: Any) -> Tensor:
    """`|`: bitwise on integers, logical on bools."""
    return _bitwise(np.bitwise_or, input, other, "bitwise_or")


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """`^`: bitwise on integers, logical on bools."""
    return _bitwise(np.bitwise_xor, input, other, "bitwise_xor")


def bitwise_not(input: Tensor) -> Tensor:
    """`~`: bitwise on integers, logical on bools."""
    if input._data.dtype == np.bool_:
        return _wrap(np.logical_not(input._data))
    if input._data.dtype.kind == "i":
        return _wrap(np.invert(input._data))
    raise RuntimeError(f"bitwise_not: expected a bool or integer tensor, got dtype {input._data.dtype}")


def _logical(ufunc: Any, a: Any, b: Any, op: str) -> Tensor:
    """A bool tensor of ufunc applied to the truth of each entry (non-zero is true), any dtype."""
    a, b = _scalar_or_tensor(a, b, op)
    y = b._data if isinstance(b, Tensor) else b
    broadcast_shapes(a._data.shape, np.shape(y), op)
    return _wrap(np.asarray(ufunc(a._data, y)))


def logical_and(input: Any, other: Any) -> Tensor:
    return _logical(np.logical_and, input, other, "logical_and")


def logical_or(input: Any, other: Any) -> Tensor:
    return _logical(np.logical_or, input, other, "logical_or")


def logical_not(input: Tensor) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"logical_not: expected a Tensor, got {type(input).__name__}")
    return _wrap(np.asarray(np.logical_not(input._data)))


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


def _check_close(input: Any, other: Any, rtol: float, atol: float, op: str) -> None:
    for name, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: argument '{name}' must be a Tensor, not {type(t).__name__}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(
            f"{op}: expected both inputs to have the same dtype, got {input._data.dtype} and "
            f"{other._data.dtype}"
        )
    if input._data.shape != other._data.shape:
        broadcast_shapes(input._data.shape, other._data.shape, op)
    if not rtol >= 0 or not atol >= 0:
        raise RuntimeError(f"{op}: rtol and atol must be greater than or equal to zero, got {rtol}, {atol}")


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Elementwise |input - other| <= atol + rtol * |other| (bool tensor, broadcast, no gradient)."""
    _check_close(input, other, rtol, atol, "isclose")
    return _wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """True when isclose holds everywhere."""
    _check_close(input, other, rtol, atol, "allclose")
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both have the same shape and the same values (NaN is not equal to itself)."""
    for name, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"equal: argument '{name}' must be a Tensor, not {type(t).__name__}")
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def isnan(input: Tensor) -> Tensor:
    return _wrap(np.isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    return _wrap(np.isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    return _wrap(np.isfinite(input._data))


from .shape import sum_to  # noqa: E402
