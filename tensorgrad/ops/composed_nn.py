"""More of nn.functional, composed from existing ops (their gradients, first and second, come
from those ops): activations (elu, selu, relu6, hardtanh, hardsigmoid, hardswish, mish,
logsigmoid, softsign, tanhshrink, threshold, glu, prelu), losses (smooth_l1_loss, huber_loss,
binary_cross_entropy, kl_div) and similarities (normalize, cosine_similarity,
pairwise_distance, one_hot).

A branch that would overflow where it is not selected (exp in elu) is evaluated on clipped
input, so that its gradient there is 0, not 0 * inf.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _wrap, normalize_dim
from ._util import require_float

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---- activations ---------------------------------------------------------------------------------


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    require_float(input, "elu")
    negative = mul(expm1(minimum(input, 0.0)), alpha)
    return where(gt(input, 0.0), input, negative)


def selu(input: Tensor) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants."""
    return mul(elu(input, _SELU_ALPHA), _SELU_SCALE)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return clamp(input, min_val, max_val)


def relu6(input: Tensor) -> Tensor:
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input: Tensor) -> Tensor:
    """relu6(x + 3) / 6."""
    return div(relu6(add(input, 3.0)), 6.0)


def hardswish(input: Tensor) -> Tensor:
    """x * relu6(x + 3) / 6."""
    return mul(input, hardsigmoid(input))


