"""Reading zip archives (PyTorch's and anyone's): stored and deflated records, zip64, CRCs.

Every offset and size taken from the file is checked against the file's size before it is used;
deflated records are inflated in bounded steps, so a zip bomb fails instead of exhausting memory.
Names may not repeat, not even up to case (PyTorch's reader takes the first match, ignoring
case; a file could show two readers two different pickles). The directory may hold one entry
per `RECORD_BYTES` bytes of file, and a deflated pickle read with `read_pickle` may inflate
`PICKLE_RATIO` times at most (see docs/serialization.md, "Budgets"). Any damage raises
`SerializationError` naming the record.

Example:
    >>> import io
    >>> from ember.serializer.zipwriter import ZipWriter
    >>> buf = io.BytesIO()
    >>> with ZipWriter(buf, "archive") as w:
    ...     w.write_record("version", b"3\\n")
    >>> r = ZipReader(buf.getvalue())
    >>> r.prefix, r.has("version"), r.data_offset("version") % 64
    ('archive', True, 0)
"""

from __future__ import annotations

import struct
import zlib

from ember.errors import SerializationError
from ember.serializer.crc import CHUNK, CrcPipe, crc32
from ember.serializer.source import open_source

__all__ = ["ZipReader", "Record"]

_EOCD = struct.Struct("<IHHHHIIH")
_EOCD64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR = struct.Struct("<IIQI")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_MAX32 = 0xFFFFFFFF
_MAX_RATIO = 1100  # deflate cannot expand more than ~1032:1
_INFLATE_FACTOR, _INFLATE_SLACK = 16, 16 << 20
# A genuine record takes a 30-byte local and a 46-byte central header, each with the name, so
# 64 bytes of file per entry is generous; each entry costs ~300 bytes of memory once parsed.
RECORD_BYTES, RECORD_SLACK = 64, 16
# Pickles (records named *.pkl, *.debug_pkl) deflate 3.6-4.9x (the 17 real models' data.pkl);
# one-byte opcodes that each make a 216-byte object (EMPTY_SET) may not come 1000:1 deflated.
PICKLE_RATIO, PICKLE_SLACK = 16, 16 << 10


class Record:
    """One central-directory entry."""

    __slots__ = ("name", "method", "crc", "csize", "usize", "header_offset", "_data_offset")

    def __repr__(self) -> str:
        return f"Record({self.name!r}, method={self.method}, size={self.usize})"


