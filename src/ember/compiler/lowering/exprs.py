"""Lowering expressions: names, attributes, literals, subscripts, conditions, assignment.

`expr(node)` gives an IR `Value` or a compile-time value (`ember.compiler.lowering.values`);
`value(node)` always gives a `Value`. Conditions also return *refinements*: the narrower
type a name has where the condition holds (``x is not None`` makes an ``Optional[T]``
variable a ``T``), applied with ``prim::unchecked_cast`` inside the branch.
"""

from __future__ import annotations

import builtins

from ember.compiler.lowering.flow import set_results
from ember.compiler.lowering.values import (
    BoundMethod,
    Known,
    ModuleRef,
    PyObj,
    Sugared,
    ValueMethod,
)
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.errors import VerifyError
from ember.ir import OpResult, Value
from ember.ir import types as T  # noqa: N812

__all__ = ["ExprLowering", "DEAD"]


class _Dead:
    """The environment after a `raise`: nothing that follows runs."""

    def __repr__(self):
        return "DEAD"


DEAD = _Dead()
_TENSOR, _INT, _BOOL = T.TensorType.get(), T.IntType.get(), T.BoolType.get()


class ExprLowering:
    # -- helpers ---------------------------------------------------------------------------
    def emit(self, qualified_name, *operands, node=None, **kwargs):
        try:
            return self.b.emit(qualified_name, *operands, **kwargs)
        except VerifyError as e:
            raise self.err(node or self.fn, str(e)) from None

    def materialize(self, v, node, expected=None):
        if isinstance(v, Value):
            return v
        if isinstance(v, Known):
            with self.b.located(v.loc or self.b.loc):  # a literal's constant is located at it
                return self.known_value(v, node, expected)
        if isinstance(v, ModuleRef):
            return v.value
        if isinstance(v, PyObj) and hasattr(v.obj, "scalar_type") and hasattr(v.obj, "itemsize"):
            return self.b.constant(int(v.obj.scalar_type))
        if isinstance(v, PyObj) and type(v.obj).__name__ == "Tensor":
            return self.b.constant(v.obj, T.TensorType.get())
        raise self.err(node, f"'{_describe(node)}' cannot be used as a value in scripted code")

    def known_value(self, v, node, expected):
        t = expected if v.value is None and isinstance(expected, T.OptionalType) else None
        try:
            if isinstance(v.value, list):
                return self.b.list_construct(v.value, None if v.value else _TENSOR)
            return self.b.constant(v.value, t if t is not None else None)
        except VerifyError as e:  # a global holding values of mixed or unknown types
            raise self.err(node, f"'{_describe(node)}' cannot be used as a value in scripted "
                                 f"code: {e}") from None  # fmt: skip

    def value(self, node, expected=None):
        return self.materialize(self.expr(node, expected), node, expected)

    def coerce(self, v, t, node, what):
        if t is None or T.is_subtype(v.type, t):
            return v
        if isinstance(t, T.FloatType) and isinstance(v.type, T.IntType):
            return self.emit("aten::Float.int", v, node=node)
        raise self.err(node, f"expected {t}, found {v.type} for {what}")

    def join(self, types, node, what):
        out = types[0]
        for t in types[1:]:
            j = T.unify(out, t)
            if j is None:
                raise self.err(node, f"{what} has type {out} on one path and {t} on another")
            out = j
        return out

    # -- dispatch --------------------------------------------------------------------------
    def at(self, node):
        """Context manager: the ops built inside carry `node`'s source location (the most
        specific node wins, as in TorchScript: a call or operator is located where it starts)."""
        loc = self.src.loc_of(node)
        return self.b.located(loc if loc is not None else self.b.loc)

    def expr(self, node, expected=None):
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:
            raise self.err(node, f"{type(node).__name__} expressions are not supported")
        b, loc = self.b, self.src.loc_of(node)
        outer = b.loc
        if loc is not None:  # `self.at(node)` spelled out: this runs for every expression
            b.loc = loc
        try:
            return method(node, expected) if type(node) in _TAKES_EXPECTED else method(node)
        finally:
            b.loc = outer

    def e_Const(self, node):
        if isinstance(node.value, S.FString):
            return self.fstring(node)
        return Known(node.value, self.b.loc)

    def fstring(self, node):
        f = node.value
        if f.problem is not None:
            raise self.err(node, f.problem)
        values = [self.value(v) for v in f.values]
        if not values:
            return Known(str(f))
        return self.emit("aten::format", self.b.constant(str(f)), *values, node=node)

    def e_Name(self, node):
        v = self.env.get(node.id)
        if v is not None:
            return v
        if node.id in getattr(self, "partial", ()):
            raise self.err(node, f"'{node.id}' is not defined on every path that reaches this use")
        return self.resolve_global(node.id, node)

    def resolve_global(self, name, node):
        for scope in (self.closure, self.globals):
            if name in scope:
                return _wrap_py(scope[name])
        if name == "__torch__":
            return PyObj(None)
        if hasattr(builtins, name):
            return PyObj(getattr(builtins, name))
        raise self.err(node, f"undefined value '{name}'")

    def e_Attribute(self, node):
        base = self.expr(node.value)
        if isinstance(base, ModuleRef):
            return self.module_attr(base, node.attr, node)
        if isinstance(base, PyObj):
            if not hasattr(base.obj, node.attr):
                raise self.err(node, f"'{_describe(node.value)}' has no attribute '{node.attr}'")
            return base.attr(node.attr)
        if isinstance(base, Known):
            return ValueMethod(base, node.attr)
        if isinstance(base, Sugared):
            raise self.err(node, f"'{_describe(node.value)}' has no attribute '{node.attr}'")
        if isinstance(base.type, T.TensorType):
            return self.tensor_attr(base, node.attr, node)
        if isinstance(base.type, T.DeviceType) and node.attr == "type":
            return self.emit("prim::type", base, node=node)
        names = getattr(base.type, "names", None)
        if names is not None and node.attr in names:  # a NamedTuple's field
            return self.emit("prim::TupleIndex", base, names.index(node.attr), node=node)
        return ValueMethod(base, node.attr)

    def e_TupleExpr(self, node):
        items = [self.expr(e) for e in node.elts]
        if all(isinstance(i, Known) for i in items):
            return Known(tuple(i.value for i in items))
        if any(isinstance(i, ModuleRef | BoundMethod | PyObj) for i in items):
            return Known(tuple(items))
        return self.b.tuple_construct([self.materialize(i, e) for i, e in zip(items, node.elts)])

    def e_ListExpr(self, node, expected=None):
        elem = expected.elem if isinstance(expected, T.ListType) else None
        vals = [self.value(e, elem) for e in node.elts]
        if elem is None:
            elem = self.join([v.type for v in vals], node, "a list element") if vals else _TENSOR
        vals = [self.coerce(v, elem, e, "a list element") for v, e in zip(vals, node.elts)]
        return self.b.list_construct(vals, elem)

    def e_DictExpr(self, node, expected=None):
        kt = expected.key if isinstance(expected, T.DictType) else None
        vt = expected.value if isinstance(expected, T.DictType) else None
        keys = [self.value(k, kt) for k in node.keys]
        vals = [self.value(v, vt) for v in node.values]
        if not keys:
            kt, vt = kt or T.StrType.get(), vt or _TENSOR
        elif kt is None:
            kt = self.join([k.type for k in keys], node, "a dict key")
            vt = self.join([v.type for v in vals], node, "a dict value")
        return self.b.dict_construct(keys, vals, kt, vt)

    def e_IfExp(self, node, expected=None):
        test, rt, rf = self.condition(node.test)
        if isinstance(test, Known):
            self.apply_refinements(rt if test.value else rf)
            return self.expr(node.body if test.value else node.orelse, expected)
        op = self.b.if_(test)
        saved, out = self.env, []
        for block, sub, refine in ((0, node.body, rt), (1, node.orelse, rf)):
            self.env = dict(saved)
            with self.b.at_end(op.blocks[block]):
                self.apply_refinements(refine)
                out.append(self.value(sub, expected))
        self.env = saved
        t = self.join([v.type for v in out], node, "the conditional expression")
        for block, v in zip(op.blocks, out):
            with self.b.at_end(block):
                self.b.yield_(v)

        set_results(op, [t])
        return op.results[0]

    def e_BoolOp(self, node):
        return self.condition(node)[0]

    def e_Not(self, node):
        return self.condition(node)[0]

    # -- conditions ------------------------------------------------------------------------
    def condition(self, node):
        """(Known bool or bool Value, refinements if true, refinements if false)."""
        with self.at(node):
            return self._condition(node)

    def _condition(self, node):
        if isinstance(node, S.Not):
            test, rt, rf = self.condition(node.operand)
            if isinstance(test, Known):
                return Known(not test.value), rf, rt
            return self.emit("aten::__not__", test, node=node), rf, rt
        if isinstance(node, S.BoolOp):
            return self.bool_op(node, node.values)
        if isinstance(node, S.Compare) and len(node.ops) == 1 and node.ops[0] in ("is", "is not"):
            return self.is_none(node)
        if _is_isinstance_call(node, self):
            return self.isinstance_condition(node)
        v = self.expr(node)
        if isinstance(v, Known):
            return Known(bool(v.value)), {}, {}
        if isinstance(v, Sugared):
            return Known(True), {}, {}
        return self.to_bool(v, node), {}, {}

    def if_condition(self, node):
        """`condition` for an ``if``: a literal ``if False:`` stays a branch, as in TorchScript
        (and in printed code that was folded after lowering)."""
        if isinstance(node, S.Const) and isinstance(node.value, bool):
            return self.b.constant(node.value), {}, {}
        return self.condition(node)

    def condition_value(self, node):
        return self.condition(node)[0]

    def to_bool(self, v, node):
        if isinstance(v.type, T.BoolType):
            return v
        name = {T.TensorType: "Tensor", T.IntType: "int", T.FloatType: "float"}.get(type(v.type))
        if name is None:
            raise self.err(node, f"expected a bool condition, found {v.type}")
        return self.emit(f"aten::Bool.{name}", v, node=node)

    def bool_op(self, node, values):
        first, rt, rf = self.condition(values[0])
        if len(values) == 1:
            return first, rt, rf
        is_and = node.op == "and"
        if isinstance(first, Known):
            if first.value != is_and:
                return first, {}, {}
            self.apply_refinements(rt if is_and else rf)
            return self.bool_op(node, values[1:])
        op = self.b.if_(first, [_BOOL])
        saved = self.env
        self.env = dict(saved)
        with self.b.at_end(op.blocks[0 if is_and else 1]):
            self.apply_refinements(rt if is_and else rf)
            rest, rest_t, rest_f = self.bool_op(node, values[1:])
            self.b.yield_(self.materialize(rest, node))
        self.env = saved
        with self.b.at_end(op.blocks[1 if is_and else 0]):
            self.b.yield_(self.b.constant(not is_and))
        if is_and:
            return op.results[0], {**rt, **rest_t}, {}
        return op.results[0], {}, {**rf, **rest_f}

    def is_none(self, node):
        left, right = node.left, node.comparators[0]
        negate = node.ops[0] == "is not"
        if isinstance(left, S.Const) and left.value is None:
            left, right = right, left
        if not (isinstance(right, S.Const) and right.value is None):
            return self.is_same(node, left, right, negate)
        v = self.expr(left)
        refine_t, refine_f = {}, {}
        if isinstance(v, Known):
            test = Known(v.value is None)
        elif isinstance(v, Sugared) or not isinstance(v.type, T.OptionalType | T.NoneType):
            test = Known(False)
        elif isinstance(v.type, T.NoneType):
            test = Known(True)
        else:
            kind = "aten::__isnot__" if negate else "aten::__is__"
            test = self.emit(kind, v, self.b.constant(None), node=node)
            if isinstance(left, S.Name):
                refine_f = {left.id: v.type.elem}
            return test, *((refine_f, {}) if negate else ({}, refine_f))
        if negate:
            test = Known(not test.value)
        return test, refine_t, refine_f

    def is_same(self, node, left, right, negate: bool):
        """`a is b` between two values (tensors, say): identity, with no type refinement."""
        a, b = self.expr(left), self.expr(right)
        if isinstance(a, Known | Sugared) or isinstance(b, Known | Sugared):
            raise self.err(node, "'is' comparisons are only supported against None or values")
        kind = "aten::__isnot__" if negate else "aten::__is__"
        return self.emit(kind, a, b, node=node), {}, {}

    def apply_refinements(self, refine):
        for name, t in refine.items():
            v = self.env.get(name)
            if isinstance(v, Value) and v.type != t:
                self.env[name] = self.b.unchecked_cast(v, t, name=name)

    # -- assignment ------------------------------------------------------------------------
    def declared_type(self, name, current):
        """The type a variable keeps across loops: its annotation's, else its value's."""
        t = getattr(self, "declared", {}).get(name)
        return t if t is not None and T.is_subtype(current, t) else current

    def assign(self, target, value, node):
        if isinstance(target, S.Name):
            declared = getattr(self, "declared", {}).get(target.id)
            if isinstance(value, Known) and _plain(value.value):
                value = self.materialize(value, node, declared)
            if declared is not None and isinstance(value, Value):
                value = self.coerce(value, declared, node, f"'{target.id}'")
            if isinstance(value, Value) and value.name is None:
                value.name = target.id
            self.env[target.id] = value
        elif isinstance(target, S.TupleExpr | S.ListExpr):
            self.assign_unpack(target, value, node)
        elif isinstance(target, S.Attribute):
            self.assign_attr(target, value, node)
        elif isinstance(target, S.Subscript):
            self.assign_item(target, value, node)
        else:
            raise self.err(target, "cannot assign to this expression in scripted code")

    def assign_unpack(self, target, value, node):
        n = len(target.elts)
        if isinstance(value, Known) and isinstance(value.value, tuple | list):
            parts = [v if isinstance(v, Sugared | Value) else Known(v) for v in value.value]
        else:
            v = self.materialize(value, node)
            if isinstance(v.type, T.TupleType) and _constructed(v):
                parts = list(v.op.operands)  # as TorchScript: the tuple's own parts, no unpack
            elif isinstance(v.type, T.TupleType):
                parts = self.b.tuple_unpack(v) if len(v.type.elems) == n else None
            elif isinstance(v.type, T.ListType):
                parts = self.b.list_unpack(v, n)
            else:
                raise self.err(node, f"cannot unpack a value of type {v.type}")
        if parts is None or len(parts) != n:
            raise self.err(node, f"cannot unpack {len(parts or v.type.elems)} values into {n}")
        for t, p in zip(target.elts, parts):
            self.assign(t, p, node)

    def assign_attr(self, target, value, node):
        base = self.expr(target.value)
        if not isinstance(base, ModuleRef):
            raise self.err(target, "only module attributes can be assigned in scripted code")
        t = base.info.class_type.attributes.get(target.attr)
        if t is None or base.info.kinds.get(target.attr) == "module":
            raise self.err(target, f"module has no assignable attribute '{target.attr}'")
        v = self.coerce(self.materialize(value, node, t), t, node, f"attribute '{target.attr}'")
        self.b.set_attr(base.value, target.attr, v)


