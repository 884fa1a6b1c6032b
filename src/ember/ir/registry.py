"""Operator lookup for the IR: the op table's entries with their types parsed.

`lookup(qualified_name)` gives a `Signature`: the `ember.ops` entry (`opdef`) with parsed
parameter and result types (type variables ``t``, ``t1``, ``t2``, ``K``, ``V`` stay
`ClassType`s named so; `is_type_var` tells them apart) and defaults. `match_overload` picks
an overload for operand types the way TorchScript's schema matching does (exact first, then
allowing number -> Tensor and int -> float conversions); `match_among` does the same over a
given list, such as the overloads behind one Python face (`face_overloads`).

Example:
    >>> from ember.ir import types as T  # noqa: N812
    >>> sig = lookup("aten::len.t")
    >>> sig.kind, [str(p.type) for p in sig.params], sig.returns
    ('aten::len', ['List[t]'], (<ir type int>,))
    >>> match_overload("aten::add", [T.IntType.get(), T.FloatType.get()]).qualified_name
    'aten::add.int_float'
"""

from __future__ import annotations

from dataclasses import dataclass

from ember import ops
from ember.ir import types as T  # noqa: N812
from ember.ir.type_parser import parse_type

__all__ = [
    "Param",
    "Signature",
    "lookup",
    "overloads",
    "face_overloads",
    "match_overload",
    "match_among",
    "is_type_var",
    "accepts",
    "MISSING",
]

_TYPE_VARS = frozenset({"t", "t1", "t2", "K", "V"})
MISSING = object()


def is_type_var(t: T.Type) -> bool:
    return isinstance(t, T.ClassType) and t.qualified_name in _TYPE_VARS


@dataclass(frozen=True)
class Param:
    name: str
    type: T.Type
    default: object = MISSING
    kwarg_only: bool = False
    broadcast_list: bool = False
    """An ``int[2]``-style parameter that also accepts a single element."""


@dataclass(frozen=True)
class Signature:
    """An op-table entry as the IR sees it: typed parameters and results."""

    qualified_name: str
    kind: str
    overload: str
    params: tuple[Param, ...]
    variadic: bool
    returns: tuple[T.Type, ...]
    variadic_returns: bool
    opdef: ops.OpDef

    @property
    def traits(self) -> frozenset:
        return self.opdef.traits

    @property
    def version(self) -> int:
        return self.opdef.version

    @property
    def has_side_effects(self) -> bool:
        return self.opdef.has_side_effects

    @property
    def is_pure(self) -> bool:
        return not self.has_side_effects and "nondeterministic" not in self.traits

    @property
    def structural(self) -> bool:
        """Whether the runtime and the printers handle the op themselves (no kernel)."""
        return "structural" in self.traits


def _from_opdef(op) -> Signature:
    schema = op.schema
    params = tuple(
        Param(
            a.name,
            parse_type(a.type),
            a.default if a.has_default else MISSING,
            a.kwarg_only,
            "[" in a.type and not a.type.split("[")[1].startswith("]"),
        )
        for a in schema.arguments
    )
    returns = tuple(parse_type(r.type) for r in schema.returns)
    return Signature(op.qualified_name, op.name, op.overload, params, schema.variadic, returns,
                     schema.variadic_returns, op)  # fmt: skip


_CACHE: dict[str, Signature] = {}


def lookup(qualified_name: str) -> Signature | None:
    """The operator called `qualified_name`, or None when the op table lacks it."""
    sig = _CACHE.get(qualified_name)
    if sig is None:
        try:
            op = ops.get(qualified_name)
        except KeyError:
            return None
        sig = _CACHE[qualified_name] = _from_opdef(op)
    return sig


def overloads(kind: str) -> list[Signature]:
    """All overloads of an operator name ('aten::add'), in the op table's order."""
    return [lookup(o.qualified_name) for o in ops.overloads(kind)]


def face_overloads(face: str) -> list[Signature]:
    """The overloads behind Python name `face` ('Tensor.add', 'list.append', 'math.sqrt')."""
    return [lookup(o.qualified_name) for o in ops.by_face(face)]


# -- type matching -----------------------------------------------------------------------------