class ZipReader:
    """An open zip archive; `f` is a path, bytes-like object or seekable binary file."""

    def __init__(self, f):
        self.source = f if hasattr(f, "readinto") and hasattr(f, "size") else open_source(f)
        self.records: dict[str, Record] = {}
        self._folded: set[str] = set()  # the names, case-folded: none may repeat
        # Deflate expands up to ~1032:1; what all inflated records may add up to.
        self.inflate_budget = _INFLATE_FACTOR * self.source.size + _INFLATE_SLACK
        self.order: list[str] = []
        self._read_directory()
        first = self.order[0] if self.order else ""
        self.prefix = first.split("/", 1)[0] if "/" in first else ""

    def close(self) -> None:
        self.source.close()

    # -- directory ---------------------------------------------------------------------------

    def _read_directory(self) -> None:
        size = self.source.size
        if size < _EOCD.size:
            raise SerializationError(f"not a zip archive: only {size} bytes")
        tail_len = min(size, _EOCD.size + 0xFFFF)
        tail = self.source.read(size - tail_len, tail_len, "end of central directory")
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 or pos + _EOCD.size > len(tail):
            raise SerializationError("not a zip archive: no end of central directory record")
        _, _, _, _, count, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, pos)
        eocd_at = size - tail_len + pos
        count, cd_size, cd_offset = self._zip64_end(eocd_at, count, cd_size, cd_offset)
        if cd_offset + cd_size > eocd_at or count * _CENTRAL.size > cd_size:
            raise SerializationError(
                f"corrupt zip archive: central directory ({count} entries, {cd_size} bytes at "
                f"{cd_offset}) does not fit before the end record at {eocd_at}"
            )
        most = RECORD_SLACK + size // RECORD_BYTES
        if count > most:
            raise SerializationError(
                f"zip directory claims {count} directory entries; a file of {size} bytes may "
                f"hold at most {most} (one per {RECORD_BYTES} bytes: the directory budget)"
            )
        directory = self.source.read(cd_offset, cd_size, "central directory")
        self._parse_entries(directory, count)

    def _zip64_end(self, eocd_at, count, cd_size, cd_offset):
        if eocd_at < _LOCATOR.size:
            return count, cd_size, cd_offset
        loc = self.source.read(eocd_at - _LOCATOR.size, _LOCATOR.size, "zip64 locator")
        sig, _, end64_at, _ = _LOCATOR.unpack(loc)
        if sig != 0x07064B50:
            return count, cd_size, cd_offset
        if end64_at + _EOCD64.size > eocd_at - _LOCATOR.size:
            raise SerializationError(f"corrupt zip64 locator: end record offset {end64_at}")
        rec = _EOCD64.unpack(self.source.read(end64_at, _EOCD64.size, "zip64 end record"))
        if rec[0] != 0x06064B50:
            raise SerializationError("corrupt zip archive: bad zip64 end record signature")
        return rec[7], rec[8], rec[9]

    def _parse_entries(self, directory: bytes, count: int) -> None:
        pos = 0
        for index in range(count):
            if pos + _CENTRAL.size > len(directory):
                raise SerializationError(f"corrupt central directory: entry {index} truncated")
            f = _CENTRAL.unpack_from(directory, pos)
            if f[0] != 0x02014B50:
                raise SerializationError(f"corrupt central directory: entry {index} signature")
            name_len, extra_len, comment_len = f[10], f[11], f[12]
            end = pos + _CENTRAL.size + name_len + extra_len + comment_len
            if end > len(directory):
                raise SerializationError(f"corrupt central directory: entry {index} overruns it")
            raw_name = directory[pos + _CENTRAL.size : pos + _CENTRAL.size + name_len]
            start = pos + _CENTRAL.size + name_len
            extra = directory[start : start + extra_len]
            self._add_record(index, raw_name, f, extra)
            pos = end

    def _add_record(self, index, raw_name: bytes, f, extra: bytes) -> None:
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            raise SerializationError(f"zip entry {index} has a name that is not UTF-8") from None
        rec = Record()
        rec.name, rec.method, rec.crc = name, f[4], f[7]
        rec.csize, rec.usize, rec.header_offset = f[8], f[9], f[16]
        rec._data_offset = None
        _apply_zip64(rec, extra)
        if rec.method not in (0, 8):
            raise SerializationError(
                f"record {name!r}: unsupported compression method {rec.method}"
            )
        if rec.method == 0 and rec.csize != rec.usize:
            raise SerializationError(f"record {name!r}: stored but sizes differ")
        if rec.header_offset + _LOCAL.size + rec.csize > self.source.size:
            raise SerializationError(f"file truncated: record {name!r} extends past the end")
        if rec.method == 8 and rec.usize > _MAX_RATIO * rec.csize + 1024:
            raise SerializationError(
                f"record {name!r} claims {rec.usize} bytes from {rec.csize} compressed (zip bomb?)"
            )
        folded = name.casefold()
        if folded in self._folded:
            raise SerializationError(
                f"zip record {name!r} appears more than once in the directory (names may not "
                "repeat, even up to case: readers would disagree on which one counts)"
            )
        self._folded.add(folded)
        self.order.append(name)
        self.records[name] = rec

    # -- records -----------------------------------------------------------------------------

    def _full(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def has(self, name: str) -> bool:
        return self._full(name) in self.records

    def record(self, name: str) -> Record:
        try:
            return self.records[self._full(name)]
        except KeyError:
            raise SerializationError(f"archive has no record {name!r}") from None

    def names(self) -> list[str]:
        """Record names with the archive prefix removed, in file order."""
        cut = len(self.prefix) + 1 if self.prefix else 0
        return [n[cut:] for n in self.order]

    def data_offset(self, name: str) -> int:
        """File offset of the record's payload (from its local header)."""
        rec = self.record(name)
        if rec._data_offset is None:
            head = self.source.read(rec.header_offset, _LOCAL.size, f"local header of {name!r}")
            fields = _LOCAL.unpack(head)
            if fields[0] != 0x04034B50:
                raise SerializationError(f"record {name!r}: bad local header signature")
            start = rec.header_offset + _LOCAL.size + fields[9] + fields[10]
            if start + rec.csize > self.source.size:
                raise SerializationError(f"file truncated: record {name!r} extends past the end")
            rec._data_offset = start
        return rec._data_offset

    def read(self, name: str, check_crc: bool = True, limit: int | None = None) -> bytes:
        """The record's uncompressed bytes (CRC checked); at most `limit` bytes if given."""
        rec = self.record(name)
        if limit is not None and rec.usize > limit:
            raise SerializationError(
                f"record {name!r} holds {rec.usize} bytes; at most {limit} are expected"
            )
        if rec.method == 8:
            self._charge(rec)
        raw = self.source.read(self.data_offset(name), rec.csize, f"record {name!r}")
        data = _inflate(raw, rec) if rec.method == 8 else raw
        if check_crc and crc32(data) != rec.crc:
            raise SerializationError(f"CRC mismatch in record {name!r}: the file is corrupt")
        return data

    def read_pickle(self, name: str) -> bytes:
        """`read` for a pickle the loaders unpickle: a deflated one may inflate at most
        `PICKLE_RATIO` times (+ `PICKLE_SLACK`), since a pickle's one-byte opcodes can each
        make a 216-byte object."""
        _check_pickle_ratio(self.record(name))
        return self.read(name)

    def _charge(self, rec: Record) -> None:
        self.inflate_budget -= rec.usize
        if self.inflate_budget < 0:
            raise SerializationError(
                f"record {rec.name!r} inflates to {rec.usize} bytes: the compressed records "
                f"claim far more than {_INFLATE_FACTOR}x the file's {self.source.size} bytes "
                "(zip bomb?)"
            )

    def readinto(self, name: str, out: memoryview, pipe: CrcPipe | None = None) -> None:
        """Fill `out` (exactly the record's size) with the record's bytes.

        With `pipe`, stored records are checksummed on its thread (check with `verify`).
        """
        rec = self.record(name)
        if out.nbytes != rec.usize:
            raise SerializationError(
                f"record {name!r} holds {rec.usize} bytes, expected {out.nbytes}"
            )
        if rec.method == 8:
            out[:] = self.read(name)
            return
        start = self.data_offset(name)
        for pos in range(0, max(rec.usize, 1), CHUNK):
            piece = out[pos : pos + CHUNK]
            self.source.readinto(start + pos, piece, f"record {name!r}")
            if pipe is not None:
                pipe.feed(name, piece)
        if pipe is None and crc32(out) != rec.crc:
            raise SerializationError(f"CRC mismatch in record {name!r}: the file is corrupt")

    def verify(self, crcs: dict) -> None:
        """Compare CRCs computed by a pipe with the directory's."""
        for name, value in crcs.items():
            if value != self.record(name).crc:
                raise SerializationError(f"CRC mismatch in record {name!r}: the file is corrupt")


def _apply_zip64(rec: Record, extra: bytes) -> None:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        if tag == 1:
            values = [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
            for field in ("usize", "csize", "header_offset"):
                if getattr(rec, field) == _MAX32 and values:
                    setattr(rec, field, values.pop(0))
        pos += 4 + size


def _check_pickle_ratio(rec: Record) -> None:
    """Refuse a deflated pickle that inflates past the pickle budget (see PICKLE_RATIO)."""
    if rec.method != 8:
        return
    most = PICKLE_RATIO * rec.csize + PICKLE_SLACK
    if rec.usize > most:
        raise SerializationError(
            f"record {rec.name!r} inflates {rec.csize} bytes to {rec.usize}: a deflated pickle "
            f"may inflate to at most {PICKLE_RATIO}x its size + {PICKLE_SLACK} bytes "
            f"({most} bytes: the pickle budget)"
        )


def _inflate(raw: bytes, rec: Record) -> bytes:
    d = zlib.decompressobj(-15)
    try:
        data = d.decompress(raw, rec.usize + 1)
    except zlib.error as exc:
        raise SerializationError(f"record {rec.name!r}: corrupt deflate data ({exc})") from None
    if len(data) != rec.usize:
        raise SerializationError(
            f"record {rec.name!r}: inflated to {len(data)}+ bytes, directory says {rec.usize}"
        )
    return data
