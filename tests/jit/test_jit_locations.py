"""Source locations: compiled and traced ops carry the user's file:line:col."""

import collections
import inspect
import os
import re

import pytest
from test_jit_dual import NAMES
from tests.corpus import dual
from tests.corpus.bind import bound

import ember

FILE = os.path.abspath(__file__)


def _at(code, snippet: str) -> str:
    """``FILE:line:col`` of the first `snippet` in the source of `code` (a function or class),
    with the column counted from 0, as `.graph` prints it."""
    lines, first = inspect.getsourcelines(code)
    for i, text in enumerate(lines, first):
        if snippet in text:
            return f"{FILE}:{i}:{text.index(snippet)}"
    raise AssertionError(f"{snippet!r} is not in {code.__name__}")


def mat(x, y, n: int):
    z = x.relu() * 2
    if n > 0:
        z = z @ y
    return z


class Scaled(ember.nn.Module):
    def forward(self, x):
        return (x +
                    x.sum())  # fmt: skip


def _locs(graph):
    return {op.kind: str(op.loc) for op in graph.walk()}


def test_compiled_ops_carry_the_location_of_the_expression_they_come_from():
    locs = _locs(ember.jit.script(mat).graph)
    assert locs["aten::relu"] == _at(mat, "x.relu()")
    assert locs["aten::mul"] == _at(mat, "x.relu() * 2")  # an operator: where it starts
    assert locs["aten::gt"] == _at(mat, "n > 0")
    assert locs["prim::If"] == _at(mat, "if n > 0")  # a statement: its keyword
    assert locs["aten::matmul"] == _at(mat, "z @ y")


def test_method_locations_are_columns_of_the_file_not_of_the_dedented_method():
    locs = _locs(ember.jit.script(Scaled()).graph)
    assert locs["aten::add"] == _at(Scaled, "x +")
    assert locs["aten::sum"] == _at(Scaled, "x.sum()")
    add = next(op for op in ember.jit.script(Scaled()).graph.walk() if op.kind == "aten::add")
    assert add.loc.text == "        return (x +"


def traced(x, y):
    z = ember.neg(x) + x.size(1)
    return z @ y


def test_traced_ops_carry_the_users_frame():
    g = ember.jit.trace(traced, (ember.ones(2, 2), ember.ones(2, 2))).graph
    locs = _locs(g)
    assert locs["aten::neg"] == _at(traced, "ember.neg(x)")
    assert locs["aten::size"] == _at(traced, "x.size(1)")
    assert locs["aten::add"] == _at(traced, "ember.neg(x) + x.size(1)")
    assert locs["aten::matmul"] == _at(traced, "z @ y")
    matmul = next(op for op in g.walk() if op.kind == "aten::matmul")
    assert matmul.loc.text == "    return z @ y"


class Outer(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = ember.nn.Linear(2, 2)

    def forward(self, x):
        return self.inner(x).relu()


def test_traced_submodules_are_located_at_the_users_call():
    m = ember.jit.trace(Outer(), ember.ones(1, 2))
    assert _locs(m.graph)["prim::CallMethod"] == _at(Outer, "self.inner(x)")
    assert _locs(m.graph)["aten::relu"] == _at(Outer, "self.inner(x).relu()")
    assert _locs(m.inner.graph)["aten::linear"] == _at(Outer, "self.inner(x)")  # not ember's


def test_graph_ends_op_lines_with_their_location_as_torch_prints_it():
    lines = str(ember.jit.script(mat).graph).splitlines()
    relu = next(line for line in lines if "aten::relu" in line)
    assert relu.endswith(f") # {_at(mat, 'x.relu()')}")
    branch = next(line for line in lines if "prim::If" in line)
    assert branch.endswith(f" # {_at(mat, 'if n > 0')}")
    assert all(" # " in line for line in lines if " = " in line)  # every op
    assert not [line for line in lines if " = " not in line and "#" in line]  # return, ->, blocks


_OP_LINE = re.compile(r"^\s*(?:%.+)?= ([\w:]+)(?:\[.*\])?\(.*\)(?: # (.+))?$")


def _located_ops(graph_text):
    """(kind, location) of each op line except constants (torch pools those)."""
    found = collections.Counter()
    for line in graph_text.splitlines():
        m = _OP_LINE.match(line)
        if m and m.group(1) != "prim::Constant" and m.group(2):
            found[m.groups()] += 1
    return found


@pytest.mark.parametrize("name", NAMES)
def test_ops_are_located_where_torch_locates_them(name, torch):
    ours = str(ember.jit.script(getattr(bound(dual, ember, "dual_ember"), name)).graph)
    theirs = str(torch.jit.script(getattr(bound(dual, torch, "dual_torch"), name)).graph)
    in_file = collections.Counter({k: n for k, n in _located_ops(theirs).items()
                                   if k[1].startswith(dual.__file__)})  # fmt: skip
    assert in_file
    assert not in_file - _located_ops(ours)


def _failure_notes(fn, *args) -> list[str]:
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 - any failure will do, its notes are the point
        return getattr(e, "__notes__", [])
    raise AssertionError("no exception")


def test_runtime_errors_name_the_users_line_and_source():
    notes = _failure_notes(ember.jit.script(mat), ember.ones(2, 3), ember.ones(2, 3), 1)
    assert notes == [
        "While executing %z.2 : Tensor = aten::matmul(%z, %y)\n"
        f"  at {_at(mat, 'z @ y')}\n"
        "    z = z @ y"
    ]


def test_runtime_errors_of_traced_code_name_the_users_line_and_source():
    f = ember.jit.trace(traced, (ember.ones(2, 2), ember.ones(2, 2)))
    [note] = _failure_notes(f, ember.ones(2, 3), ember.ones(2, 3))
    assert note.startswith("While executing ")
    assert " = aten::matmul(" in note.splitlines()[0]
    assert note.splitlines()[1:] == [f"  at {_at(traced, 'z @ y')}", "    return z @ y"]


def calls_mat(x, y):
    return mat(x, y, 1) + 1


def test_runtime_errors_in_called_functions_name_both_lines():
    notes = _failure_notes(ember.jit.script(calls_mat), ember.ones(2, 3), ember.ones(2, 3))
    assert [n.splitlines()[1:] for n in notes] == [
        [f"  at {_at(mat, 'z @ y')}", "    z = z @ y"],
        [f"  at {_at(calls_mat, 'mat(x, y, 1)')}", "    return mat(x, y, 1) + 1"],
    ]
