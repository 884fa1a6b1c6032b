"""Pickling TorchScript values byte for byte as torch's C++ pickler does (archives' pickles).

A TorchScript archive's ``data.pkl`` (the module objects), ``constants.pkl`` and
``*.debug_pkl`` are written by PyTorch's C++ `Pickler`, not Python's: protocol 2; every
string memoized by value, every global by name, every storage by identity; objects
(`ScriptObject`) as ``GLOBAL '__torch__.<prefix> <Name>'``, ``EMPTY_TUPLE``, ``NEWOBJ``,
the attribute dict in slot order, ``BUILD``; tensors as ``_rebuild_tensor_v2`` with a
``('storage', torch.FloatStorage, key, 'cpu', numel)`` persistent id; ``List[int]`` /
``List[float]`` / ``List[bool]`` / ``List[Tensor]`` through ``torch.jit._pickle.build_*``
and other lists and all dicts through ``restore_type_tag(value, 'Dict[str, int]')``, which
is why values are pickled with their static IR types. Tensors and objects are memoized
by identity (C++ memoizes shared pointers); storages get keys ``"0"``, ``"1"``, ... in the
order they are met, and `ScriptPickler.storages` lists them for the ``data/N`` records.

Example:
    >>> import pickletools
    >>> from ember.ir import types as T
    >>> p = ScriptPickler()
    >>> obj = ScriptObject("__torch__.Net", {"training": True, "dims": [1, 2]},
    ...                    {"dims": T.ListType(T.IntType.get())})
    >>> [arg for op, arg, _ in pickletools.genops(p.dumps(obj)) if op.name == "GLOBAL"]
    ['__torch__ Net', 'torch.jit._pickle build_intlist']
"""

from __future__ import annotations

import struct

from ember.devices import device
from ember.errors import SerializationError
from ember.ir import types as T  # noqa: N812
from ember.tensor import Tensor

__all__ = [
    "ScriptObject",
    "ScriptPickler",
    "int_opcode",
    "string_opcode",
    "put_opcode",
    "get_opcode",
]

_PROTO, _STOP, _MARK, _TUPLE, _EMPTY_TUPLE = b"\x80\x02", b".", b"(", b"t", b")"
_TUPLES = {1: b"\x85", 2: b"\x86", 3: b"\x87"}
_NEWOBJ, _BUILD, _REDUCE, _BINPERSID = b"\x81", b"b", b"R", b"Q"
_EMPTY_DICT, _SETITEMS, _EMPTY_LIST, _APPENDS = b"}", b"u", b"]", b"e"
_NONE, _TRUE, _FALSE = b"N", b"\x88", b"\x89"
_BINFLOAT = struct.Struct(">d")
_SPECIAL_LISTS = {
    T.IntType: "build_intlist",
    T.FloatType: "build_doublelist",
    T.BoolType: "build_boollist",
    T.TensorType: "build_tensorlist",
}


_SMALL_INTS = [b"K" + bytes((n,)) for n in range(256)]


def int_opcode(n: int) -> bytes:
    """The opcode torch's C++ pickler writes for int `n` (LONG1 always with 8 bytes)."""
    if 0 <= n < 256:
        return _SMALL_INTS[n]
    if 0 <= n < 65536:
        return b"M" + struct.pack("<H", n)
    if -(2**31) <= n < 2**31:
        return b"J" + struct.pack("<i", n)
    if -(2**63) <= n < 2**63:
        return b"\x8a\x08" + struct.pack("<q", n)
    raise SerializationError(f"integer {n} does not fit TorchScript's int (64 bits)")


def string_opcode(s: str) -> bytes:
    """BINUNICODE of `s` (the C++ pickler always uses the 4-byte length)."""
    data = s.encode("utf-8", "surrogatepass")
    return b"X" + struct.pack("<I", len(data)) + data


_PUTS = [b"q" + bytes((n,)) for n in range(256)]
_GETS = [b"h" + bytes((n,)) for n in range(256)]


def put_opcode(index: int) -> bytes:
    """BINPUT (or LONG_BINPUT) of memo slot `index`."""
    return _PUTS[index] if index < 256 else b"r" + struct.pack("<I", index)


def get_opcode(index: int) -> bytes:
    """BINGET (or LONG_BINGET) of memo slot `index`."""
    return _GETS[index] if index < 256 else b"j" + struct.pack("<I", index)


class ScriptObject:
    """A TorchScript object: its class's qualified name and its state.

    `state` is the attribute dict in slot order, or (for classes with ``__getstate__``)
    the value it returned; `types` gives the static type of attributes whose values are
    containers (their pickles carry the type). The archive reader makes these too.
    """

    __slots__ = ("qualified_name", "state", "types")

    def __init__(self, qualified_name: str, state=None, types=None):
        self.qualified_name = qualified_name
        self.state = state
        self.types = types or {}

    def __repr__(self) -> str:
        return f"ScriptObject({self.qualified_name!r})"


