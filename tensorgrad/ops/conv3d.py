"""3-D convolution and transposed convolution with PyTorch's semantics (`torch.nn.functional.conv3d`,
`conv_transpose3d`), composed from the 2-D ops so the arithmetic runs in their compiled kernels
and the backward comes from theirs.

conv3d: output depth position d sees the input depth slices d * sD - padD + kd * dD, kd < kD. Those
slices are gathered (index_select on the depth-padded input) and folded into one 2-D convolution:
the batch becomes (N * D_out) and the channels (C, kD), so the weight (O, C/groups, kD, kH, kW)
is simply viewed as (O, C/groups * kD, kH, kW) and groups keep working.

conv_transpose3d is the adjoint: a 2-D transposed convolution per input depth slice, whose output
channels are viewed as (C_out, kD), scatter-added (index_add) into the output depth positions
d * sD + kd * dD, then cropped by padD.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap
from ._window import KERNEL_DTYPES
from .conv import conv2d
from .conv_transpose import conv_transpose2d
from .elementwise import add
from .index import index_select
from .more_index import index_add
from .shape import cat, narrow, permute, reshape, squeeze, unsqueeze


def triple(value: Any, name: str, op: str) -> tuple[int, int, int]:
    """An int or three ints (a 1-element sequence is repeated) as (depth, height, width)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value), int(value)
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = tuple(value) * 3
        if len(value) == 3 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
        ):
            return int(value[0]), int(value[1]), int(value[2])
    raise TypeError(f"{op}: {name} must be an int or a tuple of 3 ints, got {value!r}")


def _check_operands(input: Any, weight: Any, bias: Any, groups: Any, op: str, transposed: bool) -> None:
    """Types, ranks, dtypes, groups and channel counts of a (transposed) 3-D convolution."""
    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if not (isinstance(t, Tensor) or (name == "bias" and t is None)):
            raise TypeError(f"{op}: argument '{name}' must be a Tensor, not {type(t).__name__}")
    x, w = input._data, weight._data
    if x.ndim not in (4, 5):
        raise RuntimeError(
            f"{op}: Expected 4D (unbatched) or 5D (batched) input to {op}, but got input of size: "
            f"{list(x.shape)}"
        )
    if w.ndim != 5:
        layout = "(in_channels, out_channels/groups" if transposed else "(out_channels, in_channels/groups"
        raise RuntimeError(
            f"{op}: expected weight to be 5-dimensional {layout}, kD, kH, kW), but got weight of size "
            f"{list(w.shape)}"
        )
    if x.dtype.type not in KERNEL_DTYPES:
        raise RuntimeError(
            f"{op}: expected a floating point input (float32 or float64), but got dtype {x.dtype}"
        )
    if w.dtype != x.dtype:
        raise RuntimeError(f"{op}: Input type ({x.dtype}) and weight type ({w.dtype}) should be the same")
    if w.size == 0:
        raise RuntimeError(f"{op}: weight of size {list(w.shape)} has no elements")
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise TypeError(f"{op}: groups must be an int, got {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported")
    channels = x.shape[-4]
    out_channels = w.shape[1] * groups if transposed else w.shape[0]
    if transposed and channels != w.shape[0]:
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size {list(w.shape)}, expected input{list(x.shape)} to "
            f"have {w.shape[0]} channels, but got {channels} channels instead"
        )
    if not transposed and (out_channels % groups or channels != w.shape[1] * groups):
        raise RuntimeError(
            f"{op}: Given groups={groups}, weight of size {list(w.shape)}, expected input{list(x.shape)} to "
            f"have {w.shape[1] * groups} channels (and out_channels divisible by groups), but got "
            f"{channels} channels instead"
        )
    if transposed and w.shape[0] % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight of size {list(w.shape)} to be divisible by "
            f"{groups} at dimension 0"
        )
    if bias is not None:
        if bias._data.shape != (out_channels,) or bias._data.dtype != x.dtype:
            raise RuntimeError(
                f"{op}: Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                f"{out_channels} elements of dtype {x.dtype}, but got bias of size {list(bias._data.shape)} "
                f"and dtype {bias._data.dtype}"
            )


