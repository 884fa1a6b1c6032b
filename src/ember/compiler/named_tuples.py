"""NamedTuple classes in scripted code: ``typing.NamedTuple`` subclasses and
``collections.namedtuple`` classes (with ``__annotations__`` giving field types; fields
without one are Tensors, as in TorchScript) become named `TupleType`s.

Example:
    >>> from typing import NamedTuple
    >>> import ember
    >>> class Out(NamedTuple):
    ...     value: ember.Tensor
    ...     count: int
    >>> t = named_tuple_type(Out)
    >>> str(t), t.graph_str()
    ('__torch__.torch.compiler.named_tuples.Out', 'NamedTuple(value : Tensor, count : int)')
"""

from __future__ import annotations

from collections import namedtuple

from ember.compiler.lowering.typeinfo import python_type
from ember.compiler.parsing.function_source import qualified_class_name
from ember.ir import types as T  # noqa: N812

__all__ = ["is_named_tuple_class", "named_tuple_type", "declare_named_tuple", "TypeScope"]

_TYPES: dict = {}
_DECLARED: dict = {}


def declare_named_tuple(qualified: str, names, types):
    """A Python class for a NamedTuple type read from archive code (one per declaration)."""
    key = (qualified, tuple(names), tuple(types))
    cls = _DECLARED.get(key)
    if cls is None:
        cls = _DECLARED[key] = namedtuple(qualified.rpartition(".")[2], names)
        _TYPES[cls] = T.TupleType(types, names, qualified, cls)
    return cls


def is_named_tuple_class(obj) -> bool:
    return isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields")


def named_tuple_type(cls) -> T.TupleType:
    """The named TupleType of NamedTuple class `cls` (one per class)."""
    t = _TYPES.get(cls)
    if t is None:
        hints = getattr(cls, "__annotations__", {}) or {}
        elems = [python_type(hints[f]) if f in hints else T.TensorType.get() for f in cls._fields]
        t = T.TupleType(elems, cls._fields, _qualified(cls), cls)
        _TYPES[cls] = t
    return t


def _qualified(cls) -> str:
    name = qualified_class_name(cls)
    return name.replace("<locals>.", "")


class TypeScope:
    """What annotations may name: the unit's classes, then NamedTuple classes reachable
    from a function's globals by (dotted) name."""

    def __init__(self, classes, globals_):
        self.classes, self.globals = classes, globals_

    def get(self, name, default=None):
        found = self.classes.get(name)
        if found is not None:
            return found
        head, *rest = name.split(".")
        obj = self.globals.get(head)
        for part in rest:
            obj = getattr(obj, part, None)
        obj = getattr(obj, "_ember_named_tuple", obj)  # archive code's __torch__.a.B
        return named_tuple_type(obj) if is_named_tuple_class(obj) else default
