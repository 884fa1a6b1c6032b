"""The user's additions to the weights-only allowlist (process-wide, like PyTorch's).

An entry is an object, registered under `module.qualname`, or a pair `(obj, "dotted.name")` for
objects pickled under another name.

Example:
    >>> import fractions
    >>> add([fractions.Fraction])
    >>> lookup("fractions.Fraction") is fractions.Fraction
    True
    >>> clear()
"""

from __future__ import annotations

import contextlib

__all__ = ["add", "get", "clear", "scoped", "lookup", "allows_type"]

_ALLOWED: dict[str, object] = {}
_ENTRIES: dict[str, object] = {}


def _name_of(entry) -> tuple[str, object]:
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], str):
        return entry[1], entry[0]
    try:
        return f"{entry.__module__}.{entry.__qualname__}", entry
    except AttributeError:
        raise TypeError(f"cannot allowlist {entry!r}: it has no __module__/__qualname__") from None


def add(entries) -> None:
    """Allow each entry (an object or `(obj, name)`) to be loaded with weights_only=True."""
    for entry in entries:
        name, obj = _name_of(entry)
        _ALLOWED[name] = obj
        _ENTRIES[name] = entry


def get() -> list:
    """The user-added entries."""
    return list(_ENTRIES.values())


def clear() -> None:
    """Forget every user-added entry."""
    _ALLOWED.clear()
    _ENTRIES.clear()


@contextlib.contextmanager
def scoped(entries):
    """Allow `entries` inside a `with` block only."""
    saved = dict(_ALLOWED), dict(_ENTRIES)
    add(entries)
    try:
        yield
    finally:
        clear()
        _ALLOWED.update(saved[0])
        _ENTRIES.update(saved[1])


def lookup(full_name: str):
    """The allowed object for `module.name`, or None."""
    return _ALLOWED.get(full_name)


def allows_type(cls) -> bool:
    """Whether instances of `cls` may be built (NEWOBJ/BUILD) while loading."""
    return isinstance(cls, type) and any(obj is cls for obj in _ALLOWED.values())
