"""A submodule returning a tuple with None inside (MultiheadAttention with
need_weights=False returns ``(out, None)``) traces as torch records it."""

import pytest
from tests.compare import assert_same, from_torch

import ember

SOURCE = """
class Attention(torch.nn.Module):
    def forward(self, x):
        return x * 2, None

class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = Attention()

    def forward(self, x):
        out, weights = self.attn(x)
        return out + 1
"""


def _block(lib):
    scope = {"torch": lib}
    exec(SOURCE, scope)  # noqa: S102 - the same module source for both libraries
    return scope["Block"]()


@pytest.mark.parametrize("shape", [(2,), (2, 3)])
def test_none_in_submodule_output_traces_as_torch(torch, shape):
    xt = torch.linspace(-1.0, 1.0, 6)[: shape[0] * (shape[1] if len(shape) > 1 else 1)]
    xt = xt.reshape(shape)
    theirs = torch.jit.trace(_block(torch), xt)
    ours = ember.jit.trace(_block(ember), from_torch(xt))
    assert_same(ours(from_torch(xt)), theirs(xt))
    want = [n.output().type().str() for n in theirs.graph.nodes() if n.kind() == "prim::CallMethod"]
    got = [str(op.results[0].type) for op in ours.graph.walk() if op.kind == "prim::CallMethod"]
    assert got == want == ["Tensor"]
