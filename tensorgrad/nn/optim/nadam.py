"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..._kernels import optim_more as _k
from ._checks import check_at_least, check_betas, load_state_dict_with_extras, own_scalar, scalar_state
from .optimizer import Optimizer, finish_update, new_step_counter, state_array, update_buffers, zeros_state


class NAdam(Optimizer):
    """PyTorch's `torch.optim.NAdam`; per parameter and step t (g the gradient, p the parameter)::

    g = -g if maximize
    p = p * (1 - lr * weight_decay) if decoupled_weight_decay, else g = g + weight_decay * p
    mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay));  mu_product = mu_1 * ... * mu_t
    exp_avg = lerp(exp_avg, g, 1 - beta1);  exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
    denom = sqrt(exp_avg_sq / (1 - beta2**t)) + eps
    p = p - lr * (1 - mu_t) / (1 - mu_product) * g / denom
          - lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * exp_avg / denom

    mu_product is kept, as in PyTorch, as a 0-d float32 tensor in the state.
    `foreach`, `capturable` and `differentiable` are accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
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
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least("NAdam", "learning rate", group["lr"])
        check_at_least("NAdam", "epsilon value", group["eps"])
        check_betas("NAdam", group["betas"])
        check_at_least("NAdam", "weight_decay value", group["weight_decay"])
        check_at_least("NAdam", "momentum_decay value", group["momentum_decay"])

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_avg_sq")

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        load_state_dict_with_extras(
            self, state_dict, ("mu_product",), lambda name, value: own_scalar("NAdam", name, value)
        )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.nadam_step
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            momentum_decay = float(group["momentum_decay"])
            gscale = -1.0 if group["maximize"] else 1.0
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
                    state["mu_product"] = scalar_state(1.0)
                    state["exp_avg"] = zeros_state(parr)
                    state["exp_avg_sq"] = zeros_state(parr)
                m = state_array(state, "exp_avg", parr, "NAdam")
                v = state_array(state, "exp_avg_sq", parr, "NAdam")
                step_t = state["step"]._data
                step_t += 1
                t = float(step_t)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1.0) * momentum_decay))
                mu_product = state["mu_product"]._data
                mu_product *= mu  # float32 arithmetic, as PyTorch's 0-d tensor
                prod = float(mu_product)
                c_grad = -lr * (1.0 - mu) / (1.0 - prod)
                c_avg = -lr * mu_next / (1.0 - prod * mu_next)
                kernel(parr, garr, m, v, gscale, wd, decay, beta1, beta2, 1.0 - beta2**t, eps, c_grad, c_avg)
                finish_update(p, parr)
        return loss
