"""Adagrad: per-coordinate step sizes shrinking with the accumulated squared gradients."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..._kernels import optim_more as _k
from ...tensor import Tensor, _wrap
from ._checks import check_at_least
from .optimizer import Optimizer, finish_update, new_step_counter, state_array, update_buffers


class Adagrad(Optimizer):
    """PyTorch's `torch.optim.Adagrad`; per parameter and step t (g the gradient, p the parameter)::

    g = -g if maximize;  g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    sum = sum + g * g   (sum starts at initial_accumulator_value)
    p = p - clr * g / (sqrt(sum) + eps)

    As in PyTorch, the state (step, sum) of every parameter is created by the constructor.
    `foreach`, `differentiable` and `fused` are accepted and ignored: every update is one fused kernel.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least("Adagrad", "learning rate", group["lr"])
        check_at_least("Adagrad", "lr_decay value", group["lr_decay"])
        check_at_least("Adagrad", "weight_decay value", group["weight_decay"])
        check_at_least("Adagrad", "initial_accumulator_value value", group["initial_accumulator_value"])
        check_at_least("Adagrad", "epsilon value", group["eps"])

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "sum")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self.state[p]
        state["step"] = new_step_counter()
        init = float(group["initial_accumulator_value"])
        state["sum"] = _wrap(np.full(p._data.shape, init, dtype=p._data.dtype))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.adagrad_step
        for group in self.param_groups:
            lr = float(group["lr"])
            lr_decay = float(group["lr_decay"])
            wd = float(group["weight_decay"])
            eps = float(group["eps"])
            gscale = -1.0 if group["maximize"] else 1.0
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                parr, garr = update_buffers(p, g)
                state = self.state[p]
                if not state:  # a parameter added by add_param_group after construction
                    self._init_state(p, group)
                s = state_array(state, "sum", parr, "Adagrad")
                step_t = state["step"]._data
                step_t += 1
                clr = lr / (1.0 + (float(step_t) - 1.0) * lr_decay)
                kernel(parr, garr, s, gscale, wd, clr, eps)
                finish_update(p, parr)
        return loss
