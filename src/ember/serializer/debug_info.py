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

from ember.errors import SerializationError
from ember.ir import types as T  # noqa: N812
from ember.ir.location import SourceLocation
from ember.serializer.rebuild import shown
from ember.serializer.script_pickler import ScriptPickler
from ember.serializer.script_unpickler import unpickle_script

__all__ = ["pack_ranges", "SourceRanges", "FORMAT"]

FORMAT = "FORMAT_WITH_STRING_TABLE"
_EMPTY = (([], 0, 0), 0, 0)
_INT = T.IntType.get()
_SOURCE = T.TupleType([T.ListType(_INT), _INT, _INT])
_ENTRY = T.TupleType([_INT, T.TupleType([_SOURCE, _INT, _INT]), _INT])


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
    from (lines nothing came from are empty); maps each file to (serialized, line offsets)."""
    by_file: dict[str, dict[int, str]] = {}
    for loc in locs:
        by_file.setdefault(loc.filename, {})[loc.line] = loc.text
    out = {}
    for filename, lines in by_file.items():
        first, last = min(lines), max(lines)
        texts = [lines.get(n, "") + "\n" for n in range(first, last + 1)]
        starts, pos = {}, 0
        for n, text in zip(range(first, last + 1), texts):
            starts[n] = pos
            pos += len(text.encode("utf-8", "surrogatepass"))
        serialized = ([strings(t) for t in texts], strings(filename), first)
        out[filename] = (serialized, starts)
    return out


def pack_ranges(text: str, entries, tags: dict) -> bytes:
    """The ``.debug_pkl`` of code `text`: `entries` are (character offset, SourceLocation or
    None) in offset order; `tags` numbers ranges across one archive (updated in place)."""
    strings = _Strings()
    sources = _sources([loc for _, loc in entries if loc is not None], strings)
    ranges = [(0, _EMPTY, tags.setdefault(None, len(tags)))]
    byte_of = _byte_offsets(text)
    for offset, loc in entries:
        if loc is None:
            rng, key = _EMPTY, None
        else:
            serialized, starts = sources[loc.filename]
            head = loc.text[: loc.col].encode("utf-8", "surrogatepass")
            start = starts[loc.line] + len(head)
            end = starts[loc.line] + len(loc.text.encode("utf-8", "surrogatepass"))
            rng, key = (serialized, start, max(end, start)), (loc.filename, loc.line, loc.col)
        ranges.append((byte_of(offset), rng, tags.setdefault(key, len(tags))))
    texts = T.TupleType([T.StrType.get()] * len(strings.texts))
    t = T.TupleType([T.StrType.get(), texts, T.TupleType([_ENTRY] * len(ranges))])
    return ScriptPickler().dumps((FORMAT, tuple(strings.texts), tuple(ranges)), t)


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
            valid = valid and type(lines) is list and all(type(i) is int for i in lines)
            texts = [self._texts[i] for i in lines]
            filename = self._texts[name]
        except (TypeError, ValueError, IndexError):
            valid = False
        if not valid:
            raise SerializationError(f"{self.what}: bad source range entry {shown(entry)}")
        if not lines:
            return offset, None
        return offset, (tuple(texts), filename, first, start)

    def location(self, offset: int) -> SourceLocation | None:
        """Where the code at byte `offset` of the code file came from (None: unknown)."""
        i = bisect.bisect_right(self._offsets, offset) - 1
        if i < 0 or self._ranges[i] is None:
            return None
        rng = self._ranges[i]
        found = self._cache.get(rng)
        if found is None:
            found = self._cache[rng] = _location(*rng)
        return found


def _location(texts, filename, first, start) -> SourceLocation | None:
    data = "".join(texts).encode("utf-8", "surrogatepass")
    if not 0 <= start <= len(data):
        return None
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", start)
    line_end = len(data) if line_end < 0 else line_end
    col = len(data[line_start:start].decode("utf-8", "replace"))
    text = data[line_start:line_end].decode("utf-8", "replace")
    return SourceLocation(filename, first + data.count(b"\n", 0, start), col, text)
