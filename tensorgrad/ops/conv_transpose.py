"""Transposed 2-D convolution with PyTorch's semantics (`torch.nn.functional.conv_transpose2d`).

conv_transpose2d(x, w) is the gradient of conv2d(y, w) with respect to y, for a y of the transposed
convolution's output size: so the arithmetic reuses the conv2d kernels of kernels/conv.pyx with
the roles swapped (for the kernels, `x` plays conv2d's grad output and the output plays its input):

    forward      out = conv2d's input gradient  (conv2d_backward, grad input only)
    grad input   gx  = conv2d(grad, w)          (conv2d_forward)
    grad weight  gw  = conv2d's weight gradient with x as its grad output and grad as its input

The bias is added by a broadcast add outside the Function, so its gradient is the usual sum.
The backward is once-differentiable, as conv2d's is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _threading
from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, _wrap
from ._window import KERNEL_DTYPES, pair
from .conv import _INT_MAX, _kernels
from .elementwise import add
from .shape import reshape, squeeze, unsqueeze


class ConvTranspose2d(Function):
    """conv_transpose2d of a 4-D input without bias; `geometry` = (sH, sW, pH, pW, dH, dW, groups,
    oH, oW), where (oH, oW) is the output size (output_padding included)."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Tensor, geometry: tuple) -> Tensor:
        x = np.ascontiguousarray(input._data)
        w = np.ascontiguousarray(weight._data)
        sh, sw, ph, pw, dh, dw, groups, oh, ow = geometry
        out = np.empty((x.shape[0], w.shape[1] * groups, oh, ow), dtype=x.dtype)
        _threading.adapt_to_load()
        # Without a weight gradient the kernel reads only the shape of its conv-input argument,
        # so `out` stands in for it. Output rows/columns that no input pixel reaches (possible
        # with output_padding) come out as zeros.
        _kernels().conv2d_backward(x, out, w, out, None, None, sh, sw, ph, pw, dh, dw, groups)
        ctx.geometry = geometry
        ctx.save_for_backward(input, weight)
        return _wrap(out)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple:
        input, weight = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad[:2]
        x = np.ascontiguousarray(input._data)
        w = np.ascontiguousarray(weight._data)
        g = np.ascontiguousarray(grad._data, dtype=x.dtype)
        sh, sw, ph, pw, dh, dw, groups, _, _ = ctx.geometry
        gx = gw = None
        _threading.adapt_to_load()
        if need_x:
            gx = np.empty_like(x)
            _kernels().conv2d_forward(g, w, None, gx, sh, sw, ph, pw, dh, dw, groups)
        if need_w:
            gw = np.empty_like(w)
            _kernels().conv2d_backward(x, g, w, None, gw, None, sh, sw, ph, pw, dh, dw, groups)
        return (None if gx is None else _wrap(gx), None if gw is None else _wrap(gw), None)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Applies a 2D transposed convolution operator over an input image composed of several input
    planes, sometimes also called "deconvolution".

    input (N, C_in, H, W) or unbatched (C_in, H, W); weight (C_in, C_out/groups, kH, kW); bias
    (C_out,) or None. stride, padding, output_padding, dilation: an int or a pair. The output is
    (H - 1)*stride - 2*padding + dilation*(kH - 1) + output_padding + 1 high (likewise wide);
    output_padding (smaller than stride or dilation) adds rows/columns on one side only.
    """
    for t, name in ((input, "input"), (weight, "weight")):
        if not isinstance(t, Tensor):
            raise TypeError(f"conv_transpose2d: argument '{name}' must be a Tensor, not {type(t).__name__}")
    x, w = input._data, weight._data
    if x.ndim not in (3, 4):
        raise RuntimeError(
            "conv_transpose2d: Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got "
            f"input of size: {list(x.shape)}"
        )
    if w.ndim != 4:
        raise RuntimeError(
            "conv_transpose2d: expected weight to be 4-dimensional (in_channels, out_channels/groups, kH, "
            f"kW), but got weight of size {list(w.shape)}"
        )
    if x.dtype.type not in KERNEL_DTYPES:
        raise RuntimeError(
            f"conv_transpose2d: expected a floating point input (float32 or float64), but got dtype {x.dtype}"
        )
    if w.dtype != x.dtype:
        raise RuntimeError(
            f"conv_transpose2d: Input type ({x.dtype}) and weight type ({w.dtype}) should be the same"
        )
    if w.size == 0:
        raise RuntimeError(f"conv_transpose2d: weight of size {list(w.shape)} has no elements")
    batched = x.ndim == 4
    shape = x.shape if batched else (1, *x.shape)
    if min(shape[1:]) == 0:
        raise RuntimeError(
            "conv_transpose2d: expected an input with non-zero channels, height and width, but got input "
            f"of size {list(x.shape)}"
        )
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise TypeError(f"conv_transpose2d: groups must be an int, got {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError("conv_transpose2d: non-positive groups is not supported")
    if w.shape[0] % groups:
        raise RuntimeError(
            f"conv_transpose2d: Given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {list(w.shape)} instead"
        )
    if shape[1] != w.shape[0]:
        raise RuntimeError(
            f"conv_transpose2d: Given transposed=1, weight of size {list(w.shape)}, expected "
            f"input{list(shape)} to have {w.shape[0]} channels, but got {shape[1]} channels instead"
        )
    out_channels = w.shape[1] * groups
    if bias is not None:
        if not isinstance(bias, Tensor):
            raise TypeError(f"conv_transpose2d: argument 'bias' must be a Tensor, not {type(bias).__name__}")
        if bias._data.shape != (out_channels,):
            raise RuntimeError(
                f"conv_transpose2d: Given transposed=1, weight of size {list(w.shape)}, expected bias to be "
                f"1-dimensional with {out_channels} elements, but got bias of size "
                f"{list(bias._data.shape)} instead"
            )
        if bias._data.dtype != x.dtype:
            raise RuntimeError(
                f"conv_transpose2d: Input type ({x.dtype}) and bias type ({bias._data.dtype}) should be "
                "the same"
            )
    sh, sw = pair(stride, "stride", "conv_transpose2d")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"conv_transpose2d: non-positive stride is not supported, got stride={(sh, sw)}")
    ph, pw = pair(padding, "padding", "conv_transpose2d")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv_transpose2d: negative padding is not supported, got padding={(ph, pw)}")
    oph, opw = pair(output_padding, "output_padding", "conv_transpose2d")
    if oph < 0 or opw < 0:
        raise RuntimeError(
            f"conv_transpose2d: negative output_padding is not supported, got output_padding={(oph, opw)}"
        )
    dh, dw = pair(dilation, "dilation", "conv_transpose2d")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(f"conv_transpose2d: dilation should be greater than zero, got dilation={(dh, dw)}")
    if not ((opw < sw or opw < dw) and (oph < sh or oph < dh)):
        raise RuntimeError(
            "conv_transpose2d: output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {oph} output_padding_width: {opw} stride_height: {sh} stride_width: "
            f"{sw} dilation_height: {dh} dilation_width: {dw}"
        )
    kh, kw = w.shape[2], w.shape[3]
    oh = (shape[2] - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    ow = (shape[3] - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    if oh <= 0 or ow <= 0:
        raise RuntimeError(
            f"conv_transpose2d: Given input size per channel: ({shape[2]} x {shape[3]}). Calculated output "
            f"size per channel: ({oh} x {ow}). Output size is too small"
        )
    # the kernels' gemms run over the input plane and (C_out/groups)*kH*kW taps, in 32-bit ints
    if shape[2] * shape[3] > _INT_MAX or w.shape[1] * kh * kw > _INT_MAX:
        raise RuntimeError(
            f"conv_transpose2d: input plane ({shape[2]} x {shape[3]}) or kernel too large for 32-bit BLAS "
            "indexing"
        )
    geometry = (sh, sw, ph, pw, dh, dw, int(groups), oh, ow)
    if batched:
        out = ConvTranspose2d.apply(input, weight, geometry)
    else:
        out = squeeze(ConvTranspose2d.apply(unsqueeze(input, 0), weight, geometry), 0)
    if bias is None:
        return out
    return add(out, reshape(bias, (out_channels, 1, 1)))
