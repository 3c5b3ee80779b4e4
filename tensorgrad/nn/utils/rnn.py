"""Padded and packed batches of variable-length sequences (PyTorch's `torch.nn.utils.rnn`).

A `PackedSequence` stores the sequences of a batch sorted by length, longest first, time step by
time step: `data` holds, for t = 0, 1, ..., the rows of the `batch_sizes[t]` sequences that are
longer than t. `sorted_indices[j]` is the batch index of the j-th longest sequence and
`unsorted_indices` its inverse (both None when the batch was already sorted). Packing and
unpacking are single index gathers, so gradients flow through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ...ops.creation import full, tensor
from ...ops.shape import cat, stack, transpose
from ...tensor import Tensor


class PackedSequence(NamedTuple):
    """data (sum of lengths, *), batch_sizes (int64, one entry per time step), and the
    permutation between the batch order and the sorted order (or None)."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _lengths_array(lengths: Any) -> np.ndarray:
    arr = lengths._data if isinstance(lengths, Tensor) else np.asarray(lengths)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise RuntimeError(
            f"pack_padded_sequence: lengths must be a 1-D sequence of ints, got {arr.dtype} of shape "
            f"{list(arr.shape)}"
        )
    return arr.astype(np.int64)


def _offsets(batch_sizes: np.ndarray) -> np.ndarray:
    """Row of `data` where each time step starts."""
    return np.concatenate([[0], np.cumsum(batch_sizes)[:-1]]).astype(np.int64)


def _pack_rows(padded: Tensor, batch_sizes: np.ndarray, order: np.ndarray) -> Tensor:
    """Packed data from a time-major padded (T, B, *) tensor whose sorted position j is batch
    column order[j]."""
    t_idx = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    j_idx = np.concatenate([np.arange(b) for b in batch_sizes])
    return padded[tensor(t_idx), tensor(order[j_idx])]


def _padded_rows(
    data: Tensor, batch_sizes: np.ndarray, position: np.ndarray, total: int, padding_value: float
) -> Tensor:
    """A time-major padded (total, B, *) tensor from packed data: column b holds the sequence at
    sorted position position[b], then padding_value."""
    pad_row = full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    rows = cat([data, pad_row], 0)
    steps = np.arange(total)[:, None]
    bs = np.zeros(total, np.int64)
    bs[: len(batch_sizes)] = batch_sizes
    offsets = np.zeros(total, np.int64)
    offsets[: len(batch_sizes)] = _offsets(batch_sizes)
    valid = position[None, :] < bs[steps]
    idx = np.where(valid, offsets[steps] + position[None, :], data.shape[0])
    return rows[tensor(idx)]


def pad_sequence(
    sequences: Sequence[Tensor] | Tensor,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of shape (L_i, *) into (T, B, *), or (B, T, *) with batch_first, with
    T = max L_i, filling each one up to T with padding_value on `padding_side`."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    trailing = sequences[0].shape[1:]
    for s in sequences:
        if not isinstance(s, Tensor) or s.ndim == 0 or s.shape[1:] != trailing:
            raise RuntimeError(
                "pad_sequence: every sequence must be a Tensor of shape (L, *) with the same trailing "
                f"dims, got shapes {[list(getattr(s, 'shape', ())) for s in sequences]}"
            )
    total = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = total - s.shape[0]
        if missing:
            fill = full((missing, *trailing), padding_value, dtype=s.dtype)
            s = cat([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def pack_padded_sequence(
    input: Tensor, lengths: Tensor | Sequence[int], batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch (T, B, *), or (B, T, *) with batch_first, of sequences with the given
    lengths. With enforce_sorted the lengths must be decreasing; otherwise the batch is sorted
    here and the permutation kept in the result."""
    lens = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise RuntimeError(
            "pack_padded_sequence: input must be a Tensor of at least 2 dims, got "
            f"{getattr(input, 'shape', input)}"
        )
    batch, steps = input.shape[batch_dim], input.shape[1 - batch_dim]
    if len(lens) != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} (batch_size={batch})"
        )
    if batch == 0 or lens.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0"
        )
    if lens.max() > steps:
        raise RuntimeError(
            f"pack_padded_sequence: lengths {lens.tolist()} exceed the padded length {steps} of input "
            f"of shape {list(input.shape)}"
        )
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
                "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
                "requirement if you do not need ONNX exportability."
            )
        order = np.arange(batch)
        sorted_indices = unsorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = tensor(order)
        unsorted_indices = tensor(np.argsort(order))
    batch_sizes = (lens[order][None, :] > np.arange(lens.max())[:, None]).sum(1)
    x = transpose(input, 0, 1) if batch_first else input
    data = _pack_rows(x, batch_sizes, order)
    return PackedSequence(data, tensor(batch_sizes), sorted_indices, unsorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded (T, B, *) or (B, T, *) in the original batch
    order, int64 lengths). T is total_length if given (at least the longest length), else the
    longest length."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}")
    bs = sequence.batch_sizes._data.astype(np.int64)
    steps = len(bs)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {steps}"
            )
        steps = total_length
    batch = int(bs[0])
    unsorted = sequence.unsorted_indices
    position = np.arange(batch) if unsorted is None else unsorted._data.astype(np.int64)
    padded = _padded_rows(sequence.data, bs, position, steps, padding_value)
    sorted_lengths = (bs[None, :] > np.arange(batch)[:, None]).sum(1)
    lengths = tensor(sorted_lengths[position])
    return (transpose(padded, 0, 1) if batch_first else padded), lengths


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shape (L_i, *) (decreasing L_i unless enforce_sorted=False)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Tensor | Sequence[int], batch_first: bool = False
) -> list[Tensor]:
    """The inverse of pad_sequence: the list of sequences, each cut to its length."""
    x = padded_sequences if batch_first else transpose(padded_sequences, 0, 1)
    return [x[b, :length] for b, length in enumerate(_lengths_array(lengths).tolist())]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of pack_sequence: the list of sequences in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
