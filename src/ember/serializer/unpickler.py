"""The allowlisting unpickler of checkpoints (weights_only=True).

`WeightsUnpickler` runs a protocol-2 opcode subset on Python's pure unpickler with its dispatch
table cut down: globals resolve only through the allowlist (PyTorch's checkpoint globals mapped
to ember objects, plus what the user added with `add_safe_globals`), BUILD/NEWOBJ/APPEND/SETITEM
work only on the types a checkpoint needs, and anything else raises `SerializationError` before
it can run. Containers are built within the budgets of `ember.serializer.limits` (nesting,
hashing work, hash collisions). The trusting unpickler (weights_only=False) is
`ember.serializer.full_unpickler`.

Example:
    >>> import io, pickle
    >>> data = pickle.dumps(eval, protocol=2)
    >>> WeightsUnpickler(io.BytesIO(data), None).load()
    Traceback (most recent call last):
    ...
    ember.errors.SerializationError: Weights only load failed: GLOBAL builtins.eval ...
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
from collections import OrderedDict

import numpy as np

from ember.errors import SerializationError
from ember.serializer import allowlist
from ember.serializer.limits import LimitedContainers, PickleLimits
from ember.serializer.rebuild import (
    TORCH_GLOBALS,
    UNSUPPORTED_DTYPES,
    UNSUPPORTED_GLOBALS,
    StorageType,
    make_size,
    safe_bytearray,
)
from ember.serializer.shown import error_text, shown
from ember.tensor import Tensor
from ember.tensor.tensor import wrap

__all__ = [
    "WeightsUnpickler",
    "Persistent",
    "resolve_torch_global",
    "canonical_module",
    "is_blocked",
    "is_torch_module",
]

_BLOCKED_MODULES = {"sys", "os", "posix", "nt", "subprocess"}
_PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}
_HOW_TO_ALLOW = (
    "If you trust this {what}, allow it with ember.serialization.add_safe_globals([{name}]) or "
    "the ember.serialization.safe_globals([{name}]) context manager; if you trust the whole "
    "file, load it with weights_only=False (that runs code from the file)."
)


def canonical_module(module: str) -> str:
    """Python 2 module names (`__builtin__`) as Python 3 spells them."""
    return _PY2_MODULES.get(module, module)


def is_blocked(module: str) -> bool:
    """Whether globals from `module` are refused even when allowlisted (os, sys, ...)."""
    return canonical_module(module).split(".")[0] in _BLOCKED_MODULES


def is_torch_module(module: str) -> bool:
    """Whether `module` is PyTorch's (`torch` or `torch.*`)."""
    return module == "torch" or module.startswith("torch.")


def resolve_torch_global(module: str, name: str):
    """The ember stand-in for PyTorch's global `module.name`, or None if it is not one."""
    found = TORCH_GLOBALS.get((module, name))
    if found is not None:
        return found
    if module == "torch" and name in UNSUPPORTED_DTYPES:
        raise SerializationError(f"the file uses dtype torch.{name}, which ember does not support")
    feature = UNSUPPORTED_GLOBALS.get((module, name))
    if feature is not None:
        raise SerializationError(
            f"the file uses {module}.{name} ({feature}), which ember does not support"
        )
    if module in ("torch", "torch.cuda") and name.endswith("Storage"):
        raise SerializationError(f"unknown storage type torch.{name} in the file")
    return None


class Persistent:
    """Shared persistent_load: storage ids are handed to the format's `load_storage`."""

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise SerializationError(f"unsupported persistent id {shown(pid)}")
        if self.load_storage is None:
            raise SerializationError("a storage reference appears where none may")
        if len(pid) < 5 or not isinstance(pid[1], StorageType):
            raise SerializationError(f"bad storage persistent id {shown(pid)}")
        return self.load_storage(pid)


