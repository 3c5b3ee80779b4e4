"""Gradient clipping (PyTorch's `torch.nn.utils.clip_grad`): `clip_grad_norm_`, `clip_grad_value_`."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ...tensor import Tensor, _wrap


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    """The distinct gradients of `parameters` (two parameters may share one gradient tensor)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = []
    seen = set()
    for p in parameters:
        g = p.grad
        if g is not None and g not in seen:
            seen.add(g)
            grads.append(g)
    return grads


def _replace(g: Tensor, values: np.ndarray) -> None:
    """Give gradient `g` a new array (backward may hand out aliased or read-only arrays: one array
    for two inputs, reshaped views, broadcast views) and bump its version."""
    g._data = np.asarray(values, dtype=g._data.dtype)
    g._vc[0] += 1


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients of `parameters` so that their joint norm is at most max_norm.

    The norm is taken over all gradients together, as if concatenated into one vector
    (norm_type may be inf). Returns that total norm (before clipping) as a tensor.
    """
    grads = _grads(parameters)
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not grads:
        return _wrap(np.zeros((), np.float32))
    dtype = grads[0].dtype
    if norm_type == math.inf:
        norms = [np.max(np.abs(g._data)) if g._data.size else 0.0 for g in grads]
        total = float(max(norms))
    else:
        total = float(sum(float(np.sum(np.abs(g._data) ** norm_type)) for g in grads) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            _replace(g, g._data * g._data.dtype.type(coef))
    return _wrap(np.asarray(total, dtype=dtype))


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp the gradients of `parameters` in place to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        _replace(g, np.clip(g._data, -clip_value, clip_value))
