"""Distribution: the base class of tensorgrad.distributions (PyTorch's
torch.distributions.Distribution): shapes, argument validation, sampling entry points."""

from __future__ import annotations

from typing import Any

from ..autograd import no_grad
from ..tensor import Tensor
from . import constraints
from .utils import lazy_property


def _shape(shape: Any, what: str) -> tuple[int, ...]:
    if isinstance(shape, (int, Tensor)) or not all(isinstance(s, int) for s in shape):
        raise TypeError(f"{what} must be a tuple of ints (torch.Size), got {shape!r}")
    return tuple(shape)


class Distribution:
    """A probability distribution over events of shape `event_shape`, one for each index of
    `batch_shape`. Samples have shape sample_shape + batch_shape + event_shape."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument and sample validation on or off for distributions made afterwards."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected True or False, got {value!r}")
        Distribution._validate_args = value

    def __init__(
        self, batch_shape: tuple = (), event_shape: tuple = (), validate_args: bool | None = None
    ) -> None:
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if not self._validate_args:
            return
        for param, constraint in self.arg_constraints.items():
            if constraints.is_dependent(constraint):
                continue
            if param not in self.__dict__ and isinstance(getattr(type(self), param), lazy_property):
                continue  # not given: computed from the parameter that was, which was checked
            value = getattr(self, param)
            if not constraint.check(value).all():
                raise ValueError(
                    f"Expected parameter {param} ({type(value).__name__} of shape {tuple(value.shape)}) "
                    f"of distribution {self!r} to satisfy the constraint {constraint!r}, "
                    f"but found invalid values:\n{value}"
                )

    # ---- shapes ----------------------------------------------------------------------------

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self._batch_shape

    @property
    def event_shape(self) -> tuple[int, ...]:
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> tuple[int, ...]:
        return _shape(sample_shape, "sample_shape") + self._batch_shape + self._event_shape

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """A view of this distribution with its parameters expanded to batch_shape (no copy, no
        revalidation)."""
        batch_shape = _shape(batch_shape, "expand: batch_shape")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        n_old = len(self._batch_shape)
        for param in self.arg_constraints:
            value = self.__dict__.get(param)
            if isinstance(value, Tensor):
                setattr(new, param, value.expand(batch_shape + value.shape[n_old:]))
        new._batch_shape = batch_shape
        return new

    # ---- the interface -----------------------------------------------------------------------

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:
        """The constraint each parameter must satisfy."""
        raise NotImplementedError

    @property
    def support(self) -> constraints.Constraint:
        """The constraint every sample satisfies."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.mean is not implemented")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.mode is not implemented")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.variance is not implemented")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A sample (or a batch of them, shaped sample_shape + batch_shape + event_shape), outside
        the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterized sample: gradients flow from it to the parameters."""
        raise NotImplementedError(
            f"{type(self).__name__}.rsample: this distribution has no reparameterized sampler "
            "(has_rsample is False); use sample()"
        )

    def sample_n(self, n: int) -> Tensor:
        return self.sample((n,))

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.log_prob is not implemented")

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.cdf is not implemented")

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.icdf is not implemented")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.entropy is not implemented")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.enumerate_support is not implemented")

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    # ---- validation ------------------------------------------------------------------------

    def _validate_sample(self, value: Any) -> None:
        """Check a value given to log_prob/cdf: a Tensor, broadcastable with batch_shape +
        event_shape, inside the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        actual = tuple(value.shape)
        start = len(actual) - len(self._event_shape)
        if actual[start:] != self._event_shape:
            raise ValueError(
                f"The right-most size of value must match event_shape: {actual} vs {self._event_shape}."
            )
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    f"Value is not broadcastable with batch_shape+event_shape: {actual} vs {expected}."
                )
        support = self.support
        if not support.check(value).all():
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {actual}) "
                f"to be within the support ({support!r}) of the distribution {self!r}, "
                f"but found invalid values:\n{value}"
            )

    def __repr__(self) -> str:
        parts = []
        for p in self.arg_constraints:
            if p in self.__dict__:
                v = self.__dict__[p]
                parts.append(f"{p}: {v.item() if v.numel() == 1 else v.shape}")
        return f"{type(self).__name__}({', '.join(parts)})"
