"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..._kernels import optim as _k
from .optimizer import Optimizer, check_range, finish_update, state_array, update_buffers, zeros_state


class SGD(Optimizer):
    """PyTorch's `torch.optim.SGD`; per parameter and step (g the gradient, p the parameter)::

    g = -g if maximize;  g = g + weight_decay * p
    b = g on the first step, else momentum * b + (1 - dampening) * g   (if momentum != 0)
    g = g + momentum * b if nesterov else b
    p = p - lr * g
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_range("SGD", "lr", group["lr"], 0.0)
        check_range("SGD", "momentum", group["momentum"], 0.0)
        check_range("SGD", "dampening", group["dampening"], float("-inf"))
        check_range("SGD", "weight_decay", group["weight_decay"], 0.0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._eval_closure(closure)
        kernel = _k.sgd_step
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum = float(group["momentum"])
            dampening = float(group["dampening"])
            wd = float(group["weight_decay"])
            nesterov = bool(group["nesterov"])
            gscale = -1.0 if group["maximize"] else 1.0
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                parr, garr = update_buffers(p, g)
                buf = None
                first = False
                if momentum != 0:
                    state = self.state[p]
                    b = state.get("momentum_buffer")
                    if b is None:
                        b = state["momentum_buffer"] = zeros_state(parr)
                        first = True
                    buf = state_array(state, "momentum_buffer", parr, "SGD")
                kernel(parr, garr, buf, gscale, lr, wd, momentum, dampening, nesterov, first)
                finish_update(p, parr)
        return loss
