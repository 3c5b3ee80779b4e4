"""ASGD: averaged stochastic gradient descent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..._kernels import optim_more as _k
from ._checks import check_at_least, load_state_dict_with_extras, own_scalar, scalar_state
from .optimizer import Optimizer, finish_update, new_step_counter, state_array, update_buffers, zeros_state


class ASGD(Optimizer):
    """PyTorch's `torch.optim.ASGD`; per parameter and step t (g the gradient, p the parameter)::

    g = -g if maximize;  g = g + weight_decay * p
    p = p * (1 - lambd * eta) - eta * g
    ax = ax + (p - ax) * mu   (ax = p while mu is 1)
    eta = lr / (1 + lambd * lr * t) ** alpha;  mu = 1 / max(1, t - t0)

    eta (starting at lr) and mu (starting at 1) are 0-d float32 tensors in the state, as in
    PyTorch; `ax` is the running average of the parameter. `foreach`, `capturable` and
    `differentiable` are accepted and ignored.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_at_least("ASGD", "learning rate", group["lr"])
        check_at_least("ASGD", "weight_decay value", group["weight_decay"])

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "ax")

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        load_state_dict_with_extras(
            self, state_dict, ("eta", "mu"), lambda name, value: own_scalar("ASGD", name, value)
        )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.asgd_step
        for group in self.param_groups:
            lr = float(group["lr"])
            lambd = float(group["lambd"])
            alpha = float(group["alpha"])
            t0 = float(group["t0"])
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
                    state["eta"] = scalar_state(lr)
                    state["mu"] = scalar_state(1.0)
                    state["ax"] = zeros_state(parr)
                ax = state_array(state, "ax", parr, "ASGD")
                step_t = state["step"]._data
                step_t += 1
                t = float(step_t)
                eta, mu = state["eta"]._data, state["mu"]._data
                kernel(parr, garr, ax, gscale, wd, float(eta), lambd, float(mu))
                eta[...] = lr / (1.0 + lambd * lr * t) ** alpha
                mu[...] = 1.0 / max(1.0, t - t0)
                finish_update(p, parr)
        return loss
