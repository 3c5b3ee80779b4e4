# The fields of Tensor when tensor.py is compiled (setup.py PYTHON_MODULES): Cython reads this
# file next to tensor.py and makes Tensor an extension type, so compiled code that knows it holds
# a Tensor reads and writes these as C struct members instead of looking them up by name.
cimport cython

cdef class Tensor:
    cdef public object _data
    cdef public bint _requires_grad
    cdef public object _grad
    cdef public object grad_fn
    cdef public Py_ssize_t _output_nr
    cdef public object _hooks
    cdef public bint _retains_grad
    cdef public object _base
    cdef public object _view_node
    cdef public Py_ssize_t _view_version
    cdef public list _vc
    cdef dict __dict__
    cdef object __weakref__


@cython.locals(t=Tensor)
cpdef Tensor _wrap(object array)
