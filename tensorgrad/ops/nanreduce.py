"""nansum and nanmean: sum and mean that skip NaN entries (as if they were absent).

Both are written with `where` and `sum`, so the gradient is sum's or mean's where the input is a
number and 0 at its NaNs, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor


def _without_nans(input: Tensor, op: str) -> Tensor:
    """input with its NaNs replaced by 0 (integer and bool tensors have none)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        return input
    return where(isnan(input), 0.0, input)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum over `dim` (an int, a tuple, or None for all) treating NaN as 0."""
    return sum(_without_nans(input, "nansum"), dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean over `dim` of the entries that are not NaN (NaN where there are none)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"nanmean: expected a Tensor, got {type(input).__name__}")
    if dtype is not None:
        input = cast(input, dtypes.canonical(dtype, "nanmean"))
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"nanmean(): expected input to have floating point dtype but got {input._data.dtype}"
        )
    count = sum(logical_not(isnan(input)), dim, keepdim)
    return div(nansum(input, dim, keepdim), cast(count, input._data.dtype))


from .elementwise import cast, div, isnan, logical_not, where  # noqa: E402
from .reduce import sum  # noqa: E402
