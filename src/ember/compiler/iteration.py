"""Lowering `for` loops, list comprehensions and Python builtins.

A `for` loop becomes a ``prim::Loop`` with a trip count (``range``, lists, tensors,
``enumerate``, ``zip``) or is unrolled at compile time (tuples, ModuleList, Sequential).
"""

from __future__ import annotations

import builtins

from ember.compiler import syntax as S  # noqa: N812
from ember.compiler.exprs import DEAD
from ember.compiler.flow import (
    Region,
    assigned,
    has_exit,
    target_names,
)
from ember.compiler.typeinfo import TypeProblem, annotation_type
from ember.compiler.values import Known, ModuleRef, PyObj, Sugared
from ember.ir import Value
from ember.ir import types as T  # noqa: N812

__all__ = ["IterLowering"]

_INT = T.IntType.get()
_INT_MAX = 9223372036854775807


class _Loop:
    """A source of iterations: a trip count and `get(i)` -> the element of iteration i."""

    def __init__(self, trip, get):
        self.trip, self.get = trip, get


class IterLowering:
    def iter_source(self, node):
        """A `_Loop`, or a list of compile-time items to unroll over."""
        if isinstance(node, S.Call) and isinstance(node.func, S.Name):
            f = self.expr(node.func)
            name = getattr(f.obj, "__name__", None) if isinstance(f, PyObj) else None
            if name in ("range", "enumerate", "zip") and getattr(builtins, name) is f.obj:
                return getattr(self, "_iter_" + name)(node)
        v = self.expr(node)
        if isinstance(v, ModuleRef):
            return self.module_children(v, node)
        if isinstance(v, Known) and isinstance(v.value, tuple | list):
            return [x if isinstance(x, Sugared) else Known(x) for x in v.value]
        v = self.materialize(v, node)
        t = v.type
        if isinstance(t, T.TupleType):
            return self.b.tuple_unpack(v)
        if isinstance(t, T.ListType):
            n = self.emit("aten::len.t", v, node=node)
            return _Loop(n, lambda i: self.emit("aten::__getitem__.t", v, i, node=node))
        if isinstance(t, T.TensorType):
            n = self.emit("aten::len.Tensor", v, node=node)
            return _Loop(n, lambda i: self.emit("aten::select.int", v, 0, i, node=node))
        if isinstance(t, T.DictType):
            keys = self.emit("aten::keys." + _key_kind(t), v, node=node)
            n = self.emit("aten::len.t", keys, node=node)
            return _Loop(n, lambda i: self.emit("aten::__getitem__.t", keys, i, node=node))
        raise self.err(node, f"cannot iterate over a value of type {t}")

    def _iter_range(self, node):
        args = [self.value(a) for a in node.args]
        for a, raw in zip(args, node.args):
            if not isinstance(a.type, T.IntType):
                raise self.err(raw, f"expected int, found {a.type} in argument of range")
        if len(args) == 1:
            return _Loop(args[0], lambda i: i)
        if len(args) not in (2, 3):
            raise self.err(node, "range expects 1 to 3 arguments")
        lo, hi = args[0], args[1]
        step = args[2] if len(args) == 3 else self.b.constant(1)
        n = self.emit("aten::__range_length", lo, hi, step, node=node)
        return _Loop(n, lambda i: self.emit("aten::__derive_index", i, lo, step, node=node))

    def _iter_enumerate(self, node):
        inner = self.iter_source(node.args[0])
        start = self.value(node.args[1]) if len(node.args) > 1 else None
        if isinstance(inner, list):
            return [Known((Known(k), item)) for k, item in enumerate(inner)]

        def get(i):
            k = i if start is None else self.emit("aten::add.int", i, start, node=node)
            return Known((k, inner.get(i)))

        # TorchScript zips an unbounded counter with the iterable: min([INT_MAX, n])
        return _Loop(self.min_trip([self.b.constant(_INT_MAX), inner.trip], node), get)

    def _iter_zip(self, node):
        sources = [self.iter_source(a) for a in node.args]
        if all(isinstance(s, list) for s in sources):
            return [Known(tuple(items)) for items in zip(*sources)]
        if any(isinstance(s, list) for s in sources):
            raise self.err(node, "zip over a tuple or modules and a list is not supported")
        trip = self.min_trip([s.trip for s in sources], node)
        return _Loop(trip, lambda i: Known(tuple(s.get(i) for s in sources)))

    def min_trip(self, trips, node):
        """``prim::min`` of a list of trip counts, as TorchScript bounds enumerate/zip loops."""
        return self.emit("prim::min.self_int", self.b.list_construct(trips, _INT), node=node)

    def lower_for(self, st):
        src = self.iter_source(st.iter)
        if isinstance(src, list):
            self.unrolled(src, st)
            return

        def bind(i):
            self.assign(st.target, src.get(i), st)

        self.emit_loop(src.trip, self.b.constant(True), st.body, bind, None, st)

    def e_ListComp(self, node):
        result = self.b.list_construct([], T.TensorType.get())  # before the iterable, as torch
        src = self.iter_source(node.iter)
        saved = self.env
        self.env = dict(saved)
        if isinstance(src, list):
            result.op.erase()
            vals = []
            for item in src:
                self.assign(node.target, item, node)
                if node.conds:
                    raise self.err(node, "conditions in comprehensions over tuples or modules "
                                         "are not supported")  # fmt: skip
                vals.append(self.value(node.elt))
            self.env = saved
            t = self.join([v.type for v in vals], node, "a list element") if vals else _INT
            return self.b.list_construct(vals, t)
        loop = self.b.loop(src.trip, True)
        with self.b.at_end(loop.blocks[0]):
            self.assign(node.target, src.get(loop.blocks[0].args[0]), node)
            elem = self._comp_body(node, list(node.conds), result)
            self.b.yield_(True)
        self.env = saved
        result.type = T.ListType(elem)
        return result

    def _comp_body(self, node, conds, result):
        if not conds:
            v = self.value(node.elt)
            self.b.op("aten::append.t", [result, v], [T.ListType(v.type)])
            return v.type
        test, refine, _ = self.condition(conds[0])
        if isinstance(test, Known):
            return self._comp_body(node, conds[1:], result) if test.value else _INT
        op = self.b.if_(test)
        with self.b.at_end(op.blocks[0]):
            self.apply_refinements(refine)
            t = self._comp_body(node, conds[1:], result)
            self.b.yield_()
        with self.b.at_end(op.blocks[1]):
            self.b.yield_()
        return t

    def stmt_For(self, st):
        self.lower_for(st)

    def emit_loop(self, trip, cond, body, bind_target, test, st, unrolled=False, flag=None):
        """A prim::Loop over `body`; bind_target(i) binds the loop variables in the body."""
        names = assigned(body) | target_names(getattr(st, "target", None)) | {"$broken"}
        names.discard(flag)
        carried = [n for n in self.env if n in names and isinstance(self.env[n], Value)]
        hints = [n.lstrip("$") for n in carried]
        loop = self.b.loop(trip, cond, [self.env[n] for n in carried], names=hints)
        block = loop.blocks[0]
        saved = self.env
        self.env = dict(saved)
        for n, arg in zip(carried, block.args[1:]):
            self.env[n] = arg
        with self.b.at_end(block):
            if flag is not None:
                self.env[flag] = self.b.constant(True)
            if bind_target is not None:
                bind_target(block.args[0])
            exits = self.lower_seq(body, Region("loop", carried, test, unrolled))
            if exits is DEAD:
                exits = [self.b.constant(False)] + list(block.args[1:])
            for n, v, arg in zip(carried, exits[1:], block.args[1:]):
                if not T.is_subtype(v.type, arg.type):
                    raise self.err(st, f"variable '{n}' has type {arg.type} before the loop "
                                       f"but {v.type} at the end of its body")  # fmt: skip
            self.b.yield_(*exits)
        self.env = saved
        for n, r in zip(carried, loop.results):
            self.env[n] = r
        return loop

    def unrolled(self, items, st):
        """Unroll `for target in <tuple or module container>` over compile-time `items`.

        With break/continue/return in the body, each iteration becomes a loop that runs
        at most once (while nothing broke out), so the exits work as in real loops.
        """
        if has_exit(S.If(body=st.body), "loop"):
            self.env["$broken"] = self.b.constant(False)
            for item in items:
                broken = self.env["$broken"]
                const = getattr(getattr(broken, "op", None), "attrs", {}).get("value")
                if getattr(broken, "op", None) is not None and broken.op.kind == "prim::Constant":
                    cond = self.b.constant(not const)
                else:
                    cond = self.emit("aten::__not__", broken, node=st)

                def bind(i, item=item):
                    self.assign(st.target, item, st)

                self.emit_loop(self.b.constant(1), cond, st.body, bind, None, st, unrolled=True)
            return
        for item in items:
            self.assign(st.target, item, st)
            for s in st.body:
                self.lower_stmt(s)
                if self.env is DEAD:
                    return

    # -- builtins --------------------------------------------------------------------------
    def builtin_range(self, node):
        raise self.err(node, "range can only be used as the iterable of a for loop")

    def builtin_len(self, node):
        v = self.value(node.args[0])
        if isinstance(v.type, T.TupleType):
            return Known(len(v.type.elems))
        return self.call_op("aten::len", [v], {}, node, "len")

    def _convert(self, node, name, py):
        if not node.args:
            return Known(py())
        a = self.expr(node.args[0])
        if isinstance(a, Known):
            return Known(py(a.value))
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
        if all(isinstance(a, Known) for a in args):
            return Known(getattr(builtins, name)(*(a.value for a in args)))
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
        if isinstance(a, Known):
            return Known(abs(a.value))
        v = self.materialize(a, node)
        kind = "aten::abs" if isinstance(v.type, T.TensorType) else "prim::abs"
        return self.call_op(kind, [v], {}, node, "abs")

    def builtin_print(self, node):
        args = [self.value(a) for a in node.args]
        self.b.op("prim::Print", args, [])
        return Known(None)

    def builtin_isinstance(self, node):
        v = self.expr(node.args[0])
        options = node.args[1].elts if isinstance(node.args[1], S.TupleExpr) else [node.args[1]]
        for option in options:
            if self._isinstance(v, self._annotation(option)).value:
                return Known(True)
        return Known(False)

    def _isinstance(self, v, want):
        if isinstance(v, Known):
            return Known(v.value is None if isinstance(want, T.NoneType) else False)
        if isinstance(v, Sugared):
            return Known(False)
        return Known(T.is_subtype(v.type, want))

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
        return self.coerce(self.value(node.args[1], t), t, node, "annotate")

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

    def builtin_hasattr(self, node):
        obj, name = self.expr(node.args[0]), self.expr(node.args[1])
        if not isinstance(name, Known) or not isinstance(obj, ModuleRef):
            raise self.err(node, "hasattr needs a module and a constant attribute name")
        info = obj.info
        return Known(name.value in info.kinds or info.has_method(name.value))


def _key_kind(t) -> str:
    return "str" if isinstance(t.key, T.StrType) else "int"
