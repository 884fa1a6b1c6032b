"""Multi-head attention as ember.nn.functional has it (re-exported there), in the scripting subset.

`multi_head_attention_forward` is torch's general path, step for step: packed or separate input
projections, bias_k/bias_v, add_zero_attn, boolean or additive masks, then batched matmuls over
every head at once (``bmm``/``softmax`` when the weights are wanted, scaled dot-product
attention otherwise). torch's eval-mode fast path (``_native_multi_head_attention``) computes
the same numbers, so ember always takes this one; the fast path's op is in the op table for
torch's archives, which call it.

Example:
    >>> import ember
    >>> from ember.nn import functional as F
    >>> q = ember.ones(1, 2, 3, 4)
    >>> F.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    ember.Size([1, 2, 3, 4])
"""

# ruff: noqa: UP006, UP007, UP035, UP045 - typing.Optional/List: the scripting subset's spelling

import math
from typing import Optional, Tuple

from ember import dtypes
from ember.tensor import functions as E  # noqa: N812 - short for the ember.* functions
from ember.tensor.dispatch import call as _call
from ember.tensor.tensor import Tensor

__all__ = ["multi_head_attention_forward"]


def _op(name: str):
    def mark(fn):
        fn.__ember_op__ = name
        return fn

    return mark


@_op("aten::dropout")
def _aten_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _call("aten::dropout", input, p, train)


@_op("aten::is_floating_point")
def _aten_is_floating_point(self: Tensor) -> bool:
    return _call("aten::is_floating_point", self)


@_op("aten::scaled_dot_product_attention")
def _aten_sdpa(
    query: Tensor, key: Tensor, value: Tensor, attn_mask: Optional[Tensor], dropout_p: float,
    is_causal: bool,
) -> Tensor:  # fmt: skip
    return _call("aten::scaled_dot_product_attention", query, key, value, attn_mask, dropout_p,
                 is_causal)  # fmt: skip


def _canonical_mask(mask: Optional[Tensor], name: str, target: Tensor) -> Optional[Tensor]:
    """A boolean mask (True: masked out) as an additive float mask of target's dtype."""
    if mask is None:
        return None
    if mask.dtype == dtypes.bool_:
        return E.zeros_like(mask, dtype=target.dtype).masked_fill_(mask, -math.inf)
    if not _aten_is_floating_point(mask):
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _with_zero_column(mask: Optional[Tensor]) -> Optional[Tensor]:
    """`mask` with one more key position that every query may attend (F.pad(mask, (0, 1)))."""
    if mask is None:
        return None
    size = [n for n in mask.size()]
    size[-1] = 1
    return E.cat([mask, E.zeros(size, dtype=mask.dtype)], -1)


def _in_projection(
    query: Tensor, key: Tensor, value: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor,
    b: Optional[Tensor], embed_dim: int,
) -> Tuple[Tensor, Tensor, Tensor]:  # fmt: skip
    b_q: Optional[Tensor] = None
    b_k: Optional[Tensor] = None
    b_v: Optional[Tensor] = None
    if b is not None:
        b_q, b_k, b_v = b.chunk(3)
    return E.linear(query, w_q, b_q), E.linear(key, w_k, b_k), E.linear(value, w_v, b_v)


def _in_projection_packed(
    query: Tensor, key: Tensor, value: Tensor, w: Tensor, b: Optional[Tensor], embed_dim: int
) -> Tuple[Tensor, Tensor, Tensor]:
    if key is value and query is key:
        q, k, v = E.linear(query, w, b).chunk(3, -1)
        return q.contiguous(), k.contiguous(), v.contiguous()
    w_q, w_k, w_v = w.chunk(3)
    return _in_projection(query, key, value, w_q, w_k, w_v, b, embed_dim)


