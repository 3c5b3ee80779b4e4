# Shared by every kernel: when a loop is big enough to be worth OpenMP threads.
# The kernels' OpenMP threads wait passively (see tensorgrad/_kernels/__init__.py), so a parallel
# region pays a futex wake-up, and on a busy machine it can wait a whole scheduler time slice for
# the second thread. Measured here (2 cores, other processes running): two threads lost to one at
# every size up to 1M elements for tanh, and a 8k-element region cost 18 us against 6 us serial.
# Threads are therefore kept for work that takes well over 100 us on one core, where a late
# second thread costs little and a punctual one halves the time (W5, W6: 4M elements).
# Measured again on a quiet machine (2026-11-29, 2 cores, a VM where waking a sleeping thread costs
# ~20 us): two threads lost to one below ~1.2M elements for add/mul/SGD (600k: 150 us against 72 us)
# and below ~260k for tanh/exp (131k: 72-97 us against 63 us); at 4M they took a third off.

cdef extern from "omp.h" nogil:
    int omp_get_max_threads()
    void omp_set_num_threads(int)

cdef enum:
    PARALLEL_MIN_CHEAP = 1048576  # add, mul, copy-like loops (~0.5 ns per element)
    PARALLEL_MIN_TRANSCENDENTAL = 262144  # loops calling exp/tanh/log (~1-2 ns per element)

cdef inline bint use_threads(Py_ssize_t n, Py_ssize_t threshold) noexcept nogil:
    return n >= threshold and omp_get_max_threads() > 1
