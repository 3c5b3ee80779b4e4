"""2-D pooling kernels: max pooling (with argmax indices) and average pooling, forward and backward.

Arrays are C-contiguous (P, H, W) input planes and (P, oH, oW) output planes, P = N*C, one float
dtype; max-pool indices are int32 offsets into the input plane (h*W + w; PyTorch's int64 values,
half the memory, and the same lane width as float32 when the argmax loop vectorises).
The Python layer (tensorgrad/ops/pool.py) checks every argument and computes the output size
(ceil_mode included) before calling. Planes are independent, so above a size threshold each
OpenMP thread takes a contiguous run of planes; backward scatters only within a plane, race-free.
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport INFINITY
from libc.stdint cimport int32_t
from libc.string cimport memset

from parallel cimport PARALLEL_MIN_CHEAP, omp_get_max_threads, use_threads
from window cimport valid_range

cnp.import_array()

ctypedef fused real:
    float
    double


cdef struct Window:
    Py_ssize_t P, H, W, oh, ow
    Py_ssize_t kh, kw, sh, sw, ph, pw, dh, dw
    bint count_include_pad


cdef Window _window(cnp.ndarray x, cnp.ndarray y, Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t sh,
                    Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw,
                    bint count_include_pad):
    cdef Window g
    cdef cnp.npy_intp* xs = cnp.PyArray_DIMS(x)
    cdef cnp.npy_intp* ys = cnp.PyArray_DIMS(y)
    g.P = xs[0] * xs[1]
    g.H, g.W = xs[2], xs[3]
    g.oh, g.ow = ys[2], ys[3]
    g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw = kh, kw, sh, sw, ph, pw, dh, dw
    g.count_include_pad = count_include_pad
    return g


# ---- per-plane bodies (planes [p0, p1)) -------------------------------------------------------

cdef inline void _max_update(const real* src, Py_ssize_t step, Py_ssize_t first, real* m,
                             int32_t* best, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    """Fold one window tap into the running maxima m[lo:hi] (value src[o*step], index first+o*step).

    PyTorch's rule: the first in-bounds element starts the max; a strictly greater element, or
    any NaN, replaces it. Written as selects so that it vectorises across output positions.
    """
    cdef Py_ssize_t o
    cdef real v, cur
    cdef bint take
    for o in range(lo, hi):
        v = src[o * step]
        cur = m[o]
        take = (v > cur) | (best[o] < 0) | (v != v)
        m[o] = v if take else cur
        best[o] = <int32_t>(first + o * step) if take else best[o]


cdef void _max_forward_planes(const real* x, real* y, int32_t* idx, const Window* g, Py_ssize_t p0,
                              Py_ssize_t p1) noexcept nogil:
    """Each output plane is built tap by tap (row-major over the window, as PyTorch scans it).

    A dilated window can miss the input entirely: its output stays -inf with index -1, which
    backward skips.
    """
    cdef Py_ssize_t p, oy, k, i, j, iy, off, lo, hi, n = g.oh * g.ow
    cdef const real* plane
    cdef real* m
    cdef int32_t* best
    for p in range(p0, p1):
        plane = x + p * g.H * g.W
        m = y + p * n
        best = idx + p * n
        for k in range(n):
            m[k] = -INFINITY
            best[k] = -1
        for i in range(g.kh):
            for j in range(g.kw):
                off = j * g.dw - g.pw
                valid_range(g.W, off, g.sw, g.ow, &lo, &hi)
                for oy in range(g.oh):
                    iy = oy * g.sh - g.ph + i * g.dh
                    if 0 <= iy < g.H:
                        _max_update(plane + iy * g.W + off, g.sw, iy * g.W + off, m + oy * g.ow,
                                    best + oy * g.ow, lo, hi)


cdef void _max_backward_planes(const real* gy, const int32_t* idx, real* gx, const Window* g,
                               Py_ssize_t p0, Py_ssize_t p1) noexcept nogil:
    cdef Py_ssize_t p, k, n = g.oh * g.ow
    cdef real* plane
    for p in range(p0, p1):
        plane = gx + p * g.H * g.W
        memset(plane, 0, g.H * g.W * sizeof(real))
        for k in range(p * n, (p + 1) * n):
            if idx[k] >= 0:
                plane[idx[k]] += gy[k]


cdef inline Py_ssize_t _avg_bounds(const Window* g, Py_ssize_t oy, Py_ssize_t ox, Py_ssize_t* ys,
                                   Py_ssize_t* ye, Py_ssize_t* xs, Py_ssize_t* xe) noexcept nogil:
    """Clip the window of output (oy, ox) to the input; return PyTorch's divisor for it."""
    cdef Py_ssize_t y0 = oy * g.sh - g.ph, x0 = ox * g.sw - g.pw
    cdef Py_ssize_t y1 = y0 + g.kh, x1 = x0 + g.kw
    # the window counts padding only up to the padded border (ceil_mode windows may pass it)
    if y1 > g.H + g.ph:
        y1 = g.H + g.ph
    if x1 > g.W + g.pw:
        x1 = g.W + g.pw
    cdef Py_ssize_t padded = (y1 - y0) * (x1 - x0)
    ys[0] = y0 if y0 > 0 else 0
    xs[0] = x0 if x0 > 0 else 0
    ye[0] = y1 if y1 < g.H else g.H
    xe[0] = x1 if x1 < g.W else g.W
    if g.count_include_pad:
        return padded
    return (ye[0] - ys[0]) * (xe[0] - xs[0])


