"""tensorgrad.linalg: PyTorch's torch.linalg (import tensorgrad.linalg, or tensorgrad.linalg.inv).

Forward passes call LAPACK through numpy.linalg / scipy.linalg, batched over the leading dims, in
float32 and float64; gradients (first and second order) follow PyTorch's. The gradients of eigh and
svd exist only where eigenvalues / singular values are distinct, as in PyTorch.
"""

from __future__ import annotations

from .ops.decompositions import (
    eigh,
    eigvalsh,
    lstsq,
    matrix_norm,
    matrix_rank,
    norm,
    pinv,
    qr,
    svd,
    svdvals,
)
from .ops.linalg import (
    LinAlgError,
    cholesky,
    cross,
    det,
    inv,
    matrix_exp,
    matrix_power,
    multi_dot,
    slogdet,
    solve,
    solve_triangular,
    vector_norm,
)
from .ops.matmul import matmul

__all__ = [
    "LinAlgError",
    "cholesky",
    "cross",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "lstsq",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
    "svd",
    "svdvals",
    "vector_norm",
]
