"""In-place operations. Each writes into the tensor's own buffer and bumps its version counter.

When the graph must record the change, the op is computed out of place on a copy of the old
value and the result is written back, so the tensor takes the new node as its grad_fn (the
way PyTorch rebases history); a pending backward that saved the old value then raises.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor, _wrap
from ._util import SCALARS, to_tensor


def _check_leaf(t: Tensor, op: str) -> None:
    if t._requires_grad and t.grad_fn is None and _grad_state.enabled:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation."
        )


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
    """Copy `values` into t's buffer without recording anything (used by fills and init)."""
    _check_leaf(t, op)
    _check_writable(t, np.broadcast_to(values, t._data.shape), op)
    t._data[...] = values
    t._vc[0] += 1
    return t


def apply_inplace(t: Tensor, fn: Any, args: tuple, op: str) -> Tensor:
    """Set t to `fn(t, *args)` in place, recording the op when the graph needs it."""
    _check_leaf(t, op)
    records = _grad_state.enabled and (t._requires_grad or _any_requires_grad(args))
    if not records:
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            result = fn(t, *args)
        finally:
            _grad_state.enabled = prev
        _check_writable(t, result._data, op)
        t._data[...] = result._data
        t._vc[0] += 1
        return t
    old = _wrap(t._data.copy())
    old._requires_grad = t._requires_grad
    old.grad_fn = t.grad_fn
    old._output_nr = t._output_nr
    result = fn(old, *args)
    _check_writable(t, result._data, op)
    t._data[...] = result._data
    t._vc[0] += 1
    t.grad_fn = result.grad_fn
    t._output_nr = result._output_nr
    t._requires_grad = result._requires_grad
    return t


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


def _filled(old: Tensor, value: Tensor) -> Tensor:
    """The new value of `old` after a fill: independent of the old value, so no edge to it."""
    return clone(expand(cast(value, old._data.dtype), old._data.shape))


def copy_(t: Tensor, src: Any) -> Tensor:
    """Copy src into t (broadcasting src, casting to t's dtype); gradients flow to src."""
    src = to_tensor(src, "copy_")
    if src._requires_grad and _grad_state.enabled:
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
    if _grad_state.enabled and t.grad_fn is not None:
        t.grad_fn = None
        t._requires_grad = False
    return t


def _copied(old: Tensor, src: Tensor) -> Tensor:
    try:
        return _filled(old, src)
    except RuntimeError:
        raise RuntimeError(
            f"copy_: the source of shape {list(src.shape)} can't be broadcast to the destination "
            f"shape {list(old.shape)}"
        ) from None


from .elementwise import add, cast, clamp, clone, div, mul, sub  # noqa: E402
from .shape import expand  # noqa: E402
