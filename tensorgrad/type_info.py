"""PyTorch's dtype queries: `finfo`, `iinfo`, `promote_types`, `result_type`, `can_cast`."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes


class finfo:  # noqa: N801  (PyTorch's name)
    """Machine limits of a floating point dtype (the default dtype when none is given)."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        d = dtypes.default_float if type is None else dtypes.canonical(type, "finfo")
        if d.kind != "f":
            raise TypeError(f"finfo: expected a floating point dtype, got {d}; use iinfo for integers")
        info = np.finfo(d)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.smallest_normal)
        self.smallest_normal = self.tiny
        self.resolution = 10.0 ** -int(info.precision)  # exactly 1e-06 for float32, as PyTorch gives
        self.dtype = d.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
            f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo:  # noqa: N801  (PyTorch's name)
    """Machine limits of an integer dtype."""

    def __init__(self, type: Any) -> None:  # noqa: A002
        d = dtypes.canonical(type, "iinfo")
        if d.kind not in "iu":
            raise TypeError(f"iinfo: expected an integer dtype, got {d}; use finfo for floating point")
        info = np.iinfo(d)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The dtype a binary op between tensors of these dtypes returns."""
    return dtypes.promote(dtypes.canonical(type1, "promote_types"), dtypes.canonical(type2, "promote_types"))


def _operand(x: Any) -> tuple[int, np.dtype]:
    """(priority, dtype) for result_type: tensors with dims, then 0-dim tensors, then Python scalars."""
    if hasattr(x, "_data"):
        return (0 if x._data.ndim else 1), x._data.dtype
    if isinstance(x, (bool, np.bool_)):
        return 2, dtypes.bool_
    if isinstance(x, (int, np.integer)):
        return 2, dtypes.int64
    if isinstance(x, (float, np.floating)):
        return 2, dtypes.default_float
    raise TypeError(f"result_type: expected a Tensor or a Python number, got {type(x).__name__}")


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype of an arithmetic op on `tensor1` and `tensor2` (tensors or Python numbers).

    As in PyTorch, the highest category (bool < integer < float) wins; within it, tensors with
    dimensions decide over 0-dim tensors, which decide over Python numbers.
    """
    ops = [_operand(tensor1), _operand(tensor2)]
    category = max(dtypes._CATEGORY[d.kind] for _, d in ops)
    in_category = [(p, d) for p, d in ops if dtypes._CATEGORY[d.kind] == category]
    first = min(p for p, _ in in_category)
    chosen = [d for p, d in in_category if p == first]
    return chosen[0] if len(chosen) == 1 else dtypes.promote(chosen[0], chosen[1])


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's casting rules allow `from_` -> `to`: never to a lower category
    (float -> integer, integer/float -> bool)."""
    a = dtypes.canonical(from_, "can_cast")
    b = dtypes.canonical(to, "can_cast")
    return dtypes._CATEGORY[a.kind] <= dtypes._CATEGORY[b.kind]
