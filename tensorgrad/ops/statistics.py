"""Statistics with PyTorch's names and return values: var_mean, std_mean, aminmax, quantile,
nanquantile, nanmedian, cov, corrcoef, histogram, trapezoid (trapz) and cumulative_trapezoid.

The differentiable ones are composed of sort/gather, lerp, sum, mul and matmul, so their gradients
are those ops'. Ranks and counts (which entries a quantile picks) are computed in numpy: they are
piecewise constant, as in PyTorch.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap, normalize_dim
from ._util import dims_of

min_max = namedtuple("aminmax", ["min", "max"])
hist_edges = namedtuple("histogram", ["hist", "bin_edges"])

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _tensor(input: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return input


def var_mean(
    input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None
) -> tuple[Tensor, Tensor]:
    """(var, mean) over dim, with var's correction (Bessel's, 1, by default)."""
    if isinstance(dim, bool):  # var_mean(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    v = _variance(_tensor(input, "var_mean"), dim, unbiased, keepdim, correction, "var_mean")
    return v, mean(input, dims_of(dim, input._data.ndim, "var_mean"), keepdim)


def std_mean(
    input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None
) -> tuple[Tensor, Tensor]:
    """(std, mean) over dim, with std's correction (Bessel's, 1, by default)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    v = _variance(_tensor(input, "std_mean"), dim, unbiased, keepdim, correction, "std_mean")
    return sqrt(v), mean(input, dims_of(dim, input._data.ndim, "std_mean"), keepdim)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """(min, max) of input, over every entry or along one dim; a named tuple like PyTorch's."""
    x = _tensor(input, "aminmax")._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(
                f"aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                f"identity (input shape {list(x.shape)})"
            )
        return min_max(amin(input, (), keepdim), amax(input, (), keepdim))
    d = normalize_dim(dim, x.ndim, "aminmax")
    if x.ndim and x.shape[d] == 0:
        raise RuntimeError(
            f"aminmax(): Expected reduction dim {d} to have non-zero size (input shape {list(x.shape)})"
        )
    return min_max(amin(input, d, keepdim), amax(input, d, keepdim))


def _quantile(input: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str, op: str) -> Tensor:
    x = _tensor(input, op)._data
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype, got {x.dtype}")
    if x.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty (got shape {list(x.shape)})")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor, got shape {list(q._data.shape)}")
        if q._data.dtype != x.dtype:
            raise RuntimeError(
                f"{op}() q tensor must be same dtype as the input tensor ({q._data.dtype} vs {x.dtype})"
            )
        qs = q._data.astype(np.float64)
    else:
        qs = np.asarray(float(q))
    if not ((qs >= 0) & (qs <= 1)).all():
        raise RuntimeError(f"{op}() q values must be in the range [0, 1], got {qs.tolist()}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
            f"Got {interpolation!r}"
        )
    if dim is None:
        values, d = reshape(input, (-1,)), 0
    else:
        d = normalize_dim(dim, x.ndim, op)
        values = reshape(input, (1,)) if x.ndim == 0 else input
        if values._data.shape[d] == 0:
            raise RuntimeError(f"{op}() input tensor must be non-empty along dim {d}")
    ordered = sort(movedim(values, d, -1), -1).values  # NaNs sort last
    n = ordered._data.shape[-1]
    nans = np.isnan(ordered._data).sum(axis=-1, keepdims=True)
    flat_q = qs.reshape(-1)
    if op == "nanquantile":  # the NaNs sit at the end: rank among the numbers only
        ranks = flat_q * (n - nans - 1)
        ranks = np.where(nans == n, n - 1, ranks)
    else:  # any NaN makes the quantile NaN: point at the last entry, a NaN
        ranks = np.where(nans > 0, n - 1, flat_q * (n - 1))
    ranks = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(interpolation, lambda r: r)(ranks)
    below, above = np.floor(ranks).astype(np.int64), np.ceil(ranks).astype(np.int64)
    low = gather(ordered, -1, _wrap(below))
    out = low
    if interpolation in ("linear", "midpoint"):
        weight = np.full(ranks.shape, 0.5) if interpolation == "midpoint" else ranks - below
        out = lerp(low, gather(ordered, -1, _wrap(above)), _wrap(weight.astype(x.dtype)))
    out = movedim(out, -1, 0)  # the q dim leads
    if keepdim:
        out = unsqueeze(out, d + 1) if dim is not None else reshape(out, (-1,) + (1,) * x.ndim)
    return squeeze(out, 0) if qs.ndim == 0 else out


