"""PyTorch's `torch.utils` path: `tensorgrad.utils.data` is `tensorgrad.data`."""

from . import data

__all__ = ["data"]
