"""`MultiheadAttention` with PyTorch's parameter names, so weights move between the two by name."""

from __future__ import annotations

from typing import Any

from ...ops.creation import empty, zeros
from ...ops.matmul import linear
from ...ops.reduce import mean
from ...ops.shape import cat, chunk, expand, permute, reshape, squeeze, transpose, unsqueeze
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear; the name only matches PyTorch's class for out_proj (and so its repr)."""


class MultiheadAttention(Module):
    """Attention over num_heads heads: softmax(Q K^T / sqrt(head_dim) + mask) V, projected back.

    Parameters as PyTorch names them: in_proj_weight (3E, E) and in_proj_bias (3E,) hold the
    query/key/value projections (q_proj_weight, k_proj_weight, v_proj_weight instead when
    kdim/vdim differ from embed_dim), out_proj is a Linear(E, E), and with add_bias_kv=True
    bias_k and bias_v (1, 1, E), one more key and value appended after the projections.
    add_zero_attn=True appends a key and value of zeros to every head. Inputs are (L, N, E), or
    (N, L, E) with batch_first=True, or unbatched (L, E).
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                "embed_dim and num_heads must be greater than 0, "
                f"got embed_dim={embed_dim} and num_heads={num_heads}"
            )
        if embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(empty(1, 1, embed_dim, dtype=dtype))
            self.bias_v = Parameter(empty(1, 1, embed_dim, dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The query/key/value projections (batch-first inputs)."""
        b = self.in_proj_bias
        bq = bk = bv = None
        if b is not None:
            bq, bk, bv = chunk(b, 3)
        if self._qkv_same_embed_dim:
            if query is key and key is value:  # self-attention: one gemm for all three
                return chunk(linear(query, self.in_proj_weight, b), 3, -1)
            wq, wk, wv = chunk(self.in_proj_weight, 3)
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)

    def _extra_keys(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor, int]:
        """k and v (N, heads, S, head_dim) with bias_k/bias_v and a zero key appended as PyTorch
        does (add_bias_kv, add_zero_attn), and how many keys that added."""
        added = 0
        n = k.shape[0]
        if self.bias_k is not None:
            k = cat([k, self._split_heads(expand(self.bias_k, (n, 1, self.embed_dim)))], 2)
            v = cat([v, self._split_heads(expand(self.bias_v, (n, 1, self.embed_dim)))], 2)
            added += 1
        if self.add_zero_attn:
            zero = zeros(n, self.num_heads, 1, self.head_dim, dtype=k.dtype)
            k = cat([k, zero], 2)
            v = cat([v, zero], 2)
            added += 1
        return k, v, added

    def _split_heads(self, x: Tensor) -> Tensor:
        """(N, L, E) -> (N, heads, L, head_dim)."""
        n, length = x.shape[0], x.shape[1]
        return permute(reshape(x, (n, length, self.num_heads, self.head_dim)), (0, 2, 1, 3))

    def _bias(
        self, attn_mask: Any, key_padding_mask: Any, is_causal: bool, n: int, lq: int, lk: int, dtype: Any
    ) -> Tensor | None:
        """The additive mask (N or 1, heads or 1, L, S) from attn_mask, key_padding_mask, is_causal."""
        if is_causal and attn_mask is None:
            bias = F.causal_bias(lq, lk, dtype)
        else:
            bias = F.attention_bias(attn_mask, dtype, False)
        if bias is not None and bias.shape != (lq, lk):
            if bias.shape != (n * self.num_heads, lq, lk):
                raise RuntimeError(
                    f"MultiheadAttention: attn_mask of shape {list(bias.shape)}; expected {[lq, lk]} "
                    f"or {[n * self.num_heads, lq, lk]}"
                )
            bias = reshape(bias, (n, self.num_heads, lq, lk))
        padding = F.attention_bias(key_padding_mask, dtype, False)
        if padding is not None:
            if padding.shape != (n, lk):
                raise RuntimeError(
                    f"MultiheadAttention: key_padding_mask of shape {list(padding.shape)}; expected {[n, lk]}"
                )
            padding = reshape(padding, (n, 1, 1, lk))
            bias = padding if bias is None else bias + padding
        return bias

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """(attention output, attention weights or None).

        Bool masks mark the positions that may NOT be attended (True = masked out); float masks
        are added to the scores. key_padding_mask is (N, S); attn_mask (L, S) or (N * heads, L, S).
        The weights are averaged over the heads unless average_attn_weights=False.
        """
        batched = query.ndim == 3
        if not batched:
            if query.ndim != 2:
                raise ValueError(f"MultiheadAttention: query should be 2-D or 3-D, got {query.ndim}-D")
            query, key, value = _unsqueeze_same(query, key, value, 0)
            if key_padding_mask is not None:
                key_padding_mask = unsqueeze(key_padding_mask, 0)
        elif not self.batch_first:
            query, key, value = _transpose_same(query, key, value)
        if query.shape[-1] != self.embed_dim:
            raise RuntimeError(
                f"MultiheadAttention: expected query with embed_dim {self.embed_dim}, "
                f"got shape {list(query.shape)}"
            )
        n, lq, lk = query.shape[0], query.shape[1], key.shape[1]
        q, k, v = self._project(query, key, value)
        bias = self._bias(attn_mask, key_padding_mask, is_causal, n, lq, lk, q.dtype)
        k, v, added = self._extra_keys(self._split_heads(k), self._split_heads(v))
        if added and bias is not None:
            bias = F.pad(bias, (0, added))  # the added keys are never masked
        dropout_p = self.dropout if self.training else 0.0
        out, weights = F.attention(self._split_heads(q), k, v, bias, dropout_p, None)
        out = self.out_proj(reshape(permute(out, (0, 2, 1, 3)), (n, lq, self.embed_dim)))
        if not batched:
            out = squeeze(out, 0)
        elif not self.batch_first:
            out = transpose(out, 0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = mean(weights, 1)
        return out, (squeeze(weights, 0) if not batched else weights)


def _transpose_same(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(L, N, E) -> (N, L, E) for all three, keeping `query is key is value` for self-attention."""
    q = transpose(query, 0, 1)
    k = q if key is query else transpose(key, 0, 1)
    v = k if value is key else transpose(value, 0, 1)
    return q, k, v


def _unsqueeze_same(query: Tensor, key: Tensor, value: Tensor, dim: int) -> tuple[Tensor, Tensor, Tensor]:
    q = unsqueeze(query, dim)
    k = q if key is query else unsqueeze(key, dim)
    v = k if value is key else unsqueeze(value, dim)
    return q, k, v
