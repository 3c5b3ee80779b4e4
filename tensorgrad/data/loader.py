"""`DataLoader`: batches of a dataset in the order of a sampler; `default_collate`,
`default_convert` and `get_worker_info`.

Loading always happens in the calling process: `num_workers > 0` is accepted so PyTorch code runs,
but no worker processes are started (the samples, and their order, are the same as with
num_workers=0, and `get_worker_info()` returns None); `pin_memory` is ignored (there is no GPU).
"""

from __future__ import annotations

import collections.abc
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..ops.creation import tensor
from ..ops.shape import stack
from ..tensor import Tensor, _wrap
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


def get_worker_info() -> None:
    """Information about the current worker process: always None, as in the main process of a
    PyTorch DataLoader, since tensorgrad loads every batch in the calling process."""
    return None


class DataLoader:
    """Iterate over `dataset` in batches (PyTorch's `torch.utils.data.DataLoader`).

    A map-style dataset is visited in the order of `sampler` (default: `SequentialSampler`, or
    with `shuffle=True` a `RandomSampler` drawing from `generator`, a tensorgrad or numpy
    Generator, else from tensorgrad's generator, so runs repeat after `tensorgrad.manual_seed`);
    `BatchSampler` groups
    the indices into batch_size lists (`drop_last` drops a final incomplete one), or
    `batch_sampler` yields the lists itself. An `IterableDataset` is batched in the order it
    yields. Samples are merged by `collate_fn` (default: `default_collate`, which stacks
    tensors). With batch_size=None there is no batching: each sample goes through `collate_fn`
    (default: `default_convert`). A `TensorDataset` with the default collate is batched by
    indexing each of its tensors once per batch. `num_workers`, `pin_memory`, `timeout`,
    `worker_init_fn`, `prefetch_factor` and `persistent_workers` are checked as in PyTorch and
    otherwise have no effect: every batch is loaded in the calling process.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | collections.abc.Iterable | None = None,
        batch_sampler: Sampler | collections.abc.Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                "to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if batch_size is not None and (
            not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size <= 0
        ):
            raise ValueError(
                f"DataLoader: batch_size should be a positive integer value, but got {batch_size!r}"
            )
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            for option, value in (
                ("shuffle", shuffle),
                ("sampler", sampler),
                ("batch_sampler", batch_sampler),
            ):
                if value not in (None, False):
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {option} option, "
                        f"but got {option}={value}"
                    )
        elif shuffle not in (None, False) and sampler is not None:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                    "and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
            )
        if not iterable and sampler is None:
            try:
                len(dataset)
            except TypeError:
                raise TypeError(
                    f"DataLoader: the dataset ({type(dataset).__name__}) must define __len__ and __getitem__"
                ) from None
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, int(batch_size), bool(drop_last))
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = bool(drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_convert if batch_size is None and batch_sampler is None else default_collate
        self.collate_fn = collate_fn
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            return self._stream(iter(self.dataset))
        # iter() here, not at the first batch: a random sampler draws this pass's order now
        if self.batch_sampler is None:
            return self._samples(iter(self.sampler))
        return self._batches(iter(self.batch_sampler))

    def _samples(self, indices: Iterator[Any]) -> Iterator[Any]:
        for i in indices:
            yield self.collate_fn(self.dataset[i])

    def _batches(self, batches: Iterator[list]) -> Iterator[Any]:
        arrays = self._fast_path_arrays()
        for idx in batches:
            if arrays is not None:
                idx = np.asarray(idx, dtype=np.int64)
                batch = []
                for a in arrays:
                    batch.append(_wrap(a[idx]))
                yield batch
            else:
                yield self.collate_fn([self.dataset[i] for i in idx])

    def _stream(self, samples: Iterator[Any]) -> Iterator[Any]:
        if self.batch_size is None:
            for sample in samples:
                yield self.collate_fn(sample)
            return
        batch = []
        for sample in samples:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

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


_NOT_NUMERIC = re.compile(r"[SaUO]")  # numpy dtype codes of strings and objects


def default_convert(data: Any) -> Any:
    """Turn numpy arrays and numpy scalars (inside tuples, lists and dicts too) into tensors of the
    same dtype, leaving everything else as it is: the collate_fn of a DataLoader with
    batch_size=None."""
    if isinstance(data, (np.ndarray, np.generic)):
        if _NOT_NUMERIC.search(data.dtype.str) is not None:
            return data
        return tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _same_type(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, as in PyTorch
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _same_type(data, [default_convert(d) for d in data])
    return data


def _same_type(elem: Any, value: Any) -> Any:
    """`value` (a dict or a list) as the type of `elem` when that type can be built from it."""
    try:
        return type(elem)(value)
    except TypeError:
        return value


def default_collate(batch: list) -> Any:
    """Merge a list of samples into a batch as PyTorch does: tensors and numpy arrays are stacked
    along a new first dimension, numpy scalars become a tensor of their dtype, Python ints an
    int64 tensor, floats a float64 tensor, bools a bool tensor, strings and bytes stay a list;
    dicts (and other mappings) are collated key by key, namedtuples field by field, and other
    sequences position by position into a list (a tuple's batch is a list too)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        for t in batch:
            if t.requires_grad:
                return stack(batch)
        return _wrap(_stack([t._data for t in batch]))
    if isinstance(elem, (np.ndarray, np.generic)) and _NOT_NUMERIC.search(elem.dtype.str) is None:
        if isinstance(elem, np.generic):
            return tensor(np.array(batch))
        return tensor(_stack(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=np.float64)
    if isinstance(elem, int):  # bool too: a list of bools becomes a bool tensor
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return _same_type(elem, {key: default_collate([sample[key] for sample in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        for sample in batch:
            if len(sample) != size:
                raise RuntimeError("default_collate: each element in list of batch should be of equal size")
        collated = [default_collate(list(samples)) for samples in zip(*batch)]
        return collated if isinstance(elem, tuple) else _same_type(elem, collated)
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
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
