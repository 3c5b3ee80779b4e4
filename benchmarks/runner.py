"""Running one workload for every column: build, check agreement, then measure.

Each function returns a JSON-ready dict: {"columns": {column: result}, ...}, where a column's
result is {"status": "ok", "figure": {median, q1, q3, min, max, n} in the workload's unit,
raw samples ...} or {"status": "unavailable" | "failed", "reason": "..."}.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .case import MISSING_PIECE, Case
from .frameworks import NUMPY, TENSORGRAD, TORCH, installed
from .timing import Settings, Timings, summarize, time_interleaved
from .verify import FirstSteps, mismatch, run_first_steps
from .workloads import WORKLOADS, Workload

REPO_ROOT = Path(__file__).resolve().parents[1]
SUBPROCESS_TIMEOUT_S = 600


def _message(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def _unavailable(reason: str) -> dict:
    return {"status": "unavailable", "reason": reason}


def _failed(reason: str) -> dict:
    return {"status": "failed", "reason": reason}


def _ok(values: list[float], **raw: object) -> dict:
    return {"status": "ok", "figure": summarize(values), **raw}


def _reference(candidates: dict) -> str | None:
    """The column the others are checked against: PyTorch when it ran, else numpy by hand."""
    for name in (TORCH, NUMPY):
        if name in candidates:
            return name
    return None


def _check(first: dict[str, FirstSteps], results: dict) -> dict:
    """Mark every column that disagrees with the reference as failed; return what was checked."""
    ref = _reference(first)
    for col, got in first.items():
        why = None if ref is None or col == ref else mismatch(got, first[ref], ref)
        if why:
            results[col] = _failed(why)
    outputs = {col: [float(o) for o in got.outputs if o.ndim == 0] for col, got in first.items()}
    return {"reference": ref, "first_outputs": outputs}


def _prepare(workload: Workload, columns: tuple[str, ...]) -> tuple[dict[str, Case], dict, dict]:
    """Build each column's case and run its first steps; returns (cases that agree, results of
    the columns that will not be timed, what the check compared)."""
    data = workload.data()
    cases, first, results = {}, {}, {}
    for col in columns:
        if not installed(col):
            results[col] = _unavailable(f"{col} is not installed")
            continue
        try:
            case = workload.build(col, data)
            first[col] = run_first_steps(case, workload.check_steps)
            cases[col] = case
        except MISSING_PIECE as e:
            results[col] = _unavailable(_message(e))
        except Exception as e:
            results[col] = _failed(_message(e))
    check = _check(first, results)
    return {col: case for col, case in cases.items() if col not in results}, results, check


def _ordered(results: dict, columns: tuple[str, ...]) -> dict:
    return {col: results[col] for col in columns if col in results}


def run_timed(
    workload: Workload, columns: tuple[str, ...], settings: Settings, isolate: bool = False
) -> dict:
    cases, results, check = _prepare(workload, columns)
    if isolate:
        timings = _time_isolated(workload, tuple(cases), settings)
    else:
        timings = time_interleaved({col: case.step for col, case in cases.items()}, settings)
    for col in cases:
        if col in timings.errors:
            results[col] = _failed(timings.errors[col])
            continue
        seconds = timings.samples[col]
        results[col] = _ok(
            [workload.figure(s) for s in seconds], samples_s=seconds, steps_per_sample=timings.inner[col]
        )
    return {"columns": _ordered(results, columns), "check": check}


ISOLATED_PROCESSES = 3  # fresh processes per column, interleaved A B C A B C A B C


def _time_isolated(
    workload: Workload,
    columns: tuple[str, ...],
    settings: Settings,
    before: Callable[[str], None] | None = None,
) -> Timings:
    """Each key's samples from fresh processes (`timing_probe`), the keys interleaved. A key is a
    column, optionally followed by a label after a space ("tensorgrad loaded"); `before(key)` runs
    before each key's process, as in `time_interleaved`."""
    out = Timings()
    per_process = max(1, settings.repeats // ISOLATED_PROCESSES)
    for _ in range(ISOLATED_PROCESSES):
        for key in columns:
            if key in out.errors:
                continue
            if before:
                before(key)
            col = key.split(" ")[0]
            args = (workload.id, col, str(per_process), str(settings.min_sample_s))
            proc = _python("-m", "benchmarks.timing_probe", *args)
            reply = json.loads(_last_line(proc.stdout)) if proc.returncode == 0 else {}
            if "samples_s" not in reply:
                exited = f"probe exited {proc.returncode}: {_last_line(proc.stderr)}"
                out.errors[key] = reply.get("failed") or reply.get("unavailable") or exited
                continue
            out.samples.setdefault(key, []).extend(reply["samples_s"])
            out.inner[key] = reply["inner"]
    return out


def run_contention(
    columns: tuple[str, ...], settings: Settings, spinners: int = 1, isolate: bool = False
) -> dict:
    """W8: W1 with `spinners` helper processes spinning (loaded) and stopped (quiet), rounds
    alternating between the two, so both are measured in the same run under the same drift."""
    w1 = WORKLOADS["W1"]
    cases, results, check = _prepare(w1, columns)
    steps = {}
    for col, case in cases.items():
        steps[col + " quiet"] = case.step
    for col, case in cases.items():
        steps[col + " loaded"] = case.step
    helpers = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(spinners)]

    def set_load(key: str) -> None:
        for helper in helpers:
            os.kill(helper.pid, signal.SIGCONT if key.endswith(" loaded") else signal.SIGSTOP)

    try:
        if isolate:
            timings = _time_isolated(w1, tuple(steps), settings, before=set_load)
        else:
            timings = time_interleaved(steps, settings, before=set_load)
    finally:
        for helper in helpers:
            helper.kill()
            helper.wait()
    for col in cases:
        quiet, loaded = col + " quiet", col + " loaded"
        error = timings.errors.get(quiet) or timings.errors.get(loaded)
        if error:
            results[col] = _failed(error)
            continue
        q, ld = summarize(timings.samples[quiet]), summarize(timings.samples[loaded])
        results[col] = {
            "status": "ok",
            "figure": {"median": ld["median"] / q["median"]},
            "quiet_ms": {k: v * 1e3 if k != "n" else v for k, v in q.items()},
            "loaded_ms": {k: v * 1e3 if k != "n" else v for k, v in ld.items()},
            "samples_s": {"quiet": timings.samples[quiet], "loaded": timings.samples[loaded]},
        }
    return {"columns": _ordered(results, columns), "check": check, "spinners": spinners}


