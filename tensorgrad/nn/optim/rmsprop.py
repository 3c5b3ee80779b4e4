"""RMSprop, optionally centered and with momentum."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..._kernels import optim as _k
from .optimizer import (
    Optimizer,
    check_range,
    finish_update,
    new_step_counter,
    state_array,
    update_buffers,
    zeros_state,
)


class RMSprop(Optimizer):
    """PyTorch's `torch.optim.RMSprop`; per parameter and step (g the gradient, p the parameter)::

    g = -g if maximize;  g = g + weight_decay * p
    s = alpha * s + (1 - alpha) * g * g
    centered: a = lerp(a, g, 1 - alpha), avg = sqrt(s - a * a) + eps;  else avg = sqrt(s) + eps
    momentum > 0: b = momentum * b + g / avg, p = p - lr * b;  else p = p - lr * g / avg
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_range("RMSprop", "lr", group["lr"], 0.0)
        check_range("RMSprop", "eps", group["eps"], 0.0)
        check_range("RMSprop", "momentum", group["momentum"], 0.0)
        check_range("RMSprop", "weight_decay", group["weight_decay"], 0.0)
        check_range("RMSprop", "alpha", group["alpha"], 0.0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        names = ("step", "square_avg")
        if group.get("momentum", 0) > 0:
            names += ("momentum_buffer",)
        return names + ("grad_avg",) if group.get("centered") else names

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.rmsprop_step
        for group in self.param_groups:
            lr = float(group["lr"])
            alpha = float(group["alpha"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            momentum = float(group["momentum"])
            centered = group["centered"]
            gscale = -1.0 if group["maximize"] else 1.0
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                parr, garr = update_buffers(p, g)
                state = self.state[p]
                if not state:
                    state["step"] = new_step_counter()
                    state["square_avg"] = zeros_state(parr)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_state(parr)
                    if centered:
                        state["grad_avg"] = zeros_state(parr)
                sq = state_array(state, "square_avg", parr, "RMSprop")
                gavg = state_array(state, "grad_avg", parr, "RMSprop") if centered else None
                buf = state_array(state, "momentum_buffer", parr, "RMSprop") if momentum > 0 else None
                state["step"]._data += 1
                kernel(parr, garr, sq, gavg, buf, gscale, lr, wd, alpha, eps, momentum)
                finish_update(p, parr)
        return loss
