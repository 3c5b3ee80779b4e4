"""`Conv3d` over conv3d and `ConvTranspose3d` over conv_transpose3d (tensorgrad/ops/conv3d.py),
with PyTorch's parameters, shapes and initialisation."""

from __future__ import annotations

import math
from typing import Any

from ...ops.conv3d import triple
from ...ops.creation import empty
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .conv import _check_arguments, _check_transposed, _output_padding, _reset_transposed, _transposed_repr
from .module import Module


class Conv3d(Module):
    """3-D convolution (cross-correlation, as in PyTorch) of an (N, C_in, D, H, W) or
    (C_in, D, H, W) input.

    weight: (out_channels, in_channels // groups, kD, kH, kW); PyTorch's default initialisation,
    kaiming_uniform_(a=sqrt(5)) and a bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    fan_in = in_channels // groups * kD * kH * kW.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        stride = triple(stride, "stride", "Conv3d")
        _check_arguments(
            "Conv3d", in_channels, out_channels, groups, padding_mode, padding, stride == (1, 1, 1)
        )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = triple(kernel_size, "kernel_size", "Conv3d")
        self.stride = stride
        self.padding = padding if isinstance(padding, str) else triple(padding, "padding", "Conv3d")
        self.dilation = triple(dilation, "dilation", "Conv3d")
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(empty(out_channels, in_channels // groups, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            init._uniform_fan_in_(self.bias, self.in_channels // self.groups * math.prod(self.kernel_size))

    def forward(self, input: Tensor) -> Tensor:
        return F.conv3d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose3d(Module):
    """3-D transposed convolution of an (N, C_in, D, H, W) or (C_in, D, H, W) input.

    weight: (in_channels, out_channels // groups, kD, kH, kW), initialised as ConvTranspose2d's
    (fan_in from the weight: out_channels // groups * kD * kH * kW).
    forward(input, output_size=None): output_size picks the output_padding that gives that size.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _check_transposed("ConvTranspose3d", in_channels, out_channels, groups, padding_mode, padding)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = triple(kernel_size, "kernel_size", "ConvTranspose3d")
        self.stride = triple(stride, "stride", "ConvTranspose3d")
        self.padding = triple(padding, "padding", "ConvTranspose3d")
        self.dilation = triple(dilation, "dilation", "ConvTranspose3d")
        self.output_padding = triple(output_padding, "output_padding", "ConvTranspose3d")
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(empty(in_channels, out_channels // groups, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_transposed(self)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose3d(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            _output_padding(self, input, output_size),
            self.groups,
            self.dilation,
        )

    def extra_repr(self) -> str:
        return _transposed_repr(self)