def quantile(
    input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    """The q-th quantiles of input (flattened, or along dim); a 1-D q adds a leading dim. Between
    two entries the result follows `interpolation`. A NaN in a slice makes its quantiles NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, "quantile")


def nanquantile(
    input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    """quantile ignoring NaNs (a slice of only NaNs gives NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, "nanquantile")


def nanmedian(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median of the entries that are not NaN: over all entries (a tensor) or along dim
    ((values, indices)). A slice of only NaNs gives NaN."""
    x = _tensor(input, "nanmedian")._data
    if x.dtype.kind != "f":
        return median(input, dim, keepdim)
    if dim is None:
        if x.size == 0:
            return _wrap(np.asarray(np.nan, dtype=x.dtype))
        return nanmedian(reshape(input, (-1,)), 0).values
    d = normalize_dim(dim, x.ndim, "nanmedian")
    if x.ndim == 0:
        return values_indices(clone(input), _wrap(np.zeros((), np.int64)))
    if x.shape[d] == 0:
        raise RuntimeError(f"nanmedian(): expected reduction dim {d} to have non-zero size")
    numbers = x.shape[d] - np.isnan(x).sum(axis=d, keepdims=True)
    picked = np.take_along_axis(_order(x, d, False), np.maximum(numbers - 1, 0) // 2, d)
    values = gather(input, d, _wrap(picked))
    if not keepdim:
        return values_indices(squeeze(values, d), _wrap(np.squeeze(picked, d)))
    return values_indices(values, _wrap(picked))


def cov(
    input: Tensor, *, correction: int = 1, fweights: Tensor | None = None, aweights: Tensor | None = None
) -> Tensor:
    """The covariance matrix of the variables in input's rows (observations in its columns); a
    1-D input is one variable and gives a 0-d tensor. fweights (integer repeat counts) and
    aweights (float importance weights) weight the observations, as numpy.cov."""
    x = _tensor(input, "cov")
    if x._data.ndim > 2:
        raise RuntimeError(
            f"cov(): expected input to have two or fewer dimensions but got an input with "
            f"{x._data.ndim} dimensions (shape {list(x._data.shape)})"
        )
    if x._data.dtype.kind != "f":
        x = cast(x, dtypes.float32)
    x = reshape(x, (1, -1)) if x._data.ndim < 2 else x
    n = x._data.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        wd = _tensor(weights, "cov")._data
        if wd.ndim > 1 or wd.size != n:
            raise RuntimeError(
                f"cov(): expected {name} to have one dimension of size {n} (the number of observations) "
                f"but got shape {list(wd.shape)}"
            )
        if name == "fweights" and wd.dtype.kind not in "iu":
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got {wd.dtype}")
        if name == "aweights" and wd.dtype.kind != "f":
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got {wd.dtype}")
        if (wd < 0).any():
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = cast(weights, x._data.dtype) if w is None else mul(w, weights)
    if w is None:
        total = float(n)
        average = mean(x, 1)
        norm = total - correction
    else:
        total_t = sum(w)
        average = div(sum(mul(x, w), 1), total_t)
        if correction == 0:
            norm = total_t
        elif aweights is None:
            norm = sub(total_t, correction)
        else:
            norm = sub(total_t, div(mul(sum(mul(w, aweights)), correction), total_t))
    if isinstance(norm, Tensor):
        norm = clamp(norm, min=0.0)
    else:
        norm = max(norm, 0.0)
    centered = sub(x, unsqueeze(average, 1))
    weighted = centered if w is None else mul(centered, w)
    return squeeze(div(matmul(weighted, transpose(centered, 0, 1)), norm))


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in input's rows, clipped to [-1, 1]."""
    c = cov(_tensor(input, "corrcoef"))
    if c._data.ndim == 0:
        return div(c, c)
    std = sqrt(diagonal(c))
    return clamp(div(div(c, unsqueeze(std, 1)), unsqueeze(std, 0)), -1.0, 1.0)


def histogram(
    input: Tensor, bins: Any = 100, *, range: Any = None, weight: Tensor | None = None, density: bool = False
) -> Any:
    """(hist, bin_edges): counts (or summed weights) of input's entries in bins given by their
    number (equal width over `range`, or the data's min and max) or by a 1-D tensor of increasing
    edges; the last bin includes its right edge. With density, hist integrates to 1. No gradient."""
    x = _tensor(input, "histogram")._data
    if x.dtype.kind != "f":
        raise RuntimeError(f"torch.histogram: input tensor must be float or double, got dtype {x.dtype}")
    w = None
    if weight is not None:
        w = _tensor(weight, "histogram")._data
        if w.shape != x.shape or w.dtype != x.dtype:
            raise RuntimeError(
                f"torch.histogram: weight should have the same shape and dtype as input, got "
                f"{list(w.shape)} {w.dtype} and {list(x.shape)} {x.dtype}"
            )
    if isinstance(bins, Tensor):
        edges = bins._data
        if edges.ndim != 1 or edges.size < 1 or (np.diff(edges) < 0).any():
            raise RuntimeError(
                f"torch.histogram: bins must be a 1-D tensor of increasing edges, "
                f"got shape {list(edges.shape)}"
            )
        edges = edges.astype(x.dtype)
    else:
        if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins!r}")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        else:
            lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
        if lo > hi:
            raise RuntimeError(f"torch.histogram(): min should not exceed max, but got min {lo} max {hi}")
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(f"torch.histogram(): range of [{lo}, {hi}] is not finite")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, int(bins) + 1).astype(x.dtype)
    hist, _ = np.histogram(
        x.reshape(-1), edges, weights=None if w is None else w.reshape(-1), density=density
    )
    return hist_edges(_wrap(hist.astype(x.dtype)), _wrap(edges))


