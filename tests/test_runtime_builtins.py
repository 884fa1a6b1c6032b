"""The builtin table: every line parses and its Python compiles; scalar ops give the same
values and types as TorchScript's (torch 2.13 via CompilationUnit)."""

import pytest

from ember.ir import Builder, Graph, lookup
from ember.ir import types as T
from ember.ir.prims import BUILTINS
from ember.runtime import compile_graph

PY = {"int": T.IntType.get(), "float": T.FloatType.get()}
ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "remainder": "%"}
ARITH["pow"] = "**"
COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
OVERLOADS = {"int": ("int", "int"), "float": ("float", "float")}
OVERLOADS.update({"int_float": ("int", "float"), "float_int": ("float", "int")})
SAMPLES = {"int": [7, -7, 3], "float": [2.5, -1.25, 3.0]}


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_every_builtin_line_is_well_formed(name):
    d = BUILTINS[name]
    assert d.semantics and lookup(name) is not None
    if d.python is not None:
        args = [f"a{i}" for i in range(max(len(d.params), 3))]
        text = d.python.replace("{*1}", "a1, a2").replace("{*}", "a0, a1").format(*args)
        compile(text, name, "exec")


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
                got = _run_scalar(f"aten::{op}.{overload}", a, b, ta, tb)
                assert type(got) is type(want), (op, overload, a, b)
                assert got == pytest.approx(want, nan_ok=True), (op, overload, a, b)
