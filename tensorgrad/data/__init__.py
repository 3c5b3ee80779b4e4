"""Datasets and batching (PyTorch's `torch.utils.data`), plus the bundled digits and an MNIST reader.

`dataset` is imported first: it loads tensorgrad.tensor before anything from tensorgrad.ops,
which is the order the core's modules need when `import tensorgrad` reaches this package early.
"""

from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .digits import load_digits
from .loader import DataLoader, default_collate, default_convert, get_worker_info
from .mnist import load_mnist, read_idx
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "load_digits",
    "load_mnist",
    "random_split",
    "read_idx",
]
