"""Batched GEMM on scipy's BLAS (sgemm/dgemm from scipy.linalg.cython_blas).

    out[...] = (out[...] if accumulate else 0) + sum over broadcast batch of op(a) @ op(b)

op(x) is x or its transpose (the last two dims), chosen by a flag, so backward products never
copy. Row-major matrices are passed to column-major BLAS by swapping the operands
(C^T = op(B)^T op(A)^T). An operand stored column-major (a transposed view) is used in place
with its flag flipped. Batch dims broadcast as in numpy (aligned from the right, size 1 means
stride 0); where `out` has size 1 in a batch dim that the operands do not, the products are
summed into it with beta=1, which is how a broadcast operand's gradient is reduced.

The BLAS function pointers come from the `__pyx_capi__` capsules of scipy.linalg.cython_blas,
the same table a `cimport` reads. The module is loaded by file when scipy.linalg is not imported
yet: importing the package `scipy.linalg` costs about 0.3 s and 27 MB, the extension alone 20 ms.
"""

cimport numpy as cnp
from cpython.pycapsule cimport PyCapsule_GetName, PyCapsule_GetPointer
from libc.limits cimport INT_MAX
from libc.string cimport memset

cnp.import_array()

ctypedef void (*sgemm_t)(char*, char*, int*, int*, int*, float*, float*, int*, float*, int*,
                         float*, float*, int*) noexcept nogil
ctypedef void (*dgemm_t)(char*, char*, int*, int*, int*, double*, double*, int*, double*, int*,
                         double*, double*, int*) noexcept nogil

ctypedef fused real:
    float
    double

cdef enum:
    MAX_BATCH_DIMS = 64
    TRANS = 84  # ord("T"), BLAS's transpose flag
    NO_TRANS = 78  # ord("N")


def _cython_blas():
    """scipy.linalg.cython_blas, without importing the whole scipy.linalg package."""
    import importlib
    import importlib.machinery
    import importlib.util
    import os
    import sys

    name = "scipy.linalg.cython_blas"
    if "scipy.linalg" in sys.modules:
        return importlib.import_module(name)
    scipy_spec = importlib.util.find_spec("scipy")
    spec = None
    if scipy_spec is not None and scipy_spec.submodule_search_locations:
        linalg_dir = os.path.join(list(scipy_spec.submodule_search_locations)[0], "linalg")
        spec = importlib.machinery.PathFinder.find_spec(name, [linalg_dir])
    if spec is None:
        return importlib.import_module(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Cython registers the module in sys.modules under its full name. Take it out again, so that
    # a later `import scipy.linalg.cython_blas` runs the normal import (which then gets this same
    # module object back from Cython and binds it as an attribute of scipy.linalg).
    if sys.modules.get(name) is module:
        del sys.modules[name]
    return module


cdef void* _blas_function(str name) except NULL:
    capsule = _cython_blas_module.__pyx_capi__[name]
    return PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule))


_cython_blas_module = _cython_blas()  # kept referenced: the pointers below point into it
cdef sgemm_t _sgemm = <sgemm_t>_blas_function("sgemm")
cdef dgemm_t _dgemm = <dgemm_t>_blas_function("dgemm")


cdef bint _matrix_layout(cnp.ndarray x, bint* transposed, int* ld):
    """Whether BLAS can read the last two dims of x in place; sets the flip flag and ld.

    Row-major: unit column stride and a row stride of at least the row length. Column-major
    (a transposed view): the same with the roles of the two dims exchanged. A dim of size 1
    has no meaningful stride, so its stride is ignored and ld set to the minimum.
    """
    cdef int nd = cnp.PyArray_NDIM(x)
    cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(x)
    cdef Py_ssize_t rows = cnp.PyArray_DIM(x, nd - 2), cols = cnp.PyArray_DIM(x, nd - 1)
    cdef Py_ssize_t sr = cnp.PyArray_STRIDE(x, nd - 2), sc = cnp.PyArray_STRIDE(x, nd - 1)
    cdef Py_ssize_t lead
    if rows > INT_MAX or cols > INT_MAX:
        return False
    if cnp.PyArray_SIZE(x) == 0:  # nothing is read (and numpy's strides of empty arrays vary)
        transposed[0] = False
        ld[0] = <int>max(cols, 1)
        return True
    if cols <= 1 or sc == item:
        lead = sr // item if rows > 1 else cols
        if lead >= cols and lead >= 1 and lead <= INT_MAX and (rows <= 1 or sr % item == 0):
            transposed[0] = False
            ld[0] = <int>lead
            return True
    if rows <= 1 or sr == item:
        lead = sc // item if cols > 1 else rows
        if lead >= rows and lead >= 1 and lead <= INT_MAX and (cols <= 1 or sc % item == 0):
            transposed[0] = True
            ld[0] = <int>lead
            return True
    return False


