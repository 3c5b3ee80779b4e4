"""Loss functions: cross-entropy (one fused kernel), NLL, MSE, L1, BCE with logits.

Cross-entropy over class indices is the hot one (every classifier's training step): its
forward and backward each make one pass over the logits in kernels/loss.pyx, and it is once
differentiable. The others are composed from differentiable ops, so they are twice
differentiable and every input (targets and weights included) gets its gradient.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._kernels import loss as _k
from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, _wrap

_REDUCTIONS = ("mean", "sum", "none")
_NO_WEIGHT = {np.dtype(np.float32): np.empty(0, np.float32), np.dtype(np.float64): np.empty(0, np.float64)}


def check_reduction(reduction: Any, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{op}: {reduction!r} is not a valid value for reduction; expected 'mean', 'sum' or 'none'"
        )


def _check_float(t: Any, name: str, op: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: {name} must be a floating point tensor, got dtype {t._data.dtype}")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return mean(losses)
    if reduction == "sum":
        return sum(losses)
    return losses


# ---- class-index targets: shared layout and checks ------------------------------------------------


def _class_layout(input: Any, target: Any, op: str) -> tuple[Tensor, np.ndarray, tuple]:
    """(logits as (M, C), targets as a contiguous (M,) int64 array, shape of per-element losses).

    Accepts PyTorch's layouts: input (C,) with a 0-d target, (N, C) with (N,), and
    (N, C, d1, ...) with (N, d1, ...).
    """
    _check_float(input, "input", op)
    if not isinstance(target, Tensor):
        raise TypeError(f"{op}: target must be a Tensor, got {type(target).__name__}")
    t = target._data
    if t.dtype != np.int64:
        raise RuntimeError(
            f"{op}: expected target of dtype int64 (class indices) or of the input's float dtype "
            f"(class probabilities), got {t.dtype}"
        )
    shape = input._data.shape
    if len(shape) == 0:
        raise ValueError(f"{op}: input must have at least 1 dimension (the classes), got a 0-d tensor")
    if len(shape) == 1:
        if t.ndim != 0:
            raise ValueError(
                f"{op}: for an unbatched input of shape {list(shape)}, expected a 0-d target, "
                f"got shape {list(t.shape)}"
            )
        return reshape(input, (1, shape[0])), t.reshape(1), ()
    expected = shape[:1] + shape[2:]
    if t.shape != expected:
        raise ValueError(
            f"{op}: expected target of shape {list(expected)} for input of shape {list(shape)}, "
            f"got {list(t.shape)}"
        )
    if len(shape) == 2:
        return input, np.ascontiguousarray(t), expected
    moved = permute(input, (0,) + tuple(range(2, len(shape))) + (1,))
    return reshape(moved, (-1, shape[1])), np.ascontiguousarray(t).reshape(-1), expected


def _counted_rows(t: np.ndarray, classes: int, ignore_index: int, op: str) -> np.ndarray | None:
    """None when every target is a class and none is ignore_index; else the mask of counted rows.

    Raises for a target that is neither a class in [0, classes) nor ignore_index.
    """
    if t.size == 0:
        return None
    lo = t.min()
    hi = t.max()
    if 0 <= lo and hi < classes and not (lo <= ignore_index <= hi):
        return None
    counted = t != ignore_index
    bad = counted & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(
            f"{op}: target {int(t[bad][0])} is out of bounds: expected class indices in "
            f"[0, {classes}) or ignore_index={ignore_index}"
        )
    return counted


def _class_weight(weight: Any, classes: int, dtype: np.dtype, op: str) -> np.ndarray | None:
    if weight is None:
        return None
    if not isinstance(weight, Tensor):
        raise TypeError(f"{op}: weight must be a Tensor or None, got {type(weight).__name__}")
    w = weight._data
    if w.shape != (classes,):
        raise RuntimeError(
            f"{op}: weight tensor should be defined either for all {classes} classes or no "
            f"classes but got weight tensor of shape: {list(w.shape)}"
        )
    if w.dtype != dtype:
        raise RuntimeError(f"{op}: expected weight of the input's dtype {dtype}, got {w.dtype}")
    return np.ascontiguousarray(w)


def _mean_denominator(t: np.ndarray, counted: np.ndarray | None, weight: np.ndarray | None) -> float:
    """What 'mean' divides by: the summed weights of the counted targets (their count if unweighted)."""
    if weight is None:
        return float(t.size if counted is None else np.count_nonzero(counted))
    picked = weight[t] if counted is None else weight[t[counted]]
    return float(picked.sum(dtype=np.float64))


# ---- cross-entropy ----------------------------------------------------------------------------------


class CrossEntropy(Function):
    """Softmax cross-entropy of (N, C) logits against class indices (fused kernels)."""

    @staticmethod
    def forward(
        ctx: Any,
        x: Tensor,
        target: np.ndarray,
        weight: np.ndarray,
        ignore_index: int,
        smoothing: float,
        reduction: str,
        denominator: float,
    ) -> Tensor:
        xa = x._data
        n = xa.shape[0]
        losses = np.empty(n, xa.dtype)
        lse = np.empty(n, xa.dtype)
        _k.cross_entropy_forward(xa, target, weight, ignore_index, smoothing, losses, lse)
        ctx.save_for_backward(x)
        ctx.state = (target, weight, ignore_index, smoothing, lse, reduction, denominator)
        if reduction == "none":
            return _wrap(losses)
        total = losses.sum()
        if reduction == "mean":
            with np.errstate(divide="ignore", invalid="ignore"):
                total = total / xa.dtype.type(denominator)
        return _wrap(np.asarray(total, dtype=xa.dtype))

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, g: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        target, weight, ignore_index, smoothing, lse, reduction, denominator = ctx.state
        xa = x._data
        if reduction == "none":
            scale = np.ascontiguousarray(g._data, dtype=xa.dtype)
        else:
            s = g._data.item()
            if reduction == "mean":
                s = s / denominator if denominator else 0.0
            scale = np.full(xa.shape[0], s, dtype=xa.dtype)
        grad = np.empty_like(xa)
        _k.cross_entropy_backward(xa, target, weight, ignore_index, smoothing, lse, scale, grad)
        return _wrap(grad), None, None, None, None, None, None


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits and class indices (or class probabilities), as PyTorch's."""
    op = "cross_entropy"
    check_reduction(reduction, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    if isinstance(target, Tensor) and target._data.dtype.kind == "f":
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    x, t, out_shape = _class_layout(input, target, op)
    classes = x._data.shape[1]
    if classes == 0:
        raise ValueError(f"{op}: input has no classes (shape {list(input.shape)})")
    dtype = x._data.dtype
    counted = _counted_rows(t, classes, ignore_index, op)
    w = _class_weight(weight, classes, dtype, op)
    denominator = _mean_denominator(t, counted, w) if reduction == "mean" else 1.0
    if not x._data.flags.c_contiguous:
        x = contiguous(x)
    loss = CrossEntropy.apply(
        x,
        t,
        _NO_WEIGHT[dtype] if w is None else w,
        int(ignore_index),
        float(label_smoothing),
        reduction,
        denominator,
    )
    if reduction == "none" and loss._data.shape != out_shape:
        loss = reshape(loss, out_shape)
    return loss


def _cross_entropy_probs(input: Any, target: Tensor, weight: Any, reduction: str, smoothing: float) -> Tensor:
    """Cross-entropy against class probabilities (target of the input's shape), composed from ops."""
    op = "cross_entropy"
    _check_float(input, "input", op)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"{op}: class-probability target must have the input's shape {list(input.shape)}, "
            f"got {list(target.shape)}"
        )
    class_dim = 0 if input._data.ndim == 1 else 1
    classes = input._data.shape[class_dim]
    if smoothing:
        target = add(mul(target, 1.0 - smoothing), smoothing / classes)
    terms = mul(log_softmax(input, class_dim), target)
    if weight is not None:
        w = _class_weight(weight, classes, input._data.dtype, op)
        shape = (classes,) + (1,) * (input._data.ndim - class_dim - 1)
        terms = mul(terms, _wrap(w.reshape(shape)))
    # 'mean' averages over the samples (input.numel() / classes), as PyTorch does
    return _reduce(neg(sum(terms, class_dim)), reduction)


