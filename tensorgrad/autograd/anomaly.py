"""`detect_anomaly()`: find the op where a NaN or an infinity first appears, as PyTorch does.

    with tensorgrad.autograd.detect_anomaly():
        loss = model(x).sum()     # an op whose finite inputs give nan/inf raises here
        loss.backward()           # a backward rule that returns nan/inf raises here

While active, every op records the stack of the user code that called it. A forward op whose
Tensor (and number) inputs are all finite but whose output is not, and a backward rule that
returns a non-finite gradient, raise a RuntimeError naming the op, the shapes involved and the
line of user code that created the op (the full forward stack follows). Any other error inside a
backward rule gets that forward stack attached as a note.

`set_detect_anomaly(True)` switches the same mode on without a block (PyTorch's global form).
Nothing is instrumented while the mode is off, so it costs nothing when off:
turning it on sets the forward hook that `Function.apply` calls and the engine's
backward hook to checking versions; turning it off puts the previous ones back. The profiler
sets the same two hooks and each wraps whatever it finds, so the two compose when nested (in either
order). The mode is process-wide, as in PyTorch; enter and leave the blocks in nested (LIFO) order.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import traceback
from traceback import StackSummary, walk_stack
from typing import Any

import numpy as np

from . import engine as _engine
from . import function as _function
from .function import Function

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_lock = threading.Lock()
_enabled = [False]  # anomaly mode on (process-wide, as in PyTorch)
_saved: list = []  # (previous forward hook, previous backward hook) per install
_check_nan = [True]
_in_backward = threading.local()  # depth of backward rules running in this thread


def _set_mode(mode: bool, check_nan: bool) -> None:
    """Turn anomaly mode on or off, installing or removing the hooks when it changes."""
    with _lock:
        if mode and not _enabled[0]:
            _install()
        elif not mode and _enabled[0]:
            _uninstall()
        _enabled[0] = mode
        _check_nan[0] = check_nan


class detect_anomaly:
    """Context manager that raises at the first op producing NaN or inf (forward or backward).

    `check_nan=False` only records the forward stacks (they are then attached to errors raised
    in backward), without checking values. Leaving the block restores the previous mode.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = bool(check_nan)
        self.prev = False
        self.prev_check_nan = True

    def __enter__(self) -> detect_anomaly:
        self.prev = _enabled[0]
        self.prev_check_nan = _check_nan[0]
        _set_mode(True, self.check_nan)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _set_mode(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Turn anomaly mode on or off now, as torch.autograd.set_detect_anomaly(mode, check_nan=True).

    Called plainly it switches the mode for the rest of the process; used as a context manager
    it puts the previous mode back on leaving the block.
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = _enabled[0]
        self.prev_check_nan = _check_nan[0]
        _set_mode(bool(mode), bool(check_nan))

    def __enter__(self) -> set_detect_anomaly:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _set_mode(self.prev, self.prev_check_nan)


def is_anomaly_enabled() -> bool:
    """True while anomaly mode is on (a `detect_anomaly` block or `set_detect_anomaly(True)`)."""
    return _enabled[0]


# ---- installing -----------------------------------------------------------------------------


def _install() -> None:
    previous_forward = _function._forward_hook
    previous_hook = _engine._backward_hook
    inner_apply = _function._apply if previous_forward is None else previous_forward
    inner_backward = _engine.call_backward if previous_hook is None else previous_hook

    def checked_apply(cls: type, args: tuple, kwargs: dict) -> Any:
        stack = StackSummary.extract(walk_stack(sys._getframe(1)), lookup_lines=False)
        stack.reverse()
        out = inner_apply(cls, args, kwargs)
        _remember_stack(out, stack)
        # ops that a backward rule runs are checked as part of that rule, by checked_backward
        if _check_nan[0] and not getattr(_in_backward, "depth", 0):
            _check_forward(cls, args, out, stack)
        return out

    def checked_backward(node: Function, grads: list) -> Any:
        _in_backward.depth = getattr(_in_backward, "depth", 0) + 1
        try:
            result = inner_backward(node, grads)
        except Exception as e:
            _add_forward_note(e, node)
            raise
        finally:
            _in_backward.depth -= 1
        if _check_nan[0]:
            _check_backward(node, grads, result)
        return result

    _saved.append((previous_forward, previous_hook))
    _function._forward_hook = checked_apply
    _engine._backward_hook = checked_backward


def _uninstall() -> None:
    previous_forward, previous_hook = _saved.pop()
    _function._forward_hook = previous_forward
    _engine._backward_hook = previous_hook


# ---- checks ---------------------------------------------------------------------------------


def _remember_stack(out: Any, stack: Any) -> None:
    """Attach the creating stack to the node that `out` records (if it records one)."""
    items = out if isinstance(out, tuple) else (out,)
    for t in items:
        node = getattr(t, "grad_fn", None)
        if node is not None and getattr(node, "_anomaly_stack", None) is None:
            node._anomaly_stack = stack


def _nonfinite(a: Any) -> str | None:
    """'nan', 'inf' or None for an array (non-float arrays are always finite)."""
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "fc" or a.size == 0:
        return None
    lo = a.min()
    hi = a.max()
    if np.isnan(lo) or np.isnan(hi):
        return "nan"
    if np.isinf(lo) or np.isinf(hi):
        return "inf"
    return None


def _value_nonfinite(v: Any) -> bool:
    if hasattr(v, "_data"):
        return _nonfinite(v._data) is not None
    if isinstance(v, np.ndarray):
        return _nonfinite(v) is not None
    if isinstance(v, (float, np.floating)):
        return not math.isfinite(v)
    if isinstance(v, (list, tuple)):
        for item in v:
            if _value_nonfinite(item):
                return True
    return False


def _shapes(values: Any) -> str:
    parts = []
    for v in values:
        data = getattr(v, "_data", v)
        if isinstance(data, np.ndarray):
            parts.append(str(list(data.shape)))
    return "(" + ", ".join(parts) + ")"


def _check_forward(cls: type, args: tuple, out: Any, stack: Any) -> None:
    outputs = out if isinstance(out, tuple) else (out,)
    for nr, t in enumerate(outputs):
        kind = _nonfinite(getattr(t, "_data", None))
        if kind is None:
            continue
        for a in args:
            if _value_nonfinite(a):
                return  # the non-finite value came in from outside: not this op's doing
        raise RuntimeError(
            f"detect_anomaly: {cls.__name__} produced {kind} values in its output {nr} from finite "
            f"inputs; input shapes {_shapes(args)}, output shapes {_shapes(outputs)}." + _describe(stack)
        )


def _check_backward(node: Function, grads: list, result: Any) -> None:
    items = result if isinstance(result, tuple) else (result,)
    for i, g in enumerate(items):
        kind = _nonfinite(getattr(g, "_data", None))
        if kind is not None:
            raise RuntimeError(
                f"Function '{node.name()}' returned {kind} values in its {i}th output. "
                f"(detect_anomaly: the gradient of input {i} of the forward op {type(node).__name__}; "
                f"incoming gradient shapes {_shapes(grads)}, "
                f"returned gradient shapes {_shapes(items)}.)"
                + _describe(getattr(node, "_anomaly_stack", None))
            )


def _user_frame(stack: Any) -> Any:
    """The innermost frame outside the tensorgrad package: the user's line that made the op."""
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR + os.sep):
            return frame
    return stack[-1] if stack else None


def _describe(stack: Any) -> str:
    if not stack:
        return " (no forward stack recorded: the op was created outside detect_anomaly)"
    frame = _user_frame(stack)
    return (
        f"\nThe op was created at {frame.filename}:{frame.lineno}, in {frame.name}: {frame.line}\n"
        "Traceback of the forward call that created it:\n" + "".join(traceback.format_list(stack))
    )


def _add_forward_note(error: BaseException, node: Function) -> None:
    stack = getattr(node, "_anomaly_stack", None)
    if stack and hasattr(error, "add_note"):
        error.add_note(f"detect_anomaly: error in {node.name()}." + _describe(stack))
