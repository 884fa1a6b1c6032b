"""Tidying recorded graphs: dead-code elimination, and finding nondeterministic ops.

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> unused = b.emit("aten::size.int", x, 0)
    >>> b.return_(x)
    >>> eliminate_dead_code(b.graph)
    >>> [op.kind for op in b.graph.walk()]
    ['prim::Return']
"""

from __future__ import annotations

from ember.ir import registry
from ember.ir.core import Graph

__all__ = ["eliminate_dead_code", "nondeterministic_ops"]


def eliminate_dead_code(graph: Graph) -> None:
    """Erase pure ops whose results nobody uses (sizes read but not needed, constants)."""
    for op in reversed(list(graph.block.ops)):
        if any(r.uses for r in op.results) or op.blocks:
            continue
        sig = registry.lookup(op.qualified_name)
        pure = op.kind in ("prim::Constant", "prim::GetAttr") or (sig is not None and sig.is_pure)
        if pure and op.results:
            op.erase()


def nondeterministic_ops(graphs) -> list[str]:
    """Qualified names of ops in `graphs` whose results vary from run to run."""
    found = set()
    for g in graphs:
        for op in g.walk():
            sig = registry.lookup(op.qualified_name)
            if sig is not None and "nondeterministic" in sig.traits and _random(sig, op):
                found.add(op.qualified_name)
    return sorted(found)


def _random(sig, op) -> bool:
    """False for ops like dropout whose `train` operand is a constant False (eval mode)."""
    for p, v in zip(sig.params, op.operands):
        op_ = getattr(v, "op", None)
        if p.name == "train" and op_ is not None and op_.attrs.get("value") is False:
            return False
    return True
