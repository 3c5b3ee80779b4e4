"""`parameters_to_vector` and `vector_to_parameters` (PyTorch's `torch.nn.utils.convert_parameters`)."""

from __future__ import annotations

from collections.abc import Iterable

from ...ops.shape import cat, reshape
from ...tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    flat = []
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters_to_vector: expected Tensors, but got: {type(p).__name__}")
        flat.append(reshape(p, (-1,)))
    return cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Set the data of each parameter, in order, from consecutive slices of the 1-D `vec` (the
    parameters then share vec's memory, as in PyTorch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    if vec.ndim != 1:
        raise RuntimeError(f"vector_to_parameters: vec must be 1-D, got shape {list(vec.shape)}")
    parameters = list(parameters)
    total = sum(p.numel() for p in parameters)
    if total != vec.shape[0]:
        raise RuntimeError(
            f"vector_to_parameters: vec has {vec.shape[0]} elements but the parameters "
            f"{[list(p.shape) for p in parameters]} hold {total}"
        )
    start = 0
    for p in parameters:
        n = p.numel()
        p.data = reshape(vec[start : start + n], p.shape).data
        start += n
