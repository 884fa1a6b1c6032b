"""The compiler's pass pipeline verifies the graph after lowering and after every pass (on in
the test suite), and names the pass that broke a graph."""

import pytest

import ember
import ember.compiler.driver as frontend
from ember.compiler.driver import reset
from ember.errors import VerifyError
from ember.ir import Builder, Graph, pipeline, run_passes
from ember.ir import types as T


def _graph():
    b = Builder(Graph("f"))
    n = b.add_input(T.IntType.get(), "n")
    b.emit("aten::mul.int", n, 3)
    b.return_(b.emit("aten::add.int", n, 1))
    return b.graph


def _retype_first_result(graph):
    """A broken pass: gives an int result the type str."""
    graph.block.ops[1].results[0].type = T.StrType.get()
    return 1


def test_tests_run_with_verification_on():
    assert pipeline.VERIFY_EACH_PASS is True


def test_broken_pass_is_named():
    with pytest.raises(VerifyError, match="after pass _retype_first_result"):
        run_passes(_graph(), [_retype_first_result])
    run_passes(_graph(), [_retype_first_result], verify_each=False)  # unchecked when off


def test_broken_lowering_is_reported_before_the_passes():
    g = _graph()
    _retype_first_result(g)
    with pytest.raises(VerifyError, match=r"after lowering \(before any pass\)"):
        run_passes(g, [])


def test_compiler_runs_its_passes_through_the_pipeline(monkeypatch):
    def breaks_graph(graph):
        graph.block.ops[-1].operands[0].type = T.StrType.get()
        return 1

    def f(x: int) -> int:
        return x * 2 + 1

    monkeypatch.setattr(frontend, "eliminate_dead_code", breaks_graph)
    reset()
    try:
        with pytest.raises(VerifyError, match="after pass breaks_graph"):
            ember.jit.script(f)
    finally:
        reset()
