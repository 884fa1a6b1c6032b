"""check_trace: compare what the traced program returns with what eager code returns.

`compare_outputs(eager, traced)` walks both nested results together and raises
TracingCheckError naming the first output that differs (its position, e.g. ``output[1]['a']``)
and by how much, in the style of PyTorch's ``Tensor-likes are not close!`` report.

Example:
    >>> import ember
    >>> compare_outputs((ember.ones(2),), (ember.ones(2),))
    >>> try:
    ...     compare_outputs(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.5]))
    ... except TracingCheckError as e:
    ...     print(str(e).splitlines()[1])
    ERROR: output of the traced function does not match the Python function on the example input.
"""

from __future__ import annotations

import numpy as np

from ember.ir import registry
from ember.tensor import Tensor
from ember.tracer.diagnostics import TracingCheckError
from ember.tracer.structure import describe

__all__ = ["compare_outputs", "mismatch_report", "TracingCheckError", "nondeterministic_ops"]

RTOL = 1e-5
ATOL = 1e-5


def compare_outputs(
    eager, traced, label: str = "on the example input", rtol=RTOL, atol=ATOL
) -> None:
    """Raise TracingCheckError if `traced` differs from `eager` anywhere (structure or values)."""
    problem = _first_difference(eager, traced, (), rtol, atol)
    if problem is not None:
        path, detail = problem
        raise TracingCheckError(
            f"ERROR: {describe(path)} of the traced function does not match the Python "
            f"function {label}.\n{detail}"
        )


def _first_difference(e, t, path, rtol, atol):
    if isinstance(e, Tensor):
        if not isinstance(t, Tensor):
            return path, f"Expected a Tensor, the trace returned {type(t).__name__}."
        detail = mismatch_report(e._np, t._np, rtol, atol)
        return None if detail is None else (path, detail)
    if isinstance(e, tuple | list):
        container = tuple if isinstance(e, tuple) else list  # named tuples come back plain
        if not isinstance(t, container) or len(t) != len(e):
            return path, f"Expected {_kind(e)}, the trace returned {_kind(t)}."
        for i, (a, b) in enumerate(zip(e, t)):
            found = _first_difference(a, b, (*path, i), rtol, atol)
            if found:
                return found
        return None
    if isinstance(e, dict):
        if not isinstance(t, dict) or list(t) != list(e):
            return path, f"Expected {_kind(e)}, the trace returned {_kind(t)}."
        for k in e:
            found = _first_difference(e[k], t[k], (*path, k), rtol, atol)
            if found:
                return found
        return None
    if e != t:
        return path, f"Expected {e!r} but got {t!r}."
    return None


def _kind(v) -> str:
    if isinstance(v, dict):
        return f"a dict with keys {list(v)}"
    if isinstance(v, tuple | list):
        return f"a {type(v).__name__} of {len(v)}"
    return f"a {type(v).__name__}"


def mismatch_report(expected: np.ndarray, actual: np.ndarray, rtol=RTOL, atol=ATOL):
    """None when close, else a report: mismatched count, greatest differences and where.

    >>> print(mismatch_report(np.array([1.0, 2.0]), np.array([1.0, 2.5])))
    Tensor-likes are not close!
    <BLANKLINE>
    Mismatched elements: 1 / 2 (50.0%)
    Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
    Greatest relative difference: 0.25 at index (1,) (up to 1e-05 allowed)
    """
    if expected.shape != actual.shape:
        return f"Shapes differ: expected {list(expected.shape)}, got {list(actual.shape)}."
    if expected.dtype != actual.dtype:
        return f"Dtypes differ: expected {expected.dtype}, got {actual.dtype}."
    exp, act = _as_float(expected), _as_float(actual)
    close = np.isclose(act, exp, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    abs_diff = np.abs(act - exp)
    abs_diff = np.where(np.isnan(abs_diff) & ~close, np.inf, abs_diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_diff = abs_diff / np.abs(exp)
    rel_diff = np.where(np.isnan(rel_diff), np.inf, rel_diff)
    bad = int((~close).sum())
    total = close.size
    lines = [
        "Tensor-likes are not close!",
        "",
        f"Mismatched elements: {bad} / {total} ({100.0 * bad / total:.1f}%)",
        _greatest("absolute", abs_diff, atol),
        _greatest("relative", rel_diff, rtol),
    ]
    return "\n".join(lines)


def _as_float(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "c":
        return a.astype(np.complex128)
    return a.astype(np.float64)


def _greatest(what: str, diff: np.ndarray, allowed: float) -> str:
    flat = int(np.argmax(diff)) if diff.size else 0
    index = tuple(int(i) for i in np.unravel_index(flat, diff.shape)) if diff.ndim else ()
    value = float(diff.reshape(-1)[flat]) if diff.size else 0.0
    return f"Greatest {what} difference: {value} at index {index} (up to {allowed} allowed)"


def nondeterministic_ops(graphs) -> list[str]:
    """Qualified names of ops in `graphs` whose results vary from run to run (check_trace
    cannot compare those runs).

    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> b.return_(b.emit("aten::rand", [2]))
    >>> nondeterministic_ops([b.graph])
    ['aten::rand']
    """
    found = set()
    for g in graphs:
        for op in g.walk():
            sig = registry.lookup(op.qualified_name)
            if sig is not None and "nondeterministic" in sig.traits and _random(sig, op):
                found.add(op.qualified_name)
    return sorted(found)


_NOT_RANDOM = {"train": False, "dropout_p": 0.0, "dropout": 0.0}  # operand -> constant


def _random(sig, op) -> bool:
    """False for ops whose randomness a constant operand switches off: dropout with `train`
    False (eval mode), attention with `dropout_p` 0, an LSTM with `dropout` 0."""
    for p, v in zip(sig.params, op.operands):
        const = getattr(v, "op", None)
        if p.name in _NOT_RANDOM and const is not None and const.kind == "prim::Constant":
            value = const.attrs.get("value")
            if type(value) is type(_NOT_RANDOM[p.name]) and value == _NOT_RANDOM[p.name]:
                return False
    return True
