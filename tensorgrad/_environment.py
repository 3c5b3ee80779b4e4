"""Process-level switches that PyTorch training scripts set before any maths: `inference_mode`,
`compile`, deterministic algorithms, inter-op threads, and `Size`."""

from __future__ import annotations

import os
from typing import Any

from .autograd.grad_mode import _GradModeContext


class inference_mode(_GradModeContext):  # noqa: N801  (PyTorch's name)
    """Like `no_grad` (context manager or decorator, with or without parentheses).

    tensorgrad has no separate inference tensors: inside the block no graph is recorded, which is
    what inference mode buys in PyTorch; `inference_mode(False)` leaves grad mode as it is.
    """

    mode = False

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used bare: @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self._active = bool(mode)

    def __enter__(self) -> None:
        if self._active:
            super().__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._active:
            super().__exit__(*exc)

    def __call__(self, fn: Any) -> Any:
        return super().__call__(fn) if self._active else fn


def compile(model: Any = None, **kwargs: Any) -> Any:  # noqa: A001
    """Return `model` (a module or function) unchanged: tensorgrad has no compiler.

    `compile(**options)` without a model returns a decorator that does the same.
    """
    if model is None:
        return lambda m: m
    return model


class _Deterministic:
    enabled = False
    warn_only = False


_deterministic = _Deterministic()


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the flag. tensorgrad's CPU ops are deterministic whatever it says."""
    _deterministic.enabled = bool(mode)
    _deterministic.warn_only = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic.enabled


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic.warn_only


class _Interop:
    threads = os.cpu_count() or 1


_interop = _Interop()


def get_num_interop_threads() -> int:
    """The recorded inter-op thread count (tensorgrad runs ops one at a time; kernels use
    `set_num_threads`' intra-op threads)."""
    return _interop.threads


def set_num_interop_threads(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise RuntimeError(f"set_num_interop_threads: expected a positive number of threads, got {n!r}")
    _interop.threads = n


class Size(tuple):
    """PyTorch's `Size`: a tuple of ints with `numel()`. (Tensor.shape is still a plain tuple.)"""

    def __new__(cls, sizes: Any = ()) -> Size:
        sizes = tuple(sizes)
        for s in sizes:
            if not isinstance(s, int) or isinstance(s, bool):
                raise TypeError(f"Size: expected a sequence of ints, got {type(s).__name__} in {sizes!r}")
        return super().__new__(cls, sizes)

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key: Any) -> Any:
        out = super().__getitem__(key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other: Any) -> Size:
        return Size(tuple(self) + tuple(other))

    def __repr__(self) -> str:
        return f"tensorgrad.Size({list(self)})"
