"""Indexing: `t[idx]` (ints, slices, None, Ellipsis, integer arrays/tensors, bool masks),
`t[idx] = value`, and `gather`, all with gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap, normalize_dim


def _index_part(part: Any) -> Any:
    if isinstance(part, Tensor):
        arr = part._data
        if arr.dtype.kind not in "bi":
            raise IndexError(f"index: tensors used as indices must be long or bool tensors, got {arr.dtype}")
        return arr
    if isinstance(part, list):
        arr = np.asarray(part)
        if arr.size and arr.dtype.kind not in "bi":
            raise IndexError(f"index: lists used as indices must hold ints or bools, got {part!r}")
        return arr.astype(np.int64) if arr.size == 0 else arr
    if isinstance(part, np.ndarray) or part is None or part is Ellipsis:
        return part
    if isinstance(part, slice):
        if part.step is not None and part.step <= 0:  # PyTorch has no negative strides
            raise ValueError(f"index: step must be greater than zero, got slice step {part.step}")
        return part
    if isinstance(part, (int, np.integer)) and not isinstance(part, bool):
        return part
    if isinstance(part, bool):
        return part
    raise IndexError(
        f"index: only integers, slices, None, Ellipsis, and long or bool tensors are valid "
        f"indices (got {type(part).__name__})"
    )


def normalize_index(index: Any) -> tuple[Any, bool]:
    """A numpy index equivalent to `index`, and whether it uses advanced (array) indexing."""
    parts = index if isinstance(index, tuple) else (index,)
    out = []
    advanced = False
    for p in parts:
        q = _index_part(p)
        if isinstance(q, (np.ndarray, bool)):
            advanced = True
        out.append(q)
    return tuple(out), advanced


def _checked(x: np.ndarray, index: tuple, op: str) -> np.ndarray:
    try:
        return x[index]
    except IndexError as e:
        raise IndexError(f"{op}: {e} (indexing a tensor of shape {list(x.shape)})") from None
    except TypeError as e:
        raise IndexError(f"{op}: invalid index for a tensor of shape {list(x.shape)}: {e}") from None


class GetItem(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, index: tuple, advanced: bool) -> Tensor:
        x = a._data
        out = _checked(x, index, "index")
        if out.__class__ is not np.ndarray:
            out = x[index + (Ellipsis,)]  # one element: a 0-d view, not a numpy scalar
        ctx.meta = (x.shape, x.dtype, index, advanced)
        if advanced:
            return _wrap(out)
        result = _wrap(out)
        result._vc = a._vc  # basic indexing returns a view
        result._base = a
        result._view_node = ctx
        result._view_version = a._vc[0]
        return result

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, dtype, index, advanced = ctx.meta
        return IndexScatter.apply(g, shape, index, advanced), None, None

    @staticmethod
    def view_again(ctx: Any, base: Tensor, shape: tuple) -> Tensor:
        """This view, taken again of `base` (whose history changed by an in-place write)."""
        return GetItem.apply(base, ctx.meta[2], False)


class IndexScatter(Function):
    """Zeros of `shape` with `g` added at `index` (repeated indices accumulate)."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, shape: tuple, index: tuple, advanced: bool) -> Tensor:
        ctx.meta = (index, advanced)
        out = np.zeros(shape, dtype=g._data.dtype)
        if advanced:
            np.add.at(out, index, g._data)
        else:
            out[index] = g._data
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        index, advanced = ctx.meta
        return GetItem.apply(gg, index, advanced), None, None, None


def getitem(input: Tensor, index: Any) -> Tensor:
    idx, advanced = normalize_index(index)
    return GetItem.apply(input, idx, advanced)


class IndexPut(Function):
    """`old` with `value` written at `index`: the out-of-place form of `t[index] = value`."""

    @staticmethod
    def forward(ctx: Any, old: Tensor, value: Tensor, index: tuple) -> Tensor:
        out = old._data.copy()
        out[index] = value._data
        ctx.meta = (index, value._data.shape, value._data.dtype)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        index, vshape, vdtype = ctx.meta
        need_old, need_value = ctx.needs_input_grad[:2]
        g_old = IndexPut.apply(g, _wrap(np.zeros((), g._data.dtype)), index) if need_old else None
        g_value = None
        if need_value:
            g_value = sum_to(GetItem.apply(g, index, True), vshape)
            if g_value._data.dtype != vdtype:
                g_value = cast(g_value, vdtype)
        return g_old, g_value, None


