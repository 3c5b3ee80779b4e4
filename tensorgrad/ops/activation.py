"""Activations of nn beyond the elementwise core: GELU (exact and tanh), leaky ReLU, softplus, SiLU.

All are twice differentiable, as DESIGN.md asks of every activation: each backward is written
in differentiable ops, and GELU's derivative is an op of its own (`GeluGrad`) whose backward
is composed from exp/tanh, so higher derivatives keep working.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from .._kernels import silu as _silu_k
from .._kernels import softplus as _softplus_k
from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import require_float

_F32 = dtypes.float32
_F64 = dtypes.float64
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_CUBIC = 0.044715  # the tanh approximation: gelu(x) ~ x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    # imported on first use: scipy.special costs ~0.2 s to import, too much for `import tensorgrad`
    from scipy.special import ndtr

    return ndtr(x)


def _tanh_inner(x: np.ndarray) -> np.ndarray:
    return _SQRT_2_OVER_PI * (x + _CUBIC * x * x * x)


class Gelu(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, approximate: str) -> Tensor:
        x = a._data
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate == "tanh":
            out = 0.5 * x * (1.0 + np.tanh(_tanh_inner(x)))
        else:
            out = x * _normal_cdf(x)
        return _wrap(np.asarray(out, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        return mul(g, GeluGrad.apply(a, ctx.approximate)), None


class GeluGrad(Function):
    """gelu'(x) as an op of its own, so that GELU's backward can be differentiated again."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, approximate: str) -> Tensor:
        x = a._data
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate == "tanh":
            t = np.tanh(_tanh_inner(x))
            du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _CUBIC * x * x)
            out = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du
        else:
            out = _normal_cdf(x) + x * np.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return _wrap(np.asarray(out, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        return mul(g, _gelu_second_derivative(a, ctx.approximate)), None


def _gelu_second_derivative(a: Tensor, approximate: str) -> Tensor:
    """gelu''(x) composed from differentiable ops."""
    x2 = mul(a, a)
    if approximate != "tanh":
        # d/dx [Phi(x) + x phi(x)] = phi(x) (2 - x^2)
        return mul(mul(exp(mul(x2, -0.5)), _INV_SQRT_2PI), rsub(x2, 2.0))
    # with u = k (x + c x^3), T = tanh(u): gelu'' = (1 - T^2) (u' - x T u'^2 + x u'' / 2)
    t = tanh(mul(add(a, mul(mul(x2, a), _CUBIC)), _SQRT_2_OVER_PI))
    du = mul(add(mul(x2, 3.0 * _CUBIC), 1.0), _SQRT_2_OVER_PI)
    inner = add(sub(du, mul(mul(a, t), mul(du, du))), mul(x2, 3.0 * _CUBIC * _SQRT_2_OVER_PI))
    return mul(rsub(mul(t, t), 1.0), inner)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (Phi: the standard normal CDF); approximate='tanh' uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    require_float(input, "gelu")
    return Gelu.apply(input, approximate)


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, negative_slope: float) -> Tensor:
        x = a._data
        slope = np.where(x > 0, x.dtype.type(1), x.dtype.type(negative_slope))
        ctx.slope = slope
        return _wrap(np.asarray(x * slope))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return mul(g, _wrap(ctx.slope)), None


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    require_float(input, "leaky_relu")
    return LeakyRelu.apply(input, float(negative_slope))


# ---- softplus and silu: fused kernels (kernels/softplus.pyx, kernels/silu.pyx) -----------------
# Each forward is one kernel pass, and so is each backward: `SoftplusBackward(g, x)` and
# `SiluBackward(g, x)` are ops of their own whose backward is written in differentiable ops, so
# both activations stay twice (and more) differentiable. docs/extending.md walks SiLU through
# from a numpy Function to this kernel.


def _kernel_array(x: np.ndarray, dtype: Any = None) -> np.ndarray:
    """x as the C-contiguous float32/float64 array a kernel takes (a copy only when needed): in
    `dtype` if given, else in x's own dtype (float64 for 8-byte floats of any byte order)."""
    d = dtype or x.dtype
    if (d is _F32 or d is _F64) and x.dtype is d and x.flags.c_contiguous:
        return x
    if d is not _F32 and d is not _F64:
        d = _F64 if d.itemsize >= 8 else _F32
    return np.array(x, dtype=d, order="C")  # keeps a 0-d array 0-d, unlike ascontiguousarray


class Softplus(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, beta: float, threshold: float) -> Tensor:
        x = _kernel_array(a._data)
        ctx.save_for_backward(a)
        ctx.beta = beta
        ctx.threshold = threshold
        return _wrap(_softplus_k.softplus_forward(x, np.empty(x.shape, x.dtype), beta, threshold))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        return SoftplusBackward.apply(g, a, ctx.beta, ctx.threshold), None, None


class SoftplusBackward(Function):
    """g * sigmoid(beta x), or g where beta x > threshold, in one kernel pass."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, a: Tensor, beta: float, threshold: float) -> Tensor:
        x = _kernel_array(a._data)
        ctx.save_for_backward(g, a)
        ctx.beta = beta
        ctx.threshold = threshold
        gx = _kernel_array(g._data, x.dtype)
        return _wrap(_softplus_k.softplus_backward(gx, x, np.empty(x.shape, x.dtype), beta, threshold))

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        g, a = ctx.saved_tensors
        need_g, need_a = ctx.needs_input_grad[:2]
        beta = ctx.beta
        grad_g = SoftplusBackward.apply(gg, a, beta, ctx.threshold) if need_g else None
        grad_a = None
        if need_a:
            # d/dx sigmoid(beta x) = beta s (1 - s); zero in the linear region
            s = sigmoid(mul(a, beta))
            linear = a._data * a._data.dtype.type(beta) > ctx.threshold
            curve = mul(mul(s, rsub(s, 1.0)), _wrap((~linear).astype(a._data.dtype) * beta))
            grad_a = mul(mul(gg, g), curve)
        return grad_g, grad_a, None, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, computed without overflow; x itself where beta * x > threshold."""
    require_float(input, "softplus")
    return Softplus.apply(input, float(beta), float(threshold))


class Silu(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        x = _kernel_array(a._data)
        ctx.save_for_backward(a)
        return _wrap(_silu_k.silu_forward(x, np.empty(x.shape, x.dtype)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return SiluBackward.apply(g, a)


class SiluBackward(Function):
    """g * s (1 + x (1 - s)) with s = sigmoid(x), in one kernel pass."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, a: Tensor) -> Tensor:
        x = _kernel_array(a._data)
        ctx.save_for_backward(g, a)
        gx = _kernel_array(g._data, x.dtype)
        return _wrap(_silu_k.silu_backward(gx, x, np.empty(x.shape, x.dtype)))

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        g, a = ctx.saved_tensors
        need_g, need_a = ctx.needs_input_grad
        grad_g = SiluBackward.apply(gg, a) if need_g else None
        grad_a = None
        if need_a:
            # silu''(x) = s (1 - s) (2 + x (1 - 2 s))
            s = sigmoid(a)
            curve = mul(mul(s, rsub(s, 1.0)), add(mul(a, rsub(mul(s, 2.0), 1.0)), 2.0))
            grad_a = mul(mul(gg, g), curve)
        return grad_g, grad_a


def silu(input: Tensor) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    require_float(input, "silu")
    return Silu.apply(input)


from .elementwise import add, exp, mul, rsub, sigmoid, sub, tanh  # noqa: E402
