"""Applying the upgrader table to compiled code: `upgrade(unit, version)`.

For every graph of a compilation unit (class methods and free functions, nested blocks
included), each call of an overload whose upgrader covers `version` is first checked against
the overload's schema at that version: an argument the old schema lacks (``approximate`` of
``aten::gelu`` before version 10) must have its default, or the file contradicts its own
version and `ember.VersionError` names the call and its location (torch 2.13 refuses such a
file too). Then, when the upgrader has a body, the call is replaced by a copy of the body, its
operands standing for the old schema's arguments of the same names, as TorchScript's
``ReplaceOldOperatorsWithUpgraders`` pass does. The copied ops carry the call's source
location, and the last one its result name.

Example: a version-3 graph whose ``a / b`` divided integer tensors truncating.
    >>> import ember
    >>> from ember.ir import Builder, CompilationUnit, Function, Graph, SourceLocation
    >>> from ember.ir import types as T
    >>> b = Builder(Graph("f"))
    >>> a, d = b.add_input(T.TensorType.get(), "a"), b.add_input(T.TensorType.get(), "b")
    >>> with b.located(SourceLocation("m.py", 3, 11, "    return a / b")):
    ...     q = b.emit("aten::div.Tensor", a, d, name="q")
    >>> b.return_(q)
    >>> unit = CompilationUnit()
    >>> _ = unit.add_function(Function("__torch__.f", b.graph, [], T.TensorType.get()))
    >>> upgrade(unit, 3), upgrade(unit, 3)   # a graph is upgraded once
    (1, 0)
    >>> print(b.graph, end="")
    graph(%a : Tensor,
          %b : Tensor):
      %0 : bool = aten::is_floating_point(%a) # m.py:3:11
      %1 : bool = aten::is_floating_point(%b) # m.py:3:11
      %2 : bool = aten::__or__(%0, %1) # m.py:3:11
      %q : Tensor = prim::If(%2) # m.py:3:11
        block0():
          %3 : Tensor = aten::div(%a, %b) # m.py:3:11
          -> (%3)
        block1():
          %4 : str = prim::Constant[value="trunc"]() # m.py:3:11
          %5 : Tensor = aten::div(%a, %b, %4) # m.py:3:11
          -> (%5)
      return (%q)
    >>> f = ember.runtime.compile_graph(b.graph, unit)
    >>> f(ember.tensor([-7, 7]), ember.tensor([2, 2])), f(ember.tensor([-7.0]), ember.tensor([2]))
    (tensor([-3,  3]), tensor([-3.5000]))
"""

from __future__ import annotations

import weakref
from collections import Counter

from ember.errors import VerifyError, VersionError
from ember.ir import Builder, CompilationUnit, Graph, Operation, OpResult, pipeline, verify
from ember.ir.inline import clone_block_into
from ember.ir.registry import lookup
from ember.upgraders.table import Upgrader, for_version

__all__ = ["upgrade", "upgrade_graph", "check_calls"]

_UPGRADED: weakref.WeakSet[Graph] = weakref.WeakSet()
"""Graphs an earlier `upgrade` has seen: they are never upgraded twice."""


def upgrade(unit: CompilationUnit, version: int, applied: Counter | None = None) -> int:
    """Give every call in `unit` the meaning its operator had at archive version `version`.

    Rewrites, in place, every graph of `unit` (methods and free functions) that no earlier
    call has upgraded, so a loader that compiles lazily may call it again after compiling
    more. Returns the number of calls replaced by upgrader bodies, and counts them by
    upgrader name in `applied` if given. Raises `VersionError` for a call the archive's
    version could not have written.
    """
    table = for_version(version)
    if not table:
        return 0
    total = 0
    for graph in unit.graphs():
        if graph not in _UPGRADED:
            total += upgrade_graph(graph, version, table, applied)
            _UPGRADED.add(graph)
    return total


def check_calls(unit: CompilationUnit, version: int) -> None:
    """Raise `VersionError` for a call in `unit` that archive version `version` could not have
    written (an argument its old schema lacks, given a value other than its default), as
    `upgrade` does, without rewriting anything."""
    table = for_version(version)
    if not table:
        return
    for graph in unit.graphs():
        for op in graph.walk():
            up = table.get(op.qualified_name)
            if up is not None:
                _check_arguments(op, up, version)


def upgrade_graph(
    graph: Graph,
    version: int,
    table: dict[str, Upgrader] | None = None,
    applied: Counter | None = None,
) -> int:
    """`upgrade` for one graph (always rewrites: it keeps no record of `graph`). The graph is
    left as it was when a call is refused."""
    table = for_version(version) if table is None else table
    calls = [(op, table[op.qualified_name]) for op in graph.walk() if op.qualified_name in table]
    for op, up in calls:
        _check_arguments(op, up, version)
    rewrites = [(op, up) for op, up in calls if up.body is not None]
    for op, up in rewrites:
        _replace(op, up)
        if applied is not None:
            applied[up.name] += 1
    if rewrites:
        graph.changed()
        if pipeline.VERIFY_EACH_PASS:
            _verify(graph, version)
    return len(rewrites)


def _check_arguments(op: Operation, up: Upgrader, version: int) -> None:
    """Arguments the old schema lacks must hold their defaults (the call omitted them)."""
    old = {a.name for a in up.schema.arguments}
    for param, value in zip(lookup(op.qualified_name).params, op.operands):
        if param.name in old or _is_constant(value, param.default):
            continue
        given = _constant_text(value)
        raise VersionError(
            f"{_where(op)}{op.qualified_name} is called with {param.name}={given}, an argument "
            f"the operator gained in version {up.versions[1] + 1}, but the file's version is "
            f"{version}, where its schema was {up.old_schema}"
        )


def _replace(op: Operation, up: Upgrader) -> None:
    body = up.graph()
    operands = dict(zip((p.name for p in lookup(op.qualified_name).params), op.operands))
    vmap = {id(arg): operands[arg.name] for arg in body.inputs}
    b = Builder()
    with b.inserting_before(op), b.located(op.loc):
        clone_block_into(body.block, b, vmap)
    (result,) = (vmap[id(v)] for v in body.outputs)
    if isinstance(result, OpResult) and result.op.parent is op.parent:
        result.name = op.result.name
    op.result.replace_all_uses_with(result)
    op.erase()


def _is_constant(value, default) -> bool:
    return _constant(value) == (default,)


def _constant(value) -> tuple:
    """(the value,) of a ``prim::Constant``'s result; () for any other value."""
    op = getattr(value, "op", None)
    if op is None or op.kind != "prim::Constant":
        return ()
    return (op.attrs.get("value"),)


def _constant_text(value) -> str:
    const = _constant(value)
    return repr(const[0]) if const else f"a {value.type} value"


def _where(op: Operation) -> str:
    return f"{op.loc}: " if op.loc is not None else ""


def _verify(graph: Graph, version: int) -> None:
    try:
        verify(graph)
    except VerifyError as e:
        raise VerifyError(f"after the upgraders for version {version}: {e}") from e
