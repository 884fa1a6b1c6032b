"""Lowering calls of overloaded functions and methods (``torch.jit._overload``,
``_overload_method``) and of NamedTuple classes.

Example:
    >>> from typing import NamedTuple
    >>> import ember
    >>> class Span(NamedTuple):
    ...     lo: int
    ...     hi: int
    >>> def width(a: int, b: int) -> int:
    ...     s = Span(a, hi=b)
    ...     return s.hi - s[0]
    >>> ember.jit.script(width)(2, 7)
    5
"""

from __future__ import annotations

from ember.compiler.named_tuples import named_tuple_type
from ember.ir import registry
from ember.ir import types as T  # noqa: N812

__all__ = ["SpecialCallLowering"]


def _describe(node) -> str:
    from ember.compiler.lowering.exprs import _describe as describe

    return describe(node)


class SpecialCallLowering:
    def construct_named_tuple(self, cls, node):
        """``Out(a, b=...)`` of a NamedTuple class: a TupleConstruct of its named type."""
        t = named_tuple_type(cls)
        args, kwargs = self.args_of(node)
        if len(args) > len(t.names):
            raise self.err(node, f"{cls.__name__} takes {len(t.names)} fields, "
                                 f"{len(args)} given")  # fmt: skip
        given = dict(zip(t.names, args))
        for k, v in kwargs.items():
            if k not in t.names or k in given:
                raise self.err(node, f"{cls.__name__} got an unexpected keyword argument '{k}'")
            given[k] = v
        defaults = getattr(cls, "_field_defaults", {})
        values = []
        for name, field_type in zip(t.names, t.elems):
            if name in given:
                v = given[name]
            elif name in defaults:
                v = self.b.constant(defaults[name], field_type if defaults[name] is None else None)
            else:
                raise self.err(node, f"{cls.__name__} is missing field '{name}'")
            values.append(self.coerce(v, field_type, node, f"field '{name}' of {cls.__name__}"))
        return self.b.tuple_construct(values, named=t)

    def call_overloaded_method(self, ref, name, count, node):
        """A call of a method declared with ``_overload_method``: every overload compiles
        (as TorchScript does); the first accepting the arguments is called."""
        methods = [self.ctx.overloaded_method(ref.info, name, i) for i in range(count)]
        index, args = self.pick_overload(methods, node, f"{ref.info.original_name}.{name}")
        rt = methods[index].return_type
        return self.b.call_method(ref.value, f"{name}__{index}", args, [rt]).results[0]

    def call_overloaded_function(self, fn, count, node):
        functions = [self.ctx.overloaded_function(fn, i) for i in range(count)]
        index, args = self.pick_overload(functions, node, _describe(node.func))
        chosen = functions[index]
        return self.b.call_function(chosen.qualified_name, args, [chosen.return_type]).results[0]

    def pick_overload(self, candidates, node, callname):
        """(index, bound argument values) of the first candidate accepting the call."""
        args, kwargs = self.args_of(node)
        for index, fn in enumerate(candidates):
            bound = _bind_values(fn.params, args, kwargs)
            if bound is not None:
                return index, [self.b.constant(p.default, p.type if p.default is None else None)
                               if v is None else v for p, v in zip(fn.params, bound)]  # fmt: skip
        shown = ", ".join(str(a.type) for a in args)
        raise self.err(node, f"no overload of {callname} accepts arguments ({shown})")


def _bind_values(params, args, kwargs):
    """`args` and `kwargs` in `params`' order (None where a default applies), or None when
    they do not fit the parameters' types."""
    positional = [p for p in params if not p.kwonly]
    if len(args) > len(positional) or any(k not in {p.name for p in params} for k in kwargs):
        return None
    given = {p.name: a for p, a in zip(positional, args)} | kwargs
    out = []
    for p in params:
        v = given.get(p.name)
        if v is None and p.default is registry.MISSING:
            return None
        if v is not None and not T.is_subtype(v.type, p.type):
            return None
        out.append(v)
    return out
