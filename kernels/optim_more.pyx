"""Fused in-place updates of the less common optimizers: Adagrad, Adadelta, Adamax, NAdam, RAdam,
Rprop and ASGD (kernels/optim.pyx has SGD, Adam and RMSprop).

The conventions are optim.pyx's: each `*_step` entry takes C-contiguous ndarrays of one float
dtype (float32 or float64), checked by the Python layer (tensorgrad.nn.optim), and updates the
parameter and state buffers in one pass. The formulas are PyTorch's single-tensor updates, in
PyTorch's order of operations; hyperparameters arrive as doubles and are rounded to the buffer's
dtype. `gscale` is -1 for `maximize` and 1 otherwise; `wd` is the L2 weight decay added to the
gradient (0 for none) and `decay` the decoupled decay factor that multiplies the parameter first
(1 for none).
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport fabs, fabsf, sqrt, sqrtf

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


cdef inline real _abs(real x) noexcept nogil:
    if real is float:
        return fabsf(x)
    else:
        return fabs(x)


cdef inline Py_ssize_t _num_chunks(Py_ssize_t n) noexcept nogil:
    return omp_get_max_threads() if use_threads(n, PARALLEL_MIN_CHEAP) else 1


cdef inline bint _is_float(cnp.ndarray p):
    return cnp.PyArray_TYPE(p) == cnp.NPY_FLOAT32


cdef inline void* _data(cnp.ndarray a):
    return cnp.PyArray_DATA(a)


# ---- Adagrad -----------------------------------------------------------------------------

cdef void _adagrad_range(real* p, const real* g, real* s, Py_ssize_t start, Py_ssize_t end,
                         real gscale, real wd, real clr, real eps) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, si
    for i in range(start, end):
        gi = gscale * g[i]
        if wd != 0:
            gi = gi + wd * p[i]
        si = s[i] + gi * gi
        s[i] = si
        p[i] = p[i] - clr * (gi / (_sqrt(si) + eps))


cdef void _adagrad(real* p, const real* g, real* s, Py_ssize_t n, real gscale, real wd, real clr,
                   real eps) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _adagrad_range(p, g, s, 0, n, gscale, wd, clr, eps)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _adagrad_range(p, g, s, c * n // nc, (c + 1) * n // nc, gscale, wd, clr, eps)


def adagrad_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray s, double gscale, double wd,
                 double clr, double eps):
    """Adagrad: g' = gscale*g + wd*p; s += g'^2; p -= clr * g' / (sqrt(s) + eps), where clr is
    lr / (1 + (step - 1) * lr_decay)."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef void* p_ = _data(p)
    cdef void* g_ = _data(g)
    cdef void* s_ = _data(s)
    if _is_float(p):
        with nogil:
            _adagrad(<float*>p_, <float*>g_, <float*>s_, n, <float>gscale,
                     <float>wd, <float>clr, <float>eps)
    else:
        with nogil:
            _adagrad(<double*>p_, <double*>g_, <double*>s_, n, gscale, wd, clr, eps)


# ---- Adadelta ----------------------------------------------------------------------------

cdef void _adadelta_range(real* p, const real* g, real* sq, real* acc, Py_ssize_t start,
                          Py_ssize_t end, real gscale, real wd, real lr, real rho,
                          real rho_weight, real eps) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, si, delta
    for i in range(start, end):
        gi = gscale * g[i]
        if wd != 0:
            gi = gi + wd * p[i]
        si = sq[i] * rho + rho_weight * gi * gi
        sq[i] = si
        delta = _sqrt(acc[i] + eps) / _sqrt(si + eps) * gi
        acc[i] = acc[i] * rho + rho_weight * delta * delta
        p[i] = p[i] - lr * delta


cdef void _adadelta(real* p, const real* g, real* sq, real* acc, Py_ssize_t n, real gscale,
                    real wd, real lr, real rho, real rho_weight, real eps) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _adadelta_range(p, g, sq, acc, 0, n, gscale, wd, lr, rho, rho_weight, eps)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _adadelta_range(p, g, sq, acc, c * n // nc, (c + 1) * n // nc, gscale, wd, lr, rho,
                        rho_weight, eps)


