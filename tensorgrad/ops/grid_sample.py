"""affine_grid and grid_sample (4-D): spatial transformers, composed from differentiable ops.

grid_sample maps each grid point (x, y in [-1, 1]) to a source position in the input, pulls it
into range by the padding mode, and reads the input there: the nearest pixel, or the four pixels
around it weighted bilinearly. The reads are gathers at indices computed in numpy; the source
positions and the bilinear weights are tensor ops on the grid, so gradients reach both the input
(through the gathers) and the grid (through the weights), as PyTorch's kernel computes them.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")
_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
    "Please specify align_corners=True if the old behavior is desired. See the documentation of "
    "grid_sample for details."
)


def _align(align_corners: bool | None) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=3)
        return False
    return bool(align_corners)


def _linspace_from_neg_one(steps: int, align_corners: bool) -> np.ndarray:
    """The normalised centres (or, with align_corners, corners) of `steps` pixels in [-1, 1]."""
    if steps <= 1:
        return np.zeros(steps)
    points = np.linspace(-1.0, 1.0, steps)
    return points if align_corners else points * (steps - 1) / steps


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid (N, H, W, 2) of the affine maps theta (N, 2, 3) for an output of
    size (N, C, H, W): grid[n, i, j] = theta[n] @ (x_j, y_i, 1)."""
    op = "affine_grid"
    align_corners = _align(align_corners)
    if not isinstance(theta, Tensor) or theta._data.dtype.kind != "f":
        kind = theta._data.dtype if isinstance(theta, Tensor) else type(theta).__name__
        raise ValueError(f"{op}: Expected theta to have floating point type, but got {kind}")
    size = [int(s) for s in size]
    if len(size) == 5:
        raise NotImplementedError(
            f"{op}: 5-D sizes (3-D affine transforms) are not supported, got size {size}"
        )
    if len(size) != 4:
        raise NotImplementedError(f"{op}: only supports 4D sizes, for 2D affine transforms. Got size {size}.")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
        raise ValueError(
            f"{op}: Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
            f"Got {list(theta.shape)}."
        )
    if min(size) <= 0:
        raise ValueError(f"{op}: Expected non-zero, positive output size. Got {size}")
    n, _, h, w = size
    if theta.shape[0] != n:
        raise ValueError(f"{op}: theta holds {theta.shape[0]} matrices but size asks for a batch of {n}")
    xs = _linspace_from_neg_one(w, align_corners)
    ys = _linspace_from_neg_one(h, align_corners)
    base = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None], 1.0), -1).reshape(h * w, 3)
    points = matmul(_wrap(base.astype(theta._data.dtype)), transpose(theta, 1, 2))  # (N, H*W, 2)
    return reshape(points, (n, h, w, 2))


