"""`upgrade` on hand-built IR: which calls it rewrites, at which versions, into what; nested
blocks, free functions and class methods; source locations; refusals."""

import pytest

import ember
from ember.ir import (
    Builder,
    CompilationUnit,
    Function,
    Graph,
    SourceLocation,
    clone_graph,
    verify,
)
from ember.ir import types as T
from ember.runtime import compile_graph
from ember.upgraders import upgrade, upgrade_graph

TENSOR, INT = T.TensorType.get(), T.IntType.get()
LOC = SourceLocation("m.py", 3, 11, "    return a / b")


def _div_graph():
    """def f(a, b): return a / b, located at LOC."""
    b = Builder(Graph("f"))
    x, y = b.add_input(TENSOR, "a"), b.add_input(TENSOR, "b")
    with b.located(LOC):
        q = b.emit("aten::div.Tensor", x, y, name="q")
    b.return_(q)
    return b.graph


def _unit(*graphs):
    unit = CompilationUnit()
    for g in graphs:
        unit.add_function(Function(f"__torch__.{g.name}", g, [], TENSOR))
    return unit


def _kinds(graph):
    return [op.qualified_name for op in graph.walk()]


def _run(graph, *args):
    return compile_graph(graph)(*args)


def test_div_at_version_3_becomes_the_truncating_body():
    graph = _div_graph()
    assert upgrade(_unit(graph), 3) == 1
    verify(graph)
    assert _kinds(graph) == [
        "aten::is_floating_point", "aten::is_floating_point", "aten::__or__.bool", "prim::If",
        "aten::div.Tensor", "prim::Yield",
        "prim::Constant", "aten::div.Tensor_mode", "prim::Yield",
        "prim::Return",
    ]  # fmt: skip
    assert graph.outputs[0].name == "q"
    ints = _run(graph, ember.tensor([-7, 7, -8, 5]), ember.tensor([2, 2, 3, -2]))
    assert ints.tolist() == [-3, 3, -2, -2] and ints.dtype == ember.int64  # not floor: -4, -3
    floats = _run(graph, ember.tensor([-7.0, 1.0]), ember.tensor([2, 4]))
    assert floats.tolist() == [-3.5, 0.25] and floats.dtype == ember.float32


@pytest.mark.parametrize("version", [4, 5, 10])
def test_div_at_version_4_and_later_is_left_alone(version):
    graph = _div_graph()
    before = str(graph)
    assert upgrade(_unit(graph), version) == 0
    assert str(graph) == before
    assert _run(graph, ember.tensor([-7]), ember.tensor([2])).tolist() == [-3.5]


def test_locations_are_kept():
    graph = _div_graph()
    b = Builder(graph)
    keep = SourceLocation("m.py", 2, 4, "    b = b.relu()")
    with b.inserting_before(graph.block.ops[0]), b.located(keep):
        relu = b.emit("aten::relu", graph.inputs[1])
    upgrade(_unit(graph), 3)
    assert relu.op.loc is keep
    body = [op for op in graph.walk() if op is not relu.op and op.kind != "prim::Return"]
    assert body and all(op.loc is LOC for op in body)
    assert "# m.py:3:11" in str(graph)


def test_nested_blocks_methods_and_functions():
    """Calls inside if and loop blocks, in a class method and in a free function."""
    b = Builder(Graph("forward"))
    unit = CompilationUnit()
    cls = unit.define_class("__torch__.M", {"training": T.BoolType.get()})
    b.add_input(cls, "self")
    x, n = b.add_input(TENSOR, "x"), b.add_input(INT, "n")
    loop = b.loop(n, True, [x], names=["acc"], iter_name="i")
    with b.at_end(loop.blocks[0]):
        _, acc = loop.blocks[0].args
        branch = b.if_(b.emit("aten::gt.int", n, 1), [TENSOR])
        with b.at_end(branch.blocks[0]):
            b.yield_(b.emit("aten::div.Scalar", acc, 2))
        with b.at_end(branch.blocks[1]):
            b.yield_(b.emit("aten::full", [2], 1))
        b.yield_(True, branch.result)
    b.return_(loop.results[0])
    unit.add_method(cls, Function("__torch__.M.forward", b.graph, [], TENSOR))
    free = _div_graph()
    unit.add_function(Function("__torch__.f", free, [], TENSOR))
    assert upgrade(unit, 3) == 3
    verify(b.graph)
    verify(free)
    out = compile_graph(b.graph, unit)(None, ember.tensor([-9, 9]), 2)
    assert out.tolist() == [-2, 2]  # -9 // 2 truncated twice: -4, then -2
    assert _run(free, ember.tensor([-7]), ember.tensor([2])).tolist() == [-3]


