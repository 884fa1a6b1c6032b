"""Reading a checkpoint's pickle to look at it, even where a weights-only load would refuse.

`PeekUnpickler` is the allowlisting unpickler of `ember.load` with one change: a global it
would refuse becomes a `Global` stand-in instead of an error, and calling or instantiating
that stand-in (REDUCE, NEWOBJ) makes a `Stub` recording the name, the arguments and any
state or items the pickle then gives it. Nothing named in the file is imported or called, so
a checkpoint that keeps, say, its command-line arguments in an ``argparse.Namespace`` still
shows its tensors, its ``epoch`` and those arguments. `refused` lists the stood-in globals.

Example:
    >>> import io, pickle
    >>> class Payload:
    ...     def __reduce__(self):
    ...         return (print, ("pwned",))
    >>> u = PeekUnpickler(io.BytesIO(pickle.dumps({"x": Payload(), "epoch": 3}, 2)), None)
    >>> u.load()
    {'x': Stub('builtins.print', ('pwned',)), 'epoch': 3}
    >>> sorted(u.refused)
    ['builtins.print']
"""

from __future__ import annotations

import pickle

from ember.errors import SerializationError
from ember.serializer.rebuild import shown
from ember.serializer.unpickler import WeightsUnpickler, canonical_module

__all__ = ["Global", "Stub", "PeekUnpickler"]


class Global:
    """Stands for a global the allowlist refuses (``module.name``); never imported."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<global {self.name}>"


class Stub:
    """What calling or instantiating a refused global would have made: its name, the
    arguments, the state a BUILD gave it, the items APPEND added and the (key, value)
    entries SETITEM added."""

    __slots__ = ("name", "args", "state", "items", "entries")

    def __init__(self, name: str, args: tuple):
        self.name, self.args = name, args
        self.state, self.items, self.entries = None, [], []

    def append(self, value) -> None:
        self.items.append(value)

    def extend(self, values) -> None:
        self.items.extend(values)

    def __setitem__(self, key, value) -> None:
        self.entries.append((key, value))

    def __repr__(self) -> str:
        return f"Stub({self.name!r}, {shown(self.args)})"


class PeekUnpickler(WeightsUnpickler):
    """`WeightsUnpickler` that stands refused globals in with `Global`/`Stub` records."""

    dispatch = type(WeightsUnpickler.dispatch)(WeightsUnpickler.dispatch)

    def __init__(self, f, load_storage, what: str = "the pickle", refused=None, **options):
        super().__init__(f, load_storage, what, **options)
        self.refused: set[str] = set() if refused is None else refused

    def find_class(self, module, name):
        try:
            return super().find_class(module, name)
        except SerializationError:
            full = f"{canonical_module(module)}.{name}"
            self.refused.add(full)
            return Global(full)

    def _stub(self, opcode: str) -> bool:
        """Replace a refused global and its arguments on the stack by a `Stub`, if it is one."""
        if not isinstance(self.stack[-2], Global):
            return False
        args = self.stack.pop()
        if not isinstance(args, tuple):
            self._refuse(f"{opcode} with non-tuple arguments")
        self.stack[-1] = Stub(self.stack[-1].name, args)
        return True

    def load_reduce(self):
        if not self._stub("REDUCE"):
            WeightsUnpickler.load_reduce(self)

    def load_newobj(self):
        if not self._stub("NEWOBJ"):
            WeightsUnpickler.load_newobj(self)

    def load_build(self):
        if isinstance(self.stack[-2], Stub):
            state = self.stack.pop()
            self.stack[-1].state = state
        else:
            WeightsUnpickler.load_build(self)

    def _check_list(self, target):
        return target if isinstance(target, Stub) else super()._check_list(target)

    def _check_dict(self, target):
        return target if isinstance(target, Stub) else super()._check_dict(target)

    dispatch[pickle.REDUCE[0]] = load_reduce
    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.BUILD[0]] = load_build
