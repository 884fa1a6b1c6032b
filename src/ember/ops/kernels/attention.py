"""numpy kernels for attention: scaled dot-product attention and the fused transformer ops.

`scaled_dot_product_attention` runs every head at once with batched float32 matmuls (no loop
over heads or tokens). `_native_multi_head_attention` and `_transformer_encoder_layer_fwd` are
the fast paths torch's `nn.MultiheadAttention` and `nn.TransformerEncoderLayer` take in eval
mode without gradients; torch's archives of those modules call them, so they are here with
torch's semantics: their masks are boolean (a float mask counts as True where non-zero, True
masks out), and a row with every key masked gives zeros.

Example:
    >>> import numpy as np
    >>> q = np.ones((1, 2, 4), np.float32)
    >>> v = np.arange(8, dtype=np.float32).reshape(1, 2, 4)
    >>> scaled_dot_product_attention(q, q, v, is_causal=True)[0]
    array([[0., 1., 2., 3.],
           [2., 3., 4., 5.]], dtype=float32)
"""

from __future__ import annotations

import math

import numpy as np

from ember.errors import EmberError
from ember.ops.kernels import nn_norm
from ember.ops.kernels.linalg import linear
from ember.ops.kernels.unary import gelu
from ember.ops.table import register

__all__ = [
    "scaled_dot_product_attention",
    "native_multi_head_attention",
    "transformer_encoder_layer_fwd",
    "safe_softmax",
]


def safe_softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last dim, in place; rows whose every score is -inf give zeros."""
    peak = scores.max(axis=-1, keepdims=True)
    dead = np.isneginf(peak)
    if dead.any():
        peak = np.where(dead, 0, peak)
    np.subtract(scores, peak, out=scores)
    np.exp(scores, out=scores)
    total = scores.sum(axis=-1, keepdims=True)
    if dead.any():
        total = np.where(dead, 1, total)
    np.divide(scores, total, out=scores)
    return scores


def _causal(n_query: int, n_key: int) -> np.ndarray:
    return np.tril(np.ones((n_query, n_key), dtype=bool))


def _repeat_heads(key, value, query_heads: int):
    """Grouped-query attention: each key/value head serves query_heads // its heads queries."""
    kv_heads = key.shape[-3]
    if query_heads % kv_heads:
        raise RuntimeError(
            "Number of heads in key and value must divide the number of heads in query"
        )
    repeats = query_heads // kv_heads
    return np.repeat(key, repeats, axis=-3), np.repeat(value, repeats, axis=-3)


def _dropout(weights: np.ndarray, p: float) -> np.ndarray:
    return nn_norm.dropout(weights, p, True, nn_norm._generator())


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
    enable_gqa=False,
):  # fmt: skip
    """softmax(q @ k.T * scale + mask) @ v over the last two dims; a bool mask keeps True."""
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")  # fmt: skip
    if enable_gqa and query.ndim >= 3:
        key, value = _repeat_heads(key, value, query.shape[-3])
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    # numpy's stacked matmul leaves BLAS on strided heads (views of a packed projection)
    query, key, value = map(np.ascontiguousarray, (query, key, value))
    if is_causal:
        attn_mask = _causal(query.shape[-2], key.shape[-2])
    weights = _attention_weights(query, key, scale, attn_mask)
    if dropout_p > 0:
        weights = _dropout(weights, dropout_p)
    return np.matmul(weights, value)


def _attention_weights(query, key, scale: float, mask) -> np.ndarray:
    """softmax(q @ k.T * scale + mask): a bool mask keeps True, a float one is added."""
    scores = np.matmul(query, np.swapaxes(key, -1, -2))
    scores *= np.asarray(scale, scores.dtype)
    if mask is not None:
        if mask.dtype == np.bool_:
            scores = np.where(mask, scores, np.asarray(-np.inf, scores.dtype))
        else:
            scores = scores + mask.astype(scores.dtype, copy=False)
    return safe_softmax(scores)


