"""Side-by-side comparison of tensorgrad, numpy by hand and PyTorch on W1-W9 (PERFORMANCE.md).

    python -m benchmarks.compare [--only W1,W3] [--repeats 15] [--threads N]
                                 [--json results.json] [--plot ratios.png]

Every column starts from the same weights and data; before timing, each column's first
outputs and gradients are checked against PyTorch's (numpy's when PyTorch is missing) and a
column that disagrees is reported as failed. Columns are timed interleaved (A B C A B C ...)
after a warm-up; the table shows medians ± half the interquartile range.
"""

from __future__ import annotations

import argparse
import datetime
import faulthandler
import os
import platform
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python benchmarks/compare.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import report, runner  # noqa: E402
from benchmarks.frameworks import (  # noqa: E402
    COLUMNS,
    THREADS_ENV,
    apply_threads,
    installed,
    thread_info,
    versions,
)
from benchmarks.timing import Settings  # noqa: E402
from benchmarks.workloads import CONTENTION, IMPORT, MEMORY, TIMED, WORKLOADS  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    defaults = Settings()
    p = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__.split("\n")[0])
    p.add_argument("--only", help="comma-separated workload ids, e.g. W1,W3 (default: all)")
    p.add_argument("--repeats", type=int, default=defaults.repeats, help="timed rounds per workload")
    p.add_argument("--threads", type=int, help="threads for every framework and BLAS (default: theirs)")
    p.add_argument("--json", metavar="PATH", help="write everything (incl. raw samples) to this file")
    p.add_argument("--plot", metavar="PATH", help="bar chart of the ratios (needs matplotlib)")
    p.add_argument("--budget", type=float, default=defaults.budget_s, help="seconds per workload, at most")
    p.add_argument("--min-sample", type=float, default=defaults.min_sample_s, help="seconds per sample")
    p.add_argument("--subprocess-repeats", type=int, default=5, help="fresh processes per column (W7, W9)")
    p.add_argument(
        "--isolate",
        action="store_true",
        help="time each column of W1-W6 and W8 in fresh processes of its own (no thread interference)",
    )
    p.add_argument("--spinners", type=int, default=1, help="busy helper processes during W8")
    args = p.parse_args(argv)
    ids = WORKLOADS if not args.only else [w.strip().upper() for w in args.only.split(",")]
    unknown = [w for w in ids if w not in WORKLOADS]
    if unknown:
        p.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    args.ids = list(ids)
    if args.repeats < 1 or args.subprocess_repeats < 1:
        p.error("--repeats and --subprocess-repeats must be at least 1")
    return args


def reexec_with_threads(n: int) -> None:
    """Thread counts of OpenMP and of the BLAS pools are read when those libraries load, and
    numpy is loaded already: start this command again with the variables set."""
    if os.environ.get(THREADS_ENV) == str(n):
        return
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", THREADS_ENV):
        env[name] = str(n)
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)


def machine() -> dict:
    info = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "loadavg_start": os.getloadavg(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return info


def git_revision() -> str | None:
    try:
        rev = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=runner.REPO_ROOT, capture_output=True, text=True
        )
    except OSError:
        return None
    return rev.stdout.strip() or None


def run_workload(wid: str, args: argparse.Namespace, settings: Settings) -> dict:
    kind = WORKLOADS[wid].kind
    if kind == TIMED:
        return runner.run_timed(WORKLOADS[wid], COLUMNS, settings, args.isolate)
    if kind == CONTENTION:
        return runner.run_contention(COLUMNS, settings, args.spinners, args.isolate)
    if kind == MEMORY:
        return runner.run_memory(COLUMNS, args.subprocess_repeats)
    assert kind == IMPORT
    return runner.run_imports(COLUMNS, args.subprocess_repeats)


def main(argv: list[str] | None = None) -> int:
    faulthandler.enable()  # a crash in native code (any column's) prints where it happened
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.threads:
        reexec_with_threads(args.threads)
    apply_threads(tuple(c for c in COLUMNS if installed(c)))
    settings = Settings(repeats=args.repeats, min_sample_s=args.min_sample, budget_s=args.budget)
    started = datetime.datetime.now().astimezone()
    meta = machine()
    print(f"tensorgrad benchmarks, {started:%Y-%m-%d %H:%M %Z}; workloads {','.join(args.ids)}", flush=True)
    results = {}
    for wid in args.ids:
        print(f"  {wid} {WORKLOADS[wid].title} ...", flush=True)
        entry = run_workload(wid, args, settings)
        report.add_ratios_and_targets(WORKLOADS[wid], entry)
        results[wid] = entry
    meta["loadavg_end"] = os.getloadavg()
    print()
    print(report.format_table(results, COLUMNS))
    load = " -> ".join("/".join(f"{v:.1f}" for v in meta[k]) for k in ("loadavg_start", "loadavg_end"))
    print(f"\nmachine: {meta.get('cpu', '?')}, {meta['cpus_usable']} usable cores, load average {load}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    threads = thread_info()
    if args.json:
        report.write_json(
            {
                "date": started.isoformat(timespec="seconds"),
                "command": " ".join([os.path.basename(sys.executable), *sys.orig_argv[1:]]),
                "git": git_revision(),
                "machine": meta,
                "versions": versions(),
                "threads": threads,
                "settings": vars(settings) | {"subprocess_repeats": args.subprocess_repeats},
                "workloads": results,
            },
            args.json,
        )
        print(f"JSON written to {args.json}")
    if args.plot:
        print(report.plot_ratios(results, args.plot))
    return 0


if __name__ == "__main__":
    sys.exit(main())
