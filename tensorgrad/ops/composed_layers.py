"""More of nn.functional, composed from existing differentiable ops: activations (celu, softmin,
hardshrink, softshrink), rearrangements (pixel_shuffle, pixel_unshuffle, channel_shuffle),
sliding blocks (unfold, fold), bilinear, instance_norm, local_response_norm and pdist.

unfold reads every sliding block through one integer index into the flattened image, and fold
scatter-adds through the same index: the two are the adjoint pair of indexing and its backward
(index-scatter), so each is the other's gradient and both are twice differentiable.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap
from ._util import require_float
from ._window import pair
from .composed_nn import group_norm
from .elementwise import abs, add, div, gt, lt, minimum, mul, neg, pow, sub, where
from .index import IndexScatter, getitem
from .matmul import matmul
from .norm import _check_param, _update_running, batch_norm
from .norms import norm
from .reduce import softmax, sum
from .shape import cat, narrow, permute, reshape, transpose
from .unary import expm1


def _check_tensor(input: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return input


# ---- activations ---------------------------------------------------------------------------------


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    require_float(_check_tensor(input, "celu"), "celu")
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    negative = mul(expm1(div(minimum(input, 0.0), alpha)), alpha)
    return where(gt(input, 0.0), input, negative)


def softmin(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """softmax(-x) along dim."""
    return softmax(neg(_check_tensor(input, "softmin")), dim, dtype=dtype)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    return where(gt(abs(_check_tensor(input, "hardshrink")), lambd), input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}.")
    _check_tensor(input, "softshrink")
    return where(gt(input, lambd), sub(input, lambd), where(lt(input, -lambd), add(input, lambd), 0.0))


# ---- rearrangements ------------------------------------------------------------------------------


def _check_factor(input: Any, factor: Any, name: str, op: str) -> tuple:
    x = _check_tensor(input, op)._data
    if x.ndim < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input with {x.ndim} dimension(s)"
        )
    if not isinstance(factor, (int, np.integer)) or isinstance(factor, bool) or factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor!r}")
    return x.shape


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r): each group of r^2 channels becomes an r x r block."""
    op = "pixel_shuffle"
    shape = _check_factor(input, upscale_factor, "upscale_factor", op)
    r = int(upscale_factor)
    *batch, c, h, w = shape
    if c % (r * r):
        raise RuntimeError(
            f"{op} expects its input's 'channel' dimension to be divisible by the square of "
            f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    b = len(batch)
    x = reshape(input, (*batch, c // (r * r), r, r, h, w))
    x = permute(x, (*range(b), b, b + 3, b + 1, b + 4, b + 2))
    return reshape(x, (*batch, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W): the inverse of pixel_shuffle."""
    op = "pixel_unshuffle"
    shape = _check_factor(input, downscale_factor, "downscale_factor", op)
    r = int(downscale_factor)
    *batch, c, h, w = shape
    for name, dim, size in (("height", -2, h), ("width", -1, w)):
        if size % r:
            raise RuntimeError(
                f"{op} expects {name} to be divisible by downscale_factor, but "
                f"input.size({dim})={size} is not divisible by {r}"
            )
    b = len(batch)
    x = reshape(input, (*batch, c, h // r, r, w // r, r))
    x = permute(x, (*range(b), b, b + 2, b + 4, b + 1, b + 3))
    return reshape(x, (*batch, c * r * r, h // r, w // r))


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *): the channels, seen as a (groups, C / groups) grid, read out column by column."""
    x = _check_tensor(input, "channel_shuffle")._data
    if x.ndim < 3:
        raise RuntimeError(
            f"channel_shuffle expects input to have at least 3 dimensions, but got input with {x.ndim} dims"
        )
    if groups <= 0:
        raise RuntimeError(
            "channel_shuffle: Number of groups to divide channels in must be positive. "
            f"Value of groups:{groups}"
        )
    n, c, *rest = x.shape
    if c % groups:
        raise RuntimeError(
            f"channel_shuffle: Number of channels must be divisible by groups. Got {c} channels and "
            f"{groups} groups."
        )
    grid = reshape(input, (n, groups, c // groups, *rest))
    return reshape(transpose(grid, 1, 2), x.shape)


# ---- sliding blocks: unfold and fold -------------------------------------------------------------


def _block_args(kernel_size: Any, dilation: Any, padding: Any, stride: Any, op: str) -> tuple:
    names = ("kernel_size", "dilation", "padding", "stride")
    k, d, p, s = (pair(v, n, op) for v, n in zip((kernel_size, dilation, padding, stride), names))
    if min(k) <= 0:
        raise RuntimeError(f"{op}: kernel size should be greater than zero, but got kernel_size={k}")
    if min(d) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got dilation={d}")
    if min(p) < 0:
        raise RuntimeError(f"{op}: padding should be non-negative, but got padding={p}")
    if min(s) <= 0:
        raise RuntimeError(f"{op}: stride should be greater than zero, but got stride={s}")
    return k, d, p, s


def _blocks(size: tuple, k: tuple, d: tuple, p: tuple, s: tuple, op: str) -> tuple:
    """(flat index into the H * W image, its validity mask or None, the block counts (oh, ow)).

    Index and mask are (kh * kw, L): row i for kernel element i (row-major in the kernel), column
    l for the l-th block (row-major); positions in the zero padding are clipped to the image and
    masked out."""
    counts = [(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in (0, 1)]
    if min(counts) < 1:
        raise RuntimeError(
            f"{op}: Given input with spatial size {tuple(size)}, kernel_size={k}, dilation={d}, "
            f"padding={p}, stride={s}, calculated shape of the array of sliding blocks as "
            f"{tuple(counts)}, but its components must be at least one."
        )
    # (k_i, count_i) per dim: the position of kernel element i of block j, in unpadded coordinates
    pos = [(np.arange(k[i]) * d[i])[:, None] + np.arange(counts[i]) * s[i] - p[i] for i in (0, 1)]
    inside = [(pos[i] >= 0) & (pos[i] < size[i]) for i in (0, 1)]
    rows, cols = (np.clip(pos[i], 0, size[i] - 1) for i in (0, 1))
    flat = rows[:, None, :, None] * size[1] + cols[None, :, None, :]
    valid = inside[0][:, None, :, None] & inside[1][None, :, None, :]
    blocks = (k[0] * k[1], counts[0] * counts[1])
    mask = None if valid.all() else valid.reshape(blocks)
    return flat.reshape(blocks).astype(np.int64), mask, counts


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sliding blocks of (N, C, H, W) or (C, H, W) as columns: (N, C * kh * kw, L), L blocks,
    channel-major, zero padding counted."""
    op = "unfold"
    x = _check_tensor(input, op)._data
    if x.ndim not in (3, 4) or 0 in x.shape[-3:]:
        raise RuntimeError(
            f"{op}: Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(x.shape)}"
        )
    k, d, p, s = _block_args(kernel_size, dilation, padding, stride, op)
    flat, mask, _ = _blocks(x.shape[-2:], k, d, p, s, op)
    *lead, c, h, w = x.shape
    cols = getitem(reshape(input, (*lead, c, h * w)), (Ellipsis, _wrap(flat)))
    if mask is not None:
        cols = mul(cols, _wrap(mask.astype(x.dtype)))
    return reshape(cols, (*lead, c * flat.shape[0], flat.shape[1]))


def fold(
    input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """The adjoint of unfold: columns (N, C * kh * kw, L) or (C * kh * kw, L) summed back into an
    (N, C, H, W) image (overlapping blocks add up)."""
    op = "fold"
    x = _check_tensor(input, op)._data
    if x.ndim not in (2, 3) or 0 in x.shape[-2:]:
        raise RuntimeError(
            f"{op}: Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and non-zero "
            f"dimensions for input, but got: {list(x.shape)}"
        )
    size = pair(output_size, "output_size", op)
    k, d, p, s = _block_args(kernel_size, dilation, padding, stride, op)
    *lead, ck, length = x.shape
    if ck % (k[0] * k[1]):
        raise RuntimeError(
            f"{op}: Expected size of input's dimension {len(lead)} to be divisible by the product of "
            f"kernel_size, but got input.size({len(lead)})={ck} and kernel_size={k}"
        )
    flat, mask, counts = _blocks(size, k, d, p, s, op)
    if length != flat.shape[1]:
        raise RuntimeError(
            f"{op}: Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
            f"expected size of input's dimension {len(lead) + 1} to match the calculated number of "
            f"sliding blocks {counts[0]} * {counts[1]} = {flat.shape[1]}, but got "
            f"input.size({len(lead) + 1})={length}."
        )
    c = ck // flat.shape[0]
    cols = reshape(input, (*lead, c, *flat.shape))
    if mask is not None:
        cols = mul(cols, _wrap(mask.astype(x.dtype)))
    image = IndexScatter.apply(cols, (*lead, c, size[0] * size[1]), (Ellipsis, flat), True)
    return reshape(image, (*lead, c, *size))


# ---- bilinear ------------------------------------------------------------------------------------


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = input1[..., i] weight[o, i, j] input2[..., j] + bias[o]."""
    op = "bilinear"
    a, b, w = (_check_tensor(t, op)._data for t in (input1, input2, weight))
    if a.ndim != b.ndim:
        raise RuntimeError(f"{op}(): input dimensions do not match: got {a.ndim} and {b.ndim}")
    if a.ndim == 0:
        raise RuntimeError(f"{op}(): expected inputs with at least 1 dimension, got 0-d tensors")
    if a.shape[:-1] != b.shape[:-1]:
        raise RuntimeError(
            f"{op}(): input batch dimensions do not match: got {list(a.shape[:-1])} and {list(b.shape[:-1])}"
        )
    if w.ndim != 3:
        raise RuntimeError(f"{op}(): expected a 3-D weight (out, in1, in2), got shape {list(w.shape)}")
    for name, size, want in (("input1", a.shape[-1], w.shape[1]), ("input2", b.shape[-1], w.shape[2])):
        if size != want:
            raise RuntimeError(
                f"{op}(): {name} size does not match weight size: got {size} but expected {want}"
            )
    out, in1, in2 = w.shape
    if bias is not None and _check_tensor(bias, op)._data.shape != (out,):
        raise RuntimeError(
            f"{op}(): bias size does not match weight size: got {list(bias.shape)} but expected [{out}]"
        )
    batch = a.shape[:-1]
    rows = math.prod(batch)
    # (rows, in1) @ (in1, out * in2) -> (rows, out, in2), then contracted with input2
    left = matmul(reshape(input1, (rows, in1)), reshape(permute(weight, (1, 0, 2)), (in1, out * in2)))
    y = sum(mul(reshape(left, (rows, out, in2)), reshape(input2, (rows, 1, in2))), -1)
    if bias is not None:
        y = add(y, bias)
    return reshape(y, (*batch, out))


# ---- normalisation -------------------------------------------------------------------------------


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel of each sample of (N, C, *) over its spatial dims, then weight[c] and
    bias[c]. With use_input_stats the running stats, when given, are updated with the mean over the
    batch of the per-sample statistics (unbiased variance); otherwise they normalise instead."""
    op = "instance_norm"
    x = _check_tensor(input, op)._data
    require_float(input, op)
    if x.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape (N, C, ...), got shape {list(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):  # fmt: skip
        _check_param(t, name, (c,), x.dtype, op)
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    spatial = math.prod(x.shape[2:])
    if spatial == 1:
        raise ValueError(
            f"{op}: Expected more than 1 spatial element when training, got input size {list(x.shape)}"
        )
    if running_mean is not None or running_var is not None:
        per_instance = x.reshape(x.shape[0], c, spatial).astype(np.float64)
        mean = per_instance.mean(axis=2).mean(axis=0)
        var = per_instance.var(axis=2, ddof=1).mean(axis=0)
        _update_running(running_mean, running_var, mean, var, momentum)
    return group_norm(input, c, weight, bias, eps)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """x / (k + alpha / size * sum of x^2 over the `size` neighbouring channels)^beta, the window of
    channel c spanning [c - size // 2, c + (size - 1) // 2] (zeros beyond the edges)."""
    op = "local_response_norm"
    x = _check_tensor(input, op)._data
    if x.ndim < 3:
        raise ValueError(f"{op}: Expected 3D or higher dimensionality input (got {x.ndim} dimensions)")
    if not isinstance(size, (int, np.integer)) or size <= 0:
        raise ValueError(f"{op}: size must be a positive int, got {size!r}")
    if x.size == 0:
        return input
    squares = mul(input, input)
    before, after = size // 2, (size - 1) // 2
    pieces = [squares]
    if before:
        pieces.insert(0, _wrap(np.zeros((x.shape[0], before, *x.shape[2:]), x.dtype)))
    if after:
        pieces.append(_wrap(np.zeros((x.shape[0], after, *x.shape[2:]), x.dtype)))
    padded = cat(pieces, 1) if len(pieces) > 1 else squares
    window = narrow(padded, 1, 0, x.shape[1])
    for i in range(1, size):
        window = add(window, narrow(padded, 1, i, x.shape[1]))
    return div(input, pow(add(mul(window, alpha / size), k), beta))


# ---- distances -----------------------------------------------------------------------------------


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distance between every pair of rows i < j of (N, M), in row-major order of
    the pairs: N * (N - 1) / 2 values."""
    op = "pdist"
    x = _check_tensor(input, op)._data
    if x.ndim != 2:
        raise RuntimeError(f"{op}: pdist only supports 2D tensors, got: {x.ndim}D")
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: pdist only supports floating-point dtypes, got {x.dtype}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or p < 0:
        raise RuntimeError(f"{op}: pdist only supports non-negative p values, got {p!r}")
    i, j = np.triu_indices(x.shape[0], 1)
    rows = getitem(input, _wrap(i.astype(np.int64)))
    others = getitem(input, _wrap(j.astype(np.int64)))
    return norm(sub(rows, others), p, dim=-1)
