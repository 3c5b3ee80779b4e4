"""multilabel_margin_loss and triplet_margin_with_distance_loss, composed from differentiable ops
(so their gradients, first and second, come from those ops). `reduction` is already resolved
from the legacy size_average/reduce arguments by nn.functional.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..tensor import Tensor, _wrap


def multilabel_margin_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Per sample, sum over target classes j and non-target classes i of
    max(0, 1 - (x[j] - x[i])) / C.

    input is (C,), (N, C) or 0-d; target has input's shape and holds the target classes of each
    sample, ended by the first -1 (the classes after it are ignored).
    """
    op = "multilabel_margin_loss"
    check_reduction(reduction, op)
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
    if target._data.shape != shape:
        raise RuntimeError(
            f"{op}: inconsistent target size: {list(target.shape)} for input of size: {list(shape)}"
        )
    rows, classes = (shape[0], shape[1]) if len(shape) == 2 else (1, shape[0] if shape else 1)
    y = target._data.reshape(rows, classes)
    if y.size and (y.min() < -1 or y.max() >= classes):
        raise RuntimeError(f"{op}: target values must be in [-1, {classes}), got {y.tolist()}")
    slots = np.cumprod(y != -1, axis=1).astype(bool)  # the slots before the first -1
    picked = np.where(slots, y, 0)
    is_target = np.zeros((rows, classes), dtype=bool)
    sample = np.broadcast_to(np.arange(rows)[:, None], y.shape)
    is_target[sample[slots], picked[slots]] = True
    x = reshape(input, (rows, classes))
    x_target = gather(x, 1, _wrap(picked))  # (N, slots)
    z = add(sub(unsqueeze(x, 1), unsqueeze(x_target, 2)), 1.0)  # 1 - x[y_k] + x[i]: (N, slots, C)
    counted = slots[:, :, None] & ~is_target[:, None, :]
    losses = div(sum(mul(relu(z), _wrap(counted.astype(input._data.dtype))), (1, 2)), classes)
    if reduction == "none":
        return reshape(losses, ()) if len(shape) < 2 else losses
    return _reduce(losses, reduction)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d being distance_function
    (pairwise_distance by default); swap uses min(d(a, n), d(p, n)) as the negative distance."""
    op = "triplet_margin_with_distance_loss"
    check_reduction(reduction, op)
    if margin <= 0:
        raise ValueError(f"{op}: expected margin to be greater than 0, got {margin} instead")
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            f"{op}: The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
            f"{negative.ndim}D inputs"
        )
    distance = pairwise_distance if distance_function is None else distance_function
    to_positive = distance(anchor, positive)
    to_negative = distance(anchor, negative)
    if swap:
        to_negative = minimum(to_negative, distance(positive, negative))
    return _reduce(clamp(sub(add(to_positive, margin), to_negative), min=0.0), reduction)


from .composed_nn import pairwise_distance  # noqa: E402
from .elementwise import add, clamp, div, minimum, mul, relu, sub  # noqa: E402
from .index import gather  # noqa: E402
from .loss import _check_float, _reduce, check_reduction  # noqa: E402
from .reduce import sum  # noqa: E402
from .shape import reshape, unsqueeze  # noqa: E402
