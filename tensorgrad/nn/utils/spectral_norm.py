"""The older hook-based `spectral_norm` / `remove_spectral_norm` (PyTorch's
torch.nn.utils.spectral_norm): the parameter `name` moves to `name_orig`, the power-iteration
vectors are the buffers `name_u` / `name_v`, and a forward pre-hook sets `module.name =
name_orig / sigma` (a plain attribute), running the power method first in training mode."""

from __future__ import annotations

from typing import Any

from ...ops.creation import randn
from ...tensor import Tensor, _wrap
from ..modules.conv import ConvTranspose1d, ConvTranspose2d
from ..modules.conv3d import ConvTranspose3d
from ..modules.module import Module
from ..parameter import Parameter
from .parametrizations import _normalized, power_iteration, spectral_sigma
from .weight_norm import _hooks


class SpectralNorm:
    """The forward pre-hook of spectral_norm."""

    def __init__(
        self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        if n_power_iterations <= 0:
            raise ValueError(
                f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}"
            )
        self.name = name
        self.dim = dim
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            # PyTorch's order here: v = normalize(W^T u), then u = normalize(W v)
            power_iteration(weight_mat._data.T, v, u, self.n_power_iterations, self.eps)
        return weight / spectral_sigma(weight_mat, u, v)

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module, do_power_iteration=False).detach()
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int, eps: float) -> SpectralNorm:
        for _, hook in _hooks(module):
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        weight = module._parameters.get(name)
        if weight is None:
            raise ValueError(f"spectral_norm: module {module._get_name()} has no parameter '{name}'")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        h, w = fn.reshape_weight_to_matrix(weight).shape
        u = _wrap(_normalized(randn(h, dtype=weight.dtype)._data, eps))
        v = _wrap(_normalized(randn(w, dtype=weight.dtype)._data, eps))
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, weight.detach())
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Apply spectral normalization to a parameter in the given module (PyTorch's older API; see
    nn.utils.parametrizations.spectral_norm): `name` becomes name_orig / sigma, sigma estimated by
    power iteration before each forward in training. dim defaults to 1 for ConvTranspose, else 0."""
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Remove the spectral normalization reparameterization from a module: `name` becomes a plain
    parameter with the current normalised value."""
    for key, hook in _hooks(module):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            module._update_has_hooks()
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module._get_name()}")
