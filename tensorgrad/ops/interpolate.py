"""`interpolate` (PyTorch's `torch.nn.functional.interpolate`): resize the spatial dims of an
(N, C, *spatial) input, composed from differentiable ops so that gradients come from them.

Every mode but 'area' is separable: along one spatial dim, output position i is a weighted sum of
a few input positions ("taps"): 1 for nearest, 2 for linear, 4 for cubic. The taps' indices and
weights depend only on the sizes, so they are computed once in numpy with PyTorch's CPU formulas
(aten/src/ATen/native/UpSample.h) in PyTorch's arithmetic (float32 index scales for nearest, the
input's dtype for linear and cubic); each dim is then resampled, the last dim first, as PyTorch's
kernel nests them: by a matrix product with the (in, out) matrix of the taps' weights (BLAS; 7x
faster forward and 3x backward than gathering, at 64 -> 128 on a (8, 64, 64, 64) input), or, where
that matrix would be large or the input holds inf or nan (a product would spread them along the
whole dim through 0 * inf), by index_select and a weighted sum. 'area' is adaptive average pooling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
# the input dims (N, C and the spatial dims) each interpolating mode needs
_MODE_DIMS = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_CUBIC_A = -0.75  # the bicubic convolution's A, as PyTorch's


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Down/up samples the input to either the given `size` or the given `scale_factor`.

    input: (N, C, W), (N, C, H, W) or (N, C, D, H, W). Exactly one of size (an int or one int per
    spatial dim) and scale_factor (a float or one per spatial dim; the output size is
    floor(input_size * scale_factor)) is given. mode: 'nearest' (PyTorch's legacy rule, source index
    floor(i * scale)), 'nearest-exact' (floor((i + 0.5) * scale)), 'linear' (3-D), 'bilinear' and
    'bicubic' (4-D), 'trilinear' (5-D), 'area' (3-D or 4-D: adaptive average pooling).
    align_corners (interpolating modes only, default False): if True, the corner pixels' centres of
    input and output are aligned. With scale_factor, the scale itself is used to map output
    positions to input positions unless recompute_scale_factor=True, which uses the sizes instead.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, not {type(input).__name__}")
    ndim = input._data.ndim
    if mode not in _MODES or ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D, shape "
            f"{list(input.shape)}) for the modes: {' | '.join(_MODES)} (got {mode!r})"
        )
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "interpolate: align_corners option can only be set with the interpolating modes: "
                f"linear | bilinear | bicubic | trilinear (got mode {mode!r})"
            )
    elif ndim != _MODE_DIMS[mode]:
        raise NotImplementedError(
            f"interpolate: Got {ndim}D input, but {mode} mode needs {_MODE_DIMS[mode]}D input"
        )
    if antialias:
        if mode not in ("bilinear", "bicubic"):
            raise ValueError(
                "interpolate: Anti-alias option is restricted to bilinear and bicubic modes and requires a "
                "4-D tensor as input"
            )
        raise NotImplementedError("interpolate: antialias=True is not implemented in tensorgrad")
    in_sizes = input._data.shape[2:]
    out_sizes, scales = _output_sizes(in_sizes, size, scale_factor)
    if recompute_scale_factor and size is not None:
        raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = [None] * len(in_sizes)  # the index formulas use the sizes
    if min(in_sizes) <= 0 or min(out_sizes) <= 0:
        raise RuntimeError(
            "interpolate: Input and output sizes should be greater than 0, but got input "
            f"{list(input.shape)} (spatial size {list(in_sizes)}) and output size {out_sizes}"
        )
    if mode == "area":
        return _area(input, out_sizes)
    dtype = input._data.dtype
    if mode not in ("nearest", "nearest-exact") and dtype.kind != "f":
        raise RuntimeError(f"interpolate: mode {mode!r} expects a floating point input, got dtype {dtype}")
    out = input
    for axis in range(ndim - 1, 1, -1):  # the last dim first, as PyTorch's kernel nests them
        n_in, n_out, scale = in_sizes[axis - 2], out_sizes[axis - 2], scales[axis - 2]
        if mode == "nearest":
            taps = _nearest_taps(n_in, n_out, scale, exact=False)
        elif mode == "nearest-exact":
            taps = _nearest_taps(n_in, n_out, scale, exact=True)
        elif mode == "bicubic":
            taps = _cubic_taps(n_in, n_out, scale, bool(align_corners), dtype.type)
        else:
            taps = _linear_taps(n_in, n_out, scale, bool(align_corners), dtype.type)
        if taps:
            out = _resample(out, axis, taps)
    return clone(input) if out is input else out


def _output_sizes(in_sizes: tuple, size: Any, scale_factor: Any) -> tuple[list, list]:
    """(output sizes, scale factors: None where a size was given), one per spatial dim, from
    exactly one of size and scale_factor, with PyTorch's checks."""
    dims = len(in_sizes)
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        sizes = list(size) if isinstance(size, (tuple, list)) else [size] * dims
        if len(sizes) != dims:
            raise ValueError(
                "interpolate: Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(in_sizes)} and output size of {size}"
            )
        for s in sizes:
            if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
                raise TypeError(
                    f"interpolate: expected size to be an int or a tuple of ints, but got size {size!r}"
                )
        return [int(s) for s in sizes], [None] * dims
    if scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    factors = list(scale_factor) if isinstance(scale_factor, (tuple, list)) else [scale_factor] * dims
    if len(factors) != dims:
        raise ValueError(
            "interpolate: Input and scale_factor must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {list(in_sizes)} and scale_factor of shape {scale_factor}"
        )
    for f in factors:
        if not isinstance(f, (int, float, np.integer, np.floating)) or isinstance(f, bool):
            raise TypeError(
                f"interpolate: expected scale_factor to be a float or a tuple of floats, got {scale_factor!r}"
            )
        if not math.isfinite(f):
            raise ValueError(f"interpolate: scale_factor must be finite, got {scale_factor!r}")
    sizes = [math.floor(float(n) * float(f)) for n, f in zip(in_sizes, factors)]
    return sizes, [float(f) for f in factors]