cdef void _avg_forward_planes(const real* x, real* y, const Window* g, Py_ssize_t p0,
                              Py_ssize_t p1) noexcept nogil:
    cdef Py_ssize_t p, oy, ox, iy, ix, ys, xs, ye, xe, divisor
    cdef real total
    cdef const real* plane
    for p in range(p0, p1):
        plane = x + p * g.H * g.W
        for oy in range(g.oh):
            for ox in range(g.ow):
                divisor = _avg_bounds(g, oy, ox, &ys, &ye, &xs, &xe)
                total = 0
                if ys < ye and xs < xe:
                    for iy in range(ys, ye):
                        for ix in range(xs, xe):
                            total = total + plane[iy * g.W + ix]
                    total = total / divisor
                y[(p * g.oh + oy) * g.ow + ox] = total


cdef void _avg_backward_planes(const real* gy, real* gx, const Window* g, Py_ssize_t p0,
                               Py_ssize_t p1) noexcept nogil:
    cdef Py_ssize_t p, oy, ox, iy, ix, ys, xs, ye, xe, divisor
    cdef real share
    cdef real* plane
    for p in range(p0, p1):
        plane = gx + p * g.H * g.W
        memset(plane, 0, g.H * g.W * sizeof(real))
        for oy in range(g.oh):
            for ox in range(g.ow):
                divisor = _avg_bounds(g, oy, ox, &ys, &ye, &xs, &xe)
                if ys >= ye or xs >= xe:
                    continue
                share = gy[(p * g.oh + oy) * g.ow + ox] / divisor
                for iy in range(ys, ye):
                    for ix in range(xs, xe):
                        plane[iy * g.W + ix] += share


# ---- plane splitting over threads -------------------------------------------------------------

cdef inline Py_ssize_t _threads_for(const Window* g) noexcept nogil:
    """Threads worth using: the work is about (input + output * window) elements."""
    cdef Py_ssize_t work = g.P * (g.H * g.W + g.oh * g.ow * g.kh * g.kw)
    if use_threads(work, PARALLEL_MIN_CHEAP) and g.P > 1:
        return omp_get_max_threads()
    return 1


