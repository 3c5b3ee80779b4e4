"""PyTorch's path `tensorgrad.optim.lr_scheduler`: the schedulers of `tensorgrad.nn.optim.lr_scheduler`."""

from ..nn.optim.lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR, _LRScheduler

__all__ = ["CosineAnnealingLR", "LRScheduler", "StepLR", "_LRScheduler"]
