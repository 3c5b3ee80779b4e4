"""The remaining common losses of nn.functional, composed from differentiable ops (so their first
and second derivatives come from those ops): margin_ranking_loss, hinge_embedding_loss,
soft_margin_loss, cosine_embedding_loss, triplet_margin_loss, multi_margin_loss,
multilabel_soft_margin_loss, poisson_nll_loss and gaussian_nll_loss.

Each follows PyTorch 2.x's formula, broadcasting and reductions; `reduction` here is already
resolved (nn.functional maps the legacy size_average/reduce arguments onto it). Hinges are
clamp(., min=0) where PyTorch clamps (the gradient passes at the kink) and relu where PyTorch's
kernel tests z > 0 (multi_margin_loss).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap


def _broadcast(op: str, **tensors: Any) -> tuple:
    """The shape the named tensors broadcast to; raises naming the loss and every shape if none."""
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    try:
        return np.broadcast_shapes(*[t._data.shape for t in tensors.values()])
    except ValueError:
        shapes = ", ".join([f"{name} {list(t.shape)}" for name, t in tensors.items()])
        raise RuntimeError(f"{op}: the shapes of {shapes} cannot be broadcast together") from None


def _mask(t: Tensor, value: float) -> Tensor:
    """A bool tensor: where t equals value (targets of +-1 select a branch, with no gradient)."""
    return _wrap(np.asarray(t._data == value))


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    op = "margin_ranking_loss"
    check_reduction(reduction, op)
    _check_float(input1, "input1", op)
    _check_float(input2, "input2", op)
    if not isinstance(target, Tensor):
        raise TypeError(f"{op}: target must be a Tensor, got {type(target).__name__}")
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            f"{op}: All input tensors should have same dimension but got sizes: input1: "
            f"{list(input1.shape)}, input2: {list(input2.shape)}, target: {list(target.shape)}"
        )
    _broadcast(op, input1=input1, input2=input2, target=target)
    losses = clamp(add(mul(neg(target), sub(input1, input2)), margin), min=0.0)
    return _reduce(losses, reduction)


def hinge_embedding_loss(
    input: Tensor, target: Tensor, margin: float = 1.0, reduction: str = "mean"
) -> Tensor:
    """x where target is 1, max(0, margin - x) where target is -1 (PyTorch adds both terms for
    any other target value)."""
    op = "hinge_embedding_loss"
    check_reduction(reduction, op)
    _broadcast(op, input=input, target=target)
    _check_float(input, "input", op)
    hinge = clamp(rsub(input, margin), min=0.0)
    losses = add(where(_mask(target, 1), 0.0, hinge), where(_mask(target, -1), 0.0, input))
    return _reduce(losses, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)), as a softplus so that it does not overflow."""
    op = "soft_margin_loss"
    check_reduction(reduction, op)
    _broadcast(op, input=input, target=target)
    _check_float(input, "input", op)
    return _reduce(softplus(neg(mul(input, target))), reduction)


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where target is -1.

    The cosine is taken over the last dim of (N, D) inputs with a (N,) target, or of (D,) inputs
    with a 0-d target; 1e-12 is added to each squared norm, as in PyTorch.
    """
    op = "cosine_embedding_loss"
    check_reduction(reduction, op)
    _broadcast(op, input1=input1, input2=input2)
    _check_float(input1, "input1", op)
    _check_float(input2, "input2", op)
    if not isinstance(target, Tensor):
        raise TypeError(f"{op}: target must be a Tensor, got {type(target).__name__}")
    d = target.ndim
    if d > 1:
        raise RuntimeError(
            f"{op}: 0D or 1D target tensor expected, multi-target not supported (got {list(target.shape)})"
        )
    if input1.ndim != d + 1 or input2.ndim != d + 1:
        raise RuntimeError(
            f"{op}: {d}D target tensor expects {d + 1}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    dot = sum(mul(input1, input2), d)
    squares = mul(add(sum(mul(input1, input1), d), 1e-12), add(sum(mul(input2, input2), d), 1e-12))
    cos = div(dot, sqrt(squares))
    if d and target.shape[0] not in (1, cos.shape[0]) and cos.shape[0] != 1:
        raise RuntimeError(
            f"{op}: target of shape {list(target.shape)} does not match the batch of inputs of sizes "
            f"{list(input1.shape)} and {list(input2.shape)}"
        )
    similar = where(_mask(target, 1), rsub(cos, 1.0), 0.0)
    dissimilar = where(_mask(target, -1), clamp(sub(cos, margin), min=0.0), 0.0)
    return _reduce(add(similar, dissimilar), reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) with d the pairwise p-norm distance (+eps) over the last
    dim; swap uses min(d(a, n), d(p, n)) as the negative distance."""
    op = "triplet_margin_loss"
    check_reduction(reduction, op)
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        _check_float(t, name, op)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            f"{op}: The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
            f"{negative.ndim}D inputs"
        )
    _broadcast(op, anchor=anchor, positive=positive, negative=negative)
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = minimum(to_negative, pairwise_distance(positive, negative, p, eps))
    return _reduce(clamp(sub(add(to_positive, margin), to_negative), min=0.0), reduction)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Per sample, sum over classes i != y of (w[y] * max(0, margin - x[y] + x[i]) ** p) / C.

    input is (N, C), (C,) or 0-d; target holds N class indices ((N,), or (1,) or 0-d unbatched).
    """
    op = "multi_margin_loss"
    check_reduction(reduction, op)
    if p != 1 and p != 2:
        raise ValueError(f"{op}: only p == 1 and p == 2 supported, got p={p}")
    _check_float(input, "input", op)
    if not isinstance(target, Tensor) or target._data.dtype != np.int64:
        kind = target._data.dtype if isinstance(target, Tensor) else type(target).__name__
        raise RuntimeError(f"{op}: expected an int64 target of class indices, got {kind}")
    shape = input._data.shape
    if not ((len(shape) == 2 and shape[1]) or (len(shape) == 1 and shape[0]) or len(shape) == 0):
        raise RuntimeError(
            f"{op}: Expected non-empty vector or matrix with optional 0-dim batch size, "
            f"but got: {list(shape)}"
        )
    rows, classes = (shape[0], shape[1]) if len(shape) == 2 else (1, shape[0] if shape else 1)
    t = target._data
    if t.ndim > 1 or t.size != rows:
        raise RuntimeError(f"{op}: inconsistent target size, expected {rows} but got {list(t.shape)}")
    t = t.reshape(rows)
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise IndexError(
            f"{op}: target out of range: expected class indices in [0, {classes}), got {t.tolist()}"
        )
    x = reshape(input, (rows, classes))
    z = add(sub(x, gather(x, 1, _wrap(t.reshape(rows, 1)))), margin)  # margin - x[y] + x[i]
    h = relu(z)
    if p == 2:
        h = mul(h, h)
    h = mul(h, _wrap((np.arange(classes) != t[:, None]).astype(input._data.dtype)))  # skip i == y
    if weight is not None:
        _check_float(weight, "weight", op)
        if weight.ndim != 1:
            raise ValueError(f"{op}: weight must be one-dimensional, got shape {list(weight.shape)}")
        if weight._data.size != classes:
            raise RuntimeError(
                f"{op}: inconsistent weight size, expected {classes} but got {list(weight.shape)}"
            )
        h = mul(h, reshape(index_select(weight, 0, _wrap(t)), (rows, 1)))
    losses = div(sum(h, 1), classes)
    if reduction == "none":
        return reshape(losses, ()) if target.ndim == 0 else losses
    return _reduce(losses, reduction)


def multilabel_soft_margin_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """-(y log(sigmoid(x)) + (1 - y) log(sigmoid(-x))) (times weight), averaged over the classes
    (the last dim), then reduced over the samples."""
    op = "multilabel_soft_margin_loss"
    check_reduction(reduction, op)
    _broadcast(op, input=input, target=target)
    _check_float(input, "input", op)
    if input.ndim == 0:
        raise RuntimeError(f"{op}: expected input of shape (C) or (N, C), got a 0-d tensor")
    losses = neg(add(mul(target, logsigmoid(input)), mul(rsub(target, 1.0), logsigmoid(neg(input)))))
    if weight is not None:
        _broadcast(op, input=input, target=target, weight=weight)
        losses = mul(losses, weight)
    class_dim = input.ndim - 1
    return _reduce(div(sum(losses, class_dim), input.shape[class_dim]), reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Tensor:
    """exp(input) - target * input (log_input), else input - target * log(input + eps); full adds
    Stirling's approximation target * log(target) - target + 0.5 * log(2 pi target) where target > 1."""
    op = "poisson_nll_loss"
    check_reduction(reduction, op)
    _broadcast(op, input=input, target=target)
    _check_float(input, "input", op)
    if target._data.dtype.kind != "f":  # counts given as integers
        target = _wrap(target._data.astype(input._data.dtype))
    if log_input:
        losses = sub(exp(input), mul(target, input))
    else:
        losses = sub(input, mul(target, log(add(input, eps))))
    if full:
        small = _wrap(np.asarray(target._data <= 1))
        safe = where(small, 2.0, target)  # log of a target <= 1 is never taken, nor differentiated
        stirling = add(sub(mul(safe, log(safe)), safe), mul(log(mul(safe, 2.0 * math.pi)), 0.5))
        losses = add(losses, where(small, 0.0, stirling))
    return _reduce(losses, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """0.5 * (log(max(var, eps)) + (input - target) ** 2 / max(var, eps)) (+ 0.5 log(2 pi) if full).

    var has the input's shape, or one dim fewer, or a last dim of 1 (homoscedastic), or is a
    number. As in PyTorch, the clamp at eps changes the value only: the gradient flows to var as
    if it had not been clamped.
    """
    op = "gaussian_nll_loss"
    check_reduction(reduction, op)
    _check_float(input, "input", op)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"{op}: var has negative entry/entries (got {var})")
        var = _wrap(np.full(input.shape, var, dtype=input._data.dtype))
    _check_float(var, "var", op)
    shape, var_shape = input._data.shape, var._data.shape
    if var_shape != shape:
        if shape[:-1] == var_shape:
            var = unsqueeze(var, -1)
        elif not (var_shape and shape[:-1] == var_shape[:-1] and var_shape[-1] == 1):
            raise ValueError(
                f"{op}: var is of incorrect size: expected {list(shape)}, {list(shape[:-1])} or "
                f"{list(shape[:-1]) + [1]} for input of shape {list(shape)}, got {list(var_shape)}"
            )
    _broadcast(op, input=input, target=target, var=var)
    v = var._data
    if v.size and (v < 0).any():
        raise ValueError(f"{op}: var has negative entry/entries")
    var = add(var, _wrap(np.maximum(v, eps) - v))  # clamped value, unclamped gradient
    losses = mul(add(log(var), div(square(sub(input, target)), var)), 0.5)
    if full:
        losses = add(losses, 0.5 * math.log(2.0 * math.pi))
    return _reduce(losses, reduction)


from .activation import softplus  # noqa: E402
from .composed_nn import logsigmoid, pairwise_distance  # noqa: E402
from .elementwise import (  # noqa: E402
    add,
    clamp,
    div,
    exp,
    log,
    minimum,
    mul,
    neg,
    relu,
    rsub,
    sqrt,
    square,
    sub,
    where,
)
from .index import gather, index_select  # noqa: E402
from .loss import _check_float, _reduce, check_reduction  # noqa: E402
from .reduce import sum  # noqa: E402
from .shape import reshape, unsqueeze  # noqa: E402
