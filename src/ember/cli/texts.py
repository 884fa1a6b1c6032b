"""Short text for values from a file, in bounded time and space whatever the file holds.

`repr` is no use on a hostile file: lists and tuples that share their halves through the
memo hold 2**40 leaves in 800 bytes (repr walks every one), a self-containing tuple or one
nested 100,000 deep recurses, and an int of more than 4,300 digits raises `ValueError`.
`short_text` writes a Python-like text and stops at `limit` characters: each element costs
at least one character, so at most about `limit` objects are visited; an object inside itself
shows as ``...``, and an int of more than 40 digits as ``<int of N digits>``.

Example:
    >>> half = (1, 2)
    >>> for _ in range(40):
    ...     half = (half, half)
    >>> short_text(half, 30)
    '(((((((((((((((((((((((((((...'
    >>> short_text({"n": 7**6000}), short_text([b"ab", None, 2.5, "x"])
    ("{'n': <int of 5071 digits>}", "[b'ab', None, 2.5, 'x']")
"""

from __future__ import annotations

import math

from ember.serializer.peek import Global, Stub
from ember.tensor import Tensor

__all__ = ["short_text", "int_text"]

_SHOWN_IN_FULL = 10**40
_EXACT_BITS = 1 << 17  # above this many bits, counting the digits exactly costs too much


class _LimitError(Exception):
    """The text reached its limit."""


def short_text(value, limit: int = 80) -> str:
    """A Python-like text of `value`, at most `limit` characters (cut ones end in ``...``)."""
    writer = _Writer(limit)
    try:
        writer.value(value)
    except _LimitError:
        return "".join(writer.parts)[: max(limit - 3, 0)] + "..."
    return "".join(writer.parts)


def int_text(value: int) -> str:
    """`value` in decimal, or ``<int of N digits>`` when it has more than 40 digits.

    >>> int_text(-10**50), int_text(12)
    ('<negative int of 51 digits>', '12')
    """
    magnitude = abs(value)
    if magnitude < _SHOWN_IN_FULL:
        return str(value)
    bits = magnitude.bit_length()
    digits = int((bits - 1) * math.log10(2)) + 1  # the digits of 2**(bits-1): a lower bound
    about = ""
    if bits > _EXACT_BITS:
        about = "about "
    elif magnitude >= 10**digits:
        digits += 1
    sign = "negative " if value < 0 else ""
    return f"<{sign}int of {about}{digits} digits>"


class _Writer:
    def __init__(self, limit: int):
        self.parts: list[str] = []
        self.room = limit
        self.open: set[int] = set()  # containers being written (a container inside itself)

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.room -= len(text)
        if self.room < 0:
            raise _LimitError

    def value(self, value) -> None:
        kind = type(value)
        if kind is bool or value is None or kind is float:
            self.put(repr(value))
        elif isinstance(value, int):
            self.put(int_text(int(value)))
        elif isinstance(value, str):
            self.put(repr(value[: self.room + 1]))
        elif isinstance(value, bytes | bytearray):
            self.put(repr(bytes(value[: self.room + 1])))
        elif isinstance(value, list | tuple | set | frozenset | dict):
            self.container(value)
        elif isinstance(value, Tensor):
            self.put(f"tensor({value.dtype.name}, {list(value.shape)})")
        elif isinstance(value, Global):
            self.put(f"<global {value.name}>")
        elif isinstance(value, Stub):
            self.put(f"{value.name}(...)")
        else:
            self.put(f"<{kind.__name__}>")

    def container(self, value) -> None:
        if id(value) in self.open:
            self.put("...")
            return
        opening, closing = _brackets(value)
        self.put(opening)
        self.open.add(id(value))
        items = value.items() if isinstance(value, dict) else value
        for i, item in enumerate(items):
            if i:
                self.put(", ")
            if isinstance(value, dict):
                self.value(item[0])
                self.put(": ")
                item = item[1]
            self.value(item)
        self.open.discard(id(value))
        self.put("," + closing if type(value) is tuple and len(value) == 1 else closing)


def _brackets(value) -> tuple[str, str]:
    if isinstance(value, dict):
        return "{", "}"
    if isinstance(value, list):
        return "[", "]"
    if isinstance(value, tuple):
        return "(", ")"
    name = "frozenset" if isinstance(value, frozenset) else "set"
    return (f"{name}({{", "})") if value else (f"{name}(", ")")
