"""The Python runtime: generated functions run the corpus graphs like eager code would."""

import types

import numpy as np
import pytest

import ember
from ember.ir import MAX_TRIP, Builder, CompilationUnit, Function, Graph
from ember.ir import types as T
from ember.runtime import ScriptError, compile_graph
from ember.tensor import dispatch
from ir_graphs import (
    bounded_with_break,
    early_return,
    loops_and_containers,
    module_forward,
    raising,
    tuples_and_strings,
)

TENSOR, INT = T.TensorType.get(), T.IntType.get()


def _close(a, b):
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_loops_and_containers_against_eager():
    f = compile_graph(loops_and_containers())
    x = ember.tensor([1.0, -2.0])

    def eager(x, n, y=None):
        acc, lst = x, []
        for i in range(n):
            acc = acc + i
            lst.append(i)
        if y is not None:
            acc = acc * y
        return {"a": acc}["a"] + acc * 2.5, lst

    for args in [(x, 4), (x, 0), (x, 3, 2), (x, 5, None)]:
        got, want = f(*args), eager(*args)
        _close(got[0], want[0])
        assert got[1] == want[1]


@pytest.mark.parametrize("n, stop, want", [(10, 4, 6), (10, 100, 45), (0, 1, 0), (3, 0, 0)])
def test_bounded_loop_with_break(n, stop, want):
    assert compile_graph(bounded_with_break())(n, stop) == want


def test_early_returns_and_optional_refinement():
    k = compile_graph(early_return())
    x, z = ember.tensor([1.0, 2.0]), ember.tensor([5.0, 5.0])
    _close(k(x, True, None), x)
    _close(k(x, True, z), z + 1)
    _close(k(x, False, z), -x + 1)


def test_tuples_strings_and_print(capsys):
    t = compile_graph(tuples_and_strings())
    assert t(ember.ones(3), (5, "hi")) == (5, "hi and 2")
    assert capsys.readouterr().out == "hi and 2 5\n"


def test_raise_maps_builtin_exception_classes():
    g = compile_graph(raising())
    assert g(3) == 30
    with pytest.raises(ValueError, match="big") as info:
        g(7)
    assert "While executing  = prim::RaiseException" not in str(info.value.__notes__)
    assert info.value.__notes__[0].startswith("While executing = prim::RaiseException(")
    with pytest.raises(AssertionError, match="neg"):
        g(-1)


def test_errors_name_the_ir_op():
    b = Builder(Graph("bad"))
    x = b.add_input(TENSOR, "x")
    y = b.add_input(TENSOR, "y")
    b.return_(b.emit("aten::mm", b.emit("aten::relu", x), y))
    fn = compile_graph(b.graph)
    with pytest.raises(Exception) as info:
        fn(ember.ones(2, 3), ember.ones(2, 3))
    assert info.value.__notes__ == ["While executing %1 : Tensor = aten::mm(%0, %y)"]


def test_module_methods_call_submodules_and_functions():
    class Sub:
        def __init__(self, k):
            self.k = k

        def forward(self, x):
            return x * self.k

    me = types.SimpleNamespace(l0=Sub(2.0), l1=Sub(-1.0))
    relu_calls = []

    def relu(x, inplace):
        return relu_calls.append(inplace) or ember.relu(x)

    unit = CompilationUnit()  # the called function is kept in Python (as @ignore'd ones are)
    name = "__torch__.torch.nn.functional.relu"
    unit.add_function(Function(name, Graph("relu"), [], TENSOR, python=relu))
    fwd = compile_graph(module_forward(), unit)
    _close(fwd(me, ember.tensor([1.0, -3.0])), ember.tensor([-2.0, 0.0]))
    _close(fwd(me, ember.ones(2, 2)), ember.zeros(1))
    assert relu_calls == [False]


def test_compiled_function_is_cached_until_the_graph_changes():
    g = bounded_with_break()
    f1 = compile_graph(g)
    assert compile_graph(g) is f1
    g.changed()
    assert compile_graph(g) is not f1


def test_dispatch_hook_sees_table_ops_of_scripted_code():
    b = Builder(Graph("f"))
    x = b.add_input(TENSOR, "x")
    b.return_(b.emit("aten::add.Tensor", b.emit("aten::relu", x), x))
    fn = compile_graph(b.graph)
    seen = []
    x = ember.ones(2)

    def hook(op, args, kwargs):
        seen.append(op.qualified_name)
        return dispatch.call(op, *args, **kwargs)

    with dispatch.dispatch_hook(hook):
        fn(x)
    assert seen == ["aten::relu", "aten::add.Tensor"]


def test_scalar_type_operands_become_dtypes():
    b = Builder(Graph("f"))
    x = b.add_input(TENSOR, "x")
    d = b.add_input(INT, "d")
    a = b.emit("aten::to.dtype", x, 7)
    c = b.emit("aten::to.dtype", x, d)
    b.return_(b.tuple_construct([a, c, b.emit("prim::dtype", c)]))
    a, c, code = compile_graph(b.graph)(ember.ones(2), 3)
    assert a.dtype == ember.float64 and c.dtype == ember.int32 and code == 3


def test_while_true_with_counter_and_unknown_exception():
    b = Builder(Graph("f"))
    n = b.add_input(INT, "n")
    loop = b.loop(MAX_TRIP, True, [0], names=["acc"])
    with b.at_end(loop.blocks[0]):
        i, acc = loop.blocks[0].args
        b.yield_(b.emit("aten::lt.int", i, n), b.emit("aten::add.int", acc, i))
    b.raise_("custom", "__torch__.MyError")
    b.return_(loop.results[0])
    fn = compile_graph(b.graph)
    with pytest.raises(ScriptError, match="custom"):
        fn(3)


def test_cache_is_per_compilation_unit():
    unit = CompilationUnit()
    g = bounded_with_break()
    assert compile_graph(g, unit) is compile_graph(g, unit)
    assert compile_graph(g, CompilationUnit()) is not compile_graph(g, unit)
