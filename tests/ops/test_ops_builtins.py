"""The op table's builtins (structural prims and ops on plain values): every entry is
documented and typed, has a kernel unless structural; scalar ops give the same values and
types as TorchScript's (torch 2.13 via CompilationUnit)."""

import pytest

from ember import ops
from ember.ir import Builder, Graph, lookup
from ember.ir import types as T
from ember.runtime import compile_graph

PY = {"int": T.IntType.get(), "float": T.FloatType.get()}
ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "remainder": "%"}
ARITH["pow"] = "**"
COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
OVERLOADS = {"int": ("int", "int"), "float": ("float", "float")}
OVERLOADS.update({"int_float": ("int", "float"), "float_int": ("float", "int")})
SAMPLES = {"int": [7, -7, 3], "float": [2.5, -1.25, 3.0]}


BUILTINS = sorted(
    op.qualified_name for op in ops.all_ops() if op.value_only or "structural" in op.traits
)


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_is_documented_and_typed(name):
    op = ops.get(name)
    assert op.doc and lookup(name) is not None
    assert (op.kernel is None) == ("structural" in op.traits), name
    assert op.inline is None or op.value_only


def _run_scalar(qualified, a, b, ta, tb):
    g = Builder(Graph("f"))
    x, y = g.add_input(PY[ta], "a"), g.add_input(PY[tb], "b")
    g.return_(g.emit(qualified, x, y))
    return compile_graph(g.graph)(a, b)


@pytest.mark.parametrize("op", sorted({**ARITH, **COMPARE}))
def test_scalar_ops_match_torchscript(torch, op):
    sym = {**ARITH, **COMPARE}[op]
    for overload, (ta, tb) in OVERLOADS.items():
        cu = torch.jit.CompilationUnit(f"def f(a: {ta}, b: {tb}):\n    return a {sym} b\n")
        for a in SAMPLES[ta]:
            for b in SAMPLES[tb]:
                want = cu.f(a, b)
                mixed_div = op == "div" and ta != tb  # TorchScript's aten::div(Scalar, Scalar)
                name = "aten::div" if mixed_div else f"aten::{op}.{overload}"
                got = _run_scalar(name, a, b, ta, tb)
                assert type(got) is type(want), (op, overload, a, b)
                assert got == pytest.approx(want, nan_ok=True), (op, overload, a, b)


def test_tensor_literals_warnings_and_math(recwarn):
    import ember
    from ember.ir import code_text

    b = Builder(Graph("f"))
    x = b.add_input(T.TensorType.get(), "x")
    zero = b.emit("aten::tensor.int", 0)
    floats = b.emit("aten::tensor", [[1.0, 2.0]], dtype=7)
    b.op("aten::warn", ["careful"], [])
    n = b.emit("aten::IntImplicit", b.emit("aten::sum", x))
    f = b.emit("aten::floor.float", b.emit("aten::sqrt.float", 17.0))
    b.return_(b.tuple_construct([zero, floats, n, f, b.emit("aten::__or__.int", n, 8)]))
    code = code_text(b.graph)
    assert "torch.tensor(0)" in code and "torch.tensor([[1., 2.]], dtype=7)" in code
    assert "annotate(int, torch.sum(x))" in code
    zero_t, floats_t, n_v, f_v, bits = compile_graph(b.graph)(ember.ones(3))
    assert zero_t.dtype == ember.int64 and zero_t.dim() == 0
    assert floats_t.dtype == ember.float64 and floats_t.tolist() == [[1.0, 2.0]]
    assert (n_v, f_v, bits) == (3, 4, 11)
    assert [str(w.message) for w in recwarn] == ["careful"]
