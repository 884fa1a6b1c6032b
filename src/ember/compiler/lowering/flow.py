"""Helpers shared by the statement and loop lowering: regions, assigned names, exits."""

from __future__ import annotations

from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.ir.core import OpResult

__all__ = ["Region", "RetryWithReturnType", "set_results", "assigned", "target_names", "has_exit"]


class RetryWithReturnType(Exception):  # noqa: N818
    """A loop returns and the function has no return annotation: lower again with this type."""


class Region:
    """Where a path of statements ends: a function body or a loop body."""

    def __init__(self, kind, carried=(), test=None, unrolled=False):
        self.kind, self.carried, self.test = kind, list(carried), test
        self.unrolled = unrolled
        """One iteration of an unrolled loop: `break` also sets ``$broken``."""


def set_results(op, types, names=None):
    op.results = [OpResult(t, op, i, (names or [None] * len(types))[i])
                  for i, t in enumerate(types)]  # fmt: skip


def target_name(node):
    return getattr(node, "id", None) or getattr(node, "attr", "target")


def target_names(node):
    if node is None:
        return set()
    if isinstance(node, S.Name):
        return {node.id}
    if isinstance(node, S.TupleExpr | S.ListExpr):
        return set().union(*(target_names(e) for e in node.elts)) if node.elts else set()
    return set()


def assigned(stmts) -> set:
    out = set()
    for st in stmts:
        if isinstance(st, S.Assign):
            for t in st.targets:
                out |= target_names(t)
        elif isinstance(st, S.AnnAssign | S.AugAssign):
            out |= target_names(st.target)
        elif isinstance(st, S.If):
            out |= assigned(st.body) | assigned(st.orelse)
        elif isinstance(st, S.While):
            out |= assigned(st.body)
        elif isinstance(st, S.For):
            out |= assigned(st.body) | target_names(st.target)
        elif isinstance(st, S.Return):
            out |= {"$ret_flag", "$ret_val"}
    return out


def has_exit(st, kind) -> bool:
    """Whether `st` contains an exit of the enclosing region (not of a nested loop)."""
    kinds = (S.Return,) if kind == "function" else (S.Break, S.Continue, S.Return)
    for s in [*getattr(st, "body", []), *getattr(st, "orelse", [])]:
        if isinstance(s, kinds):
            return True
        if isinstance(s, S.If) and has_exit(s, kind):
            return True
        if isinstance(s, S.While | S.For) and kind == "function" and has_exit(s, kind):
            return True
    return False
