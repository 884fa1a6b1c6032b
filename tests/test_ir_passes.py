"""Dead-code elimination and constant folding; the verifier runs after every pass."""

import pytest

import ember
from ember.ir import Builder, Graph, SourceLocation, inline_calls, verify
from ember.ir import types as T
from ember.ir.passes import eliminate_dead_code, fold_constants
from ember.runtime import compile_graph
from ember.runtime import fold_constants as fold_with_kernels
from test_ir_corpus import CORPUS

TENSOR, INT, BOOL = T.TensorType.get(), T.IntType.get(), T.BoolType.get()


def _kinds(graph):
    return [op.kind for op in graph.walk()]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_passes_keep_corpus_valid(name):
    g = CORPUS[name]()
    fold_with_kernels(g)
    verify(g)
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


def test_fold_scalar_ops_and_constant_branches():
    b = Builder(Graph("f"))
    x = b.add_input(TENSOR, "x")
    k = b.emit("aten::mul.int", b.emit("aten::add.int", 2, 3), 4)  # 20
    br = b.if_(b.emit("aten::gt.int", k, 10), [TENSOR])
    with b.at_end(br.blocks[0]):
        b.yield_(b.emit("aten::mul.Scalar", x, k))
    with b.at_end(br.blocks[1]):
        b.yield_(x)
    b.return_(br.result)
    assert fold_constants(b.graph) == 4  # add, mul, gt, and the if
    eliminate_dead_code(b.graph)
    verify(b.graph)
    assert str(b.graph) == (
        "graph(%x : Tensor):\n"
        "  %0 : int = prim::Constant[value=20]()\n"
        "  %1 : Tensor = aten::mul(%x, %0)\n"
        "  return (%1)\n"
    )


def test_fold_small_tensor_expressions_but_not_creations_or_mutated_results():
    b = Builder(Graph("f"))
    x = b.add_input(TENSOR, "x")
    c = b.constant(ember.tensor([1.0, 2.0]))
    folded = b.emit("aten::mul.Scalar", c, 3)
    zeros = b.emit("aten::zeros", b.list_construct([2]))
    mutated = b.emit("aten::neg", c)
    b.emit("aten::add_.Scalar", mutated, 1)
    b.return_(b.tuple_construct([b.emit("aten::add.Tensor", x, folded), zeros, mutated]))
    assert fold_constants(b.graph) == 0  # tensors need the runtime's kernels
    assert fold_with_kernels(b.graph) == 1
    verify(b.graph)
    kinds = _kinds(b.graph)
    assert "aten::mul" not in kinds and {"aten::zeros", "aten::neg"} <= set(kinds)
    out, z, m = compile_graph(b.graph)(ember.ones(2))
    assert out.tolist() == [4.0, 7.0] and z.tolist() == [0.0, 0.0] and m.tolist() == [0.0, -1.0]


def test_fold_leaves_failing_ops_for_run_time():
    b = Builder(Graph("f"))
    b.add_input(INT, "n")
    b.return_(b.emit("aten::floordiv.int", 1, 0))
    assert fold_constants(b.graph) == 0
    with pytest.raises(ZeroDivisionError):
        compile_graph(b.graph)(1)


def test_pool_constants_hoists_and_merges():
    from ember.ir.passes import pool_constants

    g = CORPUS["loops_and_containers"]()
    before = compile_graph(g)(ember.ones(2), 3, 2)
    merged = pool_constants(g)
    verify(g)
    assert merged > 0
    kinds = [op.kind for op in g.block.ops]
    first_other = next(i for i, k in enumerate(kinds) if k != "prim::Constant")
    assert "prim::Constant" not in kinds[first_other:]
    assert all(op.kind != "prim::Constant" for b in _nested(g) for op in b.ops)
    pool = g.block.ops[:first_other]
    values = [(str(op.results[0].type), repr(op.attrs["value"])) for op in pool]
    assert len(values) == len(set(values))
    after = compile_graph(g)(ember.ones(2), 3, 2)
    assert after[0].tolist() == before[0].tolist() and after[1] == before[1]


def _nested(graph):
    return [b for op in graph.walk() for b in op.blocks]


@pytest.mark.parametrize("trip, cond", [(0, True), (5, False), (-1, True)])
def test_fold_loops_that_never_run(trip, cond):
    b = Builder(Graph("f"))
    x = b.add_input(TENSOR, "x")
    loop = b.loop(trip, cond, [x])
    with b.at_end(loop.blocks[0]):
        b.op("prim::Print", ["never"], [])
        b.yield_(True, b.emit("aten::neg", loop.blocks[0].args[1]))
    b.return_(loop.results[0])
    assert fold_constants(b.graph) == 1
    eliminate_dead_code(b.graph)
    verify(b.graph)
    assert _kinds(b.graph) == ["prim::Return"]


def test_folding_and_inlining_keep_source_locations():
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
    inline_calls(b.graph, {"__torch__.double": callee.graph}.get)
    fold_constants(b.graph)
    eliminate_dead_code(b.graph)
    verify(b.graph)
    locs = {op.kind: str(op.loc) for op in b.graph.walk() if op.kind != "prim::Constant"}
    assert locs["aten::mul"] == "lib.py:7:11"  # the callee's op keeps its own location
    folded = [op for op in b.graph.walk() if op.attrs.get("value") == 6]
    assert [str(op.loc) for op in folded] == ["m.py:3:8"]
