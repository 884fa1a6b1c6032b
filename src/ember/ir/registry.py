"""Operator lookup for the IR: builtins (`ember.ir.prims`) first, then the op table.

`lookup(qualified_name)` gives a `Signature`: one view of an operator whatever table it
comes from, with parsed parameter types (type variables ``t``, ``t1``, ``t2``, ``K``, ``V``
stay `ClassType`s named so; `is_type_var` tells them apart), defaults, traits and, for
builtins, the Python template the runtime emits. `match_overload` picks an overload for
operand types the way TorchScript's schema matching does (exact first, then allowing
number -> Tensor and int -> float conversions).

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

from ember.ir import types as T  # noqa: N812
from ember.ir.prims import BUILTINS, builtin_overloads

__all__ = [
    "Param",
    "Signature",
    "lookup",
    "overloads",
    "match_overload",
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
    qualified_name: str
    kind: str
    overload: str
    params: tuple[Param, ...]
    variadic: bool
    returns: tuple[T.Type, ...]
    variadic_returns: bool
    traits: frozenset
    python: str | None
    builtin: bool
    version: int = 0
    opdef: object = None

    @property
    def has_side_effects(self) -> bool:
        if self.builtin:
            return "effect" in self.traits or "terminator" in self.traits
        return "pure" not in self.traits or "inplace" in self.traits

    @property
    def is_pure(self) -> bool:
        return not self.has_side_effects and "nondeterministic" not in self.traits


def _parse(type_str: str) -> T.Type:
    return T.parse_type(type_str)


def _from_builtin(d) -> Signature:
    params = tuple(
        Param(name, _parse(t), MISSING if default is None else _builtin_default(default), kw)
        for t, name, default, kw in d.params
    )
    return Signature(
        d.qualified_name,
        d.kind,
        d.overload,
        params,
        d.variadic,
        tuple(_parse(r) for r in d.returns),
        d.variadic_returns,
        d.traits,
        d.python,
        True,
    )


def _builtin_default(text):
    if _is_int(text):
        return int(text)
    return {"None": None, "True": True, "False": False}.get(text, text)


def _is_int(text):
    return text.lstrip("-").isdigit()


def _from_opdef(op) -> Signature:
    params = tuple(
        Param(
            a.name,
            _parse(a.type),
            a.default if a.has_default else MISSING,
            a.kwarg_only,
            "[" in a.type and not a.type.split("[")[1].startswith("]"),
        )
        for a in op.schema.arguments
    )
    return Signature(
        op.qualified_name,
        op.name,
        op.overload,
        params,
        False,
        tuple(_parse(r.type) for r in op.schema.returns),
        False,
        op.traits,
        None,
        False,
        op.version,
        op,
    )


def _ops():
    try:
        from ember import ops
    except ImportError:  # pragma: no cover - the op table is part of the package
        return None
    return ops if hasattr(ops, "get") else None


_CACHE: dict[str, Signature] = {}


def lookup(qualified_name: str) -> Signature | None:
    """The operator called `qualified_name`, or None when neither table has it."""
    sig = _CACHE.get(qualified_name)
    if sig is not None:
        return sig
    d = BUILTINS.get(qualified_name)
    if d is not None:
        sig = _from_builtin(d)
    else:
        ops = _ops()
        if ops is None:
            return None
        try:
            sig = _from_opdef(ops.get(qualified_name))
        except KeyError:
            return None
    _CACHE[qualified_name] = sig
    return sig


def overloads(kind: str) -> list[Signature]:
    """All overloads of an operator name ('aten::add'): builtins first, then the op table."""
    out = [lookup(d.qualified_name) for d in builtin_overloads(kind)]
    ops = _ops()
    if ops is not None:
        out += [lookup(o.qualified_name) for o in ops.overloads(kind)]
    return out


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
        return bind(param.elem, arg.elem, env) if _has_var(param.elem) else arg.elem == param.elem
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
    kw_types = kw_types or {}
    cands = overloads(kind)
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
