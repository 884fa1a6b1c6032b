"""Results of scripted code as Python sees them: NamedTuple values (plain tuples while the
runtime runs) become instances of their Python class, as torch's scripted calls return them;
types read from archives get a `collections.namedtuple` class made for them.

Example:
    >>> from ember.ir import types as T
    >>> t = T.TupleType([T.IntType.get(), T.IntType.get()], ("lo", "hi"), "__torch__.Span")
    >>> python_converter(t)((1, 2))
    Span(lo=1, hi=2)
    >>> python_converter(T.IntType.get()) is None
    True
"""

from __future__ import annotations

from collections import namedtuple

from ember.ir import types as T  # noqa: N812

__all__ = ["python_converter", "python_class"]


def python_converter(t: T.Type):
    """A function turning runtime values of type `t` into Python's, or None when `t` holds
    no NamedTuple (then the values already are Python's)."""
    if not _mentions_named(t):
        return None
    return lambda value: _convert(value, t)


def python_class(t: T.TupleType):
    """The Python class of NamedTuple type `t` (made, and kept on `t`, when it has none)."""
    if t.python_class is None:
        t.python_class = namedtuple(t.qualified_name.rsplit(".", 1)[-1], t.names)
    return t.python_class


def _mentions_named(t: T.Type) -> bool:
    if isinstance(t, T.TupleType) and t.names is not None:
        return True
    return any(_mentions_named(c) for c in getattr(t, "contained", lambda: ())())


def _convert(value, t):
    if value is None:
        return None
    if isinstance(t, T.OptionalType):
        return _convert(value, t.elem)
    if isinstance(t, T.TupleType) and isinstance(value, tuple):
        items = [_convert(v, e) for v, e in zip(value, t.elems)]
        return python_class(t)(*items) if t.names is not None else tuple(items)
    if isinstance(t, T.ListType) and isinstance(value, list):
        return [_convert(v, t.elem) for v in value]
    if isinstance(t, T.DictType) and isinstance(value, dict):
        return {k: _convert(v, t.value) for k, v in value.items()}
    return value
