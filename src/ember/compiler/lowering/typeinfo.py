"""Types in source: annotations to IR types, and the IR type of a Python value.

Annotations are read from the AST (never evaluated): ``Tensor``, ``int``, ``float``,
``bool``, ``str``, ``None``, ``Optional[T]``, ``List[T]``, ``Tuple[...]``, ``Dict[K, V]``
(also spelled ``list[int]``, ``typing.List``, ``torch.Tensor``, ``T | None``), ``Final[T]``
and TorchScript class names ``__torch__.a.B``.

Example:
    >>> from ember.compiler.parsing.parser import parse_function
    >>> fn = parse_function("def f(x: Optional[List[int]], y: Tuple[Tensor, float]): pass")
    >>> [str(annotation_type(p.annotation)) for p in fn.params]
    ['Optional[List[int]]', 'Tuple[Tensor, float]']
    >>> str(value_type([1, 2])), str(value_type({"a": 1.0}))
    ('List[int]', 'Dict[str, float]')
"""

from __future__ import annotations

from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.ir import types as T  # noqa: N812

__all__ = ["annotation_type", "value_type", "python_type", "describe", "TypeProblem"]


class TypeProblem(Exception):  # noqa: N818
    """An annotation or value has no ember type; `args[0]` says why."""


_LEAVES = {
    "Tensor": T.TensorType.get,
    "int": T.IntType.get,
    "float": T.FloatType.get,
    "bool": T.BoolType.get,
    "str": T.StrType.get,
    "None": T.NoneType.get,
    "NoneType": T.NoneType.get,
    "number": T.NumberType.get,
    "Any": T.AnyType.get,
    "Device": T.DeviceType.get,
}
_GENERIC = {"Optional", "List", "list", "Tuple", "tuple", "Dict", "dict", "Final", "Union"}


