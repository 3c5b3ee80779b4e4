"""Matrix products with PyTorch's rules (1-D operands, batched broadcasting) and `linear`.

Every product is one `MatMul` op, op(a) @ op(b), where op transposes the last two dims when
its flag is set. The backward products are `MatMul` ops again with the flags set, so they never
copy a transpose and stay differentiable. The gemm kernel (scipy's BLAS) is loaded on first use:
`import tensorgrad` does not pay for it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _threading
from .._kernels import elementwise as _buffers  # its pool of big output buffers
from ..autograd.function import Function
from ..tensor import Tensor, _wrap
from ._util import to_tensor

_gemm_module: Any = None


def _kernel() -> Any:
    """tensorgrad._kernels.matmul, imported the first time a product runs."""
    global _gemm_module
    if _gemm_module is None:
        from .._kernels import matmul as kernel

        _gemm_module = kernel
    return _gemm_module


def _blas_ready(x: np.ndarray, kernel: Any) -> np.ndarray:
    """x itself when BLAS can read it in place (row- or column-major matrices), else a copy."""
    return x if kernel.blas_compatible(x) else np.ascontiguousarray(x)


class MatMul(Function):
    """op(a) @ op(b) for operands with ndim >= 2, broadcasting the batch dims.

    `batch` is the output's batch shape: None for the broadcast of the operands' batch shapes, or
    a shape that some of those dims are summed down to (size 1 or absent). That sum is how the
    gradient of a broadcast operand is formed, inside the same gemm calls (beta=1).
    """

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor, trans_a: bool, trans_b: bool, batch: Any) -> Tensor:
        _threading.adapt_to_load()
        kernel = _kernel()
        x = _blas_ready(a._data, kernel)
        y = _blas_ready(b._data, kernel)
        if batch is None:
            batch = () if x.ndim == 2 and y.ndim == 2 else np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
        m = x.shape[-1] if trans_a else x.shape[-2]
        n = y.shape[-2] if trans_b else y.shape[-1]
        out = _buffers.empty(batch + (m, n), x.dtype)
        kernel.gemm(x, y, out, trans_a, trans_b, False)
        ctx.flags = (trans_a, trans_b)
        ctx.save_for_backward(a, b)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        ta, tb = ctx.flags
        ga = gb = None
        if need_a:  # c = op(a) op(b): d op(a) = g op(b)^T
            batch = a._data.shape[:-2]
            ga = MatMul.apply(b, g, tb, True, batch) if ta else MatMul.apply(g, b, False, not tb, batch)
        if need_b:  # d op(b) = op(a)^T g
            batch = b._data.shape[:-2]
            gb = MatMul.apply(g, a, True, ta, batch) if tb else MatMul.apply(a, g, not ta, False, batch)
        return ga, gb, None, None, None


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
        return reshape(MatMul.apply(reshape(a, (1, k_a)), reshape(b, (k_b, 1)), False, False, None), ())
    if len(sa) == 1:
        return squeeze(MatMul.apply(unsqueeze(a, 0), b, False, False, None), -2)
    if len(sb) == 1:
        return squeeze(MatMul.apply(a, unsqueeze(b, 1), False, False, None), -1)
    return MatMul.apply(a, b, False, False, None)


def _shape_str(shape: tuple) -> str:
    return "x".join(str(s) for s in shape) if len(shape) != 1 else f"{shape[0]}"


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two matrices (2-D, no broadcasting), as torch.mm."""
    _require_ndim(input, mat2, 2, "mm")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of two 3-D tensors with the same batch size (no broadcasting), as torch.bmm."""
    _require_ndim(input, mat2, 3, "bmm")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: batch sizes differ: {list(input.shape)} and {list(mat2.shape)}")
    return matmul(input, mat2)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """The inner product of two 1-D tensors of the same size."""
    _require_ndim(input, other, 1, "dot", ("input", "other"))
    if input.shape != other.shape:
        raise RuntimeError(
            f"dot: expected 1-D tensors of the same size, got {list(input.shape)} and {list(other.shape)}"
        )
    return matmul(input, other)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,)."""
    _require_ndim(input, input, 2, "mv", ("input", "input"))
    _require_ndim(vec, vec, 1, "mv", ("vec", "vec"))
    return matmul(input, vec)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape."""
    product = mm(mat1, mat2)
    if alpha != 1:
        product = mul(product, alpha)
    if beta == 0:  # as PyTorch: input is ignored, even its NaN
        return product
    return add(mul(input, beta) if beta != 1 else input, product)


def _require_ndim(a: Any, b: Any, ndim: int, op: str, names: tuple = ("input", "mat2")) -> None:
    for name, t in zip(names, (a, b)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: argument '{name}' must be a Tensor, not {type(t).__name__}")
        if t._data.ndim != ndim:
            raise RuntimeError(f"{op}: {name} must be a {ndim}-D tensor, got shape {list(t.shape)}")


# ---- linear --------------------------------------------------------------------------------------


class Linear(Function):
    """x @ weight.T + bias for x of ndim >= 2, weight (out, in), bias (out,) or None.

    The transpose is a gemm flag and the bias is the gemm's C operand (beta=1), so the forward
    is one kernel call. Backward computes only the gradients that are needed: the input layer of
    a network gets no gemm for its (data) input.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Any) -> Tensor:
        _threading.adapt_to_load()
        kernel = _kernel()
        xd = _blas_ready(x._data, kernel)
        w = _blas_ready(weight._data, kernel)
        out = _buffers.empty(xd.shape[:-1] + (w.shape[0],), xd.dtype)
        if bias is not None:
            out[...] = bias._data
        kernel.gemm(xd, w, out, False, True, bias is not None)
        ctx.save_for_backward(x, weight)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = MatMul.apply(g, weight, False, False, None) if need_x else None
        gw = MatMul.apply(g, x, True, False, ()) if need_w else None
        gb = sum_to(g, weight._data.shape[:1]) if need_b else None
        return gx, gw, gb


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two 1-D tensors: out[i, j] = input[i] * vec2[j]."""
    for name, v in (("input", input), ("vec2", vec2)):
        if not isinstance(v, Tensor) or v._data.ndim != 1:
            raise RuntimeError(
                f"outer: expected 1-D tensors, got {name} of shape {list(getattr(v, 'shape', ()))}"
            )
    return mul(unsqueeze(input, 1), unsqueeze(vec2, 0))


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias, with weight of shape (out_features, in_features) as in PyTorch."""
    x = to_tensor(input, "linear")
    w = to_tensor(weight, "linear")
    sx, sw = x._data.shape, w._data.shape
    dt = x._data.dtype
    if w._data.dtype != dt or (bias is not None and bias._data.dtype != dt):
        names = f"{dt}, {w._data.dtype}" + ("" if bias is None else f", {bias._data.dtype}")
        raise RuntimeError(f"linear: expected input, weight and bias of one dtype, got {names}")
    if dt.kind != "f":
        raise RuntimeError(f"linear: expected floating point tensors, got {dt}")
    if len(sw) != 2 or len(sx) == 0 or sx[-1] != sw[1]:
        raise RuntimeError(
            f"linear: input of shape {list(sx)} cannot be multiplied by the transpose of weight of "
            f"shape {list(sw)} (expected a 2-D weight (out_features, in_features) with in_features "
            "== input.shape[-1])"
        )
    plain_bias = bias is None or bias._data.shape == sw[:1]
    if len(sx) == 1:
        out = reshape(Linear.apply(reshape(x, (1, sx[0])), w, bias if plain_bias else None), sw[:1])
    else:
        out = Linear.apply(x, w, bias if plain_bias else None)
    return out if plain_bias else add(out, bias)


from .elementwise import add, mul  # noqa: E402
from .shape import reshape, squeeze, sum_to, unsqueeze  # noqa: E402
