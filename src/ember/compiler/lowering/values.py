"""Compile-time values: what a name or expression means while lowering.

Most expressions become IR `Value`s. Some are only meaningful to the compiler (like
TorchScript's "sugared values"): a Python module such as ``ember`` or ``math``, a Python
function, a submodule, a method of ``self``, a tensor method bound to its receiver, a
constant known at compile time, or a container of modules that loops unroll over.

Example:
    >>> import math
    >>> PyObj(math).attr("pi")
    Known(value=3.141592653589793)
"""

from __future__ import annotations

import types as pytypes
from dataclasses import dataclass, field

__all__ = ["Known", "PyObj", "ModuleRef", "BoundMethod", "TensorMethod", "Sugared", "fold"]


class Sugared:
    """Base of compile-time-only values."""


@dataclass
class Known(Sugared):
    """A Python constant known at compile time (int/float/bool/str/None or tuple of them);
    `loc` is the source location of the literal it was written as, if any."""

    value: object
    loc: object = field(default=None, compare=False, repr=False)


@dataclass
class PyObj(Sugared):
    """A Python object from globals/closures: a module, function, class or builtin."""

    obj: object

    def attr(self, name: str):
        value = getattr(self.obj, name)
        if isinstance(value, bool | int | float | str) or value is None:
            return Known(value)
        return PyObj(value)

    @property
    def is_module(self) -> bool:
        return isinstance(self.obj, pytypes.ModuleType)


@dataclass
class ModuleRef(Sugared):
    """A module value: the IR value of the module (typed ClassType) and its compiled info."""

    value: object  # ir Value
    info: object  # ember.compiler.modules.info.ModuleInfo


@dataclass
class BoundMethod(Sugared):
    """``self.helper`` (or ``self.sub.forward``): a method of a module value."""

    module: ModuleRef
    name: str


@dataclass
class TensorMethod(Sugared):
    """``x.relu`` for a tensor value `x`: called with `x` as the first argument."""

    receiver: object  # ir Value
    name: str


@dataclass
class ValueMethod(Sugared):
    """A method of a list/dict/str value (``xs.append``, ``d.keys``)."""

    receiver: object
    name: str


def fold(fn, *args) -> Known | None:
    """`fn` of compile-time constants, as a Known. None when an argument is not a Known or
    Python refuses the values (``int("x")``, ``~1.5``, ``1 < "a"``): the caller then compiles
    the call as an op, checked like any other, or failing at run time as Python would."""
    if fn is None or not all(isinstance(a, Known) for a in args):
        return None
    try:
        return Known(fn(*(a.value for a in args)))
    except Exception:  # noqa: BLE001 - whatever Python refuses is left to the op
        return None
