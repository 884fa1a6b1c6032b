"""Pickling ember objects in PyTorch's checkpoint conventions.

Tensors become `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
OrderedDict())`, parameters `torch._utils._rebuild_parameter(data, requires_grad, OrderedDict())`,
dtypes `torch.float32` ..., `Size` `torch.Size`; storages are written as persistent ids
`('storage', torch.FloatStorage, key, 'cpu', numel)` and collected by a `StorageTable`, so each
storage is written once however many tensors view it. The globals carry PyTorch's names (they are
the file format) though ember never imports torch: a `TorchGlobal` writes the GLOBAL opcode itself.

Example:
    >>> import io, pickletools
    >>> from ember import dtypes
    >>> buf = io.BytesIO()
    >>> CheckpointPickler(buf, StorageTable()).dump(dtypes.float32)
    >>> [arg for op, arg, _ in pickletools.genops(buf.getvalue()) if op.name == "GLOBAL"]
    ['torch float32']
"""

from __future__ import annotations

import pickle
from collections import OrderedDict

from ember import dtypes
from ember.errors import SerializationError
from ember.tensor import Size, Tensor, TypedStorage, UntypedStorage

__all__ = ["TorchGlobal", "StorageTable", "CheckpointPickler", "parameter_class"]


class TorchGlobal:
    """A reference to a global by its PyTorch name, pickled as `GLOBAL module name`."""

    _cache: dict = {}
    __slots__ = ("module", "name")

    def __new__(cls, module: str, name: str):
        key = (module, name)
        if key not in cls._cache:
            obj = object.__new__(cls)
            obj.module, obj.name = module, name
            cls._cache[key] = obj
        return cls._cache[key]

    def __repr__(self) -> str:
        return f"TorchGlobal({self.module}.{self.name})"

    def __call__(self, *args):  # pickle insists that REDUCE targets be callable
        raise TypeError(f"{self.module}.{self.name} is only a name written into files")


REBUILD_V2 = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")
UNTYPED = TorchGlobal("torch.storage", "UntypedStorage")


def parameter_class():
    """`ember.nn.Parameter`, or None while the nn layer is not there."""
    try:
        from ember.nn.parameter import Parameter
    except ImportError:
        return None
    return Parameter


class StorageTable:
    """Assigns keys "0", "1", ... to storages in the order the pickler meets them.

    `remap(storage, byte_offset)` may redirect a tensor to another (compacted) storage:
    it returns (storage, byte_offset) and is identity unless a compaction plan is set.
    """

    def __init__(self, plan=None, legacy_keys: bool = False):
        self.entries: dict[int, tuple[str, UntypedStorage, dtypes.dtype]] = {}
        self.plan = plan
        self.legacy_keys = legacy_keys
        self.tensor_bytes = 0
        self.tensor_count = 0
        self._used: set[str] = set()

    def _new_key(self, storage: UntypedStorage) -> str:
        if not self.legacy_keys:
            return str(len(self.entries))
        ptr = storage.data_ptr()  # the legacy format keys storages by address, as PyTorch does
        while str(ptr) in self._used:
            ptr += 1
        self._used.add(str(ptr))
        return str(ptr)

    def key_for(self, storage: UntypedStorage, dtype: dtypes.dtype | None) -> str:
        found = self.entries.get(id(storage))
        if found is None:
            found = (self._new_key(storage), storage, dtype)
            self.entries[id(storage)] = found
        elif dtype is not None and found[2] is not None and found[2] != dtype:
            raise SerializationError(
                "Cannot save multiple tensors or storages that view the same data as different "
                f"types ({found[2]} and {dtype})"
            )
        elif found[2] is None and dtype is not None:
            self.entries[id(storage)] = (found[0], storage, dtype)
        return found[0]

    def storages(self) -> list[tuple[str, UntypedStorage, dtypes.dtype]]:
        return list(self.entries.values())


class _StorageRef:
    """What the pickler sees in place of a storage: it becomes a persistent id."""

    __slots__ = ("storage", "dtype")

    def __init__(self, storage, dtype):
        self.storage, self.dtype = storage, dtype


def storage_pid(table: StorageTable, ref: _StorageRef):
    """The persistent id tuple of a storage (zip format)."""
    dtype = ref.dtype
    key = table.key_for(ref.storage, dtype)
    if dtype is None:
        return ("storage", UNTYPED, key, "cpu", ref.storage.nbytes())
    kind = TorchGlobal("torch", dtype.storage_name)
    return ("storage", kind, key, "cpu", ref.storage.nbytes() // dtype.itemsize)


def tensor_reduce(t: Tensor, table: StorageTable):
    """(rebuild, args) for a plain tensor, in PyTorch's `_rebuild_tensor_v2` convention."""
    dtype = t.dtype
    storage = t.untyped_storage()
    offset = t.storage_offset()
    if t.numel() == 0 and not 0 <= offset * t.element_size() <= storage.nbytes():
        offset = 0  # an empty tensor's data pointer need not lie in its storage
    table.tensor_bytes += t.nbytes
    table.tensor_count += 1
    if table.plan is not None:
        storage, offset = table.plan.remap(t, storage, offset)
    args = (
        _StorageRef(storage, dtype),
        offset,
        tuple(t.size()),
        tuple(t.stride()),
        bool(t.requires_grad),
        OrderedDict(),
    )
    return REBUILD_V2, args


def plain_tensor(t: Tensor) -> Tensor:
    """The plain-Tensor view of a parameter's data (same storage, requires_grad False)."""
    return Tensor._make(t._np, t.untyped_storage(), False)


class CheckpointPickler(pickle._Pickler):
    """A protocol-2 pickler writing PyTorch's checkpoint conventions (see module docstring).

    `legacy=True` writes the legacy format's 6-tuple persistent ids with pointer-like keys.
    """

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, f, table: StorageTable, protocol: int = 2, legacy: bool = False):
        super().__init__(f, protocol)
        self.table = table
        self.legacy = legacy
        self.parameter = parameter_class()

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            pid = storage_pid(self.table, obj)
            return pid + (None,) if self.legacy else pid
        if isinstance(obj, TypedStorage):
            return self.persistent_id(_StorageRef(obj.untyped(), obj.dtype))
        if isinstance(obj, UntypedStorage):
            return self.persistent_id(_StorageRef(obj, None))
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            if self.parameter is not None and isinstance(obj, self.parameter):
                data = plain_tensor(obj)
                return REBUILD_PARAMETER, (data, bool(obj.requires_grad), OrderedDict())
            return tensor_reduce(obj, self.table)
        if type(obj) is Size:
            return TorchGlobal("torch", "Size"), (tuple(obj),)
        return NotImplemented

    def save_torch_global(self, obj: TorchGlobal) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    def save_dtype(self, obj: dtypes.dtype) -> None:
        self.save(TorchGlobal("torch", obj.name))

    dispatch[TorchGlobal] = save_torch_global
    dispatch[dtypes.dtype] = save_dtype
