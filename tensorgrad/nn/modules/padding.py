"""Padding layers over F.pad: `ZeroPad1d/2d/3d`, `ConstantPad1d/2d/3d`, `ReflectionPad1d/2d/3d`,
`ReplicationPad1d/2d/3d`, `CircularPad1d/2d/3d`.

`padding` is an int (the same on every side) or a tuple (left, right) for 1-d,
(left, right, top, bottom) for 2-d, (left, right, top, bottom, front, back) for 3-d, kept as a
tuple in `self.padding`, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .module import Module

# the input dims PyTorch's non-constant padding accepts, by padding length: unbatched or batched
_NON_CONSTANT_DIMS = {2: (2, 3), 4: (3, 4), 6: (4, 5)}


def _sides(padding: Any, n: int) -> tuple:
    """An int repeated n times, or the given sequence as a tuple."""
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * n


class _PadNd(Module):
    """F.pad(input, self.padding, self.mode); subclasses set mode and the number of padded dims."""

    mode = "constant"
    sides = 2

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _sides(padding, self.sides)

    def _check_input_dim(self, input: Tensor) -> None:
        dims = _NON_CONSTANT_DIMS.get(len(self.padding))
        if dims is None or input.ndim not in dims:
            raise NotImplementedError(
                f"{self._get_name()}: only 2D, 3D, 4D, 5D padding with non-constant padding are supported: "
                f"padding {self.padding} needs a {' or '.join(f'{d}D' for d in dims or ())} input, got "
                f"a {input.ndim}D input"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with `value`."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with `value`."""

    sides = 4


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with `value`."""

    sides = 6


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dims with zeros."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad the last dim of (C, W) or (N, C, W) with its reflection (the edge not repeated)."""

    mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two dims of (C, H, W) or (N, C, H, W) with their reflection."""

    mode, sides = "reflect", 4


class ReflectionPad3d(_PadNd):
    """Pad the last three dims of (C, D, H, W) or (N, C, D, H, W) with their reflection."""

    mode, sides = "reflect", 6


class ReplicationPad1d(_PadNd):
    """Pad the last dim of (C, W) or (N, C, W) by repeating its edge value."""

    mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two dims of (C, H, W) or (N, C, H, W) by repeating their edges."""

    mode, sides = "replicate", 4


class ReplicationPad3d(_PadNd):
    """Pad the last three dims of (C, D, H, W) or (N, C, D, H, W) by repeating their edges."""

    mode, sides = "replicate", 6


class _CircularPadNd(_PadNd):
    mode = "circular"
    expected_dims: tuple = ()

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in self.expected_dims:
            raise ValueError(
                f"{self._get_name()}: expected {' or '.join(f'{d}D' for d in self.expected_dims)} input "
                f"(got {input.ndim}D input)"
            )


class CircularPad1d(_CircularPadNd):
    """Pad the last dim of (C, W) or (N, C, W) by wrapping around."""

    expected_dims = (2, 3)


class CircularPad2d(_CircularPadNd):
    """Pad the last two dims of (C, H, W) or (N, C, H, W) by wrapping around."""

    sides, expected_dims = 4, (3, 4)


class CircularPad3d(_CircularPadNd):
    """Pad the last three dims of (C, D, H, W) or (N, C, D, H, W) by wrapping around."""

    sides, expected_dims = 6, (4, 5)
