"""`tensorgrad.backends`: PyTorch's backend switches. tensorgrad runs on the CPU only, so the
CUDA/cuDNN/MPS settings can be set (scripts set them at start) but change nothing."""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
