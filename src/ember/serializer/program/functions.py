"""One IR graph as a program `Function`: registers, blocks and ops.

`inlined(graph, unit)` copies a method's graph with every ``prim::CallMethod`` and
``prim::CallFunction`` replaced by the callee's body (`ember.ir.inline`; a function kept in
Python contributes its compiled stand-in, which raises, as the archive's code does), so each
method of the program is one block tree. `write_function` then numbers the values: the
graph's inputs are registers ``0..n-1``, every other value gets the next number where it is
defined (block arguments, then op results, in program order), so registers are written
before they are read. ``prim::Return`` and ``prim::Yield`` become their block's `results`;
``prim::Constant`` names a constant, ``prim::GetAttr`` / ``prim::SetAttr`` their attribute.
Every other op must carry all the arguments of its schema (the IR fills in defaults), so
the runtime never needs the defaults.

Example:
    >>> from ember.ir import Builder, Graph, types as T
    >>> from ember.serializer.program.values import StorageIndex, Tables
    >>> b = Builder(Graph("f"))
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> b.return_(b.emit("aten::add.Tensor", x, x, name="y"))
    >>> tables = Tables(StorageIndex())
    >>> fn = write_function(b.graph, "f", tables)
    >>> fn.num_registers, fn.register_names, fn.body.results
    (3, ['x', '', 'y'], [2])
    >>> [(tables.program.operators[op.operator].qualified_name, op.inputs, op.outputs)
    ...  for op in fn.body.ops]
    [('prim::Constant', [], [1]), ('aten::add.Tensor', [0, 0, 1], [2])]
"""

from __future__ import annotations

from ember.errors import SerializationError
from ember.ir import Builder, Graph, Operation
from ember.ir.inline import clone_block_into, clone_graph, inline_calls
from ember.ir.registry import lookup
from ember.serializer.program import model
from ember.serializer.program.values import Tables

__all__ = ["inlined", "write_function"]

_CALLS = ("prim::CallFunction", "prim::CallMethod")
_TERMINATORS = ("prim::Return", "prim::Yield")
_MAX_DEPTH = 32


def inlined(graph: Graph, unit) -> Graph:
    """A copy of `graph` with every call inlined (see the module docstring)."""
    g = clone_graph(graph)
    for _ in range(_MAX_DEPTH):
        inline_calls(g, unit)
        calls = [op for op in g.walk() if op.kind in _CALLS]
        if not calls:
            return g
        for op in calls:
            _inline_python_stand_in(op, unit)
    raise SerializationError(f"inlining the calls of {graph.name} did not finish: recursion?")


def _inline_python_stand_in(op: Operation, unit) -> None:
    name = op.attrs.get("name")
    if op.kind == "prim::CallFunction":
        fn = unit.functions.get(name) if unit is not None else None
    else:
        fn = getattr(op.operands[0].type, "methods", {}).get(name)
    if fn is None:
        raise SerializationError(
            f"{_where(op)}{op.kind} of {name!r}: the program record needs the callee's compiled "
            "code, and it has none"
        )
    callee = fn.graph
    vmap = {id(a): v for a, v in zip(callee.inputs, op.operands)}
    b = Builder()
    with b.inserting_before(op):
        clone_block_into(callee.block, b, vmap)
    for r, v in zip(op.results, callee.outputs):
        r.replace_all_uses_with(vmap[id(v)])
    op.erase()


def write_function(graph: Graph, name: str, tables: Tables) -> model.Function:
    """`graph` (calls already inlined) as a `model.Function`, its values in `tables`."""
    w = _FunctionWriter(tables)
    arguments = [a.name or f"arg{i}" for i, a in enumerate(graph.inputs)]
    body = w.block(graph.block)
    return model.Function(name, len(w.types), w.types, w.names, arguments, body)


class _FunctionWriter:
    def __init__(self, tables: Tables):
        self.tables = tables
        self.registers: dict[int, int] = {}
        self.types: list[str] = []
        self.names: list[str] = []

    def define(self, value) -> int:
        index = self.registers[id(value)] = len(self.types)
        self.types.append(value.type.graph_str())
        self.names.append(value.name or "")
        return index

    def use(self, value, op: Operation) -> int:
        index = self.registers.get(id(value))
        if index is None:
            raise SerializationError(
                f"{_where(op)}{op.qualified_name} reads a value defined after it or outside "
                "its function"
            )
        return index

    def block(self, block) -> model.Block:
        out = model.Block([self.define(a) for a in block.args])
        for op in block.ops:
            if op.kind in _TERMINATORS:
                out.results = [self.use(v, op) for v in op.operands]
                break
            out.ops.append(self.op(op))
        return out

    def op(self, op: Operation) -> model.Op:
        _check_operands(op)
        out = model.Op(self.tables.operator(op.kind, op.overload))
        out.inputs = [self.use(v, op) for v in op.operands]
        out.blocks = [self.block(b) for b in op.blocks]
        out.outputs = [self.define(r) for r in op.results]
        if op.kind == "prim::Constant":
            out.constant = self.tables.constant(op.attrs.get("value"), op.result.type)
        elif op.kind in ("prim::GetAttr", "prim::SetAttr"):
            out.name = op.attrs["name"]
        elif op.attrs:
            raise SerializationError(
                f"{_where(op)}{op.qualified_name} has attributes {sorted(op.attrs)} the program "
                "record cannot hold"
            )
        if op.loc is not None:
            out.source = f"{op.loc.filename}:{op.loc.line}:{op.loc.col}"
        return out


def _check_operands(op: Operation) -> None:
    """The op is in the op table and carries every argument its schema has."""
    sig = lookup(op.qualified_name)
    if sig is None:
        raise SerializationError(f"{_where(op)}{op.qualified_name} is not in ember's op table")
    if op.kind in _CALLS:
        raise SerializationError(f"{_where(op)}{op.kind} of {op.attrs.get('name')!r} remains")
    n, count = len(sig.params), len(op.operands)
    if count < n or (count > n and not sig.variadic):
        raise SerializationError(
            f"{_where(op)}{op.qualified_name} has {count} operands but its schema "
            f"{sig.opdef.schema} has {n} arguments"
        )


def _where(op: Operation) -> str:
    return f"{op.loc}: " if op.loc is not None else ""