def blas_compatible(cnp.ndarray x):
    """True when gemm can use x (ndim >= 2) without a copy; otherwise pass a contiguous copy."""
    cdef bint t
    cdef int ld
    return cnp.PyArray_NDIM(x) >= 2 and _matrix_layout(x, &t, &ld)


cdef inline void _gemm1(bint trans_a, bint trans_b, int m, int n, int k, const real* a, int lda,
                        const real* b, int ldb, real beta, real* c) noexcept nogil:
    """Row-major c (m x n, ld n) = op(a) @ op(b) + beta * c, as column-major c^T = op(b)^T op(a)^T."""
    cdef char ta = TRANS if trans_a else NO_TRANS
    cdef char tb = TRANS if trans_b else NO_TRANS
    cdef real one = 1
    cdef int ldc = n if n > 1 else 1
    if real is float:
        _sgemm(&tb, &ta, &n, &m, &k, &one, <float*>b, &ldb, <float*>a, &lda, &beta, c, &ldc)
    else:
        _dgemm(&tb, &ta, &n, &m, &k, &one, <double*>b, &ldb, <double*>a, &lda, &beta, c, &ldc)


cdef void _batched(bint trans_a, bint trans_b, int m, int n, int k,
                   const char* a, int lda, const char* b, int ldb, char* c, real beta,
                   int nb, const Py_ssize_t* sizes, const Py_ssize_t* sa, const Py_ssize_t* sb,
                   const Py_ssize_t* sc, Py_ssize_t count) noexcept nogil:
    """One gemm per batch index; the batch index advances like an odometer over `sizes`."""
    cdef Py_ssize_t idx[MAX_BATCH_DIMS]
    cdef Py_ssize_t step
    cdef int d
    for d in range(nb):
        idx[d] = 0
    for step in range(count):
        _gemm1(trans_a, trans_b, m, n, k, <const real*>a, lda, <const real*>b, ldb, beta, <real*>c)
        d = nb - 1
        while d >= 0:
            idx[d] += 1
            a += sa[d]
            b += sb[d]
            c += sc[d]
            if idx[d] < sizes[d]:
                break
            a -= sa[d] * sizes[d]
            b -= sb[d] * sizes[d]
            c -= sc[d] * sizes[d]
            idx[d] = 0
            d -= 1


cdef Py_ssize_t _batch_dim(cnp.ndarray x, int d, int nb, Py_ssize_t* stride):
    """Size and stride of aligned batch dim d of x (size 1, stride 0 where x lacks it)."""
    cdef int xd = d - (nb - (cnp.PyArray_NDIM(x) - 2))
    if xd < 0 or cnp.PyArray_DIM(x, xd) == 1:
        stride[0] = 0
        return 1
    stride[0] = cnp.PyArray_STRIDE(x, xd)
    return cnp.PyArray_DIM(x, xd)


cdef tuple _shape(object x):
    return x.shape


