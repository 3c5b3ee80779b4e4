"""Batch norm and layer norm kernels (forward and backward).

Batch norm sees its input as (N, C, S): S is 1 for (N, C), L for (N, C, L), H*W for images;
statistics are per channel C over N and S. Layer norm sees (M, D) rows normalised over D.
All float arrays are C-contiguous and of one dtype (float32 or float64), except statistics and
per-channel sums, which are float64 (sums accumulate in double). Optional weight/bias arrays
are empty when absent. The Python layer (tensorgrad/ops/norm.py) checks every shape first.
"""

import numpy as np

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport sqrt

from parallel cimport PARALLEL_MIN_CHEAP, omp_get_max_threads, use_threads

cnp.import_array()

ctypedef fused real:
    float
    double


cdef inline Py_ssize_t _threads_for(Py_ssize_t work, Py_ssize_t items) noexcept nogil:
    """How many chunks to split `items` into: 1 below the threshold, else one per thread."""
    cdef Py_ssize_t nt
    if items < 2 or not use_threads(work, PARALLEL_MIN_CHEAP):
        return 1
    nt = omp_get_max_threads()
    return items if nt > items else nt


cdef inline Py_ssize_t _chunk_end(Py_ssize_t t, Py_ssize_t chunk, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t end = (t + 1) * chunk
    return n if end > n else end


# ---- batch norm ----------------------------------------------------------------------------------


cdef void _channel_stats(const real* x, Py_ssize_t N, Py_ssize_t C, Py_ssize_t S,
                         Py_ssize_t c0, Py_ssize_t c1, double* mean, double* var) noexcept nogil:
    """Mean and biased variance of channels [c0, c1), two-pass for accuracy."""
    cdef Py_ssize_t n, c, j
    cdef const real* p
    cdef double s, d, m
    cdef double count = <double>(N * S)
    for c in range(c0, c1):
        s = 0
        for n in range(N):
            p = x + (n * C + c) * S
            for j in range(S):
                s = s + p[j]
        m = s / count
        mean[c] = m
        s = 0
        for n in range(N):
            p = x + (n * C + c) * S
            for j in range(S):
                d = p[j] - m
                s = s + d * d
        var[c] = s / count


cdef void _channel_reduce(const real* dy, const real* x, const double* mean, Py_ssize_t N,
                          Py_ssize_t C, Py_ssize_t S, Py_ssize_t c0, Py_ssize_t c1,
                          double* sum_dy, double* sum_dy_xmu) noexcept nogil:
    """Per channel: sum(dy) and sum(dy * (x - mean))."""
    cdef Py_ssize_t n, c, j
    cdef const real* p
    cdef const real* q
    cdef double a, b, m
    for c in range(c0, c1):
        a = 0
        b = 0
        m = mean[c]
        for n in range(N):
            p = x + (n * C + c) * S
            q = dy + (n * C + c) * S
            for j in range(S):
                a = a + q[j]
                b = b + q[j] * (p[j] - m)
        sum_dy[c] = a
        sum_dy_xmu[c] = b


cdef void _channel_affine(const real* x, const real* scale, const real* shift, real* y,
                          Py_ssize_t C, Py_ssize_t S, Py_ssize_t b0, Py_ssize_t b1) noexcept nogil:
    """y = x * scale[c] + shift[c] over the (n, c) blocks [b0, b1)."""
    cdef Py_ssize_t blk, j
    cdef real a, b
    cdef const real* p
    cdef real* q
    for blk in range(b0, b1):
        a = scale[blk % C]
        b = shift[blk % C]
        p = x + blk * S
        q = y + blk * S
        for j in range(S):
            q[j] = p[j] * a + b


cdef void _channel_affine2(const real* dy, const real* x, const real* k1, const real* k2,
                           const real* k3, real* dx, Py_ssize_t C, Py_ssize_t S,
                           Py_ssize_t b0, Py_ssize_t b1) noexcept nogil:
    """dx = k1[c] * dy + k2[c] * x + k3[c] over the (n, c) blocks [b0, b1)."""
    cdef Py_ssize_t blk, j
    cdef real a, b, c
    cdef const real* p
    cdef const real* g
    cdef real* q
    for blk in range(b0, b1):
        a = k1[blk % C]
        b = k2[blk % C]
        c = k3[blk % C]
        p = x + blk * S
        g = dy + blk * S
        q = dx + blk * S
        for j in range(S):
            q[j] = a * g[j] + b * p[j] + c


cdef void _stats(const real* x, Py_ssize_t N, Py_ssize_t C, Py_ssize_t S, double* mean,
                 double* var) noexcept nogil:
    cdef Py_ssize_t nt = _threads_for(N * C * S, C)
    cdef Py_ssize_t t, chunk
    if nt == 1:
        _channel_stats(x, N, C, S, 0, C, mean, var)
        return
    chunk = (C + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        _channel_stats(x, N, C, S, t * chunk, _chunk_end(t, chunk, C), mean, var)


cdef void _reduce(const real* dy, const real* x, const double* mean, Py_ssize_t N, Py_ssize_t C,
                  Py_ssize_t S, double* sum_dy, double* sum_dy_xmu) noexcept nogil:
    cdef Py_ssize_t nt = _threads_for(N * C * S, C)
    cdef Py_ssize_t t, chunk
    if nt == 1:
        _channel_reduce(dy, x, mean, N, C, S, 0, C, sum_dy, sum_dy_xmu)
        return
    chunk = (C + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        _channel_reduce(dy, x, mean, N, C, S, t * chunk, _chunk_end(t, chunk, C), sum_dy, sum_dy_xmu)


cdef void _affine(const real* x, const real* scale, const real* shift, real* y, Py_ssize_t N,
                  Py_ssize_t C, Py_ssize_t S) noexcept nogil:
    cdef Py_ssize_t blocks = N * C
    cdef Py_ssize_t nt = _threads_for(blocks * S, blocks)
    cdef Py_ssize_t t, chunk
    if nt == 1:
        _channel_affine(x, scale, shift, y, C, S, 0, blocks)
        return
    chunk = (blocks + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        _channel_affine(x, scale, shift, y, C, S, t * chunk, _chunk_end(t, chunk, blocks))


cdef void _affine2(const real* dy, const real* x, const real* k1, const real* k2, const real* k3,
                   real* dx, Py_ssize_t N, Py_ssize_t C, Py_ssize_t S) noexcept nogil:
    cdef Py_ssize_t blocks = N * C
    cdef Py_ssize_t nt = _threads_for(blocks * S, blocks)
    cdef Py_ssize_t t, chunk
    if nt == 1:
        _channel_affine2(dy, x, k1, k2, k3, dx, C, S, 0, blocks)
        return
    chunk = (blocks + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        _channel_affine2(dy, x, k1, k2, k3, dx, C, S, t * chunk, _chunk_end(t, chunk, blocks))


def batch_norm_stats(cnp.ndarray x, cnp.ndarray mean, cnp.ndarray var):
    """mean[c], var[c] (biased) of x viewed as (N, C, S); mean and var are float64 (C,)"""
    cdef Py_ssize_t N = cnp.PyArray_DIM(x, 0)
    cdef Py_ssize_t C = cnp.PyArray_DIM(x, 1)
    cdef Py_ssize_t S = cnp.PyArray_DIM(x, 2)
    cdef double* m = <double*>cnp.PyArray_DATA(mean)
    cdef double* v = <double*>cnp.PyArray_DATA(var)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _stats(<float*>cnp.PyArray_DATA(x), N, C, S, m, v)
    else:
        with nogil:
            _stats(<double*>cnp.PyArray_DATA(x), N, C, S, m, v)


def batch_norm_backward_reduce(cnp.ndarray dy, cnp.ndarray x, cnp.ndarray mean,
                               cnp.ndarray sum_dy, cnp.ndarray sum_dy_xmu):
    """sum_dy[c] = sum(dy), sum_dy_xmu[c] = sum(dy * (x - mean[c])) over N and S (float64)"""
    cdef Py_ssize_t N = cnp.PyArray_DIM(x, 0)
    cdef Py_ssize_t C = cnp.PyArray_DIM(x, 1)
    cdef Py_ssize_t S = cnp.PyArray_DIM(x, 2)
    cdef double* m = <double*>cnp.PyArray_DATA(mean)
    cdef double* a = <double*>cnp.PyArray_DATA(sum_dy)
    cdef double* b = <double*>cnp.PyArray_DATA(sum_dy_xmu)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _reduce(<float*>cnp.PyArray_DATA(dy), <float*>cnp.PyArray_DATA(x), m, N, C, S, a, b)
    else:
        with nogil:
            _reduce(<double*>cnp.PyArray_DATA(dy), <double*>cnp.PyArray_DATA(x), m, N, C, S, a, b)


def channel_affine(cnp.ndarray x, cnp.ndarray scale, cnp.ndarray shift, cnp.ndarray y):
    """y = x * scale[c] + shift[c] for x viewed as (N, C, S); scale, shift of x's dtype"""
    cdef Py_ssize_t N = cnp.PyArray_DIM(x, 0)
    cdef Py_ssize_t C = cnp.PyArray_DIM(x, 1)
    cdef Py_ssize_t S = cnp.PyArray_DIM(x, 2)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _affine(<float*>cnp.PyArray_DATA(x), <float*>cnp.PyArray_DATA(scale),
                    <float*>cnp.PyArray_DATA(shift), <float*>cnp.PyArray_DATA(y), N, C, S)
    else:
        with nogil:
            _affine(<double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(scale),
                    <double*>cnp.PyArray_DATA(shift), <double*>cnp.PyArray_DATA(y), N, C, S)


def channel_affine_backward(cnp.ndarray dy, cnp.ndarray x, cnp.ndarray k1, cnp.ndarray k2,
                            cnp.ndarray k3, cnp.ndarray dx):
    """dx = k1[c] * dy + k2[c] * x + k3[c] for (N, C, S) arrays; k1, k2, k3 of x's dtype"""
    cdef Py_ssize_t N = cnp.PyArray_DIM(x, 0)
    cdef Py_ssize_t C = cnp.PyArray_DIM(x, 1)
    cdef Py_ssize_t S = cnp.PyArray_DIM(x, 2)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _affine2(<float*>cnp.PyArray_DATA(dy), <float*>cnp.PyArray_DATA(x),
                     <float*>cnp.PyArray_DATA(k1), <float*>cnp.PyArray_DATA(k2),
                     <float*>cnp.PyArray_DATA(k3), <float*>cnp.PyArray_DATA(dx), N, C, S)
    else:
        with nogil:
            _affine2(<double*>cnp.PyArray_DATA(dy), <double*>cnp.PyArray_DATA(x),
                     <double*>cnp.PyArray_DATA(k1), <double*>cnp.PyArray_DATA(k2),
                     <double*>cnp.PyArray_DATA(k3), <double*>cnp.PyArray_DATA(dx), N, C, S)


# ---- layer norm ----------------------------------------------------------------------------------


cdef void _ln_forward_rows(const real* x, const real* w, const real* b, bint has_w, bint has_b,
                           Py_ssize_t D, double eps, real* y, double* mean, double* rstd,
                           Py_ssize_t r0, Py_ssize_t r1) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef const real* p
    cdef real* q
    cdef double s, d, m, r
    cdef real mr, rr
    for i in range(r0, r1):
        p = x + i * D
        q = y + i * D
        s = 0
        for j in range(D):
            s = s + p[j]
        m = s / D
        s = 0
        for j in range(D):
            d = p[j] - m
            s = s + d * d
        r = 1.0 / sqrt(s / D + eps)
        mean[i] = m
        rstd[i] = r
        mr = <real>m
        rr = <real>r
        for j in range(D):
            q[j] = (p[j] - mr) * rr
        if has_w:
            for j in range(D):
                q[j] = q[j] * w[j]
        if has_b:
            for j in range(D):
                q[j] = q[j] + b[j]


cdef void _ln_backward_rows(const real* dy, const real* x, const double* mean, const double* rstd,
                            const real* w, bint has_w, Py_ssize_t D, real* dx, double* dw,
                            double* db, Py_ssize_t r0, Py_ssize_t r1) noexcept nogil:
    """dx rows [r0, r1); adds this chunk's sum(dy * xhat) and sum(dy) to dw, db when not NULL."""
    cdef Py_ssize_t i, j
    cdef const real* p
    cdef const real* g
    cdef real* q
    cdef double a, b, h, gh
    cdef real m, r, ra, rb
    for i in range(r0, r1):
        p = x + i * D
        g = dy + i * D
        q = dx + i * D
        m = <real>mean[i]
        r = <real>rstd[i]
        a = 0
        b = 0
        for j in range(D):
            h = (p[j] - m) * r
            gh = g[j] * w[j] if has_w else g[j]
            a = a + gh
            b = b + gh * h
        ra = <real>(a / D)
        rb = <real>(b / D)
        if has_w:
            for j in range(D):
                q[j] = r * (g[j] * w[j] - ra - (p[j] - m) * r * rb)
        else:
            for j in range(D):
                q[j] = r * (g[j] - ra - (p[j] - m) * r * rb)
        if dw != NULL:
            for j in range(D):
                dw[j] = dw[j] + g[j] * (p[j] - m) * r
        if db != NULL:
            for j in range(D):
                db[j] = db[j] + g[j]


cdef void _ln_forward(const real* x, const real* w, const real* b, bint has_w, bint has_b,
                      Py_ssize_t M, Py_ssize_t D, double eps, real* y, double* mean,
                      double* rstd) noexcept nogil:
    cdef Py_ssize_t nt = _threads_for(M * D, M)
    cdef Py_ssize_t t, chunk
    if nt == 1:
        _ln_forward_rows(x, w, b, has_w, has_b, D, eps, y, mean, rstd, 0, M)
        return
    chunk = (M + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        _ln_forward_rows(x, w, b, has_w, has_b, D, eps, y, mean, rstd, t * chunk,
                         _chunk_end(t, chunk, M))


cdef void _ln_backward(const real* dy, const real* x, const double* mean, const double* rstd,
                       const real* w, bint has_w, Py_ssize_t M, Py_ssize_t D, real* dx,
                       double* dw_parts, double* db_parts, Py_ssize_t nt) noexcept nogil:
    """dw_parts/db_parts hold nt rows of D partial sums (one per chunk), or are NULL."""
    cdef Py_ssize_t t, chunk
    if nt == 1:
        _ln_backward_rows(dy, x, mean, rstd, w, has_w, D, dx, dw_parts, db_parts, 0, M)
        return
    chunk = (M + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        _ln_backward_rows(dy, x, mean, rstd, w, has_w, D, dx,
                          dw_parts + t * D if dw_parts != NULL else NULL,
                          db_parts + t * D if db_parts != NULL else NULL,
                          t * chunk, _chunk_end(t, chunk, M))


def layer_norm_forward(cnp.ndarray x, cnp.ndarray weight, cnp.ndarray bias, double eps,
                       cnp.ndarray y, cnp.ndarray mean, cnp.ndarray rstd):
    """y = (x - mean) * rstd * weight + bias per row of the (M, D) x; mean, rstd float64 (M,)"""
    cdef Py_ssize_t M = cnp.PyArray_DIM(x, 0)
    cdef Py_ssize_t D = cnp.PyArray_DIM(x, 1)
    cdef bint has_w = cnp.PyArray_SIZE(weight) != 0
    cdef bint has_b = cnp.PyArray_SIZE(bias) != 0
    cdef double* m = <double*>cnp.PyArray_DATA(mean)
    cdef double* r = <double*>cnp.PyArray_DATA(rstd)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _ln_forward(<float*>cnp.PyArray_DATA(x), <float*>cnp.PyArray_DATA(weight),
                        <float*>cnp.PyArray_DATA(bias), has_w, has_b, M, D, eps,
                        <float*>cnp.PyArray_DATA(y), m, r)
    else:
        with nogil:
            _ln_forward(<double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(weight),
                        <double*>cnp.PyArray_DATA(bias), has_w, has_b, M, D, eps,
                        <double*>cnp.PyArray_DATA(y), m, r)


def layer_norm_backward(cnp.ndarray dy, cnp.ndarray x, cnp.ndarray mean, cnp.ndarray rstd,
                        cnp.ndarray weight, cnp.ndarray dx, bint need_dw, bint need_db):
    """dx for (M, D) arrays; returns (dw, db) as float64 (D,) arrays, or None where not needed"""
    cdef Py_ssize_t M = cnp.PyArray_DIM(x, 0)
    cdef Py_ssize_t D = cnp.PyArray_DIM(x, 1)
    cdef bint has_w = cnp.PyArray_SIZE(weight) != 0
    cdef Py_ssize_t nt = _threads_for(M * D, M)
    cdef cnp.ndarray dw_parts = np.zeros((nt, D), np.float64) if need_dw else None
    cdef cnp.ndarray db_parts = np.zeros((nt, D), np.float64) if need_db else None
    cdef double* pw = <double*>cnp.PyArray_DATA(dw_parts) if need_dw else NULL
    cdef double* pb = <double*>cnp.PyArray_DATA(db_parts) if need_db else NULL
    cdef double* m = <double*>cnp.PyArray_DATA(mean)
    cdef double* r = <double*>cnp.PyArray_DATA(rstd)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _ln_backward(<float*>cnp.PyArray_DATA(dy), <float*>cnp.PyArray_DATA(x), m, r,
                         <float*>cnp.PyArray_DATA(weight), has_w, M, D,
                         <float*>cnp.PyArray_DATA(dx), pw, pb, nt)
    else:
        with nogil:
            _ln_backward(<double*>cnp.PyArray_DATA(dy), <double*>cnp.PyArray_DATA(x), m, r,
                         <double*>cnp.PyArray_DATA(weight), has_w, M, D,
                         <double*>cnp.PyArray_DATA(dx), pw, pb, nt)
    return (dw_parts.sum(0) if need_dw else None, db_parts.sum(0) if need_db else None)
