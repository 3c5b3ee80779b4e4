"""The table of workloads W1-W9 (PERFORMANCE.md): what each measures, how, and its target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import numpy_by_hand, specs, torchlike
from .case import Case
from .frameworks import NUMPY, TORCH, TorchLike

# How a workload is run: "timed" cases in this process, or the special runs in `system`.
TIMED, MEMORY, CONTENTION, IMPORT = "timed", "memory", "contention", "import"


@dataclass(frozen=True)
class Target:
    """`ratio` of tensorgrad's figure to `versus`'s (or the absolute figure when `versus` is
    None) must be <= `ratio` (>= when `at_least`)."""

    versus: str | None
    ratio: float
    at_least: bool = False

    def met(self, value: float) -> bool:
        return value >= self.ratio if self.at_least else value <= self.ratio

    def __str__(self) -> str:
        sign = ">=" if self.at_least else "<="
        return f"{sign}{self.ratio:g}" + (f"x {self.versus}" if self.versus else "")


@dataclass(frozen=True)
class Workload:
    id: str
    title: str
    unit: str
    kind: str
    targets: tuple[Target, ...]
    data: Callable[[], dict] | None = None
    torchlike: Callable[[TorchLike, dict], Case] | None = None
    by_hand: Callable[[dict], Case] | None = None
    figure: Callable[[float], float] = lambda seconds: seconds * 1e3  # seconds per step -> unit
    higher_is_better: bool = False
    check_steps: int = 1  # steps whose outputs are compared across columns before timing

    def build(self, column: str, data: dict) -> Case:
        if column == NUMPY:
            return self.by_hand(data)
        return self.torchlike(TorchLike(column), data)


_FLOPS_W4 = 6 * specs.MATMUL_N**3

WORKLOADS = {
    w.id: w
    for w in (
        Workload(
            "W1", "MLP train step", "ms", TIMED,
            (Target(TORCH, 1.0), Target(NUMPY, 0.8)),
            specs.mlp_data, torchlike.mlp_train_step, numpy_by_hand.mlp_train_step, check_steps=3,
        ),
        Workload(
            "W2", "CNN train step", "ms", TIMED, (Target(TORCH, 1.5),),
            specs.cnn_data, torchlike.cnn_train_step, numpy_by_hand.cnn_train_step, check_steps=3,
        ),
        Workload(
            "W3", "op overhead (fwd+bwd)", "us/op", TIMED, (Target(TORCH, 0.6),),
            specs.chain_data, torchlike.op_chain, numpy_by_hand.op_chain,
            figure=lambda seconds: seconds * 1e6 / specs.CHAIN_OPS,
        ),
        Workload(
            "W4", "matmul 1024^3 fwd+bwd", "GFLOP/s", TIMED, (Target(NUMPY, 0.95, at_least=True),),
            specs.matmul_data, torchlike.matmul_fwd_bwd, numpy_by_hand.matmul_fwd_bwd,
            figure=lambda seconds: _FLOPS_W4 / seconds / 1e9, higher_is_better=True,
        ),
        Workload(
            "W5", "tanh(x)*x+1 sum, 4M", "ms", TIMED, (Target(TORCH, 0.8),),
            specs.elementwise_data, torchlike.elementwise_chain, numpy_by_hand.elementwise_chain,
        ),
        Workload(
            "W6", "cross-entropy 4096x1000", "ms", TIMED, (Target(TORCH, 0.8),),
            specs.cross_entropy_data, torchlike.cross_entropy, numpy_by_hand.cross_entropy,
        ),
        Workload("W7", "200 W1 steps, peak RSS growth", "MB", MEMORY, (Target(NUMPY, 2.0),)),
        Workload("W8", "W1 next to a busy core", "x slower", CONTENTION, (Target(TORCH, 0.9),)),
        Workload("W9", "import time", "s", IMPORT, (Target(None, 0.5),)),
    )
}  # fmt: skip
