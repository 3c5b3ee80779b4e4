"""Ratios and targets of a run, and its three outputs: the table, the JSON file, the bar chart."""

from __future__ import annotations

import json
from pathlib import Path

from .frameworks import NUMPY, TENSORGRAD, TORCH
from .workloads import WORKLOADS, Workload

RATIO_COLUMNS = (TORCH, NUMPY)  # tensorgrad's figure is divided by each of these


def _median(entry: dict, col: str) -> float | None:
    result = entry["columns"].get(col)
    if not result or result["status"] != "ok":
        return None
    return result["figure"]["median"]


def add_ratios_and_targets(workload: Workload, entry: dict) -> None:
    """Add entry["ratios"] (tensorgrad / other, in the workload's unit) and entry["targets"]."""
    mine = _median(entry, TENSORGRAD)
    ratios = {}
    for other in RATIO_COLUMNS:
        theirs = _median(entry, other)
        ratios[other] = None if mine is None or not theirs else mine / theirs
    entry["ratios"] = ratios
    targets = []
    for target in workload.targets:
        value = mine if target.versus is None else ratios.get(target.versus)
        targets.append(
            {"target": str(target), "value": value, "met": None if value is None else target.met(value)}
        )
    entry["targets"] = targets


def _num(v: float) -> str:
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def _cell(result: dict | None) -> str:
    if result is None:
        return "-"
    if result["status"] != "ok":
        return result["status"].upper() if result["status"] == "failed" else "unavailable"
    fig = result["figure"]
    text = _num(fig["median"])
    if fig.get("n", 1) > 1 and fig["median"]:
        text += f" ±{(fig['q3'] - fig['q1']) / 2 / abs(fig['median']) * 100:.0f}%"
    return text


def _targets_cell(entry: dict) -> str:
    parts = []
    for t in entry["targets"]:
        verdict = "n/a" if t["met"] is None else ("ok" if t["met"] else "MISSED")
        parts.append(f"{t['target']}: {verdict}")
    return "; ".join(parts)


def format_table(results: dict[str, dict], columns: tuple[str, ...]) -> str:
    """Workload rows: each column's median (± half the interquartile range, as % of the median),
    tensorgrad's ratio to PyTorch and to numpy by hand, and whether the targets hold."""
    header = ["id", "workload", "unit", *columns, "tg/torch", "tg/numpy", "target"]
    rows = []
    notes = []
    for wid, entry in results.items():
        w = WORKLOADS[wid]
        cells = [_cell(entry["columns"].get(col)) for col in columns]
        ratios = [entry["ratios"].get(other) for other in RATIO_COLUMNS]
        unit = w.unit + (" (higher=better)" if w.higher_is_better else "")
        row = [wid, w.title, unit, *cells, *("-" if r is None else f"{r:.2f}" for r in ratios)]
        rows.append([*row, _targets_cell(entry)])
        for col, result in entry["columns"].items():
            if result["status"] != "ok":
                notes.append(f"  {wid} {col}: {result['status']}: {result['reason']}")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(wd) for c, wd in zip(r, widths)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * wd for wd in widths))
    if notes:
        lines += ["", "Columns not timed:", *notes]
    return "\n".join(lines)


def write_json(report: dict, path: str) -> None:
    Path(path).write_text(json.dumps(report, indent=1) + "\n")


def plot_ratios(results: dict[str, dict], path: str) -> str:
    """A bar chart of tensorgrad's ratios per workload; returns what was done (matplotlib is
    optional: without it nothing is written and the message says so)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return "matplotlib is not installed: no plot written"
    ids = [wid for wid, e in results.items() if any(v is not None for v in e["ratios"].values())]
    if not ids:
        return "no ratios to plot"
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(ids)), 4))
    width = 0.38
    plotted = []
    for k, other in enumerate(RATIO_COLUMNS):
        values = []
        for wid in ids:
            ratio = results[wid]["ratios"][other]
            if ratio and WORKLOADS[wid].higher_is_better:
                ratio = 1.0 / ratio  # as a ratio of times, like every other bar
            values.append(ratio or 0.0)
        plotted += [v for v in values if v]
        xs = [i + (k - 0.5) * width for i in range(len(ids))]
        bars = ax.bar(xs, values, width, label=f"tensorgrad / {other}")
        ax.bar_label(bars, labels=[f"{v:.2f}" if v else "" for v in values], fontsize=7)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(ids)), [f"{wid}\n{WORKLOADS[wid].unit}" for wid in ids], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(min(0.1, min(plotted) / 1.5), max(10.0, max(plotted) * 1.5))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.set_ylabel("tensorgrad / other (log scale)")
    ax.set_title(
        "Below 1: tensorgrad takes less time / memory / slowdown (W4 shown as time ratio)", fontsize=9
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"plot written to {path}"
