"""Reduction kernels: sum/mean, amax/amin, max/min with indices, var, logsumexp, and softmax and
log_softmax forward and backward.

Each op sees its C-contiguous input as (O, R, I): O outer indices, R the reduced extent, I the
inner extent that is kept. I == 1 reduces contiguous rows; I > 1 reduces down columns, streaming
whole rows (or long pieces of them) with per-column accumulators in a scratch array. The work is
cut into units (one row, or one column range under one outer index): serial below a size
threshold, else one contiguous run of units per OpenMP thread. sum and amax/amin over several
separated groups of dims run one pass per group, innermost first, through a scratch buffer.

Accuracy: sums of float32 accumulate in double (16 lanes for rows), so 4M-element sums keep
full float32 accuracy; softmax, log_softmax and logsumexp subtract the max first (a non-finite
max counts as 0, the way the numpy code they replace did), which keeps large logits and -inf
entries exact. max/min propagate NaN and return the first index of the extremum (or NaN).

The Python layer checks dtypes, shapes and contiguity first; the entry points re-check what
their memory accesses rely on and raise ValueError, so a bad call never corrupts memory.
"""

cimport numpy as cnp
from cython.parallel cimport prange
from libc.math cimport exp, expf, log
from libc.stdint cimport INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, int32_t, int64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from parallel cimport PARALLEL_MIN_CHEAP, PARALLEL_MIN_TRANSCENDENTAL, omp_get_max_threads, use_threads

cnp.import_array()

ctypedef fused real:
    float
    double

ctypedef cnp.int64_t index_t

cdef enum:
    MIN_COLUMNS = 64  # narrowest column range worth a thread of its own
    LANES = 16  # independent accumulators in a row sum (vectorised, and blocked summation)
    SEARCH_BLOCK = 64  # elements tested at once when looking for the first extremum
    MAX_DIMS = 64
    MAX_THREADS = 256

cdef enum Op:
    SUM  # out[o, i] = p * sum_r x
    MAX  # out[o, i] = max_r x (NaN if any)
    MIN
    ARGMAX  # idx[o, i] = first argmax (first NaN); out, if not NULL, the value
    ARGMIN
    VAR  # out[o, i] = sum_r (x - mean)^2 / max(R - p, 0)
    LOGSUMEXP  # out[o, i] = log sum_r exp(x)
    SOFTMAX  # out = exp(x) / sum_r exp(x)
    LOG_SOFTMAX  # out = x - logsumexp_r(x)
    SOFTMAX_BACKWARD  # out = y * (g - sum_r g * y), y = softmax output (passed as x)
    LOG_SOFTMAX_BACKWARD  # out = g - exp(y) * sum_r g, y = log_softmax output (passed as x)
    LOGSUMEXP_BACKWARD  # out = g[o, i] * exp(x - lse[o, i]), lse passed as y

cdef double INF = float("inf")
cdef double NAN = float("nan")
cdef int64_t INF_BITS_64 = 0x7FF0000000000000  # the bits of a double +inf


cdef inline real _exp(real v) noexcept nogil:
    if real is float:
        return expf(v)
    else:
        return exp(v)


cdef inline bint _finite(real v) noexcept nogil:
    return v - v == 0  # inf - inf and NaN - NaN are NaN (NaN is honoured: no finite-math-only)


cdef inline Py_ssize_t _first_nan(const real* x, Py_ssize_t n, Py_ssize_t stride) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if x[i * stride] != x[i * stride]:
            return i
    return 0


# ---- rows (I == 1): x is one contiguous row of n ---------------------------------------------------

