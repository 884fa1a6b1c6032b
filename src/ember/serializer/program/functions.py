"""One IR graph as a program `Function`: registers, blocks and ops, with calls inlined.

`write_function(graph, name, tables, unit)` walks the graph once. Each ``prim::CallMethod`` and
``prim::CallFunction`` is replaced by the callee's body, written in place with the call's
operands standing for the callee's inputs (a function kept in Python contributes its compiled
stand-in, which raises, as the archive's code does), so each method of the program is one
block tree; the IR itself is not copied or changed. Values get registers where they are
defined: the graph's inputs are ``0..n-1``, then block arguments and op results in program
order (each inlined copy of a callee gets its own), so registers are written before they are
read. ``prim::Return`` and ``prim::Yield`` become their block's `results`; ``prim::Constant``
names a constant, ``prim::GetAttr`` / ``prim::SetAttr`` their attribute. Every other op must
carry all the arguments of its schema (the IR fills in defaults), so the runtime never needs
the defaults.

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
from ember.ir import Graph, Operation
from ember.ir.registry import lookup
from ember.serializer.program import model
from ember.serializer.program.values import Tables, type_text

__all__ = ["write_function"]

_CALLS = ("prim::CallFunction", "prim::CallMethod")
_TERMINATORS = ("prim::Return", "prim::Yield")
_MAX_DEPTH = 32


def write_function(graph: Graph, name: str, tables: Tables, unit=None) -> model.Function:
    """`graph` as a `model.Function`, its values in `tables`; calls resolve in `unit`."""
    w = _FunctionWriter(tables, unit)
    arguments = [a.name or f"arg{i}" for i, a in enumerate(graph.inputs)]
    body = w.block(graph.block, {}, [])
    defaults = _defaults(graph, tables)
    return model.Function(name, len(w.types), w.types, w.names, arguments, body, defaults)


def _defaults(graph: Graph, tables: Tables) -> list[int]:
    """Per input, the constant holding its default (-1: none); empty when none has one."""
    if not any(a.name in graph.defaults for a in graph.inputs):
        return []
    return [
        tables.constant(graph.defaults[a.name], a.type) if a.name in graph.defaults else -1
        for a in graph.inputs
    ]


class _FunctionWriter:
    def __init__(self, tables: Tables, unit):
        self.tables = tables
        self.unit = unit
        self.types: list[str] = []
        self.names: list[str] = []

    def define(self, value, env: dict) -> int:
        index = env[id(value)] = len(self.types)
        self.types.append(type_text(value.type))
        self.names.append(value.name or "")
        return index

    def use(self, value, op: Operation, env: dict) -> int:
        index = env.get(id(value))
        if index is None:
            raise SerializationError(
                f"{_where(op)}{op.qualified_name} reads a value defined after it or outside "
                "its function"
            )
        return index

    def block(self, block, env: dict, calls: list) -> model.Block:
        out = model.Block([self.define(a, env) for a in block.args])
        out.results = self.ops(block, env, out.ops, calls)
        return out

    def ops(self, block, env: dict, out: list, calls: list) -> list[int]:
        """Write `block`'s ops into `out`; returns the registers its terminator passes on."""
        for op in block.ops:
            if op.kind in _TERMINATORS:
                return [self.use(v, op, env) for v in op.operands]
            if op.kind in _CALLS:
                self.inline(op, env, out, calls)
            else:
                out.append(self.op(op, env, calls))
        return []

    def inline(self, op: Operation, env: dict, out: list, calls: list) -> None:
        """The callee's body in place of the call: its inputs are the call's operands."""
        callee = _callee(op, self.unit)
        if len(calls) >= _MAX_DEPTH or callee in calls:
            raise SerializationError(
                f"{_where(op)}{op.attrs.get('name')!r} calls itself: the program record "
                "inlines every call, so it cannot hold recursion"
            )
        if len(callee.inputs) != len(op.operands) or len(callee.outputs) != len(op.results):
            raise SerializationError(f"{_where(op)}the call of {op.attrs.get('name')!r} does "
                                     "not match its callee's signature")  # fmt: skip
        inner = {id(a): self.use(v, op, env) for a, v in zip(callee.inputs, op.operands)}
        results = self.ops(callee.block, inner, out, [*calls, callee])
        for r, reg in zip(op.results, results):
            env[id(r)] = reg

    def op(self, op: Operation, env: dict, calls: list) -> model.Op:
        _check_operands(op)
        out = model.Op(self.tables.operator(op.kind, op.overload))
        out.inputs = [self.use(v, op, env) for v in op.operands]
        out.blocks = [self.block(b, env, calls) for b in op.blocks]
        out.outputs = [self.define(r, env) for r in op.results]
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


def _callee(op: Operation, unit) -> Graph:
    """The graph a call runs: the function or method compiled for it (for one kept in Python,
    its compiled stand-in)."""
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
    return fn.graph


def _check_operands(op: Operation) -> None:
    """The op is in the op table and carries every argument its schema has."""
    sig = lookup(op.qualified_name)
    if sig is None:
        raise SerializationError(f"{_where(op)}{op.qualified_name} is not in ember's op table")
    n, count = len(sig.params), len(op.operands)
    if count < n or (count > n and not sig.variadic):
        raise SerializationError(
            f"{_where(op)}{op.qualified_name} has {count} operands but its schema "
            f"{sig.opdef.schema} has {n} arguments"
        )


def _where(op: Operation) -> str:
    return f"{op.loc}: " if op.loc is not None else ""
