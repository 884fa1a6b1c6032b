"""Writing zip archives the way PyTorch's stream writer does.

Every record is stored (or deflated on request), its payload aligned to 64 bytes by an `FB`
extra field of `Z` bytes, its CRC and sizes in a data descriptor after the payload (an empty
record has neither descriptor nor flag bit 3, as miniz writes it); the archive ends with a zip64
end record and locator, then the classic end record. Payloads go straight from
the caller's buffer to the file (no copies); their CRC is computed on a background thread while
the next chunk is written.

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
import zlib

from ember.serializer.crc import CHUNK, CrcPipe, crc32

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

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.close()
        elif self._pipe is not None:
            self._pipe.close()

    def _write(self, data) -> None:
        self._f.write(data)
        self._pos += memoryview(data).nbytes

    def _extra(self, start: int, size: int, offset: int) -> bytes:
        """The local extra field: a zip64 field if needed, then `FB` padding to the alignment.

        Like miniz, the zip64 field holds the size and a 0 compressed size (not known yet) when
        the payload is ≥ 4 GiB, and the header's own offset when that is past 4 GiB.
        """
        z64 = b""
        if size >= _MAX32:
            z64 += struct.pack("<QQ", size, 0)
        if offset >= _MAX32:
            z64 += struct.pack("<Q", offset)
        if z64:
            z64 = struct.pack("<HH", 1, len(z64)) + z64
        start += len(z64) + 4
        padding = (self._alignment - start % self._alignment) % self._alignment
        return z64 + b"FB" + struct.pack("<H", padding) + b"Z" * padding

    def write_record(self, name: str, data, compress: bool = False, crc=None) -> None:
        """Write one record; `data` is bytes or any C-contiguous buffer (numpy arrays too).

        `crc` may be a future of the data's CRC-32 computed ahead on another thread.
        """
        view = memoryview(data).cast("B")
        usize = view.nbytes
        if compress and usize:
            crc = crc32(view)
            view = memoryview(zlib.compress(view, 6)[2:-4])  # raw deflate stream
        full = f"{self._prefix}/{name}".encode()
        entry = _Entry()
        entry.name, entry.offset = full, self._pos
        entry.method = 8 if compress and usize else 0
        entry.usize, entry.csize = usize, view.nbytes
        extra = self._extra(self._pos + _LOCAL.size + len(full), entry.csize, self._pos)
        version = 20 if entry.method == 8 else 0
        header = _LOCAL.pack(
            0x04034B50, version, entry.flags, entry.method, 0, 0, 0, 0, 0, len(full), len(extra)
        )
        self._write(header + full + extra)
        if not usize:
            entry.crc = 0
            self._entries.append(entry)
            return
        if crc is None:
            crc = self._write_payload(view)
        else:
            self._write(view)
        entry.crc = crc if isinstance(crc, int) else crc.result()
        self._entries.append(entry)
        self._write_descriptor(entry)

    def _write_payload(self, view: memoryview) -> int:
        if view.nbytes <= CHUNK:
            self._write(view)
            return crc32(view)
        if self._pipe is None:
            self._pipe = CrcPipe()
        tag = len(self._entries)
        for start in range(0, view.nbytes, CHUNK):
            chunk = view[start : start + CHUNK]
            self._pipe.feed(tag, chunk)
            self._write(chunk)
        return self._pipe.wait()[tag]

    def _write_descriptor(self, e: _Entry) -> None:
        if e.usize >= _MAX32 or e.offset >= _MAX32:
            self._write(struct.pack("<IIQQ", 0x08074B50, e.crc, e.csize, e.usize))
        else:
            self._write(struct.pack("<IIII", 0x08074B50, e.crc, e.csize, e.usize))

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
        self._write(b"".join(self._central_entry(e) for e in self._entries))
        cd_size = self._pos - cd_start
        n = len(self._entries)
        eocd64_pos = self._pos
        self._write(_EOCD64.pack(0x06064B50, 44, _MADE_BY_64, 45, 0, 0, n, n, cd_size, cd_start))
        self._write(_LOCATOR.pack(0x07064B50, 0, eocd64_pos, 1))
        small = min(n, 0xFFFF)
        self._write(
            _EOCD.pack(0x06054B50, 0, 0, small, small, _small(cd_size), _small(cd_start), 0)
        )

    def entries(self) -> list[tuple[bytes, int]]:
        """(full name, crc) of every record written so far (for the serialization id)."""
        return [(e.name, e.crc) for e in self._entries]


def _small(value: int) -> int:
    return value if value < _MAX32 else _SENTINEL
