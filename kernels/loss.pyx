"""Fused softmax cross-entropy over class indices: forward and backward.

`x` is (N, C) C-contiguous float32 or float64; `target` is (N,) int64 with every value in
[0, C) or equal to `ignore_index`; `weight` is (C,) of x's dtype, or empty for no class
weights; outputs are preallocated. The Python layer (tensorgrad/ops/loss.py) checks all of
this before calling. Each row's loss, with w the class weights (ones when absent), y the
label, eps the label smoothing and lse = log(sum(exp(x))):

    loss = (1 - eps) * w[y] * (lse - x[y]) + eps / C * sum_c w[c] * (lse - x[c])

Rows whose label is `ignore_index` get loss 0 and gradient 0. The forward keeps lse per row,
so the backward recomputes the softmax in one pass instead of storing it.
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport exp, expf, log, logf

from parallel cimport PARALLEL_MIN_TRANSCENDENTAL, omp_get_max_threads, use_threads

cnp.import_array()

# A max reduction vectorises only under `omp simd`: -fno-finite-math-only (kept for inf/nan
# semantics) stops GCC from turning `a > b ? a : b` into vmaxps on its own.
cdef extern from *:
    """
    static inline float tg_max_f(const float* x, Py_ssize_t n) {
        float m = x[0];
        #pragma omp simd reduction(max:m)
        for (Py_ssize_t i = 1; i < n; i++) m = x[i] > m ? x[i] : m;
        return m;
    }
    static inline double tg_max_d(const double* x, Py_ssize_t n) {
        double m = x[0];
        #pragma omp simd reduction(max:m)
        for (Py_ssize_t i = 1; i < n; i++) m = x[i] > m ? x[i] : m;
        return m;
    }
    """
    float tg_max_f(const float* x, Py_ssize_t n) noexcept nogil
    double tg_max_d(const double* x, Py_ssize_t n) noexcept nogil

ctypedef fused real:
    float
    double


cdef inline real _exp(real v) noexcept nogil:
    if real is float:
        return expf(v)
    else:
        return exp(v)


cdef inline real _log(real v) noexcept nogil:
    if real is float:
        return logf(v)
    else:
        return log(v)


cdef inline Py_ssize_t _chunk_end(Py_ssize_t t, Py_ssize_t chunk, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t end = (t + 1) * chunk
    return n if end > n else end


cdef real _weight_sum(const real* weight, bint has_weight, Py_ssize_t C) noexcept nogil:
    cdef Py_ssize_t c
    cdef real s = 0
    if not has_weight:
        return <real>C
    for c in range(C):
        s = s + weight[c]
    return s


cdef void _forward_rows(const real* x, const cnp.int64_t* target, const real* weight,
                        bint has_weight, real wsum, Py_ssize_t C, cnp.int64_t ignore_index,
                        real smoothing, real* loss, real* lse,
                        Py_ssize_t r0, Py_ssize_t r1) noexcept nogil:
    cdef Py_ssize_t i, c
    cdef const real* row
    cdef real m, s, l, wy, xs
    cdef cnp.int64_t y
    for i in range(r0, r1):
        row = x + i * C
        if real is float:
            m = tg_max_f(row, C)
        else:
            m = tg_max_d(row, C)
        s = 0
        for c in range(C):
            s = s + _exp(row[c] - m)
        l = _log(s) + m
        lse[i] = l
        y = target[i]
        if y == ignore_index:
            loss[i] = 0
            continue
        wy = weight[y] if has_weight else 1
        loss[i] = (1 - smoothing) * wy * (l - row[y])
        if smoothing != 0:
            xs = 0
            if has_weight:
                for c in range(C):
                    xs = xs + weight[c] * row[c]
            else:
                for c in range(C):
                    xs = xs + row[c]
            loss[i] += smoothing / C * (wsum * l - xs)


cdef void _backward_rows(const real* x, const cnp.int64_t* target, const real* weight,
                         bint has_weight, real wsum, Py_ssize_t C, cnp.int64_t ignore_index,
                         real smoothing, const real* lse, const real* scale, real* grad,
                         Py_ssize_t r0, Py_ssize_t r1) noexcept nogil:
    cdef Py_ssize_t i, c
    cdef const real* row
    cdef real* g
    cdef real l, wy, a, b, s
    cdef cnp.int64_t y
    for i in range(r0, r1):
        row = x + i * C
        g = grad + i * C
        y = target[i]
        if y == ignore_index:
            for c in range(C):
                g[c] = 0
            continue
        s = scale[i]
        wy = weight[y] if has_weight else 1
        # d loss / d x[c] = a * softmax[c] - b * w[c] - [c == y] * s * (1 - eps) * w[y]
        a = s * ((1 - smoothing) * wy + smoothing / C * wsum)
        b = s * smoothing / C
        l = lse[i]
        for c in range(C):
            g[c] = a * _exp(row[c] - l)
        if b != 0:
            if has_weight:
                for c in range(C):
                    g[c] = g[c] - b * weight[c]
            else:
                for c in range(C):
                    g[c] = g[c] - b
        g[y] -= s * (1 - smoothing) * wy


cdef void _forward(const real* x, const cnp.int64_t* target, const real* weight, bint has_weight,
                   Py_ssize_t N, Py_ssize_t C, cnp.int64_t ignore_index, real smoothing,
                   real* loss, real* lse) noexcept nogil:
    cdef real wsum = _weight_sum(weight, has_weight, C)
    cdef Py_ssize_t nt, t, chunk
    if N < 2 or not use_threads(N * C, PARALLEL_MIN_TRANSCENDENTAL):
        _forward_rows(x, target, weight, has_weight, wsum, C, ignore_index, smoothing, loss, lse, 0, N)
        return
    nt = min(<Py_ssize_t>omp_get_max_threads(), N)
    chunk = (N + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        _forward_rows(x, target, weight, has_weight, wsum, C, ignore_index, smoothing, loss, lse,
                      t * chunk, _chunk_end(t, chunk, N))


cdef void _backward(const real* x, const cnp.int64_t* target, const real* weight, bint has_weight,
                    Py_ssize_t N, Py_ssize_t C, cnp.int64_t ignore_index, real smoothing,
                    const real* lse, const real* scale, real* grad) noexcept nogil:
    cdef real wsum = _weight_sum(weight, has_weight, C)
    cdef Py_ssize_t nt, t, chunk
    if N < 2 or not use_threads(N * C, PARALLEL_MIN_TRANSCENDENTAL):
        _backward_rows(x, target, weight, has_weight, wsum, C, ignore_index, smoothing, lse, scale,
                       grad, 0, N)
        return
    nt = min(<Py_ssize_t>omp_get_max_threads(), N)
    chunk = (N + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        _backward_rows(x, target, weight, has_weight, wsum, C, ignore_index, smoothing, lse, scale,
                       grad, t * chunk, _chunk_end(t, chunk, N))


def cross_entropy_forward(cnp.ndarray x, cnp.ndarray target, cnp.ndarray weight,
                          cnp.int64_t ignore_index, double smoothing,
                          cnp.ndarray loss, cnp.ndarray lse):
    """loss[i] = the row's (weighted, smoothed) cross-entropy; lse[i] = logsumexp(x[i])"""
    cdef Py_ssize_t N = cnp.PyArray_DIM(x, 0)
    cdef Py_ssize_t C = cnp.PyArray_DIM(x, 1)
    cdef bint has_weight = cnp.PyArray_SIZE(weight) != 0
    cdef const cnp.int64_t* t = <const cnp.int64_t*>cnp.PyArray_DATA(target)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _forward(<float*>cnp.PyArray_DATA(x), t, <float*>cnp.PyArray_DATA(weight), has_weight,
                     N, C, ignore_index, <float>smoothing,
                     <float*>cnp.PyArray_DATA(loss), <float*>cnp.PyArray_DATA(lse))
    else:
        with nogil:
            _forward(<double*>cnp.PyArray_DATA(x), t, <double*>cnp.PyArray_DATA(weight), has_weight,
                     N, C, ignore_index, smoothing,
                     <double*>cnp.PyArray_DATA(loss), <double*>cnp.PyArray_DATA(lse))


