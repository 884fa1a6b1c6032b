"""Upgraders in program records: the C++ table generated from the Python one is current, the
old archives of tests/fixtures/upgraders keep their old operators and version when converted
and carry exactly the upgrader bodies their version needs, and those bodies take the calls'
arguments positionally."""

import importlib.util
import io
from pathlib import Path

import pytest
from tests.program.programs import Archive, assert_valid, operators, walk_ops
from tests.upgraders.archives import FIXTURES

import ember
from ember.ir.registry import lookup
from ember.jit.converting import convert_archive
from ember.upgraders import UPGRADERS, for_version

ROOT = Path(__file__).resolve().parents[2]
OLD = sorted(p.name for p in FIXTURES.glob("*.pt") if p.name != "gelu_tanh_v9.pt")


def _tool():
    path = ROOT / "tools" / "gen_cpp_upgraders.py"
    spec = importlib.util.spec_from_file_location("gen_cpp_upgraders", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cpp_upgrader_table_is_generated_from_the_python_one():
    tool = _tool()
    committed = tool.OUT.read_text()
    assert committed == tool.table_text(), "run: python tools/gen_cpp_upgraders.py"
    rows = [line for line in committed.splitlines() if line.startswith("EMBER_UPGRADER(")]
    assert len(rows) == len(UPGRADERS)
    for row, up in zip(rows, UPGRADERS):
        assert f'"{up.overload}", {up.versions[0]}, {up.versions[1]}, "{up.name}"' in row


@pytest.mark.parametrize("up", [u for u in UPGRADERS if u.body is not None], ids=lambda u: u.name)
def test_upgrader_bodies_take_the_calls_operands_in_order(up):
    current = [p.name for p in lookup(up.overload).params]
    old = [a.name for a in up.schema.arguments]
    assert old == current
    assert [a.name for a in up.graph().inputs] == current


def _converted(name: str) -> Archive:
    out = io.BytesIO()
    convert_archive(FIXTURES / name, out)
    return Archive(out.getvalue())


@pytest.mark.parametrize("name", OLD)
def test_old_archives_keep_their_operators_and_version(name):
    archive = _converted(name)
    program = assert_valid(archive)
    assert program.version == archive.version
    called = {program.operators[op.operator].qualified_name
              for fn in program.functions for op in walk_ops(fn.body)}  # fmt: skip
    table = for_version(program.version)
    wanted = [up.name for o, up in table.items() if up.body is not None and o in called]
    assert sorted(u.name for u in program.upgraders) == sorted(wanted)
    assert operators(program) >= called


def test_a_version_3_division_is_still_the_old_operator():
    program = _converted("div_v3.pt").program
    assert {"aten::div.Tensor", "aten::div.Scalar"} <= operators(program)
    assert [u.name for u in program.upgraders] == ["div_Tensor_0_3", "div_Scalar_0_3"]
    body = program.upgraders[0]
    assert body.argument_names == ["self", "other"]
    inner = {program.operators[op.operator].qualified_name for op in walk_ops(body.body)}
    assert {"aten::div.Tensor", "aten::div.Tensor_mode", "prim::If"} <= inner


def test_free_functions_are_inlined_and_upgraded_too():
    program = _converted("function_v3.pt").program
    assert len(program.functions) == 1
    assert {u.name for u in program.upgraders} >= {"div_Tensor_0_3"}


def test_a_call_the_version_could_not_have_written_is_refused():
    with pytest.raises(ember.VersionError, match="gained in version 10"):
        convert_archive(FIXTURES / "gelu_tanh_v9.pt", io.BytesIO())


def test_jit_save_needs_no_upgrader():
    # the dynamic version rule puts every archive ember writes past its operators' upgraders
    m = ember.jit.script(_Div())
    program = Archive(_saved(m)).program
    assert program.version == 8 and program.upgraders == []


class _Div(ember.nn.Module):
    def forward(self, a, b):
        return ember.full([2], 3) / a + ember.linspace(0, 1, 2) + b


def _saved(m) -> bytes:
    buf = io.BytesIO()
    ember.jit.save(m, buf)
    return buf.getvalue()
