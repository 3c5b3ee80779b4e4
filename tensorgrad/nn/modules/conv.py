"""`Conv2d` over the conv2d op (tensorgrad/ops/conv.py), and `Conv1d` over it with a height of 1;
`ConvTranspose2d` and `ConvTranspose1d` over conv_transpose2d (tensorgrad/ops/conv_transpose.py)."""

from __future__ import annotations

import math
from typing import Any

from ...ops.creation import empty
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"expected an int or a pair of ints, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def _check_arguments(
    name: str,
    in_channels: int,
    out_channels: int,
    groups: int,
    padding_mode: str,
    padding: Any,
    unit_stride: bool,
) -> None:
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups:
        raise ValueError("out_channels must be divisible by groups")
    if padding_mode != "zeros":
        raise NotImplementedError(f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}")
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
        if padding == "same" and not unit_stride:
            raise ValueError("padding='same' is not supported for strided convolutions")


class Conv2d(Module):
    """2-D convolution (cross-correlation, as in PyTorch) of an (N, C_in, H, W) input.

    weight: (out_channels, in_channels // groups, kH, kW); PyTorch's default initialisation,
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels // groups * kH * kW.
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
        _check_arguments(
            "Conv2d", in_channels, out_channels, groups, padding_mode, padding, _pair(stride) == (1, 1)
        )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = padding if isinstance(padding, str) else _pair(padding)
        self.dilation = _pair(dilation)
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
            fan_in = self.in_channels // self.groups * self.kernel_size[0] * self.kernel_size[1]
            init._uniform_fan_in_(self.bias, fan_in)

    def forward(self, input: Tensor) -> Tensor:
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


def _single(value: Any) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"expected an int or a 1-tuple, got {value!r}")
        return int(value[0])
    return int(value)


class Conv1d(Module):
    """1-D convolution of an (N, C_in, L) input; weight (out_channels, in_channels // groups, k),
    initialised as PyTorch's."""

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
        _check_arguments(
            "Conv1d", in_channels, out_channels, groups, padding_mode, padding, _single(stride) == 1
        )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = (_single(kernel_size),)
        self.stride = (_single(stride),)
        self.padding = padding if isinstance(padding, str) else (_single(padding),)
        self.dilation = (_single(dilation),)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(empty(out_channels, in_channels // groups, self.kernel_size[0], dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            init._uniform_fan_in_(self.bias, in_channels // groups * self.kernel_size[0])

    def forward(self, input: Tensor) -> Tensor:
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(input, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,):
            s += f", padding={self.padding}"
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


def _check_transposed(
    name: str, in_channels: int, out_channels: int, groups: int, padding_mode: str, padding: Any
) -> None:
    if padding_mode != "zeros":
        raise ValueError(f'Only "zeros" padding mode is supported for {name}')
    if isinstance(padding, str):
        raise ValueError(f"{name}: padding must be an int or a tuple of ints, got {padding!r}")
    _check_arguments(name, in_channels, out_channels, groups, padding_mode, padding, True)


def _output_padding(module: Module, input: Tensor, output_size: Any) -> tuple:
    """The output_padding that makes the output `output_size` (its spatial sizes, or all of
    them), as PyTorch's _ConvTransposeNd._output_padding; the module's own without output_size."""
    spatial = len(module.stride)
    if output_size is None or input.dim() not in (spatial + 1, spatial + 2):
        return module.output_padding  # a bad input is reported by the functional op
    non_spatial = input.dim() - spatial
    sizes = list(output_size)
    if len(sizes) == non_spatial + spatial:
        sizes = sizes[non_spatial:]
    if len(sizes) != spatial:
        raise ValueError(
            f"ConvTranspose{spatial}D: for {input.dim()}D input, output_size must have {spatial} or "
            f"{non_spatial + spatial} elements (got {len(output_size)})"
        )
    min_sizes, max_sizes, padding = [], [], []
    for d in range(spatial):
        smallest = (
            (input.shape[non_spatial + d] - 1) * module.stride[d]
            - 2 * module.padding[d]
            + module.dilation[d] * (module.kernel_size[d] - 1)
            + 1
        )
        min_sizes.append(smallest)
        max_sizes.append(smallest + module.stride[d] - 1)
        padding.append(int(sizes[d]) - smallest)
    for d in range(spatial):
        if not min_sizes[d] <= sizes[d] <= max_sizes[d]:
            raise ValueError(
                f"requested an output size of {sizes}, but valid sizes range from {min_sizes} to "
                f"{max_sizes} (for an input of {list(input.shape[non_spatial:])})"
            )
    return tuple(padding)


def _transposed_repr(module: Module) -> str:
    zeros = (0,) * len(module.stride)
    s = f"{module.in_channels}, {module.out_channels}, kernel_size={module.kernel_size}"
    s += f", stride={module.stride}"
    if module.padding != zeros:
        s += f", padding={module.padding}"
    if module.dilation != (1,) * len(module.stride):
        s += f", dilation={module.dilation}"
    if module.output_padding != zeros:
        s += f", output_padding={module.output_padding}"
    if module.groups != 1:
        s += f", groups={module.groups}"
    if module.bias is None:
        s += ", bias=False"
    return s


class ConvTranspose2d(Module):
    """2-D transposed convolution ("deconvolution") of an (N, C_in, H, W) or (C_in, H, W) input.

    weight: (in_channels, out_channels // groups, kH, kW). PyTorch's default initialisation:
    kaiming_uniform_(a=sqrt(5)) and a bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), where fan_in is
    computed from the weight as for any tensor: weight dim 1 * kH * kW = out_channels // groups * kH * kW.
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
        _check_transposed("ConvTranspose2d", in_channels, out_channels, groups, padding_mode, padding)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = _pair(padding)
        self.dilation = _pair(dilation)
        self.output_padding = _pair(output_padding)
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
        return F.conv_transpose2d(
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


class ConvTranspose1d(Module):
    """1-D transposed convolution of an (N, C_in, L) or (C_in, L) input; weight (in_channels,
    out_channels // groups, k), initialised as ConvTranspose2d's."""

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
        _check_transposed("ConvTranspose1d", in_channels, out_channels, groups, padding_mode, padding)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = (_single(kernel_size),)
        self.stride = (_single(stride),)
        self.padding = (_single(padding),)
        self.dilation = (_single(dilation),)
        self.output_padding = (_single(output_padding),)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(empty(in_channels, out_channels // groups, self.kernel_size[0], dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_transposed(self)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose1d(
            input,
            self.weight,
            self.bias,
            self.stride[0],
            self.padding[0],
            _output_padding(self, input, output_size)[0],
            self.groups,
            self.dilation[0],
        )

    def extra_repr(self) -> str:
        return _transposed_repr(self)


def _reset_transposed(module: Module) -> None:
    """PyTorch's _ConvNd.reset_parameters: fan_in from the weight, whose dim 1 is out_channels // groups."""
    init.kaiming_uniform_(module.weight, a=math.sqrt(5))
    if module.bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(module.weight)
        init._uniform_fan_in_(module.bias, fan_in)
