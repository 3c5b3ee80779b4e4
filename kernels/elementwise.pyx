"""Elementwise kernels: binary arithmetic with broadcasting, scalar-operand arithmetic, unary maths
and activations, and the fused backward rules of the activations.

Every kernel is one line over a shared driver. Operands are float32 or float64 arrays, all of one
dtype; `out` is None (a new C-contiguous array of the broadcast shape is returned) or an array of
that dtype whose shape the operands broadcast to, which is written and returned. `out` may be one
of the operands itself (in place), but must not partially overlap them. Scalar operands are C
doubles (cast to the operands' dtype, as PyTorch does for a Python scalar).

The driver picks the loop:
- same shape, all C-contiguous: one flat vectorised loop;
- otherwise (broadcasting, stride-0 views such as an expanded gradient, transposes): an N-d strided
  loop over the dims left after dropping size-1 dims and merging contiguous ones; its innermost
  runs go to the same vectorised loop, directly when each operand is contiguous or constant along
  the run, else through small gathered blocks.
No element is computed outside that vectorised loop (loop remainders are padded to a whole
block), so results are bit-identical whatever the layout, the offset or the thread count.
Below a size threshold (kernels/parallel.pxd) the work runs on the calling thread; above it,
chunks of the flat index range are shared out dynamically among the OpenMP threads.
The unary maths loops (exp, tanh, ...) also exist as AVX-512 clones picked at load time.
Outputs of 1 MiB or more come from a small pool of reused buffers (no page faults), and those of
8 MiB or more of memory-bound ops are written with streaming stores.

The driver checks dtypes, shapes and writability itself and raises TypeError/ValueError, so a
kernel never reads or writes out of bounds even when called directly; the ops in
tensorgrad/ops/elementwise.py still check operands first, to raise errors that name the op.
"""

cimport numpy as cnp
import numpy as np
from cython.parallel cimport prange
from libc.stdlib cimport free
from libc.math cimport cos, cosf, fabs, fabsf, pow, powf, sin, sinf, sqrt, sqrtf

from parallel cimport (
    PARALLEL_MIN_CHEAP, PARALLEL_MIN_TRANSCENDENTAL, omp_get_max_threads, use_threads,
)

cnp.import_array()

cdef extern from *:
    """
    /* Non-temporal ("streaming") stores: written lines go to memory without being read into the
       cache first. SSE2 is part of every x86-64; elsewhere a plain copy. dst is 16-byte aligned. */
    #if defined(__SSE2__)
    #include <emmintrin.h>
    static inline void tg_stream_f32(float* dst, const float* src, Py_ssize_t n) {
        for (Py_ssize_t i = 0; i < n; i += 4) _mm_stream_ps(dst + i, _mm_loadu_ps(src + i));
    }
    static inline void tg_stream_f64(double* dst, const double* src, Py_ssize_t n) {
        for (Py_ssize_t i = 0; i < n; i += 2) _mm_stream_pd(dst + i, _mm_loadu_pd(src + i));
    }
    static inline void tg_store_fence(void) { _mm_sfence(); }
    #else
    #include <string.h>
    static inline void tg_stream_f32(float* dst, const float* src, Py_ssize_t n) {
        memcpy(dst, src, n * sizeof(float));
    }
    static inline void tg_stream_f64(double* dst, const double* src, Py_ssize_t n) {
        memcpy(dst, src, n * sizeof(double));
    }
    static inline void tg_store_fence(void) {}
    #endif
    """
    void tg_stream_f32(float* dst, const float* src, Py_ssize_t n) noexcept nogil
    void tg_stream_f64(double* dst, const double* src, Py_ssize_t n) noexcept nogil
    void tg_store_fence() noexcept nogil