class ScriptPickler:
    """Writes C++-pickler pickles; `storages` collects (key, storage, dtype) to write.

    With `share_tuples`, a tuple object met again is memoized too (as torch's source range
    tables share their source tuples).
    """

    def __init__(self, share_tuples: bool = False):
        self.share_tuples = share_tuples
        self.storages: list[tuple[str, object, object]] = []
        self._out: list[bytes] = []
        self._memo = 0
        self._strings: dict[str, int] = {}
        self._globals: dict[tuple[str, str], int] = {}
        self._objects: dict[int, int] = {}
        self._storage_memo: dict[int, tuple[int, object]] = {}
        self._alive: list = []  # keeps memoized objects alive so their ids stay unique

    def dumps(self, value, t: T.Type | None = None) -> bytes:
        """One pickle of `value` (its static type `t` if known); storages accumulate."""
        self._out = [_PROTO]
        self._push(value, t)
        self._out.append(_STOP)
        return b"".join(self._out)

    # -- memo -------------------------------------------------------------------------------

    def _put(self) -> int:
        index = self._memo
        self._memo += 1
        self._out.append(put_opcode(index))
        return index

    def _get(self, index: int) -> None:
        self._out.append(get_opcode(index))

    def _string(self, s: str) -> None:
        index = self._strings.get(s)
        if index is not None:
            self._out.append(get_opcode(index))
            return
        index = self._strings[s] = self._memo
        self._memo += 1
        self._out.append(string_opcode(s) + put_opcode(index))

    def _global(self, module: str, name: str) -> None:
        key = (module, name)
        index = self._globals.get(key)
        if index is not None:
            self._out.append(get_opcode(index))
            return
        index = self._globals[key] = self._memo
        self._memo += 1
        self._out.append(f"c{module}\n{name}\n".encode() + put_opcode(index))

    # -- values -----------------------------------------------------------------------------

    def _push(self, value, t) -> None:
        if t is not None and type(t) is T.OptionalType:
            t = t.elem if value is not None else None
        fast = _FAST.get(type(value))
        if fast is not None:
            fast(self, value, t)
        elif isinstance(value, Tensor | ScriptObject):  # subclasses (Parameter): remembered
            _FAST[type(value)] = ScriptPickler._memoized
            self._memoized(value, t)
        elif value is True or value is False:
            self._out.append(_TRUE if value else _FALSE)
        elif isinstance(value, int) and not isinstance(t, T.FloatType):
            self._int(int(value))
        elif isinstance(value, float | int):
            self._float(value)
        elif isinstance(value, str):
            self._string(value)
        elif isinstance(value, tuple):
            self._tuple(value, t)
        elif isinstance(value, list):
            self._list(value, t)
        elif isinstance(value, dict):
            self._dict(value, t)
        elif isinstance(value, complex):
            self._global("builtins", "complex")
            self._push(value.real, None)
            self._push(value.imag, None)
            self._out.append(_TUPLES[2] + _REDUCE)
        elif isinstance(value, device):
            self._device(value)
        else:
            raise SerializationError(
                f"cannot save a value of type {type(value).__name__} in a TorchScript archive"
            )

    def _none(self, value, t) -> None:
        self._out.append(_NONE)

    def _bool(self, value, t) -> None:
        self._out.append(_TRUE if value else _FALSE)

    def _number(self, value, t) -> None:
        if type(value) is int and type(t) is not T.FloatType:
            self._int(value)
        else:
            self._float(value)

    def _float(self, value, t=None) -> None:
        self._out.append(b"G" + _BINFLOAT.pack(float(value)))

    def _int(self, n: int) -> None:
        self._out.append(int_opcode(n))

    def _memoized(self, value, t) -> None:
        index = self._objects.get(id(value))
        if index is not None:
            self._get(index)
            return
        if isinstance(value, Tensor):
            self._tensor(value)
        else:
            self._object(value)
        self._alive.append(value)
        self._objects[id(value)] = self._put()

    def _object(self, obj: ScriptObject) -> None:
        module, _, name = obj.qualified_name.rpartition(".")
        self._global(module, name)
        self._out.append(_EMPTY_TUPLE + _NEWOBJ)
        if isinstance(obj.state, dict):
            self._out.append(_EMPTY_DICT + _MARK)
            for key, value in obj.state.items():
                self._string(key)
                self._push(value, obj.types.get(key))
            self._out.append(_SETITEMS)
        else:
            self._push(obj.state, None)
        self._out.append(_BUILD)

    def _tensor(self, t: Tensor) -> None:
        self._global("torch._utils", "_rebuild_tensor_v2")
        self._out.append(_MARK)
        self._storage(t)
        self._out.append(_tensor_args(t.storage_offset(), t._np.shape, t.stride(), t.requires_grad))
        self._global("collections", "OrderedDict")
        self._out.append(_EMPTY_TUPLE + _REDUCE + _TUPLE + _REDUCE)

    def _storage(self, t: Tensor) -> None:
        storage, dtype = t.untyped_storage(), t.dtype
        found = self._storage_memo.get(id(storage))
        if found is not None:
            if found[1] != dtype:
                raise SerializationError(
                    "cannot save tensors that view one storage as different dtypes "
                    f"({found[1]} and {dtype}) in a TorchScript archive"
                )
            self._get(found[0])
            return
        key = str(len(self.storages))
        self._out.append(_MARK)
        self._string("storage")
        self._global("torch", dtype.storage_name)
        self._string(key)
        self._string("cpu")
        self._out.append(int_opcode(storage.nbytes() // dtype.itemsize) + _TUPLE + _BINPERSID)
        self._storage_memo[id(storage)] = (self._put(), dtype)
        self._alive.append(storage)
        self.storages.append((key, storage, dtype))

    def _device(self, d: device) -> None:
        self._global("torch", "device")
        self._string(str(d))
        self._out.append(_TUPLES[1] + _REDUCE)
        self._put()

    def _tuple(self, value: tuple, t) -> None:
        if not value:
            self._out.append(_EMPTY_TUPLE)
            return
        if self.share_tuples:
            index = self._objects.get(id(value))
            if index is not None:
                self._get(index)
                return
        elems = t.elems if isinstance(t, T.TupleType) and len(t.elems) == len(value) else None
        if len(value) > 3:
            self._out.append(_MARK)
        for i, v in enumerate(value):
            self._push(v, elems[i] if elems else None)
        self._out.append(_TUPLES.get(len(value), _TUPLE))
        if self.share_tuples:
            self._alive.append(value)
            self._objects[id(value)] = self._put()

    def _list(self, value: list, t) -> None:
        elem = t.elem if isinstance(t, T.ListType) else _infer(value)
        special = _SPECIAL_LISTS.get(type(elem))
        if special is not None:
            self._global("torch.jit._pickle", special)
            self._out.append(_MARK + _EMPTY_LIST + _MARK)
            for v in value:
                self._push(v, elem)
            self._out.append(_APPENDS + _TUPLE + _REDUCE)
            return
        self._global("torch.jit._pickle", "restore_type_tag")
        self._out.append(_EMPTY_LIST + _MARK)
        for v in value:
            self._push(v, elem)
        self._out.append(_APPENDS)
        self._type_tag(T.ListType(elem))

    def _dict(self, value: dict, t) -> None:
        if not isinstance(t, T.DictType):
            t = T.DictType(_infer(list(value)), _infer(list(value.values())))
        self._global("torch.jit._pickle", "restore_type_tag")
        self._out.append(_EMPTY_DICT)
        if value:
            self._out.append(_MARK)
            for k, v in value.items():
                self._push(k, t.key)
                self._push(v, t.value)
            self._out.append(_SETITEMS)
        self._type_tag(t)

    def _type_tag(self, t: T.Type) -> None:
        self._string(str(t))
        self._out.append(_TUPLES[2] + _REDUCE)


_FAST = {
    type(None): ScriptPickler._none,
    bool: ScriptPickler._bool,
    int: ScriptPickler._number,
    float: ScriptPickler._number,
    str: lambda self, value, t: self._string(value),
    tuple: ScriptPickler._tuple,
    list: ScriptPickler._list,
    dict: ScriptPickler._dict,
    ScriptObject: ScriptPickler._memoized,
    Tensor: ScriptPickler._memoized,
}


_ARGS: dict[tuple, bytes] = {}


def _tensor_args(offset: int, sizes: tuple, strides: tuple, requires_grad: bool) -> bytes:
    """The opcodes of a tensor's offset, sizes, strides and flag (models repeat a few)."""
    key = (offset, sizes, strides, requires_grad)
    found = _ARGS.get(key)
    if found is None:
        if len(_ARGS) >= 4096:
            _ARGS.clear()
        found = _ARGS[key] = b"".join(
            [int_opcode(offset), _MARK, *map(int_opcode, sizes), _TUPLE, _MARK,
             *map(int_opcode, strides), _TUPLE, _TRUE if requires_grad else _FALSE]
        )  # fmt: skip
    return found


def _infer(values: list) -> T.Type:
    """The element type of values saved without a static type (TorchScript's inference)."""
    kinds = {type(v) for v in values}
    if not kinds:
        return T.TensorType.get()
    if len(kinds) == 1:
        kind = kinds.pop()
        for py, t in ((bool, T.BoolType), (int, T.IntType), (float, T.FloatType),
                      (str, T.StrType)):  # fmt: skip
            if kind is py:
                return t.get()
        if issubclass(kind, Tensor):
            return T.TensorType.get()
    return T.AnyType.get()
