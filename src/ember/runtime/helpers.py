"""Helpers the generated code calls: raising scripted code's exceptions.

Example:
    >>> raise_exception("AssertionError: x must be positive")
    AssertionError('x must be positive')
"""

from __future__ import annotations

import builtins

from ember.errors import EmberError

__all__ = ["HELPERS", "raise_exception", "ScriptError"]


class ScriptError(EmberError, RuntimeError):
    """An exception raised by scripted code whose class is not a Python builtin."""


def raise_exception(msg: str, cls: str | None = None):
    """The exception `prim::RaiseException(msg, cls)` raises (returned, to be raised)."""
    name = cls.rsplit(".", 1)[-1] if cls else None
    if name is None and ": " in msg:
        head, rest = msg.split(": ", 1)
        if _builtin_exception(head):
            name, msg = head, rest
    exc = _builtin_exception(name) if name else None
    return (exc or ScriptError)(msg)


def _builtin_exception(name):
    exc = getattr(builtins, name, None)
    return exc if isinstance(exc, type) and issubclass(exc, BaseException) else None


HELPERS = {"_rt_raise": raise_exception}