cdef extern from *:
    """
    /* The loops of the unary maths ops, compiled twice: for the build's target ISA and for
       AVX-512 (x86-64-v4); the loader picks one for the CPU it runs on (function multi-versioning
       through an ifunc, so a portable build still uses AVX-512 where there is one). There glibc's
       vector exp/tanh/... take 16 floats at a time, twice the AVX2 speed, at the same accuracy. */
    #include <math.h>
    #if defined(__x86_64__) && defined(__GLIBC__) && defined(__GNUC__) && !defined(__clang__) \
        && __GNUC__ >= 12
    #define TG_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))
    #else
    #define TG_CLONES
    #endif
    #define TG_UNARY(name, T, expr)                                                   \
        TG_CLONES static void name(const T* a, T* out, Py_ssize_t n, T c) {           \
            (void)c;                                                                  \
            for (Py_ssize_t i = 0; i < n; i++) { const T x = a[i]; out[i] = (expr); } \
        }
    TG_UNARY(tg_exp_f32, float, expf(x))
    TG_UNARY(tg_exp_f64, double, exp(x))
    TG_UNARY(tg_log_f32, float, logf(x))
    TG_UNARY(tg_log_f64, double, log(x))
    TG_UNARY(tg_tanh_f32, float, tanhf(x))
    TG_UNARY(tg_tanh_f64, double, tanh(x))
    /* exp overflowing to inf gives exactly 0, with no trap in C */
    TG_UNARY(tg_sigmoid_f32, float, 1.0f / (1.0f + expf(-x)))
    TG_UNARY(tg_sigmoid_f64, double, 1.0 / (1.0 + exp(-x)))
    TG_UNARY(tg_sin_f32, float, sinf(x))
    TG_UNARY(tg_sin_f64, double, sin(x))
    TG_UNARY(tg_cos_f32, float, cosf(x))
    TG_UNARY(tg_cos_f64, double, cos(x))
    TG_UNARY(tg_pow_scalar_f32, float, powf(x, c))
    TG_UNARY(tg_pow_scalar_f64, double, pow(x, c))
    TG_UNARY(tg_rpow_scalar_f32, float, powf(c, x))
    TG_UNARY(tg_rpow_scalar_f64, double, pow(c, x))
    """
    void tg_exp_f32(const float* a, float* out, Py_ssize_t n, float c) noexcept nogil
    void tg_exp_f64(const double* a, double* out, Py_ssize_t n, double c) noexcept nogil
    void tg_log_f32(const float* a, float* out, Py_ssize_t n, float c) noexcept nogil
    void tg_log_f64(const double* a, double* out, Py_ssize_t n, double c) noexcept nogil
    void tg_tanh_f32(const float* a, float* out, Py_ssize_t n, float c) noexcept nogil
    void tg_tanh_f64(const double* a, double* out, Py_ssize_t n, double c) noexcept nogil
    void tg_sigmoid_f32(const float* a, float* out, Py_ssize_t n, float c) noexcept nogil
    void tg_sigmoid_f64(const double* a, double* out, Py_ssize_t n, double c) noexcept nogil
    void tg_sin_f32(const float* a, float* out, Py_ssize_t n, float c) noexcept nogil
    void tg_sin_f64(const double* a, double* out, Py_ssize_t n, double c) noexcept nogil
    void tg_cos_f32(const float* a, float* out, Py_ssize_t n, float c) noexcept nogil
    void tg_cos_f64(const double* a, double* out, Py_ssize_t n, double c) noexcept nogil
    void tg_pow_scalar_f32(const float* a, float* out, Py_ssize_t n, float c) noexcept nogil
    void tg_pow_scalar_f64(const double* a, double* out, Py_ssize_t n, double c) noexcept nogil
    void tg_rpow_scalar_f32(const float* a, float* out, Py_ssize_t n, float c) noexcept nogil
    void tg_rpow_scalar_f64(const double* a, double* out, Py_ssize_t n, double c) noexcept nogil

# Outputs of at least this many bytes are written with streaming stores (see _streamed).
cdef Py_ssize_t STREAM_MIN_BYTES = 8 << 20


def set_stream_min_bytes(Py_ssize_t n):
    """Write outputs of at least n bytes with streaming stores; return the previous bound.

    For tests (n=0 sends every output through that path) and for tuning on another machine.
    """
    global STREAM_MIN_BYTES
    previous = STREAM_MIN_BYTES
    STREAM_MIN_BYTES = n
    return previous

ctypedef fused real:
    float
    double


# ---- the operations ------------------------------------------------------------------------------
# Each op is an empty struct type used only as a compile-time tag: `Op` is a fused type over them,
# so every loop below is specialised (and vectorised) per op and dtype with no runtime switch.
# An op computes f(a, b, p, q) from the operands' elements a, b and the scalars p, q; unary ops
# ignore b (the driver passes the single operand twice).

cdef struct AddOp:
    char unused
cdef struct SubOp:
    char unused
cdef struct MulOp:
    char unused
cdef struct DivOp:
    char unused
cdef struct MaximumOp:
    char unused
cdef struct MinimumOp:
    char unused
cdef struct PowerOp:
    char unused
cdef struct MaximumShareOp:
    char unused
cdef struct MinimumShareOp:
    char unused
cdef struct AddScalarOp:
    char unused
cdef struct MulScalarOp:
    char unused
cdef struct RSubScalarOp:
    char unused
cdef struct RDivScalarOp:
    char unused
cdef struct RPowScalarOp:
    char unused
cdef struct PowScalarOp:
    char unused
cdef struct PowScalarBackwardOp:
    char unused
cdef struct NegOp:
    char unused
cdef struct ExpOp:
    char unused
cdef struct LogOp:
    char unused
cdef struct SqrtOp:
    char unused
cdef struct SqrtBackwardOp:
    char unused
cdef struct TanhOp:
    char unused
cdef struct TanhBackwardOp:
    char unused
cdef struct SigmoidOp:
    char unused
cdef struct SigmoidBackwardOp:
    char unused
cdef struct ReluOp:
    char unused
cdef struct ReluBackwardOp:
    char unused
cdef struct AbsOp:
    char unused
cdef struct AbsBackwardOp:
    char unused
cdef struct SinOp:
    char unused
cdef struct SinBackwardOp:
    char unused
cdef struct CosOp:
    char unused
cdef struct CosBackwardOp:
    char unused
cdef struct ClampOp:
    char unused
cdef struct ClampBackwardOp:
    char unused

ctypedef fused Op:
    AddOp
    SubOp
    MulOp
    DivOp
    MaximumOp
    MinimumOp
    PowerOp
    MaximumShareOp
    MinimumShareOp
    AddScalarOp
    MulScalarOp
    RSubScalarOp
    RDivScalarOp
    RPowScalarOp
    PowScalarOp
    PowScalarBackwardOp
    NegOp
    ExpOp
    LogOp
    SqrtOp
    SqrtBackwardOp
    TanhOp
    TanhBackwardOp
    SigmoidOp
    SigmoidBackwardOp
    ReluOp
    ReluBackwardOp
    AbsOp
    AbsBackwardOp
    SinOp
    SinBackwardOp
    CosOp
    CosBackwardOp
    ClampOp
    ClampBackwardOp


# float and double versions of the maths functions, so float32 loops stay in float (and vectorise
# 8 or 16 wide through libmvec) instead of being promoted to double.
cdef inline real _sqrt(real x) noexcept nogil:
    return sqrtf(x) if real is float else sqrt(x)

