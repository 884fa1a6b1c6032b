"""Copying IR: `clone_graph`, and `inline_calls`, which replaces calls (``prim::CallFunction``,
``prim::CallMethod``) by the body of the function or method they call.

Example:
    >>> from ember.ir import Graph, Builder, verify, types as T
    >>> from ember.ir.unit import CompilationUnit, Function, Param
    >>> callee = Builder(Graph("double"))
    >>> v = callee.add_input(T.IntType.get(), "v")
    >>> callee.return_(callee.emit("aten::mul.int", v, 2, name="twice"))
    >>> unit = CompilationUnit()
    >>> _ = unit.add_function(Function("__torch__.double", callee.graph,
    ...                                [Param("v", T.IntType.get())], T.IntType.get()))
    >>> b = Builder(Graph("f"))
    >>> n = b.add_input(T.IntType.get(), "n")
    >>> call = b.call_function("__torch__.double", [n], [T.IntType.get()])
    >>> b.return_(call.result)
    >>> inline_calls(b.graph, unit)
    1
    >>> verify(b.graph)
    >>> print(b.graph, end="")
    graph(%n : int):
      %0 : int = prim::Constant[value=2]()
      %twice : int = aten::mul(%n, %0)
      return (%twice)
"""

from __future__ import annotations

from ember.errors import VerifyError
from ember.ir.builder import Builder
from ember.ir.core import Block, Graph, Operation
from ember.ir.depth import block_depth, with_room

__all__ = ["clone_graph", "clone_block_into", "inline_calls"]


def clone_block_into(src: Block, builder: Builder, vmap: dict) -> None:
    """Copy the ops of `src` (except a final ``prim::Return``) at `builder`'s insertion point,
    with their source locations.

    `vmap` maps ``id(old value)`` to the new value; it must already hold every value `src`
    uses from outside (graph inputs, block arguments), and receives the new definitions.
    """
    for op in src.ops:
        if op.kind == "prim::Return":
            break
        new = Operation(
            op.kind,
            op.overload,
            [vmap[id(v)] for v in op.operands],
            [r.type for r in op.results],
            dict(op.attrs),
            len(op.blocks),
        )
        new.loc = op.loc
        for r, nr in zip(op.results, new.results):
            nr.name = r.name
            vmap[id(r)] = nr
        builder.insert(new)
        for old_block, new_block in zip(op.blocks, new.blocks):
            for a in old_block.args:
                vmap[id(a)] = new_block.add_arg(a.type, a.name)
            with builder.at_end(new_block):
                clone_block_into(old_block, builder, vmap)


def clone_graph(graph: Graph) -> Graph:
    """An independent copy of `graph` (same names, types, attributes and defaults)."""
    return with_room(block_depth(graph), _clone_graph, graph)


def _clone_graph(graph: Graph) -> Graph:
    out = Graph(graph.name)
    out.defaults = dict(graph.defaults)
    out.kwonly = set(graph.kwonly)
    vmap = {id(a): out.add_input(a.type, a.name) for a in graph.inputs}
    b = Builder(out)
    clone_block_into(graph.block, b, vmap)
    b.loc = getattr(graph.block.terminator, "loc", None)
    b.return_(*[vmap[id(v)] for v in graph.outputs])
    return out


def inline_calls(graph: Graph, unit, max_depth: int = 32) -> int:
    """Replace every ``prim::CallFunction`` of a function of `unit` and every
    ``prim::CallMethod`` of a compiled method of the object's class type by the callee's
    body (as TorchScript's ``inlined_graph``); calls of functions kept in Python stay.
    Returns the number of calls inlined."""
    return with_room(block_depth(graph), _inline_calls, graph, unit, max_depth)


def _inline_calls(graph: Graph, unit, max_depth: int) -> int:
    total = 0
    for _ in range(max_depth):
        calls = [op for op in graph.walk() if op.kind in _CALLS]
        done = sum(_inline_one(op, _callee(op, unit)) for op in calls)
        total += done
        if not done:
            if total:
                graph.changed()
            return total
    raise VerifyError(f"inlining calls in {graph.name} did not finish: recursive functions?")


_CALLS = ("prim::CallFunction", "prim::CallMethod")


def _callee(op: Operation, unit):
    """The compiled function a call runs, or None when it has none (or runs Python)."""
    if op.kind == "prim::CallFunction":
        fn = unit.functions.get(op.attrs["name"])
    else:
        fn = getattr(op.operands[0].type, "methods", {}).get(op.attrs["name"])
    return None if fn is None or fn.python is not None else fn.graph


def _inline_one(op: Operation, callee: Graph | None) -> int:
    if callee is None:
        return 0
    if len(callee.inputs) != len(op.operands) or len(callee.outputs) != len(op.results):
        raise VerifyError(f"call of {op.attrs['name']} does not match its graph's signature")
    vmap = {id(a): v for a, v in zip(callee.inputs, op.operands)}
    b = Builder()
    with b.inserting_before(op):
        clone_block_into(callee.block, b, vmap)
    for r, v in zip(op.results, callee.outputs):
        r.replace_all_uses_with(vmap[id(v)])
    op.erase()
    return 1
