# grad_mode.py compiled (see tensor.pxd): the grad mode is a C thread-local variable, read and set
# by the recording path of every op through C calls. Modules that cimport this file get their own
# (unused) copy of the static variable; only grad_mode's own is ever read or written.
cdef extern from *:
    """
    static __thread int tensorgrad_grad_enabled __attribute__((unused)) = 1;
    """
    int _c_enabled "tensorgrad_grad_enabled"


cpdef bint is_grad_enabled() noexcept
cpdef void _set_enabled(bint mode) noexcept
