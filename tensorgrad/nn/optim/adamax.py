"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..._kernels import optim_more as _k
from ._checks import check_at_least, check_betas
from .optimizer import Optimizer, finish_update, new_step_counter, state_array, update_buffers, zeros_state


class Adamax(Optimizer):
    """PyTorch's `torch.optim.Adamax`; per parameter and step t (g the gradient, p the parameter)::

    g = -g if maximize;  g = g + weight_decay * p
    exp_avg = lerp(exp_avg, g, 1 - beta1)
    exp_inf = max(beta2 * exp_inf, |g| + eps)
    p = p - lr / (1 - beta1**t) * exp_avg / exp_inf

    `foreach`, `differentiable` and `capturable` are accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least("Adamax", "learning rate", group["lr"])
        check_at_least("Adamax", "epsilon value", group["eps"])
        check_betas("Adamax", group["betas"])
        check_at_least("Adamax", "weight_decay value", group["weight_decay"])

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_inf")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.adamax_step
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
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
                    state["exp_avg"] = zeros_state(parr)
                    state["exp_inf"] = zeros_state(parr)
                m = state_array(state, "exp_avg", parr, "Adamax")
                u = state_array(state, "exp_inf", parr, "Adamax")
                step_t = state["step"]._data
                step_t += 1
                clr = lr / (1.0 - beta1 ** float(step_t))
                kernel(parr, garr, m, u, gscale, wd, beta1, beta2, eps, clr)
                finish_update(p, parr)
        return loss
