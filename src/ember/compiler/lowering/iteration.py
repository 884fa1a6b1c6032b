"""Lowering `for` loops and list comprehensions.

A `for` loop becomes a ``prim::Loop`` with a trip count (``range``, lists, tensors,
``enumerate``, ``zip``) or is unrolled at compile time (tuples, ModuleList, Sequential).
"""

from __future__ import annotations

import builtins

from ember.compiler.lowering.exprs import DEAD
from ember.compiler.lowering.flow import (
    Region,
    assigned,
    has_exit,
    target_names,
)
from ember.compiler.lowering.values import Known, ModuleRef, PyObj, Sugared
from ember.compiler.parsing import syntax as S  # noqa: N812
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
                self.check_arity(name, node)
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
        if isinstance(t, T.StrType):
            n = self.emit("aten::len.str", v, node=node)
            return _Loop(n, lambda i: self.emit("aten::__getitem__.str", v, i, node=node))
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
        if len(node.args) == 1:
            inner = self.iter_source(node.args[0])
            if isinstance(inner, list):
                return [Known((Known(k), item)) for k, item in enumerate(inner)]
            return _Loop(self.min_trip([self.b.constant(_INT_MAX), inner.trip], node),
                         lambda i: Known((i, inner.get(i))))  # fmt: skip
        first = isinstance(node.args[1], S.Name | S.Const)  # TorchScript's order; no effects
        start = self.expr(node.args[1]) if first else None
        counter = self._counter(start, node) if first else None
        inner = self.iter_source(node.args[0])
        if not first:
            start = self.expr(node.args[1])
        if isinstance(inner, list):
            if not isinstance(start, Known):
                raise self.err(node, "enumerate over a tuple or modules needs a constant start")
            return [Known((Known(k), item)) for k, item in enumerate(inner, start.value)]
        lo, bound = counter or self._counter(start, node)

        def get(i):
            return Known((self.emit("aten::__derive_index", i, lo, 1, node=node), inner.get(i)))

        return _Loop(self.min_trip([bound, inner.trip], node), get)

    def _counter(self, start, node):
        """(start, count) of enumerate's counter: TorchScript counts from `start` up to
        INT_MAX alongside the iterable (``aten::__range_length``)."""
        if isinstance(start, Known) and isinstance(start.value, int):
            return self.b.constant(start.value), Known(len(range(start.value, _INT_MAX)))
        lo = self.materialize(start, node.args[1])
        return lo, self.emit("aten::__range_length", lo, _INT_MAX, 1, node=node)

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
        trips = [self.materialize(t, node) for t in trips]
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
        inits = [self.env[n] for n in carried]
        types = [self.declared_type(n, v.type) for n, v in zip(carried, inits)]
        loop = self.b.loop(trip, cond, inits, names=hints, types=types)
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


def _key_kind(t) -> str:
    return "str" if isinstance(t.key, T.StrType) else "int"
