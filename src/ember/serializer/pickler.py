"""Pickling ember objects in PyTorch's checkpoint conventions.

Tensors become `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
OrderedDict())`, parameters `torch._utils._rebuild_parameter(data, requires_grad, OrderedDict())`;
a tensor carrying Python attributes (or of a user's Tensor subclass) is wrapped in
`torch._tensor._rebuild_from_type_v2(rebuild, type, args, attributes)` and a parameter with
attributes uses `_rebuild_parameter_with_state`, as PyTorch writes them. dtypes become
`torch.float32` ..., `Size` `torch.Size`, devices `torch.device`; storages are written as
persistent ids `('storage', torch.FloatStorage, key, 'cpu', numel)` and collected by a
`StorageTable`, so each storage is written once however many tensors view it.

The globals carry PyTorch's names (they are the file format) though ember never imports torch.
The fast path pickles with the C pickler, which can only name importable objects: it refers to
placeholder classes in a private module with a random name, then rewrites those GLOBAL lines to
PyTorch's names (a protocol-2/3 GLOBAL is newline-delimited text, so the rewrite is exact; if the
placeholder text turns up anywhere else the pure-Python pickler, which writes the names itself,
is used instead).

Example:
    >>> import pickletools
    >>> from ember import dtypes
    >>> data = dump_checkpoint(dtypes.float32, StorageTable())
    >>> [arg for op, arg, _ in pickletools.genops(data) if op.name == "GLOBAL"]
    ['torch float32']
"""

from __future__ import annotations

import io
import pickle
import secrets
import sys
import types
from collections import OrderedDict

from ember import dtypes
from ember.devices import device
from ember.errors import SerializationError
from ember.tensor import Size, Tensor, TypedStorage, UntypedStorage

__all__ = ["TorchGlobal", "StorageTable", "dump_checkpoint", "parameter_class"]

_NAMES = types.ModuleType(f"_ember_torch_names_{secrets.token_hex(8)}")
sys.modules[_NAMES.__name__] = _NAMES
_PLACEHOLDER_PREFIX = b"c" + _NAMES.__name__.encode() + b"\n"


def TorchGlobal(module: str, name: str) -> type:
    """The placeholder class standing for PyTorch's global `module.name` (cached)."""
    key = f"{module.replace('.', '_')}__{name}"
    found = getattr(_NAMES, key, None)
    if found is None:
        found = type(key, (), {"__module__": _NAMES.__name__, "__slots__": ()})
        found.torch_module, found.torch_name = module, name
        found.pattern = _PLACEHOLDER_PREFIX + key.encode() + b"\n"
        found.replacement = f"c{module}\n{name}\n".encode()
        setattr(_NAMES, key, found)
    return found


REBUILD_V2 = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")
REBUILD_PARAMETER_STATE = TorchGlobal("torch._utils", "_rebuild_parameter_with_state")
REBUILD_FROM_TYPE = TorchGlobal("torch._tensor", "_rebuild_from_type_v2")
TORCH_TENSOR = TorchGlobal("torch", "Tensor")
DEVICE = TorchGlobal("torch", "device")
UNTYPED = TorchGlobal("torch.storage", "UntypedStorage")
SIZE = TorchGlobal("torch", "Size")
_DTYPE_ATTRS = {d: a for a, d in vars(dtypes).items() if isinstance(d, dtypes.dtype)}
_DTYPE_ATTRS.update({d: d.name for d in dtypes.ALL_DTYPES if getattr(dtypes, d.name, None) is d})
_DTYPES_PREFIX = b"c" + dtypes.__name__.encode() + b"\n"


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
        self.tensor_bytes = 0  # bytes of the saved tensors and bare storages ...
        self.tensor_count = 0  # ... and how many there are (for the bloat warning)
        self._bare: set[int] = set()

    def _new_key(self, storage: UntypedStorage) -> str:
        if not self.legacy_keys:
            return str(len(self.entries))
        # The legacy format keys storages by the address of their C object, as PyTorch does;
        # every storage here stays alive until the save ends, so these are unique.
        return str(id(storage))

    def bare(self, storage: UntypedStorage) -> UntypedStorage:
        """The storage to write for a storage saved as itself (its bytes all count as saved)."""
        if id(storage) not in self._bare:
            self._bare.add(id(storage))
            self.tensor_bytes += storage.nbytes()
            self.tensor_count += 1
        return storage if self.plan is None else self.plan.remap_storage(storage)

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

    def reset(self) -> None:
        """Forget everything (a pickling pass is being redone)."""
        self.entries.clear()
        self._bare.clear()
        self.tensor_bytes = self.tensor_count = 0

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


def _attributes(t: Tensor) -> dict | None:
    """The tensor's own Python attributes (PyTorch saves them as the tensor's state)."""
    return dict(t.__dict__) if t.__dict__ else None


def _saved_type(t: Tensor):
    """The class a tensor is saved as: ember's own classes are `torch.Tensor`, users' their own."""
    kind = type(t)
    return TORCH_TENSOR if kind.__module__.split(".")[0] == "ember" else kind


