"""Class types of traced modules: one `ClassType` per module instance, as PyTorch's tracer does.

Each instance gets a qualified name under ``__torch__`` from its class's module and name,
defined in the trace's compilation unit; a second instance of the same class gets PyTorch's
mangled name (``___torch_mangle_0``), since traced instances of one class may record
different methods.

Example:
    >>> class Net:
    ...     __module__ = "mymodels"
    >>> types = ModuleTypes()
    >>> a, b = Net(), Net()
    >>> str(types.of(a)), str(types.of(b)), types.of(a) is types.of(a)
    ('__torch__.mymodels.Net', '__torch__.mymodels.___torch_mangle_0.Net', True)
"""

from __future__ import annotations

from ember.ir import types as irt
from ember.ir.unit import CompilationUnit

__all__ = ["ModuleTypes", "base_name"]


def base_name(cls) -> str:
    """``__torch__.<module>.<Class>``, with `__main__` dropped as PyTorch does."""
    module = cls.__module__
    name = cls.__qualname__.replace(".<locals>", "")
    if module in ("__main__", "builtins", None):
        return f"__torch__.{name}"
    if module.startswith("ember."):
        module = "torch." + module.removeprefix("ember.")
    return f"__torch__.{module}.{name}"


class ModuleTypes:
    """Hands out one ClassType per module object, defined in `unit`."""

    def __init__(self, unit: CompilationUnit | None = None):
        self.unit = unit if unit is not None else CompilationUnit()
        self._by_id: dict[int, irt.ClassType] = {}
        self._keep: list = []

    def of(self, module) -> irt.ClassType:
        t = self._by_id.get(id(module))
        if t is None:
            t = self.unit.define_class(base_name(type(module)), {})
            self._by_id[id(module)] = t
            self._keep.append(module)
        return t
