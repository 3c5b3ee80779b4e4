"""More elementwise math with PyTorch's names: heaviside, gcd, lcm, float_power, copysign, ldexp,
frexp, nextafter, renorm, bitwise_left_shift and bitwise_right_shift, plus the creation functions
logspace and empty_strided.

float_power, copysign, ldexp, frexp's mantissa and renorm are differentiable (composed of pow,
mul, abs and norm, or a constant scale); the integer and step functions return tensors outside
the graph, as in PyTorch.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import broadcast_shapes, to_tensor

mantissa_exponent = namedtuple("frexp", ["mantissa", "exponent"])


def _operands(input: Any, other: Any, op: str) -> tuple[Tensor, Tensor, np.dtype]:
    """Both operands as tensors (one may be a number), checked to broadcast, and their promoted dtype."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__} and {type(other).__name__}")
    like = input if isinstance(input, Tensor) else other
    a, b = to_tensor(input, op, like), to_tensor(other, op, like)
    broadcast_shapes(a._data.shape, b._data.shape, op)
    return a, b, dtypes.promote(a._data.dtype, b._data.dtype)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 where input < 0, `values` where input == 0, 1 where input > 0 (and 0 at NaN, as
    PyTorch's kernel); input and values must share a dtype."""
    if not isinstance(input, Tensor) or not isinstance(values, Tensor):
        raise TypeError(
            f"heaviside: expected Tensors, got {type(input).__name__} and {type(values).__name__}"
        )
    a, b, _ = _operands(input, values, "heaviside")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"heaviside is not yet implemented for tensors with different dtypes "
            f"({a._data.dtype} and {b._data.dtype})"
        )
    x = a._data
    return _wrap(np.asarray(np.where(x == 0, b._data, (x > 0).astype(x.dtype)), dtype=x.dtype))


def _integer_op(ufunc: Any, input: Any, other: Any, op: str) -> Tensor:
    a, b, dtype = _operands(input, other, op)
    if dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected integer tensors, got dtypes {a._data.dtype} and {b._data.dtype}")
    return _wrap(np.asarray(ufunc(a._data.astype(dtype), b._data.astype(dtype)), dtype=dtype))


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """The greatest common divisor (non-negative; gcd(0, 0) is 0) of integer tensors."""
    return _integer_op(np.gcd, input, other, "gcd")


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """The least common multiple (non-negative; 0 if either is 0) of integer tensors."""
    return _integer_op(np.lcm, input, other, "lcm")


