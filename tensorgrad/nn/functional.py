"""`tensorgrad.nn.functional`: PyTorch's functional API over tensorgrad's ops.

Most names are the ops themselves (ops/ holds their forward, backward and kernels); what lives
here is the PyTorch-facing glue: the legacy `size_average`/`reduce` arguments, `inplace=`
flags, dropout's mask, `pad`, and attention, which is composed from differentiable ops.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..ops import composed_layers as _layers
from ..ops import composed_losses as _closs
from ..ops import composed_nn as _nn
from ..ops import loss as _loss
from ..ops import margin_losses as _mloss
from ..ops.activation import gelu, softplus
from ..ops.activation import leaky_relu as _leaky_relu
from ..ops.activation import silu as _silu
from ..ops.adaptive_pool import adaptive_avg_pool2d
from ..ops.adaptive_pool_more import adaptive_avg_pool1d, adaptive_max_pool1d, adaptive_max_pool2d
from ..ops.composed_layers import (
    bilinear,
    channel_shuffle,
    fold,
    hardshrink,
    instance_norm,
    local_response_norm,
    pdist,
    pixel_shuffle,
    pixel_unshuffle,
    softshrink,
    unfold,
)
from ..ops.composed_losses import gaussian_nll_loss
from ..ops.composed_nn import (
    cosine_similarity,
    glu,
    group_norm,
    logsigmoid,
    normalize,
    one_hot,
    pairwise_distance,
    prelu,
    softsign,
    tanhshrink,
)
from ..ops.conv import conv2d
from ..ops.conv3d import conv3d, conv_transpose3d
from ..ops.conv_transpose import conv_transpose2d
from ..ops.creation import generator
from ..ops.ctc import ctc_loss
from ..ops.elementwise import mul, sigmoid, tanh
from ..ops.elementwise import relu as _relu
from ..ops.embedding import embedding
from ..ops.embedding_bag import embedding_bag
from ..ops.grid_sample import affine_grid, grid_sample
from ..ops.inplace import apply_inplace
from ..ops.interpolate import interpolate
from ..ops.margin_losses import triplet_margin_with_distance_loss
from ..ops.matmul import linear, matmul
from ..ops.norm import batch_norm, layer_norm
from ..ops.pool import avg_pool2d, max_pool2d
from ..ops.pool3d import adaptive_avg_pool3d, avg_pool3d, max_pool3d
from ..ops.random_layers import alpha_dropout, dropout1d, dropout2d, dropout3d, gumbel_softmax, rrelu
from ..ops.reduce import log_softmax as _log_softmax
from ..ops.reduce import softmax as _softmax
from ..ops.shape import cat, narrow, squeeze, transpose, unsqueeze
from ..tensor import Tensor, _wrap

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "affine_grid",
    "alpha_dropout",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "channel_shuffle",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "ctc_loss",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "elu",
    "embedding",
    "embedding_bag",
    "fold",
    "gaussian_nll_loss",
    "gelu",
    "glu",
    "grid_sample",
    "group_norm",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hinge_embedding_loss",
    "huber_loss",
    "instance_norm",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "local_response_norm",
    "log_softmax",
    "logsigmoid",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "mish",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "poisson_nll_loss",
    "prelu",
    "relu",
    "relu6",
    "rrelu",
    "scaled_dot_product_attention",
    "selu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "soft_margin_loss",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "unfold",
]


# ---- activations ---------------------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    if inplace:
        return apply_inplace(input, _relu, (), "relu_")
    return _relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    if inplace:
        return apply_inplace(input, _leaky_relu, (negative_slope,), "leaky_relu_")
    return _leaky_relu(input, negative_slope)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    if inplace:
        return apply_inplace(input, _silu, (), "silu_")
    return _silu(input)


def _maybe_inplace(input: Tensor, fn: Any, args: tuple, inplace: bool, name: str) -> Tensor:
    return apply_inplace(input, fn, args, name + "_") if inplace else fn(input, *args)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return _maybe_inplace(input, _nn.elu, (alpha,), inplace, "elu")


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, _nn.selu, (), inplace, "selu")


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, _nn.hardtanh, (min_val, max_val), inplace, "hardtanh")


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, _nn.relu6, (), inplace, "relu6")


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, _nn.hardsigmoid, (), inplace, "hardsigmoid")


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, _nn.hardswish, (), inplace, "hardswish")


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, _nn.mish, (), inplace, "mish")


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    return _maybe_inplace(input, _nn.threshold, (threshold, value), inplace, "threshold")


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    return _maybe_inplace(input, _layers.celu, (alpha,), inplace, "celu")


def _softmax_dim(ndim: int, name: str) -> int:
    """PyTorch's legacy choice when no dim is given (with its warning)."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x), dim)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """x - logsumexp(x, dim)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return _log_softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(-x, dim)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmin")
    return _layers.softmin(input, dim, dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (identity unless training).

    The mask comes from tensorgrad's generator, so `tensorgrad.manual_seed` makes it repeat.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    x = input._data
    if x.dtype.kind != "f":
        raise TypeError(f"dropout: expected a floating point tensor, got dtype {x.dtype}")
    if p == 1.0:
        mask = np.zeros(x.shape, x.dtype)
    else:
        keep = generator().random(x.shape, dtype=x.dtype) >= p
        mask = np.asarray(np.multiply(keep, x.dtype.type(1.0 / (1.0 - p)), dtype=x.dtype))
    if inplace:
        return apply_inplace(input, mul, (_wrap(mask),), "dropout_")
    return mul(input, _wrap(mask))


# ---- losses --------------------------------------------------------------------------------------


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction meant by PyTorch's deprecated size_average/reduce arguments."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction instead.", stacklevel=3
    )
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits against class indices (or class probabilities), fused in one kernel."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    return _loss.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities against class indices."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _loss.nll_loss(input, target, weight, ignore_index, reduction)


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean squared error."""
    return _loss.mse_loss(input, target, legacy_reduction(size_average, reduce, reduction))


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean absolute error."""
    return _loss.l1_loss(input, target, legacy_reduction(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of logits (sigmoid folded in, stable for large |x|)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _loss.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Squared error below beta, absolute error above (Huber divided by beta)."""
    return _nn.smooth_l1_loss(input, target, legacy_reduction(size_average, reduce, reduction), beta)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Squared error below delta, delta times the absolute error above."""
    return _nn.huber_loss(input, target, reduction, delta)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities (use binary_cross_entropy_with_logits for logits)."""
    return _nn.binary_cross_entropy(input, target, weight, legacy_reduction(size_average, reduce, reduction))


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """KL divergence of target from input (log-probabilities); 'batchmean' is the true KL."""
    return _nn.kl_div(input, target, legacy_reduction(size_average, reduce, reduction), log_target)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _closs.margin_ranking_loss(input1, input2, target, margin, reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """x where target is 1, max(0, margin - x) where target is -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _closs.hinge_embedding_loss(input, target, margin, reduction)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """log(1 + exp(-target * input))."""
    return _closs.soft_margin_loss(input, target, legacy_reduction(size_average, reduce, reduction))


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where target is -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _closs.cosine_embedding_loss(input1, input2, target, margin, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, d(anchor, positive) - d(anchor, negative) + margin) with pairwise p-norm distances."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _closs.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss of scores (N, C) against class indices (N,)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _closs.multi_margin_loss(input, target, p, margin, weight, reduction)


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class multi-label hinge loss of scores (N, C) against target classes (N, C) ended by -1."""
    return _mloss.multilabel_margin_loss(input, target, legacy_reduction(size_average, reduce, reduction))


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of logits, averaged over the classes of each sample."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _closs.multilabel_soft_margin_loss(input, target, weight, reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of a Poisson target with rate exp(input) (or input if not log_input)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _closs.poisson_nll_loss(input, target, log_input, full, eps, reduction)


# ---- 1-d convolution and pooling: the 2-d ops on a height of 1 -----------------------------------


def _as_2d(input: Tensor, op: str) -> Tensor:
    if not isinstance(input, Tensor) or input._data.ndim not in (2, 3):
        shape = list(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"{op}: expected a 2-D (unbatched) or 3-D (batched) input, got {shape}")
    return unsqueeze(input, -2)


def _one(value: Any, op: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise RuntimeError(f"{op}: expected an int or a 1-tuple, got {value!r}")
        return int(value[0])
    return int(value)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution: input (N, C, L) or (C, L), weight (O, C/groups, k)."""
    x = _as_2d(input, "conv1d")
    if not isinstance(weight, Tensor) or weight._data.ndim != 3:
        shape = list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"conv1d: expected a 3-D weight (out_channels, in_channels/groups, k), got {shape}"
        )
    pad = padding if isinstance(padding, str) else (0, _one(padding, "conv1d"))
    out = conv2d(
        x,
        unsqueeze(weight, -2),
        bias,
        (1, _one(stride, "conv1d")),
        pad,
        (1, _one(dilation, "conv1d")),
        groups,
    )
    return squeeze(out, -2)


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """1-D transposed convolution: input (N, C_in, L) or (C_in, L), weight (C_in, C_out/groups, k)."""
    x = _as_2d(input, "conv_transpose1d")
    if not isinstance(weight, Tensor) or weight._data.ndim != 3:
        shape = list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"conv_transpose1d: expected a 3-D weight (in_channels, out_channels/groups, k), got {shape}"
        )
    if isinstance(padding, str):
        raise TypeError(f"conv_transpose1d: padding must be an int or a 1-tuple, got {padding!r}")
    out = conv_transpose2d(
        x,
        unsqueeze(weight, -2),
        bias,
        (1, _one(stride, "conv_transpose1d")),
        (0, _one(padding, "conv_transpose1d")),
        (0, _one(output_padding, "conv_transpose1d")),
        groups,
        (1, _one(dilation, "conv_transpose1d")),
    )
    return squeeze(out, -2)


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over sliding windows along the last dim of (N, C, L) or (C, L)."""
    k = _one(kernel_size, "max_pool1d")
    s = k if stride is None or stride == () else _one(stride, "max_pool1d")
    out = max_pool2d(
        _as_2d(input, "max_pool1d"), (1, k), (1, s), (0, _one(padding, "max_pool1d")),
        (1, _one(dilation, "max_pool1d")), ceil_mode, return_indices,
    )  # fmt: skip
    if return_indices:
        return squeeze(out[0], -2), squeeze(out[1], -2)
    return squeeze(out, -2)


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over sliding windows along the last dim of (N, C, L) or (C, L)."""
    k = _one(kernel_size, "avg_pool1d")
    s = k if stride is None or stride == () else _one(stride, "avg_pool1d")
    out = avg_pool2d(
        _as_2d(input, "avg_pool1d"),
        (1, k),
        (1, s),
        (0, _one(padding, "avg_pool1d")),
        ceil_mode,
        count_include_pad,
    )
    return squeeze(out, -2)