cdef void _max_forward(const real* x, real* y, int32_t* idx, const Window* g) noexcept nogil:
    cdef Py_ssize_t t, nt = _threads_for(g)
    if nt == 1:
        _max_forward_planes(x, y, idx, g, 0, g.P)
        return
    for t in prange(nt, num_threads=nt, schedule="static"):
        _max_forward_planes(x, y, idx, g, g.P * t // nt, g.P * (t + 1) // nt)


cdef void _max_backward(const real* gy, const int32_t* idx, real* gx, const Window* g) noexcept nogil:
    cdef Py_ssize_t t, nt = _threads_for(g)
    if nt == 1:
        _max_backward_planes(gy, idx, gx, g, 0, g.P)
        return
    for t in prange(nt, num_threads=nt, schedule="static"):
        _max_backward_planes(gy, idx, gx, g, g.P * t // nt, g.P * (t + 1) // nt)


cdef void _avg_forward(const real* x, real* y, const Window* g) noexcept nogil:
    cdef Py_ssize_t t, nt = _threads_for(g)
    if nt == 1:
        _avg_forward_planes(x, y, g, 0, g.P)
        return
    for t in prange(nt, num_threads=nt, schedule="static"):
        _avg_forward_planes(x, y, g, g.P * t // nt, g.P * (t + 1) // nt)


cdef void _avg_backward(const real* gy, real* gx, const Window* g) noexcept nogil:
    cdef Py_ssize_t t, nt = _threads_for(g)
    if nt == 1:
        _avg_backward_planes(gy, gx, g, 0, g.P)
        return
    for t in prange(nt, num_threads=nt, schedule="static"):
        _avg_backward_planes(gy, gx, g, g.P * t // nt, g.P * (t + 1) // nt)


# ---- entry points -----------------------------------------------------------------------------

def max_pool2d_forward(cnp.ndarray x, cnp.ndarray y, cnp.ndarray idx, Py_ssize_t kh, Py_ssize_t kw,
                       Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh,
                       Py_ssize_t dw):
    """y = max over each window of x (N, C, H, W); idx (int32) = the argmax's offset in its plane."""
    cdef Window g = _window(x, y, kh, kw, sh, sw, ph, pw, dh, dw, False)
    cdef int32_t* pi = <int32_t*>cnp.PyArray_DATA(idx)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _max_forward(<float*>cnp.PyArray_DATA(x), <float*>cnp.PyArray_DATA(y), pi, &g)
    else:
        with nogil:
            _max_forward(<double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(y), pi, &g)


def max_pool2d_backward(cnp.ndarray gy, cnp.ndarray idx, cnp.ndarray gx):
    """gx = grad of max pooling: each gy element added at its argmax in gx (N, C, H, W)."""
    cdef Window g = _window(gx, gy, 1, 1, 1, 1, 0, 0, 1, 1, False)
    cdef int32_t* pi = <int32_t*>cnp.PyArray_DATA(idx)
    if cnp.PyArray_TYPE(gy) == cnp.NPY_FLOAT32:
        with nogil:
            _max_backward(<float*>cnp.PyArray_DATA(gy), pi, <float*>cnp.PyArray_DATA(gx), &g)
    else:
        with nogil:
            _max_backward(<double*>cnp.PyArray_DATA(gy), pi, <double*>cnp.PyArray_DATA(gx), &g)


def avg_pool2d_forward(cnp.ndarray x, cnp.ndarray y, Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t sh,
                       Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw, bint count_include_pad):
    """y = mean over each window of x (N, C, H, W), with PyTorch's divisor rules."""
    cdef Window g = _window(x, y, kh, kw, sh, sw, ph, pw, 1, 1, count_include_pad)
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            _avg_forward(<float*>cnp.PyArray_DATA(x), <float*>cnp.PyArray_DATA(y), &g)
    else:
        with nogil:
            _avg_forward(<double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(y), &g)


def avg_pool2d_backward(cnp.ndarray gy, cnp.ndarray gx, Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t sh,
                        Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw, bint count_include_pad):
    """gx = grad of average pooling: each gy element shared equally over its window."""
    cdef Window g = _window(gx, gy, kh, kw, sh, sw, ph, pw, 1, 1, count_include_pad)
    if cnp.PyArray_TYPE(gy) == cnp.NPY_FLOAT32:
        with nogil:
            _avg_backward(<float*>cnp.PyArray_DATA(gy), <float*>cnp.PyArray_DATA(gx), &g)
    else:
        with nogil:
            _avg_backward(<double*>cnp.PyArray_DATA(gy), <double*>cnp.PyArray_DATA(gx), &g)
