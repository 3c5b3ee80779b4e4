"""2-D max and average pooling with PyTorch's semantics (`torch.nn.functional.max_pool2d`, `avg_pool2d`).

The arithmetic runs in kernels/pool.pyx; this module checks the arguments, computes the output
size (ceil_mode included) and records the op. Max pooling keeps the argmax of every window for
its backward. Both backwards are once-differentiable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._kernels import pool as _kernels
from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, _wrap
from ._window import KERNEL_DTYPES, pair
from .shape import squeeze, unsqueeze

_INT32_MAX = 2**31 - 1  # the kernel keeps argmax offsets as int32


class MaxPool2d(Function):
    """Max pooling of a 4-D input; returns (output, indices); `window` from `_window_args`."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, window: tuple) -> tuple:
        x = np.ascontiguousarray(input._data)
        kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = window
        out = np.empty((x.shape[0], x.shape[1], oh, ow), dtype=x.dtype)
        idx = np.empty(out.shape, dtype=np.int32)
        _kernels.max_pool2d_forward(x, out, idx, kh, kw, sh, sw, ph, pw, dh, dw)
        indices = _wrap(idx)
        ctx.mark_non_differentiable(indices)
        ctx.set_materialize_grads(False)
        ctx.input_shape = x.shape
        ctx.dtype = x.dtype
        ctx.save_for_backward(indices)
        return _wrap(out), indices

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor, grad_indices: Any = None) -> tuple:
        (indices,) = ctx.saved_tensors
        g = np.ascontiguousarray(grad._data, dtype=ctx.dtype)
        gx = np.empty(ctx.input_shape, dtype=ctx.dtype)
        _kernels.max_pool2d_backward(g, indices._data, gx)
        return _wrap(gx), None


class AvgPool2d(Function):
    """Average pooling of a 4-D input; `window` from `_window_args` plus count_include_pad."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, window: tuple, count_include_pad: bool) -> Tensor:
        x = np.ascontiguousarray(input._data)
        kh, kw, sh, sw, ph, pw, _, _, oh, ow = window
        out = np.empty((x.shape[0], x.shape[1], oh, ow), dtype=x.dtype)
        _kernels.avg_pool2d_forward(x, out, kh, kw, sh, sw, ph, pw, count_include_pad)
        ctx.input_shape = x.shape
        ctx.dtype = x.dtype
        ctx.window = window
        ctx.count_include_pad = count_include_pad
        return _wrap(out)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple:
        kh, kw, sh, sw, ph, pw, _, _, _, _ = ctx.window
        g = np.ascontiguousarray(grad._data, dtype=ctx.dtype)
        gx = np.empty(ctx.input_shape, dtype=ctx.dtype)
        _kernels.avg_pool2d_backward(g, gx, kh, kw, sh, sw, ph, pw, ctx.count_include_pad)
        return _wrap(gx), None, None


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Applies a 2D max pooling over an input signal composed of several input planes.

    input (N, C, H, W) or unbatched (C, H, W). stride defaults to kernel_size; padding (implicit
    -inf, at most half the kernel) and dilation are an int or a pair. ceil_mode rounds the output
    size up, as long as the last window starts inside the input or its left padding. With
    return_indices, also returns the int64 argmax of each window as an offset h*W + w into its
    input plane (PyTorch's convention).
    """
    window, batched = _window_args(input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    if input._data.shape[-2] * input._data.shape[-1] > _INT32_MAX:
        raise RuntimeError(
            f"max_pool2d: input planes of more than {_INT32_MAX} elements are not supported, got "
            f"{list(input._data.shape)}"
        )
    x = input if batched else unsqueeze(input, 0)
    out, indices = MaxPool2d.apply(x, window)
    if not batched:
        out = squeeze(out, 0)
    if not return_indices:
        return out
    # the caller gets its own int64 copy: the saved (int32) indices address memory in backward
    idx = indices._data if batched else indices._data[0]
    return out, _wrap(idx.astype(np.int64))


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Applies 2D average-pooling over an input signal composed of several input planes.

    input (N, C, H, W) or unbatched (C, H, W). stride defaults to kernel_size; padding (implicit
    zeros, at most half the kernel) is an int or a pair. ceil_mode rounds the output size up.
    count_include_pad: whether the zero padding counts in each window's divisor (windows that
    ceil_mode lets run past the padded border never count that part).
    """
    window, batched = _window_args(input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    x = input if batched else unsqueeze(input, 0)
    out = AvgPool2d.apply(x, window, bool(count_include_pad))
    return out if batched else squeeze(out, 0)


def _window_args(
    input: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, op: str
) -> tuple[tuple, bool]:
    """Check a pooling call; return ((kH, kW, sH, sW, pH, pW, dH, dW, oH, oW), input is 4-D)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: argument 'input' must be a Tensor, not {type(input).__name__}")
    x = input._data
    if x.ndim not in (3, 4) or 0 in x.shape[-3:]:
        raise RuntimeError(
            f"{op}: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got: {list(x.shape)}"
        )
    if x.dtype.type not in KERNEL_DTYPES:
        raise RuntimeError(
            f"{op}: expected a floating point input (float32 or float64), but got dtype {x.dtype}"
        )
    kh, kw = pair(kernel_size, "kernel_size", op)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        sh, sw = kh, kw
    else:
        sh, sw = pair(stride, "stride", op)
    ph, pw = pair(padding, "padding", op)
    dh, dw = pair(dilation, "dilation", op)
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"{op}: kernel size should be greater than zero, but got kH: {kh} kW: {kw}")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"{op}: stride should be greater than zero, but got dH: {sh} dW: {sw}")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(
            f"{op}: dilation should be greater than zero, but got dilationH: {dh} dilationW: {dw}"
        )
    if ph < 0 or pw < 0:
        raise RuntimeError(f"{op}: pad must be non-negative, but got padH: {ph} padW: {pw}")
    if kw // 2 < pw or kh // 2 < ph:
        raise RuntimeError(
            f"{op}: pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}"
        )
    h, w = x.shape[-2], x.shape[-1]
    oh = _output_size(h, kh, ph, sh, dh, ceil_mode)
    ow = _output_size(w, kw, pw, sw, dw, ceil_mode)
    if oh < 1 or ow < 1:
        c = x.shape[-3]
        raise RuntimeError(
            f"{op}: Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). "
            "Output size is too small"
        )
    return (kh, kw, sh, sw, ph, pw, dh, dw, oh, ow), x.ndim == 4


def _output_size(size: int, kernel: int, pad: int, stride: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape: ceil_mode rounds up unless the last window would start
    past the input and its left padding."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out
