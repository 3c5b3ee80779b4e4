"""PyTorch's path `torch.utils.data`: the same objects as `tensorgrad.data`, re-exported so that
`from tensorgrad.utils.data import DataLoader` works (submodules such as
`torch.utils.data.sampler` are reached as `tensorgrad.data.sampler`)."""

from ..data import *  # noqa: F403
from ..data import __all__  # noqa: F401