def _python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S
    )


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def run_memory(columns: tuple[str, ...], repeats: int) -> dict:
    """W7: each column's W1 in fresh processes (`memory_probe`), interleaved, `repeats` each."""
    runs: dict[str, list[dict]] = {col: [] for col in columns if installed(col)}
    results = {col: _unavailable(f"{col} is not installed") for col in columns if not installed(col)}
    for _ in range(repeats):
        for col in list(runs):
            proc = _python("-m", "benchmarks.memory_probe", col)
            if proc.returncode != 0:
                results[col] = _failed(f"memory probe exited {proc.returncode}: {_last_line(proc.stderr)}")
                del runs[col]
                continue
            out = json.loads(_last_line(proc.stdout))
            if "unavailable" in out:
                results[col] = _unavailable(out["unavailable"])
                del runs[col]
                continue
            runs[col].append(out)
    first = {col: FirstSteps([np.array(r[0]["first_loss"])], []) for col, r in runs.items()}
    check = _check(first, results)
    for col, r in runs.items():
        if col not in results:
            results[col] = _ok([x["growth_mb"] for x in r], runs=r)
    return {"columns": _ordered(results, columns), "check": check}


IMPORT_NAMES = {TENSORGRAD: "tensorgrad", NUMPY: "numpy", TORCH: "torch"}


def run_imports(columns: tuple[str, ...], repeats: int) -> dict:
    """W9: wall time of `python -c "import X"` in fresh processes, interleaved, plus the bare
    interpreter's start-up (`python -c pass`) for reference."""
    samples: dict[str, list[float]] = {"python -c pass": []}
    samples.update({col: [] for col in columns if installed(col)})
    results = {col: _unavailable(f"{col} is not installed") for col in columns if not installed(col)}
    for _ in range(repeats):
        for key in list(samples):
            code = "pass" if key == "python -c pass" else "import " + IMPORT_NAMES[key]
            t0 = time.perf_counter()
            proc = _python("-c", code)
            elapsed = time.perf_counter() - t0
            if proc.returncode != 0:
                results[key] = _failed(f"import failed: {_last_line(proc.stderr)}")
                del samples[key]
                continue
            samples[key].append(elapsed)
    startup = samples.pop("python -c pass")
    for col, values in samples.items():
        results[col] = _ok(values, samples_s=values)
    return {"columns": _ordered(results, columns), "python_startup": summarize(startup)}
