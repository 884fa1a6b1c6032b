"""The program's tables of values: operators, constants, storages, classes and objects.

`Tables` interns entries as the function writer meets them and the module tree is walked:
each operator once by qualified name, each scalar constant once by value, each tensor, list,
dict and object once by identity (so a tensor two modules share stays one constant, and a
shared submodule one object). Tensors become `TensorRef`s into the storage records the
archive's pickles name: `StorageIndex` maps a storage (by identity) to its record,
``data/N`` for the module state and ``constants/N`` for the code's tensor constants.

Example:
    >>> from ember.ir import types as T
    >>> t = Tables(StorageIndex())
    >>> t.constant([1, 2], T.ListType(T.IntType.get())), t.constant(2), t.constant(2.0)
    (2, 1, 3)
    >>> [(c.kind_name, c.int_value, c.items) for c in t.program.constants]
    [('Int', 1, []), ('Int', 2, []), ('List', 0, [0, 1]), ('Float', 0, [])]
"""

from __future__ import annotations

import struct

from ember.devices import device
from ember.dtypes import dtype as DType  # noqa: N812
from ember.errors import SerializationError
from ember.ir import types as T  # noqa: N812
from ember.serializer.program import model
from ember.serializer.script_pickler import ScriptObject
from ember.tensor import Tensor

__all__ = ["Tables", "StorageIndex", "type_text"]

_K = {name: i for i, name in enumerate(model.KINDS)}
_INT64 = (-(2**63), 2**63 - 1)


class StorageIndex:
    """Storage identity -> (record name, dtype): where an archive keeps each storage's bytes."""

    def __init__(self):
        self.records: dict[int, tuple[str, DType]] = {}
        self._alive: list = []

    def add(self, storage, record: str, dtype: DType) -> None:
        self.records[id(storage)] = (record, dtype)
        self._alive.append(storage)

    def add_pickled(self, folder: str, storages) -> None:
        """The ``(key, storage, dtype)`` list a `ScriptPickler` collected, as ``folder/key``."""
        for key, storage, dt in storages:
            self.add(storage, f"{folder}/{key}", dt)


class Tables:
    """The value tables of one program under construction (`program` holds them)."""

    def __init__(self, storages: StorageIndex, unit=None):
        self.program = model.Program()
        self.storage_index = storages
        self.unit = unit
        self._operators: dict[str, int] = {}
        self._scalars: dict[tuple, int] = {}
        self._by_id: dict[int, int] = {}
        self._storages: dict[str, int] = {}
        self._classes: dict[str, int] = {}
        self._objects: dict[int, int] = {}
        self._alive: list = []

    # -- operators --------------------------------------------------------------------------

    def operator(self, name: str, overload: str = "") -> int:
        key = f"{name}.{overload}" if overload else name
        index = self._operators.get(key)
        if index is None:
            index = self._operators[key] = len(self.program.operators)
            self.program.operators.append(model.Operator(name, overload))
        return index

    # -- constants --------------------------------------------------------------------------

    def constant(self, value, t: T.Type | None = None) -> int:
        """The index of a constant holding `value` (of static type `t`, when known)."""
        if isinstance(t, T.OptionalType):
            t = t.elem if value is not None else None
        key = _scalar_key(value, t)
        if key is not None:
            index = self._scalars.get(key)
            if index is None:
                index = self._scalars[key] = self._add(_scalar(value, key[0]))
            return index
        index = self._by_id.get(id(value))
        if index is None:
            index = self._by_id[id(value)] = self._add(self._container(value, t))
            self._alive.append(value)
        return index

    def _add(self, c: model.Constant) -> int:
        self.program.constants.append(c)
        return len(self.program.constants) - 1

    def _container(self, value, t) -> model.Constant:
        if isinstance(value, Tensor):
            return model.Constant(_K["Tensor"], tensor=self.tensor(value))
        if isinstance(value, ScriptObject):
            index = self.object(value, t if isinstance(t, T.ClassType) else None)
            return model.Constant(_K["Object"], object=index, type=value.qualified_name)
        if isinstance(value, tuple):
            elems = t.elems if isinstance(t, T.TupleType) and len(t.elems) == len(value) else None
            items = [self.constant(v, elems[i] if elems else None) for i, v in enumerate(value)]
            return model.Constant(_K["Tuple"], items=items, type=_type(t))
        if isinstance(value, list):
            elem = t.elem if isinstance(t, T.ListType) else None
            items = [self.constant(v, elem) for v in value]
            return model.Constant(_K["List"], items=items, type=_type(t))
        if isinstance(value, dict):
            kt, vt = (t.key, t.value) if isinstance(t, T.DictType) else (None, None)
            items = []
            for k, v in value.items():
                items += [self.constant(k, kt), self.constant(v, vt)]
            return model.Constant(_K["Dict"], items=items, type=_type(t))
        raise SerializationError(
            f"the program record cannot hold a constant of type {type(value).__name__}"
            + (f" (static type {t})" if t is not None else "")
        )

    # -- tensors ----------------------------------------------------------------------------

    def tensor(self, t: Tensor) -> model.TensorRef:
        storage = t.untyped_storage()
        found = self.storage_index.records.get(id(storage))
        if found is None:
            raise SerializationError(
                f"a tensor of shape {tuple(t.shape)} the program uses is in none of the "
                "archive's data/ or constants/ records"
            )
        record, dt = found
        if dt != t.dtype:
            raise SerializationError(
                f"record {record!r} holds {dt} but a tensor views it as {t.dtype}"
            )
        index = self._storages.get(record)
        if index is None:
            index = self._storages[record] = len(self.program.storages)
            numel = storage.nbytes() // dt.itemsize
            self.program.storages.append(model.Storage(record, dt.scalar_type, numel))
        return model.TensorRef(index, t.storage_offset(), list(t.shape), list(t.stride()),
                               bool(t.requires_grad))  # fmt: skip

    # -- objects ----------------------------------------------------------------------------

    def object(self, obj: ScriptObject, cls: T.ClassType | None = None) -> int:
        """The index of the object for `obj`, its attribute values first (post-order)."""
        index = self._objects.get(id(obj))
        if index is not None:
            return index
        cls = cls or self._class_type(obj.qualified_name)
        state = obj.state
        if not isinstance(state, dict):
            raise SerializationError(
                f"the program record cannot hold {obj.qualified_name} objects: their state is "
                "a __getstate__ value, not attributes"
            )
        slots = []
        for name, t in cls.attributes.items():
            if name not in state:
                raise SerializationError(f"the {obj.qualified_name} object has no {name!r}")
            slots.append(self.constant(state[name], obj.types.get(name, t)))
        self._alive.append(obj)
        index = self._objects[id(obj)] = len(self.program.objects)
        self.program.objects.append(model.Object(self.klass(cls), slots))
        return index

    def klass(self, cls: T.ClassType) -> int:
        index = self._classes.get(cls.qualified_name)
        if index is None:
            index = self._classes[cls.qualified_name] = len(self.program.classes)
            names = list(cls.attributes)
            types = [type_text(t) for t in cls.attributes.values()]
            self.program.classes.append(model.Class(cls.qualified_name, names, types,
                                                    bool(cls.is_module)))  # fmt: skip
        return index

    def _class_type(self, name: str) -> T.ClassType:
        cls = None if self.unit is None else self.unit.classes.get(name)
        if cls is None:
            raise SerializationError(f"the program record has no class type for {name}")
        return cls


