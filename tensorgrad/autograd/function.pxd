# The fields of Function, and the types of the recording helpers' locals, when function.py is
# compiled (see tensor.pxd): a node's bookkeeping then costs C struct accesses.
# No `cdef dict __dict__`: Cython would create a dict for every node; the ops (Python subclasses)
# get CPython's, made only when forward sets an attribute on ctx.
cimport cython

from tensorgrad.autograd.grad_mode cimport _set_enabled, is_grad_enabled

from tensorgrad.tensor cimport Tensor


cdef class Function:
    cdef public tuple _edges
    cdef public object _saved
    cdef public tuple _out_shapes
    cdef public object _out_dtype
    cdef public object _non_differentiable
    cdef public object _tensor_hooks
    cdef public object needs_input_grad
    cdef object __weakref__


cpdef object apply_op(type cls, tuple args)

@cython.locals(ctx=Function, n=Py_ssize_t, record=bint)
cpdef object _apply(type cls, tuple args, dict kwargs)

@cython.locals(t=Tensor)
cdef object _edge(object a)

@cython.locals(base=Tensor)
cpdef void refresh_view_history(Tensor t) except *

cdef object _record(type cls, Function ctx, tuple args, dict kwargs, tuple needs, tuple edges)

@cython.locals(n=Py_ssize_t)
cdef object _forward(type cls, Function ctx, tuple args, dict kwargs)

@cython.locals(t=Tensor, data=object, nr=Py_ssize_t)
cpdef object _record_outputs(Function ctx, object out)

@cython.locals(t=Tensor, nr=Py_ssize_t, i=Py_ssize_t)
cpdef tuple _pack_all(Function ctx, tuple saved, tuple outputs)

@cython.locals(out=Tensor, nr=Py_ssize_t)
cpdef tuple _unpack_all(Function ctx, tuple saved)