class _Reducers:
    """What both picklers share: storages as persistent ids, tensors and Sizes reduced."""

    def _setup(self, table: StorageTable, legacy: bool, fast: bool) -> None:
        self.table = table
        self.legacy = legacy
        self.c_pickler = fast
        self.parameter = parameter_class()
        self.used: set = set()

    def persistent_id(self, obj):  # called for every object pickled: keep it cheap
        kind = type(obj)
        if kind is _StorageRef:
            pid = storage_pid(self.table, obj)
            self.used.add(pid[1])
            if self.legacy:
                # PyTorch's legacy writer makes a new key string for each reference, so the
                # pickle repeats the key instead of memoizing it; a fresh str object does too.
                return (*pid[:2], str(int(pid[2])), *pid[3:], None)
            return pid
        if kind is TypedStorage:
            return self.persistent_id(_StorageRef(self.table.bare(obj.untyped()), obj.dtype))
        if kind is UntypedStorage:
            return self.persistent_id(_StorageRef(self.table.bare(obj), None))
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            if self.parameter is not None and isinstance(obj, self.parameter):
                return self._parameter_reduce(obj)
            return self._tensor_reduce(obj)
        kind = type(obj)
        if kind is Size:
            self.used.add(SIZE)
            return SIZE, (tuple(obj),)
        if kind is device:
            self.used.add(DEVICE)
            return DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index)
        if self.c_pickler and type(obj) is dtypes.dtype:
            self.used.add(obj)
            return _DTYPE_ATTRS[obj]
        return NotImplemented

    def _parameter_reduce(self, p):
        args = (plain_tensor(p), bool(p.requires_grad), OrderedDict())
        state = _attributes(p)
        rebuild = REBUILD_PARAMETER if state is None else REBUILD_PARAMETER_STATE
        self.used.add(rebuild)
        return rebuild, args if state is None else (*args, state)

    def _tensor_reduce(self, t):
        self.used.add(REBUILD_V2)
        rebuild, args = tensor_reduce(t, self.table)
        saved_type, state = _saved_type(t), _attributes(t)
        if saved_type is TORCH_TENSOR and state is None:
            return rebuild, args
        self.used.add(REBUILD_FROM_TYPE)
        if saved_type is TORCH_TENSOR:
            self.used.add(TORCH_TENSOR)  # a user's class is pickled by reference, as usual
        return REBUILD_FROM_TYPE, (rebuild, saved_type, args, state)


class _FastPickler(_Reducers, pickle.Pickler):
    def __init__(self, f, table: StorageTable, protocol: int, legacy: bool):
        pickle.Pickler.__init__(self, f, protocol)
        self._setup(table, legacy, True)


class _SlowPickler(_Reducers, pickle._Pickler):
    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, f, table: StorageTable, protocol: int, legacy: bool):
        pickle._Pickler.__init__(self, f, protocol)
        self._setup(table, legacy, False)

    def save_global(self, obj, name=None):
        torch_name = getattr(obj, "torch_name", None)
        if torch_name is None or getattr(_NAMES, obj.__name__, None) is not obj:
            return super().save_global(obj, name)
        self._write_torch_global(obj.torch_module, torch_name)
        self.memoize(obj)

    def _write_torch_global(self, module: str, name: str) -> None:
        if self.proto >= 4:
            self.save(module)
            self.save(name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())

    def save_dtype(self, obj: dtypes.dtype) -> None:
        self._write_torch_global("torch", obj.name)
        self.memoize(obj)

    dispatch[dtypes.dtype] = save_dtype


def dump_checkpoint(obj, table: StorageTable, protocol: int = 2, legacy: bool = False) -> bytes:
    """`obj` pickled in PyTorch's checkpoint conventions (storages collected in `table`)."""
    if protocol in (2, 3):
        out = io.BytesIO()
        fast = _FastPickler(out, table, protocol, legacy)
        fast.dump(obj)
        data = _rename_globals(out.getvalue(), fast.used)
        if data is not None:
            return data
        table.reset()
    out = io.BytesIO()
    _SlowPickler(out, table, protocol, legacy).dump(obj)
    return out.getvalue()


def _rename_globals(data: bytes, used: set) -> bytes | None:
    """Rewrite placeholder GLOBALs to PyTorch's names; None if the text is ambiguous."""
    placeholders = [g for g in used if isinstance(g, type)]
    used_dtypes = [d for d in used if isinstance(d, dtypes.dtype)]
    if data.count(_PLACEHOLDER_PREFIX) != len(placeholders):
        return None
    if data.count(_DTYPES_PREFIX) != len(used_dtypes):
        return None
    for g in placeholders:
        if data.count(g.pattern) != 1:
            return None
        data = data.replace(g.pattern, g.replacement)
    for d in used_dtypes:
        pattern = _DTYPES_PREFIX + _DTYPE_ATTRS[d].encode() + b"\n"
        if data.count(pattern) != 1:
            return None
        data = data.replace(pattern, f"ctorch\n{d.name}\n".encode())
    return data