def mish(input: Tensor) -> Tensor:
    """x * tanh(softplus(x))."""
    return mul(input, tanh(softplus(input)))


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), without overflow."""
    return neg(softplus(neg(input)))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return div(input, add(abs(input), 1.0))


def tanhshrink(input: Tensor) -> Tensor:
    return sub(input, tanh(input))


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """x where x > threshold, else value."""
    return where(gt(input, threshold), input, value)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), with a and b the two halves of input along dim."""
    d = normalize_dim(dim, input._data.ndim, "glu")
    if input._data.shape[d] % 2:
        raise RuntimeError(
            f"glu: halving dimension must be even, but dimension {d} is size {input._data.shape[d]}"
        )
    a, b = chunk(input, 2, d)
    return mul(a, sigmoid(b))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """max(0, x) + weight * min(0, x), with one weight per channel (dim 1) or one for all."""
    n = weight._data.size
    channels = input._data.shape[1] if input._data.ndim >= 2 else 1
    if weight._data.ndim > 1 or n not in (1, channels):
        raise RuntimeError(
            f"prelu: weight of shape {list(weight.shape)} does not match the {channels} channels of "
            f"input of shape {list(input.shape)} (expected 1 or {channels} values)"
        )
    if n > 1 and input._data.ndim >= 2:
        weight = reshape(weight, (n,) + (1,) * (input._data.ndim - 2))
    return add(relu(input), mul(weight, minimum(input, 0.0)))


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each sample over groups of channels (dim 1), then scale and shift per channel."""
    x = input._data
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise RuntimeError(
            f"group_norm: expected input with at least 2 dims and channels divisible by num_groups "
            f"({num_groups}), got shape {list(x.shape)}"
        )
    n, c = x.shape[0], x.shape[1]
    grouped = reshape(input, (n, num_groups, -1))
    out = reshape(layer_norm(grouped, (grouped._data.shape[-1],), None, None, eps), x.shape)
    per_channel = (c,) + (1,) * (x.ndim - 2)
    if weight is not None:
        out = mul(out, reshape(weight, per_channel))
    if bias is not None:
        out = add(out, reshape(bias, per_channel))
    return out


# ---- losses --------------------------------------------------------------------------------------


def _difference(input: Tensor, target: Tensor, op: str) -> Tensor:
    for name, t in (("input", input), ("target", target)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if input._data.shape != target._data.shape:
        raise RuntimeError(
            f"{op}: target of shape {list(target.shape)} must have the input's shape {list(input.shape)}"
        )
    require_float(input, op)
    return sub(input, target)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target)."""
    check_reduction(reduction, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    d = abs(_difference(input, target, "smooth_l1_loss"))
    if beta == 0:
        return _reduce(d, reduction)
    small = div(mul(mul(d, d), 0.5), beta)
    return _reduce(where(lt(d, beta), small, sub(d, 0.5 * beta)), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    check_reduction(reduction, "huber_loss")
    if delta <= 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    d = abs(_difference(input, target, "huber_loss"))
    small = mul(mul(d, d), 0.5)
    return _reduce(where(lt(d, delta), small, mul(sub(d, 0.5 * delta), delta)), reduction)


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """-(t log(x) + (1 - t) log(1 - x)), each log clamped at -100 as PyTorch does."""
    check_reduction(reduction, "binary_cross_entropy")
    _difference(input, target, "binary_cross_entropy")
    x = input._data
    if x.size and not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1")
    log_x = clamp(log(input), min=-100.0)
    log_1mx = clamp(log(rsub(input, 1.0)), min=-100.0)
    losses = neg(add(mul(target, log_x), mul(rsub(target, 1.0), log_1mx)))
    if weight is not None:
        losses = mul(losses, weight)
    return _reduce(losses, reduction)


def kl_div(input: Tensor, target: Tensor, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """target * (log(target) - input) pointwise (input holds log-probabilities); 0 where target
    is 0. reduction='batchmean' divides the sum by the batch size (the mathematically right one)."""
    if reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"kl_div: {reduction!r} is not a valid value for reduction")
    _difference(input, target, "kl_div")
    if log_target:
        losses = mul(exp(target), sub(target, input))
    else:
        t = target._data
        safe_log = log(where(_wrap(t > 0), target, 1.0))  # log(1) = 0 where target is 0
        losses = mul(target, sub(safe_log, input))
    if reduction == "batchmean":
        return div(sum(losses), input._data.shape[0] if input._data.ndim else 1)
    return _reduce(losses, reduction)


# ---- similarities --------------------------------------------------------------------------------


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """input / max(||input||_p along dim, eps)."""
    return div(input, clamp(norm(input, p, dim, keepdim=True), min=eps))


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1 . x2 / max(||x1|| ||x2||, eps) along dim (x1 and x2 broadcast)."""
    dot_product = sum(mul(x1, x2), dim)
    norms = mul(norm(x1, 2, dim), norm(x2, 2, dim))
    return div(dot_product, clamp(norms, min=eps))


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p along the last dim."""
    return norm(add(sub(x1, x2), eps), p, -1, keepdim)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 class indices as int64 one-hot vectors along a new last dim."""
    if not isinstance(tensor, Tensor) or tensor._data.dtype != np.int64:
        kind = tensor._data.dtype if isinstance(tensor, Tensor) else type(tensor).__name__
        raise RuntimeError(f"one_hot: expected an int64 tensor of class indices, got {kind}")
    x = tensor._data
    if x.size and x.min() < 0:
        raise RuntimeError("one_hot: class values must be non-negative")
    n = int(x.max()) + 1 if num_classes == -1 and x.size else num_classes
    if num_classes == -1 and not x.size:
        raise RuntimeError("one_hot: can not infer the total number of classes from an empty tensor")
    if x.size and x.max() >= n:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes ({n})")
    return _wrap((x[..., None] == np.arange(n)).astype(np.int64))


from .activation import softplus  # noqa: E402
from .elementwise import (  # noqa: E402
    abs,
    add,
    clamp,
    div,
    exp,
    gt,
    log,
    lt,
    minimum,
    mul,
    neg,
    relu,
    rsub,
    sigmoid,
    sub,
    tanh,
    where,
)
from .loss import _reduce, check_reduction  # noqa: E402
from .norm import layer_norm  # noqa: E402
from .norms import norm  # noqa: E402
from .reduce import sum  # noqa: E402
from .shape import chunk, reshape  # noqa: E402
from .unary import expm1  # noqa: E402
