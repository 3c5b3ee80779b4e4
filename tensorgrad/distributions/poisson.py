"""Poisson (PyTorch's torch.distributions.Poisson)."""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from ..ops.creation import generator
from ..ops.gamma_fns import lgamma
from ..ops.special import xlogy
from ..tensor import Tensor, _wrap
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class Poisson(Distribution):
    """The number of events in a unit interval of a Poisson process with rate `rate`."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(() if isinstance(rate, Number) else self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        lam = np.broadcast_to(self.rate._data, shape)
        return _wrap(generator().poisson(lam).astype(lam.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return xlogy(value, rate) - rate - lgamma(value + 1)
