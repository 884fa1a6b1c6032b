"""Unpicklers for checkpoints: an allowlisting one (weights_only=True) and a trusting one.

`WeightsUnpickler` runs a protocol-2 opcode subset on Python's pure unpickler with its dispatch
table cut down: globals resolve only through the allowlist (PyTorch's checkpoint globals mapped
to ember objects, plus what the user added with `add_safe_globals`), BUILD/NEWOBJ/APPEND/SETITEM
work only on the types a checkpoint needs, and anything else raises `SerializationError` before
it can run. `FullUnpickler` (weights_only=False) is the C unpickler, mapping PyTorch's names the
same way but resolving every other global normally: it runs code from the file.

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
import pickle
import pickletools
import struct
from collections import OrderedDict

from ember.errors import SerializationError
from ember.serializer import allowlist
from ember.serializer.rebuild import (
    TORCH_GLOBALS,
    UNSUPPORTED_DTYPES,
    UNSUPPORTED_GLOBALS,
    StorageType,
    shown,
)
from ember.tensor import Tensor

__all__ = [
    "WeightsUnpickler",
    "FullUnpickler",
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


class _Persistent:
    """Shared persistent_load: storage ids are handed to the format's `load_storage`."""

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise SerializationError(f"unsupported persistent id {shown(pid)}")
        if self.load_storage is None:
            raise SerializationError("a storage reference appears where none may")
        if len(pid) < 5 or not isinstance(pid[1], StorageType):
            raise SerializationError(f"bad storage persistent id {shown(pid)}")
        return self.load_storage(pid)


class WeightsUnpickler(_Persistent, pickle._Unpickler):
    """The allowlisting unpickler; `load_storage(pid)` returns the storage for a persistent id."""

    dispatch: dict = {}

    def __init__(
        self, f, load_storage, what: str = "the pickle", encoding="utf-8", errors="strict"
    ):
        super().__init__(f, encoding=encoding, errors=errors)
        self.load_storage = load_storage
        self.what = what

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

    def load_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        if not (isinstance(cls, type) and allowlist.allows_type(cls)) or not isinstance(
            args, tuple
        ):
            self._refuse(f"NEWOBJ of {cls!r}")
        self.append(cls.__new__(cls, *args))

    def load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not isinstance(args, tuple):
            self._refuse("REDUCE with non-tuple arguments")
        if isinstance(func, StorageType):
            self._refuse(f"calling {func!r}")
        try:
            self.stack[-1] = func(*args)
        except SerializationError:
            raise
        except Exception as exc:
            raise SerializationError(
                f"Weights only load failed: calling {getattr(func, '__name__', func)!r} with the "
                f"file's arguments failed: {type(exc).__name__}: {exc}"
            ) from None

    def load_append(self):
        value = self.stack.pop()
        self._check_list(self.stack[-1]).append(value)

    def load_appends(self):
        items = self.pop_mark()
        self._check_list(self.stack[-1]).extend(items)

    def _check_list(self, target):
        if type(target) is not list:
            self._refuse(f"APPEND to {type(target).__name__}")
        return target

    def load_setitem(self):
        value = self.stack.pop()
        key = self.stack.pop()
        self._check_dict(self.stack[-1])[key] = value

    def load_setitems(self):
        items = self.pop_mark()
        target = self._check_dict(self.stack[-1])
        for i in range(0, len(items) - 1, 2):
            target[items[i]] = items[i + 1]

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

    def load_additems(self):
        items = self.pop_mark()
        target = self.stack[-1]
        if type(target) is not set:
            self._refuse(f"ADDITEMS on {type(target).__name__}")
        target.update(items)


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
    }
    table.update({getattr(pickle, name)[0]: fn for name, fn in own.items()})
    return _Dispatch(table)


WeightsUnpickler.dispatch = _weights_dispatch()


class FullUnpickler(_Persistent, pickle.Unpickler):
    """weights_only=False: any global resolves (PyTorch's names map to ember's objects)."""

    def __init__(
        self, f, load_storage, what: str = "the pickle", encoding="utf-8", errors="strict"
    ):
        _prescan(f, what)
        super().__init__(f, encoding=encoding, errors=errors)
        self.load_storage = load_storage

    def find_class(self, module, name):
        found = resolve_torch_global(module, name)
        if found is not None:
            return found
        if is_torch_module(module):
            raise SerializationError(f"the file needs {module}.{name}, which ember does not have")
        return super().find_class(module, name)


def _prescan(f, what: str) -> None:
    """Parse the pickle once before the C unpickler runs; `f` is left where it was.

    The C unpickler allocates what opcodes claim before reading: a memo array as long as the
    largest PUT/LONG_BINPUT index, and BINBYTES8/BYTEARRAY8 buffers of the stated length, so a
    10-byte pickle could make it allocate gigabytes. Picklers number memo entries from 0
    upwards, so a genuine index is smaller than its position; `genops` reads lengths only as
    far as the data goes, so a truncated or garbled pickle fails here, before anything runs.
    """
    start = f.tell()
    try:
        for op, arg, pos in pickletools.genops(f):
            if op.name in ("PUT", "LONG_BINPUT") and not 0 <= arg <= pos:
                raise SerializationError(
                    f"{what}: memo index {arg} at byte {pos} exceeds the pickle's size"
                )
    except SerializationError:
        raise
    except Exception as exc:  # noqa: BLE001  (ValueError, EOFError, UnicodeError ... from genops)
        raise SerializationError(f"{what}: the pickle is corrupt or truncated ({exc})") from None
    finally:
        f.seek(start)
