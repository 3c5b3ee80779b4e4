"""The random layers of nn.functional: rrelu, channel dropout (dropout1d, dropout2d, dropout3d),
alpha_dropout and gumbel_softmax.

Each draws its randomness as a constant array from tensorgrad's generator (so
`tensorgrad.manual_seed` makes it repeat) and applies it with differentiable ops: the gradient
flows through the kept values, scaled as in the forward.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap, normalize_dim
from ._util import require_float
from .creation import generator
from .elementwise import add, div, mul, sub
from .inplace import apply_inplace
from .reduce import softmax

# SELU's scale * alpha: alpha_dropout sets dropped values to -_ALPHA_PRIME before its affine fix-up
_ALPHA_PRIME = 1.7580993408473766


def _float_input(input: Any, op: str) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    require_float(input, op)
    return input._data


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """1 with probability 1 - p, else 0, drawn from the generator."""
    return (generator().random(shape) >= p).astype(dtype)


def _multiply(input: Tensor, factor: np.ndarray, inplace: bool, op: str) -> Tensor:
    if inplace:
        return apply_inplace(input, mul, (_wrap(factor),), op + "_")
    return mul(input, _wrap(factor))


# ---- rrelu ---------------------------------------------------------------------------------------


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """x where x >= 0, else a * x: a drawn uniformly from [lower, upper] per element in training,
    (lower + upper) / 2 otherwise."""
    x = _float_input(input, "rrelu")
    if lower > upper:
        raise RuntimeError(
            f"rrelu: Lower bound should be less than or equal to the upper bound, got lower={lower}, "
            f"upper={upper}"
        )
    if training:
        slopes = generator().uniform(lower, upper, x.shape)
    else:
        slopes = (lower + upper) / 2
    noise = np.where(x <= 0, slopes, 1.0).astype(x.dtype)
    return _multiply(input, noise, inplace, "rrelu")


# ---- dropout -------------------------------------------------------------------------------------


def _feature_dropout(
    input: Tensor, p: float, training: bool, inplace: bool, op: str, channel_dim: int = 1
) -> Tensor:
    """Zero whole channels (dim `channel_dim`) with probability p, scale the rest by 1 / (1 - p)."""
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"{op}: Feature dropout requires at least 2 dimensions in the input")
    if not training or p == 0.0:
        return input
    mask = _keep_mask(x.shape[: channel_dim + 1] + (1,) * (x.ndim - channel_dim - 1), p, x.dtype)
    if p < 1.0:
        mask *= x.dtype.type(1.0 / (1.0 - p))
    return _multiply(input, mask, inplace, op)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each channel of (N, C, L) or (C, L) with probability p (scaling the rest by
    1 / (1 - p)) in training."""
    _check_p(p)
    x = _float_input(input, "dropout1d")
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
            "dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        )
    return _feature_dropout(input, p, training, inplace, "dropout1d", channel_dim=x.ndim - 2)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each channel (dim 1) of (N, C, H, W) with probability p (scaling the rest by
    1 / (1 - p)) in training. As in PyTorch, a 3-D input is taken as (N, C, L), with a warning."""
    _check_p(p)
    x = _float_input(input, "dropout2d")
    if x.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated and will result "
            "in an error in a future release. To retain the behavior and silence this warning, please "
            "use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs "
            "with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D "
            "or 4D inputs).",
            stacklevel=2,
        )
    if x.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
            "dim. This behavior will change in a future release to interpret the input as one without "
            "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
            "behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, inplace, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each channel of (N, C, D, H, W) or (C, D, H, W) with probability p (scaling the rest by
    1 / (1 - p)) in training. As in PyTorch, other ranks warn and are taken as unbatched."""
    _check_p(p)
    x = _float_input(input, "dropout3d")
    if x.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated and will result "
            "in an error in a future release. To retain the behavior and silence this warning, please "
            "use dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs "
            "with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D "
            "or 5D inputs).",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, inplace, "dropout3d", channel_dim=1 if x.ndim == 5 else 0)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout that keeps SELU's zero mean and unit variance: dropped values become SELU's
    negative saturation -scale * alpha, then an affine a * y + b restores the statistics."""
    _check_p(p)
    x = _float_input(input, "alpha_dropout")
    if not training or p == 0.0 or x.size == 0:
        return input
    if p == 1.0:
        return _multiply(input, np.zeros((), x.dtype), inplace, "alpha_dropout")
    keep = _keep_mask(x.shape, p, x.dtype)
    a = 1.0 / math.sqrt((_ALPHA_PRIME**2 * p + 1) * (1 - p))
    shift = _wrap(((keep - 1) * _ALPHA_PRIME * a + _ALPHA_PRIME * a * p).astype(x.dtype))
    scale = _wrap(keep * x.dtype.type(a))
    if inplace:
        return apply_inplace(input, _scale_shift, (scale, shift), "alpha_dropout_")
    return _scale_shift(input, scale, shift)


def _scale_shift(input: Tensor, scale: Tensor, shift: Tensor) -> Tensor:
    return add(mul(input, scale), shift)


# ---- gumbel softmax ------------------------------------------------------------------------------


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """softmax((logits + g) / tau) along dim, g standard Gumbel noise from the generator.

    hard=True returns the one-hot of its argmax in the forward and the soft sample's gradient
    in the backward (the straight-through estimator)."""
    x = _float_input(logits, "gumbel_softmax")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -np.log(generator().exponential(size=x.shape)).astype(x.dtype)
    y_soft = softmax(div(add(logits, _wrap(gumbels)), tau), dim)
    if not hard:
        return y_soft
    soft = np.atleast_1d(y_soft._data)
    axis = normalize_dim(dim, soft.ndim, "gumbel_softmax")
    y_hard = np.zeros_like(soft)
    np.put_along_axis(y_hard, np.argmax(soft, axis=axis, keepdims=True), 1.0, axis=axis)
    y_hard = y_hard.reshape(x.shape)
    return add(sub(_wrap(y_hard), y_soft.detach()), y_soft)
