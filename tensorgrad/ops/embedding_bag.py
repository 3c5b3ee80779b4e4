"""embedding_bag: the sum, mean or max of the embedding rows of each bag of indices.

Composed from differentiable ops, so weight and per_sample_weights get their gradients from them:
the rows of all bagged entries are looked up at once (the embedding op, which also carries
scale_grad_by_freq), then summed per bag with index_add over the bag ids, or for 'max' laid out
as (bags, longest bag, dim) with -inf in the unused slots and reduced with max along dim 1 (whose
gradient goes to the first maximal entry, as PyTorch's max_indices do). Entries equal to
padding_idx are left out of their bag; an empty bag gives zeros in every mode.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _wrap

_MODES = ("sum", "mean", "max")


def _bag_ids(
    n: int, offsets: np.ndarray | None, per_bag: int, include_last_offset: bool, op: str
) -> tuple[np.ndarray, int]:
    """(the bag of each of the n entries, -1 for entries in no bag; the number of bags)."""
    if offsets is None:  # 2-D input: fixed-length rows
        bags = n // per_bag if per_bag else 0
        return np.repeat(np.arange(bags, dtype=np.int64), per_bag), bags
    starts = offsets.astype(np.int64)
    if include_last_offset:
        if starts.size < 1:
            raise ValueError(f"{op}: include_last_offset=True needs at least one offset, got none")
        bags, ends = starts.size - 1, starts[1:]
    else:
        bags, ends = starts.size, np.append(starts[1:], n)
    if starts.size:
        if starts[0] != 0:
            raise RuntimeError(
                f"{op}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                f"start from position 0. However, got {int(starts[0])}"
            )
        if starts[-1] > n:
            raise RuntimeError(
                f"{op}: offsets[-1] can not be greater than input's length {n}, but got {int(starts[-1])}"
            )
        if (np.diff(starts) < 0).any():
            raise RuntimeError(f"{op}: offsets must be non-decreasing, got {starts.tolist()}")
    ids = np.full(n, -1, dtype=np.int64)
    if bags:  # the bags tile [0, ends[-1]): offsets start at 0 and do not decrease
        ids[: ends[-1]] = np.repeat(np.arange(bags, dtype=np.int64), ends - starts[:bags])
    return ids, bags


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """The sum, mean or max of the rows of `weight` picked by each bag of indices: (bags, dim).

    A 2-D input (B, N) is B bags of N indices (offsets must be None); a 1-D input is cut into
    bags at `offsets` (bag i starts at offsets[i]; with include_last_offset the last offset ends
    the last bag). per_sample_weights (input's shape, mode='sum' only) scales each row.
    """
    op = "embedding_bag"
    if not isinstance(input, Tensor) or input._data.dtype.kind not in "iu":
        kind = input._data.dtype if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(f"{op}: expected an integer Tensor of indices as input, got {kind}")
    if not isinstance(weight, Tensor) or weight._data.ndim != 2 or weight._data.dtype.kind != "f":
        shape = list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"{op}: weight has to be a 2-D floating point Tensor, but got {shape}")
    if per_sample_weights is not None and per_sample_weights.shape != input.shape:
        raise ValueError(
            f"{op}: If per_sample_weights ({list(per_sample_weights.shape)}) is not None, then it "
            f"must have the same shape as the input ({list(input.shape)})"
        )
    idx = np.ascontiguousarray(input._data).reshape(-1).astype(np.int64)
    if input._data.ndim == 2:
        if offsets is not None:
            raise ValueError(
                f"{op}: if input is 2D, then offsets has to be None, as input is treated is a "
                f"mini-batch of fixed length sequences. However, found offsets of type {type(offsets)}"
            )
        offs = None
    elif input._data.ndim == 1:
        if offsets is None:
            raise ValueError(f"{op}: offsets has to be a 1D Tensor but got None")
        if not isinstance(offsets, Tensor) or offsets._data.ndim != 1 or offsets._data.dtype.kind not in "iu":
            raise ValueError(f"{op}: offsets has to be a 1D integer Tensor")
        offs = offsets._data
    else:
        raise ValueError(f"{op}: input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if mode not in _MODES:
        raise ValueError(f"{op}: mode has to be one of sum, mean or max, got {mode!r}")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError(f"{op}: max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise NotImplementedError(f"{op}: sparse gradients are not supported; use sparse=False")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            f"{op}: per_sample_weights was not None. per_sample_weights is only supported for "
            f"mode='sum' (got mode='{mode}')."
        )
    rows, dim = weight._data.shape
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        bad = idx[(idx < 0) | (idx >= rows)][0]
        raise IndexError(f"{op}: index {int(bad)} is out of range for a weight with {rows} rows")
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(
                f"{op}: padding_idx must be within the number of embeddings, -{rows} through "
                f"{rows - 1}, but got {padding_idx}"
            )
        padding_idx %= rows
    if max_norm is not None:
        _renorm_rows(weight, idx, float(max_norm), float(norm_type))

    ids, bags = _bag_ids(idx.size, offs, input._data.shape[-1], include_last_offset, op)
    kept = ids >= 0
    if padding_idx is not None:
        kept &= idx != padding_idx
    where_kept = np.flatnonzero(kept)
    bag_of = ids[where_kept]
    # frequencies count every index of the input, as PyTorch's counts do
    factor = _row_factor(idx, rows, None, scale_grad_by_freq, weight._data.dtype)
    picked = EmbeddingLookup.apply(
        weight, idx[where_kept], (where_kept.size,), -1, None if factor is None else factor[where_kept]
    )
    if mode == "max":
        return _bag_max(picked, bag_of, bags, dim)
    if per_sample_weights is not None:
        scale = index_select(reshape(per_sample_weights, (-1,)), 0, _wrap(where_kept))
        picked = mul(picked, unsqueeze(scale, 1))
    zeros = _wrap(np.zeros((bags, dim), dtype=weight._data.dtype))
    out = index_add(zeros, 0, _wrap(bag_of), picked)
    if mode == "mean":
        counts = np.bincount(bag_of, minlength=bags).astype(weight._data.dtype)
        out = div(out, _wrap(np.maximum(counts, 1)[:, None]))
    return out


def _bag_max(picked: Tensor, bag_of: np.ndarray, bags: int, dim: int) -> Tensor:
    """The per-bag maximum of picked's rows (0 for an empty bag), as a (bags, longest, dim) max."""
    counts = np.bincount(bag_of, minlength=bags)
    longest = int(counts.max(initial=1))
    starts = np.cumsum(counts) - counts
    slot = np.arange(bag_of.size) - starts[bag_of]  # entries are grouped by bag, in order
    layout = np.full((bags, longest), bag_of.size, dtype=np.int64)  # the last row: -inf
    layout[bag_of, slot] = np.arange(bag_of.size)
    filler = _wrap(np.full((1, dim), -np.inf, dtype=picked._data.dtype))
    padded = reshape(
        index_select(cat([picked, filler], 0), 0, _wrap(layout.reshape(-1))), (bags, longest, dim)
    )
    values = max(padded, 1)[0]
    return where(_wrap((counts > 0)[:, None]), values, 0.0)


from .elementwise import div, mul, where  # noqa: E402
from .embedding import EmbeddingLookup, _renorm_rows, _row_factor  # noqa: E402
from .index import index_select  # noqa: E402
from .more_index import index_add  # noqa: E402
from .reduce import max  # noqa: E402
from .shape import cat, reshape, unsqueeze  # noqa: E402
