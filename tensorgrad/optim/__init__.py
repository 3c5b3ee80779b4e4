"""PyTorch's path to the optimizers: `tensorgrad.optim.SGD is tensorgrad.nn.optim.SGD`."""

from ..nn.optim import SGD, Adam, AdamW, Optimizer, RMSprop
from . import lr_scheduler

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