# ---- padding ---------------------------------------------------------------------------------------


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 dims: pad = (last_left, last_right, 2nd_last_left, ...).

    mode "constant" fills with `value` (negative amounts crop); "reflect" mirrors the input without
    repeating its edge, "replicate" repeats the edge, "circular" wraps around, as in PyTorch.
    """
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r}; expected one of {_PAD_MODES}")
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: expected a Tensor, got {type(input).__name__}")
    amounts = tuple(int(p) for p in pad)
    nd = input.ndim
    if len(amounts) % 2 or len(amounts) // 2 > nd:
        raise ValueError(
            f"pad: padding length must be even and at most twice the input's dims ({nd}), got {len(amounts)}"
        )
    if mode != "constant":
        if value is not None:
            raise ValueError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
        return _pad_from_input(input, amounts, mode)
    fill = 0.0 if value is None else value
    out = input
    for i in range(len(amounts) // 2):
        dim = nd - 1 - i
        before, after = amounts[2 * i], amounts[2 * i + 1]
        size = out.shape[dim]
        if before < 0 or after < 0:
            start = max(-before, 0)
            length = size - start - max(-after, 0)
            if length < 0:
                raise RuntimeError(
                    f"pad: cropping {-before}, {-after} from dim {dim} of size {size} leaves nothing"
                )
            out = narrow(out, dim, start, length)
        pieces = []
        if before > 0:
            pieces.append(_constant_like(out, dim, before, fill))
        pieces.append(out)
        if after > 0:
            pieces.append(_constant_like(out, dim, after, fill))
        if len(pieces) > 1:
            out = cat(pieces, dim)
    return out


def _pad_from_input(input: Tensor, amounts: tuple, mode: str) -> Tensor:
    """reflect/replicate/circular: each padded dim gathers its values from input positions, so the
    gradient flows back (and accumulates) through indexing."""
    out = input
    for i in range(len(amounts) // 2):
        dim = input.ndim - 1 - i
        before, after = amounts[2 * i], amounts[2 * i + 1]
        size = out.shape[dim]
        if min(before, after) < 0:
            raise RuntimeError(f"pad: {mode} padding ({before}, {after}) of dim {dim} must be non-negative")
        if size == 0:
            raise RuntimeError(f"pad: {mode} padding needs a non-empty dim {dim}")
        limit = {"reflect": size - 1, "circular": size}.get(mode)  # reflect does not repeat the edge
        if limit is not None and max(before, after) > limit:
            raise RuntimeError(
                f"pad: {mode} padding ({before}, {after}) of dim {dim} must be at most {limit} "
                f"for its size {size}"
            )
        positions = np.arange(-before, size + after)
        if mode == "replicate":
            source = np.clip(positions, 0, size - 1)
        elif mode == "circular":
            source = positions % size
        else:
            period = 2 * (size - 1) if size > 1 else 1
            source = np.abs(positions) % period
            source = np.where(source >= size, period - source, source)
        out = out[(slice(None),) * dim + (_wrap(source.astype(np.int64)),)]
    return out


def _constant_like(t: Tensor, dim: int, size: int, value: float) -> Tensor:
    shape = list(t.shape)
    shape[dim] = size
    return _wrap(np.full(shape, value, dtype=t.dtype))


# ---- attention ---------------------------------------------------------------------------------------


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value over the last two dims.

    A bool attn_mask marks the positions that may be attended (True = attend); a float one is
    added to the scores. is_causal masks out the future (key position > query position).
    """
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(
                "scaled_dot_product_attention: explicit attn_mask should not be set when is_causal=True"
            )
        bias = causal_bias(query.shape[-2], key.shape[-2], query.dtype)
    else:
        bias = attention_bias(attn_mask, query.dtype, True)
    return attention(query, key, value, bias, dropout_p, scale)[0]


