"""The upgrader table against torch 2.13's: the same overloads (every one ember's op table
has), ranges, names and old schemas, and bodies that are valid IR and valid archive code."""

import pytest

from ember import ops
from ember.compiler.modules.archive import CodeUnit
from ember.ir import verify
from ember.upgraders import UPGRADERS, for_version

BY_OVERLOAD = {u.overload: u for u in UPGRADERS}


def _torch_entries(torch):
    """torch's version map, for the overloads ember's op table has."""
    table = torch._C._get_operator_version_map()
    return {name: entries for name, entries in table.items() if _in_op_table(name)}


def _in_op_table(qualified: str) -> bool:
    try:
        ops.get(qualified)
    except KeyError:
        return False
    return True


def test_table_covers_exactly_torchs_upgraders_for_ember_ops(torch):
    assert len(BY_OVERLOAD) == len(UPGRADERS), "one entry per overload (until one changes twice)"
    assert set(BY_OVERLOAD) == set(_torch_entries(torch))


def test_every_versioned_op_has_its_upgrader():
    """An op whose version is above the base version 3 changed meaning at that version: the
    versions before it need an upgrader (or a pass-through entry)."""
    for op in ops.all_ops():
        if op.version > 3:
            up = BY_OVERLOAD.get(op.qualified_name)
            assert up is not None, f"{op.qualified_name} (version {op.version}) has no upgrader"
            assert up.versions == (0, op.version - 1)


@pytest.mark.parametrize("up", UPGRADERS, ids=lambda u: u.overload)
def test_entry_is_torchs(torch, up):
    (entry,) = _torch_entries(torch)[up.overload]
    assert up.name == entry.upgrader_name
    assert up.old_schema == entry.old_schema
    assert entry.bumped_at_version == up.versions[1] + 1 == ops.get(up.overload).version
    ranges = torch._C._get_upgrader_ranges(up.overload)
    assert [(r.min_version, r.max_version) for r in ranges] == [up.versions]


@pytest.mark.parametrize("up", [u for u in UPGRADERS if u.body], ids=lambda u: u.name)
def test_body_is_valid_ir_and_archive_code(up):
    graph = up.graph()
    verify(graph)
    assert [a.name for a in graph.inputs] == [a.name for a in up.schema.arguments]
    assert up.source.startswith(f"def {up.name}(")
    unit = CodeUnit({"__torch__": up.source}.get)
    recompiled = unit.compiler.function(unit.function_source(f"__torch__.{up.name}"))
    kinds = [op.qualified_name for op in graph.walk()]
    assert [op.qualified_name for op in recompiled.graph.walk()] == kinds


def test_pass_through_entries_change_no_meaning():
    """Entries without a body: their old schema is the current one, or lacks only arguments
    with defaults (which `upgrade` checks)."""
    for up in UPGRADERS:
        if up.body is None:
            current = {a.name: a for a in ops.get(up.overload).schema.arguments}
            old = {a.name for a in up.schema.arguments}
            assert old <= set(current)
            assert all(current[n].has_default for n in set(current) - old)


def test_for_version():
    assert set(for_version(0)) == set(for_version(3)) == set(BY_OVERLOAD)
    assert set(for_version(4)) == {"aten::full", "aten::linspace", "aten::logspace", "aten::gelu"}
    assert list(for_version(9)) == ["aten::gelu"]
    assert for_version(10) == {} == for_version(11)