def cross_entropy_backward(cnp.ndarray x, cnp.ndarray target, cnp.ndarray weight,
                           cnp.int64_t ignore_index, double smoothing, cnp.ndarray lse,
                           cnp.ndarray scale, cnp.ndarray grad):
    """grad[i] = scale[i] * d loss[i] / d x[i] (zero rows for ignored labels)"""
    cdef Py_ssize_t N = cnp.PyArray_DIM(x, 0)
    cdef Py_ssize_t C = cnp.PyArray_DIM(x, 1)
    cdef bint has_weight = cnp.PyArray_SIZE(weight) != 0
    cdef const cnp.int64_t* t = <const cnp.int64_t*>cnp.PyArray_DATA(target)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _backward(<float*>cnp.PyArray_DATA(x), t, <float*>cnp.PyArray_DATA(weight), has_weight,
                      N, C, ignore_index, <float>smoothing, <float*>cnp.PyArray_DATA(lse),
                      <float*>cnp.PyArray_DATA(scale), <float*>cnp.PyArray_DATA(grad))
    else:
        with nogil:
            _backward(<double*>cnp.PyArray_DATA(x), t, <double*>cnp.PyArray_DATA(weight), has_weight,
                      N, C, ignore_index, smoothing, <double*>cnp.PyArray_DATA(lse),
                      <double*>cnp.PyArray_DATA(scale), <double*>cnp.PyArray_DATA(grad))