class WeightsUnpickler(Persistent, LimitedContainers, pickle._Unpickler):
    """The allowlisting unpickler; `load_storage(pid)` returns the storage for a persistent id."""

    dispatch: dict = {}

    def __init__(
        self, f, load_storage, what: str = "the pickle", encoding="utf-8", errors="strict"
    ):
        super().__init__(f, encoding=encoding, errors=errors)
        self.load_storage = load_storage
        self.what = what
        self.limits = PickleLimits(_pickle_size(f), what)

    def find_class(self, module, name):
        module = canonical_module(module)
        full = f"{module}.{name}"
        if is_blocked(module):
            raise SerializationError(
                f"Weights only load failed: GLOBAL {full} is refused: module {module} is blocked."
            )
        found = resolve_torch_global(module, name)
        if found is None:
            found = allowlist.lookup(full)
        if found is None and is_torch_module(module):
            raise SerializationError(
                f"Weights only load failed: GLOBAL {full} is PyTorch's own, and ember has no "
                "counterpart for it: such files (whole PyTorch modules, other torch objects) "
                "load only in PyTorch"
            )
        if found is None:
            shown = name if module in ("builtins", "__builtin__") else full
            raise SerializationError(
                f"Weights only load failed: GLOBAL {full} was not an allowed global by default. "
                + _HOW_TO_ALLOW.format(what="class/function", name=shown)
            )
        return found

    def _refuse(self, what: str):
        raise SerializationError(f"Weights only load failed: unsupported pickle operation {what}")

    def load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if isinstance(inst, OrderedDict) and _is_attr_dict(state, type(inst)):
            inst.__dict__.update(state)
        elif isinstance(inst, Tensor) and not state:
            pass
        elif allowlist.allows_type(type(inst)):
            _build_allowed(inst, state)
        else:
            self._refuse(f"BUILD on {type(inst).__name__}")
        self.limits.grew(inst, state)

    def load_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        if not (isinstance(cls, type) and allowlist.allows_type(cls)) or not isinstance(
            args, tuple
        ):
            self._refuse(f"NEWOBJ of {shown(cls)}")
        obj = cls.__new__(cls, *args)
        self.append(self.limits.nested(obj, args) if _is_container(obj) else obj)

    def load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not isinstance(args, tuple):
            self._refuse("REDUCE with non-tuple arguments")
        if isinstance(func, StorageType):
            self._refuse(f"calling {func!r}")
        if func is Tensor:
            self.stack[-1] = _tensor_call(args)
            return
        iterates = _ITERATES.get(func) if type(func) in _HASHABLE_FUNCS else None
        if iterates is not None and args:
            self._charge_call(iterates, func, args[0])
        try:
            result = func(*args)
        except SerializationError:
            raise
        except Exception as exc:
            raise SerializationError(
                f"Weights only load failed: calling {_name_of(func)} with the file's arguments "
                f"failed: {error_text(exc)}"
            ) from None
        self.stack[-1] = self.limits.nested(result, args) if _is_container(result) else result

    def _charge_call(self, who: str, func, arg) -> None:
        """Budget a builtin called from the file on `arg`: its iteration and the keys it hashes."""
        self.limits.iterated(who, arg)
        if func is make_size or func is safe_bytearray or isinstance(arg, Tensor):
            return
        if isinstance(arg, dict):
            self.limits.keys(None, arg.keys())
        elif func is OrderedDict and isinstance(arg, (list, tuple)):
            pairs = (p for p in arg if isinstance(p, (list, tuple)) and len(p) == 2)
            self.limits.keys(None, (p[0] for p in pairs))
        elif isinstance(arg, (list, tuple, set, frozenset)):
            self.limits.keys(None, arg)

    def _check_list(self, target):
        if type(target) is not list:
            self._refuse(f"APPEND to {type(target).__name__}")
        return target

    def _check_dict(self, target):
        if type(target) not in (dict, OrderedDict, collections.Counter):
            self._refuse(f"SETITEM on {type(target).__name__}")
        return target

    def load_bytearray8(self):
        (n,) = struct.unpack("<Q", self.read(8))
        data = self.read(n)  # reads at most what the stream holds, unlike bytearray(n)
        if len(data) != n:
            raise SerializationError(f"{self.what}: BYTEARRAY8 of {n} bytes is truncated")
        self.append(bytearray(data))


# Builtins the file may call that iterate their argument (and hash its items, all but the last
# two): what they are called in errors.
_ITERATES = {
    set: "builtins.set",
    frozenset: "builtins.frozenset",
    collections.Counter: "collections.Counter",
    OrderedDict: "collections.OrderedDict",
    make_size: "torch.Size",
    safe_bytearray: "builtins.bytearray",
}
_HASHABLE_FUNCS = (type, type(make_size))


def _is_container(obj) -> bool:
    return isinstance(obj, (tuple, list, dict, set, frozenset))


def _pickle_size(f) -> int:
    """Bytes of pickle `f` holds from where it stands (0 if it cannot say)."""
    if isinstance(f, io.BytesIO):
        with f.getbuffer() as view:
            return view.nbytes - f.tell()
    remaining = getattr(f, "remaining", None)
    return remaining() if callable(remaining) else 0