def bind(param: T.Type, arg: T.Type, env: dict, convert: bool = False) -> bool:
    """Whether `arg` fits `param`, binding type variables in `env` on the way."""
    if is_type_var(param):
        name = param.qualified_name
        if name in env:
            joined = T.unify(env[name], arg)
            if joined is None:
                return False
            env[name] = joined
        else:
            env[name] = arg
        return True
    if isinstance(param, T.ListType) and isinstance(arg, T.ListType):
        if is_type_var(param.elem) and param.elem.qualified_name not in env:
            env[param.elem.qualified_name] = arg.elem
            return True
        if _has_var(param.elem):
            return bind(param.elem, arg.elem, env)
        return arg.elem == param.elem or accepts(param, arg, convert)
    if isinstance(param, T.DictType) and isinstance(arg, T.DictType):
        return bind(param.key, arg.key, env) and bind(param.value, arg.value, env)
    if isinstance(param, T.TupleType) and isinstance(arg, T.TupleType):
        if len(param.elems) != len(arg.elems):
            return False
        return all(bind(p, a, env, convert) for p, a in zip(param.elems, arg.elems))
    if isinstance(param, T.OptionalType) and _has_var(param):
        if isinstance(arg, T.NoneType):
            return True
        inner = arg.elem if isinstance(arg, T.OptionalType) else arg
        return bind(param.elem, inner, env, convert)
    return accepts(param, arg, convert)


def _has_var(t: T.Type) -> bool:
    return is_type_var(t) or any(_has_var(c) for c in t.contained())


_NUMS = (T.IntType, T.FloatType, T.BoolType, T.NumberType)
_TENSOR = T.TensorType.get()


def accepts(param: T.Type, arg: T.Type, convert: bool = False) -> bool:
    """Whether a value of type `arg` may be passed for a parameter of type `param`."""
    if T.is_subtype(arg, param):
        return True
    if not convert:
        return False
    target = param.elem if isinstance(param, T.OptionalType) else param
    if isinstance(target, T.TensorType):
        return isinstance(arg, _NUMS)
    if isinstance(target, T.FloatType):
        return isinstance(arg, T.IntType)
    if isinstance(target, T.ListType) and isinstance(arg, T.TupleType):
        return all(accepts(target.elem, e, convert) for e in arg.elems)
    if isinstance(target, T.ListType) and isinstance(arg, T.ListType):  # Tensor[] as Tensor?[]
        return target.elem == T.OptionalType(T.TensorType.get()) and arg.elem == _TENSOR
    return False


def substitute(t: T.Type, env: dict) -> T.Type | None:
    """`t` with bound type variables replaced; None if a variable is unbound."""
    if is_type_var(t):
        return env.get(t.qualified_name)
    if isinstance(t, T.ListType):
        e = substitute(t.elem, env)
        return None if e is None else T.ListType(e)
    if isinstance(t, T.OptionalType):
        e = substitute(t.elem, env)
        return None if e is None else T.OptionalType(e)
    if isinstance(t, T.DictType):
        k, v = substitute(t.key, env), substitute(t.value, env)
        return None if k is None or v is None else T.DictType(k, v)
    if isinstance(t, T.TupleType):
        elems = [substitute(e, env) for e in t.elems]
        return None if None in elems else T.TupleType(elems)
    return t


def param_accepts(p: Param, arg: T.Type, env: dict, convert: bool = False) -> bool:
    if bind(p.type, arg, env, convert):
        return True
    return p.broadcast_list and isinstance(p.type, T.ListType) and accepts(p.type.elem, arg)


def match_overload(kind: str, types, kw_types=None) -> Signature | None:
    """The first overload of `kind` accepting operand `types` (and keyword `kw_types`).

    Missing trailing parameters must have defaults. Exact matches win over conversions.
    """
    return match_among(overloads(kind), types, kw_types)


def match_among(cands, types, kw_types=None) -> Signature | None:
    """`match_overload` over the signatures `cands`."""
    kw_types = kw_types or {}
    for convert in (False, True):
        for sig in cands:
            if _matches(sig, list(types), kw_types, convert):
                return sig
    return None


def _matches(sig, types, kw_types, convert) -> bool:
    env: dict = {}
    positional = [p for p in sig.params if not p.kwarg_only]
    if len(types) > len(positional) and not sig.variadic:
        return False
    for p, t in zip(positional, types):
        if not param_accepts(p, t, env, convert):
            return False
    given = {p.name for p in positional[: len(types)]}
    by_name = {p.name: p for p in sig.params}
    for name, t in kw_types.items():
        p = by_name.get(name)
        if p is None or name in given or not param_accepts(p, t, env, convert):
            return False
        given.add(name)
    return all(p.name in given or p.default is not MISSING for p in sig.params)
