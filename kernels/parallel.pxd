# Shared by every kernel: when a loop is big enough to be worth OpenMP threads.
# The kernels' OpenMP threads wait passively (see tensorgrad/_kernels/__init__.py), so a parallel
# region pays a futex wake-up, and on a busy machine it can wait a whole scheduler time slice for
# the second thread. Measured here (2 cores, other processes running): two threads lost to one at
# every size up to 1M elements for tanh, and a 8k-element region cost 18 us against 6 us serial.
# Threads are therefore kept for work that takes well over 100 us on one core, where a late
# second thread costs little and a punctual one halves the time (W5, W6: 4M elements).
# Elementwise kernels, 2-thread/1-thread time (2026-11-29, dynamic chunks): break-even at ~32k
# elements for add/mul and ~8k for tanh/exp/sigmoid with load ~1 (region ~1 us); at ~200k and
# ~32k with one core taken by another process (region ~5 us) - hence the values below.

cdef extern from "omp.h" nogil:
    int omp_get_max_threads()
    void omp_set_num_threads(int)

cdef enum:
    PARALLEL_MIN_CHEAP = 262144  # add, mul, copy-like loops (~0.5 ns per element)
    PARALLEL_MIN_TRANSCENDENTAL = 65536  # loops calling exp/tanh/log (~1-2 ns per element)

cdef inline bint use_threads(Py_ssize_t n, Py_ssize_t threshold) noexcept nogil:
    return n >= threshold and omp_get_max_threads() > 1
