"""Running IR passes in order, with the verifier after lowering and after every pass.

`run_passes` is what the compiler calls on a freshly lowered graph. With verification on
(`VERIFY_EACH_PASS`, which the test suite turns on, or the environment variable
``EMBER_VERIFY_PASSES=1``) the graph is verified before the first pass, so a lowering bug is
reported as such, and after each pass, so a broken pass is named in the error.

Example:
    >>> from ember.ir import Builder, Graph, types as T
    >>> from ember.ir.passes import eliminate_dead_code
    >>> b = Builder(Graph("f"))
    >>> n = b.add_input(T.IntType.get(), "n")
    >>> unused = b.emit("aten::mul.int", n, 3)
    >>> b.return_(n)
    >>> run_passes(b.graph, [eliminate_dead_code], verify_each=True)
    {'eliminate_dead_code': 2}
"""

from __future__ import annotations

import os

from ember.errors import VerifyError
from ember.ir.core import Graph
from ember.ir.verifier import verify

__all__ = ["run_passes", "VERIFY_EACH_PASS"]

VERIFY_EACH_PASS = os.environ.get("EMBER_VERIFY_PASSES", "") not in ("", "0")
"""Verify before the first pass and after each one (tests set this True)."""


def run_passes(graph: Graph, passes, verify_each: bool | None = None) -> dict:
    """Run each pass (a function graph -> number of changes) on `graph`, in order.

    Returns the changes per pass name. With `verify_each` (default `VERIFY_EACH_PASS`),
    a graph that is invalid before a pass or after it raises `VerifyError` saying which.
    """
    check = VERIFY_EACH_PASS if verify_each is None else verify_each
    if check:
        _verify(graph, "after lowering (before any pass)")
    changes = {}
    for p in passes:
        name = getattr(p, "__name__", repr(p))
        changes[name] = p(graph)
        if check:
            _verify(graph, f"after pass {name}")
    return changes


def _verify(graph: Graph, when: str) -> None:
    try:
        verify(graph)
    except VerifyError as e:
        raise VerifyError(f"{when}: {e}") from e