def _shift_amounts(b: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Shifts by a negative amount or by at least the width overflow in PyTorch (its kernel
    compares the amount as unsigned): the mask of those, and the amounts made safe for numpy."""
    over = (b < 0) | (b >= bits)
    return over, np.where(over, 0, b)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """input << other for integer tensors (an overflowing shift gives 0)."""
    a, b, dtype = _operands(input, other, "bitwise_left_shift")
    if dtype.kind not in "iu":
        raise RuntimeError(f"bitwise_left_shift: expected integer tensors, got dtype {dtype}")
    x, s = a._data.astype(dtype), b._data.astype(dtype)
    over, amount = _shift_amounts(s, dtype.itemsize * 8)
    return _wrap(np.asarray(np.where(over, 0, np.left_shift(x, amount)), dtype=dtype))


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """input >> other (arithmetic) for integer tensors (an overflowing shift gives 0 or -1)."""
    a, b, dtype = _operands(input, other, "bitwise_right_shift")
    if dtype.kind not in "iu":
        raise RuntimeError(f"bitwise_right_shift: expected integer tensors, got dtype {dtype}")
    x, s = a._data.astype(dtype), b._data.astype(dtype)
    over, amount = _shift_amounts(s, dtype.itemsize * 8)
    return _wrap(np.asarray(np.where(over, np.where(x < 0, -1, 0), np.right_shift(x, amount)), dtype=dtype))


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in double precision: the result is always float64."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power: expected at least one Tensor")
    base = cast(input, dtypes.float64) if isinstance(input, Tensor) else float(input)
    power = cast(exponent, dtypes.float64) if isinstance(exponent, Tensor) else float(exponent)
    if not isinstance(base, Tensor):
        return rpow(power, base)
    return pow(base, power)


def copysign(input: Any, other: Any) -> Tensor:
    """|input| with the sign (sign bit, so -0.0 and NaN's too) of other; floating result. The
    gradient flows to input only (other's sign is a step function)."""
    a, b = float_operands(input, other, "copysign")
    sign_of_other = _wrap(np.where(np.signbit(b._data), -1.0, 1.0).astype(a._data.dtype))
    return mul(abs(a), sign_of_other)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """input * 2 ** other, floating (integer inputs give float32)."""
    a, b, _ = _operands(input, other, "ldexp")
    return mul(a, rpow(b if b._data.dtype.kind == "f" else cast(b, dtypes.float32), 2.0))


def frexp(input: Tensor) -> Any:
    """(mantissa, exponent) with input = mantissa * 2 ** exponent and |mantissa| in [0.5, 1)
    (0, inf and NaN keep exponent 0). The mantissa's gradient is g / 2 ** exponent. exponent is
    int64 here (PyTorch: int32, a dtype tensorgrad lacks)."""
    x = _float_tensor(input, "frexp")
    mantissa, exponent = np.frexp(x._data)
    scale = np.ldexp(np.ones_like(mantissa), -exponent)
    return mantissa_exponent(Frexp.apply(x, mantissa, scale), _wrap(exponent.astype(np.int64)))


class Frexp(Function):
    """The mantissa (computed exactly by numpy) as a function of x: x * 2**-exponent, whose
    gradient is g * 2**-exponent with the exponent held constant."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, mantissa: np.ndarray, scale: np.ndarray) -> Tensor:
        ctx.scale = _wrap(scale)
        return _wrap(mantissa)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return mul(g, ctx.scale), None, None


def _float_tensor(input: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"torch.{op}() only supports floating-point dtypes, got {input._data.dtype}")
    return input


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next floating-point value after input in the direction of other. No gradient."""
    a, b, dtype = _operands(input, other, "nextafter")
    if dtype.kind != "f":
        raise RuntimeError(f"nextafter: expected floating point tensors, got dtype {dtype}")
    return _wrap(np.asarray(np.nextafter(a._data.astype(dtype), b._data.astype(dtype)), dtype=dtype))


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """input with each slice along dim (input.select(dim, i)) whose p-norm exceeds maxnorm scaled
    down to norm maxnorm (by maxnorm / (norm + 1e-7), as PyTorch)."""
    x = _float_tensor(input, "renorm")
    ndim = x._data.ndim
    if ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {ndim} dimensions")
    if not p > 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported (p={p})")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = normalize_dim(dim, ndim, "renorm")
    norms = norm(x, p, tuple(i for i in range(ndim) if i != d), keepdim=True)
    too_large = gt(norms, maxnorm)
    factor = where(too_large, rdiv(add(norms, 1e-7), float(maxnorm)), 1.0)
    return mul(x, cast(factor, x._data.dtype))


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """`steps` values base ** linspace(start, end, steps) (float32 by default)."""
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 0:
        raise RuntimeError(f"logspace: number of steps must be a non-negative int, got {steps!r}")
    d = dtypes.default_float if dtype is None else dtypes.canonical(dtype, "logspace")
    values = np.power(float(base), np.linspace(float(start), float(end), int(steps)))
    out = _wrap(np.asarray(values if d.kind == "f" else np.trunc(values)).astype(d))
    return out.requires_grad_() if requires_grad else out


def empty_strided(
    size: Any, stride: Any, *, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """An uninitialised tensor of `size` whose elements are `stride` elements apart in memory."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"empty_strided: mismatch in length of strides and shape "
            f"(size {list(size)}, stride {list(stride)})"
        )
    if any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise RuntimeError(
            f"empty_strided: sizes and strides must be non-negative, got {list(size)} and {list(stride)}"
        )
    d = dtypes.default_float if dtype is None else dtypes.canonical(dtype, "empty_strided")
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    storage = np.empty(extent, d)
    view = np.lib.stride_tricks.as_strided(storage, size, tuple(s * d.itemsize for s in stride))
    out = _wrap(view)
    return out.requires_grad_() if requires_grad else out


from .elementwise import abs, add, cast, gt, mul, pow, rdiv, rpow, where  # noqa: E402
from .norms import norm  # noqa: E402
from .special import float_operands  # noqa: E402
