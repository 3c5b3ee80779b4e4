"""Helpers shared by the distributions: parameter broadcasting, probs <-> logits, lazily computed
parameters, and noise drawn from tensorgrad's seeded generator (outside the graph)."""

from __future__ import annotations

from functools import update_wrapper
from numbers import Number
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import enable_grad
from ..ops.creation import generator, tensor
from ..tensor import Tensor, _wrap

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits"]


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """The values (Tensors and numbers) broadcast to one shape; numbers become tensors of the
    first tensor's dtype (float32 when all are numbers)."""
    dtype = None
    for v in values:
        if isinstance(v, Tensor):
            dtype = v.dtype
            break
        if not isinstance(v, Number):
            raise ValueError("Input arguments must all be instances of numbers.Number or tensorgrad.Tensor.")
    if dtype is None:
        dtype = dtypes.float32
    ts = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values]
    shape = np.broadcast_shapes(*[t.shape for t in ts])
    return tuple(t if t.shape == shape else t.expand(shape) for t in ts)


def clamp_probs(probs: Tensor) -> Tensor:
    """probs clamped to [eps, 1 - eps] of their dtype, so that their logs are finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """log(p) (categorical, up to a constant) or log(p / (1 - p)) (binary)."""
    p = clamp_probs(probs)
    return p.log() - (-p).log1p() if is_binary else p.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """sigmoid(logits) (binary) or softmax over the last dim (categorical)."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


class lazy_property:  # noqa: N801 (PyTorch's name)
    """A property computed on first access and then stored on the instance (probs from logits and
    the like). It is computed with grad mode on, so a cached value made under no_grad still
    carries gradients later."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """value summed over its `dim` rightmost dims."""
    if dim == 0:
        return value
    return value.reshape(value.shape[: value.dim() - dim] + (-1,)).sum(-1)


def standard_normal(shape: tuple, dtype: Any) -> Tensor:
    return _wrap(generator().standard_normal(shape, dtype=dtype))


def standard_uniform(shape: tuple, dtype: Any) -> Tensor:
    """Uniform on [0, 1)."""
    return _wrap(generator().random(shape, dtype=dtype))


def standard_exponential(shape: tuple, dtype: Any) -> Tensor:
    return _wrap(generator().standard_exponential(shape, dtype=dtype))


def standard_gamma(concentration: np.ndarray, shape: tuple) -> np.ndarray:
    """Gamma(concentration, 1) draws of the given shape (concentration broadcast to it), clamped
    to the smallest positive number of its dtype as in PyTorch, so that their logs are finite."""
    alpha = np.broadcast_to(concentration, shape)
    out = generator().standard_gamma(alpha).astype(alpha.dtype, copy=False)
    return np.maximum(out, np.finfo(alpha.dtype).tiny)
