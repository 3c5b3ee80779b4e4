"""Argument parsing shared by the sliding-window ops (convolution and pooling)."""

from __future__ import annotations

from typing import Any

import numpy as np

# the dtypes the conv and pool kernels are compiled for
KERNEL_DTYPES = (np.float32, np.float64)


def pair(value: Any, name: str, op: str) -> tuple[int, int]:
    """An int or a pair of ints (a 1-element sequence is repeated) as (height, width)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = (value[0], value[0])
        if len(value) == 2:
            a, b = value
            if (
                isinstance(a, (int, np.integer))
                and isinstance(b, (int, np.integer))
                and not isinstance(a, bool)
                and not isinstance(b, bool)
            ):
                return int(a), int(b)
    raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
