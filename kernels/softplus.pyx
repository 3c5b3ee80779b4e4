"""Softplus, y = log(1 + exp(beta * x)) / beta (y = x where beta * x > threshold): the forward
and the fused backward g * softplus'(x).

Built by setup.py into tensorgrad._kernels.softplus; called by tensorgrad/ops/activation.py,
which checks the arguments first: `x`, `g` and `out` are C-contiguous arrays of one shape and one
dtype, float32 or float64, and `out` is a fresh array the kernel fills. `beta` and `threshold`
are rounded to that dtype, as PyTorch does with its scalar arguments.
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport exp, expf, fabs, fabsf, log1p, log1pf

from parallel cimport PARALLEL_MIN_TRANSCENDENTAL, omp_get_max_threads, use_threads

cnp.import_array()

ctypedef fused real:
    float
    double


cdef inline real _exp(real x) noexcept nogil:
    return expf(x) if real is float else exp(x)


cdef inline real _log1p(real x) noexcept nogil:
    return log1pf(x) if real is float else log1p(x)


cdef inline real _fabs(real x) noexcept nogil:
    return fabsf(x) if real is float else fabs(x)


cdef inline Py_ssize_t _chunks(Py_ssize_t n) noexcept nogil:
    """One chunk (serial) below the threading threshold, else one chunk per thread."""
    return omp_get_max_threads() if use_threads(n, PARALLEL_MIN_TRANSCENDENTAL) else 1


cdef inline Py_ssize_t _edge(Py_ssize_t c, Py_ssize_t nc, Py_ssize_t n) noexcept nogil:
    """Start of chunk c of nc: a multiple of 64 elements, so every element goes through the same
    vector loop whatever the thread count (a scalar exp in a loop remainder may differ by an ulp)."""
    return n if c == nc else (c * n // nc) & ~(<Py_ssize_t>63)


# ---- forward ---------------------------------------------------------------------------------
# log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)): never overflows, and stays accurate where the
# result is tiny (z very negative), for any threshold.

cdef void _forward_range(const real* x, real* out, real beta, real threshold,
                         Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef Py_ssize_t i
    cdef real z, smooth, zero = 0  # typed: a bare 0 or 1 would make the arithmetic double
    for i in range(start, end):
        z = beta * x[i]
        smooth = ((z if z > zero else zero) + _log1p(_exp(-_fabs(z)))) / beta
        out[i] = x[i] if z > threshold else smooth


cdef void _forward(const real* x, real* out, real beta, real threshold, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t c, nc = _chunks(n)
    if nc == 1:
        _forward_range(x, out, beta, threshold, 0, n)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _forward_range(x, out, beta, threshold, _edge(c, nc, n), _edge(c + 1, nc, n))


def softplus_forward(cnp.ndarray x, cnp.ndarray out, double beta, double threshold):
    """out = softplus(x, beta, threshold); returns out."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(x)
    cdef void* px = cnp.PyArray_DATA(x)
    cdef void* po = cnp.PyArray_DATA(out)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _forward(<const float*>px, <float*>po, <float>beta, <float>threshold, n)
    else:
        with nogil:
            _forward(<const double*>px, <double*>po, beta, threshold, n)
    return out


# ---- backward: g * sigmoid(beta * x), or g where beta * x > threshold (PyTorch's rule) -------

cdef void _backward_range(const real* g, const real* x, real* out, real beta, real threshold,
                          Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef Py_ssize_t i
    cdef real z, e, zero = 0, one = 1
    for i in range(start, end):
        z = beta * x[i]
        e = _exp(-_fabs(z))  # sigmoid(z) without overflow: 1/(1+e) for z >= 0, e/(1+e) below
        out[i] = g[i] if z > threshold else g[i] * (one if z >= zero else e) / (one + e)


cdef void _backward(const real* g, const real* x, real* out, real beta, real threshold,
                    Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t c, nc = _chunks(n)
    if nc == 1:
        _backward_range(g, x, out, beta, threshold, 0, n)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _backward_range(g, x, out, beta, threshold, _edge(c, nc, n), _edge(c + 1, nc, n))


def softplus_backward(cnp.ndarray g, cnp.ndarray x, cnp.ndarray out, double beta, double threshold):
    """out = g * softplus'(x), the gradient of softplus from its input x; returns out."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(x)
    cdef void* pg = cnp.PyArray_DATA(g)
    cdef void* px = cnp.PyArray_DATA(x)
    cdef void* po = cnp.PyArray_DATA(out)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _backward(<const float*>pg, <const float*>px, <float*>po, <float>beta, <float>threshold, n)
    else:
        with nogil:
            _backward(<const double*>pg, <const double*>px, <double*>po, beta, threshold, n)
    return out