def test_a_graph_is_upgraded_once():
    graph = _div_graph()
    unit = _unit(graph)
    assert (upgrade(unit, 3), upgrade(unit, 3)) == (1, 0)
    later = _div_graph()  # compiled after the first call (lazy loading)
    unit.add_function(Function("__torch__.g", later, [], TENSOR))
    assert upgrade(unit, 3) == 1
    # upgrade_graph keeps no record: a copy of an upgraded graph has its body's true
    # division rewritten again (the meaning stays; the graph grows)
    again = clone_graph(graph)
    assert upgrade_graph(again, 3) == 1
    verify(again)
    args = ember.tensor([-7, 7.0]), ember.tensor([2, 2])
    assert _run(again, *args).tolist() == _run(graph, *args).tolist() == [-3.5, 3.5]


def _single_call(name, *args, **kwargs):
    b = Builder(Graph("f"))
    with b.located(LOC):
        out = b.emit(name, *args, **kwargs)
    b.return_(out)
    return b.graph


@pytest.mark.parametrize(
    "fill, dtype, version, want",
    [
        (1, None, 4, ember.float32),
        (True, None, 4, ember.float32),
        (1.5, None, 4, ember.float32),
        (1, 3, 4, ember.int32),
        (1, None, 5, ember.int64),
        (True, None, 5, ember.bool),
    ],
)
def test_full(fill, dtype, version, want):
    graph = _single_call("aten::full", [2], fill, dtype=dtype)
    upgrade_graph(graph, version)
    verify(graph)
    out = _run(graph)
    assert out.dtype == want and out.tolist() == [float(fill)] * 2


@pytest.mark.parametrize("op", ["aten::linspace", "aten::logspace"])
def test_steps_none_means_100(op):
    """A call of the old schema (steps omitted) is invalid now, and valid once upgraded."""
    graph = _single_call(op, 0.0, 1.0, None)
    with pytest.raises(ember.VerifyError):
        verify(graph)
    assert upgrade_graph(graph, 7) == 1
    verify(graph)
    assert _run(graph).shape == (100,)
    given = _single_call(op, 0.0, 1.0, 5)
    upgrade_graph(given, 7)
    assert _run(given).shape == (5,)


def test_div_scalar_decides_at_run_time_for_a_number():
    """``a / t.item()``: the operand's type is ``number``; whether it is a float is known
    only when the program runs."""
    b = Builder(Graph("f"))
    a, t = b.add_input(TENSOR, "a"), b.add_input(TENSOR, "t")
    b.return_(b.emit("aten::div.Scalar", a, b.emit("aten::item", t)))
    upgrade_graph(b.graph, 3)
    verify(b.graph)
    assert _run(b.graph, ember.tensor([-7]), ember.tensor(2)).tolist() == [-3]
    assert _run(b.graph, ember.tensor([-7]), ember.tensor(2.0)).tolist() == [-3.5]


def test_in_place_div_writes_the_truncated_quotient():
    b = Builder(Graph("f"))
    a = b.add_input(TENSOR, "a")
    b.return_(b.emit("aten::div_.Scalar", a, 2))
    upgrade_graph(b.graph, 3)
    x = ember.tensor([-7, 7])
    assert _run(b.graph, x) is x and x.tolist() == [-3, 3]


def test_gelu_with_an_argument_its_version_lacked_is_refused():
    tanh = _single_call("aten::gelu", ember.tensor([1.0]), approximate="tanh")
    with pytest.raises(ember.VersionError) as err:
        upgrade_graph(tanh, 9)
    assert str(err.value) == (
        "m.py:3:11: aten::gelu is called with approximate='tanh', an argument the operator "
        "gained in version 10, but the file's version is 9, where its schema was "
        "aten::gelu(Tensor self) -> Tensor"
    )
    assert upgrade_graph(tanh, 10) == 0
    plain = _single_call("aten::gelu", ember.tensor([1.0]))
    before = str(plain)
    assert upgrade_graph(plain, 9) == 0 and str(plain) == before


def test_pass_through_overloads_stay():
    graph = _single_call(
        "aten::div.Tensor_mode", ember.tensor([-7]), ember.tensor([2]), rounding_mode="floor"
    )
    before = str(graph)
    assert upgrade_graph(graph, 3) == 0 and str(graph) == before
    assert _run(graph).tolist() == [-4]


def test_a_refused_graph_is_left_unchanged_and_not_marked():
    """A div before the refused gelu is not rewritten; the graph can be upgraded later."""
    b = Builder(Graph("f"))
    a = b.add_input(TENSOR, "a")
    q = b.emit("aten::div.Tensor", a, a)
    with b.located(LOC):
        g = b.emit("aten::gelu", q, approximate="tanh")
    b.return_(g)
    unit = _unit(b.graph)
    before = str(b.graph)
    with pytest.raises(ember.VersionError, match="^m.py:3:11: aten::gelu"):
        upgrade(unit, 3)
    assert str(b.graph) == before
    with b.inserting_before(g.op):
        g.op.set_operand(1, b.constant("none"))
    assert upgrade(unit, 3) == 1
