"""`tensorgrad.nn.utils.parametrizations`: `weight_norm` and `spectral_norm` as parametrizations
(nn.utils.parametrize), with PyTorch's state_dict keys:

- weight_norm: parametrizations.weight.original0 (the magnitude g) and .original1 (the direction v);
- spectral_norm: parametrizations.weight.original and the power-iteration vectors
  parametrizations.weight.0._u / ._v (buffers).
"""

from __future__ import annotations

import numpy as np

from ...ops.creation import randn
from ...ops.elementwise import div, mul
from ...ops.norms import norm
from ...ops.shape import flatten, permute
from ...tensor import Tensor, _wrap
from ..modules.conv import ConvTranspose1d, ConvTranspose2d
from ..modules.conv3d import ConvTranspose3d
from ..modules.module import Module
from . import parametrize


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The pow-norm of v over every dim but `dim`, kept as size-1 dims; over all of v (a 0-d
    result) for dim=-1, which weight_norm uses for dim=None (PyTorch's convention)."""
    if dim == -1:
        return norm(v, pow)
    d = dim % v.ndim
    return norm(v, pow, tuple(i for i in range(v.ndim) if i != d), keepdim=True)


def weight_norm_value(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """v * g / ||v||, the norm taken as in norm_except_dim (PyTorch's `_weight_norm`)."""
    return mul(v, div(g, norm_except_dim(v, 2, dim)))


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_norm_value(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Apply weight normalization to a parameter in the given module: w = g * v / ||v||, the norm
    over every dim but `dim` (over the whole tensor for dim=None). g (original0) starts as ||w||
    and v (original1) as w, so the weight is unchanged at first."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value of the weight viewed as a matrix (dim first,
    the other dims flattened), estimated by power iteration; a 1-D weight is just normalised."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            h, w = self._reshape_weight_to_matrix(weight).shape
            self.register_buffer("_u", _wrap(_normalized(randn(h, dtype=weight.dtype)._data, eps)))
            self.register_buffer("_v", _wrap(_normalized(randn(w, dtype=weight.dtype)._data, eps)))
            self._power_method(self._reshape_weight_to_matrix(weight)._data, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = permute(weight, (self.dim, *(d for d in range(weight.ndim) if d != self.dim)))
        return flatten(weight, 1)

    def _power_method(self, matrix: np.ndarray, n_power_iterations: int) -> None:
        """Refine u and v in place (no graph): u = normalize(W v), v = normalize(W^T u)."""
        power_iteration(matrix, self._u, self._v, n_power_iterations, self.eps)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return div(weight, max(float(np.linalg.norm(weight._data)), self.eps))
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat._data, self.n_power_iterations)
        return div(weight, spectral_sigma(weight_mat, self._u, self._v))

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def _normalized(x: np.ndarray, eps: float) -> np.ndarray:
    return x / max(float(np.linalg.norm(x)), eps)


def power_iteration(matrix: np.ndarray, u: Tensor, v: Tensor, iterations: int, eps: float) -> None:
    """`iterations` steps of the power method on `matrix`, written into the buffers u and v."""
    for _ in range(iterations):
        u._data[...] = _normalized(matrix @ v._data, eps)
        v._data[...] = _normalized(matrix.T @ u._data, eps)
    u._vc[0] += 1
    v._vc[0] += 1


def spectral_sigma(weight_mat: Tensor, u: Tensor, v: Tensor) -> Tensor:
    """u . (W v) with copies of u and v (constants of the graph): the gradient reaches W only."""
    u_col = _wrap(u._data.copy().reshape(1, -1))
    v_col = _wrap(v._data.copy().reshape(-1, 1))
    return (u_col @ weight_mat @ v_col).reshape(())


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Apply spectral normalization to a parameter in the given module: weight / sigma(weight),
    sigma estimated by n_power_iterations of the power method at each forward in training mode
    (15 at registration). dim defaults to 1 for the ConvTranspose modules, else 0."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module._get_name()}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
