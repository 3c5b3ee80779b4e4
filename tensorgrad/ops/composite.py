"""Pointwise functions written with other ops (so their gradients, first and second, come from
those ops): lerp, addcmul, addcdiv, log2, log10, exp2, tan, sinh, cosh."""

from __future__ import annotations

import math
from typing import Any

from ..tensor import Tensor


def lerp(input: Tensor, end: Any, weight: Any) -> Tensor:
    """input + weight * (end - input)."""
    return add(input, mul(weight, sub(end, input)))


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    """input + value * tensor1 * tensor2."""
    return add(input, mul(mul(tensor1, tensor2), value))


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    """input + value * tensor1 / tensor2."""
    return add(input, mul(div(tensor1, tensor2), value))


def log2(input: Tensor) -> Tensor:
    return div(log(input), math.log(2.0))


def log10(input: Tensor) -> Tensor:
    return div(log(input), math.log(10.0))


def exp2(input: Tensor) -> Tensor:
    return exp(mul(input, math.log(2.0)))


def tan(input: Tensor) -> Tensor:
    return div(sin(input), cos(input))


def sinh(input: Tensor) -> Tensor:
    return mul(sub(exp(input), exp(neg(input))), 0.5)


def cosh(input: Tensor) -> Tensor:
    return mul(add(exp(input), exp(neg(input))), 0.5)


from .elementwise import add, cos, div, exp, log, mul, neg, sin, sub  # noqa: E402
