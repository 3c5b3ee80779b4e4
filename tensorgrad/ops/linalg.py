"""torch.linalg, part one: inverses, determinants, linear solves, cholesky, matrix_exp,
matrix_power, multi_dot, cross and vector_norm (the decompositions are in decompositions.py).

The forward passes call LAPACK through numpy.linalg / scipy.linalg on the arrays, batched over
the leading dims. Each backward is PyTorch's derivatives.yaml formula written in differentiable
tensorgrad ops on the saved inputs and outputs, so these are twice differentiable.
scipy.linalg is imported where it is used: importing tensorgrad must not load it (nor BLAS).
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import broadcast_shapes

SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])


class LinAlgError(RuntimeError):
    """A linear-algebra routine could not complete (a singular or not positive-definite input);
    torch.linalg.LinAlgError."""


_TORCH_DTYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte"}
_TORCH_DTYPE_NAMES.update(bool="Bool", float16="Half", float32="Float", float64="Double")


def torch_dtype_name(dtype: np.dtype) -> str:
    """PyTorch's name of a dtype in messages: Float, Double, Long, ..."""
    return _TORCH_DTYPE_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def check_matrix(a: Any, op: str, name: str = "A", square: bool = True) -> Tensor:
    """a as a float tensor of (batches of) matrices, square unless told otherwise."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor for {name}, got {type(a).__name__}")
    if a._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. "
            f"Got {torch_dtype_name(a._data.dtype)}"
        )
    shape = a._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and shape[-1] != shape[-2]:
        raise RuntimeError(
            f"{op}: {name} must be batches of square matrices, "
            f"but they are {shape[-2]} by {shape[-1]} matrices"
        )
    return a


def check_same_dtype(a: Tensor, b: Any, op: str, names: tuple = ("A", "B")) -> None:
    if not isinstance(b, Tensor):
        raise TypeError(f"{op}: expected a Tensor for {names[1]}, got {type(b).__name__}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"{op}: Expected {names[0]} and {names[1]} to have the same dtype, but found {names[0]} of type "
            f"{torch_dtype_name(a._data.dtype)} and {names[1]} of type "
            f"{torch_dtype_name(b._data.dtype)} instead."
        )


def mT(a: Tensor) -> Tensor:
    """The matrices of a, transposed (a view)."""
    return transpose(a, -2, -1)


def _batched_scalar(t: Tensor) -> Tensor:
    """A (...,) tensor reshaped to (..., 1, 1), to scale (..., n, n) matrices."""
    return reshape(t, t._data.shape + (1, 1))


def _constant_eye(n: int, shape: tuple, dtype: np.dtype) -> Tensor:
    return _wrap(np.ascontiguousarray(np.broadcast_to(np.eye(n, dtype=dtype), shape)))


def _lapack_failure(x: np.ndarray, routine: str) -> tuple[str, int]:
    """(' (Batch element i)' or '', LAPACK's info) for the first matrix of x that `routine`
    (getrf or potrf) fails on: info is the 1-based order of the zero pivot or the minor that is not
    positive-definite. Only called once numpy has reported a failure."""
    import scipy.linalg.lapack

    func = scipy.linalg.lapack.get_lapack_funcs(routine, (x,))
    flat = x.reshape((-1,) + x.shape[-2:])
    for i in range(flat.shape[0]):
        info = func(flat[i], lower=1)[-1] if routine == "potrf" else func(flat[i])[-1]
        if info > 0:
            return (f": (Batch element {i})" if x.ndim > 2 else ""), int(info)
    return "", 0


def singular_error(x: np.ndarray, op: str) -> LinAlgError:
    """PyTorch's error for a singular input to inv (which names the zero pivot) or solve."""
    batch, info = _lapack_failure(x, "getrf")
    if "solve" in op:
        return LinAlgError(f"{op}{batch}: The solver failed because the input matrix is singular.")
    return LinAlgError(
        f"{op}{batch}: The diagonal element {info} is zero, the inversion could not be completed "
        "because the input matrix is singular."
    )


# ---- inverse, determinants ----------------------------------------------------------------------


class Inv(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        try:
            out = _wrap(np.linalg.inv(a._data))
        except np.linalg.LinAlgError:
            raise singular_error(a._data, "linalg.inv") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (inverse,) = ctx.saved_tensors
        t = mT(inverse)
        return neg(matmul(matmul(t, g), t))


def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix in A; LinAlgError if one is singular."""
    return Inv.apply(check_matrix(A, "linalg.inv"))


def inverse(input: Tensor) -> Tensor:
    """torch.inverse: linalg.inv."""
    return inv(input)


class Det(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        out = _wrap(np.asarray(np.linalg.det(a._data), dtype=a._data.dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        a, d = ctx.saved_tensors
        return mul(_batched_scalar(mul(g, d)), mT(inv(a)))  # d det(A) = det(A) tr(A^-1 dA)


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix in A. Its gradient, det(A) A^-T, needs A invertible."""
    return Det.apply(check_matrix(A, "linalg.det"))


class Slogdet(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> tuple:
        sign, logabsdet = np.linalg.slogdet(a._data)
        dtype = a._data.dtype
        sign, logabsdet = _wrap(np.asarray(sign, dtype)), _wrap(np.asarray(logabsdet, dtype))
        ctx.mark_non_differentiable(sign)
        ctx.save_for_backward(a)
        return sign, logabsdet

    @staticmethod
    def backward(ctx: Any, g_sign: Any, g_logabsdet: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return mul(_batched_scalar(g_logabsdet), mT(inv(a)))


def slogdet(A: Tensor) -> Any:
    """(sign, logabsdet): det(A) = sign * exp(logabsdet), without overflow; sign is 0 and
    logabsdet -inf for a singular matrix. Only logabsdet has a gradient (A^-T, A invertible)."""
    sign, logabsdet = Slogdet.apply(check_matrix(A, "linalg.slogdet"))
    return SlogdetResult(sign, logabsdet)


def logdet(input: Tensor) -> Tensor:
    """torch.logdet: log(det(A)): nan where det(A) < 0, -inf where it is 0."""
    sign, logabsdet = Slogdet.apply(check_matrix(input, "logdet"))
    return where(lt(sign, 0.0), math.nan, logabsdet)


# ---- linear solves ----------------------------------------------------------------------------------


class Solve(Function):
    """X with A X = B, batch dims broadcast (B a batch of matrices)."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        x, y = a._data, b._data
        batch = broadcast_shapes(x.shape[:-2], y.shape[:-2], "linalg.solve")
        x = np.broadcast_to(x, batch + x.shape[-2:])
        try:
            out = _wrap(np.linalg.solve(x, np.broadcast_to(y, batch + y.shape[-2:])))
        except np.linalg.LinAlgError:
            raise singular_error(x, "torch.linalg.solve") from None
        ctx.shapes = (a._data.shape, y.shape)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, x = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        gb = Solve.apply(mT(a), g)
        ga = sum_to(neg(matmul(gb, mT(x))), a_shape) if ctx.needs_input_grad[0] else None
        return ga, sum_to(gb, b_shape)


def is_vector_rhs(a: Tensor, b: Tensor) -> bool:
    """PyTorch's rule: B is a (batch of) vector(s) if 1-D, or if its shape is A's without the last dim."""
    nb = b._data.ndim
    return nb == 1 or (nb == a._data.ndim - 1 and b._data.shape == a._data.shape[:-1])


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (left=True) or X A = B (left=False), for square A; B a (batch of)
    matrix or vector, batch dims broadcast. LinAlgError if A is singular."""
    op = "linalg.solve"
    check_matrix(A, op)
    check_same_dtype(A, B, op)
    vector = is_vector_rhs(A, B)
    b = unsqueeze(B, -1) if vector else B
    if b._data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 1 dimensions.")
    n = A._data.shape[-1]
    size = b._data.shape[-2] if left or vector else b._data.shape[-1]
    if size != n:
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
            f"({n}x{n} and {b._data.shape[-2]}x{b._data.shape[-1]})"
        )
    if vector:  # x A = b is A^T x = b
        return squeeze(Solve.apply(A if left else mT(A), b), -1)
    if left:
        return Solve.apply(A, b)
    return mT(Solve.apply(mT(A), mT(b)))


class SolveTriangular(Function):
    """X with A X = B (left) or X A = B, reading only A's upper or lower triangle."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor, upper: bool, left: bool, unitriangular: bool) -> Tensor:
        x, y = a._data, b._data
        tri = np.triu(x) if upper else np.tril(x)
        if unitriangular:
            diagonal = np.arange(x.shape[-1])
            tri[..., diagonal, diagonal] = 1
        if not left:  # X A = B is A^T X^T = B^T
            tri, y = np.swapaxes(tri, -1, -2), np.swapaxes(y, -1, -2)
        batch = broadcast_shapes(x.shape[:-2], y.shape[:-2], "linalg.solve_triangular")
        tri = np.broadcast_to(tri, batch + tri.shape[-2:])
        try:
            out = np.linalg.solve(tri, np.broadcast_to(y, batch + y.shape[-2:]))
        except np.linalg.LinAlgError:
            raise singular_error(tri, "linalg.solve_triangular") from None
        out = _wrap(out if left else np.ascontiguousarray(np.swapaxes(out, -1, -2)))
        ctx.args = (upper, left, unitriangular, x.shape, b._data.shape)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, x = ctx.saved_tensors
        upper, left, unitriangular, a_shape, b_shape = ctx.args
        gb = SolveTriangular.apply(mT(a), g, not upper, left, unitriangular)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = neg(matmul(gb, mT(x)) if left else matmul(mT(x), gb))
            ga = triu(ga, int(unitriangular)) if upper else tril(ga, -int(unitriangular))
            ga = sum_to(ga, a_shape)
        return ga, sum_to(gb, b_shape), None, None, None


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """X with A X = B (left=True) or X A = B, for triangular A: only its upper (upper=True) or
    lower triangle is read, and with unitriangular=True its diagonal is taken to be ones. Batch
    dims broadcast. Unlike PyTorch (which returns inf/nan), a zero on the diagonal raises."""
    op = "linalg.solve_triangular"
    check_matrix(A, op)
    check_same_dtype(A, B, op)
    check_matrix(B, op, "B", square=False)
    n = A._data.shape[-1]
    bs = B._data.shape
    if (bs[-2] if left else bs[-1]) != n:
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
            f"({n}x{n} and {bs[-2]}x{bs[-1]})"
        )
    return SolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


# ---- cholesky ----------------------------------------------------------------------------------------


class Cholesky(Function):
    """The lower-triangular L with A = L L^T, from A's lower triangle."""

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        try:
            out = _wrap(np.linalg.cholesky(a._data))
        except np.linalg.LinAlgError:
            batch, info = _lapack_failure(a._data, "potrf")
            raise LinAlgError(
                f"linalg.cholesky{batch}: The factorization could not be completed because the input is not "
                f"positive-definite (the leading minor of order {info} is not positive-definite)."
            ) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        # PyTorch's cholesky_backward: gA = sym(L^-T Phi(L^T gL) L^-1), Phi = tril with half diagonal
        (low,) = ctx.saved_tensors
        shape, n, dtype = low._data.shape, low._data.shape[-1], low._data.dtype
        half_diagonal = _wrap(np.tril(np.ones((n, n), dtype)) - 0.5 * np.eye(n, dtype=dtype))
        phi = mul(matmul(mT(low), g), half_diagonal)
        low_inv = SolveTriangular.apply(low, _constant_eye(n, shape, dtype), False, True, False)
        ga = matmul(matmul(mT(low_inv), phi), low_inv)
        return mul(add(ga, mT(ga)), 0.5)


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L (lower triangular, positive diagonal) with A = L L^T for symmetric positive-definite A,
    or L^T with upper=True. LinAlgError if A is not positive-definite."""
    low = Cholesky.apply(check_matrix(A, "linalg.cholesky"))
    return mT(low) if upper else low


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky_solve: X with (L L^T) X = B (or (U^T U) X = B with upper=True), from the
    Cholesky factor L, by two triangular solves. Only L's triangle is read, so its gradient is the
    triangle of PyTorch's."""
    op = "cholesky_solve"
    check_matrix(L, op, "L")
    check_same_dtype(L, B, op, ("L", "B"))
    check_matrix(B, op, "B", square=False)
    low = mT(L) if upper else L
    return solve_triangular(mT(low), solve_triangular(low, B, upper=False), upper=True)


# ---- matrix_exp, matrix_power, multi_dot --------------------------------------------------------------


class MatrixExp(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        import scipy.linalg

        x = a._data
        ctx.save_for_backward(a)
        return _wrap(np.asarray(scipy.linalg.expm(x), dtype=x.dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        # the gradient is the top-right block of exp([[A^T, G], [0, A^T]]) (Najfeld & Havel)
        (a,) = ctx.saved_tensors
        n = a._data.shape[-1]
        at = mT(a)
        g = expand(g, at._data.shape)
        lower = cat([zeros(at._data.shape, dtype=at._data.dtype), at], -1)
        block = MatrixExp.apply(cat([cat([at, g], -1), lower], -2))
        return narrow(narrow(block, -2, 0, n), -1, n, n)


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential of each square matrix in A (scipy.linalg.expm)."""
    return MatrixExp.apply(check_matrix(A, "linalg.matrix_exp"))


def matrix_power(A: Tensor, n: int) -> Tensor:
    """A^n for an integer n by repeated squaring; n = 0 gives the identity, n < 0 inv(A)^|n|."""
    op = "linalg.matrix_power"
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}: expected a Tensor for A, got {type(A).__name__}")
    shape = A._data.shape
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are "
            + (f"{shape[-2]} by {shape[-1]} matrices" if len(shape) >= 2 else f"a {len(shape)}-D tensor")
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{op}: n must be an int, got {type(n).__name__}")
    if n == 0:  # the identity, with a (zero) gradient for A, as PyTorch's
        return where(_wrap(np.ones(shape, dtype=bool)), _constant_eye(shape[-1], shape, A._data.dtype), A)
    if n < 0:
        A, n = inv(A), -n
    result = None
    square = A
    while True:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if not n:
            return result
        square = matmul(square, square)


def multi_dot(tensors: Any) -> Tensor:
    """The product of a chain of matrices, multiplied in the cheapest order; the first may be a
    1-D row vector and the last a 1-D column vector."""
    op = "multi_dot()"
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"{op}: expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0].ndim, tensors[-1].ndim
    if first not in (1, 2):
        raise RuntimeError(f"{op}: the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"{op}: the last tensor must be 1D or 2D but got {last}D")
    for i in range(1, len(tensors) - 1):
        if tensors[i].ndim != 2:
            raise RuntimeError(f"{op}: tensor {i} must be 2D but got {tensors[i].ndim}D")
    mats = list(tensors)
    if first == 1:
        mats[0] = unsqueeze(mats[0], 0)
    if last == 1:
        mats[-1] = unsqueeze(mats[-1], -1)
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(
                f"{op}: tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied"
            )
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    out = _chain(mats, _chain_order(dims), 0, len(mats) - 1)
    if last == 1:
        out = squeeze(out, -1)
    return squeeze(out, 0) if first == 1 else out


def _chain_order(dims: list) -> list:
    """split[i][j]: where the cheapest product of matrices i..j splits (the textbook dynamic
    program over matrix-chain costs)."""
    count = len(dims) - 1
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):
        for i in range(count - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats: list, split: list, i: int, j: int) -> Tensor:
    if i == j:
        return mats[i]
    k = split[i][j]
    return matmul(_chain(mats, split, i, k), _chain(mats, split, k + 1, j))


# ---- cross, vector_norm ------------------------------------------------------------------------------


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along dim (default the last), the other dims broadcast."""
    op = "linalg.cross"
    for name, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected a Tensor for {name}, got {type(t).__name__}")
    sa, sb = input._data.shape, other._data.shape
    nd = max(len(sa), len(sb))
    d = normalize_dim(dim, nd, op)
    size_a, size_b = (sa[d - nd] if d - nd >= -len(sa) else 1), (sb[d - nd] if d - nd >= -len(sb) else 1)
    if size_a != 3 or size_b != 3:
        raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got {size_a} and {size_b}")
    shape = broadcast_shapes(sa, sb, op)
    return shape_cross(broadcast_to(input, shape), broadcast_to(other, shape), d)


def vector_norm(
    x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The ord-norm of x over dim (all of x, flattened, when None): ord 2 (default), inf, -inf,
    0 (the count of non-zeros) or any other number."""
    op = "linalg.vector_norm"
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. "
            f"Got {torch_dtype_name(x._data.dtype)}"
        )
    if isinstance(ord, (str, bool)) or not isinstance(ord, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: argument 'ord' must be a number, not {type(ord).__name__}")
    return norm(x, float(ord), dim, keepdim, dtype)


from .creation import zeros  # noqa: E402
from .elementwise import add, lt, mul, neg, where  # noqa: E402
from .matmul import matmul  # noqa: E402
from .more_shape import cross as shape_cross  # noqa: E402
from .norms import norm  # noqa: E402
from .shape import (  # noqa: E402
    broadcast_to,
    cat,
    expand,
    narrow,
    reshape,
    squeeze,
    sum_to,
    transpose,
    tril,
    triu,
    unsqueeze,
)
