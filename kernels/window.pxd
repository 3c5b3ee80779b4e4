# Shared by the convolution and pooling kernels: which output positions of a sliding window
# read inside the input, so that padding is handled by skipping instead of per-element tests.

cdef inline void valid_range(Py_ssize_t size, Py_ssize_t offset, Py_ssize_t stride, Py_ssize_t count,
                             Py_ssize_t* lo, Py_ssize_t* hi) noexcept nogil:
    """The output positions [lo, hi) among `count` whose input index p*stride + offset is in [0, size)."""
    cdef Py_ssize_t a = 0, b = 0
    if offset < 0:
        a = (-offset + stride - 1) // stride
    if size - offset > 0:
        b = (size - offset + stride - 1) // stride
    if a > count:
        a = count
    if b > count:
        b = count
    if b < a:
        b = a
    lo[0] = a
    hi[0] = b
