"""The dtypes tensorgrad supports and PyTorch's promotion rules between them.

dtypes are numpy dtype objects, so `t.dtype == tensorgrad.float32` and
`t.dtype == np.float32` both hold.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)
float = float32  # noqa: A001  (PyTorch's aliases)
double = float64
long = int64

SUPPORTED = (float32, float64, int64, bool_)
_CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2}
default_float = float32  # the one place the default float dtype lives; set_default_dtype sets it


def set_default_dtype(d: Any) -> None:
    """Make `d` (float32 or float64) the dtype of float factories and of Python floats."""
    global default_float
    dt = canonical(d, "set_default_dtype")
    if dt.kind != "f":
        raise TypeError(
            f"set_default_dtype: only floating-point types are supported as the default type, got {dt}"
        )
    default_float = dt


def get_default_dtype() -> np.dtype:
    return default_float


def canonical(dtype: Any, op: str = "tensor") -> np.dtype:
    """Turn a dtype-like (tensorgrad/numpy dtype, Python type) into a supported numpy dtype."""
    if dtype is bool:
        return bool_
    if dtype is int:
        return int64
    if dtype is builtins.float:
        return float32
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype") from None
    if d not in SUPPORTED:
        raise TypeError(f"{op}: dtype {d} is not supported; expected one of float32, float64, int64, bool")
    return d


def promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """Result dtype of a binary op between two tensors, by PyTorch's rules.

    A float beats an integer and an integer beats bool whatever their sizes (int64 + float32
    is float32, where numpy would say float64); within one category the wider type wins.
    """
    if a is b or a == b:
        return a
    ca = _CATEGORY[a.kind]
    cb = _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def scalar_result(a: np.dtype, value: Any) -> np.dtype:
    """Result dtype of a tensor of dtype `a` combined with a Python scalar."""
    kind = a.kind
    if value.__class__ is builtins.float:
        return a if kind == "f" else default_float
    if value.__class__ is int:
        return int64 if kind == "b" else a
    if value.__class__ is bool:
        return a
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return scalar_result(a, value.item())
    raise TypeError(f"unsupported scalar type {type(value).__name__}")
