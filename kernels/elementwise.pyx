"""Elementwise kernels: unary maths and activations (forward/backward pairs).

Every function takes C-contiguous ndarrays of one float dtype (float32 or float64) and writes
into a preallocated `out`; the Python layer checks shapes, dtypes and contiguity first.
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport tanh, tanhf

from parallel cimport PARALLEL_MIN_TRANSCENDENTAL, use_threads

cnp.import_array()

ctypedef fused real:
    float
    double


cdef void _tanh_forward(const real* x, real* out, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in prange(n, schedule="static", use_threads_if=use_threads(n, PARALLEL_MIN_TRANSCENDENTAL)):
        if real is float:
            out[i] = tanhf(x[i])
        else:
            out[i] = tanh(x[i])


cdef void _tanh_backward(const real* g, const real* y, real* out, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in prange(n, schedule="static", use_threads_if=use_threads(n, PARALLEL_MIN_TRANSCENDENTAL)):
        out[i] = g[i] * (1 - y[i] * y[i])


def tanh_forward(cnp.ndarray x, cnp.ndarray out):
    """out = tanh(x)"""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(x)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _tanh_forward(<float*>cnp.PyArray_DATA(x), <float*>cnp.PyArray_DATA(out), n)
    else:
        with nogil:
            _tanh_forward(<double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(out), n)


def tanh_backward(cnp.ndarray g, cnp.ndarray y, cnp.ndarray out):
    """out = g * (1 - y**2), the gradient of tanh from its output y"""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(g)
    if cnp.PyArray_TYPE(g) == cnp.NPY_FLOAT32:
        with nogil:
            _tanh_backward(<float*>cnp.PyArray_DATA(g), <float*>cnp.PyArray_DATA(y),
                           <float*>cnp.PyArray_DATA(out), n)
    else:
        with nogil:
            _tanh_backward(<double*>cnp.PyArray_DATA(g), <double*>cnp.PyArray_DATA(y),
                           <double*>cnp.PyArray_DATA(out), n)
