"""`repr(tensor)` in PyTorch's layout: tensor([...], dtype=..., grad_fn=<...>).

The number formatting follows PyTorch's print options (by default precision 4, threshold 1000,
edgeitems 3, linewidth 80; `set_printoptions` changes them): floats that are all integers print
as `1.`, others with `precision` decimals, and scientific notation when the magnitudes span
more than 1000x or leave [1e-4, 1e8]; every element is padded to the widest.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import dtypes

if TYPE_CHECKING:
    from .tensor import Tensor

_PREFIX = "tensor("
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


class _PrintOptions:
    precision = 4
    threshold: float = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode: bool | None = None  # None: chosen from the values, as PyTorch does


_OPTS = _PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print (PyTorch's options): digits after the point, the element count
    above which a print is summarized, the items shown at each end of a summarized dim, the
    line width, a `profile` ("default", "short", "full") setting the first four, and
    `sci_mode` (True/False forces scientific notation on or off; None chooses automatically).
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        for name, value in _PROFILES[profile].items():
            setattr(_OPTS, name, value)
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            setattr(_OPTS, name, value)
    _OPTS.sci_mode = sci_mode


class _Formatter:
    """Chooses one number format for all the values shown, as PyTorch's _Formatter does."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.floating:
            for v in values.tolist():
                self.width = max(self.width, len(str(v)))
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitude = np.abs(finite)
        lo, hi = magnitude.min(), magnitude.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        spread = hi / lo > 1000.0 or hi > 1.0e8
        self.sci_mode = spread if self.int_mode else spread or lo < 1.0e-4
        if _OPTS.sci_mode is not None:
            self.sci_mode = _OPTS.sci_mode
        for v in finite.tolist():
            if self.sci_mode:
                text = f"{v:.{_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{v:.0f}."
            else:
                text = f"{v:.{_OPTS.precision}f}"
            self.width = max(self.width, len(text))

    def format(self, v: object) -> str:
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:.{_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{_OPTS.precision}f}"
        return text.rjust(self.width)


def _summarized(data: np.ndarray) -> np.ndarray:
    """The values a summarized print shows (the edge items of every dim), flattened."""
    n = data.shape[0] if data.ndim else 0
    if data.ndim <= 1:
        return (
            data.reshape(-1)
            if n <= 2 * _OPTS.edgeitems
            else np.concatenate((data[: _OPTS.edgeitems], data[-_OPTS.edgeitems :]))
        )
    rows = range(n) if n <= 2 * _OPTS.edgeitems else [*range(_OPTS.edgeitems), *range(n - _OPTS.edgeitems, n)]
    return np.concatenate([_summarized(data[i]) for i in rows])


def _vector(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, (_OPTS.linewidth - indent) // (fmt.width + 2))
    if summarize and data.shape[0] > 2 * _OPTS.edgeitems:
        items = [fmt.format(v) for v in data[: _OPTS.edgeitems].tolist()] + [" ..."]
        items += [fmt.format(v) for v in data[-_OPTS.edgeitems :].tolist()]
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector(data, indent, summarize, fmt)
    n = data.shape[0]
    if summarize and n > 2 * _OPTS.edgeitems:
        rows = [_nested(data[i], indent + 1, summarize, fmt) for i in range(_OPTS.edgeitems)]
        rows.append("...")
        rows += [_nested(data[i], indent + 1, summarize, fmt) for i in range(n - _OPTS.edgeitems, n)]
    else:
        rows = [_nested(data[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def format_tensor(t: Tensor) -> str:
    data = t._data
    suffixes = []
    if data.size == 0:
        body = "[]"
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
    else:
        summarize = data.size > _OPTS.threshold
        fmt = _Formatter(_summarized(data) if summarize else data.reshape(-1))
        body = _nested(data, len(_PREFIX), summarize, fmt)
    if data.dtype not in (dtypes.default_float, dtypes.int64, dtypes.bool_):  # PyTorch omits these
        suffixes.append(f"dtype=tensorgrad.{data.dtype.name}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    text = _PREFIX + body
    last_line = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last_line + len(s) + 2 > _OPTS.linewidth:
            text += ",\n" + " " * len(_PREFIX) + s
            last_line = len(_PREFIX) + len(s)
        else:
            text += ", " + s
            last_line += len(s) + 2
    return text + ")"
