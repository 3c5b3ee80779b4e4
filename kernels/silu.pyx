"""SiLU (swish), y = x * sigmoid(x): the forward and the fused backward g * silu'(x).

Built by setup.py into tensorgrad._kernels.silu; called by tensorgrad/ops/activation.py, which
checks the arguments first: `x`, `g` and `out` are C-contiguous arrays of one shape and one
dtype, float32 or float64, and `out` is a fresh array the kernel fills.
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport exp, expf

from parallel cimport PARALLEL_MIN_TRANSCENDENTAL, omp_get_max_threads, use_threads

cnp.import_array()

ctypedef fused real:
    float
    double


cdef inline real _exp(real x) noexcept nogil:
    # expf for float keeps float32 loops in float, so they vectorise 8 wide through libmvec
    return expf(x) if real is float else exp(x)


cdef inline Py_ssize_t _chunks(Py_ssize_t n) noexcept nogil:
    """One chunk (serial) below the threading threshold, else one chunk per thread."""
    return omp_get_max_threads() if use_threads(n, PARALLEL_MIN_TRANSCENDENTAL) else 1


cdef inline Py_ssize_t _edge(Py_ssize_t c, Py_ssize_t nc, Py_ssize_t n) noexcept nogil:
    """Start of chunk c of nc: a multiple of 64 elements, so every element goes through the same
    vector loop whatever the thread count (a scalar exp in a loop remainder may differ by an ulp)."""
    return n if c == nc else (c * n // nc) & ~(<Py_ssize_t>63)


# ---- forward: out = x / (1 + exp(-x)) ------------------------------------------------------

cdef void _forward_range(const real* x, real* out, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef Py_ssize_t i
    cdef real one = 1  # a typed constant: Cython writes a bare `1` here as the C double 1.0
    for i in range(start, end):
        out[i] = x[i] / (one + _exp(-x[i]))  # exp overflowing to inf gives -0, not NaN


cdef void _forward(const real* x, real* out, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t c, nc = _chunks(n)
    if nc == 1:
        _forward_range(x, out, 0, n)  # no OpenMP region at all for small arrays
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _forward_range(x, out, _edge(c, nc, n), _edge(c + 1, nc, n))


def silu_forward(cnp.ndarray x, cnp.ndarray out):
    """out = x * sigmoid(x); returns out."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(x)
    cdef void* px = cnp.PyArray_DATA(x)
    cdef void* po = cnp.PyArray_DATA(out)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _forward(<const float*>px, <float*>po, n)
    else:
        with nogil:
            _forward(<const double*>px, <double*>po, n)
    return out


# ---- backward: out = g * s * (1 + x * (1 - s)), s = sigmoid(x) -------------------------------

cdef void _backward_range(const real* g, const real* x, real* out,
                          Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef Py_ssize_t i
    cdef real s, one = 1
    for i in range(start, end):
        s = one / (one + _exp(-x[i]))
        out[i] = g[i] * s * (one + x[i] * (one - s))


cdef void _backward(const real* g, const real* x, real* out, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t c, nc = _chunks(n)
    if nc == 1:
        _backward_range(g, x, out, 0, n)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _backward_range(g, x, out, _edge(c, nc, n), _edge(c + 1, nc, n))


def silu_backward(cnp.ndarray g, cnp.ndarray x, cnp.ndarray out):
    """out = g * silu'(x), the gradient of silu from its input x; returns out."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(x)
    cdef void* pg = cnp.PyArray_DATA(g)
    cdef void* px = cnp.PyArray_DATA(x)
    cdef void* po = cnp.PyArray_DATA(out)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _backward(<const float*>pg, <const float*>px, <float*>po, n)
    else:
        with nogil:
            _backward(<const double*>pg, <const double*>px, <double*>po, n)
    return out
