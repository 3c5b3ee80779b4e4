"""`InstanceNorm1d`, `InstanceNorm2d`, `InstanceNorm3d` (each channel of each sample normalised over
its spatial dims) and `LocalResponseNorm` (each value scaled by the energy of its neighbouring channels)."""

from __future__ import annotations

import warnings
from typing import Any

from ...ops.shape import squeeze, unsqueeze
from ...tensor import Tensor
from .. import functional as F
from .batchnorm import _BatchNorm
from .module import Module


class _InstanceNorm(_BatchNorm):
    """The parameters and buffers of batch norm (weight, bias, running_mean, running_var,
    num_batches_tracked), off by default; the statistics come from each instance in training, or
    always without track_running_stats, and from the running stats in eval otherwise."""

    _no_batch_dims = 0

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        nd = self._no_batch_dims
        if input.ndim not in (nd, nd + 1):
            raise ValueError(
                f"{self._get_name()}: expected {nd}D or {nd + 1}D input (got {input.ndim}D input)"
            )
        feature_dim = input.ndim - nd
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"{self._get_name()}: expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got: {input.shape[feature_dim]}."
                )
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                "warning by not passing in num_features, which is not used because affine=False",
                stacklevel=2,
            )
        unbatched = input.ndim == nd
        out = F.instance_norm(
            unsqueeze(input, 0) if unbatched else input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )
        return squeeze(out, 0) if unbatched else out

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )


class InstanceNorm1d(_InstanceNorm):
    """Instance norm of (N, C, L) or (C, L)."""

    _no_batch_dims = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance norm of (N, C, H, W) or (C, H, W)."""

    _no_batch_dims = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance norm of (N, C, D, H, W) or (C, D, H, W)."""

    _no_batch_dims = 4


class LocalResponseNorm(Module):
    """x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta on (N, C, *)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
