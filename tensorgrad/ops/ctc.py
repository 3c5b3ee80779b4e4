"""ctc_loss: the Connectionist Temporal Classification loss (Graves et al., 2006).

-log p(target | log_probs), where p sums, over every alignment of T frames that collapses to the
target (merge repeats, then drop blanks), the product of the frames' probabilities. The forward
runs the alpha recursion over the extended target (blank, l1, blank, l2, ..., blank) in log space,
in float64 and vectorised over the batch; the backward runs the beta recursion and returns the
true gradient with respect to log_probs:

    d loss_n / d log_probs[t, n, c]
        = -sum over s with l'_s = c of exp(alpha_t(s) + beta_t(s) - log_probs[t, n, c] + loss_n)

(PyTorch's kernel adds exp(log_probs) to this, a term that vanishes when log_probs come out of
log_softmax, as they normally do; for other inputs only this one is the gradient.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, _wrap


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """a moved k places right (k > 0) or left (k < 0) along its last axis, filled with -inf."""
    out = np.full_like(a, -np.inf)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CTCLoss(Function):
    """Per-sample CTC losses (N,) of log_probs (T, N, C) against padded targets (N, S)."""

    @staticmethod
    def forward(
        ctx: Any,
        log_probs: Tensor,
        targets: np.ndarray,
        input_lengths: np.ndarray,
        target_lengths: np.ndarray,
        blank: int,
        zero_infinity: bool,
    ) -> Tensor:
        lp = log_probs._data.astype(np.float64)
        steps, n = lp.shape[0], lp.shape[1]
        width = 2 * targets.shape[1] + 1
        ext = np.full((n, width), blank, dtype=np.int64)  # blank, l1, blank, l2, ..., blank
        ext[:, 1::2] = targets
        valid = np.arange(width) < (2 * target_lengths + 1)[:, None]
        skip = np.zeros((n, width), dtype=bool)  # s - 2 -> s allowed: a label unlike the one before
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        emit = np.where(valid, lp[:, np.arange(n)[:, None], ext], -np.inf)  # (T, N, width)
        alpha = np.full((steps, n, width), -np.inf)
        if steps:
            alpha[0, :, :2] = emit[0, :, :2]
        for t in range(1, steps):
            a = alpha[t - 1]
            reach = np.logaddexp(np.logaddexp(a, _shift(a, 1)), np.where(skip, _shift(a, 2), -np.inf))
            alpha[t] = reach + emit[t]
        rows = np.arange(n)
        last = np.maximum(input_lengths - 1, 0)
        end = 2 * target_lengths
        final = alpha[last, rows, end] if steps else np.full(n, -np.inf)
        before = alpha[last, rows, np.maximum(end - 1, 0)] if steps else final
        loglik = np.logaddexp(final, np.where(target_lengths > 0, before, -np.inf))
        no_frames = input_lengths == 0
        loglik[no_frames] = np.where(target_lengths[no_frames] == 0, 0.0, -np.inf)
        losses = -loglik
        infinite = np.isinf(losses)
        if zero_infinity:
            losses[infinite] = 0.0
        ctx.state = (alpha, emit, ext, skip, input_lengths, target_lengths, -loglik, infinite, zero_infinity)
        ctx.shape = lp.shape
        ctx.dtype = log_probs._data.dtype
        return _wrap(losses.astype(ctx.dtype))

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple:
        alpha, emit, ext, skip, input_lengths, target_lengths, nll, infinite, zero_infinity = ctx.state
        steps, n, classes = ctx.shape
        end = 2 * target_lengths
        width = ext.shape[1]
        s_range = np.arange(width)
        ends = (s_range == end[:, None]) | ((s_range == (end - 1)[:, None]) & (target_lengths > 0)[:, None])
        beta = np.full((steps, n, width), -np.inf)
        later = np.full((n, width), -np.inf)
        skip_next = np.zeros_like(skip)  # s -> s + 2 allowed
        skip_next[:, :-2] = skip[:, 2:]
        for t in range(steps - 1, -1, -1):
            reach = np.logaddexp(
                np.logaddexp(later, _shift(later, -1)), np.where(skip_next, _shift(later, -2), -np.inf)
            )
            first = (t == input_lengths - 1)[:, None]
            inside = (t < input_lengths - 1)[:, None]
            beta[t] = np.where(first & ends, emit[t], np.where(inside, reach + emit[t], -np.inf))
            later = beta[t]
        with np.errstate(invalid="ignore"):  # an impossible target: -inf + inf, as in PyTorch
            posterior = np.exp(alpha + beta - emit + nll[None, :, None])
        posterior[np.isneginf(beta)] = 0.0
        g = np.zeros((steps, n, classes))
        rows = np.arange(n)
        for s in range(width):  # one class per (t, n) for each s: no repeated writes
            g[:, rows, ext[:, s]] -= posterior[:, :, s]
        if zero_infinity:
            g[:, infinite, :] = 0.0
        else:
            g[:, infinite, :] = np.nan
        g *= grad._data.astype(np.float64)[None, :, None]
        return _wrap(g.astype(ctx.dtype)), None, None, None, None, None


def _lengths(lengths: Any, n: int, name: str, op: str) -> np.ndarray:
    """input_lengths / target_lengths (a tensor, a sequence or an int) as n int64 values."""
    arr = lengths._data if isinstance(lengths, Tensor) else np.asarray(lengths)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: {name} must hold integers, got dtype {arr.dtype}")
    arr = arr.reshape(-1).astype(np.int64)
    if arr.size != n:
        raise RuntimeError(f"{op}: {name} must have one entry per batch element ({n}), got {arr.size}")
    if arr.size and arr.min() < 0:
        raise RuntimeError(f"{op}: {name} must be non-negative, got {arr.tolist()}")
    return arr


def _padded_targets(targets: Any, target_lengths: np.ndarray, n: int, batched: bool, op: str) -> np.ndarray:
    """The targets as an (N, S) int64 array, from a padded (N, S) or a concatenated 1-D tensor."""
    if not isinstance(targets, Tensor) or targets._data.dtype.kind not in "iu":
        kind = targets._data.dtype if isinstance(targets, Tensor) else type(targets).__name__
        raise RuntimeError(f"{op}: targets must be an integer Tensor, got {kind}")
    t = targets._data.astype(np.int64)
    longest = int(target_lengths.max()) if n else 0
    if (batched and t.ndim == 2) or (not batched and t.ndim == 1):
        t = t.reshape(n, -1)
        if t.shape[1] < longest:
            raise RuntimeError(
                f"{op}: expected targets to have size at least {longest} at dimension 1 (the longest "
                f"target length), but got targets of shape {list(targets.shape)}"
            )
        return t[:, :longest]
    if not batched or t.ndim != 1:
        expected = "(N, S) or concatenated 1-D" if batched else "1-D (S,)"
        raise RuntimeError(f"{op}: expected {expected} targets, got shape {list(targets.shape)}")
    total = int(target_lengths.sum())
    if t.size < total:
        raise RuntimeError(
            f"{op}: concatenated targets of length {t.size} are shorter than the sum of "
            f"target_lengths ({total})"
        )
    padded = np.zeros((n, longest), dtype=np.int64)
    starts = np.cumsum(target_lengths) - target_lengths
    for i in range(n):
        padded[i, : target_lengths[i]] = t[starts[i] : starts[i] + target_lengths[i]]
    return padded


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss of log_probs (T, N, C) (or (T, C) unbatched) against targets, padded (N, S)
    or concatenated (sum(target_lengths),); 'mean' divides each loss by its target length
    (at least 1) before averaging over the batch; zero_infinity turns infinite losses (targets
    no alignment can produce) and their gradients into zeros."""
    op = "ctc_loss"
    check_reduction(reduction, op)
    _check_float(log_probs, "log_probs", op)
    shape = log_probs._data.shape
    if len(shape) not in (2, 3):
        raise RuntimeError(f"{op}: expected log_probs of shape (T, N, C) or (T, C), got shape {list(shape)}")
    batched = len(shape) == 3
    x = log_probs if batched else unsqueeze(log_probs, 1)
    steps, n, classes = x._data.shape
    if not 0 <= blank < classes:
        raise RuntimeError(f"{op}: blank must be in label range [0, {classes}), got {blank}")
    in_len = _lengths(input_lengths, n, "input_lengths", op)
    tgt_len = _lengths(target_lengths, n, "target_lengths", op)
    if in_len.size and in_len.max() > steps:
        raise RuntimeError(
            f"{op}: expected input_lengths to have value at most {steps} (T), "
            f"but got value {int(in_len.max())}"
        )
    padded = _padded_targets(targets, tgt_len, n, batched, op)
    in_target = np.arange(padded.shape[1]) < tgt_len[:, None]
    used = padded[in_target]
    if used.size and (used.min() < 0 or used.max() >= classes):
        raise RuntimeError(
            f"{op}: target values must be class indices in [0, {classes}), got {used.tolist()}"
        )
    padded = np.where(in_target, padded, blank)  # the padding is never read as a class
    losses = CTCLoss.apply(x, padded, in_len, tgt_len, blank, zero_infinity)
    if not batched:
        losses = reshape(losses, ())
    if reduction == "mean":
        per_symbol = _wrap(np.maximum(tgt_len, 1).astype(x._data.dtype).reshape(losses.shape))
        return mean(div(losses, per_symbol))
    return _reduce(losses, reduction)


from .elementwise import div  # noqa: E402
from .loss import _check_float, _reduce, check_reduction  # noqa: E402
from .reduce import mean  # noqa: E402
from .shape import reshape, unsqueeze  # noqa: E402
