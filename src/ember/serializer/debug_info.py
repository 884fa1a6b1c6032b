"""Source ranges of archive code (``code/*.py.debug_pkl``), in torch's string-table format.

Each code file of a TorchScript archive has a ``.debug_pkl`` beside it: a pickle of
``('FORMAT_WITH_STRING_TABLE', texts, ranges)`` where `texts` is a tuple of strings (source
lines and file names, ``''`` first) and each range is ``(offset, ((lines, file, first_line),
start, end), tag)``: from byte `offset` of the code file on, the code came from bytes
`start`..`end` of the source made of the lines ``texts[i] for i in lines`` (`lines` a
``build_intlist``), which begins at line `first_line` of ``texts[file]``. `tag` numbers the
distinct ranges of the archive. Torch reads it to name the original ``file:line`` in errors;
ember reads it to give the ops of loaded code their original `SourceLocation`.

Example:
    >>> from ember.ir import SourceLocation
    >>> loc = SourceLocation("model.py", 12, 11, "    return z @ y")
    >>> data = pack_ranges("  return torch.matmul(z, y)\\n", [(9, loc)], {})
    >>> ranges = SourceRanges(data, "m.py.debug_pkl")
    >>> ranges.location(9), ranges.location(3)
    (SourceLocation(filename='model.py', line=12, col=11, text='    return z @ y'), None)
"""

from __future__ import annotations

import bisect
import re

from ember.errors import SerializationError
from ember.ir.location import SourceLocation
from ember.serializer.rebuild import shown
from ember.serializer.script_pickler import get_opcode, int_opcode, put_opcode, string_opcode
from ember.serializer.script_unpickler import unpickle_script

__all__ = ["pack_ranges", "SourceRanges", "FORMAT"]

FORMAT = "FORMAT_WITH_STRING_TABLE"
_NO_SOURCE = ([], 0, 0)


class _Strings:
    def __init__(self):
        self.texts: list[str] = [""]
        self.index: dict[str, int] = {"": 0}

    def __call__(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.texts)
            self.texts.append(text)
        return found


def _sources(locs, strings: _Strings) -> dict:
    """One source per original file: its lines from the first to the last one the code came
    from (lines nothing came from are empty); maps each file to (index, line offsets)."""
    by_file: dict[str, dict[int, str]] = {}
    for loc in locs:
        by_file.setdefault(loc.filename, {})[loc.line] = loc.text
    out = {}
    for index, (filename, lines) in enumerate(by_file.items(), 1):
        first, last = min(lines), max(lines)
        texts = [lines.get(n, "") + "\n" for n in range(first, last + 1)]
        starts, pos = {}, 0
        for n, text in zip(range(first, last + 1), texts):
            starts[n] = pos
            pos += len(text.encode("utf-8", "surrogatepass"))
        serialized = ([strings(t) for t in texts], strings(filename), first)
        out[filename] = (index, serialized, starts)
    return out


def pack_ranges(text: str, entries, tags: dict) -> bytes:
    """The ``.debug_pkl`` of code `text`: `entries` are (character offset, SourceLocation or
    None) in offset order; `tags` numbers ranges across one archive (updated in place)."""
    strings = _Strings()
    sources = _sources([loc for _, loc in entries if loc is not None], strings)
    unknown = (0, 0, 0, tags.setdefault(None, len(tags)))
    ranges = [(0, *unknown)]
    byte_of = _byte_offsets(text)
    spans: dict = {}  # id(location) -> (source, start, end, tag): ops repeat locations
    for offset, loc in entries:
        span = unknown if loc is None else spans.get(id(loc))
        if span is None:
            span = spans[id(loc)] = _span(loc, sources, tags)
        ranges.append((byte_of(offset), *span))
    serialized = [_NO_SOURCE] + [s for _, s, _ in sources.values()]
    return _encode(strings.texts, serialized, ranges)


def _span(loc, sources: dict, tags: dict) -> tuple:
    """(source index, start, end, tag) of a location: its line's bytes from its column on."""
    index, _, starts = sources[loc.filename]
    head = len(loc.text[: loc.col].encode("utf-8", "surrogatepass"))
    start = starts[loc.line] + head
    end = max(starts[loc.line] + len(loc.text.encode("utf-8", "surrogatepass")), start)
    return index, start, end, tags.setdefault((loc.filename, loc.line, loc.col), len(tags))


