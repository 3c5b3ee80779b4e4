"""Helpers of the micro-benchmarks: a forward + backward step around any tensor function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def fwd_bwd(torch: Any, forward: Callable[[], Any], leaves: list[Any], seed: int = 0) -> Callable[[], Any]:
    """A step that clears the leaves' gradients, runs `forward()` and backpropagates a fixed
    random upstream gradient (drawn on the first call, once the output's shape is known)."""
    upstream = None

    def step() -> Any:
        nonlocal upstream
        for leaf in leaves:
            leaf.grad = None
        out = forward()
        if upstream is None:
            g = np.random.default_rng(seed).standard_normal(tuple(out.shape)).astype(np.float32)
            upstream = torch.from_numpy(g)
        out.backward(upstream)
        return out

    return step
