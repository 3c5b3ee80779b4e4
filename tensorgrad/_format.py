"""`repr(tensor)` in PyTorch's layout: tensor([...], dtype=..., grad_fn=<...>)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


def format_tensor(t: Tensor) -> str:
    data = t._data
    prefix = "tensor("
    if data.size == 0:
        body = "[]" if data.ndim == 1 else f"[], size={tuple(data.shape)}"
    else:
        body = np.array2string(
            data,
            precision=4,
            separator=", ",
            prefix=prefix,
            threshold=1000,
            edgeitems=3,
            floatmode="maxprec_equal" if data.dtype.kind == "f" else "maxprec",
            suppress_small=False,
        )
    extras = []
    if data.dtype not in _DEFAULT_DTYPES:
        extras.append(f"dtype=tensorgrad.{data.dtype.name}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    tail = "".join(", " + e for e in extras)
    return f"{prefix}{body}{tail})"