# ---- negative log-likelihood ----------------------------------------------------------------------


def nll_loss(
    input: Any, target: Any, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """-input[target] (times the class weight) with PyTorch's layouts and reductions."""
    op = "nll_loss"
    check_reduction(reduction, op)
    x, t, out_shape = _class_layout(input, target, op)
    classes = x._data.shape[1]
    counted = _counted_rows(t, classes, ignore_index, op)
    w = _class_weight(weight, classes, x._data.dtype, op)
    index = t if counted is None else np.where(counted, t, 0)
    picked = reshape(gather(x, 1, _wrap(index.reshape(-1, 1))), (-1,))
    row_weight = None
    if w is not None:
        row_weight = w[index]
    if counted is not None:
        mask = counted.astype(x._data.dtype)
        row_weight = mask if row_weight is None else row_weight * mask
    losses = neg(picked) if row_weight is None else neg(mul(picked, _wrap(row_weight)))
    if reduction == "none":
        return reshape(losses, out_shape)
    total = sum(losses)
    if reduction == "sum":
        return total
    denominator = float(t.size) if row_weight is None else float(row_weight.sum(dtype=np.float64))
    return div(total, _wrap(np.asarray(denominator, dtype=x._data.dtype)))


# ---- regression and binary losses -----------------------------------------------------------------


def _difference(input: Any, target: Any, op: str) -> Tensor:
    _check_float(input, "input", op)
    if not isinstance(target, Tensor):
        raise TypeError(f"{op}: target must be a Tensor, got {type(target).__name__}")
    if target._data.shape != input._data.shape:
        warnings.warn(
            f"{op}: Using a target size ({list(target.shape)}) that is different to the input size "
            f"({list(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )
    return sub(input, target)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """(input - target) ** 2, reduced."""
    check_reduction(reduction, "mse_loss")
    d = _difference(input, target, "mse_loss")
    return _reduce(mul(d, d), reduction)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """|input - target|, reduced."""
    check_reduction(reduction, "l1_loss")
    return _reduce(abs(_difference(input, target, "l1_loss")), reduction)


def binary_cross_entropy_with_logits(
    input: Any, target: Any, weight: Any = None, reduction: str = "mean", pos_weight: Any = None
) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable formula.

    loss = pos_weight * target * softplus(-x) + (1 - target) * softplus(x): both terms are
    non-negative, so nothing overflows or cancels for large |x|.
    """
    op = "binary_cross_entropy_with_logits"
    check_reduction(reduction, op)
    _check_float(input, "input", op)
    _check_float(target, "target", op)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"{op}: Target size ({list(target.shape)}) must be the same as input size ({list(input.shape)})"
        )
    positive = mul(target, softplus(neg(input)))
    if pos_weight is not None:
        _check_float(pos_weight, "pos_weight", op)
        positive = mul(positive, pos_weight)
    losses = add(positive, mul(rsub(target, 1.0), softplus(input)))
    if weight is not None:
        _check_float(weight, "weight", op)
        losses = mul(losses, weight)
    return _reduce(losses, reduction)


from .activation import softplus  # noqa: E402
from .elementwise import abs, add, div, mul, neg, rsub, sub  # noqa: E402
from .index import gather  # noqa: E402
from .reduce import log_softmax, mean, sum  # noqa: E402
from .shape import contiguous, permute, reshape  # noqa: E402
