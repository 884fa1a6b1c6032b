"""Dead-code elimination and inlining; the verifier runs after every pass."""

import pytest

from ember.ir import (
    Builder,
    CompilationUnit,
    Function,
    Graph,
    Param,
    SourceLocation,
    inline_calls,
    verify,
)
from ember.ir import types as T
from ember.ir.passes import eliminate_dead_code
from ember.runtime import compile_graph
from ir_graphs import CORPUS

TENSOR, INT, BOOL = T.TensorType.get(), T.IntType.get(), T.BoolType.get()


def _kinds(graph):
    return [op.kind for op in graph.walk()]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_passes_keep_corpus_valid(name):
    g = CORPUS[name]()
    eliminate_dead_code(g)
    verify(g)


def test_dce_keeps_side_effects_and_drops_the_rest():
    b = Builder(Graph("f"))
    x = b.add_input(TENSOR, "x")
    lst = b.list_construct([], INT)
    b.emit("aten::append.t", lst, 1)  # effect: kept (and keeps the list alive)
    b.op("prim::Print", ["hi"], [])
    b.emit("aten::neg", x)  # pure, unused
    b.emit("aten::add_.Scalar", x, 1)  # in-place: kept
    b.return_(x)
    assert eliminate_dead_code(b.graph) == 1
    verify(b.graph)
    kinds = _kinds(b.graph)
    assert "aten::neg" not in kinds
    assert {"aten::append", "prim::Print", "aten::add_", "prim::ListConstruct"} <= set(kinds)


def test_dce_trims_unused_if_results_and_loop_carried_values():
    b = Builder(Graph("f"))
    n = b.add_input(INT, "n")
    br = b.if_(b.emit("aten::gt.int", n, 0), [INT, INT])
    for blk, (a, c) in zip(br.blocks, [(1, 2), (3, 4)]):
        with b.at_end(blk):
            b.yield_(b.emit("aten::mul.int", n, a), c)
    loop = b.loop(n, True, [0, br.results[1]], names=["used", "dead"])
    with b.at_end(loop.blocks[0]):
        i, used, dead = loop.blocks[0].args
        b.yield_(True, b.emit("aten::add.int", used, i), b.emit("aten::add.int", dead, 1))
    b.return_(loop.results[0])
    eliminate_dead_code(b.graph)
    verify(b.graph)
    kinds = ["prim::Constant", "prim::Constant", "prim::Loop", "aten::add", "prim::Constant"]
    assert _kinds(b.graph) == [*kinds, "prim::Yield", "prim::Return"]
    assert compile_graph(b.graph)(4) == 6


def test_dce_removes_effect_free_control_flow_but_not_raises():
    b = Builder(Graph("f"))
    n = b.add_input(INT, "n")
    quiet = b.if_(b.emit("aten::gt.int", n, 0))
    for blk in quiet.blocks:
        with b.at_end(blk):
            b.emit("aten::neg.int", n)
            b.yield_()
    loud = b.if_(b.emit("aten::lt.int", n, 0))
    with b.at_end(loud.blocks[0]):
        b.raise_("negative")
        b.yield_()
    with b.at_end(loud.blocks[1]):
        b.yield_()
    b.return_(n)
    eliminate_dead_code(b.graph)
    verify(b.graph)
    assert _kinds(b.graph).count("prim::If") == 1
    assert "prim::RaiseException" in _kinds(b.graph)


def test_inlining_keeps_source_locations():
    callee = Builder(Graph("double"))
    v = callee.add_input(INT, "v")
    with callee.located(SourceLocation("lib.py", 7, 11)):
        callee.return_(callee.emit("aten::mul.int", v, 2))
    b = Builder(Graph("f"))
    n = b.add_input(INT, "n")
    with b.located(SourceLocation("m.py", 3, 8)):
        six = b.emit("aten::add.int", 2, 4)
        call = b.call_function("__torch__.double", [n], [INT])
    b.return_(b.emit("aten::add.int", call.result, six))
    unit = CompilationUnit()
    unit.add_function(Function("__torch__.double", callee.graph, [Param("v", INT)], INT))
    assert inline_calls(b.graph, unit) == 1
    eliminate_dead_code(b.graph)
    verify(b.graph)
    locs = {op.kind: str(op.loc) for op in b.graph.walk() if op.kind != "prim::Constant"}
    assert locs["aten::mul"] == "lib.py:7:11"  # the callee's op keeps its own location
    assert str(six.op.loc) == "m.py:3:8"