def _spacing(y: Tensor, x: Any, dx: Any, d: int, op: str) -> Any:
    """The widths of the intervals along dim d: a number (dx) or a tensor broadcastable to y's
    intervals (diff of x, a 1-D x laid along dim d)."""
    if x is None:
        return 1.0 if dx is None else dx
    if dx is not None:
        raise TypeError(f"{op}: pass either x or dx, not both")
    x = _tensor(x, op)
    if x._data.ndim == 1:
        if x._data.shape[0] != y._data.shape[d]:
            raise RuntimeError(
                f"{op}: There must be one `x` value for each sample point along dim {d} "
                f"(x shape {list(x._data.shape)}, y shape {list(y._data.shape)})"
            )
        return reshape(diff(x), (-1,) + (1,) * (y._data.ndim - 1 - d))
    return diff(x, dim=d - y._data.ndim)


def _intervals(y: Tensor, x: Any, dx: Any, dim: int, op: str) -> tuple[Tensor, int]:
    """The trapezoid areas along dim: (y[i] + y[i+1]) / 2 * width."""
    d = normalize_dim(dim, _tensor(y, op)._data.ndim, op)
    if y._data.dtype.kind != "f":
        y = cast(y, dtypes.float32)
    n = y._data.shape[d]
    if n == 0:
        return _wrap(np.zeros(y._data.shape, y._data.dtype)), d
    width = _spacing(y, x, dx, d, op)
    pair_sum = add(narrow(y, d, 0, n - 1), narrow(y, d, 1, n - 1))
    return mul(mul(pair_sum, width), 0.5), d


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The integral of y along dim by the trapezoidal rule, with sample points x or spacing dx."""
    areas, d = _intervals(y, x, dx, dim, "trapezoid")
    return sum(areas, d)


trapz = trapezoid


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral of y along dim: one entry fewer than y along dim."""
    areas, d = _intervals(y, x, dx, dim, "cumulative_trapezoid")
    if areas._data.shape[d] == 0:
        return areas
    return cumsum(areas, d)


from .composite import lerp  # noqa: E402
from .elementwise import add, cast, clamp, clone, div, mul, sqrt, sub  # noqa: E402
from .index import gather  # noqa: E402
from .matmul import matmul  # noqa: E402
from .more_shape import diagonal, diff, movedim  # noqa: E402
from .reduce import _variance, amax, amin, mean, sum, values_indices  # noqa: E402
from .scan import cumsum  # noqa: E402
from .shape import narrow, reshape, squeeze, transpose, unsqueeze  # noqa: E402
from .sorting import _order, median, sort  # noqa: E402
