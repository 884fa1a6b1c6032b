"""A variable annotated in one branch keeps its annotation where the branches meet, as in
TorchScript: the code torch prints for an inlined upgrader (``_1 : number = float(x)`` in one
branch, ``_1 = x`` in the other) compiles to a ``number``."""

import pytest

import ember
from ember.compiler.modules.archive import CodeUnit
from ember.runtime import compile_graph

CODE = """class M(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.M,
    n: int,
    flag: bool) -> Tensor:
    if flag:
      _1 : number = float(n)
    else:
      _1 = n
    return torch.full([2], _1)
"""


def _forward():
    unit = CodeUnit({"__torch__": CODE}.get)
    info = unit.class_info("__torch__.M")
    graph = unit.compiler.method(info, "forward").graph
    return graph, compile_graph(graph, unit.compiler.unit)


def test_the_merged_variable_has_the_annotated_type():
    graph, _ = _forward()
    (if_op,) = [op for op in graph.block.ops if op.qualified_name == "prim::If"]
    assert str(if_op.results[0].type) == "number"


@pytest.mark.parametrize(("flag", "dtype"), [(True, ember.float32), (False, ember.int64)])
def test_each_branch_keeps_its_value(flag, dtype):
    _, forward = _forward()
    assert forward(None, 3, flag).dtype == dtype
