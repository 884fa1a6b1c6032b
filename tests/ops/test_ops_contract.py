"""The op table is the one definition of every operator: nothing is defined twice, every
schema is torch 2.13's, and whatever names operators (the Python operator table, the kernel
module list, the faces) names ones the table holds."""

import ast
import pkgutil
from pathlib import Path

import pytest

import ember
from ember import ops
from ember.ops import kernels, operators

SRC = Path(ember.__file__).parent
ALL = ops.all_ops()
# TorchScript's node kinds: the IR's structure, never registered as operators in torch.
NODE_KINDS = {
    "prim::Constant", "prim::GetAttr", "prim::SetAttr", "prim::CallMethod",
    "prim::CallFunction", "prim::If", "prim::Loop", "prim::Yield", "prim::Return",
    "prim::ListConstruct", "prim::ListUnpack", "prim::TupleConstruct", "prim::DictConstruct",
}  # fmt: skip


@pytest.mark.parametrize("op", ALL, ids=lambda op: op.qualified_name)
def test_every_schema_is_torchs(torch, op):
    namespace = op.name.split("::")[0]
    assert namespace in ("aten", "prim", "ember"), op.qualified_name
    schemas = torch._C._jit_get_schemas_for_operator(op.name)
    same = [s for s in schemas if s.overload_name == op.overload]
    if not same:
        assert namespace == "ember" or op.qualified_name in NODE_KINDS, (
            f"{op.qualified_name} is not a torch 2.13 operator: give it ember's namespace"
        )
        assert op.qualified_name not in NODE_KINDS or "structural" in op.traits
        return
    assert namespace != "ember", f"{op.qualified_name} exists in torch: use torch's name"
    assert str(same[0]) == f"{namespace}::{op.schema}"


def test_no_operator_is_defined_twice():
    names = [op.qualified_name for op in ALL]
    assert len(names) == len(set(names))
    with pytest.raises(ValueError, match="already registered"):
        ops.register("dim(Tensor self) -> int", lambda a: a.ndim)
    for name in ("aten::dim", "aten::len.Tensor", "aten::size", "aten::size.int"):
        assert sum(op.qualified_name == name for op in ALL) == 1


def _calls_register(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("register", "register_lines"):
                return True
    return False


def test_only_listed_kernel_modules_register_ops():
    here = Path(kernels.__file__).parent
    registering = {m.name for m in pkgutil.iter_modules([str(here)])
                   if _calls_register(here / f"{m.name}.py")}  # fmt: skip
    assert registering == set(kernels.MODULES)
    outside = [
        p.relative_to(SRC)
        for p in SRC.rglob("*.py")
        if "ops" not in p.relative_to(SRC).parts[:1] and _calls_register(p)
    ]
    assert not outside, f"ops registered outside ember.ops: {outside}"


def test_python_operators_name_table_ops():
    for row in [*operators.BINARY.values(), *operators.COMPARISONS.values()]:
        for name in (row.number_op, row.tensor_op, row.inplace):
            assert name is None or ops.overloads(name), (row.symbol, name)
        assert row.reflected in (None, "swap", "wrap", "reciprocal", *operators.FLIPPED) or (
            ops.overloads(row.reflected)
        )
    assert all(ops.overloads(name) for name in operators.UNARY.values())


def test_faces_name_known_namespaces_and_real_overloads():
    for face, overloads in ops.faces().items():
        assert face.split(".")[0] in ops.FACE_NAMESPACES
        assert overloads and all(face in op.faces for op in overloads)


def test_purity_is_the_traits():
    for op in ALL:
        assert op.has_side_effects == ("pure" not in op.traits)
        if "structural" in op.traits:
            assert op.kernel is None
        else:
            assert callable(op.kernel), op.qualified_name
