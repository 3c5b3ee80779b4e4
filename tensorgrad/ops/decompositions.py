"""torch.linalg, part two: the decompositions (qr, eigh, svd) and what is built on them (eigvalsh,
svdvals, pinv, matrix_rank, lstsq, matrix_norm, norm).

Forward passes call LAPACK through numpy.linalg / scipy.linalg; each backward is PyTorch's formula
(FunctionsManual.cpp) in differentiable tensorgrad ops. As in PyTorch, the gradients of eigh and
svd exist only where the eigenvalues / singular values are distinct (they divide by their
differences): with repeated ones they are inf or nan, unless only the eigenvalues / singular values
(or other gauge-invariant functions of the vectors, such as U diag(S) Vh) are differentiated.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import broadcast_shapes, dims_of, keepdim_shape
from .linalg import check_matrix, is_vector_rhs, mT, torch_dtype_name, vector_norm

QRResult = namedtuple("linalg_qr", ["Q", "R"])
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("linalg_svd", ["U", "S", "Vh"])
LstsqResult = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def _copy_lower_to_upper(m: Tensor) -> Tensor:
    """The symmetric matrix whose lower triangle is m's."""
    return add(tril(m), mT(tril(m, -1)))


# ---- qr ----------------------------------------------------------------------------------------------


class QR(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, mode: str) -> tuple:
        x = a._data
        if mode == "r":
            q, r = np.empty((0,), x.dtype), np.linalg.qr(x, mode="r")
        else:
            q, r = np.linalg.qr(x, mode=mode)
        q, r = _wrap(np.ascontiguousarray(q)), _wrap(np.ascontiguousarray(r))
        ctx.mode = mode
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx: Any, gq: Any, gr: Any) -> tuple:
        q, r = ctx.saved_tensors
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
            )
        m, n = q._data.shape[-2], r._data.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        gq = zeros_like(q) if gq is None else gq
        gr = zeros_like(r) if gr is None else gr
        if m >= n:
            return _qr_tall_backward(q, r, gq, gr), None
        # A = Q [U | V], U square: the first m columns X = Q U are a square QR, and Y = Q V
        u, v = narrow(r, -1, 0, m), narrow(r, -1, m, n - m)
        gu, gv = narrow(gr, -1, 0, m), narrow(gr, -1, m, n - m)
        gx = _qr_tall_backward(q, u, add(gq, matmul(matmul(q, v), mT(gv))), gu)
        return cat([gx, matmul(q, gv)], -1), None


def _qr_tall_backward(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor) -> Tensor:
    """gA = (gQ + Q copyltu(R gR^T - gQ^T Q)) R^-T for A = QR with m >= n."""
    m = sub(matmul(r, mT(gr)), matmul(mT(gq), q))
    right = add(gq, matmul(q, _copy_lower_to_upper(m)))
    return SolveTriangular.apply(mT(r), right, False, False, False)  # right R^-T


def qr(A: Tensor, mode: str = "reduced") -> Any:
    """(Q, R) with A = QR, Q with orthonormal columns and R upper triangular: mode 'reduced'
    (Q m x k, R k x n, k = min(m, n)), 'complete' (Q m x m, R m x n) or 'r' (R only, Q empty)."""
    check_matrix(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' "
            "but expected one of 'reduced' (default), 'r', or 'complete'"
        )
    return QRResult(*QR.apply(A, mode))


# ---- eigh --------------------------------------------------------------------------------------------


class Eigh(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, uplo: str) -> tuple:
        values, vectors = np.linalg.eigh(a._data, UPLO=uplo)
        values, vectors = _wrap(values), _wrap(vectors)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(values, vectors)
        return values, vectors

    @staticmethod
    def backward(ctx: Any, g_values: Any, g_vectors: Any) -> tuple:
        # gA = V (diag(gL) + skew(V^T gV) / 2E) V^T, E_ij = L_j - L_i off the diagonal
        values, vectors = ctx.saved_tensors
        if g_vectors is None:
            inner = diag_embed(g_values)
        else:
            n = values._data.shape[-1]
            gap = add(
                sub(unsqueeze(values, -2), unsqueeze(values, -1)), _wrap(np.eye(n, dtype=values._data.dtype))
            )
            vtgv = matmul(mT(vectors), g_vectors)
            inner = div(mul(sub(vtgv, mT(vtgv)), 0.5), gap)
            if g_values is not None:
                inner = add(inner, diag_embed(g_values))
        return matmul(matmul(vectors, inner), mT(vectors)), None


def _check_uplo(uplo: Any) -> str:
    if not isinstance(uplo, str) or uplo.upper() not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    return uplo.upper()