cdef inline real _sin(real x) noexcept nogil:
    return sinf(x) if real is float else sin(x)

cdef inline real _cos(real x) noexcept nogil:
    return cosf(x) if real is float else cos(x)

cdef inline real _fabs(real x) noexcept nogil:
    return fabsf(x) if real is float else fabs(x)

cdef inline real _pow(real x, real y) noexcept nogil:
    return powf(x, y) if real is float else pow(x, y)


cdef inline real _f(Op* tag, real a, real b, real p, real q) noexcept nogil:
    """The op's value at one element (exp, log, tanh, sigmoid, sin, cos, x**c and c**x are the C
    loops `tg_*` above instead)."""
    cdef real one = 1, zero = 0
    # binary
    if Op is AddOp:
        return a + b
    elif Op is SubOp:
        return a - b
    elif Op is MulOp:
        return a * b
    elif Op is DivOp:
        return a / b
    elif Op is MaximumOp:  # NaN in either operand gives NaN, as numpy and PyTorch
        return a if (a > b or a != a) else b
    elif Op is MinimumOp:
        return a if (a < b or a != a) else b
    elif Op is PowerOp:
        return _pow(a, b)
    elif Op is MaximumShareOp:  # share of maximum's gradient going to a: 1, 1/2 on ties, else 0
        return one if a > b else (<real>0.5 if a == b else zero)
    elif Op is MinimumShareOp:
        return one if a < b else (<real>0.5 if a == b else zero)
    # one operand and the scalar p
    elif Op is AddScalarOp:
        return a + p
    elif Op is MulScalarOp:
        return a * p
    elif Op is RSubScalarOp:
        return p - a
    elif Op is RDivScalarOp:
        return p / a
    elif Op is PowScalarBackwardOp:  # a = grad, b = x, p = c, q = c - 1
        return a * p * _pow(b, q)
    # unary and their fused backward rules (a = grad, b = the forward's input or output)
    elif Op is NegOp:
        return -a
    elif Op is SqrtOp:
        return _sqrt(a)
    elif Op is SqrtBackwardOp:  # b = sqrt's output
        return a / (b + b)
    elif Op is TanhBackwardOp:  # b = tanh's output
        return a * (one - b * b)
    elif Op is SigmoidBackwardOp:  # b = sigmoid's output
        return a * b * (one - b)
    elif Op is ReluOp:  # NaN passes through, as in PyTorch
        return zero if a <= 0 else a
    elif Op is ReluBackwardOp:  # b = relu's output; PyTorch's rule `result <= 0 ? 0 : grad`
        return zero if b <= 0 else a
    elif Op is AbsOp:
        return _fabs(a)
    elif Op is AbsBackwardOp:  # g where x > 0, -g where x < 0, else 0 (also where x is NaN)
        return a if b > 0 else (-a if b < 0 else zero)
    elif Op is SinBackwardOp:
        return a * _cos(b)
    elif Op is CosBackwardOp:
        return -a * _sin(b)
    elif Op is ClampOp:  # p = lower, q = upper bound (+-inf when absent); NaN bounds give NaN
        if a < p or p != p:
            a = p
        if a > q or q != q:
            a = q
        return a
    elif Op is ClampBackwardOp:  # the gradient passes where lower <= x <= upper
        return a if (b >= p and b <= q) else zero


cdef inline bint _transcendental(Op* tag) noexcept nogil:
    """Ops whose cost is in the maths (exp, tanh, ...) rather than in moving memory."""
    return (Op is PowerOp or Op is RPowScalarOp or Op is PowScalarOp or Op is PowScalarBackwardOp
            or Op is ExpOp or Op is LogOp or Op is TanhOp or Op is SigmoidOp or Op is SinOp
            or Op is SinBackwardOp or Op is CosOp or Op is CosBackwardOp)


# ---- loops ---------------------------------------------------------------------------------------
# Every element is computed by the same vectorised loop: a run is processed in whole blocks of
# TAIL elements, its last partial block padded, and strided operands are first gathered into
# contiguous buffers. So a result never depends on an element's position, on the layout or on the
# thread count (a scalar libm call in a loop remainder can differ from the vector one by an ulp),
# and strided operands still get the vectorised maths.

cdef enum:
    TAIL = 16  # a multiple of every vector width (16 floats for AVX-512)
    GATHER = 256  # elements per gathered block of a strided run


cdef inline bint _in_c(Op* tag) noexcept nogil:
    return (Op is ExpOp or Op is LogOp or Op is TanhOp or Op is SigmoidOp or Op is SinOp
            or Op is CosOp or Op is PowScalarOp or Op is RPowScalarOp)


cdef inline void _c_loop(Op* tag, const real* a, real* out, Py_ssize_t n, real c) noexcept nogil:
    """The C loop `tg_<op>_<dtype>` of an op for which _in_c holds."""
    if real is float:
        if Op is ExpOp:
            tg_exp_f32(a, out, n, c)
        elif Op is LogOp:
            tg_log_f32(a, out, n, c)
        elif Op is TanhOp:
            tg_tanh_f32(a, out, n, c)
        elif Op is SigmoidOp:
            tg_sigmoid_f32(a, out, n, c)
        elif Op is SinOp:
            tg_sin_f32(a, out, n, c)
        elif Op is CosOp:
            tg_cos_f32(a, out, n, c)
        elif Op is PowScalarOp:
            tg_pow_scalar_f32(a, out, n, c)
        elif Op is RPowScalarOp:
            tg_rpow_scalar_f32(a, out, n, c)
    else:
        if Op is ExpOp:
            tg_exp_f64(a, out, n, c)
        elif Op is LogOp:
            tg_log_f64(a, out, n, c)
        elif Op is TanhOp:
            tg_tanh_f64(a, out, n, c)
        elif Op is SigmoidOp:
            tg_sigmoid_f64(a, out, n, c)
        elif Op is SinOp:
            tg_sin_f64(a, out, n, c)
        elif Op is CosOp:
            tg_cos_f64(a, out, n, c)
        elif Op is PowScalarOp:
            tg_pow_scalar_f64(a, out, n, c)
        elif Op is RPowScalarOp:
            tg_rpow_scalar_f64(a, out, n, c)


