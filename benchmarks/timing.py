"""Interleaved timing: every round runs each column once (A B C A B C ...), so drift and
other people's load on the shared cores hit all columns alike."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Settings:
    repeats: int = 15  # rounds; each gives one sample per column
    warmup: int = 3  # untimed calls per column before calibrating
    min_sample_s: float = 0.02  # a sample repeats the step until it lasts at least this long
    budget_s: float = 60.0  # stop adding rounds after this long (at least `min_rounds`)
    min_rounds: int = 5


@dataclass
class Timings:
    samples: dict[str, list[float]] = field(default_factory=dict)  # seconds per step
    inner: dict[str, int] = field(default_factory=dict)  # steps per sample
    errors: dict[str, str] = field(default_factory=dict)  # columns that raised while timed


def _calibrate(step: Callable[[], object], settings: Settings) -> int:
    for _ in range(settings.warmup):
        step()
    t0 = time.perf_counter()
    step()
    once = time.perf_counter() - t0
    return max(1, math.ceil(settings.min_sample_s / max(once, 1e-9)))


def time_interleaved(
    steps: dict[str, Callable[[], object]],
    settings: Settings,
    before: Callable[[str], None] | None = None,
) -> Timings:
    """Time each step, round after round; `before(name)`, when given, runs before each column's
    calibration and samples, untimed (W8 uses it to switch the load on and off)."""
    out = Timings()
    live = dict(steps)
    for name, step in steps.items():
        try:
            if before:
                before(name)
            out.inner[name] = _calibrate(step, settings)
        except Exception as e:  # a column that breaks while timed is reported, not fatal
            out.errors[name] = f"{type(e).__name__}: {e}"
            del live[name]
        out.samples[name] = []
    gc.collect()
    start = time.perf_counter()
    for rnd in range(settings.repeats):
        if rnd >= settings.min_rounds and time.perf_counter() - start > settings.budget_s:
            break
        for name, step in list(live.items()):
            inner = out.inner[name]
            try:
                if before:
                    before(name)
                t0 = time.perf_counter()
                for _ in range(inner):
                    step()
                out.samples[name].append((time.perf_counter() - t0) / inner)
            except Exception as e:
                out.errors[name] = f"{type(e).__name__}: {e}"
                del live[name]
    return out


def summarize(values: list[float]) -> dict:
    """Median and spread (quartiles, extremes) of a list of figures."""
    if len(values) >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return {
        "median": statistics.median(values),
        "q1": q1,
        "q3": q3,
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }
