"""`encode(program)`: a `model.Program` as the flatbuffer of ``program.fbs`` (identifier EMBP).

The bytes follow the flatbuffers binary format (what the generated readers and the C++
verifier accept), written front to back by this module rather than by the flatbuffers
runtime's generic builder, which costs several times more per table: a parent table is written
first with its offset fields left blank, its child tables after it, and each blank is filled
once the child's position is known, so every offset points forward as the format requires.
Strings and scalar vectors are pooled (each distinct one stored once: a register type such as
``"Tensor"``, an empty vector) and written at the end, after everything that refers to them.
Every scalar field is written, defaults too (so ``-0.0`` keeps its sign); a string or table
field that is None is left out; every vector is written, empty ones too.

Example:
    >>> from ember.serializer.program import model
    >>> data = encode(model.Program(version=3, producer="ember"))
    >>> data[4:8]
    b'EMBP'
"""

from __future__ import annotations

import operator
import struct
import sys
from array import array

from ember.serializer.program import model

__all__ = ["encode", "IDENTIFIER"]

IDENTIFIER = b"EMBP"

# One layout per table: (field id, format) in schema order. Formats: struct codes for scalars,
# "s" a string, "t" a table, "u" [uint], "v" [int], "l" [long], "S" [string], "T" [table].
_OFFSETS = frozenset("stuvlST")


class _Layout:
    """Where each field of a table type sits: 8-byte scalars first after the vtable offset,
    then 4-byte values and offsets, then bytes; the table starts 4 bytes past an 8-byte
    boundary when it has 8-byte fields, so they are aligned."""

    def __init__(self, fields: list[tuple[str, str]]):
        self.fields = list(fields)
        names = [name for name, _ in fields]
        codes = [code for _, code in fields]
        size = {c: 4 if c in _OFFSETS else struct.calcsize("<" + c) for c in set(codes)}
        order = sorted(range(len(fields)), key=lambda i: -size[codes[i]])
        self.at = [0] * len(fields)
        pos, fmt = 4, ["<i"]
        for i in order:
            self.at[i] = pos
            pos += size[codes[i]]
            fmt.append("4x" if codes[i] in _OFFSETS else codes[i])  # offsets: blanks
        self.size = pos + (-pos) % 4
        self.struct = struct.Struct("".join(fmt) + "x" * (self.size - pos))
        self.wide = any(size[c] == 8 for c in codes)
        self.get = operator.attrgetter(*names)
        self.scalars = [i for i in order if codes[i] not in _OFFSETS]
        self.children = [
            (i, codes[i], self.at[i]) for i in range(len(codes)) if codes[i] in _OFFSETS
        ]
        self.nullable = [i for i, c in enumerate(codes) if c in "st"]
        self.count = len(codes)
        self.vtables: dict[tuple, bytes] = {}

    def vtable(self, values: tuple) -> bytes:
        """The vtable for a table whose None string and table fields are left out."""
        absent = tuple(i for i in self.nullable if values[i] is None)
        found = self.vtables.get(absent)
        if found is None:
            entries = [0 if i in absent else self.at[i] for i in range(self.count)]
            found = struct.pack(f"<{2 + len(entries)}H", 4 + 2 * len(entries), self.size, *entries)
            self.vtables[absent] = found
        return found


_L = {
    "Storage": _Layout([("record", "s"), ("dtype", "b"), ("numel", "q")]),
    "TensorRef": _Layout([("storage", "I"), ("offset", "q"), ("sizes", "l"), ("strides", "l"),
                          ("requires_grad", "?")]),
    "Constant": _Layout([("kind", "b"), ("int_value", "q"), ("float_value", "d"),
                         ("imag_value", "d"), ("str_value", "s"), ("tensor", "t"),
                         ("items", "u"), ("object", "I"), ("type", "s")]),
    "Object": _Layout([("class_index", "I"), ("slots", "u")]),
    "Class": _Layout([("name", "s"), ("attributes", "S"), ("attribute_types", "S"),
                      ("is_module", "?")]),
    "Operator": _Layout([("name", "s"), ("overload", "s")]),
    "Op": _Layout([("operator", "I"), ("inputs", "u"), ("outputs", "u"), ("blocks", "T"),
                   ("constant", "i"), ("name", "s"), ("source", "s")]),
    "Block": _Layout([("arguments", "u"), ("ops", "T"), ("results", "u")]),
    "Function": _Layout([("name", "s"), ("num_registers", "I"), ("register_types", "S"),
                         ("register_names", "S"), ("argument_names", "S"), ("body", "t"),
                         ("argument_defaults", "v")]),
    "Method": _Layout([("name", "s"), ("function", "I")]),
    "Program": _Layout([("format", "I"), ("version", "Q"), ("producer", "s"),
                        ("operators", "T"), ("constants", "T"), ("storages", "T"),
                        ("classes", "T"), ("objects", "T"), ("root", "I"), ("functions", "T"),
                        ("methods", "T"), ("upgraders", "T")]),
}  # fmt: skip