def _attention_mask(
    attn_mask: Optional[Tensor], tgt_len: int, src_len: int, bsz: int, num_heads: int
) -> Optional[Tensor]:
    """A 2-D (L, S) or 3-D (B*H, L, S) mask, checked, as 3-D."""
    if attn_mask is None:
        return None
    if attn_mask.dim() == 2:
        if attn_mask.size(0) != tgt_len or attn_mask.size(1) != src_len:
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {attn_mask.size()}, but should be "
                f"{[tgt_len, src_len]}."
            )
        return attn_mask.unsqueeze(0)
    if attn_mask.dim() == 3:
        if attn_mask.size(0) != bsz * num_heads or attn_mask.size(2) != src_len:
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {attn_mask.size()}, but should be "
                f"{[bsz * num_heads, tgt_len, src_len]}."
            )
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def _attend(
    q: Tensor, k: Tensor, v: Tensor, attn_mask: Optional[Tensor], dropout_p: float,
    is_causal: bool, need_weights: bool, bsz: int, num_heads: int,
) -> Tuple[Tensor, Optional[Tensor]]:  # fmt: skip
    """Heads (B*H, T, Dh) attended; the output as (B*H, L, Dh) and the weights if wanted."""
    if need_weights:
        scores = E.bmm(q * math.sqrt(1.0 / float(q.size(-1))), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = E.softmax(scores, -1)
        if dropout_p > 0.0:
            weights = _aten_dropout(weights, dropout_p, True)
        return E.bmm(weights, v), weights
    mask4: Optional[Tensor] = None
    if attn_mask is not None:
        if attn_mask.size(0) == 1:
            mask4 = attn_mask.unsqueeze(0)
        else:
            mask4 = attn_mask.view(bsz, num_heads, -1, attn_mask.size(-1))
    tgt_len, head_dim = q.size(1), q.size(2)
    q4 = q.view(bsz, num_heads, tgt_len, head_dim)
    k4 = k.view(bsz, num_heads, k.size(1), head_dim)
    v4 = v.view(bsz, num_heads, v.size(1), head_dim)
    out = _aten_sdpa(q4, k4, v4, mask4, dropout_p, is_causal)
    return out.view(bsz * num_heads, tgt_len, head_dim), None


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Optional[Tensor],
    in_proj_bias: Optional[Tensor],
    bias_k: Optional[Tensor],
    bias_v: Optional[Tensor],
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Optional[Tensor],
    training: bool = True,
    key_padding_mask: Optional[Tensor] = None,
    need_weights: bool = True,
    attn_mask: Optional[Tensor] = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Optional[Tensor] = None,
    k_proj_weight: Optional[Tensor] = None,
    v_proj_weight: Optional[Tensor] = None,
    static_k: Optional[Tensor] = None,
    static_v: Optional[Tensor] = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> Tuple[Tensor, Optional[Tensor]]:
    """Multi-head attention over sequence-first (L, N, E) inputs (or unbatched (L, E)).

    Returns the attention output and, with `need_weights`, the attention weights (averaged
    over heads when `average_attn_weights`), else None.
    """
    is_batched = query.dim() == 3
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.size(0), query.size(1), query.size(2)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", query)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", query)
        if key_padding_mask is not None:
            is_causal = False
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if not use_separate_proj_weight:
        assert in_proj_weight is not None
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias, embed_dim)
    else:
        assert q_proj_weight is not None
        assert k_proj_weight is not None
        assert v_proj_weight is not None
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight,
                                 in_proj_bias, embed_dim)  # fmt: skip
    attn_mask = _attention_mask(attn_mask, tgt_len, key.size(0), bsz, num_heads)
    if bias_k is not None and bias_v is not None:
        k = E.cat([k, bias_k.repeat([1, bsz, 1])])
        v = E.cat([v, bias_v.repeat([1, bsz, 1])])
        attn_mask = _with_zero_column(attn_mask)
        key_padding_mask = _with_zero_column(key_padding_mask)
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.view(k.size(0), bsz * num_heads, head_dim).transpose(0, 1)
    else:
        k = static_k
    if static_v is None:
        v = v.view(v.size(0), bsz * num_heads, head_dim).transpose(0, 1)
    else:
        v = static_v
    if add_zero_attn:
        k = E.cat([k, E.zeros([bsz * num_heads, 1, head_dim], dtype=k.dtype)], 1)
        v = E.cat([v, E.zeros([bsz * num_heads, 1, head_dim], dtype=v.dtype)], 1)
        attn_mask = _with_zero_column(attn_mask)
        key_padding_mask = _with_zero_column(key_padding_mask)
    src_len = k.size(1)
    if key_padding_mask is not None:
        padding = key_padding_mask.view(bsz, 1, 1, src_len).expand([-1, num_heads, -1, -1])
        padding = padding.reshape(bsz * num_heads, 1, src_len)
        if attn_mask is None:
            attn_mask = padding
        else:
            attn_mask = attn_mask + padding
    if not training:
        dropout_p = 0.0
    out, weights = _attend(q, k, v, attn_mask, dropout_p, is_causal, need_weights, bsz,
                           num_heads)  # fmt: skip
    out = out.transpose(0, 1).contiguous().view(tgt_len * bsz, embed_dim)
    out = E.linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    if weights is not None:
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            weights = weights.squeeze(0)
    if not is_batched:
        out = out.squeeze(1)
    return out, weights