cdef inline void _loop(Op* tag, const real* a, bint a_const, const real* b, bint b_const,
                       real* out, Py_ssize_t n, real p, real q) noexcept nogil:
    """out[i] = f(a[i], b[i]) for i < n; a `const` operand holds one value for every i."""
    cdef Py_ssize_t i
    cdef real ca = a[0], cb = b[0]
    if _in_c(tag):  # unary: its operand is never const here (that case is one padded block)
        _c_loop(tag, a, out, n, p)
    elif a_const:
        for i in range(n):
            out[i] = _f(tag, ca, b[i], p, q)
    elif b_const:
        for i in range(n):
            out[i] = _f(tag, a[i], cb, p, q)
    else:
        for i in range(n):
            out[i] = _f(tag, a[i], b[i], p, q)


cdef void _contiguous(Op* tag, const real* a, bint a_const, const real* b, bint b_const,
                      real* out, Py_ssize_t n, real p, real q) noexcept nogil:
    """A run of n >= 1 elements: operands contiguous or const, out contiguous."""
    cdef Py_ssize_t i, j, m = n - n % TAIL
    cdef real ta[TAIL]
    cdef real tb[TAIL]
    cdef real to[TAIL]
    if a_const and b_const:
        m = 0  # one value: compute it in a padded block, then fill
    elif m:
        _loop(tag, a, a_const, b, b_const, out, m, p, q)
    if m == n:
        return
    for i in range(TAIL):
        j = m + i if m + i < n else n - 1  # pad with the run's last element
        ta[i] = a[0] if a_const else a[j]
        tb[i] = b[0] if b_const else b[j]
    _loop(tag, <const real*>ta, False, <const real*>tb, False, to, TAIL, p, q)
    for i in range(m, n):
        out[i] = to[i - m] if i - m < TAIL else to[0]


cdef enum:
    STREAM_BLOCK = 512  # elements computed into a stack buffer, then streamed out


cdef inline void _stream(real* dst, const real* src, Py_ssize_t n) noexcept nogil:
    if real is float:
        tg_stream_f32(dst, src, n)
    else:
        tg_stream_f64(dst, src, n)


cdef void _streamed(Op* tag, const real* a, bint a_const, const real* b, bint b_const,
                    real* out, Py_ssize_t n, real p, real q) noexcept nogil:
    """_contiguous for an output too big to stay in the caches: blocks are computed into a stack
    buffer and copied out with streaming stores, which skip reading the output's lines from
    memory first (a quarter to a third less memory traffic)."""
    cdef real buf[STREAM_BLOCK]
    cdef Py_ssize_t i = ((-<size_t>out) & 15) // sizeof(real)  # elements before a 16-byte boundary
    if i > n:
        i = n
    if i:
        _contiguous(tag, a, a_const, b, b_const, out, i, p, q)
    while i + STREAM_BLOCK <= n:
        _loop(tag, a if a_const else a + i, a_const, b if b_const else b + i, b_const, buf,
              STREAM_BLOCK, p, q)
        _stream(out + i, buf, STREAM_BLOCK)
        i += STREAM_BLOCK
    tg_store_fence()
    if i < n:
        _contiguous(tag, a if a_const else a + i, a_const, b if b_const else b + i, b_const,
                    out + i, n - i, p, q)


cdef void _run_inner(Op* tag, const char* a, Py_ssize_t sa, const char* b, Py_ssize_t sb,
                     char* out, Py_ssize_t so, Py_ssize_t n, bint stream, real p,
                     real q) noexcept nogil:
    """One innermost run of n >= 1 elements (strides in bytes): directly when every operand is
    contiguous or constant along it, else through gathered blocks."""
    cdef Py_ssize_t e = sizeof(real), start, m, i
    cdef real ga[GATHER]
    cdef real gb[GATHER]
    cdef real go[GATHER]
    cdef bint a_direct = sa == e or sa == 0, b_direct = sb == e or sb == 0
    cdef bint b_is_a = a == b and sa == sb  # a unary op: gather once
    cdef const real* pa
    cdef const real* pb
    cdef real* po
    if so == e and a_direct and b_direct:
        if stream:
            _streamed(tag, <const real*>a, sa == 0, <const real*>b, sb == 0, <real*>out, n, p, q)
        else:
            _contiguous(tag, <const real*>a, sa == 0, <const real*>b, sb == 0, <real*>out, n, p, q)
        return
    start = 0
    while start < n:
        m = n - start if n - start < GATHER else GATHER
        pa = <const real*>(a + start * sa)
        pb = <const real*>(b + start * sb)
        po = <real*>(out + start * so)
        if not a_direct:
            for i in range(m):
                ga[i] = (<const real*>(a + (start + i) * sa))[0]
            pa = ga
        if b_is_a:
            pb = pa
        elif not b_direct:
            for i in range(m):
                gb[i] = (<const real*>(b + (start + i) * sb))[0]
            pb = gb
        if so != e:
            po = go
        _contiguous(tag, pa, sa == 0, pb, sb == 0, po, m, p, q)
        if so != e:
            for i in range(m):
                (<real*>(out + (start + i) * so))[0] = go[i]
        start += m


