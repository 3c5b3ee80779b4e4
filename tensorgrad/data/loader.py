"""`DataLoader`: batches of a map-style dataset, optionally shuffled by tensorgrad's generator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..ops.creation import generator as _global_generator
from ..ops.creation import tensor
from ..ops.shape import stack
from ..tensor import Tensor, _wrap
from .dataset import TensorDataset


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` (PyTorch's `torch.utils.data.DataLoader`).

    With `shuffle=True` each pass draws a new order from tensorgrad's generator (or from
    `generator`, a numpy Generator), so runs repeat after `tensorgrad.manual_seed`. `drop_last`
    drops a final incomplete batch. Samples are merged by `collate_fn` (default:
    `default_collate`, which stacks tensors). A `TensorDataset` is batched by indexing each of
    its tensors once per batch. `num_workers` and `pin_memory` are accepted for compatibility;
    loading always happens in the calling process.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        *,
        drop_last: bool = False,
        collate_fn: Callable[[list], Any] | None = None,
        generator: np.random.Generator | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
    ) -> None:
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"DataLoader: batch_size should be a positive integer value, but got {batch_size!r}"
            )
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers should be a non-negative integer, got {num_workers!r}")
        try:
            len(dataset)
        except TypeError:
            raise TypeError(
                f"DataLoader: the dataset ({type(dataset).__name__}) must define __len__ and __getitem__"
            ) from None
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = None
        if self.shuffle:  # drawn now, as PyTorch does when the iterator is created
            rng = self.generator if self.generator is not None else _global_generator()
            order = rng.permutation(n)
        return self._batches(n, order)

    def _batches(self, n: int, order: np.ndarray | None) -> Iterator[Any]:
        bs = self.batch_size
        stop = n - n % bs if self.drop_last else n
        arrays = self._fast_path_arrays()
        for start in range(0, stop, bs):
            end = min(start + bs, n)
            idx = np.arange(start, end) if order is None else order[start:end]
            if arrays is not None:
                batch = []
                for a in arrays:
                    batch.append(_wrap(a[idx]))
                yield batch
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])

    def _fast_path_arrays(self) -> list[np.ndarray] | None:
        """The arrays of a TensorDataset batched by default_collate, unless a tensor needs grad."""
        ds = self.dataset
        if not isinstance(ds, TensorDataset) or self.collate_fn is not default_collate:
            return None
        arrays = []
        for t in ds.tensors:
            if t.requires_grad:
                return None
            arrays.append(t._data)
        return arrays


def default_collate(batch: list) -> Any:
    """Merge a list of samples into a batch as PyTorch does: tensors and numpy arrays are stacked
    along a new first dimension, ints become an int64 tensor, floats a float64 tensor, bools a
    bool tensor, strings a list; tuples/lists and dicts are collated element by element."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        for t in batch:
            if t.requires_grad:
                return stack(batch)
        return _wrap(_stack([t._data for t in batch]))
    if isinstance(elem, np.ndarray):
        return tensor(_stack(batch))
    if isinstance(elem, (bool, np.bool_)):
        return tensor(batch, dtype=np.bool_)
    if isinstance(elem, (int, np.integer)):
        return tensor(batch, dtype=np.int64)
    if isinstance(elem, (float, np.floating)):
        return tensor(batch, dtype=np.float64)
    if isinstance(elem, str):
        return list(batch)
    if isinstance(elem, dict):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, (tuple, list)):
        size = len(elem)
        for sample in batch:
            if len(sample) != size:
                raise RuntimeError("default_collate: each element in list of batch should be of equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, strings, dicts or lists; "
        f"found {type(elem).__name__}"
    )


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    try:
        return np.stack(arrays)
    except ValueError:
        shapes = sorted({a.shape for a in arrays})
        raise RuntimeError(
            f"default_collate: stack expects each sample to be equal size, got shapes {shapes}"
        ) from None