def pad_depth(x: Tensor, before: int, after: int, fill: float = 0.0) -> Tensor:
    """x (N, C, D, H, W) with `before` / `after` slices of `fill` around its depth."""
    n, c, _, h, w = x._data.shape
    parts = [x]
    if before:
        parts.insert(0, _wrap(np.full((n, c, before, h, w), fill, x._data.dtype)))
    if after:
        parts.append(_wrap(np.full((n, c, after, h, w), fill, x._data.dtype)))
    return cat(parts, 2) if len(parts) > 1 else x


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """Applies a 3D convolution over an input image composed of several input planes.

    input (N, C, D, H, W) or unbatched (C, D, H, W); weight (O, C/groups, kD, kH, kW); bias (O,)
    or None. stride, dilation: an int or 3 ints; padding: an int, 3 ints, 'valid' (none) or 'same'
    (output as large as the input; stride 1 only, any odd extra padding goes after).
    """
    op = "conv3d"
    _check_operands(input, weight, bias, groups, op, transposed=False)
    x, w = input._data, weight._data
    strides = triple(stride, "stride", op)
    dilations = triple(dilation, "dilation", op)
    if min(strides) <= 0:
        raise RuntimeError(f"{op}: non-positive stride is not supported, got stride={strides}")
    if min(dilations) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, got dilation={dilations}")
    kernel = w.shape[2:]
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(
                f"{op}: Invalid padding string '{padding}', should be one of {{'valid', 'same'}}"
            )
        if padding == "same" and strides != (1, 1, 1):
            raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
        totals = [dilations[i] * (kernel[i] - 1) if padding == "same" else 0 for i in range(3)]
        before = [t // 2 for t in totals]
        after = [t - t // 2 for t in totals]
    else:
        before = list(triple(padding, "padding", op))
        if min(before) < 0:
            raise RuntimeError(f"{op}: negative padding is not supported, got padding={tuple(before)}")
        after = before
    spatial = x.shape[-3:]
    padded = [spatial[i] + before[i] + after[i] for i in range(3)]
    extent = [dilations[i] * (kernel[i] - 1) + 1 for i in range(3)]
    if any(padded[i] < extent[i] for i in range(3)):
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
            f"({' x '.join(map(str, extent))}). Kernel size can't be greater than actual input size"
        )
    batched = x.ndim == 5
    xb = input if batched else unsqueeze(input, 0)
    n, c = xb._data.shape[:2]
    h, wd = spatial[1:]
    kd = kernel[0]
    d_out = (padded[0] - extent[0]) // strides[0] + 1
    depth = np.arange(d_out)[:, None] * strides[0] + np.arange(kd)[None, :] * dilations[0]
    slices = index_select(pad_depth(xb, before[0], after[0]), 2, _wrap(depth.reshape(-1)))
    # (N, C, D_out * kD, H, W) -> (N * D_out, C * kD, H, W) with channels ordered (group, c, kd)
    slices = reshape(slices, (n, c, d_out, kd, h, wd))
    slices = reshape(permute(slices, (0, 2, 1, 3, 4, 5)), (n * d_out, c * kd, h, wd))
    w2 = reshape(weight, (w.shape[0], w.shape[1] * kd, kernel[1], kernel[2]))
    if before[1:] == after[1:]:
        hw_padding: Any = tuple(before[1:])
    else:
        hw_padding = "same"  # uneven only for 'same', which conv2d spreads the same way
    out = conv2d(slices, w2, bias, strides[1:], hw_padding, dilations[1:], groups)
    oh, ow = out._data.shape[2:]
    out = permute(reshape(out, (n, d_out, w.shape[0], oh, ow)), (0, 2, 1, 3, 4))
    return out if batched else squeeze(out, 0)


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Applies a 3D transposed convolution operator over an input image composed of several input
    planes, sometimes also called "deconvolution".

    input (N, C_in, D, H, W) or unbatched (C_in, D, H, W); weight (C_in, C_out/groups, kD, kH, kW).
    Output size per dim: (in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1;
    output_padding must be smaller than stride or dilation.
    """
    op = "conv_transpose3d"
    _check_operands(input, weight, bias, groups, op, transposed=True)
    x, w = input._data, weight._data
    strides = triple(stride, "stride", op)
    pads = triple(padding, "padding", op)
    extra = triple(output_padding, "output_padding", op)
    dilations = triple(dilation, "dilation", op)
    if min(strides) <= 0 or min(dilations) <= 0 or min(pads) < 0 or min(extra) < 0:
        raise RuntimeError(
            f"{op}: expected positive stride and dilation and non-negative padding and output_padding, got "
            f"stride={strides}, dilation={dilations}, padding={pads}, output_padding={extra}"
        )
    for i in range(3):
        if extra[i] >= strides[i] and extra[i] >= dilations[i]:
            raise RuntimeError(
                f"{op}: output padding must be smaller than either stride or dilation, but got "
                f"output_padding={extra}, stride={strides}, dilation={dilations}"
            )
    kd = w.shape[2]
    d_in = x.shape[-3]
    full_depth = (d_in - 1) * strides[0] + dilations[0] * (kd - 1) + 1 + extra[0]
    d_out = full_depth - 2 * pads[0]
    if d_out <= 0:
        raise RuntimeError(f"{op}: output depth {d_out} is not positive for input of size {list(x.shape)}")
    batched = x.ndim == 5
    xb = input if batched else unsqueeze(input, 0)
    n, c, _, h, wd = xb._data.shape
    out_channels = w.shape[1] * groups
    planes = reshape(permute(xb, (0, 2, 1, 3, 4)), (n * d_in, c, h, wd))
    w2 = reshape(weight, (c, w.shape[1] * kd, w.shape[3], w.shape[4]))
    y = conv_transpose2d(planes, w2, None, strides[1:], pads[1:], extra[1:], groups, dilations[1:])
    oh, ow = y._data.shape[2:]
    # (N * D_in, C_out * kD, oH, oW) -> (N, C_out, D_in * kD, oH, oW), added at depth d * sD + kd * dD
    y = permute(reshape(y, (n, d_in, out_channels, kd, oh, ow)), (0, 2, 1, 3, 4, 5))
    y = reshape(y, (n, out_channels, d_in * kd, oh, ow))
    depth = np.arange(d_in)[:, None] * strides[0] + np.arange(kd)[None, :] * dilations[0]
    zeros = _wrap(np.zeros((n, out_channels, full_depth, oh, ow), x.dtype))
    out = narrow(index_add(zeros, 2, _wrap(depth.reshape(-1)), y), 2, pads[0], d_out)
    if bias is not None:
        out = add(out, reshape(bias, (out_channels, 1, 1, 1)))
    return out if batched else squeeze(out, 0)