cdef enum:
    MAXDIMS = 64  # numpy's NPY_MAXDIMS


cdef struct Layout:
    # The iteration space after dropping size-1 dims and merging contiguous ones; nd >= 1.
    int nd
    Py_ssize_t shape[MAXDIMS]
    Py_ssize_t sa[MAXDIMS]  # byte strides of a, b and out along each dim (0 where broadcast)
    Py_ssize_t sb[MAXDIMS]
    Py_ssize_t so[MAXDIMS]


cdef void _run_strided(Op* tag, const Layout* L, const char* a, const char* b, char* out,
                       Py_ssize_t start, Py_ssize_t stop, bint stream, real p,
                       real q) noexcept nogil:
    """Elements start..stop-1 (flat C order over L.shape) of the strided iteration."""
    cdef int k, last = L.nd - 1
    cdef Py_ssize_t idx[MAXDIMS]
    cdef Py_ssize_t inner = L.shape[last], rest, off, m
    cdef const char* pa = a
    cdef const char* pb = b
    cdef char* po = out
    rest = start // inner
    off = start - rest * inner
    for k in range(last - 1, -1, -1):  # multi-index of the first row
        idx[k] = rest % L.shape[k]
        rest = rest // L.shape[k]
        pa += idx[k] * L.sa[k]
        pb += idx[k] * L.sb[k]
        po += idx[k] * L.so[k]
    rest = stop - start
    while True:
        m = inner - off
        if m > rest:
            m = rest
        _run_inner(tag, pa + off * L.sa[last], L.sa[last], pb + off * L.sb[last], L.sb[last],
                   po + off * L.so[last], L.so[last], m, stream, p, q)
        rest -= m
        if rest <= 0:
            return
        off = 0
        for k in range(last - 1, -1, -1):  # next row (odometer)
            idx[k] += 1
            pa += L.sa[k]
            pb += L.sb[k]
            po += L.so[k]
            if idx[k] < L.shape[k]:
                break
            pa -= L.sa[k] * L.shape[k]
            pb -= L.sb[k] * L.shape[k]
            po -= L.so[k] * L.shape[k]
            idx[k] = 0


cdef void _run_all(Op* tag, const Layout* L, bint flat, const char* a, const char* b, char* out,
                   Py_ssize_t n, bint stream, real p, real q) noexcept nogil:
    """All n elements: serially below the op's threshold, else in chunks shared out dynamically
    (about 8 per thread), so that when another process holds a core the thread that runs does
    most of the work instead of waiting for a fixed half to be done by the one that doesn't."""
    cdef Py_ssize_t t, nt, nchunks, chunk, start, stop, e = sizeof(real)
    cdef Py_ssize_t threshold = (PARALLEL_MIN_TRANSCENDENTAL if _transcendental(tag)
                                 else PARALLEL_MIN_CHEAP)
    if not use_threads(n, threshold):
        if flat and stream:
            _streamed(tag, <const real*>a, False, <const real*>b, False, <real*>out, n, p, q)
        elif flat:
            _contiguous(tag, <const real*>a, False, <const real*>b, False, <real*>out, n, p, q)
        else:
            _run_strided(tag, L, a, b, out, 0, n, stream, p, q)
        return
    nt = omp_get_max_threads()
    chunk = n // (8 * nt)
    if chunk < threshold // 2:
        chunk = threshold // 2
    chunk = (chunk + TAIL - 1) // TAIL * TAIL
    nchunks = (n + chunk - 1) // chunk
    for t in prange(nchunks, schedule="dynamic", num_threads=nt):
        start = t * chunk
        stop = start + chunk
        if stop > n:
            stop = n
        if flat and stream:
            _streamed(tag, <const real*>(a + start * e), False, <const real*>(b + start * e),
                      False, <real*>(out + start * e), stop - start, p, q)
        elif flat:
            _contiguous(tag, <const real*>(a + start * e), False, <const real*>(b + start * e),
                        False, <real*>(out + start * e), stop - start, p, q)
        else:
            _run_strided(tag, L, a, b, out, start, stop, stream, p, q)


# ---- output buffers --------------------------------------------------------------------------------
# A fresh multi-megabyte output costs more than the loop that fills it: the allocator hands such
# blocks back to the system when they are freed, so every new one is page-faulted in and zeroed by
# the kernel again (about 1.5 ms per 16 MB here, more than a multiply of that size). Outputs of at
# least POOL_MIN_BYTES therefore live in buffers that, when their last array goes, wait in a small
# pool for the next output of the same size (a training step asks for the same sizes every time).
# Only this module's outputs use it; `release_pool()` frees what waits.

cdef extern from "<stdlib.h>" nogil:
    void* aligned_alloc(size_t alignment, size_t size)

cdef enum:
    POOL_SLOTS = 8
    POOL_MIN_BYTES = 1 << 20
    POOL_MAX_BYTES = 256 << 20  # at most this much waits in the pool

cdef void* _pool_ptr[POOL_SLOTS]
cdef Py_ssize_t _pool_size[POOL_SLOTS]
cdef int _pool_count = 0
cdef Py_ssize_t _pool_bytes = 0