def gemm(cnp.ndarray a, cnp.ndarray b, cnp.ndarray out, bint trans_a, bint trans_b,
         bint accumulate):
    """out = (out if accumulate else 0) + op(a) @ op(b), batched and broadcast (see module doc).

    a, b: ndim >= 2, the same float dtype as out, each with blas_compatible() True.
    out: C-contiguous, shape (*batch, m, n) whose batch dims are each 1 or the broadcast size.
    """
    cdef int nd_a = cnp.PyArray_NDIM(a), nd_b = cnp.PyArray_NDIM(b), nd_o = cnp.PyArray_NDIM(out)
    cdef int typ = cnp.PyArray_TYPE(out)
    if nd_a < 2 or nd_b < 2 or nd_o < 2:
        raise ValueError("gemm: operands and out need at least 2 dims")
    if (typ != cnp.NPY_FLOAT32 and typ != cnp.NPY_FLOAT64) or cnp.PyArray_TYPE(a) != typ \
            or cnp.PyArray_TYPE(b) != typ:
        raise ValueError("gemm: a, b and out must share one float dtype (float32 or float64)")
    if not cnp.PyArray_IS_C_CONTIGUOUS(out):
        raise ValueError("gemm: out must be C-contiguous")
    cdef bint flip_a, flip_b
    cdef int lda, ldb
    if not _matrix_layout(a, &flip_a, &lda) or not _matrix_layout(b, &flip_b, &ldb):
        raise ValueError("gemm: an operand's matrix dims are not BLAS-compatible (copy it first)")
    cdef Py_ssize_t m = cnp.PyArray_DIM(a, nd_a - 1 if trans_a else nd_a - 2)
    cdef Py_ssize_t k = cnp.PyArray_DIM(a, nd_a - 2 if trans_a else nd_a - 1)
    cdef Py_ssize_t k_b = cnp.PyArray_DIM(b, nd_b - 1 if trans_b else nd_b - 2)
    cdef Py_ssize_t n = cnp.PyArray_DIM(b, nd_b - 2 if trans_b else nd_b - 1)
    if k != k_b or cnp.PyArray_DIM(out, nd_o - 2) != m or cnp.PyArray_DIM(out, nd_o - 1) != n:
        raise ValueError(f"gemm: shapes {_shape(a)}, {_shape(b)} -> {_shape(out)} do not match")
    if m > INT_MAX or n > INT_MAX or k > INT_MAX:
        raise ValueError("gemm: a matrix dim exceeds BLAS's 32-bit int")

    # Batch dims, aligned from the right across a, b and out.
    cdef int nb = max(nd_a, nd_b, nd_o) - 2
    if nb > MAX_BATCH_DIMS:
        raise ValueError("gemm: too many batch dims")
    cdef Py_ssize_t sizes[MAX_BATCH_DIMS]
    cdef Py_ssize_t sa[MAX_BATCH_DIMS]
    cdef Py_ssize_t sb[MAX_BATCH_DIMS]
    cdef Py_ssize_t so[MAX_BATCH_DIMS]
    cdef Py_ssize_t na, nb_, no, size, count = 1, count_a = 1, count_b = 1, count_o = 1
    cdef int d
    for d in range(nb):
        na = _batch_dim(a, d, nb, &sa[d])
        nb_ = _batch_dim(b, d, nb, &sb[d])
        no = _batch_dim(out, d, nb, &so[d])
        size = na if na != 1 else (nb_ if nb_ != 1 else no)  # a 1 stretches to the other size
        if (na != 1 and na != size) or (nb_ != 1 and nb_ != size) or (no != 1 and no != size):
            raise ValueError(f"gemm: batch dims of {_shape(a)}, {_shape(b)}, {_shape(out)} do not broadcast")
        sizes[d] = size
        count *= size
        count_a *= na
        count_b *= nb_
        count_o *= no

    cdef bint ta = trans_a != flip_a, tb = trans_b != flip_b
    cdef bint reduce_batch = count_o < count
    cdef bint beta_one = accumulate or reduce_batch  # else beta = 0: out is overwritten
    cdef Py_ssize_t out_bytes = cnp.PyArray_NBYTES(out)
    cdef char* pa = <char*>cnp.PyArray_DATA(a)
    cdef char* pb = <char*>cnp.PyArray_DATA(b)
    cdef char* pc = <char*>cnp.PyArray_DATA(out)
    cdef bint c_a = cnp.PyArray_IS_C_CONTIGUOUS(a), c_b = cnp.PyArray_IS_C_CONTIGUOUS(b)
    cdef bint f32 = typ == cnp.NPY_FLOAT32
    cdef Py_ssize_t rows

    with nogil:
        if not accumulate and (reduce_batch or k == 0 or count == 0):
            memset(pc, 0, out_bytes)
        if count == 0 or m == 0 or n == 0 or k == 0:
            pass
        elif count_o == count and count_a == count and count_b == 1 and c_a and not trans_a \
                and m * count <= INT_MAX:
            # a's batch folds into its rows: one (count*m x k) @ op(b)
            rows = m * count
            if f32:
                _gemm1(False, tb, <int>rows, <int>n, <int>k, <float*>pa, lda, <float*>pb, ldb,
                       <float>beta_one, <float*>pc)
            else:
                _gemm1(False, tb, <int>rows, <int>n, <int>k, <double*>pa, lda, <double*>pb, ldb,
                       <double>beta_one, <double*>pc)
        elif count_o == 1 and count_a == count and count_b == count and c_a and c_b \
                and trans_a and not trans_b and k * count <= INT_MAX:
            # sum over the batch of a_i^T @ b_i: one (m x count*k) @ (count*k x n)
            rows = k * count
            if f32:
                _gemm1(True, False, <int>m, <int>n, <int>rows, <float*>pa, lda, <float*>pb, ldb,
                       <float>beta_one, <float*>pc)
            else:
                _gemm1(True, False, <int>m, <int>n, <int>rows, <double*>pa, lda, <double*>pb, ldb,
                       <double>beta_one, <double*>pc)
        elif f32:
            _batched[float](ta, tb, <int>m, <int>n, <int>k, pa, lda, pb, ldb, pc,
                            <float>beta_one, nb, sizes, sa, sb, so, count)
        else:
            _batched[double](ta, tb, <int>m, <int>n, <int>k, pa, lda, pb, ldb, pc,
                             <double>beta_one, nb, sizes, sa, sb, so, count)
