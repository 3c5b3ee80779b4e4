"""3-D max, average and adaptive average pooling with PyTorch's semantics
(`torch.nn.functional.max_pool3d`, `avg_pool3d`, `adaptive_avg_pool3d`), composed from the 2-D
pools so the arithmetic runs in their kernels and the gradients come from their backwards.

A 3-D window is kD depth taps of a 2-D window. The input depth slices each output depth position
needs (d * sD - padD + kd * dD) are gathered with index_select from the depth-padded input, all
2-D pooled at once, and reduced over kd: max for max pooling (the depth padding is -inf), a sum
divided by the depth part of the divisor for average pooling (the divisor of a 3-D window is the
product of its per-dim counts, and the 2-D pool already divides by the height and width ones).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap
from ._window import KERNEL_DTYPES
from .adaptive_pool import _averaging, adaptive_avg_pool2d
from .conv3d import pad_depth, triple
from .elementwise import div, mul
from .index import index_select
from .matmul import matmul
from .pool import _output_size, avg_pool2d, max_pool2d
from .reduce import max as max_along
from .reduce import sum as sum_along
from .shape import reshape, squeeze, unsqueeze


def _window(
    input: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, op: str
) -> tuple:
    """Check a 3-D pooling call; return (kernel, stride, padding, dilation, output size), each
    (depth, height, width)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: argument 'input' must be a Tensor, not {type(input).__name__}")
    x = input._data
    if x.ndim not in (4, 5) or 0 in x.shape[-4:]:
        raise RuntimeError(
            f"{op}: Expected 4D or 5D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got: {list(x.shape)}"
        )
    if x.dtype.type not in KERNEL_DTYPES:
        raise RuntimeError(
            f"{op}: expected a floating point input (float32 or float64), but got dtype {x.dtype}"
        )
    k = triple(kernel_size, "kernel_size", op)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    s = k if no_stride else triple(stride, "stride", op)
    p = triple(padding, "padding", op)
    d = triple(dilation, "dilation", op)
    if min(k) <= 0:
        raise RuntimeError(f"{op}: kernel size should be greater than zero, but got kernel_size={k}")
    if min(s) <= 0:
        raise RuntimeError(f"{op}: stride should be greater than zero, but got stride={s}")
    if min(d) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got dilation={d}")
    if min(p) < 0 or any(p[i] > k[i] // 2 for i in range(3)):
        raise RuntimeError(
            f"{op}: pad should be non-negative and at most half of kernel size, but got padding={p}, "
            f"kernel_size={k}"
        )
    sizes = x.shape[-3:]
    out = tuple(_output_size(sizes[i], k[i], p[i], s[i], d[i], ceil_mode) for i in range(3))
    if min(out) < 1:
        raise RuntimeError(
            f"{op}: Given input size: ({x.shape[-4]}x{'x'.join(map(str, sizes))}). Calculated output size: "
            f"({x.shape[-4]}x{'x'.join(map(str, out))}). Output size is too small"
        )
    return k, s, p, d, out


def _depth_slices(x: Tensor, k: tuple, s: tuple, p: tuple, d: tuple, d_out: int, fill: float) -> Tensor:
    """x (N, C, D, H, W) -> (N, C * D_out * kD, H, W): slice (c, o, kd) is input depth
    o * sD - padD + kd * dD, or a slice of `fill` where that lies outside the input."""
    n, c, depth, h, w = x._data.shape
    taps = np.arange(d_out)[:, None] * s[0] + np.arange(k[0])[None, :] * d[0]  # in padded coordinates
    after = max(int(taps.max()) + 1 - p[0] - depth, 0)
    padded = pad_depth(x, p[0], after, fill)
    slices = index_select(padded, 2, _wrap(taps.reshape(-1)))
    return reshape(slices, (n, c * d_out * k[0], h, w))


def max_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Applies a 3D max pooling over an input signal composed of several input planes.

    input (N, C, D, H, W) or unbatched (C, D, H, W). stride defaults to kernel_size; padding
    (implicit -inf, at most half the kernel) and dilation are an int or 3 ints. ceil_mode rounds the
    output size up. With return_indices, also returns the int64 argmax of each window as an offset
    d * H * W + h * W + w into its input volume (PyTorch's convention); ties go to the first.
    """
    op = "max_pool3d"
    k, s, p, d, out = _window(input, kernel_size, stride, padding, dilation, ceil_mode, op)
    batched = input._data.ndim == 5
    x = input if batched else unsqueeze(input, 0)
    n, c, depth, h, w = x._data.shape
    slices = _depth_slices(x, k, s, p, d, out[0], -np.inf)
    pooled, plane_idx = max_pool2d(slices, k[1:], s[1:], p[1:], d[1:], ceil_mode, True)
    pooled = reshape(pooled, (n, c, out[0], k[0], out[1], out[2]))
    values, tap = max_along(pooled, 3)
    if not batched:
        values = squeeze(values, 0)
    if not return_indices:
        return values
    best = tap._data[:, :, :, None]
    hw = np.take_along_axis(plane_idx._data.reshape(pooled._data.shape), best, 3)[:, :, :, 0]
    depth_of = (np.arange(out[0]) * s[0] - p[0])[:, None, None] + tap._data * d[0]
    indices = depth_of * (h * w) + hw
    return values, _wrap((indices if batched else indices[0]).astype(np.int64))


def _counts(size: int, k: int, s: int, p: int, out: int, include_pad: bool) -> np.ndarray:
    """How many positions of each of the `out` windows along one dim count in the divisor: those in
    the input, plus the padding when include_pad (never past the padded border), as PyTorch."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def avg_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Applies 3D average-pooling operation in kD x kH x kW regions by step size sD x sH x sW steps.

    input (N, C, D, H, W) or unbatched (C, D, H, W). stride defaults to kernel_size; padding
    (implicit zeros, at most half the kernel) is an int or 3 ints. ceil_mode rounds the output size
    up. count_include_pad: whether the zero padding counts in each window's divisor;
    divisor_override: a fixed divisor instead.
    """
    op = "avg_pool3d"
    if divisor_override is not None and (
        not isinstance(divisor_override, (int, np.integer)) or divisor_override == 0
    ):
        raise RuntimeError(
            f"{op}: divisor must be not zero (a non-zero int), got divisor_override={divisor_override!r}"
        )
    k, s, p, _, out = _window(input, kernel_size, stride, padding, 1, ceil_mode, op)
    batched = input._data.ndim == 5
    x = input if batched else unsqueeze(input, 0)
    n, c, depth, h, w = x._data.shape
    include = bool(count_include_pad)
    slices = _depth_slices(x, k, s, p, (1, 1, 1), out[0], 0.0)
    pooled = avg_pool2d(slices, k[1:], s[1:], p[1:], ceil_mode, include)
    total = sum_along(reshape(pooled, (n, c, out[0], k[0], out[1], out[2])), 3)
    dtype = x._data.dtype
    if divisor_override is None:
        divisor = _counts(depth, k[0], s[0], p[0], out[0], include)[:, None, None]
        result = div(total, _wrap(divisor.astype(dtype)))
    else:
        # undo the 2-D pool's height * width divisor, then divide the sums by the override
        plane = np.outer(
            _counts(h, k[1], s[1], p[1], out[1], include), _counts(w, k[2], s[2], p[2], out[2], include)
        )
        result = mul(total, _wrap((plane / divisor_override).astype(dtype)))
    return result if batched else squeeze(result, 0)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """(N, C, D, H, W) or (C, D, H, W) averaged to (..., oD, oH, oW); None in output_size keeps that
    size. Cell i of m along a dim of size n covers [floor(i n / m), ceil((i + 1) n / m))."""
    op = "adaptive_avg_pool3d"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    x = input._data
    if x.ndim not in (4, 5) or 0 in x.shape[-3:]:
        raise RuntimeError(
            f"{op}: expected a 4-D (unbatched) or 5-D (batched) input with non-zero D, H and W, got shape "
            f"{list(x.shape)}"
        )
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got dtype {x.dtype}")
    single = isinstance(output_size, (int, np.integer)) or output_size is None
    size = (output_size,) * 3 if single else tuple(output_size)
    if len(size) != 3:
        raise RuntimeError(f"{op}: output_size must be an int or 3 values, got {output_size!r}")
    *lead, depth, h, w = x.shape
    od, oh, ow = (n if o is None else int(o) for o, n in zip(size, (depth, h, w)))
    if min(od, oh, ow) <= 0:
        raise RuntimeError(f"{op}: output_size must be positive, got {output_size!r}")
    planes = adaptive_avg_pool2d(reshape(input, (-1, depth, h, w)), (oh, ow))  # (M, D, oh, ow)
    cells = matmul(_wrap(_averaging(depth, od, x.dtype)), reshape(planes, (-1, depth, oh * ow)))
    return reshape(cells, (*lead, od, oh, ow))
