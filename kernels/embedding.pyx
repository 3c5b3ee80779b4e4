"""Embedding backward: scatter-add of gradient rows into the weight's gradient.

`grad` is (M, D) C-contiguous float32/float64, `indices` (M,) int64 with values in [0, V)
(checked in Python), `out` (V, D) zero-filled, of grad's dtype. Repeated indices accumulate.
Threads split the D columns, so no two threads ever write the same element.
"""

cimport numpy as cnp
from cython.parallel cimport prange

from parallel cimport PARALLEL_MIN_CHEAP, omp_get_max_threads, use_threads

cnp.import_array()

ctypedef fused real:
    float
    double


cdef void _scatter_columns(const real* grad, const cnp.int64_t* idx, Py_ssize_t M, Py_ssize_t D,
                           cnp.int64_t padding_idx, real* out, Py_ssize_t j0,
                           Py_ssize_t j1) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef cnp.int64_t k
    cdef const real* g
    cdef real* o
    for i in range(M):
        k = idx[i]
        if k == padding_idx:
            continue
        g = grad + i * D
        o = out + k * D
        for j in range(j0, j1):
            o[j] = o[j] + g[j]


cdef void _scatter(const real* grad, const cnp.int64_t* idx, Py_ssize_t M, Py_ssize_t D,
                   cnp.int64_t padding_idx, real* out) noexcept nogil:
    cdef Py_ssize_t nt, t, chunk, end
    # below 16 columns per thread the split costs more than it saves
    if D < 32 or not use_threads(M * D, PARALLEL_MIN_CHEAP):
        _scatter_columns(grad, idx, M, D, padding_idx, out, 0, D)
        return
    nt = omp_get_max_threads()
    if nt > D // 16:
        nt = D // 16
    chunk = (D + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        end = (t + 1) * chunk
        _scatter_columns(grad, idx, M, D, padding_idx, out, t * chunk, D if end > D else end)


def embedding_backward(cnp.ndarray grad, cnp.ndarray indices, cnp.int64_t padding_idx,
                       cnp.ndarray out):
    """out[indices[i]] += grad[i] for every i whose index is not padding_idx (-1: none)"""
    cdef Py_ssize_t M = cnp.PyArray_DIM(grad, 0)
    cdef Py_ssize_t D = cnp.PyArray_DIM(grad, 1)
    cdef const cnp.int64_t* idx = <const cnp.int64_t*>cnp.PyArray_DATA(indices)
    if cnp.PyArray_TYPE(grad) == cnp.NPY_FLOAT32:
        with nogil:
            _scatter(<float*>cnp.PyArray_DATA(grad), idx, M, D, padding_idx,
                     <float*>cnp.PyArray_DATA(out))
    else:
        with nogil:
            _scatter(<double*>cnp.PyArray_DATA(grad), idx, M, D, padding_idx,
                     <double*>cnp.PyArray_DATA(out))
