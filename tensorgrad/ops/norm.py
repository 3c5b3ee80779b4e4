"""Batch norm and layer norm: kernels in kernels/norm.pyx, once differentiable.

Statistics are computed and kept in float64 whatever the input's dtype (the kernels
accumulate in double); only the per-element work runs in the input's dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._kernels import norm as _k
from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, _wrap

_EMPTY = {np.dtype(np.float32): np.empty(0, np.float32), np.dtype(np.float64): np.empty(0, np.float64)}


def _array_or_empty(t: Tensor | None, dtype: np.dtype) -> np.ndarray:
    return _EMPTY[dtype] if t is None else np.ascontiguousarray(t._data).reshape(-1)


def _check_param(t: Any, name: str, shape: tuple, dtype: np.dtype, op: str) -> None:
    if t is None:
        return
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor or None, got {type(t).__name__}")
    if t._data.shape != shape:
        raise RuntimeError(f"{op}: expected {name} of shape {list(shape)}, got {list(t._data.shape)}")
    if t._data.dtype != dtype:
        raise RuntimeError(f"{op}: expected {name} of the input's dtype {dtype}, got {t._data.dtype}")


# ---- batch norm ----------------------------------------------------------------------------------


def _as_ncs(x: np.ndarray) -> np.ndarray:
    """x (N, C, *) as a C-contiguous (N, C, S) array."""
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], math.prod(x.shape[2:]))


class BatchNorm(Function):
    """y = (x - mean[c]) * invstd[c] * weight[c] + bias[c]; mean/invstd from the batch or running stats."""

    @staticmethod
    def forward(
        ctx: Any,
        x: Tensor,
        weight: Tensor | None,
        bias: Tensor | None,
        mean: np.ndarray,
        invstd: np.ndarray,
        batch_stats: bool,
    ) -> Tensor:
        xa = x._data
        dtype = xa.dtype
        scale = invstd if weight is None else invstd * weight._data
        shift = -mean * scale if bias is None else bias._data - mean * scale
        x3 = _as_ncs(xa)
        y = np.empty_like(x3)
        _k.channel_affine(x3, scale.astype(dtype), shift.astype(dtype), y)
        ctx.save_for_backward(x, weight)
        ctx.stats = (mean, invstd, batch_stats)
        return _wrap(y.reshape(xa.shape))

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, g: Tensor) -> tuple:
        x, weight = ctx.saved_tensors
        mean, invstd, batch_stats = ctx.stats
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        x3 = _as_ncs(x._data)
        dy = _as_ncs(g._data.astype(x3.dtype, copy=False))
        n, c, s = x3.shape
        sum_dy = np.empty(c, np.float64)
        sum_dy_xmu = np.empty(c, np.float64)
        if batch_stats or need_w or need_b:
            _k.batch_norm_backward_reduce(dy, x3, mean, sum_dy, sum_dy_xmu)
        dx = None
        if need_x:
            k1 = invstd if weight is None else invstd * weight._data
            if batch_stats:
                count = n * s
                k2 = -k1 * invstd * invstd * sum_dy_xmu / count
                k3 = -k1 * sum_dy / count - k2 * mean
            else:
                k2 = k3 = np.zeros(c)
            out = np.empty_like(x3)
            dtype = x3.dtype
            _k.channel_affine_backward(dy, x3, k1.astype(dtype), k2.astype(dtype), k3.astype(dtype), out)
            dx = _wrap(out.reshape(x._data.shape))
        dw = _wrap((sum_dy_xmu * invstd).astype(x3.dtype)) if need_w else None
        db = _wrap(sum_dy.astype(x3.dtype)) if need_b else None
        return dx, dw, db, None, None, None


def _check_input(input: Any, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got dtype {input._data.dtype}")


def batch_norm(
    input: Any,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) of an (N, C, *) input.

    In training the batch statistics are used and, when given, the running stats are updated in
    place: running = (1 - momentum) * running + momentum * batch (the unbiased variance).
    Otherwise the running stats are used.
    """
    op = "batch_norm"
    _check_input(input, op)
    xa = input._data
    if xa.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape (N, C, ...), got shape {list(xa.shape)}")
    c = xa.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        _check_param(t, name, (c,), xa.dtype, op)
    _check_param(weight, "weight", (c,), xa.dtype, op)
    _check_param(bias, "bias", (c,), xa.dtype, op)
    if training:
        count = xa.size // c if c else 0
        if count <= 1:
            raise ValueError(
                f"{op}: Expected more than 1 value per channel when training, got input size {list(xa.shape)}"
            )
        mean = np.empty(c, np.float64)
        var = np.empty(c, np.float64)
        _k.batch_norm_stats(_as_ncs(xa), mean, var)
        _update_running(running_mean, running_var, mean, var * (count / (count - 1)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError(f"{op}: running_mean and running_var must be given when training=False")
        mean = running_mean._data.astype(np.float64)
        var = running_var._data.astype(np.float64)
    invstd = 1.0 / np.sqrt(var + eps)
    return BatchNorm.apply(input, weight, bias, mean, invstd, bool(training))


def _update_running(
    running_mean: Tensor | None,
    running_var: Tensor | None,
    mean: np.ndarray,
    var: np.ndarray,
    momentum: float,
) -> None:
    for buf, value in ((running_mean, mean), (running_var, var)):
        if buf is not None:
            data = buf._data
            data *= 1.0 - momentum
            data += (momentum * value).astype(data.dtype)
            buf._vc[0] += 1


# ---- layer norm ----------------------------------------------------------------------------------


class LayerNorm(Function):
    """Normalise over the trailing dims (viewed as (M, D) rows), then scale and shift."""

    @staticmethod
    def forward(
        ctx: Any, x: Tensor, weight: Tensor | None, bias: Tensor | None, size: int, eps: float
    ) -> Tensor:
        xa = x._data
        dtype = xa.dtype
        x2 = np.ascontiguousarray(xa).reshape(-1, size)
        y = np.empty_like(x2)
        rows = x2.shape[0]
        mean = np.empty(rows, np.float64)
        rstd = np.empty(rows, np.float64)
        _k.layer_norm_forward(
            x2, _array_or_empty(weight, dtype), _array_or_empty(bias, dtype), eps, y, mean, rstd
        )
        ctx.save_for_backward(x, weight, bias)
        ctx.stats = (mean, rstd, size)
        return _wrap(y.reshape(xa.shape))

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, g: Tensor) -> tuple:
        x, weight, bias = ctx.saved_tensors
        mean, rstd, size = ctx.stats
        need_w, need_b = ctx.needs_input_grad[1:3]
        xa = x._data
        dtype = xa.dtype
        x2 = np.ascontiguousarray(xa).reshape(-1, size)
        dy = np.ascontiguousarray(g._data, dtype=dtype).reshape(-1, size)
        dx = np.empty_like(x2)
        dw, db = _k.layer_norm_backward(
            dy, x2, mean, rstd, _array_or_empty(weight, dtype), dx, bool(need_w), bool(need_b)
        )
        gw = _wrap(dw.astype(dtype).reshape(weight._data.shape)) if need_w else None
        gb = _wrap(db.astype(dtype).reshape(bias._data.shape)) if need_b else None
        return _wrap(dx.reshape(xa.shape)), gw, gb, None, None


def layer_norm(
    input: Any,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last len(normalized_shape) dims, then apply weight and bias elementwise."""
    op = "layer_norm"
    _check_input(input, op)
    shape = (
        (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    )
    xa = input._data
    k = len(shape)
    if k == 0 or xa.shape[xa.ndim - k :] != shape or xa.ndim < k:
        raise RuntimeError(
            f"{op}: Given normalized_shape={list(shape)}, expected input with shape [*, "
            f"{', '.join(str(s) for s in shape)}], but got input of size {list(xa.shape)}"
        )
    if math.prod(shape) == 0:
        raise RuntimeError(f"{op}: normalized_shape={list(shape)} has no elements to normalise over")
    _check_param(weight, "weight", shape, xa.dtype, op)
    _check_param(bias, "bias", shape, xa.dtype, op)
    return LayerNorm.apply(input, weight, bias, math.prod(shape), float(eps))
