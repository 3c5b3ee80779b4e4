"""`repr(tensor)` in PyTorch's layout: tensor([...], dtype=..., grad_fn=<...>).

The number formatting follows PyTorch's default print options (precision 4, threshold 1000,
edgeitems 3, linewidth 80): floats that are all integers print as `1.`, others with four
decimals, and scientific notation when the magnitudes span more than 1000x or leave
[1e-4, 1e8]; every element is padded to the widest.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))
_PRECISION = 4
_THRESHOLD = 1000
_EDGEITEMS = 3
_LINEWIDTH = 80
_PREFIX = "tensor("


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
        for v in finite.tolist():
            if self.sci_mode:
                text = f"{v:.{_PRECISION}e}"
            elif self.int_mode:
                text = f"{v:.0f}."
            else:
                text = f"{v:.{_PRECISION}f}"
            self.width = max(self.width, len(text))

    def format(self, v: object) -> str:
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:.{_PRECISION}e}"
        elif self.int_mode:
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{_PRECISION}f}"
        return text.rjust(self.width)


def _summarized(data: np.ndarray) -> np.ndarray:
    """The values a summarized print shows (the edge items of every dim), flattened."""
    n = data.shape[0] if data.ndim else 0
    if data.ndim <= 1:
        return (
            data.reshape(-1)
            if n <= 2 * _EDGEITEMS
            else np.concatenate((data[:_EDGEITEMS], data[-_EDGEITEMS:]))
        )
    rows = range(n) if n <= 2 * _EDGEITEMS else [*range(_EDGEITEMS), *range(n - _EDGEITEMS, n)]
    return np.concatenate([_summarized(data[i]) for i in rows])


def _vector(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, (_LINEWIDTH - indent) // (fmt.width + 2))
    if summarize and data.shape[0] > 2 * _EDGEITEMS:
        items = [fmt.format(v) for v in data[:_EDGEITEMS].tolist()] + [" ..."]
        items += [fmt.format(v) for v in data[-_EDGEITEMS:].tolist()]
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
    if summarize and n > 2 * _EDGEITEMS:
        rows = [_nested(data[i], indent + 1, summarize, fmt) for i in range(_EDGEITEMS)]
        rows.append("...")
        rows += [_nested(data[i], indent + 1, summarize, fmt) for i in range(n - _EDGEITEMS, n)]
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
        summarize = data.size > _THRESHOLD
        fmt = _Formatter(_summarized(data) if summarize else data.reshape(-1))
        body = _nested(data, len(_PREFIX), summarize, fmt)
    if data.dtype not in _DEFAULT_DTYPES:
        suffixes.append(f"dtype=tensorgrad.{data.dtype.name}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    text = _PREFIX + body
    last_line = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last_line + len(s) + 2 > _LINEWIDTH:
            text += ",\n" + " " * len(_PREFIX) + s
            last_line = len(_PREFIX) + len(s)
        else:
            text += ", " + s
            last_line += len(s) + 2
    return text + ")"
