"""Lowering Python's standard library in scripted code: methods of lists, dicts and strings,
and the functions of the `math` module.

Each method is the op whose face it is in the op table (``d.get(k, 0)`` answers to the face
``dict.get`` of ``aten::get.default_str``, ``xs.sort()`` to ``list.sort`` of
``aten::sort.int``); the overload follows the receiver's and arguments' types. `math`
functions with constant arguments fold at compile time; otherwise they are the ops with the
face ``math.<name>`` (``math.sqrt(x)`` is ``aten::sqrt.float``), with C's results where
Python's `math` would raise (see `ember.ops.kernels.mathlib`).

Example:
    >>> import math
    >>> import ember
    >>> def norm(xs: list[float], d: dict[str, float]) -> float:
    ...     xs.sort(reverse=True)
    ...     return math.sqrt(xs[0] * xs[0] + d.get("extra", 0.0))
    >>> ember.jit.script(norm)([3.0, 1.0], {"extra": 16.0}), ember.jit.script(norm)([4.0], {})
    (5.0, 4.0)
"""

from __future__ import annotations

from ember.compiler.lowering.values import Known
from ember.ir import registry
from ember.ir import types as T  # noqa: N812

__all__ = ["LibraryLowering"]

_PY_NAME = {T.ListType: "list", T.DictType: "dict", T.StrType: "str"}
_REFUSED = (ValueError, OverflowError, ZeroDivisionError, TypeError)


class LibraryLowering:
    def value_method(self, f, node):
        """``recv.name(...)`` for a list, dict or str receiver."""
        recv = self.materialize(f.receiver, node)
        t = recv.type
        face = f"{_PY_NAME.get(type(t), '?')}.{f.name}"
        cands = registry.face_overloads(face)
        if not cands:
            raise self.err(node, f"'{t}' has no method '{f.name}' in scripted code")
        expected = t if f.name in ("extend", "update") else None
        args = [self.value(a, expected) for a in node.args]
        kwargs = {k: self.value(v) for k, v in node.kwargs}
        if isinstance(t, T.ListType) and f.name in ("append", "insert", "extend"):
            self._check_elements(t, f.name, args, node)
        if isinstance(t, T.DictType) and f.name in ("setdefault", "get", "pop") and len(args) > 1:
            args[1] = self.coerce(args[1], t.value, node, f"the default of dict.{f.name}")
        return self.call_op(cands, [recv, *args], kwargs, node, face)

    def _check_elements(self, t, name, args, node):
        if not args:
            return
        given = getattr(args[-1].type, "elem", None) if name == "extend" else args[-1].type
        if given is None or not T.is_subtype(given, t.elem):
            found = args[-1].type
            position = 2 if name == "insert" else 1
            raise self.err(node, f"expected {t.elem if name != 'extend' else t}, found {found} "
                                 f"in argument {position} of list.{name}")  # fmt: skip

    def call_math(self, fn, node):
        """``math.<name>(...)``: folded for constants, else TorchScript's scalar operator."""
        name = getattr(fn, "__name__", "?")
        if node.kwargs:
            raise self.err(node, f"math.{name} takes no keyword arguments in scripted code")
        args = [self.expr(a) for a in node.args]
        if all(isinstance(a, Known) for a in args):
            try:
                return Known(fn(*(a.value for a in args)))
            except _REFUSED:
                pass  # computed at run time, with C's result (nan, inf)
        cands = registry.face_overloads(f"math.{name}")
        if not cands:
            raise self.err(node, f"math.{name} is not supported in scripted code")
        vals = [self.materialize(a, n) for a, n in zip(args, node.args)]
        sig = registry.match_among(cands, [v.type for v in vals])
        if sig is None:
            shown = ", ".join(str(v.type) for v in vals)
            raise self.err(node, f"math.{name} does not accept arguments ({shown})")
        vals = [self._to_float(v, p, node) for v, p in zip(vals, sig.params)]
        return self.emit(sig.qualified_name, *vals, node=node)

    def _to_float(self, v, param, node):
        if isinstance(param.type, T.FloatType) and isinstance(v.type, T.IntType | T.BoolType):
            return self.emit(f"aten::Float.{'int' if isinstance(v.type, T.IntType) else 'bool'}",
                             v, node=node)  # fmt: skip
        return v