cdef void* _take_buffer(Py_ssize_t size) noexcept:
    """A pooled buffer of exactly `size` bytes (the most recently freed: its lines may still be
    cached), else a new one (NULL if out of memory)."""
    global _pool_count, _pool_bytes
    cdef int i, j
    cdef void* ptr
    for i in range(_pool_count - 1, -1, -1):
        if _pool_size[i] == size:
            ptr = _pool_ptr[i]
            _pool_count -= 1
            for j in range(i, _pool_count):  # the rest stay in the order they were freed
                _pool_ptr[j] = _pool_ptr[j + 1]
                _pool_size[j] = _pool_size[j + 1]
            _pool_bytes -= size
            return ptr
    return aligned_alloc(64, size)


cdef void _give_back(void* ptr, Py_ssize_t size) noexcept:
    """Keep a freed buffer in the pool, dropping the longest-waiting ones to make room (sizes
    that stopped coming back must not block the pool)."""
    global _pool_count, _pool_bytes
    cdef int j
    if size > POOL_MAX_BYTES:
        free(ptr)
        return
    while _pool_count == POOL_SLOTS or _pool_bytes + size > POOL_MAX_BYTES:
        free(_pool_ptr[0])
        _pool_bytes -= _pool_size[0]
        _pool_count -= 1
        for j in range(_pool_count):
            _pool_ptr[j] = _pool_ptr[j + 1]
            _pool_size[j] = _pool_size[j + 1]
    _pool_ptr[_pool_count] = ptr
    _pool_size[_pool_count] = size
    _pool_count += 1
    _pool_bytes += size


def pool_stats():
    """(buffers, bytes) waiting in the pool."""
    return _pool_count, _pool_bytes


def release_pool():
    """Free the output buffers waiting in the pool."""
    global _pool_count, _pool_bytes
    while _pool_count:
        _pool_count -= 1
        free(_pool_ptr[_pool_count])
    _pool_bytes = 0


cdef class _PooledBuffer:
    """The memory under a big output array (its numpy base): back to the pool when it goes."""
    cdef void* ptr
    cdef Py_ssize_t size

    def __dealloc__(self):
        if self.ptr != NULL:
            _give_back(self.ptr, self.size)


cdef cnp.ndarray _new_output(int nd, cnp.npy_intp* dims, int typ):
    """A C-contiguous array: from the pool when it is big, else numpy's own."""
    cdef Py_ssize_t k, nbytes = 4 if typ == cnp.NPY_FLOAT32 else 8
    cdef _PooledBuffer buf
    cdef cnp.ndarray arr
    for k in range(nd):
        nbytes *= dims[k]
    if nbytes < POOL_MIN_BYTES:
        return cnp.PyArray_EMPTY(nd, dims, typ, 0)
    buf = _PooledBuffer.__new__(_PooledBuffer)
    buf.size = (nbytes + 4095) & ~(<Py_ssize_t>4095)
    buf.ptr = _take_buffer(buf.size)
    if buf.ptr == NULL:
        raise MemoryError(f"elementwise kernel: cannot allocate {nbytes} bytes")
    arr = cnp.PyArray_SimpleNewFromData(nd, dims, typ, buf.ptr)
    cnp.set_array_base(arr, buf)
    return arr


def empty(tuple shape, dtype):
    """An uninitialised C-contiguous array of `shape` for another op's output (matmul's): float32
    and float64 ones of POOL_MIN_BYTES or more come from the pool, the rest from numpy."""
    cdef cnp.npy_intp dims[MAXDIMS]
    cdef int k, nd = len(shape)
    cdef int typ = (<cnp.dtype>np.dtype(dtype)).type_num
    if nd > MAXDIMS or (typ != cnp.NPY_FLOAT32 and typ != cnp.NPY_FLOAT64):
        return np.empty(shape, dtype)
    for k in range(nd):
        dims[k] = shape[k]
        if dims[k] < 0:
            raise ValueError(f"empty: negative dimension in shape {shape}")
    return _new_output(nd, dims, typ)


# ---- the driver ----------------------------------------------------------------------------------

cdef inline bint _same_shape(cnp.ndarray x, cnp.ndarray y) noexcept:
    cdef int k, nd = cnp.PyArray_NDIM(x)
    cdef cnp.npy_intp* dx = cnp.PyArray_DIMS(x)
    cdef cnp.npy_intp* dy = cnp.PyArray_DIMS(y)
    if cnp.PyArray_NDIM(y) != nd:
        return False
    for k in range(nd):
        if dx[k] != dy[k]:
            return False
    return True


cdef int _broadcast_shape(cnp.ndarray a, cnp.ndarray b, cnp.npy_intp* shape) except -1:
    """Write the broadcast shape of a and b into `shape`; return its ndim."""
    cdef int na = cnp.PyArray_NDIM(a), nb = cnp.PyArray_NDIM(b)
    cdef int nd = na if na > nb else nb, k
    cdef cnp.npy_intp da, db
    for k in range(nd):
        da = cnp.PyArray_DIM(a, k - nd + na) if k >= nd - na else 1
        db = cnp.PyArray_DIM(b, k - nd + nb) if k >= nd - nb else 1
        if da != db and da != 1 and db != 1:
            raise ValueError(f"elementwise kernel: shapes {(<object>a).shape} and "
                             f"{(<object>b).shape} cannot be broadcast together")
        shape[k] = db if da == 1 else da
    return nd


cdef int _operand_strides(cnp.ndarray x, cnp.ndarray out, Py_ssize_t* strides) except -1:
    """x's byte strides aligned to out's dims, 0 where x is broadcast; checks that it broadcasts."""
    cdef int nd = cnp.PyArray_NDIM(out), nx = cnp.PyArray_NDIM(x), k
    cdef cnp.npy_intp d
    cdef bint fits = nx <= nd
    for k in range(nd if fits else 0):
        d = cnp.PyArray_DIM(x, k - nd + nx) if k >= nd - nx else 1
        if d == 1:
            strides[k] = 0
        elif d == cnp.PyArray_DIM(out, k):
            strides[k] = cnp.PyArray_STRIDE(x, k - nd + nx)
        else:
            fits = False
    if not fits:
        raise ValueError(f"elementwise kernel: operand of shape {(<object>x).shape} does not "
                         f"broadcast to the output's shape {(<object>out).shape}")
    return 0


