"""Where the time goes: per-op forward, backward and kernel time, and a Chrome trace.

    with tensorgrad.profiler.profile() as prof:
        loss = model(x).sum()
        loss.backward()
    print(prof.table(sort_by="total", row_limit=10))
    prof.export_chrome_trace("trace.json")  # open in chrome://tracing or ui.perfetto.dev

Nothing is instrumented while no profile is active, so profiling costs nothing when off.
Entering the first profile sets the forward hook of `Function.apply` and the engine's backward
hook to timed versions and wraps the public functions of the compiled modules under `tensorgrad._kernels`;
leaving the last one (normally or by an exception) puts everything back.

Every op call, backward node and kernel call becomes one event. Events nest (a backward rule
runs tensorgrad ops, an op runs kernels): the trace shows them all, while the table counts
only the outermost ones, so each row's time includes what its op ran inside and no time is
counted twice. A kernel called outside any op (a fused optimizer step) gets a row of its own.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import namedtuple
from time import perf_counter_ns
from typing import Any

import numpy as np

from .autograd import engine as _engine
from .autograd import function as _function
from .autograd.function import Function
from .tensor import Tensor

_FORWARD = "forward"
_BACKWARD = "backward"
_KERNEL = "kernel"
_KERNEL_PACKAGE = "tensorgrad._kernels"

# One op call, backward node or kernel call. `op` is the op type (the trace names backward events
# "<op>Backward"), `kernel_ns` the time spent in kernels inside it, `depth` 0 for outermost
# events, `shapes` those of the Tensor/array arguments (None for others). Recorded as plain
# tuples in this order by every thread while any profile is active.
Event = namedtuple("Event", "op category thread start_ns duration_ns kernel_ns depth shapes")
_events: list = []
_active: list = []
_patches: list = []  # (owner, attribute name, original value), restored in reverse order
_local = threading.local()


# ---- recording -------------------------------------------------------------------------------


def _open_events() -> list:
    """This thread's stack of open events, each a one-item list accumulating its kernel time."""
    try:
        return _local.stack
    except AttributeError:
        _local.stack = []
        return _local.stack


def _shapes(args: tuple) -> tuple:
    shapes = []
    for a in args:
        if isinstance(a, Tensor):
            shapes.append(a._data.shape)
        elif isinstance(a, np.ndarray):
            shapes.append(a.shape)
        else:
            shapes.append(None)
    return tuple(shapes)


def _record(key: str, category: str, shapes: tuple, call: Any, args: tuple, kwargs: dict) -> Any:
    """Run call(*args, **kwargs) as one event, even when it raises."""
    stack = _open_events()
    kernel_ns = [0]
    stack.append(kernel_ns)
    start = perf_counter_ns()
    try:
        return call(*args, **kwargs)
    finally:
        duration = perf_counter_ns() - start
        stack.pop()
        if category == _KERNEL:
            kernel_ns[0] = duration
        if stack:
            stack[-1][0] += kernel_ns[0]
        _events.append(
            (key, category, threading.get_ident(), start, duration, kernel_ns[0], len(stack), shapes)
        )


# What the timed versions call: the apply and backward hook found at install time (the plain ones,
# or those of an active autograd.detect_anomaly, so that the two compose).
_inner: list = [_function._apply, _engine.call_backward]


def _timed_apply(cls: type, args: tuple, kwargs: dict) -> Any:
    return _record(cls.__name__, _FORWARD, _shapes(args), _inner[0], (cls, args, kwargs), {})


def _timed_backward(node: Function, grads: list) -> Any:
    return _record(type(node).__name__, _BACKWARD, node._out_shapes, _inner[1], (node, grads), {})


def _timed_kernel(kernel: Any, key: str) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        return _record(key, _KERNEL, _shapes(args), kernel, args, kwargs)

    timed.__name__ = kernel.__name__
    timed.__doc__ = kernel.__doc__
    return timed


# ---- installing and removing the instruments --------------------------------------------------


def _patch(owner: Any, name: str, value: Any) -> None:
    _patches.append((owner, name, owner.__dict__[name]))
    setattr(owner, name, value)


