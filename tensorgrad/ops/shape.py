"""Shape operations: reshape/view, permute, expand and its adjoint sum_to, cat/stack, split.

Ops that return a view of their input share its version counter, so an in-place change through
either one is seen by backward.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .._kernels import reduce as reduce_kernels
from ..autograd.function import Function
from ..tensor import Tensor, _wrap, normalize_dim


def _view_of(base: Tensor, array: np.ndarray, node: Function) -> Tensor:
    """A tensor on base's buffer: it shares base's version counter and remembers base and node."""
    out = _wrap(array)
    out._vc = base._vc
    out._base = base
    out._view_node = node
    out._view_version = base._vc[0]
    return out


def _shape_arg(shape: Any, op: str) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(operator.index(s) for s in shape)  # ints only: 2.0 is rejected, as in PyTorch
    except TypeError:
        raise TypeError(f"{op}: shape must be a sequence of ints, got {shape!r}") from None


def _infer_shape(shape: tuple, numel: int, op: str, src: tuple) -> tuple:
    """Resolve one -1 in `shape` and check the element count, with PyTorch's message."""
    known = 1
    infer = -1
    for i, s in enumerate(shape):
        if s == -1:
            if infer >= 0:
                raise RuntimeError(f"{op}: only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"{op}: invalid shape dimension {s}")
        else:
            known *= s
    if infer >= 0:
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:infer] + (numel // known,) + shape[infer + 1 :]
    elif known != numel:
        raise RuntimeError(
            f"{op}: shape '{list(shape)}' is invalid for input of size {numel} (input shape {list(src)})"
        )
    return shape


# ---- reshape / view ----------------------------------------------------------------------------


class Reshape(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, shape: tuple, require_view: bool) -> Tensor:
        ctx.in_shape = a._data.shape
        x = a._data
        if require_view:
            try:
                return _view_of(a, x.reshape(shape, copy=False), ctx)
            except ValueError:
                raise RuntimeError(
                    f"view: view size {list(shape)} is not compatible with input tensor's size "
                    f"{list(x.shape)} and stride; use .reshape(...) instead"
                ) from None
        out = x.reshape(shape)
        return _view_of(a, out, ctx) if np.shares_memory(out, x) else _wrap(out)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return reshape(g, ctx.in_shape), None, None

    @staticmethod
    def view_again(ctx: Any, base: Tensor, shape: tuple) -> Tensor:
        return reshape(base, shape)


def reshape(input: Tensor, shape: Any) -> Tensor:
    """The same data with a new shape (a view when possible, else a copy)."""
    shape = _infer_shape(_shape_arg(shape, "reshape"), input._data.size, "reshape", input.shape)
    if shape == input._data.shape:
        return input
    return Reshape.apply(input, shape, False)


def view(input: Tensor, shape: Any) -> Tensor:
    """The same data with a new shape; fails when the strides do not allow a view."""
    shape = _infer_shape(_shape_arg(shape, "view"), input._data.size, "view", input.shape)
    return Reshape.apply(input, shape, True)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    nd = input._data.ndim
    if nd == 0:  # only dims 0 and -1 exist, as in PyTorch
        normalize_dim(start_dim, nd, "flatten")
        normalize_dim(end_dim, nd, "flatten")
        return reshape(input, (1,))
    s = normalize_dim(start_dim, nd, "flatten")
    e = normalize_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    return reshape(input, shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :])


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    d = normalize_dim(dim, input._data.ndim, "unflatten")
    shape = input._data.shape
    return reshape(input, shape[:d] + tuple(sizes) + shape[d + 1 :])


