"""The parameter, buffer and submodule tables of a scripted module.

Compiled code reads a scripted module's parameters, buffers and submodules with plain
attribute lookups, so they also live in the module's ``__dict__``. A `Mirrored` table keeps
that copy right: every write through the table (assignment, ``del``, ``register_*``,
``to()``, ``load_state_dict(assign=True)``) updates ``__dict__`` too.

Example:
    >>> owner = {}
    >>> table = Mirrored(owner, {"w": 1})
    >>> table["b"] = 2
    >>> del table["w"]
    >>> owner, dict(table)
    ({'b': 2}, {'b': 2})
"""

from __future__ import annotations

import copy
from collections import OrderedDict

__all__ = ["Mirrored"]


class Mirrored(OrderedDict):
    """A scripted module's parameter/buffer/submodule table whose entries are also kept in
    the module's __dict__ (`owner`): the one place writes to those names go through."""

    __slots__ = ("owner",)

    def __init__(self, owner: dict, items=()):
        super().__init__()
        self.owner = owner
        self.update(items)

    def __setitem__(self, key, value):
        OrderedDict.__setitem__(self, key, value)
        self.owner[key] = value

    def __delitem__(self, key):
        OrderedDict.__delitem__(self, key)
        self.owner.pop(key, None)

    def pop(self, key, *default):
        if key in self:
            self.owner.pop(key, None)
        return OrderedDict.pop(self, key, *default)

    def popitem(self, last=True):
        key, value = OrderedDict.popitem(self, last)
        self.owner.pop(key, None)
        return key, value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, other=(), **kwargs):
        for key, value in dict(other, **kwargs).items():
            self[key] = value

    def clear(self):
        for key in self:
            self.owner.pop(key, None)
        OrderedDict.clear(self)

    def copy(self):
        return OrderedDict(self)

    def __reduce__(self):
        return OrderedDict, (list(self.items()),)

    def __deepcopy__(self, memo):
        return OrderedDict((k, copy.deepcopy(v, memo)) for k, v in self.items())
