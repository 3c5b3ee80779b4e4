"""RAdam: Adam whose adaptive step is switched on once its variance estimate is tractable."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from ..._kernels import optim_more as _k
from ._checks import check_at_least, check_betas
from .optimizer import Optimizer, finish_update, new_step_counter, state_array, update_buffers, zeros_state


class RAdam(Optimizer):
    """PyTorch's `torch.optim.RAdam`; per parameter and step t (g the gradient, p the parameter)::

    g = -g if maximize
    p = p * (1 - lr * weight_decay) if decoupled_weight_decay, else g = g + weight_decay * p
    exp_avg = lerp(exp_avg, g, 1 - beta1);  exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
    u = exp_avg / (1 - beta1**t) * lr
    if rho_t > 5:  u = u * sqrt(1 - beta2**t) / (sqrt(exp_avg_sq) + eps) * r_t,
                   r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
    p = p - u

    `foreach`, `capturable` and `differentiable` are accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least("RAdam", "learning rate", group["lr"])
        check_at_least("RAdam", "epsilon value", group["eps"])
        check_betas("RAdam", group["betas"])
        check_at_least("RAdam", "weight_decay value", group["weight_decay"])

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_avg_sq")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.radam_step
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            gscale = -1.0 if group["maximize"] else 1.0
            decay = 1.0
            if group["decoupled_weight_decay"]:
                decay = 1.0 - lr * wd
                wd = 0.0
            rho_inf = 2.0 / (1.0 - beta2) - 1.0
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                parr, garr = update_buffers(p, g)
                state = self.state[p]
                if not state:
                    state["step"] = new_step_counter()
                    state["exp_avg"] = zeros_state(parr)
                    state["exp_avg_sq"] = zeros_state(parr)
                m = state_array(state, "exp_avg", parr, "RAdam")
                v = state_array(state, "exp_avg_sq", parr, "RAdam")
                step_t = state["step"]._data
                step_t += 1
                t = float(step_t)
                bc1 = 1.0 - beta1**t
                bc2 = 1.0 - beta2**t
                rho_t = rho_inf - 2.0 * t * beta2**t / bc2
                rectified = rho_t > 5.0
                rect = 1.0
                if rectified:
                    rect = math.sqrt(
                        (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    )
                kernel(
                    parr,
                    garr,
                    m,
                    v,
                    gscale,
                    wd,
                    decay,
                    beta1,
                    beta2,
                    bc1,
                    lr,
                    math.sqrt(bc2),
                    eps,
                    rect,
                    rectified,
                )
                finish_update(p, parr)
        return loss
