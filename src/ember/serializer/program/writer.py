"""Building the program record of a module: `build_program` and `program_bytes`.

The input is what an archive holds: the compilation unit with the root module's class type,
the module tree as `ScriptObject`s (the records of ``data.pkl``), the archive's version and
where its storages live (`StorageIndex`). Each compiled method of the root class becomes one
`Function` with its calls inlined (`ember.serializer.program.functions`), ``forward`` first;
the object tree becomes `Object`s and `Class`es, its tensors `TensorRef`s into the same
``data/N`` records ``data.pkl`` names, the code's tensor constants into ``constants/N``.

Operators keep the overloads the code names, at the archive's version: a version-3 archive
converted with ``ember convert`` still calls ``aten::div.Tensor`` meaning integer division.
`upgraders` holds the body of every upgrader (`ember.upgraders.table`) that covers the
version for an operator the program calls, named as torch names it (``div_Tensor_0_3``): the
C++ runtime's generated table binds those calls to them. Ops inside upgrader bodies mean
their current meaning.

Example:
    >>> import ember
    >>> from ember.serializer.program import read_program
    >>> from ember.serializer.script_pickler import ScriptObject
    >>> m = ember.jit.script(ember.nn.ReLU())
    >>> cls = m._ember_info.class_type
    >>> root = ScriptObject(cls.qualified_name, {"training": True})
    >>> p = read_program(program_bytes(m._ember_compiler.unit, cls, root, 3, StorageIndex()))
    >>> [o.qualified_name for o in p.operators]
    ['aten::relu']
"""

from __future__ import annotations

import functools

from ember.ir.types import ClassType
from ember.serializer.program import model
from ember.serializer.program.encode import encode
from ember.serializer.program.functions import write_function
from ember.serializer.program.values import StorageIndex, Tables
from ember.serializer.script_pickler import ScriptObject
from ember.upgraders import for_version

__all__ = ["build_program", "program_bytes", "StorageIndex", "RECORD"]

RECORD = "program.fb"
"""The record's name inside the archive's folder."""


def build_program(
    unit, cls: ClassType, root: ScriptObject, version: int, storages: StorageIndex
) -> model.Program:
    """The `model.Program` of module `root` (of class `cls` in `unit`) at archive `version`."""
    tables = Tables(storages, unit)
    program = tables.program
    program.version, program.producer = int(version), producer()
    program.root = tables.object(root, cls)
    for name, fn in _methods(cls):
        program.methods.append(model.Method(name, len(program.functions)))
        program.functions.append(write_function(fn.graph, name, tables, unit))
    called = [o.qualified_name for o in program.operators]
    for up in needed_upgraders(called, version):
        program.upgraders.append(write_function(up.graph(), up.name, tables))
    return program


def program_bytes(unit, cls, root, version, storages) -> bytes:
    """`build_program`, encoded: the bytes of the ``program.fb`` record."""
    return encode(build_program(unit, cls, root, version, storages))


def needed_upgraders(called, version: int) -> list:
    """The upgraders with bodies that cover `version` for an operator in `called` (qualified
    names), in table order.

    >>> [up.name for up in needed_upgraders({"aten::div.Tensor", "aten::full"}, 3)]
    ['div_Tensor_0_3', 'full_0_4']
    """
    table, called = for_version(version), set(called)
    return [up for name, up in table.items() if up.body is not None and name in called]


def _methods(cls: ClassType):
    """The root class's compiled methods, forward first (those kept in Python are left out)."""
    methods = [(n, fn) for n, fn in cls.methods.items() if fn.python is None]
    return sorted(methods, key=lambda item: item[0] != "forward")


@functools.cache
def producer() -> str:
    """``"ember <version>"`` (the installed package's version)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"ember {version('ember')}"
    except PackageNotFoundError:
        return "ember"