_DENSE_MAX = 1 << 22  # entries of the largest resampling matrix applied by a product


def _resample(x: Tensor, axis: int, taps: list) -> Tensor:
    """sum over taps of index_select(x, axis, index) * weight (weight None: 1) along `axis`."""
    data = x._data
    n_in, n_out = data.shape[axis], len(taps[0][0])
    if data.dtype.kind == "f" and n_in * n_out <= _DENSE_MAX and np.isfinite(data).all():
        weights = np.zeros((n_in, n_out), data.dtype)
        for index, weight in taps:
            np.add.at(weights, (index, np.arange(n_out)), 1 if weight is None else weight)
        last = data.ndim - 1
        if axis == last:
            return matmul(x, _wrap(weights))
        return transpose(matmul(transpose(x, axis, last), _wrap(weights)), axis, last)
    out = None
    trailing = (1,) * (x._data.ndim - axis - 1)
    for index, weight in taps:
        part = index_select(x, axis, index)
        if weight is not None:
            part = mul(part, _wrap(weight.reshape((-1, *trailing))))
        out = part if out is None else add(out, part)
    return out


# ---- the taps along one dim: PyTorch's CPU index and weight formulas ---------------------------------


def _scale_value(n_in: int, n_out: int, scale: float | None, real: type) -> Any:
    """compute_scales_value: input step per output step, 1/scale_factor where one is used."""
    if scale is not None and scale > 0:
        return real(1.0 / scale)
    return real(n_in) / real(n_out)


def _nearest_taps(n_in: int, n_out: int, scale: float | None, exact: bool) -> list:
    """[(index, None)], or [] for the identity. Legacy nearest copies at equal sizes and halves the
    index at twice the size whatever the scale; its index is floor(i * s) in float32 arithmetic,
    nearest-exact's floor((i + 0.5) * s) (double product, rounded to float32 for floorf)."""
    dst = np.arange(n_out)
    if not exact and n_out == n_in:
        return []
    if not exact and n_out == 2 * n_in:
        return [(dst >> 1, None)]
    s = _scale_value(n_in, n_out, scale, np.float32)
    if exact:
        src = np.floor(((dst + 0.5) * np.float64(s)).astype(np.float32))
    else:
        src = np.floor(dst.astype(np.float32) * s)
    index = np.minimum(src.astype(np.int64), n_in - 1)
    return [] if np.array_equal(index, np.arange(n_in)) else [(index, None)]


def _source_index(
    n_in: int, n_out: int, scale: float | None, align_corners: bool, cubic: bool, real: type
) -> Any:
    """area_pixel_compute_source_index for every output position, in `real` arithmetic."""
    dst = np.arange(n_out, dtype=real)
    if align_corners:
        ratio = real(n_in - 1) / real(n_out - 1) if n_out > 1 else real(0)
        return ratio * dst
    src = _scale_value(n_in, n_out, scale, real) * (dst + real(0.5)) - real(0.5)
    return src if cubic else np.maximum(src, real(0))


def _floor_and_fraction(src: np.ndarray, n_in: int, real: type) -> tuple[np.ndarray, np.ndarray]:
    """guard_index_and_lambda: the index below (at most n_in - 1) and the fraction, clipped to [0, 1]."""
    index = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    return index, np.clip(src - index.astype(real), real(0), real(1))


def _linear_taps(n_in: int, n_out: int, scale: float | None, align_corners: bool, real: type) -> list:
    """[(i0, 1 - t), (i1, t)], i1 = i0 + 1 except at the last input position; [] at equal sizes
    (PyTorch copies there, whatever the scale)."""
    if n_out == n_in:
        return []
    src = _source_index(n_in, n_out, scale, align_corners, False, real)
    i0, t = _floor_and_fraction(src, n_in, real)
    i1 = i0 + (i0 < n_in - 1)
    return [(i0, real(1) - t), (i1, t)]


def _cubic_taps(n_in: int, n_out: int, scale: float | None, align_corners: bool, real: type) -> list:
    """Keys' cubic convolution (A = -0.75) over input positions i0-1 .. i0+2, clamped to the input."""
    src = _source_index(n_in, n_out, scale, align_corners, True, real)
    i0, t = _floor_and_fraction(src, n_in, real)
    a = real(_CUBIC_A)

    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    rest = 1 - t
    weights = (far(t + 1), near(t), near(rest), far(rest + 1))
    return [(np.clip(i0 - 1 + k, 0, n_in - 1), weights[k]) for k in range(4)]


def _area(input: Tensor, out_sizes: list) -> Tensor:
    """'area' mode: adaptive average pooling to the output size (3-D input as a height of 1)."""
    if input._data.ndim == 5:
        raise NotImplementedError(
            "interpolate: mode 'area' on 5-D input (adaptive_avg_pool3d) is not implemented"
        )
    if input._data.ndim == 4:
        return adaptive_avg_pool2d(input, tuple(out_sizes))
    return squeeze(adaptive_avg_pool2d(unsqueeze(input, -2), (1, out_sizes[0])), -2)


from .adaptive_pool import adaptive_avg_pool2d  # noqa: E402
from .elementwise import add, clone, mul  # noqa: E402
from .index import index_select  # noqa: E402
from .matmul import matmul  # noqa: E402
from .shape import squeeze, transpose, unsqueeze  # noqa: E402
