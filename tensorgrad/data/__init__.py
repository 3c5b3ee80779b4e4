"""Datasets and batching (PyTorch's `torch.utils.data`), plus the bundled digits and an MNIST reader.

`dataset` is imported first: it loads tensorgrad.tensor before anything from tensorgrad.ops,
which is the order the core's modules need when `import tensorgrad` reaches this package early.
"""

from .dataset import Dataset, TensorDataset
from .digits import load_digits
from .loader import DataLoader, default_collate
from .mnist import load_mnist, read_idx

__all__ = [
    "DataLoader",
    "Dataset",
    "TensorDataset",
    "default_collate",
    "load_digits",
    "load_mnist",
    "read_idx",
]
