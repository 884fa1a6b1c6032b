"""Dotted-path lookups on modules: `get_submodule`, `get_parameter`, `get_buffer`.

A mixin of `Module` (kept apart to keep module.py small), with PyTorch's errors.

Example:
    >>> import ember.nn as nn
    >>> m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    >>> m.get_parameter("0.weight").shape, m.get_buffer("1.running_mean").shape
    (ember.Size([3, 2]), ember.Size([3]))
    >>> m.get_submodule("1")
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
"""

from __future__ import annotations

from ember.nn.parameter import Parameter

__all__ = ["LookupMixin"]


class LookupMixin:
    """The lookup half of `Module`."""

    def get_submodule(self, target: str):
        """The submodule at dotted path `target` ('' is the module itself)."""
        mod = self
        for item in target.split(".") if target else ():
            if not hasattr(mod, item):
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, LookupMixin):  # every nn.Module is one
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path `target` ('0.weight')."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str):
        """The buffer at dotted path `target` ('1.running_mean')."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(mod, name)
