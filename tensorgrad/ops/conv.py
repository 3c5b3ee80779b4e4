"""2-D convolution with PyTorch's semantics (`torch.nn.functional.conv2d`).

The arithmetic runs in kernels/conv.pyx (im2col + BLAS gemm); this module checks the arguments,
works out the output size and padding, and records the op. The backward is once-differentiable:
asking for a second derivative through it raises.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _threading
from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, _wrap
from ._window import KERNEL_DTYPES, pair
from .shape import squeeze, unsqueeze

_INT_MAX = 2**31 - 1  # BLAS dimensions are 32-bit ints
_conv_module: Any = None


def _kernels() -> Any:
    """tensorgrad._kernels.conv, imported the first time a convolution runs: it loads
    scipy.linalg.cython_blas, which would add ~0.25 s to `import tensorgrad`."""
    global _conv_module
    if _conv_module is None:
        from .._kernels import conv as kernel

        _conv_module = kernel
    return _conv_module


class Conv2d(Function):
    """conv2d on a 4-D input; `geometry` = (sH, sW, padTop, padLeft, dH, dW, groups, oH, oW)."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Tensor, bias: Tensor | None, geometry: tuple) -> Tensor:
        x = np.ascontiguousarray(input._data)
        w = np.ascontiguousarray(weight._data)
        b = None if bias is None else np.ascontiguousarray(bias._data)
        sh, sw, ph, pw, dh, dw, groups, oh, ow = geometry
        out = np.empty((x.shape[0], w.shape[0], oh, ow), dtype=x.dtype)
        _threading.adapt_to_load()
        _kernels().conv2d_forward(x, w, b, out, sh, sw, ph, pw, dh, dw, groups)
        ctx.geometry = geometry
        ctx.save_for_backward(input, weight)
        return _wrap(out)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple:
        input, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        x = np.ascontiguousarray(input._data)
        w = np.ascontiguousarray(weight._data)
        g = np.ascontiguousarray(grad._data, dtype=x.dtype)
        gx = np.empty_like(x) if need_x else None
        gw = np.empty_like(w) if need_w else None
        gb = np.empty(w.shape[0], dtype=x.dtype) if need_b else None
        sh, sw, ph, pw, dh, dw, groups, _, _ = ctx.geometry
        _threading.adapt_to_load()
        _kernels().conv2d_backward(g, x, w, gx, gw, gb, sh, sw, ph, pw, dh, dw, groups)
        return (
            None if gx is None else _wrap(gx),
            None if gw is None else _wrap(gw),
            None if gb is None else _wrap(gb),
            None,
        )


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """Applies a 2D convolution over an input image composed of several input planes.

    input (N, C, H, W) or unbatched (C, H, W); weight (O, C/groups, kH, kW); bias (O,) or None.
    stride, dilation: an int or a pair; padding: an int, a pair, 'valid' (no padding) or 'same'
    (output as large as the input; stride 1 only, any extra padding goes right/bottom).
    """
    _check_tensor(input, "input")
    _check_tensor(weight, "weight")
    x = input._data
    w = weight._data
    if x.ndim not in (3, 4):
        raise RuntimeError(
            f"conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
            f"{list(x.shape)}"
        )
    if w.ndim != 4:
        raise RuntimeError(
            "conv2d: expected weight to be 4-dimensional (out_channels, in_channels/groups, kH, kW), "
            f"but got weight of size {list(w.shape)}"
        )
    if x.dtype.type not in KERNEL_DTYPES:
        raise RuntimeError(
            f"conv2d: expected a floating point input (float32 or float64), but got dtype {x.dtype}"
        )
    if w.dtype != x.dtype:
        raise RuntimeError(f"conv2d: Input type ({x.dtype}) and weight type ({w.dtype}) should be the same")
    if w.size == 0:
        raise RuntimeError(f"conv2d: weight of size {list(w.shape)} has no elements")
    batched = x.ndim == 4
    shape = x.shape if batched else (1, *x.shape)
    out_channels = w.shape[0]
    if bias is not None:
        _check_tensor(bias, "bias")
        if bias._data.shape != (out_channels,):
            raise RuntimeError(
                f"conv2d: Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                f"{out_channels} elements, but got bias of size {list(bias._data.shape)} instead"
            )
        if bias._data.dtype != x.dtype:
            raise RuntimeError(
                f"conv2d: Input type ({x.dtype}) and bias type ({bias._data.dtype}) should be the same"
            )
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise TypeError(f"conv2d: groups must be an int, got {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError("conv2d: non-positive groups is not supported")
    if out_channels % groups:
        raise RuntimeError(
            f"conv2d: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {list(w.shape)} instead"
        )
    if shape[1] != w.shape[1] * groups:
        raise RuntimeError(
            f"conv2d: Given groups={groups}, weight of size {list(w.shape)}, expected input{list(shape)} "
            f"to have {w.shape[1] * groups} channels, but got {shape[1]} channels instead"
        )
    sh, sw = pair(stride, "stride", "conv2d")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"conv2d: non-positive stride is not supported, got stride={(sh, sw)}")
    dh, dw = pair(dilation, "dilation", "conv2d")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(f"conv2d: dilation should be greater than zero, got dilation={(dh, dw)}")
    kh, kw = w.shape[2], w.shape[3]
    top, bottom, left, right = _padding(padding, (sh, sw), (kh, kw), (dh, dw))
    padded_h = shape[2] + top + bottom
    padded_w = shape[3] + left + right
    eff_h = dh * (kh - 1) + 1
    eff_w = dw * (kw - 1) + 1
    if padded_h < eff_h or padded_w < eff_w:
        raise RuntimeError(
            f"conv2d: Calculated padded input size per channel: ({padded_h} x {padded_w}). Kernel size: "
            f"({eff_h} x {eff_w}). Kernel size can't be greater than actual input size"
        )
    oh = (padded_h - eff_h) // sh + 1
    ow = (padded_w - eff_w) // sw + 1
    if oh * ow > _INT_MAX or w.shape[1] * kh * kw > _INT_MAX:
        raise RuntimeError(f"conv2d: output plane ({oh} x {ow}) or kernel too large for 32-bit BLAS indexing")
    geometry = (sh, sw, top, left, dh, dw, int(groups), oh, ow)
    if batched:
        return Conv2d.apply(input, weight, bias, geometry)
    return squeeze(Conv2d.apply(unsqueeze(input, 0), weight, bias, geometry), 0)


def _check_tensor(t: Any, name: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"conv2d: argument '{name}' must be a Tensor, not {type(t).__name__}")


def _padding(padding: Any, stride: tuple, kernel: tuple, dilation: tuple) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) padding from an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise ValueError(
                f"conv2d: Invalid padding string '{padding}', should be one of {{'valid', 'same'}}"
            )
        if stride != (1, 1):
            raise RuntimeError("conv2d: padding='same' is not supported for strided convolutions")
        # total padding d*(k-1) per dim; PyTorch puts the odd extra element on the right/bottom
        total_h = dilation[0] * (kernel[0] - 1)
        total_w = dilation[1] * (kernel[1] - 1)
        return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2
    ph, pw = pair(padding, "padding", "conv2d")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported, got padding={(ph, pw)}")
    return ph, ph, pw, pw