cdef int _make_layout(Layout* L, cnp.ndarray a, cnp.ndarray b, cnp.ndarray out) except -1:
    cdef Py_ssize_t sa[MAXDIMS]
    cdef Py_ssize_t sb[MAXDIMS]
    cdef int nd = cnp.PyArray_NDIM(out), k, m = 0
    cdef Py_ssize_t size
    _operand_strides(a, out, sa)
    _operand_strides(b, out, sb)
    for k in range(nd):
        size = cnp.PyArray_DIM(out, k)
        if size == 1:
            continue  # a size-1 dim contributes nothing to the iteration
        if (m > 0 and L.sa[m - 1] == sa[k] * size and L.sb[m - 1] == sb[k] * size
                and L.so[m - 1] == cnp.PyArray_STRIDE(out, k) * size):
            L.shape[m - 1] *= size  # merge with the dim outside it
            L.sa[m - 1] = sa[k]
            L.sb[m - 1] = sb[k]
            L.so[m - 1] = cnp.PyArray_STRIDE(out, k)
            continue
        L.shape[m] = size
        L.sa[m] = sa[k]
        L.sb[m] = sb[k]
        L.so[m] = cnp.PyArray_STRIDE(out, k)
        m += 1
    if m == 0:  # a single element
        L.shape[0] = 1
        L.sa[0] = L.sb[0] = L.so[0] = 0
        m = 1
    L.nd = m
    return 0


cdef object _run(Op* tag, object a_in, object b_in, object out, double p, double q):
    """Check the operands, allocate `out` if None, pick the loop and run it; return out.

    Operands that are not ndarrays (numpy scalars, say) are converted first.
    """
    cdef cnp.ndarray a = a_in if cnp.PyArray_Check(a_in) else cnp.PyArray_FROM_O(a_in)
    cdef cnp.ndarray b = b_in if cnp.PyArray_Check(b_in) else cnp.PyArray_FROM_O(b_in)
    cdef int typ = cnp.PyArray_TYPE(a)
    cdef cnp.ndarray o
    cdef cnp.npy_intp shape[MAXDIMS]
    cdef Layout L
    cdef bint flat
    cdef Py_ssize_t n
    if (typ != cnp.NPY_FLOAT32 and typ != cnp.NPY_FLOAT64) or cnp.PyArray_TYPE(b) != typ:
        raise TypeError(f"elementwise kernel: expected float32 or float64 operands of one dtype, "
                        f"got {(<object>a).dtype} and {(<object>b).dtype}")
    if not (cnp.PyArray_ISBEHAVED_RO(a) and cnp.PyArray_ISBEHAVED_RO(b)):
        raise ValueError("elementwise kernel: operands must be aligned and in native byte order")
    if out is None:
        flat = (_same_shape(a, b) and cnp.PyArray_IS_C_CONTIGUOUS(a)
                and cnp.PyArray_IS_C_CONTIGUOUS(b))
        if flat:
            o = _new_output(cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a), typ)
        else:
            o = _new_output(_broadcast_shape(a, b, shape), shape, typ)
    else:
        o = <cnp.ndarray?>out
        if cnp.PyArray_TYPE(o) != typ:
            raise TypeError(f"elementwise kernel: out has dtype {(<object>o).dtype}, the operands "
                            f"{(<object>a).dtype}")
        if not cnp.PyArray_ISBEHAVED(o):
            raise ValueError("elementwise kernel: out must be writeable, aligned and in native "
                             "byte order")
        flat = (_same_shape(a, o) and _same_shape(b, o) and cnp.PyArray_IS_C_CONTIGUOUS(a)
                and cnp.PyArray_IS_C_CONTIGUOUS(b) and cnp.PyArray_IS_C_CONTIGUOUS(o))
    n = cnp.PyArray_SIZE(o)
    if n == 0:
        if not flat:
            _make_layout(&L, a, b, o)  # still check that the shapes broadcast
        return o
    if not flat:
        _make_layout(&L, a, b, o)
    cdef const char* pa = <const char*>cnp.PyArray_DATA(a)
    cdef const char* pb = <const char*>cnp.PyArray_DATA(b)
    cdef char* po = <char*>cnp.PyArray_DATA(o)
    # streaming stores pay off when moving memory is the cost, not for exp/tanh/...
    cdef bint stream = n * cnp.PyArray_ITEMSIZE(o) >= STREAM_MIN_BYTES and not _transcendental(tag)
    if typ == cnp.NPY_FLOAT32:
        with nogil:
            _run_all(tag, &L, flat, pa, pb, po, n, stream, <float>p, <float>q)
    else:
        with nogil:
            _run_all(tag, &L, flat, pa, pb, po, n, stream, p, q)
    return o


# ---- binary, with broadcasting -------------------------------------------------------------------

def add(a, b, out=None):
    """out = a + b"""
    return _run(<AddOp*>NULL, a, b, out, 0, 0)


def sub(a, b, out=None):
    """out = a - b"""
    return _run(<SubOp*>NULL, a, b, out, 0, 0)


def mul(a, b, out=None):
    """out = a * b (also the backward of exp: grad * exp's output)"""
    return _run(<MulOp*>NULL, a, b, out, 0, 0)