def numel(input: Tensor) -> int:
    """The number of entries."""
    return int(input._data.size)


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix; 0-d and 1-d tensors come back as they are."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return transpose(input, 0, 1) if nd == 2 else input


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove size-1 dims (all, or those named by `dim`, which may be a tuple)."""
    shape = input._data.shape
    nd = len(shape)
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        drop = {normalize_dim(d, nd, "squeeze") for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in drop and s == 1))
    return reshape(input, new) if new != shape else input


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    nd = input._data.ndim
    d = normalize_dim(dim, nd + 1, "unsqueeze")
    shape = input._data.shape
    return reshape(input, shape[:d] + (1,) + shape[d:])


# ---- permute / transpose -------------------------------------------------------------------------


class Permute(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dims: tuple) -> Tensor:
        ctx.inverse = tuple(np.argsort(dims))
        return _view_of(a, a._data.transpose(dims), ctx)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return permute(g, ctx.inverse), None

    @staticmethod
    def view_again(ctx: Any, base: Tensor, shape: tuple) -> Tensor:
        return permute(base, tuple(np.argsort(ctx.inverse)))


def permute(input: Tensor, dims: Any) -> Tensor:
    nd = input._data.ndim
    dims = _shape_arg(dims, "permute")
    if len(dims) != nd:
        raise RuntimeError(
            f"permute: number of dims don't match: input of shape {list(input._data.shape)} has "
            f"{nd} dims, got {len(dims)} ({list(dims)})"
        )
    dims = tuple(normalize_dim(d, nd, "permute") for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError(
            f"permute: number of dims don't match or repeat: input has {nd} dims, got {list(dims)}"
        )
    return Permute.apply(input, dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input._data.ndim
    if nd == 0:
        return input
    d0 = normalize_dim(dim0, nd, "transpose")
    d1 = normalize_dim(dim1, nd, "transpose")
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


swapaxes = transpose


# ---- expand and sum_to (each the other's adjoint) ------------------------------------------------


class Expand(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, shape: tuple) -> Tensor:
        ctx.in_shape = a._data.shape
        return _view_of(a, np.broadcast_to(a._data, shape), ctx)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return sum_to(g, ctx.in_shape), None

    @staticmethod
    def view_again(ctx: Any, base: Tensor, shape: tuple) -> Tensor:
        return expand(base, shape)


def expand(input: Tensor, sizes: Any) -> Tensor:
    """Broadcast to `sizes` without copying (-1 keeps a dim); the result is read-only."""
    sizes = _shape_arg(sizes, "expand")
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)})"
        )
    offset = len(sizes) - len(shape)
    for i in range(offset):
        if sizes[i] < 0:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({sizes[i]}) isn't allowed in a leading, "
                f"non-existing dimension {i}"
            )
    target = list(sizes)
    for i, s in enumerate(shape):
        want = sizes[offset + i]
        if want == -1:
            target[offset + i] = s
        elif want < 0 or (s != 1 and s != want):
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({want}) must match the existing size "
                f"({s}) at non-singleton dimension {offset + i}. Target sizes: {list(sizes)}. "
                f"Tensor sizes: {list(shape)}"
            )
    target = tuple(target)
    if target == shape:
        return input
    return Expand.apply(input, target)


def broadcast_to(input: Tensor, shape: Any) -> Tensor:
    return expand(input, shape)


class SumTo(Function):
    """Sum a broadcast gradient back to the shape of the input it was broadcast from."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, shape: tuple) -> Tensor:
        x = a._data
        ctx.in_shape = x.shape
        out = np.empty(shape, x.dtype)
        reduce_kernels.sum_to(x if x.flags.c_contiguous else np.ascontiguousarray(x), out)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return expand(g, ctx.in_shape), None


def sum_to(input: Tensor, shape: tuple) -> Tensor:
    """The one place where broadcast gradients are reduced back to an input's shape."""
    if input._data.shape == shape:
        return input
    return SumTo.apply(input, shape)


# ---- contiguous, cat, stack, split, triu/tril -----------------------------------------------------


class Contiguous(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        return _wrap(np.ascontiguousarray(a._data))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        return g


def contiguous(input: Tensor) -> Tensor:
    if input._data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


class Cat(Function):
    @staticmethod
    def forward(ctx: Any, *args: Any) -> Tensor:
        *tensors, dim = args
        ctx.dim = dim
        ctx.sizes = [t._data.shape[dim] for t in tensors]
        ctx.dtypes = [t._data.dtype for t in tensors]
        arrays = [t._data for t in tensors]
        dtype = arrays[0].dtype
        for arr in arrays[1:]:
            if arr.dtype != dtype:
                from .. import dtypes

                dtype = dtypes.promote(dtype, arr.dtype)
        return _wrap(np.concatenate(arrays, axis=dim, dtype=dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        grads = []
        start = 0
        needs = ctx.needs_input_grad
        for i, size in enumerate(ctx.sizes):
            gi = None
            if needs[i]:
                gi = narrow(g, ctx.dim, start, size)
                if gi._data.dtype != ctx.dtypes[i]:  # forward promoted this input's dtype
                    gi = cast(gi, ctx.dtypes[i])
            grads.append(gi)
            start += size
        grads.append(None)
        return tuple(grads)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Concatenate tensors along an existing dim."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError("cat: expected a sequence of Tensors")
    if len(tensors) == 0:
        raise RuntimeError("cat: expected a non-empty list of Tensors")
    tensors = [t for t in tensors]
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"cat: expected Tensors, got {type(t).__name__} at position {i}")
    nd = tensors[0]._data.ndim
    if nd == 0:
        raise RuntimeError("cat: zero-dimensional tensor (at position 0) cannot be concatenated")
    d = normalize_dim(dim, nd, "cat")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        s = t._data.shape
        if len(s) != nd or s[:d] + s[d + 1 :] != ref[:d] + ref[d + 1 :]:
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}. Expected size "
                f"{list(ref)} but got size {list(s)} for tensor number {i} in the list."
            )
    return Cat.apply(*tensors, d)


