"""`Case`: one workload set up in one framework, ready to run and to be checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# What a column raises while a piece it needs does not exist yet (e.g. tensorgrad.nn while it
# is being written): the column is reported as unavailable, with the message, not as failed.
MISSING_PIECE = (ImportError, AttributeError, NotImplementedError)


@dataclass
class Case:
    """`step()` runs one timed unit of the workload and returns its loss or output; `grads()`
    returns the gradients the last step produced, in a fixed order shared by all columns."""

    step: Callable[[], Any]
    grads: Callable[[], list[Any]]


def to_array(x: Any) -> np.ndarray:
    """A numpy copy of a tensor of any column (PyTorch and tensorgrad tensors, numpy arrays)."""
    if hasattr(x, "detach"):
        x = x.detach().numpy()
    return np.array(x, copy=True)
