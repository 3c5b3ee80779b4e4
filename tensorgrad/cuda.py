"""`tensorgrad.cuda`: PyTorch's CUDA queries answered for a CPU-only library, so that scripts
which check for a GPU (`device = "cuda" if torch.cuda.is_available() else "cpu"`) take the CPU
path. Seeding and synchronisation are no-ops; asking for a CUDA device raises."""

from __future__ import annotations

from typing import Any

_NO_CUDA = "tensorgrad is not compiled with CUDA enabled: it runs on the CPU only"


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """No-op: there is no CUDA generator (tensorgrad.manual_seed seeds the CPU one)."""


def manual_seed_all(seed: int) -> None:
    """No-op: there is no CUDA generator."""


def synchronize(device: Any = None) -> None:
    """No-op: CPU work has finished when a call returns."""


def empty_cache() -> None:
    """No-op: there is no CUDA caching allocator."""


def current_device() -> int:
    """Raises, as PyTorch does without CUDA."""
    raise AssertionError(f"current_device: {_NO_CUDA}")


def set_device(device: Any) -> None:
    """Raises, as PyTorch does without CUDA."""
    raise AssertionError(f"set_device: {_NO_CUDA}")


def get_device_name(device: Any = None) -> str:
    """Raises, as PyTorch does without CUDA."""
    raise AssertionError(f"get_device_name: {_NO_CUDA}")
