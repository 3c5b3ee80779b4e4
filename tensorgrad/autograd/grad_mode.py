"""Thread-local grad mode: `no_grad`, `enable_grad`, `set_grad_enabled`, `is_grad_enabled`."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    enabled = True


state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded (per thread)."""
    return state.enabled


class _GradModeContext:
    """Context manager and decorator that sets grad mode and restores it afterwards."""

    mode = True

    def __enter__(self) -> None:
        self._previous = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._previous

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = previous

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
        self._previous = state.enabled
        state.enabled = self.mode

    def __enter__(self) -> None:
        pass  # already applied in __init__; __exit__ restores the mode from before the call
