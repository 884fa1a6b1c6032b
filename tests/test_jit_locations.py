"""Source locations: compiled and traced ops carry the user's file:line:col."""

import os

import ember

FILE = os.path.abspath(__file__)
with open(FILE) as _f:
    LINES = _f.read().splitlines()


def _at(snippet: str, within: str | None = None) -> str:
    """``FILE:line:col`` of the first occurrence of `snippet` (on a line containing `within`),
    with the column counted from 0, as `.graph` prints it."""
    for i, text in enumerate(LINES, 1):
        if snippet in text and (within is None or within in text):
            return f"{FILE}:{i}:{text.index(snippet)}"
    raise AssertionError(f"{snippet!r} is not in {FILE}")


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
    assert locs["aten::relu"] == _at("x.relu()")
    assert locs["aten::mul"] == _at("x.relu() * 2")  # an operator: where it starts
    assert locs["aten::gt"] == _at("n > 0")
    assert locs["prim::If"] == _at("if n > 0")  # a statement: its keyword
    assert locs["aten::matmul"] == _at("z @ y")


def test_method_locations_are_columns_of_the_file_not_of_the_dedented_method():
    locs = _locs(ember.jit.script(Scaled()).graph)
    assert locs["aten::add"] == _at("x +", within="return (x")
    assert locs["aten::sum"] == _at("x.sum()")
    add = next(op for op in ember.jit.script(Scaled()).graph.walk() if op.kind == "aten::add")
    assert add.loc.text == "        return (x +"
