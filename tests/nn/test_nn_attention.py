"""Attention against torch 2.13: F.scaled_dot_product_attention, F.multi_head_attention_forward,
nn.MultiheadAttention, nn.TransformerEncoderLayer/Encoder, eager, scripted and traced."""

import pytest
import torch
from sequence_helpers import assert_close, ember_args, ember_kwargs, twins

import ember
from ember import nn
from ember.nn import functional as F

# -- scaled dot-product attention -----------------------------------------------------------


def _qkv(l=5, s=6, heads=4, kv_heads=4, e=8):
    torch.manual_seed(1)
    return (torch.randn(2, heads, l, e), torch.randn(2, kv_heads, s, e),
            torch.randn(2, kv_heads, s, 3))  # fmt: skip


SDPA_CASES = {
    "plain": ({}, {}),
    "causal": ({}, {"is_causal": True}),
    "causal_rect": ({"l": 4, "s": 7}, {"is_causal": True}),
    "bool_mask": ({}, {"attn_mask": torch.rand(5, 6, generator=torch.manual_seed(2)) > 0.3}),
    "float_mask": ({}, {"attn_mask": torch.randn(2, 1, 5, 6)}),
    "row_fully_masked": ({}, {"attn_mask": torch.tensor([[True] * 6] * 4 + [[False] * 6])}),
    "scale": ({}, {"scale": 0.3}),
    "gqa": ({"heads": 4, "kv_heads": 2}, {"enable_gqa": True}),
    "dropout_zero": ({}, {"dropout_p": 0.0}),
}


@pytest.mark.parametrize("name", SDPA_CASES)
def test_sdpa_eager_equals_torch(name):
    shape, kwargs = SDPA_CASES[name]
    q, k, v = _qkv(**shape)
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, **kwargs)
    got = F.scaled_dot_product_attention(*ember_args((q, k, v)), **ember_kwargs(kwargs))
    assert_close(got, expected)


def test_sdpa_scripted_and_traced():
    def attend(q: ember.Tensor, k: ember.Tensor, v: ember.Tensor, mask: ember.Tensor):
        return F.scaled_dot_product_attention(q, k, v, mask, 0.0, False, scale=0.5)

    q, k, v = _qkv()
    mask = torch.randn(5, 6)
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, mask, scale=0.5)
    args = ember_args((q, k, v, mask))
    assert_close(ember.jit.script(attend)(*args), expected)
    assert_close(ember.jit.trace(attend, args)(*args), expected)


def test_sdpa_causal_with_mask_is_refused_as_torch_does():
    q, k, v = ember_args(_qkv())
    with pytest.raises(RuntimeError, match="attn_mask should not be set"):
        F.scaled_dot_product_attention(q, k, v, ember.ones(5, 6), is_causal=True)


def test_sdpa_dropout_zeroes_weights_in_every_call():
    ember.manual_seed(0)
    q = ember.ones(1, 1, 4, 2)
    v = ember.ones(1, 1, 4, 2)
    out = F.scaled_dot_product_attention(q, q, v, dropout_p=0.5)
    assert out.shape == ember.Size([1, 1, 4, 2])
    assert not bool((out == 1.0).all())


# -- MultiheadAttention -------------------------------------------------------------------------

MHA_CONFIGS = {
    "default": dict(),
    "batch_first": dict(batch_first=True),
    "kdim_vdim_bias_kv_zero_attn": dict(kdim=6, vdim=5, add_bias_kv=True, add_zero_attn=True),
    "no_bias": dict(bias=False),
}
MHA_CALLS = {
    "weights": {},
    "no_weights": {"need_weights": False},
    "per_head_weights": {"average_attn_weights": False},
    "key_padding_bool": {"key_padding_mask": torch.tensor([[False] * 6, [False] * 4 + [True] * 2])},
    "attn_mask_float_and_padding": {
        "attn_mask": torch.randn(5, 6, generator=torch.manual_seed(3)),
        "key_padding_mask": torch.tensor([[0.0] * 6, [0.0] * 5 + [float("-inf")]]),
        "need_weights": False,
    },
    "attn_mask_3d_bool": {
        "attn_mask": torch.rand(8, 5, 6, generator=torch.manual_seed(4)) > 0.8,
    },
}


def _mha_inputs(config):
    torch.manual_seed(5)
    q = torch.randn(5, 2, 16)
    k = torch.randn(6, 2, config.get("kdim", 16))
    v = torch.randn(6, 2, config.get("vdim", 16))
    if config.get("batch_first"):
        return tuple(x.transpose(0, 1).contiguous() for x in (q, k, v))
    return q, k, v


