"""Listing the globals a checkpoint names that a weights-only load would refuse (nothing runs).

Example:
    >>> import fractions, io, pickle
    >>> from ember.serializer.zipformat import save_zip
    >>> buf = io.BytesIO()
    >>> save_zip([fractions.Fraction(1, 3)], buf, "archive")
    >>> unsafe_globals(buf.getvalue())
    ['fractions.Fraction']
"""

from __future__ import annotations

import pickletools

from ember.errors import SerializationError
from ember.serializer import allowlist
from ember.serializer.legacy import Sequential, is_legacy
from ember.serializer.source import open_source
from ember.serializer.unpickler import canonical_module, is_blocked, resolve_torch_global
from ember.serializer.zipreader import ZipReader

__all__ = ["unsafe_globals"]


def unsafe_globals(f) -> list[str]:
    """Sorted `module.name` of every global in the file's object pickle outside the allowlist."""
    source = open_source(f)
    try:
        head = source.read(0, min(32, source.size), "file header")
        if head.startswith(b"PK\x03\x04"):
            return _scan(ZipReader(source).read("data.pkl"))
        if is_legacy(head):
            cursor = Sequential(source)
            for _ in range(3):  # magic number, protocol version, sys_info
                _globals_in(cursor)
            return _scan(cursor)
        raise SerializationError("not a checkpoint: neither a zip archive nor the legacy format")
    finally:
        source.close()


def _scan(pickle_bytes_or_stream) -> list[str]:
    unsafe = set()
    for module, name in _globals_in(pickle_bytes_or_stream):
        if not _allowed(module, name):
            unsafe.add(f"{canonical_module(module)}.{name}")
    return sorted(unsafe)


def _allowed(module: str, name: str) -> bool:
    module = canonical_module(module)
    if is_blocked(module):
        return False
    try:
        if resolve_torch_global(module, name) is not None:
            return True
    except SerializationError:
        return False
    return allowlist.lookup(f"{module}.{name}") is not None


def _globals_in(data):
    """(module, name) pairs named by GLOBAL and STACK_GLOBAL opcodes, without unpickling."""
    strings: list[str] = []
    found = []
    try:
        for op, arg, _ in pickletools.genops(data):
            if op.name == "GLOBAL":
                module, _, name = arg.partition(" ")
                found.append((module, name))
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.append((strings[-2], strings[-1]))
            elif isinstance(arg, str):
                strings.append(arg)
    except (ValueError, EOFError) as exc:
        raise SerializationError(f"corrupt pickle: {exc}") from None
    return found
