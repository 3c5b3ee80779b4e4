"""adaptive_avg_pool2d: average over the windows that split the input into output_size cells.

Cell i along a dim of size n (out cells m) covers [floor(i n / m), ceil((i + 1) n / m)), as in
PyTorch. A cell is a rectangle, so its mean is a mean over its rows then over its columns: two
small averaging matrices and two matmuls, which also give the gradient.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _wrap


def _averaging(n: int, m: int, dtype: np.dtype) -> np.ndarray:
    """(m, n): row i averages the input positions of output cell i."""
    a = np.zeros((m, n), dtype)
    for i in range(m):
        start, end = (i * n) // m, math.ceil((i + 1) * n / m)
        a[i, start:end] = 1.0 / (end - start)
    return a


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """(N, C, H, W) or (C, H, W) averaged to (..., oh, ow); None in output_size keeps that size."""
    x = input._data
    if x.ndim not in (3, 4) or x.shape[-1] == 0 or x.shape[-2] == 0:
        raise RuntimeError(
            "adaptive_avg_pool2d: expected a 3-D or 4-D input with non-zero H and W, got shape "
            f"{list(x.shape)}"
        )
    if x.dtype.kind != "f":
        raise RuntimeError(f"adaptive_avg_pool2d: expected a floating point tensor, got dtype {x.dtype}")
    size = (output_size, output_size) if isinstance(output_size, (int, np.integer)) else tuple(output_size)
    if len(size) != 2:
        raise RuntimeError(
            f"adaptive_avg_pool2d: output_size must be an int or 2 values, got {output_size!r}"
        )
    h, w = x.shape[-2:]
    oh, ow = (h if size[0] is None else int(size[0])), (w if size[1] is None else int(size[1]))
    if oh <= 0 or ow <= 0:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size!r}")
    rows = _wrap(_averaging(h, oh, x.dtype))
    cols = _wrap(np.ascontiguousarray(_averaging(w, ow, x.dtype).T))
    return matmul(matmul(rows, input), cols)


from .matmul import matmul  # noqa: E402