def adadelta_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray sq, cnp.ndarray acc, double gscale,
                  double wd, double lr, double rho, double eps):
    """Adadelta: g' = gscale*g + wd*p; sq = rho*sq + (1 - rho)*g'^2;
    delta = sqrt(acc + eps) / sqrt(sq + eps) * g'; acc = rho*acc + (1 - rho)*delta^2; p -= lr*delta."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef void* p_ = _data(p)
    cdef void* g_ = _data(g)
    cdef void* sq_ = _data(sq)
    cdef void* acc_ = _data(acc)
    if _is_float(p):
        with nogil:
            _adadelta(<float*>p_, <float*>g_, <float*>sq_, <float*>acc_, n,
                      <float>gscale, <float>wd, <float>lr, <float>rho, <float>(1 - rho), <float>eps)
    else:
        with nogil:
            _adadelta(<double*>p_, <double*>g_, <double*>sq_, <double*>acc_,
                      n, gscale, wd, lr, rho, 1 - rho, eps)


# ---- Adamax ------------------------------------------------------------------------------

cdef void _adamax_range(real* p, const real* g, real* m, real* u, Py_ssize_t start, Py_ssize_t end,
                        real gscale, real wd, real beta1_weight, real beta2, real eps,
                        real clr) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, mi, ui, ai
    for i in range(start, end):
        gi = gscale * g[i]
        if wd != 0:
            gi = gi + wd * p[i]
        mi = _lerp(m[i], gi, beta1_weight)
        m[i] = mi
        ui = u[i] * beta2
        ai = _abs(gi) + eps
        if ai > ui or ai != ai:  # torch.maximum propagates nan
            ui = ai
        u[i] = ui
        p[i] = p[i] - clr * (mi / ui)


cdef void _adamax(real* p, const real* g, real* m, real* u, Py_ssize_t n, real gscale, real wd,
                  real beta1_weight, real beta2, real eps, real clr) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _adamax_range(p, g, m, u, 0, n, gscale, wd, beta1_weight, beta2, eps, clr)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _adamax_range(p, g, m, u, c * n // nc, (c + 1) * n // nc, gscale, wd, beta1_weight, beta2,
                      eps, clr)


def adamax_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray m, cnp.ndarray u, double gscale,
                double wd, double beta1, double beta2, double eps, double clr):
    """Adamax: g' = gscale*g + wd*p; m = lerp(m, g', 1 - beta1); u = max(beta2*u, |g'| + eps);
    p -= clr * m / u, where clr is lr / (1 - beta1**step)."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef void* p_ = _data(p)
    cdef void* g_ = _data(g)
    cdef void* m_ = _data(m)
    cdef void* u_ = _data(u)
    if _is_float(p):
        with nogil:
            _adamax(<float*>p_, <float*>g_, <float*>m_, <float*>u_, n,
                    <float>gscale, <float>wd, <float>(1 - beta1), <float>beta2, <float>eps,
                    <float>clr)
    else:
        with nogil:
            _adamax(<double*>p_, <double*>g_, <double*>m_, <double*>u_, n,
                    gscale, wd, 1 - beta1, beta2, eps, clr)


# ---- NAdam -------------------------------------------------------------------------------

cdef void _nadam_range(real* p, const real* g, real* m, real* v, Py_ssize_t start, Py_ssize_t end,
                       real gscale, real wd, real decay, real beta1_weight, real beta2,
                       real beta2_weight, real bc2, real eps, real c_grad,
                       real c_avg) noexcept nogil:
    cdef Py_ssize_t i
    cdef real pi, gi, mi, vi, denom
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
        denom = _sqrt(vi / bc2) + eps
        pi = pi + c_grad * (gi / denom)
        p[i] = pi + c_avg * (mi / denom)


cdef void _nadam(real* p, const real* g, real* m, real* v, Py_ssize_t n, real gscale, real wd,
                 real decay, real beta1_weight, real beta2, real beta2_weight, real bc2, real eps,
                 real c_grad, real c_avg) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _nadam_range(p, g, m, v, 0, n, gscale, wd, decay, beta1_weight, beta2, beta2_weight, bc2,
                     eps, c_grad, c_avg)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _nadam_range(p, g, m, v, c * n // nc, (c + 1) * n // nc, gscale, wd, decay, beta1_weight,
                     beta2, beta2_weight, bc2, eps, c_grad, c_avg)


def nadam_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray m, cnp.ndarray v, double gscale,
               double wd, double decay, double beta1, double beta2, double bc2, double eps,
               double c_grad, double c_avg):
    """NAdam: p *= decay; g' = gscale*g + wd*p; m = lerp(m, g', 1 - beta1);
    v = beta2*v + (1 - beta2)*g'^2; denom = sqrt(v / bc2) + eps;
    p += c_grad * g' / denom + c_avg * m / denom (two roundings, as PyTorch's two addcdiv_), with
    c_grad = -lr (1 - mu_t) / (1 - mu_1...mu_t) and c_avg = -lr mu_{t+1} / (1 - mu_1...mu_{t+1})."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef void* p_ = _data(p)
    cdef void* g_ = _data(g)
    cdef void* m_ = _data(m)
    cdef void* v_ = _data(v)
    if _is_float(p):
        with nogil:
            _nadam(<float*>p_, <float*>g_, <float*>m_, <float*>v_, n,
                   <float>gscale, <float>wd, <float>decay, <float>(1 - beta1), <float>beta2,
                   <float>(1 - beta2), <float>bc2, <float>eps, <float>c_grad, <float>c_avg)
    else:
        with nogil:
            _nadam(<double*>p_, <double*>g_, <double*>m_, <double*>v_, n,
                   gscale, wd, decay, 1 - beta1, beta2, 1 - beta2, bc2, eps, c_grad, c_avg)


# ---- RAdam -------------------------------------------------------------------------------

cdef void _radam_range(real* p, const real* g, real* m, real* v, Py_ssize_t start, Py_ssize_t end,
                       real gscale, real wd, real decay, real beta1_weight, real beta2,
                       real beta2_weight, real bc1, real lr, real bc2_sqrt, real eps, real rect,
                       bint rectified) noexcept nogil:
    cdef Py_ssize_t i
    cdef real pi, gi, mi, vi, u
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
        u = mi / bc1 * lr
        if rectified:
            u = u * (bc2_sqrt / (_sqrt(vi) + eps)) * rect
        p[i] = pi - u


cdef void _radam(real* p, const real* g, real* m, real* v, Py_ssize_t n, real gscale, real wd,
                 real decay, real beta1_weight, real beta2, real beta2_weight, real bc1, real lr,
                 real bc2_sqrt, real eps, real rect, bint rectified) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _radam_range(p, g, m, v, 0, n, gscale, wd, decay, beta1_weight, beta2, beta2_weight, bc1,
                     lr, bc2_sqrt, eps, rect, rectified)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _radam_range(p, g, m, v, c * n // nc, (c + 1) * n // nc, gscale, wd, decay, beta1_weight,
                     beta2, beta2_weight, bc1, lr, bc2_sqrt, eps, rect, rectified)


def radam_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray m, cnp.ndarray v, double gscale,
               double wd, double decay, double beta1, double beta2, double bc1, double lr,
               double bc2_sqrt, double eps, double rect, bint rectified):
    """RAdam: p *= decay; g' = gscale*g + wd*p; m = lerp(m, g', 1 - beta1);
    v = beta2*v + (1 - beta2)*g'^2; u = m / bc1 * lr, times bc2_sqrt / (sqrt(v) + eps) * rect
    when `rectified` (rho_t > 5); p -= u."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef void* p_ = _data(p)
    cdef void* g_ = _data(g)
    cdef void* m_ = _data(m)
    cdef void* v_ = _data(v)
    if _is_float(p):
        with nogil:
            _radam(<float*>p_, <float*>g_, <float*>m_, <float*>v_, n,
                   <float>gscale, <float>wd, <float>decay, <float>(1 - beta1), <float>beta2,
                   <float>(1 - beta2), <float>bc1, <float>lr, <float>bc2_sqrt, <float>eps,
                   <float>rect, rectified)
    else:
        with nogil:
            _radam(<double*>p_, <double*>g_, <double*>m_, <double*>v_, n,
                   gscale, wd, decay, 1 - beta1, beta2, 1 - beta2, bc1, lr, bc2_sqrt, eps, rect,
                   rectified)


