"""OpenMP thread count of tensorgrad's kernels."""

from parallel cimport omp_get_max_threads, omp_set_num_threads


def set_num_threads(int n):
    if n < 1:
        raise ValueError(f"set_num_threads: expected a positive count, got {n}")
    omp_set_num_threads(n)


def get_num_threads():
    return omp_get_max_threads()
