"""Writing zip archives the way PyTorch's stream writer does.

Every record is stored (or deflated on request), its payload aligned to 64 bytes by an `FB`
extra field of `Z` bytes, its CRC and sizes in a data descriptor after the payload (an empty
record has neither descriptor nor flag bit 3, as miniz writes it); the archive ends with a zip64
end record and locator, then the classic end record. Payloads go straight from
the caller's buffer to the file (no copies); their CRC is computed on a background thread while
the next chunk is written. Headers and small payloads are gathered and handed to the stream's
`writelines` once per megabyte (an archive's hundreds of small records would otherwise be
hundreds of writes); a small payload is written at the next flush, so the caller keeps it
unchanged until the writer is closed (storages and pickles are).

Example:
    >>> import io
    >>> from ember.serializer.zipreader import ZipReader
    >>> buf = io.BytesIO()
    >>> with ZipWriter(buf, "archive") as w:
    ...     w.write_record("data.pkl", b"x")
    >>> ZipReader(buf.getvalue()).read("data.pkl")
    b'x'
"""

from __future__ import annotations

import struct

from ember.serializer.crc import CHUNK, CrcPipe, crc32
from ember.serializer.deflate import deflate

__all__ = ["ZipWriter"]

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_EOCD64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR = struct.Struct("<IIQI")
_EOCD = struct.Struct("<IHHHHIIH")
_FLAGS = 0x0808  # bit 3: sizes and CRC in a data descriptor; bit 11: UTF-8 names
_FLAGS_EMPTY = 0x0800  # an empty payload: miniz writes its (zero) sizes in the header itself
_MADE_BY_64 = 0x031E  # the zip64 end record's "version made by" (Unix, 3.0), as miniz writes it
_MAX32 = 0xFFFFFFFF  # sizes/offsets from here on need zip64 fields
_SENTINEL = 0xFFFFFFFF
_DESCRIPTOR = struct.Struct("<IIII")
_GATHER = 1 << 20  # pending small writes are flushed together once they reach this size
_DIRECT = 64 << 10  # payloads this large go to the file directly (after what is pending)


class _Entry:
    __slots__ = ("name", "offset", "method", "crc", "csize", "usize")

    @property
    def flags(self) -> int:
        return _FLAGS if self.usize else _FLAGS_EMPTY