def _type(t: T.Type | None) -> str | None:
    return None if t is None else type_text(t)


def type_text(t: T.Type) -> str:
    """A type as the program record spells it: TorchScript's schema form (``int[]``,
    ``Dict(str, Tensor)``, ``Tensor?``), a NamedTuple by its qualified name.

    >>> type_text(T.ListType(T.OptionalType(T.TensorType.get())))
    'Tensor?[]'
    >>> type_text(T.ListType(T.TupleType([T.IntType.get()], ["a"], "__torch__.Out")))
    '__torch__.Out[]'
    """
    if isinstance(t, T.TupleType):
        if t.qualified_name is not None:
            return t.qualified_name
        return "(" + ", ".join(type_text(e) for e in t.elems) + ")"
    if isinstance(t, T.ListType):
        return type_text(t.elem) + "[]"
    if isinstance(t, T.OptionalType):
        return type_text(t.elem) + "?"
    if isinstance(t, T.DictType):
        return f"Dict({type_text(t.key)}, {type_text(t.value)})"
    return t.graph_str()


def _scalar_key(value, t) -> tuple | None:
    """A hashable key for a scalar constant (None for tensors, containers and objects)."""
    if value is None:
        return ("None",)
    if value is True or value is False:
        return ("Bool", bool(value))
    if isinstance(value, DType):
        return ("Int", value.scalar_type)
    if isinstance(value, int) and not isinstance(t, T.FloatType):
        if not _INT64[0] <= value <= _INT64[1]:
            raise SerializationError(f"integer constant {value} does not fit in 64 bits")
        return ("Int", int(value))
    if isinstance(value, int | float):
        return ("Float", struct.pack("<d", float(value)))
    if isinstance(value, complex):
        return ("Complex", struct.pack("<dd", value.real, value.imag))
    if isinstance(value, str):
        return ("Str", value)
    if isinstance(value, device):
        return ("Device", str(value))
    return None


def _scalar(value, kind: str) -> model.Constant:
    c = model.Constant(_K[kind])
    if kind == "Bool":
        c.int_value = int(bool(value))
    elif kind == "Int":
        c.int_value = value.scalar_type if isinstance(value, DType) else int(value)
    elif kind == "Float":
        c.float_value = float(value)
    elif kind == "Complex":
        c.float_value, c.imag_value = value.real, value.imag
    elif kind in ("Str", "Device"):
        c.str_value = str(value)
    return c
