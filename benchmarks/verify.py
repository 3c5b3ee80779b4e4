"""Checking that the columns compute the same numbers before any of them is timed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .case import Case, to_array

RTOL = 1e-3  # losses: |a - b| <= RTOL * max(1, |ref|); arrays: max|a - b| <= RTOL * max|ref|


@dataclass
class FirstSteps:
    """What a column computed on its first steps: each step's output, and the gradients of
    the first step (before any update changes the weights)."""

    outputs: list[np.ndarray]
    grads: list[np.ndarray | None]


def run_first_steps(case: Case, steps: int) -> FirstSteps:
    outputs = [to_array(case.step())]
    grads = [None if g is None else to_array(g) for g in case.grads()]
    for _ in range(steps - 1):
        outputs.append(to_array(case.step()))
    return FirstSteps(outputs, grads)


def _difference(got: np.ndarray, ref: np.ndarray) -> str | None:
    """Why `got` is not `ref` within tolerance, or None when it is."""
    if got.shape != ref.shape:
        return f"shape {got.shape} vs {ref.shape}"
    if not np.all(np.isfinite(got)):
        return "non-finite values"
    if got.size == 0:
        return None
    err = float(np.max(np.abs(got.astype(np.float64) - ref)))
    scale = float(np.max(np.abs(ref)))
    if ref.ndim == 0:
        scale = max(scale, 1.0)
    if err <= RTOL * scale + 1e-12:
        return None
    if ref.ndim == 0:
        return f"{float(got):.6g} vs {float(ref):.6g}"
    return f"max abs difference {err:.3g} (largest reference value {scale:.3g})"


def mismatch(got: FirstSteps, ref: FirstSteps, ref_name: str) -> str | None:
    """A one-line description of the first disagreement with the reference column, or None."""
    for i, (a, b) in enumerate(zip(got.outputs, ref.outputs)):
        why = _difference(a, b)
        if why:
            return f"output of step {i + 1} differs from {ref_name}: {why}"
    if len(got.grads) != len(ref.grads):
        return f"{len(got.grads)} gradients, {ref_name} has {len(ref.grads)}"
    for i, (a, b) in enumerate(zip(got.grads, ref.grads)):
        if a is None or b is None:
            if a is not b:
                return f"gradient {i} is None in one column only ({ref_name}: {b is None})"
            continue
        why = _difference(a, b)
        if why:
            return f"gradient {i} (shape {b.shape}) differs from {ref_name}: {why}"
    return None
