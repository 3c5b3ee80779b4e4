"""A timed workload's child process: one column's samples in a fresh process.

    python -m benchmarks.timing_probe WORKLOAD COLUMN SAMPLES MIN_SAMPLE_S

With `compare --isolate`, each column of a timed workload runs in processes of its own, so one
framework's idle OpenMP threads (PyTorch's spin after every op) cannot take the cores another
framework's BLAS threads need. Prints one JSON line: seconds per step for each sample.
"""

from __future__ import annotations

import json
import sys

from .case import MISSING_PIECE
from .frameworks import apply_threads
from .timing import Settings, time_interleaved
from .workloads import WORKLOADS


def probe(workload_id: str, column: str, samples: int, min_sample_s: float) -> dict:
    apply_threads((column,))
    workload = WORKLOADS[workload_id]
    try:
        case = workload.build(column, workload.data())
    except MISSING_PIECE as e:
        return {"unavailable": f"{type(e).__name__}: {e}"}
    settings = Settings(repeats=samples, min_rounds=samples, min_sample_s=min_sample_s, budget_s=1e9)
    timings = time_interleaved({column: case.step}, settings)
    if column in timings.errors:
        return {"failed": timings.errors[column]}
    return {"samples_s": timings.samples[column], "inner": timings.inner[column]}


if __name__ == "__main__":
    wid, col, n, min_s = sys.argv[1:5]
    print(json.dumps(probe(wid, col, int(n), float(min_s))))