def _kernel_modules() -> list:
    """The compiled kernel modules that import cleanly now (a missing build is skipped)."""
    import importlib
    import pkgutil

    package = importlib.import_module(_KERNEL_PACKAGE)
    modules = []
    for info in pkgutil.iter_modules(package.__path__):
        try:
            modules.append(importlib.import_module(f"{_KERNEL_PACKAGE}.{info.name}"))
        except ImportError:
            continue
    return modules


def _install() -> None:
    _inner[0] = _function._forward_hook or _function._apply
    _inner[1] = _engine._backward_hook or _engine.call_backward
    _patch(_function, "_forward_hook", _timed_apply)
    _patch(_engine, "_backward_hook", _timed_backward)
    timed_by_id: dict = {}
    for module in _kernel_modules():
        short = module.__name__[len(_KERNEL_PACKAGE) + 1 :]
        for name, value in list(vars(module).items()):
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if isinstance(value, type) or not callable(value):
                continue
            timed = _timed_kernel(value, f"_kernels.{short}.{name}")
            timed_by_id[id(value)] = timed
            _patch(module, name, timed)
    # Modules that imported a kernel function by name hold their own reference: patch those too.
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("tensorgrad.") or module_name.startswith(_KERNEL_PACKAGE):
            continue
        for name, value in list(vars(module).items()):
            timed = timed_by_id.get(id(value))
            if timed is not None:
                _patch(module, name, timed)


def _uninstall() -> None:
    while _patches:
        owner, name, original = _patches.pop()
        setattr(owner, name, original)


# ---- results -------------------------------------------------------------------------------


class OpStats:
    """Totals of one op type (or of one kernel called outside any op); times in microseconds.

    `calls`/`forward_time_us` count the op's forward calls, `backward_calls`/`backward_time_us`
    its backward nodes (named "<Op>Backward" in the trace). `kernel_time_us` is the part of both
    spent inside compiled tensorgrad kernels; the rest, `python_time_us`, is the Python layer
    (and numpy, for ops that have no kernel of their own).
    """

    __slots__ = ("name", "calls", "forward_time_us", "backward_calls", "backward_time_us", "kernel_time_us")

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0
        self.forward_time_us = 0.0
        self.backward_calls = 0
        self.backward_time_us = 0.0
        self.kernel_time_us = 0.0

    def __repr__(self) -> str:
        return (
            f"OpStats(name={self.name!r}, calls={self.calls}, forward_time_us={self.forward_time_us:.3f}, "
            f"backward_calls={self.backward_calls}, backward_time_us={self.backward_time_us:.3f}, "
            f"kernel_time_us={self.kernel_time_us:.3f})"
        )

    @property
    def total_time_us(self) -> float:
        return self.forward_time_us + self.backward_time_us

    @property
    def python_time_us(self) -> float:
        return self.total_time_us - self.kernel_time_us

    @property
    def forward_avg_us(self) -> float:
        return self.forward_time_us / self.calls if self.calls else 0.0

    @property
    def backward_avg_us(self) -> float:
        return self.backward_time_us / self.backward_calls if self.backward_calls else 0.0


_SORT_KEYS = {
    "total": lambda r: r.total_time_us,
    "forward": lambda r: r.forward_time_us,
    "backward": lambda r: r.backward_time_us,
    "kernel": lambda r: r.kernel_time_us,
    "python": lambda r: r.python_time_us,
    "calls": lambda r: r.calls + r.backward_calls,
}