def div(a, b, out=None):
    """out = a / b (also the backward of log: grad / x)"""
    return _run(<DivOp*>NULL, a, b, out, 0, 0)


def maximum(a, b, out=None):
    """out = max(a, b), NaN if either is NaN"""
    return _run(<MaximumOp*>NULL, a, b, out, 0, 0)


def minimum(a, b, out=None):
    """out = min(a, b), NaN if either is NaN"""
    return _run(<MinimumOp*>NULL, a, b, out, 0, 0)


def power(a, b, out=None):
    """out = a ** b"""
    return _run(<PowerOp*>NULL, a, b, out, 0, 0)


def maximum_share(a, b, out=None):
    """out = 1 where a > b, 1/2 where a == b, else 0: a's share of maximum's gradient"""
    return _run(<MaximumShareOp*>NULL, a, b, out, 0, 0)


def minimum_share(a, b, out=None):
    """out = 1 where a < b, 1/2 where a == b, else 0: a's share of minimum's gradient"""
    return _run(<MinimumShareOp*>NULL, a, b, out, 0, 0)


# ---- one operand and a scalar --------------------------------------------------------------------

def add_scalar(a, double c, out=None):
    """out = a + c"""
    return _run(<AddScalarOp*>NULL, a, a, out, c, 0)


def mul_scalar(a, double c, out=None):
    """out = a * c"""
    return _run(<MulScalarOp*>NULL, a, a, out, c, 0)


def rsub_scalar(a, double c, out=None):
    """out = c - a"""
    return _run(<RSubScalarOp*>NULL, a, a, out, c, 0)


def rdiv_scalar(a, double c, out=None):
    """out = c / a"""
    return _run(<RDivScalarOp*>NULL, a, a, out, c, 0)


def rpow_scalar(a, double c, out=None):
    """out = c ** a"""
    return _run(<RPowScalarOp*>NULL, a, a, out, c, 0)


def pow_scalar_forward(x, double c, out=None):
    """out = x ** c"""
    return _run(<PowScalarOp*>NULL, x, x, out, c, 0)


def pow_scalar_backward(g, x, double c, out=None):
    """out = g * c * x ** (c - 1), the gradient of x ** c"""
    return _run(<PowScalarBackwardOp*>NULL, g, x, out, c, c - 1)


# ---- unary maths and activations (backward rules take the upstream gradient g first) -------------

def neg_forward(x, out=None):
    """out = -x (its own backward: the gradient is -g)"""
    return _run(<NegOp*>NULL, x, x, out, 0, 0)


def exp_forward(x, out=None):
    """out = exp(x); the backward is mul(g, out)"""
    return _run(<ExpOp*>NULL, x, x, out, 0, 0)


def log_forward(x, out=None):
    """out = log(x); the backward is div(g, x)"""
    return _run(<LogOp*>NULL, x, x, out, 0, 0)


def sqrt_forward(x, out=None):
    """out = sqrt(x)"""
    return _run(<SqrtOp*>NULL, x, x, out, 0, 0)


def sqrt_backward(g, y, out=None):
    """out = g / (2 y), the gradient of sqrt from its output y"""
    return _run(<SqrtBackwardOp*>NULL, g, y, out, 0, 0)


def tanh_forward(x, out=None):
    """out = tanh(x)"""
    return _run(<TanhOp*>NULL, x, x, out, 0, 0)


def tanh_backward(g, y, out=None):
    """out = g * (1 - y**2), the gradient of tanh from its output y"""
    return _run(<TanhBackwardOp*>NULL, g, y, out, 0, 0)


def sigmoid_forward(x, out=None):
    """out = 1 / (1 + exp(-x))"""
    return _run(<SigmoidOp*>NULL, x, x, out, 0, 0)


def sigmoid_backward(g, y, out=None):
    """out = g * y * (1 - y), the gradient of sigmoid from its output y"""
    return _run(<SigmoidBackwardOp*>NULL, g, y, out, 0, 0)


def relu_forward(x, out=None):
    """out = max(x, 0) (NaN stays NaN)"""
    return _run(<ReluOp*>NULL, x, x, out, 0, 0)


def relu_backward(g, y, out=None):
    """out = 0 where y <= 0, else g: the gradient of relu from its output y"""
    return _run(<ReluBackwardOp*>NULL, g, y, out, 0, 0)


def abs_forward(x, out=None):
    """out = |x|"""
    return _run(<AbsOp*>NULL, x, x, out, 0, 0)


def abs_backward(g, x, out=None):
    """out = g * sign(x), 0 where x is 0 or NaN"""
    return _run(<AbsBackwardOp*>NULL, g, x, out, 0, 0)


def sin_forward(x, out=None):
    """out = sin(x)"""
    return _run(<SinOp*>NULL, x, x, out, 0, 0)


def sin_backward(g, x, out=None):
    """out = g * cos(x)"""
    return _run(<SinBackwardOp*>NULL, g, x, out, 0, 0)


def cos_forward(x, out=None):
    """out = cos(x)"""
    return _run(<CosOp*>NULL, x, x, out, 0, 0)


def cos_backward(g, x, out=None):
    """out = -g * sin(x)"""
    return _run(<CosBackwardOp*>NULL, g, x, out, 0, 0)


def clamp_forward(x, double lo, double hi, out=None):
    """out = min(max(x, lo), hi); pass -inf / inf for a missing bound"""
    return _run(<ClampOp*>NULL, x, x, out, lo, hi)


def clamp_backward(g, x, double lo, double hi, out=None):
    """out = g where lo <= x <= hi, else 0"""
    return _run(<ClampBackwardOp*>NULL, g, x, out, lo, hi)
