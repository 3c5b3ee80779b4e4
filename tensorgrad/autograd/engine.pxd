# Types of the engine's locals when engine.py is compiled (see tensor.pxd): the nodes it walks
# are read as C structs.
cimport cython

from tensorgrad.autograd.grad_mode cimport _set_enabled, is_grad_enabled

from tensorgrad.autograd.function cimport Function, refresh_view_history
from tensorgrad.tensor cimport Tensor


@cython.locals(node=Function, nxt=Function, count=object)
cpdef dict _count_dependencies(list roots)

@cython.locals(t=Tensor)
cdef bint _has_shape(object g, tuple shape) except -1

@cython.locals(node=Function, nxt=Function, fn=Function, out=Tensor,
               nr=Py_ssize_t, i=Py_ssize_t, remaining=Py_ssize_t)
cpdef object run_backward(object outputs, object grad_outputs, bint retain_graph, bint create_graph,
                          object inputs=*)
