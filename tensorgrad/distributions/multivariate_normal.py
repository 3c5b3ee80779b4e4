"""MultivariateNormal (PyTorch's torch.distributions.MultivariateNormal), parameterized by a mean
vector `loc` and one of covariance_matrix, precision_matrix or scale_tril (the lower Cholesky
factor of the covariance). Every computation goes through that factor, L: samples are
loc + L eps, log_prob solves L y = x - loc."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops.creation import eye
from ..ops.linalg import cholesky, solve_triangular
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, standard_normal


def _batch_mahalanobis(scale_tril: Tensor, x: Tensor) -> Tensor:
    """|L^-1 x|^2 over the last dim of x, for a batch of lower-triangular L (batch dims broadcast)."""
    y = solve_triangular(scale_tril, x.unsqueeze(-1), upper=False).squeeze(-1)
    return y.pow(2).sum(-1)


def _half_log_det(scale_tril: Tensor) -> Tensor:
    """log|det L| = half the log-determinant of the covariance L L^T."""
    return scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def _precision_to_scale_tril(precision: Tensor) -> Tensor:
    """The lower Cholesky factor of precision^-1, without forming the inverse: with J the flip of
    both dims, chol(J P J) = J U J for the upper factor U of P = U U^T, and L = U^-T."""
    lf = cholesky(precision.flip((-2, -1)))
    l_inv = lf.flip((-2, -1)).mT
    n = precision.shape[-1]
    return solve_triangular(l_inv, eye(n, dtype=precision.dtype), upper=False)


class MultivariateNormal(Distribution):
    """The multivariate normal distribution over the last dim of `loc`."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        loc: Tensor,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + (precision_matrix is not None) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified."
            )
        for name, matrix in (
            ("scale_tril", scale_tril),
            ("covariance_matrix", covariance_matrix),
            ("precision_matrix", precision_matrix),
        ):
            if matrix is None:
                continue
            if matrix.dim() < 2:
                raise ValueError(
                    f"{name} matrix must be at least two-dimensional, with optional leading batch dimensions"
                )
            batch_shape = tuple(np.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1]))
            setattr(self, name, matrix.expand(batch_shape + matrix.shape[-2:]))
            given = matrix
        self.loc = loc.expand(batch_shape + loc.shape[-1:])
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(given)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(given)

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape * 2)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        ell = self._unbroadcasted_scale_tril
        return (ell @ ell.mT).expand(self._batch_shape + self._event_shape * 2)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        ell = self._unbroadcasted_scale_tril
        ell_inv = solve_triangular(ell, eye(ell.shape[-1], dtype=ell.dtype), upper=False)
        return (ell_inv.mT @ ell_inv).expand(self._batch_shape + self._event_shape * 2)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = standard_normal(self._extended_shape(sample_shape), self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + m) - _half_log_det(self._unbroadcasted_scale_tril)

    def entropy(self) -> Tensor:
        n = self._event_shape[0]
        h = 0.5 * n * (1.0 + math.log(2 * math.pi)) + _half_log_det(self._unbroadcasted_scale_tril)
        return h if not self._batch_shape else h.expand(self._batch_shape)
