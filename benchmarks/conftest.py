"""Fixtures of the pytest-benchmark micro-benchmarks (`pytest benchmarks/`)."""

from __future__ import annotations

import pytest

from benchmarks.frameworks import TorchLike, apply_threads


@pytest.fixture(scope="session")
def tg() -> TorchLike:
    """tensorgrad imported as a PyTorch user would (`tg.torch`, `tg.nn`, `tg.F`, `tg.optim`)."""
    apply_threads(("tensorgrad",))
    return TorchLike("tensorgrad")
