"""Thread-local grad mode: `no_grad`, `enable_grad`, `set_grad_enabled`, `is_grad_enabled`."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


try:
    import cython
except ImportError:  # uncompiled, without Cython installed
    from .. import _cython_shim as cython


# The mode is per thread. Compiled, it is a C thread-local variable (`_c_enabled`, declared in
# grad_mode.pxd), which every recorded op reads and sets for the price of a C call; uncompiled,
# it is an attribute of a threading.local (about 40 ns per access, which was ~5 % of an op).
if not cython.compiled:

    class _GradState(threading.local):
        enabled = True

    _state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded (per thread)."""
    if cython.compiled:
        return _c_enabled  # noqa: F821 (declared in grad_mode.pxd)
    return _state.enabled


def _set_enabled(mode: bool) -> None:
    """Set this thread's grad mode (internal: users call set_grad_enabled or no_grad)."""
    if cython.compiled:
        global _c_enabled
        _c_enabled = mode  # noqa: F841
    else:
        _state.enabled = mode


class _GradModeContext:
    """Context manager and decorator that sets grad mode and restores it afterwards."""

    mode = True

    def __enter__(self) -> None:
        self._previous = is_grad_enabled()
        _set_enabled(self.mode)

    def __exit__(self, *exc: object) -> None:
        _set_enabled(self._previous)

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = is_grad_enabled()
            _set_enabled(mode)
            try:
                return fn(*args, **kwargs)
            finally:
                _set_enabled(previous)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Disable gradient recording inside the block or decorated function."""

    mode = False


class enable_grad(_GradModeContext):
    """Enable gradient recording inside the block or decorated function."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to `mode`; usable as a function call, context manager or decorator."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._previous = is_grad_enabled()
        _set_enabled(self.mode)

    def __enter__(self) -> None:
        pass  # already applied in __init__; __exit__ restores the mode from before the call
