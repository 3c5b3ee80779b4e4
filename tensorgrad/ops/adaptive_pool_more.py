"""adaptive_max_pool2d, and the 1-d adaptive pools as the 2-d ones on a height of 1.

Cell i along a dim of size n (m cells) covers [floor(i n / m), ceil((i + 1) n / m)), as in
adaptive_avg_pool2d (ops/adaptive_pool.py). The max of a cell is taken over its elements gathered
through one index array; cells shorter than the longest repeat their last element, which changes
neither the maximum nor which element is the first maximum (the index returned, as in PyTorch).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap
from ._util import require_float
from .adaptive_pool import adaptive_avg_pool2d
from .index import getitem
from .reduce import max as max_along
from .shape import reshape, squeeze, unsqueeze


def _check_input(input: Any, dims: tuple, op: str) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    x = input._data
    spatial = dims[0] - 1
    if x.ndim not in dims or 0 in x.shape[-spatial:]:
        raise RuntimeError(
            f"{op}: expected a {dims[0]}-D (unbatched) or {dims[1]}-D (batched) input with non-zero "
            f"spatial sizes, got shape {list(x.shape)}"
        )
    require_float(input, op)
    return x


def _output_size(output_size: Any, sizes: tuple, op: str) -> tuple:
    """output_size (an int, or one value per spatial dim, None keeping that dim's size) as ints."""
    single = isinstance(output_size, (int, np.integer)) or output_size is None
    out = (output_size,) * len(sizes) if single else tuple(output_size)
    if len(out) != len(sizes):
        raise RuntimeError(f"{op}: output_size must be an int or {len(sizes)} values, got {output_size!r}")
    out = tuple(n if o is None else int(o) for o, n in zip(out, sizes))
    if min(out) <= 0:
        raise RuntimeError(f"{op}: output_size must be positive, got {output_size!r}")
    return out


def _cells(n: int, m: int) -> np.ndarray:
    """(m, longest cell): the input positions of each of the m cells, the short ones padded with
    their last position."""
    i = np.arange(m)
    starts, ends = (i * n) // m, -((-(i + 1) * n) // m)
    longest = int((ends - starts).max())
    return np.minimum(starts[:, None] + np.arange(longest), ends[:, None] - 1)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """(N, C, H, W) or (C, H, W) max-pooled to (..., oh, ow); with return_indices also the int64
    position of each maximum in its H * W plane."""
    op = "adaptive_max_pool2d"
    x = _check_input(input, (3, 4), op)
    *lead, h, w = x.shape
    oh, ow = _output_size(output_size, (h, w), op)
    rows, cols = _cells(h, oh), _cells(w, ow)
    flat = (rows[:, None, :, None] * w + cols[None, :, None, :]).reshape(oh * ow, -1)
    values, pos = max_along(getitem(reshape(input, (*lead, h * w)), (Ellipsis, _wrap(flat))), -1)
    values = reshape(values, (*lead, oh, ow))
    if not return_indices:
        return values
    indices = flat[np.arange(oh * ow), pos._data].reshape(*lead, oh, ow)
    return values, _wrap(indices.astype(np.int64))


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """(N, C, L) or (C, L) max-pooled to (..., output_size); with return_indices also the int64
    position of each maximum along L."""
    op = "adaptive_max_pool1d"
    x = _check_input(input, (2, 3), op)
    (size,) = _output_size(output_size, x.shape[-1:], op)
    out = adaptive_max_pool2d(unsqueeze(input, -2), (1, size), return_indices)
    if return_indices:
        return squeeze(out[0], -2), squeeze(out[1], -2)
    return squeeze(out, -2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """(N, C, L) or (C, L) averaged to (..., output_size)."""
    op = "adaptive_avg_pool1d"
    x = _check_input(input, (2, 3), op)
    (size,) = _output_size(output_size, x.shape[-1:], op)
    return squeeze(adaptive_avg_pool2d(unsqueeze(input, -2), (1, size)), -2)
