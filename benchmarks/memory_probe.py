"""W7's child process: peak RSS growth over W1 steps, in a fresh process per column.

    python -m benchmarks.memory_probe COLUMN [STEPS]

Sets up W1 (imports, weights, data, optimizer), takes the resident size as the baseline,
resets the kernel's peak counter, runs the steps and prints one JSON line: baseline, peak,
growth (MB), the first loss (checked against the other columns by the parent) and the method.
"""

from __future__ import annotations

import json
import resource
import sys

from .case import MISSING_PIECE, to_array
from .frameworks import apply_threads
from .workloads import WORKLOADS

DEFAULT_STEPS = 200


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def probe(column: str, steps: int) -> dict:
    apply_threads((column,))
    w1 = WORKLOADS["W1"]
    try:
        case = w1.build(column, w1.data())
    except MISSING_PIECE as e:
        return {"unavailable": f"{type(e).__name__}: {e}"}
    baseline = _status_mb("VmRSS")
    reset = _reset_peak()
    first_loss = float(to_array(case.step()))
    for _ in range(steps - 1):
        case.step()
    if reset:
        peak, method = _status_mb("VmHWM"), "VmHWM reset by /proc/self/clear_refs before the steps"
    else:  # the peak since process start, which may predate the steps: growth is then a bound
        peak, method = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "ru_maxrss"
    return {
        "baseline_mb": baseline,
        "peak_mb": peak,
        "growth_mb": peak - baseline,
        "first_loss": first_loss,
        "steps": steps,
        "method": method,
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    print(json.dumps(probe(args[0], int(args[1]) if len(args) > 1 else DEFAULT_STEPS)))
