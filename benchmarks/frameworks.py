"""The columns of the comparison, their versions and their thread settings."""

from __future__ import annotations

import importlib
import importlib.util
import os
from functools import cached_property
from types import ModuleType

TENSORGRAD, NUMPY, TORCH = "tensorgrad", "numpy", "torch"
COLUMNS = (TENSORGRAD, NUMPY, TORCH)

THREADS_ENV = "TENSORGRAD_BENCH_THREADS"  # set by `compare --threads`, read by every child process
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY")


class TorchLike:
    """A framework with PyTorch's API (`torch` itself or `tensorgrad`), imported the way a user
    does: `import X as torch`, `import X.nn as nn`, `import X.nn.functional as F`, `import X.optim
    as optim`. Each part is imported on first use, so a workload that needs only tensors runs
    even while `nn` does not exist yet."""

    def __init__(self, name: str) -> None:
        self.name = name

    @cached_property
    def torch(self) -> ModuleType:
        return importlib.import_module(self.name)

    @cached_property
    def nn(self) -> ModuleType:
        return importlib.import_module(self.name + ".nn")

    @cached_property
    def F(self) -> ModuleType:  # noqa: N802  (PyTorch users' name for nn.functional)
        return importlib.import_module(self.name + ".nn.functional")

    @cached_property
    def optim(self) -> ModuleType:
        return importlib.import_module(self.name + ".optim")


def installed(column: str) -> bool:
    return importlib.util.find_spec(column) is not None


def apply_threads(columns: tuple[str, ...] = COLUMNS) -> int | None:
    """Apply `compare --threads N` (passed down in THREADS_ENV) to the frameworks in `columns`.

    The BLAS pools read OMP_NUM_THREADS/OPENBLAS_NUM_THREADS when they load, which `compare`
    sets before any of them is imported; the frameworks' own pools are set here."""
    value = os.environ.get(THREADS_ENV)
    if not value:
        return None
    n = int(value)
    for name in (TENSORGRAD, TORCH):
        if name in columns and installed(name):
            module = importlib.import_module(name)
            if hasattr(module, "set_num_threads"):
                module.set_num_threads(n)
    return n


def thread_info() -> dict:
    """What decides the thread counts in this process: environment, frameworks, BLAS pools."""
    info: dict = {"env": {name: os.environ.get(name) for name in (*THREAD_ENV_VARS, THREADS_ENV)}}
    tensorgrad = importlib.import_module(TENSORGRAD)
    if hasattr(tensorgrad, "get_num_threads"):
        info["tensorgrad.get_num_threads"] = tensorgrad.get_num_threads()
    if installed(TORCH):
        torch = importlib.import_module(TORCH)
        info["torch.get_num_threads"] = torch.get_num_threads()
        info["torch.get_num_interop_threads"] = torch.get_num_interop_threads()
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {key: pool.get(key) for key in ("user_api", "internal_api", "num_threads", "filepath")}
            for pool in threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    return info


def versions() -> dict:
    out = {}
    for name in ("numpy", "scipy", TENSORGRAD, TORCH, "matplotlib", "threadpoolctl"):
        if installed(name):
            out[name] = getattr(importlib.import_module(name), "__version__", "?")
    return out