def _name_of(func) -> str:
    name = getattr(func, "__name__", None)
    return repr(name) if isinstance(name, str) else shown(func)


def _tensor_call(args: tuple) -> Tensor:
    """`torch.Tensor()` from a file: an empty float tensor, as torch makes. Sizes or data as
    arguments are refused (torch.Tensor(10**12) would allocate before anything could check)."""
    if args:
        raise SerializationError(
            f"Weights only load failed: calling torch.Tensor with arguments {shown(args)} is "
            "not supported (only torch.Tensor(), an empty tensor)"
        )
    return wrap(np.empty(0, np.float32))


def _is_attr_dict(state, cls=object) -> bool:
    """A dict of attribute names that shadow nothing `cls` defines (no `keys`, `__class__`...)."""
    return isinstance(state, dict) and all(
        isinstance(k, str) and not k.startswith("__") and not hasattr(cls, k) for k in state
    )


def _build_allowed(inst, state) -> None:
    setstate = getattr(inst, "__setstate__", None)
    if setstate is not None and type(inst).__setstate__ is not object.__setstate__:
        setstate(state)
        return
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    if state:
        if not _is_attr_dict(state):
            raise SerializationError(f"bad BUILD state for {type(inst).__name__}")
        inst.__dict__.update(state)
    if slots:
        if not _is_attr_dict(slots):
            raise SerializationError(f"bad BUILD slot state for {type(inst).__name__}")
        for k, v in slots.items():
            setattr(inst, k, v)


class _Dispatch(dict):
    def __missing__(self, opcode):
        raise SerializationError(
            f"Weights only load failed: unsupported pickle opcode {bytes([opcode])!r}"
        )


def _weights_dispatch() -> dict:
    """The opcodes a checkpoint needs (protocols 2-5 data opcodes), bound to safe handlers."""
    base = pickle._Unpickler.dispatch
    allowed = [
        "PROTO",
        "FRAME",
        "STOP",
        "GLOBAL",
        "STACK_GLOBAL",
        "MARK",
        "POP",
        "POP_MARK",
        "DUP",
        "NONE",
        "NEWTRUE",
        "NEWFALSE",
        "INT",
        "BININT",
        "BININT1",
        "BININT2",
        "LONG",
        "LONG1",
        "LONG4",
        "FLOAT",
        "BINFLOAT",
        "STRING",
        "BINSTRING",
        "SHORT_BINSTRING",
        "UNICODE",
        "BINUNICODE",
        "SHORT_BINUNICODE",
        "BINUNICODE8",
        "BINBYTES",
        "SHORT_BINBYTES",
        "BINBYTES8",
        "EMPTY_TUPLE",
        "TUPLE",
        "TUPLE1",
        "TUPLE2",
        "TUPLE3",
        "EMPTY_LIST",
        "LIST",
        "EMPTY_DICT",
        "DICT",
        "EMPTY_SET",
        "FROZENSET",
        "GET",
        "BINGET",
        "LONG_BINGET",
        "PUT",
        "BINPUT",
        "LONG_BINPUT",
        "MEMOIZE",
        "PERSID",
        "BINPERSID",
    ]
    table = {getattr(pickle, name)[0]: base[getattr(pickle, name)[0]] for name in allowed}
    own = {
        "BUILD": WeightsUnpickler.load_build,
        "NEWOBJ": WeightsUnpickler.load_newobj,
        "REDUCE": WeightsUnpickler.load_reduce,
        "APPEND": WeightsUnpickler.load_append,
        "APPENDS": WeightsUnpickler.load_appends,
        "SETITEM": WeightsUnpickler.load_setitem,
        "SETITEMS": WeightsUnpickler.load_setitems,
        "ADDITEMS": WeightsUnpickler.load_additems,
        "BYTEARRAY8": WeightsUnpickler.load_bytearray8,
        "TUPLE": WeightsUnpickler.load_tuple,
        "TUPLE1": WeightsUnpickler.load_tuple1,
        "TUPLE2": WeightsUnpickler.load_tuple2,
        "TUPLE3": WeightsUnpickler.load_tuple3,
        "LIST": WeightsUnpickler.load_list,
        "DICT": WeightsUnpickler.load_dict,
        "FROZENSET": WeightsUnpickler.load_frozenset,
    }
    table.update({getattr(pickle, name)[0]: fn for name, fn in own.items()})
    return _Dispatch(table)


WeightsUnpickler.dispatch = _weights_dispatch()
