"""Signatures in `.code`: keyword-only parameters print after a ``*`` line and re-parse."""

from tests.loading import class_files, load_function

import ember
from ember import nn
from ember.compiler.modules.archive import CodeUnit
from ember.ir.code_printer import code_text


def scaled(x, *, scale: float = 1.0, n: int = 2):
    return x * scale + n


class KwOnly(nn.Module):
    def forward(self, x, *, k: int = 3):
        return x + k


SCALED_CODE = """\
def scaled(x: Tensor,
    *,
    scale: float=1.,
    n: int=2) -> Tensor:
  return torch.add(torch.mul(x, scale), n)
"""

KWONLY_CODE = """\
def forward(self,
    x: Tensor,
    *,
    k: int=3) -> Tensor:
  return torch.add(x, k)
"""


def test_function_prints_star():
    s = ember.jit.script(scaled)
    assert s.code == SCALED_CODE
    assert s.schema == "scaled(Tensor x, *, float scale=1., int n=2) -> Tensor"


def test_method_prints_star():
    assert ember.jit.script(KwOnly()).code == KWONLY_CODE


def test_function_star_reparses():
    s = ember.jit.script(scaled)
    unit = CodeUnit({"__torch__": s.code}.get)
    loaded = load_function(unit, "__torch__.scaled")
    assert loaded.code == SCALED_CODE
    x = ember.ones(2)
    assert loaded(x, scale=3.0).tolist() == s(x, scale=3.0).tolist() == [5.0, 5.0]


def test_method_star_reparses():
    scripted = ember.jit.script(KwOnly())
    unit = CodeUnit(class_files(scripted).get)
    info = unit.class_info(scripted._ember_info.class_type.qualified_name)
    fwd = unit.compiler.method(info, "forward")
    assert code_text(fwd.graph) == KWONLY_CODE
    assert fwd.graph.kwonly == {"k"}


def test_schema_matches_torch(torch):
    from tests.corpus import dual
    from tests.corpus.bind import bound

    ours = ember.jit.script(bound(dual, ember, "dual_ember").signature).schema
    theirs = str(torch.jit.script(bound(dual, torch, "dual_torch").signature).schema)
    assert (
        ours
        == theirs
        == (
            'signature(Tensor x, int[] xs, Tensor? y=None, str s="a", float f=1., bool t=True)'
            " -> Tensor"
        )
    )


def test_torch_compiles_the_star_form(torch):
    """torch 2.13's own parser reads the printed ``*`` (its printer drops it)."""
    cu = torch.jit.CompilationUnit(SCALED_CODE)
    assert str(cu.scaled.schema) == "scaled(Tensor x, *, float scale=1., int n=2) -> Tensor"