class ZipWriter:
    """Appends records to a binary stream `f`, all under the folder `prefix`."""

    def __init__(self, f, prefix: str, alignment: int = 64):
        self._f = f
        self._prefix = prefix
        self._alignment = alignment
        self._pos = 0
        self._entries: list[_Entry] = []
        self._pipe: CrcPipe | None = None
        self._pending: list = []
        self._pending_size = 0
        self._padding = _paddings(alignment)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.close()
        elif self._pipe is not None:
            self._pipe.close()

    def _write(self, data, size: int | None = None) -> None:
        """Queue `data` (`size` bytes, if known); large buffers go out at once, unqueued."""
        if size is None:
            size = memoryview(data).nbytes
        self._pos += size
        if size >= _DIRECT:
            self._flush()
            self._f.write(data)
            return
        self._pending.append(data)
        self._pending_size += size
        if self._pending_size >= _GATHER:
            self._flush()

    def _flush(self) -> None:
        pending = self._pending
        if pending:
            self._pending, self._pending_size = [], 0
            writelines = getattr(self._f, "writelines", None)
            if writelines is not None:  # no joined copy: files, BytesIO, GatheredFile
                writelines(pending)
            else:
                self._f.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def _extra(self, start: int, size: int, offset: int) -> bytes:
        """The local extra field: a zip64 field if needed, then `FB` padding to the alignment.

        Like miniz, the zip64 field holds the size and a 0 compressed size (not known yet) when
        the payload is ≥ 4 GiB, and the header's own offset when that is past 4 GiB.
        """
        if size < _MAX32 and offset < _MAX32:
            return self._padding[-(start + 4) % self._alignment]
        z64 = b""
        if size >= _MAX32:
            z64 += struct.pack("<QQ", size, 0)
        if offset >= _MAX32:
            z64 += struct.pack("<Q", offset)
        z64 = struct.pack("<HH", 1, len(z64)) + z64
        return z64 + self._padding[-(start + len(z64) + 4) % self._alignment]

    def write_record(self, name: str, data, compress: bool = False, crc=None) -> None:
        """Write one record; `data` is bytes or any C-contiguous buffer (numpy arrays too).

        `crc` may be a future of the data's CRC-32 computed ahead on another thread.
        """
        view = data if type(data) is bytes else memoryview(data).cast("B")
        usize = len(view)
        method = 0
        if compress and usize:
            crc, view, method = crc32(view), deflate(view), 8
        entry = _Entry()
        entry.name = full = f"{self._prefix}/{name}".encode()
        entry.offset = pos = self._pos
        entry.method, entry.usize, entry.csize = method, usize, len(view)
        extra = self._extra(pos + _LOCAL.size + len(full), entry.csize, pos)
        header = _LOCAL.pack(
            0x04034B50, 20 if method else 0, entry.flags, method, 0, 0, 0, 0, 0, len(full),
            len(extra),
        )  # fmt: skip
        self._write(header + full + extra, _LOCAL.size + len(full) + len(extra))
        self._entries.append(entry)
        if not usize:
            entry.crc = 0
            return
        if crc is None:
            crc = self._write_payload(view)
        else:
            self._write(view, entry.csize)
        entry.crc = crc if isinstance(crc, int) else crc.result()
        self._write_descriptor(entry)

    def _write_payload(self, view) -> int:
        size = len(view)
        if size <= CHUNK:
            self._write(view, size)
            return crc32(view)
        if self._pipe is None:
            self._pipe = CrcPipe()
        tag, view = len(self._entries), memoryview(view)
        for start in range(0, size, CHUNK):
            chunk = view[start : start + CHUNK]
            self._pipe.feed(tag, chunk)
            self._write(chunk)
        return self._pipe.wait()[tag]

    def _write_descriptor(self, e: _Entry) -> None:
        if e.usize >= _MAX32 or e.offset >= _MAX32:
            self._write(struct.pack("<IIQQ", 0x08074B50, e.crc, e.csize, e.usize), 24)
        else:
            self._write(_DESCRIPTOR.pack(0x08074B50, e.crc, e.csize, e.usize), 16)

    def _central_entry(self, e: _Entry) -> bytes:
        z64 = b""
        usize = csize = offset = None
        if e.usize >= _MAX32:
            z64 += struct.pack("<QQ", e.usize, e.csize)
            usize = csize = _SENTINEL
        if e.offset >= _MAX32:
            z64 += struct.pack("<Q", e.offset)
            offset = _SENTINEL
        extra = struct.pack("<HH", 1, len(z64)) + z64 if z64 else b""
        version = 45 if z64 else (20 if e.method == 8 else 0)
        return (
            _CENTRAL.pack(
                0x02014B50,
                0,
                version,
                e.flags,
                e.method,
                0,
                0,
                e.crc,
                e.csize if csize is None else csize,
                e.usize if usize is None else usize,
                len(e.name),
                len(extra),
                0,
                0,
                0,
                0,
                e.offset if offset is None else offset,
            )  # fmt: skip
            + e.name
            + extra
        )

    def close(self) -> None:
        """Write the central directory and the end records."""
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
        cd_start = self._pos
        self._write(b"".join([self._central_entry(e) for e in self._entries]))
        cd_size = self._pos - cd_start
        n = len(self._entries)
        eocd64_pos = self._pos
        small = min(n, 0xFFFF)
        self._write(
            _EOCD64.pack(0x06064B50, 44, _MADE_BY_64, 45, 0, 0, n, n, cd_size, cd_start)
            + _LOCATOR.pack(0x07064B50, 0, eocd64_pos, 1)
            + _EOCD.pack(0x06054B50, 0, 0, small, small, _small(cd_size), _small(cd_start), 0)
        )
        self._flush()

    def entries(self) -> list[tuple[bytes, int]]:
        """(full name, crc) of every record written so far (for the serialization id)."""
        return [(e.name, e.crc) for e in self._entries]


_PADDINGS: dict[int, list[bytes]] = {}


def _paddings(alignment: int) -> list[bytes]:
    """The `FB` extra fields of 0 .. alignment-1 padding bytes (made once per alignment)."""
    found = _PADDINGS.get(alignment)
    if found is None:
        found = _PADDINGS[alignment] = [b"FB" + struct.pack("<H", n) + b"Z" * n
                                        for n in range(alignment)]  # fmt: skip
    return found


_paddings(64)


def _small(value: int) -> int:
    return value if value < _MAX32 else _SENTINEL
