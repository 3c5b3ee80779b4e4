# Types for elementwise.py when compiled (see tensorgrad/tensor.pxd): the hot ops read Tensor and
# Function fields as C struct members and call the helpers below as C functions.
cimport cython

from tensorgrad.autograd.function cimport Function, apply_op
from tensorgrad.tensor cimport Tensor, _wrap


cpdef Tensor _binary(object kernel, object ufunc, object x, object y)
cpdef object _float_input(object x)
cpdef Tensor _grad_for(Tensor g, object t_dtype, tuple shape)
cpdef object _grad_array(Tensor g, object like)