_TAKES_EXPECTED = {S.ListExpr, S.DictExpr, S.IfExp}


def _constructed(v) -> bool:
    """Whether `v` is a tuple built by ``prim::TupleConstruct`` (its parts are at hand)."""
    return isinstance(v, OpResult) and v.op.kind == "prim::TupleConstruct"


def _wrap_py(obj):
    """A global or closure value: plain constants (and lists/tuples of them) are Known."""
    if _plain(obj) and (not isinstance(obj, list) or obj):
        return Known(list(obj) if isinstance(obj, list) else obj)
    return PyObj(obj)


def _is_isinstance_call(node, low) -> bool:
    if not (isinstance(node, S.Call) and isinstance(node.func, S.Name) and len(node.args) == 2):
        return False
    if node.func.id in low.env:
        return False
    f = low.expr(node.func)
    return isinstance(f, PyObj) and f.obj is builtins.isinstance


def _describe(node) -> str:
    if isinstance(node, S.Name):
        return node.id
    if isinstance(node, S.Attribute):
        return f"{_describe(node.value)}.{node.attr}"
    if isinstance(node, S.Call):
        return f"{_describe(node.func)}(...)"
    if isinstance(node, S.Const):
        return repr(node.value)
    return type(node).__name__


def _plain(value) -> bool:
    if isinstance(value, tuple | list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, bool | int | float | str)
