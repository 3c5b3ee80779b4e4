# Shared by every kernel: when a loop is big enough to be worth OpenMP threads.
# Two threads lose below ~10k elements on these machines (each parallel region costs 1-3 us)
# and win above ~20-50k; exp/tanh-heavy loops pay off sooner (PERFORMANCE.md).

cdef extern from "omp.h" nogil:
    int omp_get_max_threads()
    void omp_set_num_threads(int)

cdef enum:
    PARALLEL_MIN_CHEAP = 32768      # add, mul, copy-like loops
    PARALLEL_MIN_TRANSCENDENTAL = 8192  # loops calling exp/tanh/log

cdef inline bint use_threads(Py_ssize_t n, Py_ssize_t threshold) noexcept nogil:
    return n >= threshold and omp_get_max_threads() > 1
