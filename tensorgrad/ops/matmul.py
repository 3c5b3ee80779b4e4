"""Matrix products with PyTorch's rules: 1-D operands, batched broadcasting."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import to_tensor


class MatMul(Function):
    """a @ b for a.ndim >= 2 and b.ndim >= 2, broadcasting the batch dims."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return _wrap(np.matmul(a._data, b._data))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = sum_to(matmul(g, transpose(b, -1, -2)), a._data.shape) if need_a else None
        gb = sum_to(matmul(transpose(a, -1, -2), g), b._data.shape) if need_b else None
        return ga, gb


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product of two tensors (dot, matrix-vector, matrix-matrix or batched)."""
    a = to_tensor(input, "matmul")
    b = to_tensor(other, "matmul")
    sa, sb = a._data.shape, b._data.shape
    if len(sa) == 0 or len(sb) == 0:
        raise RuntimeError(
            f"matmul: both arguments need to be at least 1D, but they are {len(sa)}D and {len(sb)}D"
        )
    da, db = a._data.dtype, b._data.dtype
    if da != db:
        raise RuntimeError(f"matmul: expected both operands to have the same dtype, got {da} and {db}")
    if da.kind != "f":
        raise RuntimeError(f"matmul: expected floating point operands, got {da}")
    k_a = sa[-1]
    k_b = sb[-2] if len(sb) > 1 else sb[0]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: mat1 and mat2 shapes cannot be multiplied ({_shape_str(sa)} and {_shape_str(sb)})"
        )
    if len(sa) > 2 or len(sb) > 2:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2] if len(sb) > 1 else ())
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dimensions of {list(sa)} and {list(sb)} cannot be broadcast"
            ) from None
    if len(sa) == 1 and len(sb) == 1:
        return reshape(MatMul.apply(reshape(a, (1, k_a)), reshape(b, (k_b, 1))), ())
    if len(sa) == 1:
        return squeeze(MatMul.apply(unsqueeze(a, 0), b), -2)
    if len(sb) == 1:
        return squeeze(MatMul.apply(a, unsqueeze(b, 1)), -1)
    return MatMul.apply(a, b)


def _shape_str(shape: tuple) -> str:
    return "x".join(str(s) for s in shape) if len(shape) != 1 else f"{shape[0]}"


mm = matmul
bmm = matmul

from .shape import reshape, squeeze, sum_to, transpose, unsqueeze  # noqa: E402
