"""PyTorch's `torch.utils` path: `tensorgrad.utils.data` is `tensorgrad.data`."""

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