def _dotted(node) -> str | None:
    if isinstance(node, S.Name):
        return node.id
    if isinstance(node, S.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def annotation_type(node, classes=None) -> T.Type:
    """The IR type an annotation AST node denotes; raises TypeProblem if it has none.

    `classes` maps qualified ``__torch__`` names to known ClassTypes.
    """
    if isinstance(node, S.Const) and node.value is None:
        return T.NoneType.get()
    if isinstance(node, S.Const) and isinstance(node.value, str):
        return _string_annotation(node.value, classes)
    if isinstance(node, S.BinOp) and node.op == "|":
        return _union([annotation_type(node.left, classes), annotation_type(node.right, classes)])
    if isinstance(node, S.Subscript):
        return _generic(node, classes)
    name = _dotted(node)
    if name is None:
        raise TypeProblem("unsupported type annotation")
    short = name.rsplit(".", 1)[-1]
    if name.startswith("__torch__."):
        known = (classes or {}).get(name)  # a class, or a NamedTuple of archive code
        return known if known is not None else T.ClassType(name)
    if short in _LEAVES:
        return _LEAVES[short]()
    known = (classes or {}).get(name)  # a NamedTuple class (`ember.compiler.named_tuples`)
    if known is not None:
        return known
    if short in ("List", "list", "Tuple", "tuple", "Dict", "dict"):
        raise TypeProblem(f"{short} needs element types, e.g. {short.capitalize()}[int]")
    raise TypeProblem(f"unknown type annotation '{name}'")


def _generic(node: S.Subscript, classes) -> T.Type:
    head = (_dotted(node.value) or "").rsplit(".", 1)[-1]
    if head not in _GENERIC:
        raise TypeProblem(f"unknown generic type '{_dotted(node.value)}'")
    args = node.index
    if len(args) == 1 and isinstance(args[0], S.TupleExpr):
        args = args[0].elts
    if head in ("Tuple", "tuple"):
        if len(args) == 1 and isinstance(args[0], S.TupleExpr) and not args[0].elts:
            return T.TupleType(())
        return T.TupleType([annotation_type(a, classes) for a in args])
    inner = [annotation_type(a, classes) for a in args]
    if head == "Optional" and len(inner) == 1:
        return T.OptionalType(inner[0])
    if head == "Union":
        return _union(inner)
    if head in ("List", "list") and len(inner) == 1:
        return T.ListType(inner[0])
    if head in ("Dict", "dict") and len(inner) == 2:
        if not isinstance(inner[0], _KEY_TYPES):
            raise TypeProblem(f"dict keys must be str, int, float, bool or Tensor, not {inner[0]}")
        return T.DictType(*inner)
    if head == "Final" and len(inner) == 1:
        return inner[0]
    raise TypeProblem(f"wrong number of type arguments to {head}")


_KEY_TYPES = (T.StrType, T.IntType, T.FloatType, T.BoolType, T.TensorType)


def _string_annotation(text: str, classes) -> T.Type:
    """A quoted annotation (``x: "Optional[int]"``): read like an unquoted one."""
    from ember.compiler.parsing.parser import parse_function
    from ember.errors import CompileError

    try:
        fn = parse_function(f"def _f(x: {text}):\n    pass\n")
    except CompileError:
        raise TypeProblem(f"unknown type annotation '{text}'") from None
    return annotation_type(fn.params[0].annotation, classes)


def _union(types) -> T.Type:
    rest = [t for t in types if not isinstance(t, T.NoneType)]
    if len(rest) == 1 and len(types) == 2:
        return T.OptionalType(rest[0])
    raise TypeProblem("Union types other than Optional are not supported")


def value_type(value) -> T.Type:
    """The IR type of a Python value held by a module attribute or a global."""
    leaf = T.leaf_type(value)
    if leaf is not None:
        return leaf
    if _is_tensor(value):
        return T.TensorType.get()
    if isinstance(value, tuple):
        return T.TupleType([value_type(v) for v in value])
    if isinstance(value, list):
        return T.ListType(_common([value_type(v) for v in value], "list"))
    if isinstance(value, dict):
        keys = _common([value_type(k) for k in value], "dict key")
        if not isinstance(keys, T.StrType | T.IntType | T.FloatType | T.TensorType):
            raise TypeProblem(f"dict keys must be str, int or float, not {keys}")
        return T.DictType(keys, _common([value_type(v) for v in value.values()], "dict"))
    raise TypeProblem(f"values of Python type '{type(value).__name__}' cannot be scripted")


def _common(types, what):
    if not types:
        raise TypeProblem(f"cannot infer the element type of an empty {what}; annotate it")
    out = types[0]
    for t in types[1:]:
        j = T.unify(out, t)
        if j is None:
            raise TypeProblem(f"{what} elements have different types {out} and {t}")
        out = j
    return out


def _is_tensor(value) -> bool:
    return any(c.__name__ == "Tensor" and "ember" in c.__module__ for c in type(value).__mro__)


def describe(t: T.Type) -> str:
    """How a type is named in error messages."""
    return str(t)


def python_type(hint) -> T.Type:
    """The IR type of an evaluated annotation (``typing.List[int]``, ``list[int]``, ``int``).

    >>> from typing import List, Optional
    >>> str(python_type(Optional[List[int]])), str(python_type(dict[str, float]))
    ('Optional[List[int]]', 'Dict[str, float]')
    """
    import typing

    if hint is None or hint is type(None):
        return T.NoneType.get()
    if isinstance(hint, str | typing.ForwardRef):  # postponed: "Tensor", ForwardRef('Tensor')
        return _string_annotation(getattr(hint, "__forward_arg__", hint), None)
    leaf = {int: T.IntType, float: T.FloatType, bool: T.BoolType, str: T.StrType}.get(hint)
    if leaf is not None:
        return leaf.get()
    if isinstance(hint, type) and hint.__name__ == "Tensor":
        return T.TensorType.get()
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Final:
        return python_type(args[0])
    if origin in (list, typing.List) and len(args) == 1:  # noqa: UP006
        return T.ListType(python_type(args[0]))
    if origin in (dict, typing.Dict) and len(args) == 2:  # noqa: UP006
        return T.DictType(python_type(args[0]), python_type(args[1]))
    if origin in (tuple, typing.Tuple):  # noqa: UP006
        return T.TupleType([python_type(a) for a in args if a is not Ellipsis])
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        return _union([python_type(a) for a in args])
    raise TypeProblem(f"unsupported annotation {hint!r}")
