"""Named tuples for ops with several results, as PyTorch's ``torch.return_types``:
``ember.max(x, 0)`` returns ``ember.return_types.max(values=..., indices=...)``."""

from __future__ import annotations

from collections import namedtuple

__all__ = ["return_type"]

_RETURN_TYPES: dict = {}


def return_type(op):
    """The named-tuple type of `op`'s results (one per op name and field names).

    >>> from ember import ops
    >>> return_type(ops.get("aten::max.dim"))._fields
    ('values', 'indices')
    """
    fields = tuple(r.name or f"out{i}" for i, r in enumerate(op.schema.returns))
    short = op.name.split("::")[1]
    key = (short, fields)
    if key not in _RETURN_TYPES:
        base = namedtuple(short, fields)
        cls = type(short, (base,), {"__slots__": (), "__repr__": _rt_repr})
        cls.__module__ = "ember.return_types"
        _RETURN_TYPES[key] = cls
    return _RETURN_TYPES[key]


def _rt_repr(self) -> str:
    body = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
    return f"ember.return_types.{type(self).__name__}(\n{body})"