def eigh(A: Tensor, UPLO: str = "L") -> Any:
    """(eigenvalues, eigenvectors) of symmetric A, eigenvalues ascending, read from A's lower
    (UPLO='L') or upper triangle. Each eigenvector's sign is arbitrary (LAPACK's)."""
    check_matrix(A, "linalg.eigh")
    return EighResult(*Eigh.apply(A, _check_uplo(UPLO)))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric A, ascending."""
    check_matrix(A, "linalg.eigvalsh")
    return Eigh.apply(A, _check_uplo(UPLO))[0]


# ---- svd ---------------------------------------------------------------------------------------------


class SVD(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, full_matrices: bool) -> tuple:
        u, s, vh = (
            _wrap(np.ascontiguousarray(t)) for t in np.linalg.svd(a._data, full_matrices=full_matrices)
        )
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx: Any, gu: Any, gs: Any, gvh: Any) -> tuple:
        u, s, vh = ctx.saved_tensors
        m, n, k = u._data.shape[-2], vh._data.shape[-1], s._data.shape[-1]
        # full_matrices: the columns beyond k are arbitrary; their gradient is dropped, as PyTorch
        if u._data.shape[-1] != k:
            u, gu = narrow(u, -1, 0, k), (None if gu is None else narrow(gu, -1, 0, k))
        if vh._data.shape[-2] != k:
            vh, gvh = narrow(vh, -2, 0, k), (None if gvh is None else narrow(gvh, -2, 0, k))
        if gu is None and gvh is None:  # (backward runs only when some output has a gradient)
            return matmul(mul(u, unsqueeze(gs, -2)), vh), None
        s_row, s_col = unsqueeze(s, -2), unsqueeze(s, -1)
        s2 = mul(s, s)
        gap = add(sub(unsqueeze(s2, -2), unsqueeze(s2, -1)), _wrap(np.eye(k, dtype=s._data.dtype)))
        inner = None
        if gu is not None:
            utgu = matmul(mT(u), gu)
            inner = mul(sub(utgu, mT(utgu)), s_row)
        if gvh is not None:
            vtgv = matmul(vh, mT(gvh))
            term = mul(s_col, sub(vtgv, mT(vtgv)))
            inner = term if inner is None else add(inner, term)
        inner = div(inner, gap)
        if gs is not None:
            inner = add(inner, diag_embed(gs))
        if m > n and gu is not None:  # gA = [U inner + (I - U U^T) gU S^-1] Vh
            gu_sinv = div(gu, s_row)
            ga = add(matmul(u, inner), sub(gu_sinv, matmul(u, matmul(mT(u), gu_sinv))))
            return matmul(ga, vh), None
        if m < n and gvh is not None:  # gA = U [inner Vh + S^-1 gVh (I - V Vh)]
            sinv_gvh = div(gvh, s_col)
            ga = add(matmul(inner, vh), sub(sinv_gvh, matmul(matmul(sinv_gvh, mT(vh)), vh)))
            return matmul(u, ga), None
        return matmul(matmul(u, inner), vh), None


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None) -> Any:
    """(U, S, Vh) with A = U diag(S) Vh, S descending. With full_matrices=True U is m x m and Vh
    n x n (their extra columns/rows get no gradient); with False, m x k and k x n, k = min(m, n).
    The signs of the singular vectors are arbitrary (LAPACK's). driver is accepted and ignored."""
    check_matrix(A, "linalg.svd", square=False)
    return SVDResult(*SVD.apply(A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:
    """The singular values of A, descending."""
    check_matrix(A, "linalg.svdvals", square=False)
    return SVD.apply(A, False)[1]


# ---- pinv, matrix_rank -------------------------------------------------------------------------------


def _tolerance(largest: np.ndarray, shape: tuple, dtype: np.dtype, atol: Any, rtol: Any) -> np.ndarray:
    """max(atol, rtol * largest singular value), per matrix, with PyTorch's defaults: rtol is
    eps * max(m, n) unless only a positive atol is given, then 0."""

    def value(t: Any) -> Any:
        return 0.0 if t is None else (t._data if isinstance(t, Tensor) else np.asarray(t, dtype))

    if rtol is None:
        positive_atol = atol is not None and np.all(value(atol) > 0)
        rtol = 0.0 if positive_atol else np.finfo(dtype).eps * max(shape[-2:])
    return np.maximum(value(atol), value(rtol) * largest)


class Pinv(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, atol: Any, rtol: Any, hermitian: bool) -> Tensor:
        x = a._data
        if hermitian:  # A = V diag(w) V^T
            w, v = np.linalg.eigh(x)
            sizes, left, right = np.abs(w), v, np.swapaxes(v, -1, -2)
        else:
            left, sizes, right = np.linalg.svd(x, full_matrices=False)
            w = sizes
        tol = _tolerance(sizes.max(-1, initial=0.0), x.shape, x.dtype, atol, rtol)
        keep = sizes > tol[..., None]
        inverse = np.divide(1, w, out=np.zeros_like(w), where=keep)
        out = _wrap(
            np.ascontiguousarray(
                np.swapaxes(right, -1, -2) * inverse[..., None, :] @ np.swapaxes(left, -1, -2)
            )
        )
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        a, pinv_a = ctx.saved_tensors
        return pinv_backward(g, pinv_a, a), None, None, None


def pinv_backward(g: Tensor, pinv_a: Tensor, a: Tensor) -> Tensor:
    """The gradient for A of pinv(A), given g for pinv(A) (PyTorch's pinv_backward)."""
    m, n = a._data.shape[-2:]
    pinv_t, g_t = mT(pinv_a), mT(g)
    if m <= n:
        k = matmul(g_t, pinv_a)
        k_pinv_t = matmul(k, pinv_t)
        return add(
            sub(k_pinv_t, mT(matmul(pinv_a, k))),
            sub(matmul(matmul(pinv_t, pinv_a), sub(g_t, matmul(k, a))), matmul(matmul(a, pinv_a), k_pinv_t)),
        )
    k = matmul(pinv_a, g_t)
    pinv_t_k = matmul(pinv_t, k)
    return add(
        sub(matmul(matmul(sub(g_t, matmul(a, k)), pinv_a), pinv_t), mT(matmul(k, pinv_a))),
        sub(pinv_t_k, matmul(matmul(pinv_t_k, pinv_a), a)),
    )


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse, from the SVD (or, hermitian=True, the eigendecomposition
    of symmetric A): singular values at or below max(atol, rtol * the largest) count as zero."""
    check_matrix(A, "linalg.pinv", square=False)
    return Pinv.apply(A, atol, rtol, bool(hermitian))


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The number of singular values (|eigenvalues| with hermitian=True) above
    max(atol, rtol * the largest), as int64."""
    x = check_matrix(A, "linalg.matrix_rank", square=False)._data
    sizes = np.abs(np.linalg.eigvalsh(x)) if hermitian else np.linalg.svd(x, compute_uv=False)
    tol = _tolerance(sizes.max(-1, initial=0.0), x.shape, x.dtype, atol, rtol)
    return _wrap(np.asarray(np.sum(sizes > tol[..., None], axis=-1), dtype=np.int64))


# ---- lstsq -------------------------------------------------------------------------------------------

_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


class Lstsq(Function):
    """(solution, residuals, rank, singular_values); only the solution is differentiable, with
    PyTorch's gradient, that of pinv(A) B."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor, rcond: float, driver: str) -> tuple:
        import scipy.linalg  # here, not at import time (see linalg.py)

        x, y = a._data, b._data
        m, n = x.shape[-2:]
        batch = broadcast_shapes(x.shape[:-2], y.shape[:-2], "torch.linalg.lstsq")
        xb, yb = np.broadcast_to(x, batch + (m, n)), np.broadcast_to(y, batch + y.shape[-2:])
        solution = np.empty(batch + (n, y.shape[-1]), x.dtype)
        rank = np.empty(batch, np.int64)
        singular_values = np.empty(batch + (min(m, n),), x.dtype)
        lapack_driver = "gelsy" if driver == "gels" else driver  # gels assumes full rank: same solution
        for i in np.ndindex(batch):
            solution[i], _, rank[i], s = scipy.linalg.lstsq(
                xb[i], yb[i], cond=rcond, lapack_driver=lapack_driver
            )
            if s is not None:
                singular_values[i] = s
        empty = np.empty((0,), x.dtype)
        residuals = empty
        # PyTorch returns residuals only for tall A, a driver other than gelsy, and full rank
        if m > n and driver != "gelsy" and (driver == "gels" or np.all(rank == n)):
            residuals = np.sum((xb @ solution - yb) ** 2, axis=-2)
        outputs = (
            _wrap(solution),
            _wrap(residuals),
            _wrap(rank if driver != "gels" else np.empty((0,), np.int64)),
            _wrap(singular_values if driver in ("gelsd", "gelss") else empty),
        )
        ctx.mark_non_differentiable(*outputs[1:])
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(a, b)
        return outputs

    @staticmethod
    def backward(ctx: Any, g: Any, *unused: Any) -> tuple:
        a, b = ctx.saved_tensors
        if g is None:
            return None, None, None, None
        pinv_a = Pinv.apply(a, None, None, False)
        ga = (
            sum_to(pinv_backward(matmul(g, mT(b)), pinv_a, a), a._data.shape)
            if ctx.needs_input_grad[0]
            else None
        )
        gb = sum_to(matmul(mT(pinv_a), g), b._data.shape) if ctx.needs_input_grad[1] else None
        return ga, gb, None, None


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> Any:
    """(solution, residuals, rank, singular_values): the least-squares solution X of A X = B
    (minimum norm where A is rank-deficient, for the gelsy, gelsd and gelss drivers), batch dims
    broadcast. As in PyTorch: residuals (squared, per column) only for m > n, driver not gelsy
    and full rank, else empty; rank except for gels; singular_values only for gelsd and gelss.
    rcond defaults to eps * max(m, n)."""
    op = "torch.linalg.lstsq"
    check_matrix(A, op, square=False)
    if not isinstance(B, Tensor):
        raise TypeError(f"{op}: expected a Tensor for B, got {type(B).__name__}")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            f"{op}: Expected input and other to have the same dtype, but got input's dtype "
            f"{torch_dtype_name(A._data.dtype)} and other's dtype {torch_dtype_name(B._data.dtype)}"
        )
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    dim_diff = A._data.ndim - B._data.ndim
    if not 0 <= dim_diff <= 1:
        raise RuntimeError(
            f"{op}: input.dim() must be greater or equal to other.dim() and (input.dim() - other.dim()) <= 1"
        )
    vector = is_vector_rhs(A, B)
    b = unsqueeze(B, -1) if vector else B
    if b._data.shape[-2] != A._data.shape[-2]:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size({-1 if vector else -2})")
    if rcond is None:
        rcond = float(np.finfo(A._data.dtype).eps) * max(A._data.shape[-2:])
    solution, residuals, rank, singular_values = Lstsq.apply(A, b, float(rcond), driver)
    if vector:
        solution = squeeze(solution, -1)
        if residuals._data.size:
            residuals = squeeze(residuals, -1)
    return LstsqResult(solution, residuals, rank, singular_values)


# ---- matrix_norm, norm -------------------------------------------------------------------------------


def matrix_norm(
    A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The ord-norm of the matrices spanned by the two dims dim: 'fro' (Frobenius), 'nuc'
    (nuclear: the sum of the singular values), 2 / -2 (the largest / smallest singular value),
    1 / -1 (the largest / smallest column sum of |A|), inf / -inf (the same over rows)."""
    op = "linalg.matrix_norm"
    check_matrix(A, op, square=False)
    if dtype is not None:
        A = A.to(dtype)
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    nd = A._data.ndim
    rows, cols = normalize_dim(dim[0], nd, op), normalize_dim(dim[1], nd, op)
    if rows == cols:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    axes = tuple(sorted((rows, cols)))
    shape = keepdim_shape(A._data.shape, axes) if keepdim else _without(A._data.shape, axes)
    if ord == "fro":
        return vector_norm(A, 2, axes, keepdim)
    if ord == "nuc" or (not isinstance(ord, str) and ord in (2, -2)):
        s = svdvals(movedim(A, (rows, cols), (-2, -1)))
        picked = sum(s, -1) if ord == "nuc" else amax(s, -1) if ord == 2 else amin(s, -1)
        return reshape(picked, shape)
    if not isinstance(ord, str) and ord in (1, -1, math.inf, -math.inf):
        summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = sum(abs(A), summed, True)
        return reshape(amax(sums, other, True) if ord > 0 else amin(sums, other, True), shape)
    raise RuntimeError(f"{op}: Order {ord} not supported.")


def _without(shape: tuple, axes: tuple) -> tuple:
    return tuple(size for i, size in enumerate(shape) if i not in axes)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """A vector norm (dim an int, or A 1-D) or a matrix norm (dim a 2-tuple, or A 2-D); with ord
    and dim both None, the 2-norm of A flattened."""
    op = "linalg.norm"
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(A).__name__}")
    if dim is not None:
        dims = dims_of(dim, A._data.ndim, op)
        matrix = isinstance(dim, (tuple, list)) and len(dims) == 2
    elif ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    elif A._data.ndim not in (1, 2):
        raise RuntimeError(
            f"{op}: If dim is not specified but ord is, the input must be 1D or 2D. Got {A._data.ndim}D."
        )
    else:
        matrix = A._data.ndim == 2
        dims = (-2, -1) if matrix else None
    if matrix:
        return matrix_norm(
            A, "fro" if ord is None else ord, dim if dim is not None else dims, keepdim, dtype=dtype
        )
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


from .creation import zeros_like  # noqa: E402
from .elementwise import abs, add, div, mul, sub  # noqa: E402
from .linalg import SolveTriangular  # noqa: E402
from .matmul import matmul  # noqa: E402
from .more_shape import diag_embed, movedim  # noqa: E402
from .reduce import amax, amin, sum  # noqa: E402
from .shape import cat, narrow, reshape, squeeze, sum_to, tril, unsqueeze  # noqa: E402
