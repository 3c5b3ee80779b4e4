"""`Parameter`: a Tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

from typing import Any

from ..ops.creation import empty
from ..tensor import Tensor, _wrap


class Parameter(Tensor):
    """A Tensor that, assigned as a Module attribute, is registered in its parameters.

    `Parameter(data)` shares `data`'s memory (as PyTorch's does) and requires grad by default.
    Ops on a Parameter return plain Tensors; autograd treats it as any other leaf tensor.
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter: data must be a Tensor, got {type(data).__name__}")
        self._data = data._data
        self._vc = data._vc
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> Parameter:
        result = Parameter(_wrap(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            result._grad = _wrap(self._grad._data.copy())
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("tensorgrad parameters are not pickled; save a state_dict with tensorgrad.save")
