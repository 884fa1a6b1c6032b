"""Archives of the sequence layers both ways: torch.jit.script/trace of MultiheadAttention,
TransformerEncoder and LSTM saved by torch and run by ember.jit.load (with gradients on, the
regular path; under no_grad, torch's fused fast paths `_native_multi_head_attention` and
`_transformer_encoder_layer_fwd`), and ember's own archives run by torch.jit.load."""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import ember
from ember.ops import table

sys.path.insert(0, str(Path(__file__).parent.parent / "nn"))
from sequence_helpers import assert_close, ember_args, twins  # noqa: E402


def _pad(a, pad, mode="constant", value=None):
    widths = [(0, 0)] * a.ndim
    for i in range(len(pad) // 2):
        widths[a.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return np.pad(a, widths, constant_values=0 if value is None else value)


def _baddbmm(self, batch1, batch2, beta=1, alpha=1):
    return (beta * self + alpha * np.matmul(batch1, batch2)).astype(batch1.dtype)


# torch's archived F.multi_head_attention_forward calls aten::pad and aten::baddbmm, which
# another branch adds to the op table; until then these tests register stand-ins.
_STAND_INS = {
    "aten::pad": (
        'pad(Tensor self, SymInt[] pad, str mode="constant", float? value=None) -> Tensor',
        _pad,
    ),  # fmt: skip
    "aten::baddbmm": (
        "baddbmm(Tensor self, Tensor batch1, Tensor batch2, *, Scalar beta=1, "
        "Scalar alpha=1) -> Tensor",
        _baddbmm,
    ),  # fmt: skip
}


@pytest.fixture(scope="module", autouse=True)
def stand_ins():
    added = [n for n in _STAND_INS if not table.overloads(n)]
    for name in added:
        table.register(_STAND_INS[name][0], _STAND_INS[name][1])
    yield
    for name in added:
        table.unregister(name)


def _mha(n):
    return n.MultiheadAttention(16, 4, batch_first=True)


def _encoder(n):
    layer = n.TransformerEncoderLayer(16, 4, 32, batch_first=True, activation="gelu")
    return n.TransformerEncoder(layer, 2, norm=n.LayerNorm(16), enable_nested_tensor=False)


def _lstm(n):
    return n.LSTM(16, 8, num_layers=2, bidirectional=True)


class _SelfAttention(torch.nn.Module):
    """Wraps torch's MHA: the traced output is its first result only."""

    def __init__(self, attn):
        super().__init__()
        self.attn = attn

    def forward(self, x):
        return self.attn(x, x, x, need_weights=False)[0]


def _x():
    torch.manual_seed(11)
    return torch.randn(2, 5, 16)


def _first(out):
    return out[0] if isinstance(out, tuple) else out


TORCH_CASES = {
    "mha_script": (_mha, "script"),
    "mha_trace": (_mha, "trace"),
    "encoder_script": (_encoder, "script"),
    "encoder_trace": (_encoder, "trace"),
    "lstm_trace": (_lstm, "trace"),
}


@pytest.mark.parametrize("name", TORCH_CASES)
@pytest.mark.parametrize("grad", [True, False], ids=["grad", "no_grad"])
def test_torch_archive_runs_in_ember(name, grad, tmp_path):
    factory, how = TORCH_CASES[name]
    _, theirs = twins(factory)
    if factory is _mha and how == "trace":
        theirs = _SelfAttention(theirs).eval()
    x = _x()
    args = (x, x, x) if factory is _mha and how == "script" else (x,)
    archived = (
        torch.jit.script(theirs)
        if how == "script"
        else torch.jit.trace(theirs, args, check_trace=False)
    )
    path = tmp_path / f"{name}.pt"
    torch.jit.save(archived, str(path))
    with torch.set_grad_enabled(grad):
        expected = _first(theirs(*args))
    loaded = ember.jit.load(str(path))
    with ember.set_grad_enabled(grad):
        assert_close(_first(loaded(*ember_args(args))), expected, rtol=1e-5, atol=1e-5)


EMBER_CASES = {"mha": _mha, "encoder": _encoder, "lstm": _lstm}


@pytest.mark.parametrize("name", EMBER_CASES)
@pytest.mark.parametrize("how", ["script", "trace"])
def test_ember_archive_runs_in_torch(name, how, tmp_path):
    ours, theirs = twins(EMBER_CASES[name])
    x = _x()
    args = (x, x, x) if name == "mha" else (x,)
    eargs = ember_args(args)
    archived = ember.jit.script(ours) if how == "script" else ember.jit.trace(ours, eargs)
    path = tmp_path / f"{name}.pt"
    ember.jit.save(archived, str(path))
    loaded = torch.jit.load(str(path))
    assert_close(ember_args((_first(loaded(*args)),))[0], _first(theirs(*args)), atol=1e-5)


class _SizeFromTensor(torch.nn.Module):
    """torch prints a tensor used as a size as annotate(int, t), as its scripted LSTM does."""

    def forward(self, x, sizes):
        n = sizes[0]
        return torch.zeros(2, n, dtype=x.dtype) + x.sum()


def test_torch_archive_with_a_tensor_as_a_size(tmp_path):
    scripted = torch.jit.script(_SizeFromTensor())
    assert "annotate(int," in scripted.code
    torch.jit.save(scripted, str(tmp_path / "size.pt"))
    loaded = ember.jit.load(str(tmp_path / "size.pt"))
    x, sizes = torch.ones(2), torch.tensor([3, 1])
    assert_close(loaded(*ember_args((x, sizes))), scripted(x, sizes))


_PADDING = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
FAST_PATH_MASKS = {
    "encoder_padding": (_encoder, {"src_key_padding_mask": _PADDING}),
    "encoder_causal": (_encoder, {"mask": torch.nn.Transformer.generate_square_subsequent_mask(5)}),
    "mha_padding": (_mha, {"key_padding_mask": _PADDING, "need_weights": False}),
    "mha_padding_weights": (_mha, {"key_padding_mask": _PADDING, "average_attn_weights": False}),
}


@pytest.mark.parametrize("name", FAST_PATH_MASKS)
def test_torch_archive_fast_paths_with_masks(name, tmp_path):
    """Without gradients torch's archives call the fused ops with their masks; so does ember."""
    factory, kwargs = FAST_PATH_MASKS[name]
    _, theirs = twins(factory)
    x = _x()
    args = (x, x, x) if factory is _mha else (x,)
    torch.jit.save(torch.jit.script(theirs), str(tmp_path / "fast.pt"))
    loaded = ember.jit.load(str(tmp_path / "fast.pt"))
    with torch.no_grad():
        expected = theirs(*args, **kwargs)
    ours_kwargs = {k: ember_args((v,))[0] for k, v in kwargs.items()}
    with ember.no_grad():
        assert_close(loaded(*ember_args(args), **ours_kwargs), expected, atol=1e-5)
