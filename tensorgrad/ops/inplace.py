"""In-place operations. Each writes into the tensor's own buffer and bumps its version counter.

When the graph must record the change, the op is computed out of place on a copy of the old
value and the result is written back, so the tensor takes the new node as its grad_fn (the
way PyTorch rebases history); a pending backward that saved the old value then raises. A write
through a view also rebases the history of the tensor it views (PyTorch's CopySlices), so
`y[0].mul_(2)` or `y[0][1] = v` give the same gradients as `y[0, 1] = v`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import refresh_view_history
from ..autograd.grad_mode import _set_enabled, is_grad_enabled
from ..tensor import Tensor, _wrap
from ._util import SCALARS, to_tensor


def _check_leaf(t: Tensor, op: str) -> None:
    if not is_grad_enabled():
        return
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = t._base
    while base is not None:
        if base._requires_grad and base.grad_fn is None:
            raise RuntimeError(
                f"{op}: a view of a leaf Variable that requires grad is being used in an in-place operation."
            )
        base = base._base


def _check_writable(t: Tensor, result: np.ndarray, op: str) -> None:
    if result.shape != t._data.shape:
        raise RuntimeError(
            f"{op}: output with shape {list(t._data.shape)} doesn't match the broadcast shape "
            f"{list(result.shape)}"
        )
    if not np.can_cast(result.dtype, t._data.dtype, casting="same_kind"):
        raise RuntimeError(
            f"{op}: result type {result.dtype} can't be cast to the desired output type {t._data.dtype}"
        )
    if not t._data.flags.writeable:
        raise RuntimeError(
            f"{op}: unsupported operation: the tensor is a read-only view (e.g. from expand); clone it first"
        )


def write_inplace(t: Tensor, values: np.ndarray, op: str) -> Tensor:
    """Copy `values` into t's buffer (fills and init).

    Nothing is recorded unless t is part of a graph; then, as in PyTorch, the new value is a
    constant for backward: the gradient to t's old value is zero (not passed through).
    """
    _check_leaf(t, op)
    refresh_view_history(t)
    if t._requires_grad and is_grad_enabled():
        return apply_inplace(t, _filled, (_wrap(np.asarray(values, dtype=t._data.dtype)),), op)
    _check_writable(t, np.broadcast_to(values, t._data.shape), op)
    t._data[...] = values
    t._vc[0] += 1
    return t


def apply_inplace(t: Tensor, fn: Any, args: tuple, op: str) -> Tensor:
    """Set t to `fn(t, *args)` in place, recording the op when the graph needs it."""
    _check_leaf(t, op)
    records = is_grad_enabled() and (t._requires_grad or _any_requires_grad(args))
    if not records:
        prev = is_grad_enabled()
        _set_enabled(False)
        try:
            result = fn(t, *args)
        finally:
            _set_enabled(prev)
        _check_writable(t, result._data, op)
        t._data[...] = result._data
        t._vc[0] += 1
        return t
    refresh_view_history(t)
    result = fn(_with_history_of(t, t._data.copy()), *args)
    _check_writable(t, result._data, op)
    t._data[...] = result._data
    t._vc[0] += 1
    _take_history(t, result)
    return t


def _with_history_of(t: Tensor, data: np.ndarray) -> Tensor:
    """A tensor on `data` that stands for t as it is now in the graph."""
    s = _wrap(data)
    s._requires_grad = t._requires_grad
    s.grad_fn = t.grad_fn
    s._output_nr = t._output_nr
    return s


def _take_history(t: Tensor, value: Tensor) -> None:
    """t's buffer now holds `value`: t takes value's history, and so does the base t views."""
    node = t._view_node
    if node is not None:
        base = t._base
        new_base = _written_back(node, _with_history_of(base, base._data), value)
        _take_history(base, new_base)
        value = type(node).view_again(node, new_base, t._data.shape)
    t.grad_fn = value.grad_fn
    t._output_nr = value._output_nr
    t._requires_grad = value._requires_grad
    t._view_version = t._vc[0]


def _written_back(node: Any, base: Tensor, value: Tensor) -> Tensor:
    """`base` with the region that the view op `node` selects replaced by `value`."""
    cls = node.__class__
    if cls is GetItem:
        return IndexPut.apply(base, value, node.meta[2])
    if cls is Permute:
        return permute(value, node.inverse)
    return reshape(value, node.in_shape)  # Reshape; Expand views are read-only


def _any_requires_grad(args: tuple) -> bool:
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def add_(t: Tensor, other: Any) -> Tensor:
    return apply_inplace(t, add, (other,), "add_")


def sub_(t: Tensor, other: Any) -> Tensor:
    return apply_inplace(t, sub, (other,), "sub_")


def mul_(t: Tensor, other: Any) -> Tensor:
    return apply_inplace(t, mul, (other,), "mul_")


def div_(t: Tensor, other: Any) -> Tensor:
    return apply_inplace(t, div, (other,), "div_")


def clamp_(t: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return apply_inplace(t, clamp, (min, max), "clamp_")


def masked_fill_(t: Tensor, mask: Any, value: Any) -> Tensor:
    return apply_inplace(t, masked_fill, (mask, value), "masked_fill_")


def fill_(t: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions."
            )
        if value._requires_grad:
            return apply_inplace(t, _filled, (value,), "fill_")
        value = value.item()
    if not isinstance(value, SCALARS):
        raise TypeError(f"fill_: value must be a number, got {type(value).__name__}")
    return write_inplace(t, np.asarray(value, dtype=t._data.dtype), "fill_")


_ALL = _wrap(np.ones((), dtype=bool))


def _filled(old: Tensor, value: Tensor) -> Tensor:
    """The new value of `old` after a fill: `value` everywhere, with a zero gradient to `old`."""
    return where(_ALL, cast(value, old._data.dtype), old)


def copy_(t: Tensor, src: Any) -> Tensor:
    """Copy src into t (broadcasting src, casting to t's dtype); gradients flow to src."""
    src = to_tensor(src, "copy_")
    if is_grad_enabled() and (src._requires_grad or t._requires_grad):
        return apply_inplace(t, _copied, (src,), "copy_")
    _check_leaf(t, "copy_")
    try:
        values = np.broadcast_to(src._data, t._data.shape)
    except ValueError:
        raise RuntimeError(
            f"copy_: the source of shape {list(src.shape)} can't be broadcast to the destination "
            f"shape {list(t.shape)}"
        ) from None
    t._data[...] = values
    t._vc[0] += 1
    return t


def _copied(old: Tensor, src: Tensor) -> Tensor:
    try:
        return _filled(old, src)
    except RuntimeError:
        raise RuntimeError(
            f"copy_: the source of shape {list(src.shape)} can't be broadcast to the destination "
            f"shape {list(old.shape)}"
        ) from None


from .elementwise import add, cast, clamp, div, masked_fill, mul, sub, where  # noqa: E402
from .index import GetItem, IndexPut  # noqa: E402
from .shape import Permute, permute, reshape  # noqa: E402
