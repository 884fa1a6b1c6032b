"""IR passes: dead-code elimination (what the compiler and the tracer run on new graphs).

Passes assume a valid graph and leave it valid (tests run `verify` after each). Each returns
the number of changes it made and calls `Graph.changed()` so compiled code is regenerated.

Side effects come from the op table: an op has them unless its traits say ``pure``
(``prim::Print``, ``aten::append.t``, ``prim::RaiseException``, ``prim::SetAttr``, calls,
in-place and random tensor ops have them); an ``if``/``loop`` is removable only when nothing
inside it has effects.

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> n = b.add_input(T.IntType.get(), "n")
    >>> unused = b.emit("aten::mul.int", n, 3)
    >>> b.return_(b.emit("aten::add.int", n, 1))
    >>> eliminate_dead_code(b.graph)
    2
    >>> print(b.graph, end="")
    graph(%n : int):
      %0 : int = prim::Constant[value=1]()
      %1 : int = aten::add(%n, %0)
      return (%1)
"""

from __future__ import annotations

from ember.ir import registry
from ember.ir.core import Block, Graph, Operation
from ember.ir.depth import block_depth, with_room

__all__ = ["eliminate_dead_code", "has_side_effects"]


def has_side_effects(op: Operation) -> bool:
    """Whether removing `op` (or anything nested in it) could change what a program does."""
    if op.kind in ("prim::If", "prim::Loop"):
        return any(has_side_effects(inner) for b in op.blocks for inner in b.ops)
    if op.kind in ("prim::Yield", "prim::Return"):
        return False
    sig = registry.lookup(op.qualified_name)
    return sig is None or sig.has_side_effects


# -- dead code ---------------------------------------------------------------------------------


def eliminate_dead_code(graph: Graph) -> int:
    """Remove unused side-effect-free ops, unused if/loop results and loop-carried values."""
    return with_room(block_depth(graph), _eliminate_dead_code, graph)


def _eliminate_dead_code(graph: Graph) -> int:
    total = 0
    while True:
        changed = _dce_block(graph.block)
        if not changed:
            break
        total += changed
    if total:
        graph.changed()
    return total


def _dce_block(block: Block) -> int:
    changed = 0
    for op in reversed(list(block.ops)):
        if op.kind == "prim::If":
            changed += _trim_if(op)
        elif op.kind == "prim::Loop":
            changed += _trim_loop(op)
        for inner in op.blocks:
            changed += _dce_block(inner)
        terminator = op.kind in ("prim::Yield", "prim::Return")
        if not terminator and not any(r.uses for r in op.results) and not has_side_effects(op):
            op.erase()
            changed += 1
    return changed


def _trim_if(op: Operation) -> int:
    dead = [i for i, r in enumerate(op.results) if not r.uses]
    for i in reversed(dead):
        for block in op.blocks:
            _drop_operand(block.terminator, i)
        _drop_result(op, i)
    return len(dead)


def _trim_loop(op: Operation) -> int:
    body = op.blocks[0]
    dead = [i for i, r in enumerate(op.results) if not r.uses and _only_feeds(body, i + 1)]
    for i in reversed(dead):
        _drop_operand(body.terminator, i + 1)
    if dead:
        while _dce_block(body):
            pass
    for i in reversed(dead):
        _drop_operand(op, i + 2)
        body.erase_arg(i + 1)
        _drop_result(op, i)
    return len(dead)


def _only_feeds(body: Block, slot: int) -> bool:
    """Whether block argument `slot` flows only, through pure ops, into yield slot `slot`."""
    pending, seen = [body.args[slot]], set()
    while pending:
        v = pending.pop()
        for use in v.uses:
            user = use.op
            if user is body.terminator:
                if use.index != slot:
                    return False
            elif user.blocks or has_side_effects(user) or user.parent is not body:
                return False
            elif id(user) not in seen:
                seen.add(id(user))
                pending.extend(user.results)
    return True


def _drop_operand(op: Operation, index: int) -> None:
    values = list(op.operands)
    op.drop_operands_only()
    for i, v in enumerate(values):
        if i != index:
            op.add_operand(v)


def _drop_result(op: Operation, index: int) -> None:
    del op.results[index]
    for i, r in enumerate(op.results):
        r.index = i
