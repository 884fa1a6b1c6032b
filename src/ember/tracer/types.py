"""Class types of traced modules: one `ClassType` per module instance, as PyTorch's tracer does.

Each instance gets a qualified name under ``__torch__`` from its class's module and name; a
second instance of the same class gets PyTorch's mangled name (``___torch_mangle_0``), since
traced instances of one class may record different methods.

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
    """Hands out one ClassType per module object, mangling repeated class names."""

    def __init__(self):
        self._by_id: dict[int, irt.ClassType] = {}
        self._keep: list = []
        self._used: set[str] = set()
        self._mangle = 0

    def of(self, module) -> irt.ClassType:
        t = self._by_id.get(id(module))
        if t is None:
            t = irt.ClassType(self._fresh(base_name(type(module))))
            self._by_id[id(module)] = t
            self._keep.append(module)
        return t

    def _fresh(self, name: str) -> str:
        if name not in self._used:
            self._used.add(name)
            return name
        prefix, _, cls = name.rpartition(".")
        self._mangle += 1
        return f"{prefix}.___torch_mangle_{self._mangle - 1}.{cls}"
