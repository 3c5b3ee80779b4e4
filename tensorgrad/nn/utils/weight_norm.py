"""The older hook-based `weight_norm` / `remove_weight_norm` (PyTorch's torch.nn.utils.weight_norm):
the parameter `name` is replaced by `name_g` and `name_v`, and a forward pre-hook recomputes
`module.name = name_g * name_v / ||name_v||` (a plain attribute) before every forward."""

from __future__ import annotations

import warnings
from typing import Any

from ..modules.module import Module
from ..parameter import Parameter
from .parametrizations import norm_except_dim, weight_norm_value


def _hooks(module: Module) -> list:
    """(handle id, hook) of the module's forward pre-hooks."""
    return [(key, hook) for key, (hook, _) in (module._forward_pre_hooks or {}).items()]


class WeightNorm:
    """The forward pre-hook of weight_norm."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Any:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return weight_norm_value(v, g, self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        for _, hook in _hooks(module):
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        if name not in module._parameters or module._parameters[name] is None:
            raise ValueError(f"weight_norm: module {module._get_name()} has no parameter '{name}'")
        fn = WeightNorm(name, dim)
        weight = module._parameters[name]
        del module._parameters[name]
        module.__dict__.pop(name, None)
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module).detach()
        delattr(module, self.name)
        delattr(module, self.name + "_g")
        delattr(module, self.name + "_v")
        setattr(module, self.name, Parameter(weight))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Apply weight normalization to a parameter in the given module (deprecated in PyTorch in
    favour of nn.utils.parametrizations.weight_norm): `name` becomes name_g * name_v / ||name_v||,
    recomputed before every forward; the norm is over every dim but `dim` (all of them for None)."""
    warnings.warn(
        "`torch.nn.utils.weight_norm` is deprecated in favor of "
        "`torch.nn.utils.parametrizations.weight_norm`.",
        FutureWarning,
        stacklevel=2,
    )
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Remove the weight normalization reparameterization from a module: `name` becomes a plain
    parameter with the current normalised value."""
    for key, hook in _hooks(module):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            module._update_has_hooks()
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module._get_name()}")