cdef inline double _row_sum(const real* x, Py_ssize_t n) noexcept nogil:
    cdef double acc[LANES]
    cdef double s = 0
    cdef Py_ssize_t i, j, body = n - n % LANES
    for j in range(LANES):
        acc[j] = 0
    for i in range(body // LANES):
        for j in range(LANES):
            acc[j] += x[i * LANES + j]
    for i in range(body, n):
        s += x[i]
    for j in range(LANES):
        s += acc[j]
    return s


# max/min of a row compare the float's bits as integers: flipping the magnitude bits of negative
# numbers makes integer order equal float order, and an integer max vectorises even where the
# compiler must honour NaN (a float compare-and-select reduction does not). NaN is detected
# separately from the bits.

cdef inline float _extremum_f32(const float* x, Py_ssize_t n, bint take_max) noexcept nogil:
    cdef const int32_t* bits = <const int32_t*>x
    cdef int32_t v, key, best = INT32_MIN if take_max else INT32_MAX
    cdef float out
    cdef int nan = 0
    cdef Py_ssize_t i
    if n == 0:
        return -INF if take_max else INF
    if take_max:
        for i in range(n):
            v = bits[i]
            key = v ^ ((v >> 31) & 0x7FFFFFFF)
            best = key if key > best else best
            nan |= (v & 0x7FFFFFFF) > 0x7F800000
    else:
        for i in range(n):
            v = bits[i]
            key = v ^ ((v >> 31) & 0x7FFFFFFF)
            best = key if key < best else best
            nan |= (v & 0x7FFFFFFF) > 0x7F800000
    if nan:
        return NAN
    v = best ^ ((best >> 31) & 0x7FFFFFFF)
    memcpy(&out, &v, sizeof(float))
    return out


cdef inline double _extremum_f64(const double* x, Py_ssize_t n, bint take_max) noexcept nogil:
    cdef const int64_t* bits = <const int64_t*>x
    cdef int64_t v, key, best = INT64_MIN if take_max else INT64_MAX
    cdef double out
    cdef int nan = 0
    cdef Py_ssize_t i
    if n == 0:
        return -INF if take_max else INF
    if take_max:
        for i in range(n):
            v = bits[i]
            key = v ^ ((v >> 63) & INT64_MAX)
            best = key if key > best else best
            nan |= (v & INT64_MAX) > INF_BITS_64
    else:
        for i in range(n):
            v = bits[i]
            key = v ^ ((v >> 63) & INT64_MAX)
            best = key if key < best else best
            nan |= (v & INT64_MAX) > INF_BITS_64
    if nan:
        return NAN
    v = best ^ ((best >> 63) & INT64_MAX)
    memcpy(&out, &v, sizeof(double))
    return out


cdef inline real _row_extremum(const real* x, Py_ssize_t n, bint take_max) noexcept nogil:
    """max (min) of a row, NaN if it holds one, -inf (inf) if empty."""
    if real is float:
        return _extremum_f32(x, n, take_max)
    else:
        return _extremum_f64(x, n, take_max)


cdef inline Py_ssize_t _row_arg(const real* x, Py_ssize_t n, bint take_max, real* value) noexcept nogil:
    """First index of the extremum of a row (of its first NaN if any); n >= 1."""
    cdef real best = _row_extremum(x, n, take_max)
    cdef Py_ssize_t i = 0, j
    cdef int hit
    value[0] = best
    if best != best:
        return _first_nan(x, n, 1)
    while i + SEARCH_BLOCK <= n:  # find the block with a vectorised count, then the element
        hit = 0
        for j in range(SEARCH_BLOCK):
            hit += x[i + j] == best
        if hit:
            break
        i += SEARCH_BLOCK
    while i < n and x[i] != best:
        i += 1
    return i


cdef inline real _row_max_shift(const real* x, Py_ssize_t n) noexcept nogil:
    """The max of the row, or 0 when it is not finite (all -inf, +inf present, or NaN)."""
    cdef real m = _row_extremum(x, n, True)
    return m if _finite(m) else 0


cdef inline double _row_sum_exp(const real* x, Py_ssize_t n, real m, real* store) noexcept nogil:
    """sum exp(x - m); stores each exp in `store` when it is not NULL."""
    cdef double s = 0
    cdef real e
    cdef Py_ssize_t i
    if store == NULL:
        for i in range(n):
            s += _exp(x[i] - m)
    else:
        for i in range(n):
            e = _exp(x[i] - m)
            store[i] = e
            s += e
    return s


cdef void _row_unit(Op op, const real* x, const real* y, const real* g, real* out, index_t* idx,
                    Py_ssize_t o, Py_ssize_t R, double p) noexcept nogil:
    cdef const real* row = x + o * R
    cdef real* dst = out + o * R if out != NULL else NULL  # for ops whose output has x's shape
    cdef real m, v
    cdef double s, mean
    cdef Py_ssize_t i
    if op == SUM:
        out[o] = <real>(_row_sum(row, R) * p)
    elif op == MAX or op == MIN:
        out[o] = _row_extremum(row, R, op == MAX)
    elif op == ARGMAX or op == ARGMIN:
        if R > 0:
            idx[o] = _row_arg(row, R, op == ARGMAX, &v)
            if out != NULL:
                out[o] = v
    elif op == VAR:
        mean = _row_sum(row, R) / R
        s = 0
        for i in range(R):
            s += (row[i] - mean) * (row[i] - mean)
        out[o] = <real>(s / (R - p if R > p else 0))
    elif op == LOGSUMEXP:
        m = _row_max_shift(row, R)
        out[o] = <real>(m + log(_row_sum_exp(row, R, m, NULL)))
    elif op == SOFTMAX:
        m = _row_max_shift(row, R)
        v = <real>(1 / _row_sum_exp(row, R, m, dst))
        for i in range(R):
            dst[i] *= v
    elif op == LOG_SOFTMAX:
        m = _row_max_shift(row, R)
        s = log(_row_sum_exp(row, R, m, NULL))
        for i in range(R):  # in double: fast-math may regroup this as x - (m + log(s))
            dst[i] = <real>((<double>row[i] - m) - s)
    elif op == SOFTMAX_BACKWARD:
        s = 0
        for i in range(R):
            s += g[o * R + i] * row[i]
        v = <real>s
        for i in range(R):
            dst[i] = row[i] * (g[o * R + i] - v)
    elif op == LOG_SOFTMAX_BACKWARD:
        v = <real>_row_sum(g + o * R, R)
        for i in range(R):
            dst[i] = g[o * R + i] - _exp(row[i]) * v
    elif op == LOGSUMEXP_BACKWARD:
        m = y[o]
        v = g[o]
        for i in range(R):
            dst[i] = v * _exp(row[i] - m)


# ---- columns (I > 1): columns i0 .. i0 + w of x[o] (R x I), streamed row by row ------------------

cdef void _cols_extremum(const real* src, Py_ssize_t R, Py_ssize_t I, Py_ssize_t w, bint take_max,
                         real* best, index_t* pos, double* nan) noexcept nogil:
    """Per column: the max (min), NaN if the column holds one, and (pos not NULL) its first row."""
    cdef Py_ssize_t r, i
    cdef const real* row
    cdef real v
    cdef bint upd
    if R == 0:
        for i in range(w):
            best[i] = -INF if take_max else INF
        return
    for i in range(w):
        best[i] = src[i]
        nan[i] = src[i] != src[i]
        if pos != NULL:
            pos[i] = 0
    for r in range(1, R):
        row = src + r * I
        if pos == NULL and take_max:
            for i in range(w):
                best[i] = row[i] if row[i] > best[i] else best[i]
                nan[i] += row[i] != row[i]
        elif pos == NULL:
            for i in range(w):
                best[i] = row[i] if row[i] < best[i] else best[i]
                nan[i] += row[i] != row[i]
        else:
            for i in range(w):
                v = row[i]
                upd = (v > best[i]) if take_max else (v < best[i])
                best[i] = v if upd else best[i]
                pos[i] = r if upd else pos[i]
                nan[i] += v != v
    for i in range(w):
        if nan[i] != 0:
            r = _first_nan(src + i, R, I)
            best[i] = src[r * I + i]
            if pos != NULL:
                pos[i] = r


cdef void _cols_unit(Op op, const real* x, const real* y, const real* g, real* out, index_t* idx,
                     Py_ssize_t o, Py_ssize_t R, Py_ssize_t I, Py_ssize_t i0, Py_ssize_t w, double p,
                     double* acc, double* aux, real* best, index_t* pos) noexcept nogil:
    """One column range; acc, aux, best and pos are scratch arrays of at least w entries."""
    cdef Py_ssize_t base = o * R * I + i0, red = o * I + i0
    cdef const real* src = x + base
    cdef const real* gb = g + base if g != NULL else NULL
    cdef const real* summed = gb if op == LOG_SOFTMAX_BACKWARD else src
    cdef real* dst = out + base if out != NULL else NULL  # for ops whose output has x's shape
    cdef Py_ssize_t r, i
    cdef real v
    if op == SUM or op == VAR or op == LOG_SOFTMAX_BACKWARD or op == SOFTMAX_BACKWARD:
        for i in range(w):
            acc[i] = 0
        if op == SOFTMAX_BACKWARD:
            for r in range(R):
                for i in range(w):
                    acc[i] += gb[r * I + i] * src[r * I + i]
        else:  # four rows summed in real, then into the double accumulator: fewer conversions
            for r in range(0, R - 3, 4):
                for i in range(w):
                    acc[i] += (summed[r * I + i] + summed[(r + 1) * I + i]) + (
                        summed[(r + 2) * I + i] + summed[(r + 3) * I + i])
            for r in range(R - R % 4, R):
                for i in range(w):
                    acc[i] += summed[r * I + i]
        if op == SUM:
            for i in range(w):
                out[red + i] = <real>(acc[i] * p)
        elif op == VAR:
            for i in range(w):
                aux[i] = acc[i] / R
                acc[i] = 0
            for r in range(R):
                for i in range(w):
                    acc[i] += (src[r * I + i] - aux[i]) * (src[r * I + i] - aux[i])
            for i in range(w):
                out[red + i] = <real>(acc[i] / (R - p if R > p else 0))
        elif op == SOFTMAX_BACKWARD:
            for r in range(R):
                for i in range(w):
                    dst[r * I + i] = src[r * I + i] * (gb[r * I + i] - <real>acc[i])
        else:
            for r in range(R):
                for i in range(w):
                    dst[r * I + i] = gb[r * I + i] - _exp(src[r * I + i]) * <real>acc[i]
    elif op == MAX or op == MIN or op == ARGMAX or op == ARGMIN:
        _cols_extremum(src, R, I, w, op == MAX or op == ARGMAX, best,
                       pos if op == ARGMAX or op == ARGMIN else NULL, acc)
        if out != NULL:
            for i in range(w):
                out[red + i] = best[i]
        if op == ARGMAX or op == ARGMIN:
            for i in range(w):
                idx[red + i] = pos[i]
    elif op == LOGSUMEXP or op == SOFTMAX or op == LOG_SOFTMAX:
        _cols_extremum(src, R, I, w, True, best, NULL, acc)
        for i in range(w):
            if not _finite(best[i]):
                best[i] = 0
            acc[i] = 0
        for r in range(R):
            for i in range(w):
                v = _exp(src[r * I + i] - best[i])
                acc[i] += v
                if op == SOFTMAX:
                    dst[r * I + i] = v
        if op == LOGSUMEXP:
            for i in range(w):
                out[red + i] = <real>(best[i] + log(acc[i]))
        elif op == SOFTMAX:
            for i in range(w):
                acc[i] = 1 / acc[i]
            for r in range(R):
                for i in range(w):
                    dst[r * I + i] *= <real>acc[i]
        else:
            for i in range(w):
                acc[i] = log(acc[i])
            for r in range(R):
                for i in range(w):  # in double, as in the row case
                    dst[r * I + i] = <real>((<double>src[r * I + i] - best[i]) - acc[i])
    elif op == LOGSUMEXP_BACKWARD:
        for r in range(R):
            for i in range(w):
                dst[r * I + i] = g[red + i] * _exp(src[r * I + i] - y[red + i])


# ---- the driver -----------------------------------------------------------------------------------

cdef inline Py_ssize_t _threshold(Op op) noexcept nogil:
    if op >= LOGSUMEXP:
        return PARALLEL_MIN_TRANSCENDENTAL
    return PARALLEL_MIN_CHEAP


cdef int _units(Op op, const real* x, const real* y, const real* g, real* out, index_t* idx,
                Py_ssize_t R, Py_ssize_t I, Py_ssize_t split, Py_ssize_t width, Py_ssize_t u0,
                Py_ssize_t u1, double p) noexcept nogil:
    """Units u0 .. u1 - 1: unit u is outer index u // split and its column range u % split of
    `width` columns (a row when I == 1). Returns -1 if the column scratch cannot be allocated."""
    cdef Py_ssize_t u, i0
    cdef double* work
    if I == 1:
        for u in range(u0, u1):
            _row_unit(op, x, y, g, out, idx, u, R, p)
        return 0
    work = <double*>malloc(width * (2 * sizeof(double) + sizeof(index_t) + sizeof(real)))
    if work == NULL:
        return -1
    for u in range(u0, u1):
        i0 = (u % split) * width
        _cols_unit(op, x, y, g, out, idx, u // split, R, I, i0, min(width, I - i0), p,
                   work, work + width, <real*>(work + 3 * width), <index_t*>(work + 2 * width))
    free(work)
    return 0


cdef int _run(Op op, const real* x, const real* y, const real* g, real* out, index_t* idx,
              Py_ssize_t O, Py_ssize_t R, Py_ssize_t I, double p) noexcept nogil:
    """Op over (O, R, I): serial below the threshold, else one run of units per thread. Columns
    are split into ranges only as far as needed to give every thread a unit, so that each unit
    streams long pieces of rows. Returns -1 when out of memory."""
    cdef bint threaded = use_threads(O * R * I, _threshold(op))
    cdef Py_ssize_t nt = omp_get_max_threads() if threaded else 1
    cdef Py_ssize_t split = 1, width, n, t, chunk, u0, u1
    cdef int status[1]
    if O == 0 or I == 0:
        return 0
    if I > 1 and O < nt:
        split = min((nt + O - 1) // O, (I + MIN_COLUMNS - 1) // MIN_COLUMNS)
    width = (I + split - 1) // split
    n = O * split
    if n == 1 and I == 1 and threaded and (op == SUM or op == MAX or op == MIN):
        _split_row(op, x, out, R, p)
        return 0
    if n < 2 or not threaded:
        return _units(op, x, y, g, out, idx, R, I, split, width, 0, n, p)
    if nt > n:
        nt = n
    chunk = (n + nt - 1) // nt
    status[0] = 0
    for t in prange(nt, schedule="static", num_threads=nt):
        u0 = t * chunk
        u1 = u0 + chunk
        if u1 > n:
            u1 = n
        if u0 < u1:
            if _units(op, x, y, g, out, idx, R, I, split, width, u0, u1, p) < 0:
                status[0] = -1
    return status[0]


cdef void _split_row(Op op, const real* x, real* out, Py_ssize_t R, double p) noexcept nogil:
    """SUM, MAX or MIN of one long row, one chunk per thread."""
    cdef double part[MAX_THREADS]
    cdef real ext[MAX_THREADS]
    cdef Py_ssize_t t, nt = omp_get_max_threads(), chunk, lo, hi
    cdef double s = 0
    if nt > MAX_THREADS:
        nt = MAX_THREADS
    chunk = (R + nt - 1) // nt
    for t in prange(nt, schedule="static", num_threads=nt):
        lo = t * chunk
        hi = lo + chunk
        if hi > R:
            hi = R
        if lo >= hi:
            part[t] = 0
            ext[t] = -INF if op == MAX else INF
        elif op == SUM:
            part[t] = _row_sum(x + lo, hi - lo)
        else:
            ext[t] = _row_extremum(x + lo, hi - lo, op == MAX)
    if op == SUM:
        for t in range(nt):
            s += part[t]
        out[0] = <real>(s * p)
    else:
        out[0] = _row_extremum(ext, nt, op == MAX)  # NaN if any chunk found one


cdef int _run_groups(Op op, const real* x, real* out, Py_ssize_t* size, bint* red, int n,
                     double p) noexcept nogil:
    """SUM/MAX/MIN over every reduced segment: one pass per segment, innermost first.

    size/red describe alternating kept/reduced segments of x; a pass removes one reduced segment
    and merges the kept neighbours. Returns -1 when a scratch buffer cannot be allocated.
    """
    cdef const real* src = x
    cdef real* scratch = NULL
    cdef real* dst
    cdef Py_ssize_t O, I, R
    cdef int k, j, left = 0
    for j in range(n):
        left += red[j]
    if left == 0:
        O = 1
        for j in range(n):
            O *= size[j]
        return _run(op, x, NULL, NULL, out, NULL, O, 1, 1, p)
    while left > 0:
        k = n - 1
        while not red[k]:
            k -= 1
        O = 1
        I = 1
        for j in range(k):
            O *= size[j]
        for j in range(k + 1, n):
            I *= size[j]
        R = size[k]
        if left == 1:
            dst = out
        else:
            dst = <real*>malloc((O * I if O * I > 0 else 1) * sizeof(real))
            if dst == NULL:
                free(scratch)
                return -1
        if _run(op, src, NULL, NULL, dst, NULL, O, R, I, p if left == 1 else 1.0) < 0:
            free(scratch)
            if dst != out:
                free(dst)
            return -1
        free(scratch)
        scratch = dst if left > 1 else NULL
        src = dst
        left -= 1
        if 0 < k < n - 1:  # kept segments on both sides merge
            size[k - 1] *= size[k + 1]
            for j in range(k, n - 2):
                size[j] = size[j + 2]
                red[j] = red[j + 2]
            n -= 2
        else:
            for j in range(k, n - 1):
                size[j] = size[j + 1]
                red[j] = red[j + 1]
            n -= 1
    return 0


# ---- entry points ---------------------------------------------------------------------------------

cdef int _check_float(cnp.ndarray x, str name) except -1:
    cdef int t = cnp.PyArray_TYPE(x)
    if t != cnp.NPY_FLOAT32 and t != cnp.NPY_FLOAT64:
        raise ValueError(f"{name}: expected float32 or float64, got {x.dtype}")
    if not cnp.PyArray_IS_C_CONTIGUOUS(x):
        raise ValueError(f"{name}: expected a C-contiguous array")
    return t


cdef int _check_like(cnp.ndarray x, cnp.ndarray other, Py_ssize_t size, str name) except -1:
    """other: C-contiguous, x's dtype, `size` elements."""
    if cnp.PyArray_TYPE(other) != cnp.PyArray_TYPE(x) or not cnp.PyArray_IS_C_CONTIGUOUS(other):
        raise ValueError(f"{name}: arrays must be C-contiguous and of one dtype")
    if cnp.PyArray_SIZE(other) != size:
        raise ValueError(f"{name}: expected {size} elements, got {cnp.PyArray_SIZE(other)}")
    return 0


cdef int _segments(cnp.ndarray x, const bint* reduced, Py_ssize_t* size, bint* red,
                   Py_ssize_t* kept) noexcept:
    """Merge x's dims into alternating kept/reduced segments, dropping dims of size 1."""
    cdef int d, n = 0
    cdef Py_ssize_t s
    kept[0] = 1
    for d in range(cnp.PyArray_NDIM(x)):
        s = cnp.PyArray_DIM(x, d)
        if not reduced[d]:
            kept[0] *= s
        if s == 1:
            continue
        if n > 0 and red[n - 1] == reduced[d]:
            size[n - 1] *= s
        else:
            size[n] = s
            red[n] = reduced[d]
            n += 1
    return n


cdef int _axes_mask(cnp.ndarray x, tuple axes, bint* mask, str name) except -1:
    cdef int d, nd = cnp.PyArray_NDIM(x)
    for d in range(nd):
        mask[d] = False
    for a in axes:
        d = a
        if d < 0 or d >= nd:
            raise ValueError(f"{name}: axis {a} out of range for {nd} dims")
        mask[d] = True
    return 0


cdef int _reduce_groups(Op op, cnp.ndarray x, bint* mask, cnp.ndarray out, bint mean,
                        str name) except -1:
    """SUM (times 1/count when `mean`), MAX or MIN of x over the dims set in mask."""
    cdef Py_ssize_t size[MAX_DIMS]
    cdef bint red[MAX_DIMS]
    cdef Py_ssize_t kept, total = 1
    cdef double p = 1.0
    cdef int j, rc, n, typ = _check_float(x, name)
    n = _segments(x, mask, size, red, &kept)
    _check_like(x, out, kept, name)
    for j in range(n):
        if red[j]:
            total *= size[j]
    if mean:
        p = 1.0 / total if total else NAN
    with nogil:
        if typ == cnp.NPY_FLOAT32:
            rc = _run_groups[float](op, <float*>cnp.PyArray_DATA(x), <float*>cnp.PyArray_DATA(out),
                                    size, red, n, p)
        else:
            rc = _run_groups[double](op, <double*>cnp.PyArray_DATA(x), <double*>cnp.PyArray_DATA(out),
                                     size, red, n, p)
    if rc < 0:
        raise MemoryError(f"{name}: out of memory for a scratch buffer")
    return 0


def sum(cnp.ndarray x, tuple axes, cnp.ndarray out, bint mean=False):
    """out = sum (or mean) of x over `axes` (distinct, non-negative); out holds the kept dims in
    order (any shape of that size, so keepdim or not)."""
    cdef bint mask[MAX_DIMS]
    _axes_mask(x, axes, mask, "sum")
    _reduce_groups(SUM, x, mask, out, mean, "sum")


def sum_to(cnp.ndarray x, cnp.ndarray out):
    """out = x summed down to out's shape, the adjoint of broadcasting out to x's shape: the
    leading dims that out lacks and the dims where out has size 1 are summed."""
    cdef bint mask[MAX_DIMS]
    cdef int d, nd = cnp.PyArray_NDIM(x), lead = nd - cnp.PyArray_NDIM(out)
    cdef Py_ssize_t s
    if lead < 0:
        raise ValueError("sum_to: out has more dims than x")
    for d in range(nd):
        if d < lead:
            mask[d] = True
            continue
        s = cnp.PyArray_DIM(out, d - lead)
        if s != cnp.PyArray_DIM(x, d) and s != 1:
            raise ValueError(f"sum_to: cannot sum {(<object>x).shape} to {(<object>out).shape}")
        mask[d] = s == 1
    _reduce_groups(SUM, x, mask, out, False, "sum_to")


def extremum(cnp.ndarray x, tuple axes, cnp.ndarray out, bint take_max):
    """out = max (or min) of x over `axes`, NaN where a reduced slice holds one."""
    cdef bint mask[MAX_DIMS]
    _axes_mask(x, axes, mask, "amax" if take_max else "amin")
    _reduce_groups(MAX if take_max else MIN, x, mask, out, False, "amax" if take_max else "amin")


cdef int _split_dims(cnp.ndarray x, int lo, int hi, Py_ssize_t* O, Py_ssize_t* R,
                     Py_ssize_t* I, str name) except -1:
    """(O, R, I) for reducing dims lo .. hi - 1 of x."""
    cdef int d, nd = cnp.PyArray_NDIM(x)
    if lo < 0 or hi > nd or lo > hi:
        raise ValueError(f"{name}: dims {lo}..{hi - 1} out of range for {nd} dims")
    O[0] = R[0] = I[0] = 1
    for d in range(nd):
        if d < lo:
            O[0] *= cnp.PyArray_DIM(x, d)
        elif d < hi:
            R[0] *= cnp.PyArray_DIM(x, d)
        else:
            I[0] *= cnp.PyArray_DIM(x, d)
    return 0


cdef int _adjacent(tuple axes, int* lo, int* hi, str name) except -1:
    if len(axes) == 0:
        lo[0] = hi[0] = 0
        return 0
    lo[0] = axes[0]
    hi[0] = axes[len(axes) - 1] + 1
    if hi[0] - lo[0] != len(axes):
        raise ValueError(f"{name}: expected adjacent axes, got {axes}")
    return 0


cdef int _launch(Op op, cnp.ndarray x, object y, object g, object out, object idx, Py_ssize_t O,
                 Py_ssize_t R, Py_ssize_t I, double p) except -1:
    """Run op on checked arrays (y, g, out, idx may be None)."""
    cdef void* py = NULL if y is None else cnp.PyArray_DATA(<cnp.ndarray>y)
    cdef void* pg = NULL if g is None else cnp.PyArray_DATA(<cnp.ndarray>g)
    cdef void* po = NULL if out is None else cnp.PyArray_DATA(<cnp.ndarray>out)
    cdef index_t* pi = NULL if idx is None else <index_t*>cnp.PyArray_DATA(<cnp.ndarray>idx)
    cdef void* px = cnp.PyArray_DATA(x)
    cdef int rc
    if cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32:
        with nogil:
            rc = _run[float](op, <float*>px, <float*>py, <float*>pg, <float*>po, pi, O, R, I, p)
    else:
        with nogil:
            rc = _run[double](op, <double*>px, <double*>py, <double*>pg, <double*>po, pi, O, R, I, p)
    if rc < 0:
        raise MemoryError("reduce: out of memory for a scratch buffer")
    return 0


def var(cnp.ndarray x, tuple axes, cnp.ndarray out, double correction):
    """out = sum over adjacent `axes` of (x - mean)^2 / max(count - correction, 0), two-pass."""
    cdef int lo, hi
    cdef Py_ssize_t O, R, I
    _check_float(x, "var")
    _adjacent(axes, &lo, &hi, "var")
    _split_dims(x, lo, hi, &O, &R, &I, "var")
    _check_like(x, out, O * I, "var")
    _launch(VAR, x, None, None, out, None, O, R, I, correction)


def logsumexp(cnp.ndarray x, tuple axes, cnp.ndarray out):
    """out = log(sum(exp(x))) over adjacent `axes`, shifted by the max."""
    cdef int lo, hi
    cdef Py_ssize_t O, R, I
    _check_float(x, "logsumexp")
    _adjacent(axes, &lo, &hi, "logsumexp")
    _split_dims(x, lo, hi, &O, &R, &I, "logsumexp")
    _check_like(x, out, O * I, "logsumexp")
    _launch(LOGSUMEXP, x, None, None, out, None, O, R, I, 0)


def logsumexp_backward(cnp.ndarray x, cnp.ndarray lse, cnp.ndarray g, tuple axes, cnp.ndarray out):
    """out = g * exp(x - lse), with lse and g reduced over adjacent `axes` (broadcast back)."""
    cdef int lo, hi
    cdef Py_ssize_t O, R, I
    _check_float(x, "logsumexp_backward")
    _adjacent(axes, &lo, &hi, "logsumexp_backward")
    _split_dims(x, lo, hi, &O, &R, &I, "logsumexp_backward")
    _check_like(x, lse, O * I, "logsumexp_backward")
    _check_like(x, g, O * I, "logsumexp_backward")
    _check_like(x, out, O * R * I, "logsumexp_backward")
    _launch(LOGSUMEXP_BACKWARD, x, lse, g, out, None, O, R, I, 0)


cdef int _along(Op op, cnp.ndarray x, int dim, object g, cnp.ndarray out, str name) except -1:
    """An op along one dim whose output (and g, if given) has x's shape."""
    cdef Py_ssize_t O, R, I
    _check_float(x, name)
    _split_dims(x, dim, dim + 1, &O, &R, &I, name)
    if g is not None:
        _check_like(x, g, O * R * I, name)
    _check_like(x, out, O * R * I, name)
    _launch(op, x, None, g, out, None, O, R, I, 0)
    return 0


def softmax(cnp.ndarray x, int dim, cnp.ndarray out):
    """out = exp(x) / sum(exp(x), dim), shifted by the max."""
    _along(SOFTMAX, x, dim, None, out, "softmax")


def log_softmax(cnp.ndarray x, int dim, cnp.ndarray out):
    """out = x - logsumexp(x, dim)."""
    _along(LOG_SOFTMAX, x, dim, None, out, "log_softmax")


def softmax_backward(cnp.ndarray y, cnp.ndarray g, int dim, cnp.ndarray out):
    """out = y * (g - sum(g * y, dim)): the gradient of softmax from its output y."""
    _along(SOFTMAX_BACKWARD, y, dim, g, out, "softmax_backward")


def log_softmax_backward(cnp.ndarray y, cnp.ndarray g, int dim, cnp.ndarray out):
    """out = g - exp(y) * sum(g, dim): the gradient of log_softmax from its output y."""
    _along(LOG_SOFTMAX_BACKWARD, y, dim, g, out, "log_softmax_backward")


def arg_extremum(cnp.ndarray x, int dim, object values, cnp.ndarray indices, bint take_max):
    """indices (int64) = first position of the max (min) along dim, or of the first NaN;
    values (None, or x's dtype) = the extremum. Both hold x's shape without dim; x.shape[dim] > 0."""
    cdef Py_ssize_t O, R, I
    cdef str name = "max" if take_max else "min"
    _check_float(x, name)
    _split_dims(x, dim, dim + 1, &O, &R, &I, name)
    if R == 0 and O * I > 0:
        raise ValueError(f"{name}: the reduced dim is empty")
    if cnp.PyArray_TYPE(indices) != cnp.NPY_INT64 or not cnp.PyArray_IS_C_CONTIGUOUS(indices) \
            or cnp.PyArray_SIZE(indices) != O * I:
        raise ValueError(f"{name}: indices must be C-contiguous int64 with {O * I} elements")
    if values is not None:
        _check_like(x, values, O * I, name)
    _launch(ARGMAX if take_max else ARGMIN, x, None, None, values, indices, O, R, I, 0)
