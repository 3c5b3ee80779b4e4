"""Fused in-place optimizer updates: one pass over a parameter buffer, its gradient and its state.

Each `*_step` entry takes C-contiguous ndarrays of one float dtype (float32 or float64) and
writes into the parameter and state buffers in place; the Python layer (tensorgrad.nn.optim)
checks shapes, dtypes and contiguity first. The formulas are PyTorch's single-tensor updates;
hyperparameters arrive as doubles and are rounded to the buffer's dtype, as PyTorch does with
its scalar arguments. `gscale` is -1 for `maximize` (negating is exact) and 1 otherwise.
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport sqrt, sqrtf

from parallel cimport PARALLEL_MIN_CHEAP, omp_get_max_threads, use_threads

cnp.import_array()

ctypedef fused real:
    float
    double


cdef inline real _lerp(real a, real b, real w) noexcept nogil:
    # PyTorch's lerp: the two forms keep the result exact at w = 0 and w = 1.
    if w < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (1 - w)


cdef inline real _sqrt(real x) noexcept nogil:
    if real is float:
        return sqrtf(x)
    else:
        return sqrt(x)


cdef inline Py_ssize_t _num_chunks(Py_ssize_t n) noexcept nogil:
    return omp_get_max_threads() if use_threads(n, PARALLEL_MIN_CHEAP) else 1


cdef inline void* _data_or_null(object a):
    return NULL if a is None else cnp.PyArray_DATA(<cnp.ndarray>a)


# ---- SGD ---------------------------------------------------------------------------------

cdef void _sgd_range(real* p, const real* g, real* buf, Py_ssize_t start, Py_ssize_t end,
                     real gscale, real lr, real wd, real momentum, real buf_decay, real buf_keep,
                     bint nesterov) noexcept nogil:
    # Without momentum buf is NULL. Loop-invariant branches only, so GCC unswitches and vectorises.
    cdef Py_ssize_t i
    cdef real d, b
    if buf == NULL:
        for i in range(start, end):
            d = gscale * g[i]
            if wd != 0:
                d = d + wd * p[i]
            p[i] = p[i] - lr * d
        return
    for i in range(start, end):
        d = gscale * g[i]
        if wd != 0:
            d = d + wd * p[i]
        b = buf[i] * buf_decay + buf_keep * d
        buf[i] = b
        if nesterov:
            d = d + momentum * b
        else:
            d = b
        p[i] = p[i] - lr * d


cdef void _sgd(real* p, const real* g, real* buf, Py_ssize_t n, real gscale, real lr, real wd,
               real momentum, real buf_decay, real buf_keep, bint nesterov) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _sgd_range(p, g, buf, 0, n, gscale, lr, wd, momentum, buf_decay, buf_keep, nesterov)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _sgd_range(p, g, buf, c * n // nc, (c + 1) * n // nc, gscale, lr, wd, momentum, buf_decay,
                   buf_keep, nesterov)


def sgd_step(cnp.ndarray p, cnp.ndarray g, object buf, double gscale, double lr, double wd,
             double momentum, double dampening, bint nesterov, bint first):
    """SGD: d = gscale*g + wd*p; with a momentum buffer b = d (first step) or
    momentum*b + (1 - dampening)*d, then d = d + momentum*b (nesterov) or b; p -= lr*d.
    `buf` is None without momentum; on the first step it must hold zeros (b = 0*0 + 1*d = d)."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef double buf_decay = 0.0 if first else momentum
    cdef double buf_keep = 1.0 if first else 1.0 - dampening
    cdef float* pf
    cdef float* gf
    cdef float* bf
    cdef double* pd
    cdef double* gd
    cdef double* bd
    if cnp.PyArray_TYPE(p) == cnp.NPY_FLOAT32:
        pf = <float*>cnp.PyArray_DATA(p)
        gf = <float*>cnp.PyArray_DATA(g)
        bf = <float*>_data_or_null(buf)
        with nogil:
            _sgd(pf, gf, bf, n, <float>gscale, <float>lr, <float>wd, <float>momentum,
                 <float>buf_decay, <float>buf_keep, nesterov)
    else:
        pd = <double*>cnp.PyArray_DATA(p)
        gd = <double*>cnp.PyArray_DATA(g)
        bd = <double*>_data_or_null(buf)
        with nogil:
            _sgd(pd, gd, bd, n, gscale, lr, wd, momentum, buf_decay, buf_keep, nesterov)


# ---- Adam / AdamW ------------------------------------------------------------------------

cdef void _adam_range(real* p, const real* g, real* m, real* v, real* vmax,
                      Py_ssize_t start, Py_ssize_t end, real gscale, real wd, real decay,
                      real beta1_weight, real beta2, real beta2_weight, real step_size,
                      real bc2_sqrt, real eps) noexcept nogil:
    cdef Py_ssize_t i
    cdef real pi, gi, mi, vi
    for i in range(start, end):
        pi = p[i]
        if decay != 1:
            pi = pi * decay
        gi = gscale * g[i]
        if wd != 0:
            gi = gi + wd * pi
        mi = _lerp(m[i], gi, beta1_weight)
        vi = v[i] * beta2 + beta2_weight * gi * gi
        m[i] = mi
        v[i] = vi
        if vmax != NULL:
            if vmax[i] > vi:
                vi = vmax[i]
            vmax[i] = vi
        p[i] = pi - step_size * mi / (_sqrt(vi) / bc2_sqrt + eps)


