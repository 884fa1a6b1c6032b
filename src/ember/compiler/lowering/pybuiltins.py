"""Lowering calls of Python's builtins: len, int, float, bool, str, min, max, abs, print,
isinstance, getattr, hasattr, and the TorchScript helpers annotate, unchecked_cast,
uninitialized and is_scripting, and ``ember._assert(condition, message)``, which is the
statement ``assert condition, message`` (as TorchScript makes ``torch._assert``).

Builtins with constant arguments fold at compile time (unless Python refuses them, as
``int("x")``: then they run, and fail, at run time). ``isinstance`` is decided from the
static type, except for an ``Optional`` value, which is tested against None at run time and
refined like ``x is not None``.

Example:
    >>> import ember
    >>> def pick(x: int | None) -> int:
    ...     if isinstance(x, int):
    ...         return x * 2
    ...     return -1
    >>> ember.jit.script(pick)(4), ember.jit.script(pick)(None)
    (8, -1)
"""

from __future__ import annotations

import builtins

from ember.compiler.lowering.typeinfo import TypeProblem, annotation_type, value_type
from ember.compiler.lowering.values import Known, ModuleRef, Sugared, fold
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.ir import types as T  # noqa: N812

__all__ = ["BuiltinLowering"]


class BuiltinLowering:
    def builtin_range(self, node):
        raise self.err(node, "range can only be used as the iterable of a for loop")

    def builtin_len(self, node):
        a = self.expr(node.args[0])
        if isinstance(a, ModuleRef):
            return Known(len(self.module_children(a, node)))
        if isinstance(a, Known) and isinstance(a.value, tuple | list | str):
            return Known(len(a.value))
        v = self.materialize(a, node.args[0])
        if isinstance(v.type, T.TupleType):
            return Known(len(v.type.elems))
        return self.call_op("aten::len", [v], {}, node, "len")

    def _convert(self, node, name, py):
        if not node.args:
            return Known(py())
        a = self.expr(node.args[0])
        folded = fold(py, a)
        if folded is not None:
            return folded
        v = self.materialize(a, node.args[0])
        if type(v.type) is {"Int": T.IntType, "Float": T.FloatType, "Bool": T.BoolType}[name]:
            return v
        return self.call_op(f"aten::{name}", [v], {}, node, py.__name__)

    def builtin_int(self, node):
        return self._convert(node, "Int", int)

    def builtin_float(self, node):
        return self._convert(node, "Float", float)

    def builtin_bool(self, node):
        return self._convert(node, "Bool", bool)

    def builtin_str(self, node):
        return self.call_op("aten::str", [self.value(node.args[0])], {}, node, "str")

    def _minmax(self, node, name):
        args = [self.expr(a) for a in node.args]
        folded = fold(getattr(builtins, name), *args)
        if folded is not None:
            return folded
        vals = [self.materialize(a, n) for a, n in zip(args, node.args)]
        kind = (
            f"prim::{name}"
            if not any(isinstance(v.type, T.TensorType) for v in vals)
            else f"aten::{name}"
        )
        if len(vals) > 2:
            out = vals[0]
            for v in vals[1:]:
                out = self.call_op(kind, [out, v], {}, node, name)
            return out
        return self.call_op(kind, vals, {}, node, name)

    def builtin_min(self, node):
        return self._minmax(node, "min")

    def builtin_max(self, node):
        return self._minmax(node, "max")

    def builtin_abs(self, node):
        a = self.expr(node.args[0])
        folded = fold(abs, a)
        if folded is not None:
            return folded
        v = self.materialize(a, node)
        kind = "aten::abs" if isinstance(v.type, T.TensorType) else "prim::abs"
        return self.call_op(kind, [v], {}, node, "abs")

    def builtin_print(self, node):
        if node.kwargs:
            raise self.err(node, "print() takes no keyword arguments in scripted code")
        args = [self.value(a) for a in node.args]
        self.b.op("prim::Print", args, [])
        return Known(None)

    def builtin_isinstance(self, node):
        return self.isinstance_condition(node)[0]

    def isinstance_condition(self, node):
        """(test, refinements if true, if false) of ``isinstance(x, T)``: known at compile
        time, except for an ``Optional`` value, whose None-ness is tested at run time (and
        `x` is refined to the non-None type where it is not None)."""
        v = self.expr(node.args[0])
        options = node.args[1].elts if isinstance(node.args[1], S.TupleExpr) else [node.args[1]]
        wants = [self._annotation(option) for option in options]
        if isinstance(v, Known):
            try:
                t = value_type(v.value)
            except TypeProblem:
                return Known(False), {}, {}
            return Known(any(T.is_subtype(t, w) for w in wants)), {}, {}
        if isinstance(v, Sugared):
            return Known(False), {}, {}
        if any(T.is_subtype(v.type, w) for w in wants):
            return Known(True), {}, {}
        if not isinstance(v.type, T.OptionalType):
            return Known(False), {}, {}
        some = any(T.is_subtype(v.type.elem, w) for w in wants)
        none = any(T.is_subtype(T.NoneType.get(), w) for w in wants)
        if not some and not none:
            return Known(False), {}, {}
        kind = "aten::__isnot__" if some else "aten::__is__"
        test = self.emit(kind, v, self.b.constant(None), node=node)
        refine = {node.args[0].id: v.type.elem} if isinstance(node.args[0], S.Name) else {}
        return (test, refine, {}) if some else (test, {}, refine)

    def builtin_getattr(self, node):
        obj = self.expr(node.args[0])
        name = self.expr(node.args[1])
        if not isinstance(name, Known) or not isinstance(obj, ModuleRef):
            raise self.err(node, "getattr needs a module and a constant attribute name")
        return self.module_attr(obj, name.value, node)

    def builtin_annotate(self, node):
        try:
            t = annotation_type(node.args[0], self.ctx.classes)
        except TypeProblem as e:
            raise self.err(node.args[0], str(e)) from None
        v = self.value(node.args[1], t)
        implicit = {T.IntType: "aten::IntImplicit", T.FloatType: "aten::FloatImplicit"}
        if isinstance(v.type, T.TensorType) and type(t) in implicit:
            # TorchScript prints a tensor used as a number (torch's LSTM's
            # `batch_sizes[0]` as a size) as annotate(int, tensor)
            return self.emit(implicit[type(t)], v, node=node)
        return self.coerce(v, t, node, "annotate")

    def builtin_unchecked_cast(self, node):
        t = self._annotation(node.args[0])
        return self.b.unchecked_cast(self.value(node.args[1]), t)

    def builtin_uninitialized(self, node):
        return self.b.uninitialized(self._annotation(node.args[0]))

    def _annotation(self, node):
        try:
            return annotation_type(node, self.ctx.classes)
        except TypeProblem as e:
            raise self.err(node, str(e)) from None

    def builtin_is_scripting(self, node):
        return Known(True)

    def builtin_any(self, node):
        return self.call_op("aten::any", [self.value(node.args[0])], {}, node, "any")

    def builtin_all(self, node):
        return self.call_op("aten::all", [self.value(node.args[0])], {}, node, "all")

    def builtin_is_grad_enabled(self, node):
        return self.call_op("aten::is_grad_enabled", [], {}, node, "is_grad_enabled")

    def builtin_is_tracing(self, node):
        return Known(False)

    def builtin_assert(self, node):
        """``torch._assert(cond, msg)``: compiled as the statement ``assert cond, msg``."""
        msg = node.args[1] if len(node.args) > 1 else None
        self.stmt_Assert(S.Assert(node.line, node.col, node.args[0], msg))
        return Known(None)

    def builtin_warn(self, node):
        """``warnings.warn(message[, category[, stacklevel]])``: ``aten::warn``, which
        always warns with UserWarning, as TorchScript's does."""
        message = self.value(node.args[0])
        given = dict(node.kwargs)
        level = node.args[2] if len(node.args) > 2 else given.get("stacklevel")
        args = [message] if level is None else [message, self.value(level)]
        self.call_op("aten::warn", args, {}, node, "warnings.warn")
        return Known(None)

    def builtin_hasattr(self, node):
        obj, name = self.expr(node.args[0]), self.expr(node.args[1])
        if not isinstance(name, Known) or not isinstance(obj, ModuleRef):
            raise self.err(node, "hasattr needs a module and a constant attribute name")
        info = obj.info
        return Known(name.value in info.kinds or info.has_method(name.value))
