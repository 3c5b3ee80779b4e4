"""2-D convolution kernels: im2col / col2im around BLAS gemm, forward and backward.

Layouts are PyTorch's: input (N, C, H, W), weight (O, C/groups, kH, kW), output (N, O, oH, oW),
all C-contiguous and of one float dtype; the Python layer (tensorgrad/ops/conv.py) checks every
shape, dtype and argument first and allocates the outputs.

Per sample and group, im2col writes the input patches as a (K, L) matrix, K = C/groups*kH*kW
taps by L = oH*oW output pixels, and three gemms do the arithmetic, reading and writing the
output and grad_output planes in place:
    forward      out_g (Og, L)  = W_g (Og, K) @ col                     (+ bias)
    grad weight  gW_g (Og, K)  += gout_g (Og, L) @ col^T
    grad input   gcol (K, L)    = W_g^T @ gout_g                       -> col2im into grad input

Threads: when one sample's gemm is small (at most GEMM_SERIAL_MAX multiply-adds, where OpenBLAS
stays on the calling thread and its small-matrix kernels skip packing), OpenMP threads take
contiguous runs of samples, each with its own column buffer (and its own partial grad weight,
summed at the end). A bigger gemm is run one sample at a time and OpenBLAS threads it.
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy, memset
from scipy.linalg.cython_blas cimport dgemm, sgemm

from parallel cimport omp_get_max_threads, use_threads
from window cimport valid_range

cnp.import_array()

ctypedef fused real:
    float
    double

cdef enum:
    # OpenBLAS runs a gemm of at most 65536*4 multiply-adds on the calling thread
    # (SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD); above it, it uses its own threads.
    GEMM_SERIAL_MAX = 262144
    # Multiply-adds of a whole call below which one thread does it all: a two-thread region
    # cost ~12 us more than one thread here (passive OpenMP waiting, loaded machine), about
    # what 2**19 multiply-adds take on one core.
    PARALLEL_MIN_MACS = 524288


cdef struct Geometry:
    Py_ssize_t N, C, H, W      # input
    Py_ssize_t O, kh, kw       # weight
    Py_ssize_t oh, ow          # output
    Py_ssize_t sh, sw, ph, pw, dh, dw, groups
    Py_ssize_t Cg, Og, K, L    # channels per group, taps per group (Cg*kh*kw), output pixels
    bint rows_contiguous       # stride 1 and oW == W: a tap's valid rows form one span


cdef Geometry _geometry(cnp.ndarray x, cnp.ndarray w, cnp.ndarray y, Py_ssize_t sh, Py_ssize_t sw,
                        Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t groups):
    cdef Geometry g
    cdef cnp.npy_intp* xs = cnp.PyArray_DIMS(x)
    cdef cnp.npy_intp* ws = cnp.PyArray_DIMS(w)
    cdef cnp.npy_intp* ys = cnp.PyArray_DIMS(y)
    g.N, g.C, g.H, g.W = xs[0], xs[1], xs[2], xs[3]
    g.O, g.kh, g.kw = ws[0], ws[2], ws[3]
    g.oh, g.ow = ys[2], ys[3]
    g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups = sh, sw, ph, pw, dh, dw, groups
    g.Cg = g.C // groups
    g.Og = g.O // groups
    g.K = g.Cg * g.kh * g.kw
    g.L = g.oh * g.ow
    g.rows_contiguous = sh == 1 and sw == 1 and g.ow == g.W
    return g


cdef inline Py_ssize_t _threads(const Geometry* g) noexcept nogil:
    """OpenMP threads for a call: 1 when OpenBLAS should thread each gemm or the call is small."""
    cdef Py_ssize_t macs = g.Og * g.K * g.L
    if g.N < 2 or macs > GEMM_SERIAL_MAX or not use_threads(g.N * g.groups * macs, PARALLEL_MIN_MACS):
        return 1
    cdef Py_ssize_t nt = omp_get_max_threads()
    return nt if nt < g.N else g.N


cdef inline void _gemm(char ta, char tb, int m, int n, int k, real alpha, const real* a, int lda,
                       const real* b, int ldb, real beta, real* c, int ldc) noexcept nogil:
    """Row-major C (m x n) = alpha * op(A) @ op(B) + beta * C.

    BLAS is column-major, where a row-major matrix reads as its transpose: compute
    C^T = op(B)^T @ op(A)^T by swapping the operands, keeping the transpose flags.
    """
    if real is float:
        sgemm(&tb, &ta, &n, &m, &k, &alpha, <float*>b, &ldb, <float*>a, &lda, &beta, c, &ldc)
    else:
        dgemm(&tb, &ta, &n, &m, &k, &alpha, <double*>b, &ldb, <double*>a, &lda, &beta, c, &ldc)


# ---- im2col / col2im for one sample and group ------------------------------------------------
# For tap r = (c, i, j), output pixel (oy, ox) reads input (oy*sh + i*dh - ph, ox*sw + j*dw - pw);
# valid_range gives the output rows [ylo, yhi) and columns [xlo, xhi) that read inside the input.

cdef void _im2col(const real* x, real* col, const Geometry* g) noexcept nogil:
    """col (K, L) = the input pixels under each tap; x points at the group's first channel plane."""
    cdef Py_ssize_t r, c, i, j, oy, ox, xoff, yoff, xlo, xhi, ylo, yhi, first, last
    cdef const real* src
    cdef real* dst
    for r in range(g.K):
        j = r % g.kw
        i = (r // g.kw) % g.kh
        c = r // (g.kw * g.kh)
        xoff = j * g.dw - g.pw
        yoff = i * g.dh - g.ph
        valid_range(g.W, xoff, g.sw, g.ow, &xlo, &xhi)
        valid_range(g.H, yoff, g.sh, g.oh, &ylo, &yhi)
        dst = col + r * g.L
        src = x + c * g.H * g.W
        if ylo >= yhi or xlo >= xhi:
            # the tap reads only padding (the span copy below would read outside the input)
            memset(dst, 0, g.L * sizeof(real))
            continue
        if ylo > 0:
            memset(dst, 0, ylo * g.ow * sizeof(real))
        if yhi < g.oh:
            memset(dst + yhi * g.ow, 0, (g.oh - yhi) * g.ow * sizeof(real))
        if g.rows_contiguous:
            # input and column rows have the same length: copy all valid rows as one span, then
            # clear the columns that fall into the padding (they received the neighbouring row's
            # pixels)
            first = ylo * g.ow + xlo
            last = (yhi - 1) * g.ow + xhi
            if last > first:
                memcpy(dst + first, src + first + yoff * g.W + xoff, (last - first) * sizeof(real))
            for oy in range(ylo, yhi):
                for ox in range(xlo):
                    dst[oy * g.ow + ox] = 0
                for ox in range(xhi, g.ow):
                    dst[oy * g.ow + ox] = 0
        else:
            for oy in range(ylo, yhi):
                for ox in range(xlo):
                    dst[oy * g.ow + ox] = 0
                for ox in range(xlo, xhi):
                    dst[oy * g.ow + ox] = src[(oy * g.sh + yoff) * g.W + ox * g.sw + xoff]
                for ox in range(xhi, g.ow):
                    dst[oy * g.ow + ox] = 0


cdef void _col2im(real* col, real* gx, const Geometry* g) noexcept nogil:
    """gx planes of the group = the sum of each tap's column (col is used as scratch)."""
    cdef Py_ssize_t r, c, i, j, oy, ox, xoff, yoff, xlo, xhi, ylo, yhi, first, last, shift
    cdef real* src
    cdef real* dst
    memset(gx, 0, g.Cg * g.H * g.W * sizeof(real))
    for r in range(g.K):
        j = r % g.kw
        i = (r // g.kw) % g.kh
        c = r // (g.kw * g.kh)
        xoff = j * g.dw - g.pw
        yoff = i * g.dh - g.ph
        valid_range(g.W, xoff, g.sw, g.ow, &xlo, &xhi)
        valid_range(g.H, yoff, g.sh, g.oh, &ylo, &yhi)
        src = col + r * g.L
        dst = gx + c * g.H * g.W
        if ylo >= yhi or xlo >= xhi:
            continue
        if g.rows_contiguous:
            # zero the entries that belong to padding, then add all valid rows as one span
            for oy in range(ylo, yhi):
                for ox in range(xlo):
                    src[oy * g.ow + ox] = 0
                for ox in range(xhi, g.ow):
                    src[oy * g.ow + ox] = 0
            first = ylo * g.ow + xlo
            last = (yhi - 1) * g.ow + xhi
            shift = yoff * g.W + xoff
            for ox in range(first, last):
                dst[ox + shift] += src[ox]
        else:
            for oy in range(ylo, yhi):
                for ox in range(xlo, xhi):
                    dst[(oy * g.sh + yoff) * g.W + ox * g.sw + xoff] += src[oy * g.ow + ox]


# ---- forward and backward over a run of samples ----------------------------------------------

cdef void _add_bias(real* y, const real* bias, Py_ssize_t rows, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t o, l
    cdef real b
    for o in range(rows):
        b = bias[o]
        for l in range(n):
            y[o * n + l] += b


cdef int _forward_samples(const real* x, const real* w, const real* bias, real* out, const Geometry* g,
                          Py_ssize_t n0, Py_ssize_t n1) noexcept nogil:
    cdef Py_ssize_t n, grp
    cdef real* y
    cdef real* col = <real*>malloc(g.K * g.L * sizeof(real))
    if col == NULL:
        return -1
    for n in range(n0, n1):
        for grp in range(g.groups):
            _im2col(x + (n * g.C + grp * g.Cg) * g.H * g.W, col, g)
            y = out + (n * g.O + grp * g.Og) * g.L
            _gemm(c"N", c"N", <int>g.Og, <int>g.L, <int>g.K, <real>1, w + grp * g.Og * g.K, <int>g.K,
                  col, <int>g.L, <real>0, y, <int>g.L)
            if bias != NULL:
                _add_bias(y, bias + grp * g.Og, g.Og, g.L)
    free(col)
    return 0


cdef void _accumulate_bias_grad(const real* gy, real* gb, const Geometry* g, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t o, l
    cdef real total
    for o in range(g.O):
        total = 0
        for l in range(g.L):
            total = total + gy[(n * g.O + o) * g.L + l]
        gb[o] += total


cdef int _backward_samples(const real* gy, const real* x, const real* w, real* gx, real* gw, real* gb,
                           const Geometry* g, Py_ssize_t n0, Py_ssize_t n1) noexcept nogil:
    """Grads of samples [n0, n1): gx is written; gw and gb (if not NULL) are accumulated into."""
    cdef Py_ssize_t n, grp
    cdef const real* gyg
    cdef real* col = NULL
    if gx != NULL or gw != NULL:
        col = <real*>malloc(g.K * g.L * sizeof(real))
        if col == NULL:
            return -1
    for n in range(n0, n1):
        if gb != NULL:
            _accumulate_bias_grad(gy, gb, g, n)
        for grp in range(g.groups):
            gyg = gy + (n * g.O + grp * g.Og) * g.L
            if gw != NULL:
                _im2col(x + (n * g.C + grp * g.Cg) * g.H * g.W, col, g)
                _gemm(c"N", c"T", <int>g.Og, <int>g.K, <int>g.L, <real>1, gyg, <int>g.L, col, <int>g.L,
                      <real>1, gw + grp * g.Og * g.K, <int>g.K)
            if gx != NULL:
                _gemm(c"T", c"N", <int>g.K, <int>g.L, <int>g.Og, <real>1, w + grp * g.Og * g.K, <int>g.K,
                      gyg, <int>g.L, <real>0, col, <int>g.L)
                _col2im(col, gx + (n * g.C + grp * g.Cg) * g.H * g.W, g)
    free(col)
    return 0


cdef int _forward(const real* x, const real* w, const real* bias, real* out,
                  const Geometry* g) noexcept nogil:
    cdef Py_ssize_t t, nt = _threads(g)
    cdef int failed = 0
    if nt == 1:
        return _forward_samples(x, w, bias, out, g, 0, g.N)
    for t in prange(nt, num_threads=nt, schedule="static"):
        failed += _forward_samples(x, w, bias, out, g, g.N * t // nt, g.N * (t + 1) // nt) != 0
    return -failed


cdef int _backward(const real* gy, const real* x, const real* w, real* gx, real* gw, real* gb,
                   const Geometry* g) noexcept nogil:
    """gw and gb are zeroed here; with threads each keeps its partial sums in `partial`."""
    cdef Py_ssize_t t, k, nt = _threads(g), wsize = g.O * g.K
    cdef int failed = 0
    cdef real* partial
    if gw != NULL:
        memset(gw, 0, wsize * sizeof(real))
    if gb != NULL:
        memset(gb, 0, g.O * sizeof(real))
    if nt == 1:
        return _backward_samples(gy, x, w, gx, gw, gb, g, 0, g.N)
    # thread t > 0 accumulates into rows t-1 of partial: (nt - 1) x (grad weight, grad bias)
    partial = <real*>calloc((nt - 1) * (wsize + g.O), sizeof(real))
    if partial == NULL:
        return -1
    for t in prange(nt, num_threads=nt, schedule="static"):
        failed += _backward_samples(
            gy, x, w, gx,
            gw if t == 0 or gw == NULL else partial + (t - 1) * (wsize + g.O),
            gb if t == 0 or gb == NULL else partial + (t - 1) * (wsize + g.O) + wsize,
            g, g.N * t // nt, g.N * (t + 1) // nt,
        ) != 0
    for t in range(nt - 1):
        if gw != NULL:
            for k in range(wsize):
                gw[k] += partial[t * (wsize + g.O) + k]
        if gb != NULL:
            for k in range(g.O):
                gb[k] += partial[t * (wsize + g.O) + wsize + k]
    free(partial)
    return -failed


cdef inline void* _data_or_null(cnp.ndarray a):
    return NULL if a is None else cnp.PyArray_DATA(a)


def conv2d_forward(cnp.ndarray x, cnp.ndarray w, cnp.ndarray bias, cnp.ndarray out,
                   Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                   Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t groups):
    """out = conv2d(x, w) + bias (bias may be None); ph/pw are the top/left padding."""
    cdef Geometry g = _geometry(x, w, out, sh, sw, ph, pw, dh, dw, groups)
    cdef void* b = _data_or_null(bias)
    cdef int status
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            status = _forward(<float*>cnp.PyArray_DATA(x), <float*>cnp.PyArray_DATA(w), <float*>b,
                              <float*>cnp.PyArray_DATA(out), &g)
    else:
        with nogil:
            status = _forward(<double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(w), <double*>b,
                              <double*>cnp.PyArray_DATA(out), &g)
    if status != 0:
        raise MemoryError("conv2d: could not allocate the im2col buffer")


def conv2d_backward(cnp.ndarray gy, cnp.ndarray x, cnp.ndarray w, cnp.ndarray gx, cnp.ndarray gw,
                    cnp.ndarray gb, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                    Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t groups):
    """Write the gradients of conv2d into gx, gw, gb; pass None for the ones not needed."""
    cdef Geometry g = _geometry(x, w, gy, sh, sw, ph, pw, dh, dw, groups)
    cdef void* px = _data_or_null(gx)
    cdef void* pw_ = _data_or_null(gw)
    cdef void* pb = _data_or_null(gb)
    cdef int status
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            status = _backward(<float*>cnp.PyArray_DATA(gy), <float*>cnp.PyArray_DATA(x),
                               <float*>cnp.PyArray_DATA(w), <float*>px, <float*>pw_, <float*>pb, &g)
    else:
        with nogil:
            status = _backward(<double*>cnp.PyArray_DATA(gy), <double*>cnp.PyArray_DATA(x),
                               <double*>cnp.PyArray_DATA(w), <double*>px, <double*>pw_, <double*>pb,
                               &g)
    if status != 0:
        raise MemoryError("conv2d: could not allocate the im2col buffer")