_U32 = struct.Struct("<I")
_BIG_ENDIAN = sys.byteorder == "big"


def encode(program: model.Program) -> bytes:
    """The flatbuffer bytes of `program`."""
    w = _Writer()
    root = w.table(program)
    _U32.pack_into(w.buf, 0, root)
    w.flush_pools()
    return bytes(w.buf)


class _Writer:
    def __init__(self):
        self.buf = bytearray(_U32.pack(0) + IDENTIFIER)
        self.vtables: dict[bytes, int] = {}
        # pooled items: key -> [(blank position), ...]; written by flush_pools
        self.string_lists: dict[tuple, list] = {}
        self.vectors: dict[tuple, list] = {}
        self.strings: dict[str, list] = {}

    def pad(self, align: int, phase: int = 0) -> None:
        """Pad so that the next byte's position is `phase` modulo `align`."""
        n = (phase - len(self.buf)) % align
        if n:
            self.buf += bytes(n)

    def table(self, obj) -> int:
        """Write table `obj` (its children after it); returns its position."""
        layout = _L[type(obj).__name__]
        values = layout.get(obj)
        vt = layout.vtable(values)
        vt_at = self.vtables.get(vt)
        buf = self.buf
        if vt_at is None:
            if len(buf) % 2:
                buf.append(0)
            vt_at = self.vtables[vt] = len(buf)
            buf += vt
        pad = (4 - len(buf)) % 8 if layout.wide else -len(buf) % 4
        if pad:
            buf += bytes(pad)
        at = len(buf)
        buf += layout.struct.pack(at - vt_at, *[values[i] for i in layout.scalars])
        for i, code, offset in layout.children:
            value = values[i]
            if value is None:
                continue
            blank = at + offset
            if code == "s":
                self.strings.setdefault(value, []).append(blank)
            elif code == "u":
                self.vectors.setdefault(("I", *value), []).append(blank)
            elif code == "T":
                self.fill(blank, self.tables(value))
            elif code == "t":
                self.fill(blank, self.table(value))
            elif code == "l":
                self.vectors.setdefault(("q", *value), []).append(blank)
            elif code == "v":
                self.vectors.setdefault(("i", *value), []).append(blank)
            else:
                self.string_lists.setdefault(tuple(value), []).append(blank)
        return at

    def tables(self, items: list) -> int:
        """A vector of tables: the offsets, then each table."""
        self.pad(4)
        at = len(self.buf)
        self.buf += _U32.pack(len(items)) + bytes(4 * len(items))
        for i, item in enumerate(items):
            self.fill(at + 4 + 4 * i, self.table(item))
        return at

    def fill(self, blank: int, target: int) -> None:
        _U32.pack_into(self.buf, blank, target - blank)

    def flush_pools(self) -> None:
        """Write the pooled string lists, scalar vectors and strings, in that order (string
        lists refer to strings), filling every blank that refers to them."""
        for values, blanks in self.string_lists.items():
            self.pad(4)
            at = len(self.buf)
            self.buf += _U32.pack(len(values)) + bytes(4 * len(values))
            for i, s in enumerate(values):
                self.strings.setdefault(s, []).append(at + 4 + 4 * i)
            for blank in blanks:
                self.fill(blank, at)
        for key, blanks in self.vectors.items():
            code, values = key[0], key[1:]
            if code == "q":
                self.pad(8, 4)
            else:
                self.pad(4)
            at = len(self.buf)
            items = array(code, values)
            if _BIG_ENDIAN:
                items.byteswap()
            self.buf += _U32.pack(len(values)) + items.tobytes()
            for blank in blanks:
                self.fill(blank, at)
        for s, blanks in self.strings.items():
            data = s.encode("utf-8")
            self.pad(4)
            at = len(self.buf)
            self.buf += _U32.pack(len(data)) + data + b"\0"
            for blank in blanks:
                self.fill(blank, at)
