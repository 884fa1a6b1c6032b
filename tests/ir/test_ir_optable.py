"""Every op-table operator but the structural prims can be built from its required operands
(defaults filled in by the builder), verifies, and prints as `.graph` and `.code`."""

import pytest

from ember import ops
from ember.ir import Builder, Graph, code_text, lookup, registry, verify

NAMES = sorted(op.qualified_name for op in ops.all_ops() if "structural" not in op.traits)
TENSOR_FACES = ("ember.", "Tensor.", "F.")


@pytest.mark.parametrize("name", NAMES)
def test_op_builds_with_defaults(name):
    sig = lookup(name)
    b = Builder(Graph("f"))
    given = {
        p.name: b.add_input(p.type, p.name) for p in sig.params if p.default is registry.MISSING
    }
    positional = [given[p.name] for p in sig.params if not p.kwarg_only and p.name in given]
    keywords = {p.name: given[p.name] for p in sig.params if p.kwarg_only and p.name in given}
    op = b.op(name, positional, kwargs=keywords)
    assert len(op.operands) == len(sig.params)
    b.return_(*op.results) if len(op.results) == 1 else b.return_(b.tuple_construct(op.results))
    verify(b.graph)
    assert op.kind in str(b.graph)
    code = code_text(b.graph)
    if any(f.startswith(TENSOR_FACES) for f in ops.get(name).faces):
        assert f"torch.{op.kind.split('::')[1]}(" in code


def test_enum_defaults_become_torchscript_ints():
    b = Builder(Graph("f"))
    op = b.op("aten::randint", [10, [2]])
    dtype = op.operands[list(p.name for p in lookup("aten::randint").params).index("dtype")]
    assert dtype.op.attrs["value"] == 4  # 'long'
