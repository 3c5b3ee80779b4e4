"""Embedding lookup: rows of a weight matrix picked by integer indices.

The forward is numpy's `take`; the backward is a scatter-add of the gradient rows into the
weight's shape (kernels/embedding.pyx; repeated indices accumulate). The scatter is an op of its
own whose backward is the lookup again, so embeddings stay twice differentiable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._kernels import embedding as _k
from ..autograd.function import Function
from ..tensor import Tensor, _wrap


class EmbeddingLookup(Function):
    @staticmethod
    def forward(
        ctx: Any, weight: Tensor, indices: np.ndarray, out_shape: tuple, padding_idx: int, row_factor: Any
    ) -> Tensor:
        w = weight._data
        ctx.state = (indices, w.shape[0], padding_idx, row_factor)
        return _wrap(np.take(w, indices, axis=0).reshape(out_shape + w.shape[1:]))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        indices, rows, padding_idx, row_factor = ctx.state
        return EmbeddingScatter.apply(g, indices, rows, padding_idx, row_factor), None, None, None, None


class EmbeddingScatter(Function):
    """Zeros of (rows, D) with each gradient row g[i] added at indices[i].

    Rows whose index is padding_idx are skipped; row_factor (scale_grad_by_freq) scales each row.
    """

    @staticmethod
    def forward(
        ctx: Any, g: Tensor, indices: np.ndarray, rows: int, padding_idx: int, row_factor: Any
    ) -> Tensor:
        ga = g._data
        ctx.state = (indices, ga.shape, padding_idx, row_factor)
        dim = ga.shape[-1]
        g2 = np.ascontiguousarray(ga).reshape(-1, dim)
        if row_factor is not None:
            g2 = g2 * row_factor[:, None]
        out = np.zeros((rows, dim), dtype=ga.dtype)
        _k.embedding_backward(g2, indices, padding_idx, out)
        return _wrap(out)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple:
        indices, g_shape, padding_idx, row_factor = ctx.state
        # the plain lookup times each row's factor: the lookup's own backward then applies it once
        picked = EmbeddingLookup.apply(gg, indices, g_shape[:-1], -1, None)
        factor = row_factor
        if factor is None and padding_idx >= 0:
            factor = (indices != padding_idx).astype(gg._data.dtype)
        if factor is not None:
            picked = mul(picked, _wrap(factor.reshape(g_shape[:-1] + (1,)).astype(gg._data.dtype)))
        return picked, None, None, None, None


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """weight[input]: one row of `weight` per index; the row at padding_idx gets no gradient."""
    op = "embedding"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected an int64 Tensor of indices, got {type(input).__name__}")
    if input._data.dtype != np.int64:
        raise RuntimeError(f"{op}: expected an int64 Tensor of indices, got dtype {input._data.dtype}")
    if not isinstance(weight, Tensor) or weight._data.ndim != 2 or weight._data.dtype.kind != "f":
        raise TypeError(f"{op}: weight must be a 2-D floating point Tensor")
    if sparse:
        raise NotImplementedError(f"{op}: sparse gradients are not supported; use sparse=False")
    rows = weight._data.shape[0]
    idx = np.ascontiguousarray(input._data).reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        bad = idx[(idx < 0) | (idx >= rows)][0]
        raise IndexError(f"{op}: index {int(bad)} is out of range for a weight with {rows} rows")
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise ValueError(f"{op}: padding_idx must be within the {rows} rows, got {padding_idx}")
        padding_idx = padding_idx % rows
    if max_norm is not None:
        _renorm_rows(weight, idx, float(max_norm), float(norm_type))
    row_factor = _row_factor(idx, rows, padding_idx, scale_grad_by_freq, weight._data.dtype)
    return EmbeddingLookup.apply(
        weight, idx, input._data.shape, -1 if padding_idx is None else padding_idx, row_factor
    )


def _row_factor(idx: np.ndarray, rows: int, padding_idx: int | None, by_freq: bool, dtype: np.dtype) -> Any:
    """With scale_grad_by_freq, each looked-up row's gradient factor: 1/count (0 at padding_idx)."""
    if not by_freq:
        return None
    factor = (1.0 / np.bincount(idx, minlength=rows)[idx]).astype(dtype)
    if padding_idx is not None:
        factor[idx == padding_idx] = 0
    return factor


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and outside the graph, the looked-up rows whose norm exceeds max_norm."""
    w = weight._data
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        w[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(w.dtype)
        weight._vc[0] += 1


from .elementwise import mul  # noqa: E402
