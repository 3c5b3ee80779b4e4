"""Adam and AdamW (decoupled weight decay), with the AMSGrad variant."""

from __future__ import annotations

import math
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


class Adam(Optimizer):
    """PyTorch's `torch.optim.Adam`; per parameter and step t (g the gradient, p the parameter)::

    g = -g if maximize
    p = p * (1 - lr * weight_decay) if decoupled_weight_decay (AdamW), else g = g + weight_decay * p
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    v_hat = max(v_hat, v) if amsgrad else v
    p = p - lr / (1 - beta1**t) * m / (sqrt(v_hat) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        check_range(name, "lr", group["lr"], 0.0)
        check_range(name, "eps", group["eps"], 0.0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: Invalid betas value: {betas!r} (expected a pair)")
        check_range(name, "beta parameter at index 0", betas[0], 0.0, 1.0)
        check_range(name, "beta parameter at index 1", betas[1], 0.0, 1.0)
        check_range(name, "weight_decay", group["weight_decay"], 0.0)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        names = ("step", "exp_avg", "exp_avg_sq")
        return names + ("max_exp_avg_sq",) if group.get("amsgrad") else names

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.adam_step
        name = type(self).__name__
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
            eps = float(group["eps"])
            amsgrad = group["amsgrad"]
            gscale = -1.0 if group["maximize"] else 1.0
            wd = float(group["weight_decay"])
            decay = 1.0
            if group["decoupled_weight_decay"]:
                decay = 1.0 - lr * wd
                wd = 0.0
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
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_state(parr)
                m = state_array(state, "exp_avg", parr, name)
                v = state_array(state, "exp_avg_sq", parr, name)
                vmax = state_array(state, "max_exp_avg_sq", parr, name) if amsgrad else None
                step_t = state["step"]._data
                step_t += 1
                t = float(step_t)
                step_size = lr / (1.0 - beta1**t)
                bc2_sqrt = math.sqrt(1.0 - beta2**t)
                kernel(
                    parr,
                    garr,
                    m,
                    v,
                    vmax,
                    gscale,
                    wd,
                    decay,
                    beta1,
                    beta2,
                    step_size,
                    bc2_sqrt,
                    eps,
                )
                finish_update(p, parr)
        return loss


class AdamW(Adam):
    """PyTorch's `torch.optim.AdamW`: Adam with decoupled weight decay (default 1e-2)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, decoupled_weight_decay=True
        )
