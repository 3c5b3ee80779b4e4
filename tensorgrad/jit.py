"""`tensorgrad.jit`: tensorgrad has no TorchScript compiler. `script` and `trace` return what they
are given, unchanged, so code that scripts or traces a model for speed runs as plain Python."""

from __future__ import annotations

from typing import Any


def script(obj: Any, *args: Any, **kwargs: Any) -> Any:
    """Return `obj` (a module or function) unchanged: there is nothing to compile it to."""
    return obj


def trace(func: Any, example_inputs: Any = None, *args: Any, **kwargs: Any) -> Any:
    """Return `func` unchanged (nothing is run or recorded)."""
    return func


def is_scripting() -> bool:
    return False


def is_tracing() -> bool:
    return False