# ---- Rprop -------------------------------------------------------------------------------

cdef void _rprop_range(real* p, const real* g, real* prev, real* step_size, Py_ssize_t start,
                       Py_ssize_t end, real gscale, real etaminus, real etaplus, real step_min,
                       real step_max) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, prod, s
    for i in range(start, end):
        gi = gscale * g[i]
        prod = gi * prev[i]
        s = step_size[i]
        if prod > 0:
            s = s * etaplus
        elif prod < 0:
            s = s * etaminus
            gi = 0  # a sign change: skip this update and forget the gradient
        if s < step_min:
            s = step_min
        elif s > step_max:
            s = step_max
        step_size[i] = s
        if gi > 0:
            p[i] = p[i] - s
        elif gi < 0:
            p[i] = p[i] + s
        prev[i] = gi


cdef void _rprop(real* p, const real* g, real* prev, real* step_size, Py_ssize_t n, real gscale,
                 real etaminus, real etaplus, real step_min, real step_max) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _rprop_range(p, g, prev, step_size, 0, n, gscale, etaminus, etaplus, step_min, step_max)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _rprop_range(p, g, prev, step_size, c * n // nc, (c + 1) * n // nc, gscale, etaminus,
                     etaplus, step_min, step_max)


def rprop_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray prev, cnp.ndarray step_size,
               double gscale, double etaminus, double etaplus, double step_min, double step_max):
    """Rprop: g' = gscale*g; the step size is multiplied by etaplus where g'*prev > 0, by
    etaminus where it is < 0 (and g' is then taken as 0), and clamped to [step_min, step_max];
    p -= sign(g') * step_size; prev = g'."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef void* p_ = _data(p)
    cdef void* g_ = _data(g)
    cdef void* prev_ = _data(prev)
    cdef void* step_size_ = _data(step_size)
    if _is_float(p):
        with nogil:
            _rprop(<float*>p_, <float*>g_, <float*>prev_, <float*>step_size_,
                   n, <float>gscale, <float>etaminus, <float>etaplus, <float>step_min,
                   <float>step_max)
    else:
        with nogil:
            _rprop(<double*>p_, <double*>g_, <double*>prev_,
                   <double*>step_size_, n, gscale, etaminus, etaplus, step_min, step_max)


# ---- ASGD --------------------------------------------------------------------------------

cdef void _asgd_range(real* p, const real* g, real* ax, Py_ssize_t start, Py_ssize_t end,
                      real gscale, real wd, real decay, real eta, real mu) noexcept nogil:
    cdef Py_ssize_t i
    cdef real gi, pi
    for i in range(start, end):
        pi = p[i]
        gi = gscale * g[i]
        if wd != 0:
            gi = gi + wd * pi
        pi = pi * decay
        pi = pi - eta * gi
        p[i] = pi
        if mu != 1:
            ax[i] = ax[i] + (pi - ax[i]) * mu
        else:
            ax[i] = pi


cdef void _asgd(real* p, const real* g, real* ax, Py_ssize_t n, real gscale, real wd, real decay,
                real eta, real mu) noexcept nogil:
    cdef Py_ssize_t c, nc = _num_chunks(n)
    if nc == 1:
        _asgd_range(p, g, ax, 0, n, gscale, wd, decay, eta, mu)
        return
    for c in prange(nc, schedule="static", num_threads=nc):
        _asgd_range(p, g, ax, c * n // nc, (c + 1) * n // nc, gscale, wd, decay, eta, mu)


def asgd_step(cnp.ndarray p, cnp.ndarray g, cnp.ndarray ax, double gscale, double wd,
              double eta, double lambd, double mu):
    """ASGD: g' = gscale*g + wd*p; p = p * (1 - lambd*eta) - eta*g'; ax = ax + (p - ax)*mu, or
    ax = p when mu is 1."""
    cdef Py_ssize_t n = cnp.PyArray_SIZE(p)
    cdef void* p_ = _data(p)
    cdef void* g_ = _data(g)
    cdef void* ax_ = _data(ax)
    if _is_float(p):
        with nogil:
            _asgd(<float*>p_, <float*>g_, <float*>ax_, n, <float>gscale,
                  <float>wd, <float>(1 - lambd * eta), <float>eta, <float>mu)
    else:
        with nogil:
            _asgd(<double*>p_, <double*>g_, <double*>ax_, n, gscale, wd,
                  1 - lambd * eta, eta, mu)
