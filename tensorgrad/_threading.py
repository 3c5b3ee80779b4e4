"""One place to set how many threads tensorgrad's kernels and the BLAS libraries use."""

from __future__ import annotations

from ._kernels import threads as _omp


def set_num_threads(n: int) -> None:
    """Use `n` threads in tensorgrad's OpenMP kernels and in the BLAS under numpy and scipy.

    By default the usual environment variables decide (OMP_NUM_THREADS for the kernels,
    OPENBLAS_NUM_THREADS for BLAS). numpy and scipy each carry their own OpenBLAS with its own
    pool; threadpoolctl reaches both (imported here, not at `import tensorgrad`, as it is slow).
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    from threadpoolctl import threadpool_limits

    from .ops.matmul import _kernel as load_matmul_kernel

    load_matmul_kernel()  # loads scipy's BLAS, so that its thread pool is reached too
    _omp.set_num_threads(n)
    threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The number of threads tensorgrad's kernels use."""
    return _omp.get_num_threads()
