"""Rprop: resilient backpropagation, per-coordinate step sizes driven by gradient signs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..._kernels import optim_more as _k
from ...tensor import _wrap
from ._checks import check, check_at_least, is_real
from .optimizer import Optimizer, finish_update, new_step_counter, state_array, update_buffers, zeros_state


class Rprop(Optimizer):
    """PyTorch's `torch.optim.Rprop`; per parameter and step (g the gradient, p the parameter)::

    g = -g if maximize
    step_size = step_size * (etaplus if g * prev > 0, etaminus if g * prev < 0, else 1),
                clamped to step_sizes = (min, max); step_size starts at lr
    g = 0 where g * prev < 0
    p = p - sign(g) * step_size;  prev = g

    `foreach`, `capturable` and `differentiable` are accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least("Rprop", "learning rate", group["lr"])
        etas, sizes = group["etas"], group["step_sizes"]
        pair = isinstance(etas, (tuple, list)) and len(etas) == 2 and is_real(etas[0]) and is_real(etas[1])
        shown = f"{etas[0]}, {etas[1]}" if pair else etas
        check("Rprop", pair and 0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {shown}")
        pair = (
            isinstance(sizes, (tuple, list)) and len(sizes) == 2 and is_real(sizes[0]) and is_real(sizes[1])
        )
        check("Rprop", pair, f"Invalid step_sizes value: {sizes} (expected a pair of numbers)")

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "prev", "step_size")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.rprop_step
        for group in self.param_groups:
            etaminus, etaplus = float(group["etas"][0]), float(group["etas"][1])
            step_min, step_max = float(group["step_sizes"][0]), float(group["step_sizes"][1])
            gscale = -1.0 if group["maximize"] else 1.0
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                parr, garr = update_buffers(p, g)
                state = self.state[p]
                if not state:
                    state["step"] = new_step_counter()
                    state["prev"] = zeros_state(parr)
                    state["step_size"] = _wrap(np.full(parr.shape, float(group["lr"]), dtype=parr.dtype))
                prev = state_array(state, "prev", parr, "Rprop")
                sizes = state_array(state, "step_size", parr, "Rprop")
                state["step"]._data += 1
                kernel(parr, garr, prev, sizes, gscale, etaminus, etaplus, step_min, step_max)
                finish_update(p, parr)
        return loss