def causal_bias(queries: int, keys: int, dtype: np.dtype) -> Tensor:
    """0 where key position <= query position, -inf elsewhere."""
    return _wrap(np.triu(np.full((queries, keys), -np.inf, dtype=dtype), 1))


def attention_bias(mask: Tensor | None, dtype: np.dtype, attend: bool) -> Tensor | None:
    """An attention mask as a float tensor added to the scores.

    A bool mask becomes 0 where its value equals `attend` and -inf elsewhere (True means "attend"
    for scaled_dot_product_attention, "masked out" for MultiheadAttention); a float mask is
    used as it is.
    """
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"attention mask must be a Tensor, got {type(mask).__name__}")
    if mask.dtype == np.bool_:
        return _wrap(np.where(mask._data == attend, dtype.type(0), dtype.type(-np.inf)))
    if mask.dtype != dtype:
        raise TypeError(f"attention mask must be bool or of the query's dtype {dtype}, got {mask.dtype}")
    return mask


def attention(
    query: Tensor, key: Tensor, value: Tensor, bias: Tensor | None, dropout_p: float, scale: float | None
) -> tuple[Tensor, Tensor]:
    """(output, attention weights) of softmax(query @ key^T * scale + bias) @ value."""
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = matmul(mul(query, scale), transpose(key, -2, -1))
    if bias is not None:
        scores = scores + bias
    weights = _softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return matmul(weights, value), weights