def _encode(texts: list, sources: list, ranges: list) -> bytes:
    """The table pickled as torch's C++ pickler writes it: strings and each source tuple
    memoized, lines as ``build_intlist``; `ranges` are (offset, source index, start, end,
    tag) with source 0 the empty one."""
    out = [b"\x80\x02", string_opcode(FORMAT), put_opcode(0), b"("]
    memo = 1
    for t in texts:
        out += (string_opcode(t), put_opcode(memo))
        memo += 1
    out += (b"t", put_opcode(memo), b"(")
    memo += 1
    intlist, seen = None, {}
    tails: dict = {}  # (source, start, end, tag) -> its opcodes once the source is memoized
    for offset, source, start, end, tag in ranges:
        out.append(int_opcode(offset))
        tail = tails.get((source, start, end, tag))
        if tail is not None:
            out.append(tail)
            continue
        if source in seen:
            head = get_opcode(seen[source])
        else:
            if intlist is None:
                intlist, memo = memo, memo + 1
                out += (b"ctorch.jit._pickle\nbuild_intlist\n", put_opcode(intlist))
            else:
                out.append(get_opcode(intlist))
            lines, name, first = sources[source]
            out += (b"(](", *map(int_opcode, lines), b"etR")
            out += (int_opcode(name), int_opcode(first), b"\x87", put_opcode(memo))
            seen[source], memo = memo, memo + 1
            head = b""
        rest = b"".join((int_opcode(start), int_opcode(end), b"\x87", int_opcode(tag), b"\x87"))
        out.append(head + rest)
        tails[(source, start, end, tag)] = get_opcode(seen[source]) + rest
    out += (b"t", put_opcode(memo), b"\x87", put_opcode(memo + 1), b".")
    return b"".join(out)


def _byte_offsets(text: str):
    if text.isascii():
        return lambda offset: offset
    return lambda offset: len(text[:offset].encode("utf-8", "surrogatepass"))


class SourceRanges:
    """A parsed ``.debug_pkl``: `location(byte_offset)` of the code file's text."""

    def __init__(self, data: bytes, what: str):
        self.what = what
        value = unpickle_script(data, None, what)
        if not (isinstance(value, tuple) and len(value) == 3 and value[0] == FORMAT):
            raise SerializationError(f"{what} is not a source range table ({shown(value)})")
        _, texts, ranges = value
        if not isinstance(texts, tuple) or not all(isinstance(t, str) for t in texts):
            raise SerializationError(f"{what}: bad string table")
        self._texts = texts
        self._sources: dict[int, tuple[list, _Source]] = {}
        self._offsets: list[int] = []
        self._ranges: list = []
        for entry in ranges if isinstance(ranges, tuple) else [None]:
            offset, rng = self._entry(entry)
            if self._offsets and offset < self._offsets[-1]:
                raise SerializationError(f"{what}: source ranges out of order at {offset}")
            self._offsets.append(offset)
            self._ranges.append(rng)
        self._cache: dict = {}

    def _entry(self, entry):
        try:
            offset, ((lines, name, first), start, end), _ = entry
            valid = all(type(v) is int for v in (offset, name, first, start, end))
            valid = valid and type(lines) is list
            source = valid and bool(lines) and self._source(lines)
            filename = self._texts[name]
        except (TypeError, ValueError, IndexError):
            valid = False
        if not valid:
            raise SerializationError(f"{self.what}: bad source range entry {shown(entry)}")
        if not lines:
            return offset, None
        return offset, (source, filename, first, start)

    def _source(self, lines: list) -> _Source:
        """The source text `lines` (indices into the string table) names. Entries of one
        function share their list object, so each list is checked and joined once."""
        known = self._sources.get(id(lines))
        if known is not None and known[0] is lines:
            return known[1]
        if not all(type(i) is int for i in lines):
            raise TypeError("line indices must be ints")
        source = _Source(tuple(self._texts[i] for i in lines))
        self._sources[id(lines)] = (lines, source)
        return source

    def location(self, offset: int) -> SourceLocation | None:
        """Where the code at byte `offset` of the code file came from (None: unknown)."""
        i = bisect.bisect_right(self._offsets, offset) - 1
        if i < 0 or self._ranges[i] is None:
            return None
        source, filename, first, start = self._ranges[i]
        key = (id(source), filename, first, start)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = source.location(filename, first, start)
        return found


class _Source:
    """One function's source text, joined and indexed by line on first use."""

    def __init__(self, texts: tuple):
        self.texts = texts
        self._data: bytes | None = None
        self._newlines: list[int] = []

    def location(self, filename, first, start) -> SourceLocation | None:
        if self._data is None:
            self._data = "".join(self.texts).encode("utf-8", "surrogatepass")
            self._newlines = [m.start() for m in re.finditer(b"\n", self._data)]
        data = self._data
        if not 0 <= start <= len(data):
            return None
        line = bisect.bisect_left(self._newlines, start)
        line_start = self._newlines[line - 1] + 1 if line else 0
        line_end = self._newlines[line] if line < len(self._newlines) else len(data)
        col = len(data[line_start:start].decode("utf-8", "replace"))
        text = data[line_start:line_end].decode("utf-8", "replace")
        return SourceLocation(filename, first + line, col, text)
