"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..._kernels import optim_more as _k
from ._checks import check, check_at_least, is_real
from .optimizer import Optimizer, finish_update, new_step_counter, state_array, update_buffers, zeros_state


class Adadelta(Optimizer):
    """PyTorch's `torch.optim.Adadelta`; per parameter and step (g the gradient, p the parameter)::

    g = -g if maximize;  g = g + weight_decay * p
    square_avg = rho * square_avg + (1 - rho) * g * g
    delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
    acc_delta = rho * acc_delta + (1 - rho) * delta * delta
    p = p - lr * delta

    `foreach`, `capturable` and `differentiable` are accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least("Adadelta", "learning rate", group["lr"])
        rho = group["rho"]
        check("Adadelta", is_real(rho) and 0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        check_at_least("Adadelta", "epsilon value", group["eps"])
        check_at_least("Adadelta", "weight_decay value", group["weight_decay"])

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "square_avg", "acc_delta")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.adadelta_step
        for group in self.param_groups:
            lr = float(group["lr"])
            rho = float(group["rho"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
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
                    state["acc_delta"] = zeros_state(parr)
                sq = state_array(state, "square_avg", parr, "Adadelta")
                acc = state_array(state, "acc_delta", parr, "Adadelta")
                state["step"]._data += 1
                kernel(parr, garr, sq, acc, gscale, wd, lr, rho, eps)
                finish_update(p, parr)
        return loss