@pytest.mark.parametrize("config", MHA_CONFIGS)
@pytest.mark.parametrize("call", MHA_CALLS)
def test_mha_eager_and_scripted_equal_torch(config, call):
    ours, theirs = twins(lambda n: n.MultiheadAttention(16, 4, **MHA_CONFIGS[config]))
    inputs = _mha_inputs(MHA_CONFIGS[config])
    kwargs = MHA_CALLS[call]
    expected = theirs(*inputs, **kwargs)
    assert_close(ours(*ember_args(inputs), **ember_kwargs(kwargs)), expected)
    scripted = ember.jit.script(ours)
    assert_close(scripted(*ember_args(inputs), **ember_kwargs(kwargs)), expected)


def test_mha_state_dict_keys_are_torchs():
    mha = nn.MultiheadAttention(8, 2, kdim=4, vdim=4, add_bias_kv=True)
    assert list(mha.state_dict()) == list(
        torch.nn.MultiheadAttention(8, 2, kdim=4, vdim=4, add_bias_kv=True).state_dict()
    )
    assert type(mha.out_proj).__name__ == "NonDynamicallyQuantizableLinear"


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_traced_self_attention(need_weights):
    ours, theirs = twins(lambda n: n.MultiheadAttention(16, 4, batch_first=True))

    class Wrap(ours.__class__.__mro__[1]):  # an ember Module holding the attention
        def __init__(self, attn):
            super().__init__()
            self.attn = attn

        def forward(self, x):
            return self.attn(x, x, x, need_weights=need_weights)[0]

    x = torch.randn(2, 5, 16)
    traced = ember.jit.trace(Wrap(ours), ember_args((x,)))
    assert_close(traced(*ember_args((x,))), theirs(x, x, x, need_weights=need_weights)[0])


def test_mha_unbatched_and_causal():
    ours, theirs = twins(lambda n: n.MultiheadAttention(16, 4))
    x = torch.randn(5, 16)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    kwargs = {"attn_mask": mask, "is_causal": True, "need_weights": False}
    assert_close(ours(*ember_args((x, x, x)), **ember_kwargs(kwargs)), theirs(x, x, x, **kwargs))


def test_mha_errors_as_torch():
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)
    mha = nn.MultiheadAttention(8, 2)
    x = ember.ones(3, 1, 8)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        mha(x, x, x, attn_mask=ember.zeros(2, 3))


# -- transformer encoder ------------------------------------------------------------------------

ENCODER_CONFIGS = {
    "post_norm_relu": dict(),
    "pre_norm_gelu_batch_first": dict(batch_first=True, norm_first=True, activation="gelu"),
    "gelu_module_eps": dict(activation_module=True, layer_norm_eps=1e-3),
}


def _encoder(n, config):
    config = dict(config)
    if config.pop("activation_module", False):
        config["activation"] = n.GELU(approximate="tanh")
    layer = n.TransformerEncoderLayer(16, 4, 32, dropout=0.1, **config)
    return n.TransformerEncoder(layer, 2, norm=n.LayerNorm(16), enable_nested_tensor=False)


ENCODER_CALLS = {
    "plain": {},
    "padding": {"src_key_padding_mask": torch.tensor([[False] * 5, [False] * 3 + [True] * 2])},
    "causal": {"mask": torch.nn.Transformer.generate_square_subsequent_mask(5), "is_causal": True},
}


@pytest.mark.parametrize("config", ENCODER_CONFIGS)
@pytest.mark.parametrize("call", ENCODER_CALLS)
def test_encoder_eager_scripted_traced(config, call):
    ours, theirs = twins(lambda n: _encoder(n, ENCODER_CONFIGS[config]))
    batch_first = ENCODER_CONFIGS[config].get("batch_first", False)
    x = torch.randn(2, 5, 16) if batch_first else torch.randn(5, 2, 16)
    kwargs = ENCODER_CALLS[call]
    expected = theirs(x, **kwargs)
    assert_close(ours(*ember_args((x,)), **ember_kwargs(kwargs)), expected)
    assert_close(ember.jit.script(ours)(*ember_args((x,)), **ember_kwargs(kwargs)), expected)
    if not kwargs:
        traced = ember.jit.trace(ours, ember_args((x,)))
        assert_close(traced(*ember_args((x,))), expected)


def test_encoder_layer_alone_and_callable_activation():
    ours, theirs = twins(
        lambda n: n.TransformerEncoderLayer(16, 4, 24, activation=n.functional.gelu)
    )
    x = torch.randn(3, 2, 16)
    assert ours.activation_relu_or_gelu == theirs.activation_relu_or_gelu == 2
    assert_close(ours(*ember_args((x,))), theirs(x))
    assert_close(ember.jit.script(ours)(*ember_args((x,))), theirs(x))


def test_encoder_dropout_in_training_changes_output():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = ember.ones(3, 1, 8)
    ember.manual_seed(0)
    assert not bool((layer.train()(x) == layer.eval()(x)).all())
