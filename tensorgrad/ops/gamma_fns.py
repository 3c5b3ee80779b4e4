"""The log-gamma function and its derivatives with PyTorch's names: lgamma, digamma and
polygamma (computed by scipy.special).

lgamma's derivative is digamma, and polygamma(n)'s is polygamma(n + 1), each written as the next
Function, so derivatives of any order exist. Integer and bool inputs compute in float32, as in
PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from .special import float_input, scipy_special


class Lgamma(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return _wrap(np.asarray(scipy_special().gammaln(a._data)))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return mul(g, Polygamma.apply(a, 0))


class Polygamma(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, n: int) -> Tensor:
        ctx.save_for_backward(a)
        ctx.n = n
        x = a._data
        special = scipy_special()
        out = special.digamma(x) if n == 0 else special.polygamma(n, x)
        return _wrap(np.asarray(out, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        return mul(g, Polygamma.apply(a, ctx.n + 1)), None


def lgamma(input: Tensor) -> Tensor:
    """The natural logarithm of the absolute value of the gamma function of input."""
    return Lgamma.apply(float_input(input, "lgamma"))


def digamma(input: Tensor) -> Tensor:
    """The logarithmic derivative of the gamma function, d/dx lgamma(x)."""
    return Polygamma.apply(float_input(input, "digamma"), 0)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of digamma (n >= 0)."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"polygamma: n must be a non-negative int, got {n!r}")
    return Polygamma.apply(float_input(input, "polygamma"), int(n))


from .elementwise import mul  # noqa: E402