def _reflect(x: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """x reflected back and forth into [twice_low / 2, twice_high / 2] (PyTorch's reflect_coordinates)."""
    if twice_low == twice_high:
        return mul(x, 0.0)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    distance = abs(sub(x, low))
    flips = np.floor(distance._data / span)
    extra = sub(distance, _wrap(flips * span))
    return where(_wrap(flips % 2 == 0), add(extra, low), rsub(extra, span + low))


def _source_index(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Pixel coordinates from normalised ones, brought into range by the padding mode."""
    if align_corners:
        x = mul(add(coord, 1.0), (size - 1) / 2)
    else:
        x = sub(mul(add(coord, 1.0), size / 2), 0.5)
    if padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
    if padding_mode != "zeros":
        x = clamp(x, 0.0, float(size - 1))
    return x


def _read(flat: Tensor, ys: np.ndarray, xs: np.ndarray, weight: Tensor | None, h: int, w: int) -> Tensor:
    """weight * input[n, :, ys, xs] (weight 1 if None) at integer pixel positions (N, Ho, Wo);
    0 outside the input."""
    n, c, _ = flat._data.shape
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    at = np.where(inside, ys * w + xs, 0).astype(np.int64).reshape(n, 1, -1)
    values = reshape(
        gather(flat, 2, _wrap(np.broadcast_to(at, (n, c, at.shape[2])).copy())), (n, c) + xs.shape[1:]
    )
    if weight is None:
        weight = _wrap(inside.astype(flat._data.dtype))
    else:
        weight = where(_wrap(inside), weight, 0.0)
    return mul(values, unsqueeze(weight, 1))


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """output[n, :, i, j] = input[n] read at the position grid[n, i, j] = (x, y), with x and y in
    [-1, 1] spanning the input's width and height: input (N, C, H, W), grid (N, Ho, Wo, 2),
    output (N, C, Ho, Wo)."""
    op = "grid_sample"
    if mode not in _MODES:
        raise ValueError(
            f"nn.functional.{op}(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{mode}'"
        )
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            f"nn.functional.{op}(): expected padding_mode to be 'zeros', 'border', or 'reflection', "
            f"but got: '{padding_mode}'"
        )
    if mode == "bicubic":
        raise NotImplementedError(f"{op}: mode='bicubic' is not supported; use 'bilinear' or 'nearest'")
    align_corners = _align(align_corners)
    _check_float(input, "input", op)
    _check_float(grid, "grid", op)
    x, g = input._data, grid._data
    if x.dtype != g.dtype:
        raise RuntimeError(
            f"{op}: expected input and grid to have same dtype, but input has {x.dtype} "
            f"and grid has {g.dtype}"
        )
    if x.ndim == 5 and g.ndim == 5:
        raise NotImplementedError(
            f"{op}: 5-D (volumetric) input is not supported, got input of shape {list(x.shape)}"
        )
    if x.ndim != 4 or g.ndim != 4:
        raise RuntimeError(
            f"{op}: expected 4D input and grid with same number of dimensions, but got input with "
            f"sizes {list(x.shape)} and grid with sizes {list(g.shape)}"
        )
    if x.shape[0] != g.shape[0]:
        raise RuntimeError(
            f"{op}: expected grid and input to have same batch size, but got input with sizes "
            f"{list(x.shape)} and grid with sizes {list(g.shape)}"
        )
    if g.shape[3] != 2:
        raise RuntimeError(
            f"{op}: expected grid to have size 2 in last dimension, but got grid with sizes {list(g.shape)}"
        )
    if x.shape[2] == 0 or x.shape[3] == 0:
        raise RuntimeError(
            f"{op}: expected input to have non-empty spatial dimensions, but input has sizes {list(x.shape)}"
        )
    n, c, h, w = x.shape
    ix = _source_index(getitem(grid, (Ellipsis, 0)), w, padding_mode, align_corners)
    iy = _source_index(getitem(grid, (Ellipsis, 1)), h, padding_mode, align_corners)
    flat = reshape(input, (n, c, h * w))
    if mode == "nearest":  # round half to even, as std::nearbyint
        return _read(flat, np.rint(iy._data), np.rint(ix._data), None, h, w)
    x0 = np.floor(ix._data)
    y0 = np.floor(iy._data)
    west, east = rsub(ix, _wrap(x0 + 1)), sub(ix, _wrap(x0))  # weights of the columns x0, x0 + 1
    north, south = rsub(iy, _wrap(y0 + 1)), sub(iy, _wrap(y0))
    out = _read(flat, y0, x0, mul(north, west), h, w)
    out = add(out, _read(flat, y0, x0 + 1, mul(north, east), h, w))
    out = add(out, _read(flat, y0 + 1, x0, mul(south, west), h, w))
    return add(out, _read(flat, y0 + 1, x0 + 1, mul(south, east), h, w))


from .elementwise import abs, add, clamp, mul, rsub, sub, where  # noqa: E402
from .index import gather, getitem  # noqa: E402
from .loss import _check_float  # noqa: E402
from .matmul import matmul  # noqa: E402
from .shape import reshape, transpose, unsqueeze  # noqa: E402