def _heads(x: np.ndarray, num_heads: int) -> np.ndarray:
    """(B, T, D) -> (B, H, T, D/H)."""
    b, t, d = x.shape
    return np.ascontiguousarray(x.reshape(b, t, num_heads, d // num_heads).transpose(0, 2, 1, 3))


def _mask_for_heads(mask: np.ndarray, mask_type, batch: int) -> np.ndarray:
    """A native-path mask as booleans (True masks out), broadcastable to (B, H, L, S)."""
    mask = mask != 0 if mask.dtype != np.bool_ else mask
    if mask_type == 1 or (mask_type is None and mask.ndim == 2 and mask.shape[0] == batch):
        return mask.reshape(mask.shape[0], 1, 1, mask.shape[-1])
    return mask


def native_multi_head_attention(
    query, key, value, embed_dim, num_head, qkv_weight, qkv_bias, proj_weight, proj_bias,
    mask=None, need_weights=True, average_attn_weights=True, mask_type=None,
):  # fmt: skip
    """aten::_native_multi_head_attention: batch-first multi-head attention with one packed
    input projection; returns (output, weights), weights empty unless need_weights."""
    w_q, w_k, w_v = np.split(qkv_weight, 3)
    b_q, b_k, b_v = np.split(qkv_bias, 3)
    if query is key and key is value:
        q, k, v = np.split(linear(query, qkv_weight, qkv_bias), 3, axis=-1)
    else:
        q, k, v = linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)
    q, k, v = _heads(q, num_head), _heads(k, num_head), _heads(v, num_head)
    keep = None if mask is None else ~_mask_for_heads(mask, mask_type, query.shape[0])
    weights = _attention_weights(q, k, 1.0 / math.sqrt(embed_dim // num_head), keep)
    out = np.matmul(weights, v).transpose(0, 2, 1, 3)
    out = linear(out.reshape(out.shape[0], out.shape[1], embed_dim), proj_weight, proj_bias)
    if not need_weights:
        return out, np.empty((0,), out.dtype)
    return out, weights.mean(axis=1) if average_attn_weights else weights


def transformer_encoder_layer_fwd(
    src, embed_dim, num_heads, qkv_weight, qkv_bias, proj_weight, proj_bias, use_gelu,
    norm_first, eps, norm_weight_1, norm_bias_1, norm_weight_2, norm_bias_2, ffn_weight_1,
    ffn_bias_1, ffn_weight_2, ffn_bias_2, mask=None, mask_type=None,
):  # fmt: skip
    """aten::_transformer_encoder_layer_fwd: one batch-first encoder layer (self-attention,
    then a two-layer feed-forward block, each with a residual and a LayerNorm)."""

    def norm(x, w, b):
        return nn_norm.layer_norm(x, [embed_dim], w, b, eps)

    def attend(x):
        mha = native_multi_head_attention
        return mha(x, x, x, embed_dim, num_heads, qkv_weight, qkv_bias, proj_weight, proj_bias,
                   mask, False, True, mask_type)[0]  # fmt: skip

    def feed_forward(x):
        hidden = linear(x, ffn_weight_1, ffn_bias_1)
        hidden = gelu(hidden) if use_gelu else np.maximum(0, hidden)
        return linear(hidden, ffn_weight_2, ffn_bias_2)

    x = src
    if norm_first:
        x = x + attend(norm(x, norm_weight_1, norm_bias_1))
        return x + feed_forward(norm(x, norm_weight_2, norm_bias_2))
    x = norm(x + attend(x), norm_weight_1, norm_bias_1)
    return norm(x + feed_forward(x), norm_weight_2, norm_bias_2)


def nested_tensor_from_mask_left_aligned(t, mask) -> bool:
    """aten::_nested_tensor_from_mask_left_aligned: whether every row of `mask` (True: a
    token) holds its tokens first, then only padding."""
    tokens = (mask != 0).astype(np.int8)
    return bool((np.diff(tokens, axis=-1) <= 0).all())


def nested_tensor_from_mask(*_args):
    """aten::_nested_tensor_from_mask, aten::to_padded_tensor: refused (no nested tensors)."""
    raise EmberError(
        "ember has no nested tensors (aten::_nested_tensor_from_mask): this encoder was saved "
        "with enable_nested_tensor=True and is called with a padding mask; build it with "
        "enable_nested_tensor=False to run it in ember"
    )


# -- registration in the op table (PyTorch's schemas, verbatim) -----------------------------

register(
    "scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, "
    "Tensor? attn_mask=None, float dropout_p=0., bool is_causal=False, *, float? scale=None, "
    "bool enable_gqa=False) -> Tensor",
    scaled_dot_product_attention,
    traits=("nondeterministic",),
    doc="softmax(q @ k.T * scale + mask) @ v, with dropout_p on the weights",
    faces="F",
)
register(
    "_native_multi_head_attention(Tensor query, Tensor key, Tensor value, int embed_dim, "
    "int num_head, Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias, "
    "Tensor? mask=None, bool need_weights=True, bool average_attn_weights=True, "
    "int? mask_type=None) -> (Tensor, Tensor)",
    native_multi_head_attention,
    doc="batch-first multi-head attention (the fast path of nn.MultiheadAttention)",
)
register(
    "_transformer_encoder_layer_fwd(Tensor src, int embed_dim, int num_heads, "
    "Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias, bool use_gelu, "
    "bool norm_first, float eps, Tensor norm_weight_1, Tensor norm_bias_1, "
    "Tensor norm_weight_2, Tensor norm_bias_2, Tensor ffn_weight_1, Tensor ffn_bias_1, "
    "Tensor ffn_weight_2, Tensor ffn_bias_2, Tensor? mask=None, int? mask_type=None) -> Tensor",
    transformer_encoder_layer_fwd,
    doc="one batch-first transformer encoder layer (the fast path of TransformerEncoderLayer)",
)
register(
    "_nested_tensor_from_mask_left_aligned(Tensor t, Tensor mask) -> bool",
    nested_tensor_from_mask_left_aligned,
    doc="whether each row of mask has its True entries first",
)
register(
    "_nested_tensor_from_mask(Tensor t, Tensor mask, bool mask_check=True) -> Tensor",
    nested_tensor_from_mask,
    doc="a nested tensor from a padded one (refused: ember has no nested tensors)",
)
register(
    "to_padded_tensor(Tensor self, float padding, SymInt[]? output_size=None) -> Tensor",
    nested_tensor_from_mask,
    doc="a padded tensor from a nested one (refused: ember has no nested tensors)",
)
