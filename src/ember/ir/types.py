"""IR types: TorchScript's type language.

Every type prints two ways: ``str(t)`` is the annotation string used in `.code` and class
headers (``Optional[int]``, ``List[Tensor]``, ``Tuple[Tensor, int]``, ``Dict[str, Tensor]``),
and ``t.graph_str()`` is the form TorchScript's graph dump uses (``int?``, ``Tensor[]``,
``(Tensor, int)``, ``Dict(str, Tensor)``); `ember.ir.type_parser.parse_type` reads both.

Example:
    >>> t = OptionalType(ListType(IntType.get()))
    >>> str(t), t.graph_str()
    ('Optional[List[int]]', 'int[]?')
    >>> is_subtype(NoneType.get(), t), is_subtype(IntType.get(), NumberType.get())
    (True, True)
"""

from __future__ import annotations

__all__ = [
    "Type",
    "TensorType",
    "IntType",
    "FloatType",
    "BoolType",
    "StrType",
    "NoneType",
    "DeviceType",
    "NumberType",
    "AnyType",
    "FunctionType",
    "OptionalType",
    "ListType",
    "TupleType",
    "DictType",
    "ClassType",
    "leaf_type",
    "is_subtype",
    "unify",
]


class Type:
    """Base of all IR types. Types compare structurally; leaf types are singletons."""

    name = "?"

    def graph_str(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<ir type {self}>"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def _key(self):
        return ()

    def contained(self) -> tuple[Type, ...]:
        return ()


class _Leaf(Type):
    _instance = None

    @classmethod
    def get(cls):
        if cls.__dict__.get("_instance") is None:
            cls._instance = cls()
        return cls._instance


class TensorType(_Leaf):
    name = "Tensor"


class IntType(_Leaf):
    name = "int"


class FloatType(_Leaf):
    name = "float"


class BoolType(_Leaf):
    name = "bool"


class StrType(_Leaf):
    name = "str"


class NoneType(_Leaf):
    name = "NoneType"


class DeviceType(_Leaf):
    name = "Device"


class NumberType(_Leaf):
    """A Python number (int, float or bool): schemas' ``Scalar``."""

    name = "number"

    def graph_str(self) -> str:
        return "Scalar"


class AnyType(_Leaf):
    name = "Any"


class FunctionType(_Leaf):
    """The type of a reference to a compiled function (rarely materialised as a value)."""

    name = "Function"


class OptionalType(Type):
    def __init__(self, elem: Type):
        self.elem = elem

    def _key(self):
        return (self.elem,)

    def contained(self):
        return (self.elem,)

    def __str__(self):
        return f"Optional[{self.elem}]"

    def graph_str(self):
        return f"{self.elem.graph_str()}?"


class ListType(Type):
    def __init__(self, elem: Type):
        self.elem = elem

    def _key(self):
        return (self.elem,)

    def contained(self):
        return (self.elem,)

    def __str__(self):
        return f"List[{self.elem}]"

    def graph_str(self):
        return f"{self.elem.graph_str()}[]"


class TupleType(Type):
    """A tuple; with `names` and `qualified_name` a NamedTuple class (``__torch__.Out``),
    whose Python class, when known, is `python_class` (not part of the type's identity).

    >>> t = TupleType([TensorType.get(), OptionalType(IntType.get())], ("a", "b"), "__torch__.P")
    >>> str(t), t.graph_str(), is_subtype(t, TupleType(t.elems))
    ('__torch__.P', 'NamedTuple(a : Tensor, b : int?)', True)
    """

    def __init__(self, elems, names=None, qualified_name=None, python_class=None):
        self.elems = tuple(elems)
        self.names = tuple(names) if names is not None else None
        self.qualified_name = qualified_name
        self.python_class = python_class

    def _key(self):
        return (self.elems, self.names, self.qualified_name)

    def contained(self):
        return self.elems

    def __str__(self):
        if self.qualified_name is not None:
            return self.qualified_name
        if not self.elems:
            return "Tuple[()]"
        return "Tuple[" + ", ".join(str(e) for e in self.elems) + "]"

    def graph_str(self):
        if self.names is not None:
            fields = (f"{n} : {e.graph_str()}" for n, e in zip(self.names, self.elems))
            return "NamedTuple(" + ", ".join(fields) + ")"
        return "(" + ", ".join(e.graph_str() for e in self.elems) + ")"


class DictType(Type):
    def __init__(self, key: Type, value: Type):
        self.key = key
        self.value = value

    def _key(self):
        return (self.key, self.value)

    def contained(self):
        return (self.key, self.value)

    def __str__(self):
        return f"Dict[{self.key}, {self.value}]"

    def graph_str(self):
        return f"Dict({self.key.graph_str()}, {self.value.graph_str()})"


class ClassType(Type):
    """A module or class type: a qualified name plus ordered attribute types, which of them
    are parameters and buffers, ``Final`` constants (inlined in code) and methods.

    The compiler and the tracer fill it while they work (see `ember.ir.unit`); `methods`
    maps names to `ember.ir.unit.Function`s. Two ClassTypes are equal when their qualified
    names are.

    >>> c = ClassType("__torch__.MyModule", {"training": BoolType.get()})
    >>> str(c), c.attributes["training"]
    ('__torch__.MyModule', <ir type bool>)
    """

    def __init__(self, qualified_name: str, attributes=None, methods=None, is_module=True):
        self.qualified_name = qualified_name
        self.attributes: dict[str, Type] = dict(attributes or {})
        self.methods: dict = dict(methods or {})
        self.is_module = is_module
        self.parameters: list[str] = []
        self.buffers: list[str] = []
        self.constants: dict[str, object] = {}

    @property
    def submodules(self) -> dict[str, ClassType]:
        """Attributes holding modules: name -> their class type."""
        return {
            n: t for n, t in self.attributes.items() if isinstance(t, ClassType) and t.is_module
        }

    @property
    def name(self):
        return self.qualified_name

    def _key(self):
        return (self.qualified_name,)


_LEAF_TYPES = {bool: BoolType, int: IntType, float: FloatType, str: StrType}  # bool first


def leaf_type(value) -> Type | None:
    """The type of None, a bool, an int, a float or a str; None for any other value.

    >>> leaf_type(True), leaf_type(2.5), leaf_type([1])
    (<ir type bool>, <ir type float>, None)
    """
    if value is None:
        return NoneType.get()
    leaf = _LEAF_TYPES.get(type(value))
    if leaf is not None:
        return leaf.get()
    for py, t in _LEAF_TYPES.items():  # subclasses: an IntEnum member reads as its int
        if isinstance(value, py):
            return t.get()
    return None


# -- relations -------------------------------------------------------------------------------

_NUMBERS = (IntType, FloatType, BoolType, NumberType)


def is_subtype(sub: Type, sup: Type) -> bool:
    """Whether a value of type `sub` may be used where `sup` is expected (TorchScript's rules).

    >>> is_subtype(ListType(IntType.get()), ListType(NumberType.get()))
    False
    >>> is_subtype(TensorType.get(), OptionalType(TensorType.get()))
    True
    """
    if sub == sup or isinstance(sup, AnyType):
        return True
    if isinstance(sup, OptionalType):
        if isinstance(sub, NoneType):
            return True
        inner = sub.elem if isinstance(sub, OptionalType) else sub
        return is_subtype(inner, sup.elem)
    if isinstance(sup, NumberType):
        return isinstance(sub, _NUMBERS)
    if isinstance(sup, TupleType) and isinstance(sub, TupleType):
        if sup.qualified_name is not None and sub.qualified_name != sup.qualified_name:
            return False
        return len(sub.elems) == len(sup.elems) and all(
            is_subtype(a, b) for a, b in zip(sub.elems, sup.elems)
        )
    return False


def unify(a: Type, b: Type) -> Type | None:
    """The least type both `a` and `b` convert to, or None (used for if/loop results).

    >>> str(unify(NoneType.get(), TensorType.get()))
    'Optional[Tensor]'
    """
    if is_subtype(a, b):
        return b
    if is_subtype(b, a):
        return a
    if isinstance(a, NoneType):
        return OptionalType(b)
    if isinstance(b, NoneType):
        return OptionalType(a)
    if isinstance(a, TupleType) and isinstance(b, TupleType) and len(a.elems) == len(b.elems):
        elems = [unify(x, y) for x, y in zip(a.elems, b.elems)]
        return None if None in elems else TupleType(elems)
    return None
