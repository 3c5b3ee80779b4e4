"""`Tensor`: a numpy array plus the autograd bookkeeping; its methods call the ops in `ops/`."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes

try:
    import cython
except ImportError:  # uncompiled, without Cython installed
    from . import _cython_shim as cython


class Tensor:
    """A multi-dimensional array that records the operations applied to it.

    Create tensors with `tensorgrad.tensor(...)` or the factories (`zeros`, `randn`, ...).
    """

    # A new tensor only needs `_data` and `_vc` set, which keeps the per-op cost low: the other
    # fields default to these values (class attributes here; compiled, the fields of tensor.pxd,
    # which start as None, False and 0). `_vc` is the version counter, a one-element list shared
    # with views. A view (basic indexing, reshape, permute, ...) remembers the tensor it views and
    # the op that made it (`_base`, `_view_node`), so that an in-place write through the view also
    # rebases the base's history, and the version of the buffer its history was taken at
    # (`_view_version`): after a write to the base or another of its views, the view's history is
    # redone on the base's new one (autograd.function.refresh_view_history).
    if not cython.compiled:
        _requires_grad = False
        _grad: Tensor | None = None
        grad_fn: Any = None
        _output_nr = 0
        _hooks: dict | None = None
        _retains_grad = False
        _base: Tensor | None = None
        _view_node: Any = None
        _view_version = 0
    __array_priority__ = 1000  # numpy defers to Tensor's reflected operators

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        t = tensor(data, dtype=dtype, requires_grad=requires_grad)
        self._data = t._data
        self._vc = [0]
        self._requires_grad = t._requires_grad

    # ---- metadata ------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def device(self) -> Any:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def _version(self) -> int:
        return self._vc[0]

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    @property
    def data(self) -> Tensor:
        """The same storage outside the graph (no version sharing, as PyTorch's `.data`)."""
        out = Tensor.__new__(Tensor)
        out._data = self._data
        out._vc = [0]
        return out

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be set to a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def grad(self) -> Tensor | None:
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad must be a Tensor or None, got {type(value).__name__}")
            if value.shape != self.shape or value.dtype != self.dtype:
                raise RuntimeError(
                    f"assigned grad has shape {list(value.shape)} and dtype {value.dtype}, but "
                    f"the tensor has shape {list(self.shape)} and dtype {self.dtype}"
                )
        self._grad = value

    @property
    def T(self) -> Tensor:
        return permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        return transpose(self, -2, -1)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of dimension `dim`."""
        if dim is None:
            return self._data.shape
        return self._data.shape[normalize_dim(dim, self._data.ndim, "size")]

    def numel(self) -> int:
        return self._data.size

    def nelement(self) -> int:
        return self._data.size

    def ndimension(self) -> int:
        return self._data.ndim

    def get_device(self) -> int:
        return -1  # the CPU, as PyTorch numbers it

    def data_ptr(self) -> int:
        return self._data.ctypes.data

    def storage_offset(self) -> int:
        base = self._data.base if isinstance(self._data.base, np.ndarray) else self._data
        return (self._data.ctypes.data - base.ctypes.data) // self._data.itemsize

    def pin_memory(self) -> Tensor:
        return self  # no accelerator to copy to: pinning changes nothing

    def is_pinned(self) -> bool:
        return False

    def share_memory_(self) -> Tensor:
        return self

    def dim(self) -> int:
        return self._data.ndim

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[normalize_dim(dim, self._data.ndim, "stride")]

    # ---- conversion ----------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying array (shares memory); fails on a tensor that requires grad."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self._requires_grad:  # as PyTorch: numpy would silently drop the graph
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        if dtype is None or np.dtype(dtype) == self._data.dtype:
            return self._data.copy() if copy else self._data
        return self._data.astype(dtype)

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"bool(): Boolean value of Tensor with {self._data.size} elements is ambiguous"
            )
        return bool(self._data.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def detach(self) -> Tensor:
        """A new tensor sharing the data (and version counter), cut from the graph."""
        out = Tensor.__new__(Tensor)
        out._data = self._data
        out._vc = self._vc
        return out

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self._data.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` for this non-leaf tensor after backward (a no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        _output_hooks(self).retain = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Any) -> Any:
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return _HookHandle(_output_hooks(self).hooks, hook)
        if self._hooks is None:
            self._hooks = {}
        return _HookHandle(self._hooks, hook)

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate the gradient of this tensor with respect to the graph leaves into `.grad`."""
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """PyTorch's forms: to(dtype), to(device), to(device, dtype), to(other), with dtype=,
        device=, non_blocking=, copy=; a device other than the CPU raises."""
        dtype, copy = to_arguments(args, kwargs, "to")
        if dtype is not None:
            dtype = dtypes.canonical(dtype, "to")
            if dtype != self._data.dtype:
                return cast(self, dtype)
        return clone(self) if copy else self

    def float(self) -> Tensor:
        return cast(self, dtypes.float32)

    def double(self) -> Tensor:
        return cast(self, dtypes.float64)

    def long(self) -> Tensor:
        return cast(self, dtypes.int64)

    def bool(self) -> Tensor:
        return cast(self, dtypes.bool_)

    def int(self) -> Tensor:
        return cast(self, dtypes.int64)

    def type(self, dtype: Any) -> Tensor:
        return cast(self, dtypes.canonical(dtype, "type"))

    def cpu(self) -> Tensor:
        return self

    def clone(self) -> Tensor:
        return clone(self)

    def __repr__(self) -> str:
        return format_tensor(self)

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._data.shape[0]):
            yield self[i]

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("tensorgrad tensors are not pickled; use tensorgrad.save (a plain .npz)")

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A leaf with a copy of the data (copy.deepcopy of a model copies its tensors this way)."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol"
            )
        out = _wrap(self._data.copy())
        out._requires_grad = self._requires_grad
        if self._grad is not None:
            out._grad = _wrap(self._grad._data.copy())
        memo[id(self)] = out
        return out

    # ---- arithmetic ----------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return add(self, other)

    def __sub__(self, other: Any) -> Tensor:
        return sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return rsub(self, other)

    def __mul__(self, other: Any) -> Tensor:
        return mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return mul(self, other)

    def __truediv__(self, other: Any) -> Tensor:
        return div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return rdiv(self, other)

    def __pow__(self, other: Any) -> Tensor:
        return pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return rpow(self, other)

    def __neg__(self) -> Tensor:
        return neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return abs(self)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(as_tensor_like(other, self), self)

    def __floordiv__(self, other: Any) -> Tensor:
        return floor_divide(self, other)

    def __mod__(self, other: Any) -> Tensor:
        return remainder(self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return ge(self, other)

    def __invert__(self) -> Tensor:
        return bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:
        return bitwise_and(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return bitwise_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return bitwise_or(self, other)

    def __ror__(self, other: Any) -> Tensor:
        return bitwise_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        return bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return bitwise_xor(self, other)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __getitem__(self, index: Any) -> Tensor:
        return getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        setitem(self, index, value)

    # ---- named methods (PyTorch's) ----------------------------------------------------------
    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        return add(self, other if alpha == 1 else mul(other, alpha))

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        return sub(self, other if alpha == 1 else mul(other, alpha))

    def mul(self, other: Any) -> Tensor:
        return mul(self, other)

    def div(self, other: Any) -> Tensor:
        return div(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return pow(self, exponent)

    def neg(self) -> Tensor:
        return neg(self)

    def matmul(self, other: Any) -> Tensor:
        return matmul(self, other)

    def mm(self, other: Any) -> Tensor:
        return matmul(self, other)

    def exp(self) -> Tensor:
        return exp(self)

    def log(self) -> Tensor:
        return log(self)

    def sqrt(self) -> Tensor:
        return sqrt(self)

    def rsqrt(self) -> Tensor:
        return rsqrt(self)

    def tanh(self) -> Tensor:
        return tanh(self)

    def sigmoid(self) -> Tensor:
        return sigmoid(self)

    def relu(self) -> Tensor:
        return relu(self)

    def abs(self) -> Tensor:
        return abs(self)

    def sin(self) -> Tensor:
        return sin(self)

    def cos(self) -> Tensor:
        return cos(self)

    def sign(self) -> Tensor:
        return sign(self)

    def square(self) -> Tensor:
        return mul(self, self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return maximum(self, other)

    def isclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        return isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        return allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Tensor) -> bool:
        return equal(self, other)

    def isnan(self) -> Tensor:
        return isnan(self)

    def isinf(self) -> Tensor:
        return isinf(self)

    def isfinite(self) -> Tensor:
        return isfinite(self)

    def minimum(self, other: Any) -> Tensor:
        return minimum(self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return masked_fill(self, mask, value)

    def where(self, condition: Any, other: Any) -> Tensor:
        return where(condition, self, other)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return masked_fill_(self, mask, value)

    # comparisons and logic as methods (no gradient)
    def eq(self, other: Any) -> Tensor:
        return eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return lt(self, other)

    def le(self, other: Any) -> Tensor:
        return le(self, other)

    def gt(self, other: Any) -> Tensor:
        return gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return ge(self, other)

    def logical_not(self) -> Tensor:
        return logical_not(self)

    def logical_and(self, other: Any) -> Tensor:
        return logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return logical_or(self, other)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return any(self, dim, keepdim)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return count_nonzero(self, dim)

    # more maths
    def log1p(self) -> Tensor:
        return log1p(self)

    def expm1(self) -> Tensor:
        return expm1(self)

    def floor(self) -> Tensor:
        return floor(self)

    def ceil(self) -> Tensor:
        return ceil(self)

    def round(self, decimals: int = 0) -> Tensor:
        return round(self, decimals)

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return nan_to_num(self, nan, posinf, neginf)

    def clamp_min(self, min: Any) -> Tensor:
        return clamp_min(self, min)

    def clamp_max(self, max: Any) -> Tensor:
        return clamp_max(self, max)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return norm(self, p, dim, keepdim, dtype)

    def cumsum(self, dim: int, dtype: Any = None) -> Tensor:
        return cumsum(self, dim, dtype)

    # sorting, selecting, rearranging
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return argsort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return topk(self, k, dim, largest, sorted)

    def gather(self, dim: int, index: Tensor) -> Tensor:
        return gather(self, dim, index)

    def index_select(self, dim: int, index: Any) -> Tensor:
        return index_select(self, dim, index)

    def flip(self, *dims: Any) -> Tensor:
        return flip(self, dims[0] if len(dims) == 1 else dims)

    def repeat(self, *sizes: Any) -> Tensor:
        return repeat(self, *sizes)

    def tile(self, *dims: Any) -> Tensor:
        return tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return unbind(self, dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return unflatten(self, dim, sizes)

    def bmm(self, mat2: Tensor) -> Tensor:
        return bmm(self, mat2)

    # new tensors like this one (its dtype unless given)
    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return tensor(data, dtype=self._data.dtype if dtype is None else dtype, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return zeros(*size, dtype=self._data.dtype if dtype is None else dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return ones(*size, dtype=self._data.dtype if dtype is None else dtype, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return empty(*size, dtype=self._data.dtype if dtype is None else dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return full(
            size, fill_value, dtype=self._data.dtype if dtype is None else dtype, requires_grad=requires_grad
        )

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other._data.dtype)

    def scatter(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        return scatter(self, dim, index, src, value)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return scatter_add(self, dim, index, src)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        return scatter_(self, dim, index, src, value)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return scatter_add_(self, dim, index, src)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return kthvalue(self, k, dim, keepdim)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        return median(self, dim, keepdim)

    def asin(self) -> Tensor:
        return asin(self)

    def acos(self) -> Tensor:
        return acos(self)

    def atan(self) -> Tensor:
        return atan(self)

    def select(self, dim: int, index: int) -> Tensor:
        return select(self, dim, index)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return narrow(self, dim, start, length)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        return argwhere(self)

    def unique(
        self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: Any = None
    ) -> Any:
        return unique(self, sorted, return_inverse, return_counts, dim)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return roll(self, shifts, dims)

    def repeat_interleave(self, repeats: Any, dim: Any = None) -> Tensor:
        return repeat_interleave(self, repeats, dim)

    def diag(self, diagonal: int = 0) -> Tensor:
        return diag(self, diagonal)

    def dot(self, other: Tensor) -> Tensor:
        return dot(self, other)

    def mv(self, vec: Tensor) -> Tensor:
        return mv(self, vec)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def prod(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return prod(self, dim, keepdim, dtype)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return lerp(self, end, weight)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
        return addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
        return addcdiv(self, tensor1, tensor2, value=value)

    def log2(self) -> Tensor:
        return log2(self)

    def log10(self) -> Tensor:
        return log10(self)

    def exp2(self) -> Tensor:
        return exp2(self)

    def tan(self) -> Tensor:
        return tan(self)

    def sinh(self) -> Tensor:
        return sinh(self)

    def cosh(self) -> Tensor:
        return cosh(self)

    def multinomial(self, num_samples: int, replacement: bool = False) -> Tensor:
        return multinomial(self, num_samples, replacement)

    def bernoulli(self) -> Tensor:
        return bernoulli(self)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def element_size(self) -> int:
        return int(self._data.itemsize)

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        raise RuntimeError(
            "cuda: tensorgrad runs on the CPU only (no CUDA device); use .cpu() or drop the call"
        )

    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return mean(self, dim, keepdim)

    def var(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        return var(self, dim, unbiased, keepdim, correction=correction)

    def std(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        return std(self, dim, unbiased, keepdim, correction=correction)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return min(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return amin(self, dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return argmax(self, dim, keepdim)

    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return argmin(self, dim, keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return logsumexp(self, dim, keepdim)

    def softmax(self, dim: int) -> Tensor:
        return softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        return log_softmax(self, dim)

    def reshape(self, *shape: Any) -> Tensor:
        return reshape(self, shape[0] if len(shape) == 1 else shape)

    def view(self, *shape: Any) -> Tensor:
        return view(self, shape[0] if len(shape) == 1 else shape)

    def view_as(self, other: Tensor) -> Tensor:
        return view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return reshape(self, other.shape)

    def contiguous(self) -> Tensor:
        return contiguous(self)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        return t(self)

    def permute(self, *dims: Any) -> Tensor:
        return permute(self, dims[0] if len(dims) == 1 else dims)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return flatten(self, start_dim, end_dim)

    def squeeze(self, dim: Any = None) -> Tensor:
        return squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return unsqueeze(self, dim)

    def expand(self, *sizes: Any) -> Tensor:
        return expand(self, sizes[0] if len(sizes) == 1 else sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return expand(self, other.shape)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return chunk(self, chunks, dim)

    def triu(self, diagonal: int = 0) -> Tensor:
        return triu(self, diagonal)

    def tril(self, diagonal: int = 0) -> Tensor:
        return tril(self, diagonal)

    # ---- more of PyTorch's methods, each the function of the same name ------------------
    def atan2(self, other: Tensor) -> Tensor:
        return atan2(self, other)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return mode(self, dim, keepdim)

    def absolute(self) -> Tensor:
        return abs(self)

    def negative(self) -> Tensor:
        return neg(self)

    def remainder(self, other: Any) -> Tensor:
        return remainder(self, other)

    def floor_divide(self, other: Any) -> Tensor:
        return floor_divide(self, other)

    def true_divide(self, other: Any) -> Tensor:
        return div(self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        return outer(self, vec2)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return transpose(self, axis0, axis1)

    def broadcast_to(self, size: Any) -> Tensor:
        return broadcast_to(self, size)

    def bitwise_and(self, other: Any) -> Tensor:
        return bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> Tensor:
        return bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        return bitwise_xor(self, other)

    def bitwise_not(self) -> Tensor:
        return bitwise_not(self)

    def logical_xor(self, other: Any) -> Tensor:
        return logical_xor(self, other)

    def reciprocal(self) -> Tensor:
        return reciprocal(self)

    def trunc(self) -> Tensor:
        return trunc(self)

    def fix(self) -> Tensor:
        return trunc(self)

    def frac(self) -> Tensor:
        return frac(self)

    def sgn(self) -> Tensor:
        return sgn(self)

    def signbit(self) -> Tensor:
        return signbit(self)

    def fmod(self, other: Any) -> Tensor:
        return fmod(self, other)

    def xlogy(self, other: Any) -> Tensor:
        return xlogy(self, other)

    def logit(self, eps: float | None = None) -> Tensor:
        return logit(self, eps)

    def erf(self) -> Tensor:
        return erf(self)

    def erfc(self) -> Tensor:
        return erfc(self)

    def erfinv(self) -> Tensor:
        return erfinv(self)

    def logaddexp(self, other: Tensor) -> Tensor:
        return logaddexp(self, other)

    def logaddexp2(self, other: Tensor) -> Tensor:
        return logaddexp2(self, other)

    def hypot(self, other: Tensor) -> Tensor:
        return hypot(self, other)

    def deg2rad(self) -> Tensor:
        return deg2rad(self)

    def rad2deg(self) -> Tensor:
        return rad2deg(self)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return nanmean(self, dim, keepdim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        return cumprod(self, dim, dtype=dtype)

    def cummax(self, dim: int) -> Any:
        return cummax(self, dim)

    def cummin(self, dim: int) -> Any:
        return cummin(self, dim)

    def logcumsumexp(self, dim: int) -> Tensor:
        return logcumsumexp(self, dim)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        return diff(self, n, dim, prepend, append)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return diagonal(self, offset, dim1, dim2)

    def trace(self) -> Tensor:
        return trace(self)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return diag_embed(self, offset, dim1, dim2)

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        return cross(self, other, dim)

    def rot90(self, k: int = 1, dims: Any = (0, 1)) -> Tensor:
        return rot90(self, k, dims)

    def fliplr(self) -> Tensor:
        return fliplr(self)

    def flipud(self) -> Tensor:
        return flipud(self)

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple:
        return tensor_split(self, indices_or_sections, dim)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return movedim(self, source, destination)

    def moveaxis(self, source: Any, destination: Any) -> Tensor:
        return movedim(self, source, destination)

    def masked_select(self, mask: Tensor) -> Tensor:
        return masked_select(self, mask)

    def take(self, index: Tensor) -> Tensor:
        return take(self, index)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        return bincount(self, weights, minlength)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
        return histc(self, bins, min, max)

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        return index_add(self, dim, index, source, alpha=alpha)

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return index_fill(self, dim, index, value)

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return index_copy(self, dim, index, source)

    def hardshrink(self, lambd: float = 0.5) -> Tensor:
        return hardshrink(self, lambd)

    def lgamma(self) -> Tensor:
        return lgamma(self)

    def digamma(self) -> Tensor:
        return digamma(self)

    def polygamma(self, n: int) -> Tensor:
        return polygamma(n, self)

    def det(self) -> Tensor:
        return det(self)

    def logdet(self) -> Tensor:
        return logdet(self)

    def slogdet(self) -> Any:
        return slogdet(self)

    def inverse(self) -> Tensor:
        return inverse(self)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        return pinverse(self, rcond)

    def matrix_power(self, n: int) -> Tensor:
        return matrix_power(self, n)

    def matrix_exp(self) -> Tensor:
        return matrix_exp(self)

    def cholesky_solve(self, input2: Tensor, upper: bool = False) -> Tensor:
        return cholesky_solve(self, input2, upper)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        return transpose(self, dim0, dim1)

    def adjoint(self) -> Tensor:
        return adjoint(self)

    def kron(self, other: Tensor) -> Tensor:
        return kron(self, other)

    def inner(self, other: Tensor) -> Tensor:
        return inner(self, other)

    def diagflat(self, offset: int = 0) -> Tensor:
        return diagflat(self, offset)

    def narrow_copy(self, dim: int, start: int, length: int) -> Tensor:
        return narrow_copy(self, dim, start, length)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        return aminmax(self, dim=dim, keepdim=keepdim)

    def quantile(
        self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        return quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(
        self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        return nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanmedian(self, dim: Any = None, keepdim: bool = False) -> Any:
        return nanmedian(self, dim, keepdim)

    def histogram(
        self, bins: Any = 100, *, range: Any = None, weight: Any = None, density: bool = False
    ) -> Any:
        return histogram(self, bins, range=range, weight=weight, density=density)

    def heaviside(self, values: Tensor) -> Tensor:
        return heaviside(self, values)

    def gcd(self, other: Tensor) -> Tensor:
        return gcd(self, other)

    def lcm(self, other: Tensor) -> Tensor:
        return lcm(self, other)

    def float_power(self, exponent: Any) -> Tensor:
        return float_power(self, exponent)

    def copysign(self, other: Any) -> Tensor:
        return copysign(self, other)

    def ldexp(self, other: Any) -> Tensor:
        return ldexp(self, other)

    def frexp(self) -> Any:
        return frexp(self)

    def nextafter(self, other: Tensor) -> Tensor:
        return nextafter(self, other)

    def renorm(self, p: float, dim: int, maxnorm: float) -> Tensor:
        return renorm(self, p, dim, maxnorm)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        return bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        return bitwise_right_shift(self, other)

    def __lshift__(self, other: Any) -> Tensor:
        return bitwise_left_shift(self, other)

    def __rshift__(self, other: Any) -> Tensor:
        return bitwise_right_shift(self, other)

    # ---- in-place ------------------------------------------------------------------------
    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        return add_(self, other if alpha == 1 else mul(other, alpha))

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        return sub_(self, other if alpha == 1 else mul(other, alpha))

    def mul_(self, other: Any) -> Tensor:
        return mul_(self, other)

    def div_(self, other: Any) -> Tensor:
        return div_(self, other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return clamp_(self, min, max)

    def zero_(self) -> Tensor:
        return fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        return fill_(self, value)

    def copy_(self, src: Any) -> Tensor:
        return copy_(self, src)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        return normal_(self, mean, std, generator)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        return uniform_(self, a, b, generator)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        return index_add_(self, dim, index, source, alpha=alpha)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return index_fill_(self, dim, index, value)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return index_copy_(self, dim, index, source)

    # The in-place forms of functions: t.f_(...) sets t to f(t, ...), recorded for autograd.
    def abs_(self) -> Tensor:
        return apply_inplace(self, abs, (), "abs_")

    def neg_(self) -> Tensor:
        return apply_inplace(self, neg, (), "neg_")

    def exp_(self) -> Tensor:
        return apply_inplace(self, exp, (), "exp_")

    def log_(self) -> Tensor:
        return apply_inplace(self, log, (), "log_")

    def sqrt_(self) -> Tensor:
        return apply_inplace(self, sqrt, (), "sqrt_")

    def rsqrt_(self) -> Tensor:
        return apply_inplace(self, rsqrt, (), "rsqrt_")

    def square_(self) -> Tensor:
        return apply_inplace(self, square, (), "square_")

    def reciprocal_(self) -> Tensor:
        return apply_inplace(self, reciprocal, (), "reciprocal_")

    def pow_(self, exponent: Any) -> Tensor:
        return apply_inplace(self, pow, (exponent,), "pow_")

    def sin_(self) -> Tensor:
        return apply_inplace(self, sin, (), "sin_")

    def cos_(self) -> Tensor:
        return apply_inplace(self, cos, (), "cos_")

    def tanh_(self) -> Tensor:
        return apply_inplace(self, tanh, (), "tanh_")

    def sigmoid_(self) -> Tensor:
        return apply_inplace(self, sigmoid, (), "sigmoid_")

    def relu_(self) -> Tensor:
        return apply_inplace(self, relu, (), "relu_")

    def log1p_(self) -> Tensor:
        return apply_inplace(self, log1p, (), "log1p_")

    def expm1_(self) -> Tensor:
        return apply_inplace(self, expm1, (), "expm1_")

    def erf_(self) -> Tensor:
        return apply_inplace(self, erf, (), "erf_")

    def clamp_min_(self, min: Any) -> Tensor:
        return clamp_(self, min, None)

    def clamp_max_(self, max: Any) -> Tensor:
        return clamp_(self, None, max)

    def clip_(self, min: Any = None, max: Any = None) -> Tensor:
        return clamp_(self, min, max)

    def fmod_(self, other: Any) -> Tensor:
        return apply_inplace(self, fmod, (other,), "fmod_")

    def remainder_(self, other: Any) -> Tensor:
        return apply_inplace(self, remainder, (other,), "remainder_")

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return apply_inplace(self, lerp, (end, weight), "lerp_")

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
        return apply_inplace(
            self, lambda t, a, b: addcmul(t, a, b, value=value), (tensor1, tensor2), "addcmul_"
        )

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
        return apply_inplace(
            self, lambda t, a, b: addcdiv(t, a, b, value=value), (tensor1, tensor2), "addcdiv_"
        )


class _HookHandle:
    """Returned by register_hook; `remove()` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict, hook: Any) -> None:
        _HookHandle._next_id += 1
        self.id = _HookHandle._next_id
        self._hooks = hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


def _output_hooks(t: Tensor) -> Any:
    """The hooks of non-leaf `t`, kept on its node (the engine runs them before the node)."""
    from .autograd.engine import OutputHooks

    node = t.grad_fn
    if node._tensor_hooks is None:
        node._tensor_hooks = {}
    entry = node._tensor_hooks.get(t._output_nr)
    if entry is None:
        entry = node._tensor_hooks[t._output_nr] = OutputHooks()
    return entry


def _wrap(array: np.ndarray) -> Tensor:
    """A new tensor around `array` (no copy, no checks): the fast path every op uses."""
    t = Tensor.__new__(Tensor)
    t._data = array
    t._vc = [0]
    return t


def is_tensor(obj: Any) -> bool:
    """True for a tensorgrad Tensor (torch.is_tensor)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def normalize_dim(dim: Any, ndim: int, op: str) -> int:
    """Turn a possibly negative dim into an index, raising IndexError like PyTorch."""
    lo = -ndim if ndim else -1
    hi = ndim - 1 if ndim else 0
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if dim < lo or dim > hi:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return int(dim) % ndim if ndim else 0


from ._format import format_tensor  # noqa: E402
from .device import CPU, to_arguments  # noqa: E402
from .ops.arrange import diag, repeat_interleave, roll, select  # noqa: E402
from .ops.composed_layers import hardshrink  # noqa: E402
from .ops.composite import addcdiv, addcmul, cosh, exp2, lerp, log2, log10, sinh, tan  # noqa: E402
from .ops.creation import (  # noqa: E402
    as_tensor_like,
    bernoulli,
    empty,
    full,
    multinomial,
    normal_,
    ones,
    tensor,
    uniform_,
    zeros,
)
from .ops.decompositions import pinverse  # noqa: E402
from .ops.elementwise import (  # noqa: E402
    abs,
    add,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    cast,
    clamp,
    clone,
    cos,
    div,
    eq,
    equal,
    exp,
    floor_divide,
    ge,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    log,
    logical_and,
    logical_not,
    logical_or,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    rdiv,
    relu,
    remainder,
    rpow,
    rsqrt,
    rsub,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    tanh,
    where,
)
from .ops.gamma_fns import digamma, lgamma, polygamma  # noqa: E402
from .ops.index import argwhere, gather, getitem, index_select, nonzero, setitem  # noqa: E402
from .ops.inplace import add_, apply_inplace, clamp_, copy_, div_, fill_, masked_fill_, mul_, sub_  # noqa: E402
from .ops.linalg import cholesky_solve, det, inverse, logdet, matrix_exp, matrix_power, slogdet  # noqa: E402
from .ops.matmul import addmm, bmm, dot, matmul, mv, outer  # noqa: E402
from .ops.more_index import (  # noqa: E402
    bincount,
    histc,
    index_add,
    index_add_,
    index_copy,
    index_copy_,
    index_fill,
    index_fill_,
    masked_select,
    take,
)
from .ops.more_math import (  # noqa: E402
    bitwise_left_shift,
    bitwise_right_shift,
    copysign,
    float_power,
    frexp,
    gcd,
    heaviside,
    lcm,
    ldexp,
    nextafter,
    renorm,
)
from .ops.more_shape import (  # noqa: E402
    cross,
    diag_embed,
    diagonal,
    diff,
    fliplr,
    flipud,
    movedim,
    rot90,
    tensor_split,
    trace,
)
from .ops.nanreduce import nanmean, nansum  # noqa: E402
from .ops.norms import norm  # noqa: E402
from .ops.pointwise import (  # noqa: E402
    deg2rad,
    fmod,
    frac,
    hypot,
    logaddexp,
    logaddexp2,
    logical_xor,
    rad2deg,
    reciprocal,
    sgn,
    signbit,
    trunc,
)
from .ops.product import prod  # noqa: E402
from .ops.reduce import (  # noqa: E402
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    count_nonzero,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    softmax,
    std,
    sum,
    var,
)
from .ops.scan import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: E402
from .ops.scatter import scatter, scatter_, scatter_add, scatter_add_  # noqa: E402
from .ops.shape import (  # noqa: E402
    broadcast_to,
    chunk,
    contiguous,
    expand,
    flatten,
    flip,
    narrow,
    permute,
    repeat,
    reshape,
    split,
    squeeze,
    t,
    tile,
    transpose,
    tril,
    triu,
    unbind,
    unflatten,
    unsqueeze,
    view,
)
from .ops.sorting import argsort, kthvalue, median, mode, sort, topk, unique  # noqa: E402
from .ops.special import erf, erfc, erfinv, logit, xlogy  # noqa: E402
from .ops.stacking import adjoint, diagflat, inner, kron, narrow_copy  # noqa: E402
from .ops.statistics import aminmax, histogram, nanmedian, nanquantile, quantile  # noqa: E402
from .ops.unary import (  # noqa: E402
    acos,
    asin,
    atan,
    atan2,
    ceil,
    clamp_max,
    clamp_min,
    expm1,
    floor,
    log1p,
    nan_to_num,
    round,
)
