"""One place to set how many threads tensorgrad's kernels and the BLAS libraries use, and the
adaptation that uses fewer of them while other processes keep cores busy.

A gemm split over two threads on a 2-core machine where another process spins runs at the pace
of whichever thread the scheduler leaves waiting: measured here, an MLP step went from 2.2 ms to
5.2 ms with one core taken (one thread: 3.9 ms), and to 7-96 ms with both taken (one thread:
4.3 ms). So the products (`adapt_to_load`, called before each one) check, at most every
CHECK_INTERVAL_S, how many threads of other processes are runnable, and use
min(configured, free cores) threads, at least one, until the cores are free again. A core
counts as taken when every one of the last BUSY_SAMPLES checks saw it taken (a blip is not load),
and from the first check of a process on: a process started next to busy cores does not run its
first products on too many threads (with both cores taken, those steps are the 7-96 ms ones);
that first count is taken twice, FIRST_RECHECK_S apart, so that a blip at start does not count.
Linux only (it reads /proc); TENSORGRAD_ADAPTIVE_THREADS=0 turns it off.
"""

from __future__ import annotations

import os
import time

from ._kernels import threads as _omp

CHECK_INTERVAL_S = 0.05
FIRST_RECHECK_S = 0.002
BUSY_SAMPLES = 3  # cores count as taken while all of the last this many checks saw them taken

_enabled = os.environ.get("TENSORGRAD_ADAPTIVE_THREADS", "1") != "0" and os.path.exists("/proc/loadavg")
_configured: int | None = None  # set_num_threads' count; None until set or first adapted
_in_use: int | None = None  # what the adaptation last applied
_next_check = 0.0
_recent: list[int] = []  # runnable threads of other processes, the last BUSY_SAMPLES checks
_blas: list | None = None  # threadpoolctl's controllers of the loaded BLAS libraries


def set_num_threads(n: int) -> None:
    """Use `n` threads in tensorgrad's OpenMP kernels and in the BLAS under numpy and scipy.

    By default the usual environment variables decide (OMP_NUM_THREADS for the kernels,
    OPENBLAS_NUM_THREADS for BLAS). numpy and scipy each carry their own OpenBLAS with its own
    pool; threadpoolctl reaches both (imported here, not at `import tensorgrad`, as it is slow).
    While other processes keep cores busy, fewer than `n` may run (see the module's docstring).
    """
    global _configured, _in_use
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    _apply(n)
    _configured = _in_use = n


def get_num_threads() -> int:
    """The number of threads tensorgrad's kernels are set to use."""
    return _configured if _configured is not None else _omp.get_num_threads()


def threads_in_use() -> int:
    """The number the kernels and BLAS use now: get_num_threads(), or fewer under contention."""
    return _in_use if _in_use is not None else get_num_threads()


def threads_for_load(configured: int, cores: int, recent_others: list[int]) -> int:
    """The thread count for `configured` threads on `cores` cores, given how many threads of
    other processes were runnable at the last checks (the fewest counts: a blip is not load;
    a process's first checks count alone)."""
    taken = min(recent_others) if recent_others else 0
    return max(1, min(configured, cores - taken))


def adapt_to_load() -> None:
    """Called before each BLAS product: every CHECK_INTERVAL_S, fit the thread count to the load."""
    global _next_check, _configured, _in_use
    if not _enabled:
        return
    now = time.monotonic()
    if now < _next_check:
        return
    _next_check = now + CHECK_INTERVAL_S
    _recent.append(_first_check() if not _recent else _other_runnable_threads())
    del _recent[:-BUSY_SAMPLES]
    if _configured is None:
        _configured = _in_use = _omp.get_num_threads()
    want = threads_for_load(_configured, len(os.sched_getaffinity(0)), _recent)
    if want != _in_use:
        _apply(want)
        _in_use = want


def _first_check() -> int:
    """A process's first count, which decides alone: taken again after FIRST_RECHECK_S when it
    saw other threads, keeping the smaller. A blip (measured here: 1 start in 10-30, threads
    starting or a process exiting) is gone by then; a busy core is not."""
    seen = _other_runnable_threads()
    if seen:
        time.sleep(FIRST_RECHECK_S)
        seen = min(seen, _other_runnable_threads())
    return seen


def _apply(n: int) -> None:
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        from .ops.matmul import _kernel as load_matmul_kernel

        load_matmul_kernel()  # loads scipy's BLAS, so that its thread pool is reached too
        _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    _omp.set_num_threads(n)
    for controller in _blas:
        controller.set_num_threads(n)


def _other_runnable_threads() -> int:
    """Threads of other processes running or waiting for a core now: the system's runnable
    count (/proc/loadavg) less this process's own runnable threads."""
    global _enabled
    try:
        with open("/proc/loadavg", "rb") as f:
            runnable = int(f.read().split()[3].split(b"/")[0])
        ours = 0
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat", "rb") as f:
                    stat = f.read()
            except OSError:  # the thread ended meanwhile
                continue
            if stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] == b"R":
                ours += 1
    except (OSError, ValueError, IndexError):
        _enabled = False  # no /proc as expected: stay with the configured count
        return 0
    return max(0, runnable - ours)