concat = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Stack tensors of equal shape along a new dim."""
    if not isinstance(tensors, (list, tuple)) or len(tensors) == 0:
        raise RuntimeError("stack: expected a non-empty sequence of Tensors")
    ref = tensors[0].shape
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"stack: expected Tensors, got {type(t).__name__} at position {i}")
        if t.shape != ref:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ref)} at entry 0 and "
                f"{list(t.shape)} at entry {i}"
            )
    d = normalize_dim(dim, len(ref) + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice [start, start + length) of `dim` (a view)."""
    d = normalize_dim(dim, input._data.ndim, "narrow")
    size = input._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(
            f"narrow: start ({start}) is out of range for dimension {d} of size {size} "
            f"(input shape {list(input._data.shape)})"
        )
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size}) of "
            f"dimension {d} (input shape {list(input._data.shape)})"
        )
    index = (slice(None),) * d + (slice(start, start + length),)
    return getitem(input, index)


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into chunks of a given size, or into the listed sizes, along `dim`."""
    d = normalize_dim(dim, input._data.ndim, "split")
    n = input._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0:
            raise RuntimeError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - s) for s in range(0, n, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
    pieces = []
    start = 0
    for s in sizes:
        pieces.append(narrow(input, d, start, s))
        start += s
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into `chunks` pieces of equal size (the last may be smaller), as PyTorch does."""
    if not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = normalize_dim(dim, input._data.ndim, "chunk")
    n = input._data.shape[d]
    size = max(1, -(-n // chunks))
    return split(input, size, d)


# ---- flip, repeat, unbind ------------------------------------------------------------------------


class Flip(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, dims: tuple) -> Tensor:
        ctx.dims = dims
        return _wrap(np.flip(a._data, dims).copy())  # a copy, as PyTorch's flip

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return Flip.apply(g, ctx.dims), None


def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order of the entries along each of `dims`."""
    nd = input._data.ndim
    if isinstance(dims, (int, np.integer)):
        dims = (dims,)
    axes = tuple(normalize_dim(d, nd, "flip") for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"flip: dims {list(dims)} has a dim that appears more than once")
    return Flip.apply(input, axes) if nd else clone(input)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile input sizes[i] times along dim i (leading sizes add new dims), as Tensor.repeat.

    Written with reshape and expand, so the gradient sums over the copies."""
    if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)):
        sizes = tuple(sizes[0])
    reps = _shape_arg(sizes, "repeat")
    shape = input._data.shape
    if len(reps) < len(shape):
        raise RuntimeError(
            f"repeat: number of repeat dims ({len(reps)}) can not be smaller than number of "
            f"dimensions of tensor ({len(shape)})"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {list(reps)}")
    shape = (1,) * (len(reps) - len(shape)) + shape
    interleaved = []
    tiled = []
    for r, s in zip(reps, shape):
        interleaved += [1, s]
        tiled += [r, s]
    out = expand(reshape(input, tuple(interleaved)), tuple(tiled))
    return reshape(out, tuple(r * s for r, s in zip(reps, shape)))


def tile(input: Tensor, dims: Any) -> Tensor:
    """repeat, with dims padded by leading 1s when it has fewer entries than input has dims."""
    reps = _shape_arg(dims, "tile")
    return repeat(input, (1,) * (input._data.ndim - len(reps)) + reps)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of input along dim, each without that dim."""
    d = normalize_dim(dim, input._data.ndim, "unbind")
    lead = (slice(None),) * d
    pieces = []
    for i in range(input._data.shape[d]):
        pieces.append(getitem(input, lead + (i,)))
    return tuple(pieces)


class TriangleMask(Function):
    @staticmethod
    def forward(ctx: Any, a: Tensor, diagonal: int, upper: bool) -> Tensor:
        ctx.args = (diagonal, upper)
        x = a._data
        return _wrap(np.triu(x, diagonal) if upper else np.tril(x, diagonal))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        diagonal, upper = ctx.args
        return TriangleMask.apply(g, diagonal, upper), None, None


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError(f"triu: input tensor must have at least 2 dimensions, got {input.ndim}")
    return TriangleMask.apply(input, int(diagonal), True)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError(f"tril: input tensor must have at least 2 dimensions, got {input.ndim}")
    return TriangleMask.apply(input, int(diagonal), False)


from .elementwise import cast, clone  # noqa: E402
from .index import getitem  # noqa: E402