def _format_time(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class profile:
    """Context manager recording every op, backward node and kernel call inside its block.

    Profiles may nest; each one keeps the events that started while it was active.
    """

    def __init__(self) -> None:
        self._start_ns = 0
        self._end_ns: int | None = None
        self._first_event = 0
        self._events: list | None = None

    def __enter__(self) -> profile:
        if not _active:
            try:
                _install()
            except BaseException:
                _uninstall()
                raise
        _active.append(self)
        self._first_event = len(_events)
        self._start_ns = perf_counter_ns()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._end_ns = perf_counter_ns()
        start = self._start_ns
        mine = []
        for event in _events[self._first_event :]:
            if event[3] >= start:  # started inside this profile
                mine.append(Event._make(event))
        self._events = mine
        _active.remove(self)
        if not _active:
            _uninstall()
            _events.clear()

    # ---- reading the results -----------------------------------------------------------
    @property
    def events(self) -> list:
        """Every recorded Event, nested ones included, in the order they ended."""
        self._check_finished()
        return self._events

    @property
    def wall_time_us(self) -> float:
        """Wall-clock time of the profiled block."""
        self._check_finished()
        return (self._end_ns - self._start_ns) / 1e3

    def _check_finished(self) -> None:
        if self._end_ns is None:
            raise RuntimeError("profiler results are available once the `with profile()` block has ended")

    def key_averages(self) -> list[OpStats]:
        """One OpStats per op type, from the outermost events (nested ones are inside their time)."""
        rows: dict = {}
        for event in self.events:
            if event.depth:
                continue
            row = rows.get(event.op)
            if row is None:
                row = rows[event.op] = OpStats(event.op)
            if event.category == _BACKWARD:
                row.backward_calls += 1
                row.backward_time_us += event.duration_ns / 1e3
            else:
                row.calls += 1
                row.forward_time_us += event.duration_ns / 1e3
            row.kernel_time_us += event.kernel_ns / 1e3
        return list(rows.values())

    def table(self, sort_by: str = "total", row_limit: int = -1) -> str:
        """The per-op totals as a text table, sorted descending by `sort_by`, like torch.profiler's.

        sort_by: one of "total", "forward", "backward", "kernel", "python", "calls".
        row_limit: show at most this many rows (-1: all).
        """
        order = _SORT_KEYS.get(sort_by)
        if order is None:
            raise ValueError(f"profile.table: sort_by must be one of {sorted(_SORT_KEYS)}, got {sort_by!r}")
        rows = sorted(self.key_averages(), key=order, reverse=True)
        op_time = 0.0
        for row in rows:
            op_time += row.total_time_us
        shown = rows if row_limit < 0 else rows[:row_limit]
        header = (
            "Name", "Calls", "Fwd total", "Fwd avg", "Bwd calls", "Bwd total", "Bwd avg",
            "Kernel", "Python", "% total",
        )  # fmt: skip
        lines = [header]
        for r in shown:
            share = 100.0 * r.total_time_us / op_time if op_time else 0.0
            lines.append(
                (
                    r.name, str(r.calls), _format_time(r.forward_time_us), _format_time(r.forward_avg_us),
                    str(r.backward_calls), _format_time(r.backward_time_us),
                    _format_time(r.backward_avg_us), _format_time(r.kernel_time_us),
                    _format_time(r.python_time_us), f"{share:.2f}%",
                )
            )  # fmt: skip
        return _render_table(lines, op_time, self.wall_time_us, len(rows) - len(shown))

    def export_chrome_trace(self, path: str | os.PathLike) -> None:
        """Write the events as Chrome trace-event JSON (chrome://tracing, ui.perfetto.dev)."""
        import json

        pid = os.getpid()
        trace = [{"name": "process_name", "ph": "M", "pid": pid, "args": {"name": "tensorgrad"}}]
        for event in self.events:
            shapes = []
            for shape in event.shapes:
                shapes.append([] if shape is None else list(shape))
            trace.append(
                {
                    "name": event.op + "Backward" if event.category == _BACKWARD else event.op,
                    "cat": event.category,
                    "ph": "X",
                    "ts": (event.start_ns - self._start_ns) / 1e3,
                    "dur": event.duration_ns / 1e3,
                    "pid": pid,
                    "tid": event.thread,
                    "args": {"input_shapes": shapes, "kernel_us": event.kernel_ns / 1e3},
                }
            )
        with open(path, "w") as f:
            json.dump({"traceEvents": trace, "displayTimeUnit": "ms"}, f)


def _render_table(lines: list, op_time_us: float, wall_us: float, hidden: int) -> str:
    widths = [0] * len(lines[0])
    for line in lines:
        for i, cell in enumerate(line):
            widths[i] = max(widths[i], len(cell))
    rule = "  ".join("-" * w for w in widths)
    text = [rule]
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])]
        for i in range(1, len(line)):
            cells.append(line[i].rjust(widths[i]))
        text.append("  ".join(cells))
        if n == 0:
            text.append(rule)
    text.append(rule)
    if hidden:
        text.append(f"({hidden} more rows not shown)")
    share = 100.0 * op_time_us / wall_us if wall_us else 0.0
    text.append(
        f"Op time total: {_format_time(op_time_us)} of {_format_time(wall_us)} wall time ({share:.1f}%)"
    )
    return "\n".join(text)
