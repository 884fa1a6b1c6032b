"""Reading the pickles of TorchScript archives without running anything from the file.

``data.pkl``, ``constants.pkl`` and ``*.debug_pkl`` use the globals torch's C++ pickler
writes: ``__torch__.*`` classes (module and script objects), ``torch.jit._pickle``'s typed
list builders and ``restore_type_tag``, ``torch._utils._rebuild_tensor_v2`` with storage
persistent ids, ``collections.OrderedDict``, ``torch.device`` and ``builtins.complex``.
`ScriptUnpickler` is the allowlisting unpickler of `ember.load` with its globals cut down to
those: a ``__torch__`` class becomes a placeholder whose ``NEWOBJ``/``BUILD`` make a
`ScriptObject` record (name and state) and nothing else; any other global raises
`SerializationError` naming it.

Example:
    >>> from ember.serializer.script_pickler import ScriptObject, ScriptPickler
    >>> data = ScriptPickler().dumps(ScriptObject("__torch__.Net", {"training": True}))
    >>> unpickle_script(data, None)
    ScriptObject('__torch__.Net')
    >>> import pickle
    >>> unpickle_script(pickle.dumps(print, protocol=2), None)
    Traceback (most recent call last):
    ...
    ember.errors.SerializationError: data.pkl names the global __builtin__.print, which ...
"""

from __future__ import annotations

import io
import pickle

from ember.errors import SerializationError
from ember.serializer.location import MapLocationError
from ember.serializer.rebuild import TORCH_GLOBALS, StorageType, shown
from ember.serializer.script_pickler import ScriptObject
from ember.serializer.unpickler import WeightsUnpickler
from ember.tensor import Tensor

__all__ = ["ScriptClass", "ScriptUnpickler", "unpickle_script"]


class ScriptClass:
    """Stands for a ``__torch__`` class global: constructing it makes a `ScriptObject`."""

    __slots__ = ("qualified_name",)

    def __init__(self, qualified_name: str):
        self.qualified_name = qualified_name

    def __repr__(self) -> str:
        return f"ScriptClass({self.qualified_name!r})"


def _checked_list(kind, check):
    def build(values):
        if type(values) is not list or not all(check(v) for v in values):
            raise SerializationError(f"torch.jit._pickle.{kind} got {shown(values)}")
        return values

    build.__name__ = kind
    return build


def _is_int(v) -> bool:
    return type(v) is int


def restore_type_tag(value, type_str):
    """The value of a tagged list or dict (its type string is not needed to use it)."""
    if type(value) not in (list, dict) or not isinstance(type_str, str):
        raise SerializationError(f"bad restore_type_tag arguments {shown((value, type_str))}")
    return value


_JIT_PICKLE = {
    "build_intlist": _checked_list("build_intlist", _is_int),
    "build_doublelist": _checked_list("build_doublelist", lambda v: type(v) is float),
    "build_boollist": _checked_list("build_boollist", lambda v: type(v) is bool),
    "build_tensorlist": _checked_list("build_tensorlist", lambda v: isinstance(v, Tensor)),
    "restore_type_tag": restore_type_tag,
}
_ALLOWED_TORCH = {
    ("torch._utils", "_rebuild_tensor_v2"),
    ("collections", "OrderedDict"),
    ("torch", "device"),
    ("builtins", "complex"),
}


class ScriptUnpickler(WeightsUnpickler):
    """The allowlisting unpickler for an archive's pickles (see the module docstring)."""

    dispatch = type(WeightsUnpickler.dispatch)(WeightsUnpickler.dispatch)  # unknown: refused
    del dispatch[pickle.FRAME[0]]  # protocol 2 has no frames: read straight from the bytes

    def __init__(self, f, load_storage, what: str):
        super().__init__(f, load_storage, what)
        self._classes: dict[str, ScriptClass] = {}

    def load(self):
        """The pure unpickler's loop, reading the bytes directly (no frames to unpack)."""
        self.read, self.readline = self._file_read, self._file_readline
        self.readinto = None
        self.metastack, self.stack, self.proto = [], [], 0
        self.append = self.stack.append
        read, dispatch = self.read, self.dispatch
        try:
            while True:
                key = read(1)
                if not key:
                    raise EOFError
                dispatch[key[0]](self)
        except pickle._Stop as stop:
            return stop.value

    def find_class(self, module, name):
        if module == "__torch__" or module.startswith("__torch__."):
            if module.startswith("__torch__.torch.classes"):
                raise SerializationError(
                    f"{self.what} uses the custom C++ class {module}.{name}, which ember does "
                    "not have"
                )
            full = f"{module}.{name}"
            found = self._classes.get(full)
            if found is None:
                found = self._classes[full] = ScriptClass(full)
            return found
        if module == "torch.jit._pickle" and name in _JIT_PICKLE:
            return _JIT_PICKLE[name]
        found = TORCH_GLOBALS.get((module, name))
        if (module, name) in _ALLOWED_TORCH or isinstance(found, StorageType):
            return found
        raise SerializationError(
            f"{self.what} names the global {module}.{name}, which a TorchScript archive may not "
            "contain: the file is damaged or was not written by torch.jit.save"
        )

    def load_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        if not isinstance(cls, ScriptClass) or args != ():
            self._refuse(f"NEWOBJ of {shown(cls)}")
        self.append(ScriptObject(cls.qualified_name))

    def load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if not isinstance(inst, ScriptObject) or inst.state is not None:
            self._refuse(f"BUILD on {type(inst).__name__}")
        inst.state = state
        self.limits.grew(inst, state)

    def load_reduce(self):
        if isinstance(self.stack[-2], ScriptClass):
            self._refuse(f"calling {self.stack[-2].qualified_name} (enum values are not supported)")
        super().load_reduce()

    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.BUILD[0]] = load_build
    dispatch[pickle.REDUCE[0]] = load_reduce


def unpickle_script(data: bytes, load_storage, what: str = "data.pkl"):
    """Unpickle one of an archive's pickles; damage raises `SerializationError` naming `what`.

    `load_storage(pid)` returns the storage for a persistent id (None: no tensors allowed).
    """
    try:
        return ScriptUnpickler(io.BytesIO(data), load_storage, what).load()
    except (SerializationError, MapLocationError):
        raise
    except RecursionError:
        raise SerializationError(f"cannot unpickle {what}: the pickle nests too deeply") from None
    except Exception as exc:  # noqa: BLE001 - anything else means a damaged pickle
        detail = str(exc) or type(exc).__name__
        raise SerializationError(
            f"cannot unpickle {what}: the pickle is corrupt or truncated ({detail})"
        ) from None