def setitem(target: Tensor, index: Any, value: Any) -> None:
    """`target[index] = value`, in place; gradients flow to `value` and the untouched part."""
    idx, _ = normalize_index(index)
    region = _checked(target._data, idx, "index_put")
    if isinstance(value, Tensor):
        v = value
    else:
        try:
            v = _wrap(np.asarray(value, dtype=target._data.dtype))
        except (TypeError, ValueError):
            raise TypeError(
                f"index_put: can't assign a {type(value).__name__} to a tensor of dtype {target._data.dtype}"
            ) from None
    vshape = v._data.shape
    extra = len(vshape) - region.ndim
    if extra > 0 and vshape[:extra] == (1,) * extra:  # leading 1s are dropped, as in PyTorch
        v = reshape(v, vshape[extra:])
    try:
        fits = np.broadcast_shapes(v._data.shape, region.shape) == region.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"index_put: shape mismatch: value tensor of shape {list(vshape)} cannot be "
            f"broadcast to indexing result of shape {list(region.shape)}"
        )
    if v._data.dtype != target._data.dtype:
        v = cast(v, target._data.dtype)
    apply_inplace(target, IndexPut.apply, (v, idx), "index_put")


class Gather(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dim: int, index: np.ndarray) -> Tensor:
        ctx.meta = (a._data.shape, dim, index)
        return _wrap(np.take_along_axis(a._data, index, axis=dim))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, dim, index = ctx.meta
        return ScatterAdd.apply(g, shape, dim, index), None, None


class ScatterAdd(Function):
    """Zeros of `shape` with `src` added along `dim` at `index` (the adjoint of gather)."""

    @staticmethod
    def forward(ctx: Any, src: Tensor, shape: tuple, dim: int, index: np.ndarray) -> Tensor:
        ctx.meta = (dim, index)
        out = np.zeros(shape, dtype=src._data.dtype)
        full = list(np.indices(index.shape, sparse=True))
        full[dim] = index
        np.add.at(out, tuple(full), src._data)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        dim, index = ctx.meta
        return Gather.apply(gg, dim, index), None, None, None


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The entries of input at `index` (a 1-D or 0-d int64 tensor) along dim; repeats are allowed
    and their gradients add up."""
    d = normalize_dim(dim, input._data.ndim, "index_select")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu" or idx.ndim > 1:
        raise RuntimeError(
            f"index_select: index must be a 1-D (or 0-d) integer tensor, got dtype {idx.dtype} "
            f"with {idx.ndim} dims"
        )
    idx = idx.reshape(-1).astype(np.int64)
    size = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise RuntimeError(f"index_select: index {idx.tolist()} out of range for dim {dim} of size {size}")
    if input._data.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select: index to a 0-d tensor can have only 1 value, got {idx.size}")
        return clone(input)
    return getitem(input, (slice(None),) * d + (_wrap(idx),))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the non-zero entries: an int64 (count, ndim) tensor, or with as_tuple=True
    one 1-D tensor per dim."""
    x = input._data
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(x)))
    return _wrap(np.argwhere(x).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """out[i][j] = input[index[i][j]][j] for dim=0 (and so on), as torch.gather."""
    nd = input._data.ndim
    d = normalize_dim(dim, nd, "gather")
    if not isinstance(index, Tensor):
        raise TypeError(f"gather: index must be an int64 tensor, got {type(index).__name__}")
    if index._data.dtype != np.int64:
        raise RuntimeError(f"gather: index must be an int64 tensor, got dtype {index._data.dtype}")
    idx = index._data
    if idx.ndim != nd:
        raise RuntimeError(
            f"gather: index tensor must have the same number of dimensions as input tensor "
            f"(index {idx.ndim}, input {nd})"
        )
    for i in range(nd):
        if i != d and idx.shape[i] > input._data.shape[i]:
            raise RuntimeError(
                f"gather: size of index {list(idx.shape)} does not fit input {list(input.shape)} "
                f"at dimension {i}"
            )
    size = input._data.shape[d]
    if idx.size and (idx.min() < 0 or idx.max() >= size):  # negative indices too, as PyTorch
        raise IndexError(
            f"gather: index out of range for dimension {d} with size {size} "
            f"(got values in [{idx.min()}, {idx.max()}])"
        )
    sliced = input._data[tuple(slice(0, s) if i != d else slice(None) for i, s in enumerate(idx.shape))]
    if sliced.shape != input._data.shape:
        input = getitem(input, tuple(slice(0, s) if i != d else slice(None) for i, s in enumerate(idx.shape)))
    return Gather.apply(input, d, idx)


from .elementwise import cast, clone  # noqa: E402
from .inplace import apply_inplace  # noqa: E402
from .shape import reshape, sum_to  # noqa: E402