cdef void _adam(real* p, const real* g, real* m, real* v, real* vmax, Py_ssize_t n, real gscale,
                real wd, real decay, real beta1_weight, real beta2, real beta2_weight,
                real step_size, real bc2_sqrt, real eps) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _adam_range(p, g, m, v, vmax, 0, n, gscale, wd, decay, beta1_weight, beta2, beta2_weight,
                    step_size, bc2_sqrt, eps)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _adam_range(p, g, m, v, vmax, c * n // nc, (c + 1) * n // nc, gscale, wd, decay,
                    beta1_weight, beta2, beta2_weight, step_size, bc2_sqrt, eps)


def adam_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray m, cnp.ndarray v, object vmax,
              double gscale, double wd, double decay, double beta1, double beta2,
              double step_size, double bc2_sqrt, double eps):
    """Adam: p *= decay (AdamW's decoupled decay, 1 for none); g' = gscale*g + wd*p (L2);
    m = lerp(m, g', 1 - beta1); v = beta2*v + (1 - beta2)*g'^2; vmax = max(vmax, v) (amsgrad,
    else None) and used in place of v; p -= step_size * m / (sqrt(v)/bc2_sqrt + eps)."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    if cnp.PyArray_TYPE(p) == cnp.NPY_FLOAT32:
        pf = <float*>cnp.PyArray_DATA(p)
        gf = <float*>cnp.PyArray_DATA(g)
        mf = <float*>cnp.PyArray_DATA(m)
        vf = <float*>cnp.PyArray_DATA(v)
        xf = <float*>_data_or_null(vmax)
        with nogil:
            _adam(pf, gf, mf, vf, xf, n, <float>gscale, <float>wd, <float>decay,
                  <float>(1 - beta1), <float>beta2, <float>(1 - beta2), <float>step_size,
                  <float>bc2_sqrt, <float>eps)
    else:
        pd = <double*>cnp.PyArray_DATA(p)
        gd = <double*>cnp.PyArray_DATA(g)
        md = <double*>cnp.PyArray_DATA(m)
        vd = <double*>cnp.PyArray_DATA(v)
        xd = <double*>_data_or_null(vmax)
        with nogil:
            _adam(pd, gd, md, vd, xd, n, gscale, wd, decay, 1 - beta1, beta2, 1 - beta2,
                  step_size, bc2_sqrt, eps)


# ---- RMSprop -----------------------------------------------------------------------------

cdef void _rmsprop_range(real* p, const real* g, real* sq, real* gavg, real* buf,
                         Py_ssize_t start, Py_ssize_t end, real gscale, real lr, real wd,
                         real alpha, real alpha_weight, real eps, real momentum) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, si, ai, avg, b
    for i in range(start, end):
        gi = gscale * g[i]
        if wd != 0:
            gi = gi + wd * p[i]
        si = sq[i] * alpha + alpha_weight * gi * gi
        sq[i] = si
        if gavg != NULL:
            ai = _lerp(gavg[i], gi, alpha_weight)
            gavg[i] = ai
            avg = _sqrt(si - ai * ai) + eps
        else:
            avg = _sqrt(si) + eps
        if buf != NULL:
            b = buf[i] * momentum + gi / avg
            buf[i] = b
            p[i] = p[i] - lr * b
        else:
            p[i] = p[i] - lr * gi / avg


cdef void _rmsprop(real* p, const real* g, real* sq, real* gavg, real* buf, Py_ssize_t n,
                   real gscale, real lr, real wd, real alpha, real alpha_weight, real eps,
                   real momentum) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _rmsprop_range(p, g, sq, gavg, buf, 0, n, gscale, lr, wd, alpha, alpha_weight, eps, momentum)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _rmsprop_range(p, g, sq, gavg, buf, c * n // nc, (c + 1) * n // nc, gscale, lr, wd, alpha,
                       alpha_weight, eps, momentum)


def rmsprop_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray sq, object gavg, object buf,
                 double gscale, double lr, double wd, double alpha, double eps, double momentum):
    """RMSprop: g' = gscale*g + wd*p; sq = alpha*sq + (1 - alpha)*g'^2; centered (gavg not None):
    gavg = lerp(gavg, g', 1 - alpha), avg = sqrt(sq - gavg^2) + eps, else avg = sqrt(sq) + eps;
    with a momentum buffer b = momentum*b + g'/avg, p -= lr*b, else p -= lr*g'/avg."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef float* pf
    cdef float* gf
    cdef float* sf
    cdef float* af
    cdef float* bf
    cdef double* pd
    cdef double* gd
    cdef double* sd
    cdef double* ad
    cdef double* bd
    if cnp.PyArray_TYPE(p) == cnp.NPY_FLOAT32:
        pf = <float*>cnp.PyArray_DATA(p)
        gf = <float*>cnp.PyArray_DATA(g)
        sf = <float*>cnp.PyArray_DATA(sq)
        af = <float*>_data_or_null(gavg)
        bf = <float*>_data_or_null(buf)
        with nogil:
            _rmsprop(pf, gf, sf, af, bf, n, <float>gscale, <float>lr, <float>wd, <float>alpha,
                     <float>(1 - alpha), <float>eps, <float>momentum)
    else:
        pd = <double*>cnp.PyArray_DATA(p)
        gd = <double*>cnp.PyArray_DATA(g)
        sd = <double*>cnp.PyArray_DATA(sq)
        ad = <double*>_data_or_null(gavg)
        bd = <double*>_data_or_null(buf)
        with nogil:
            _rmsprop(pd, gd, sd, ad, bd, n, gscale, lr, wd, alpha, 1 - alpha, eps, momentum)
