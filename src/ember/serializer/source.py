"""Random-access byte sources for the readers: in-memory buffers, file objects and paths.

Every read is bounds-checked against the source's size, so a damaged header can never make a
reader allocate or read beyond the file.

Example:
    >>> src = open_source(b"hello world")
    >>> src.size, src.read(6, 5)
    (11, b'world')
"""

from __future__ import annotations

import io
import os

import numpy as np

from ember.errors import SerializationError

__all__ = ["open_source", "map_file", "BytesSource", "FileSource"]

_STEP = 1 << 30


class BytesSource:
    """A source over an in-memory buffer (bytes, bytearray, numpy array, mmap), from `start`."""

    def __init__(self, data, start: int = 0):
        self.view = memoryview(data).cast("B")[start:]
        self.size = self.view.nbytes

    def read(self, offset: int, n: int, what: str = "data") -> bytes:
        _check(offset, n, self.size, what)
        return bytes(self.view[offset : offset + n])

    def readinto(self, offset: int, out: memoryview, what: str = "data") -> None:
        _check(offset, out.nbytes, self.size, what)
        out[:] = self.view[offset : offset + out.nbytes]

    def close(self) -> None:
        self.view.release()


class FileSource:
    """A source over a seekable binary file object (or a file descriptor via `os.pread`).

    Offsets count from `start`, the file's position when it was handed over: PyTorch reads a
    checkpoint from where the stream stands (e.g. after other pickles written before it).
    """

    def __init__(self, f, owned: bool = False, start: int = 0):
        self.f = f
        self.owned = owned
        self.fd = None
        self.start = start
        if isinstance(f, (io.FileIO, io.BufferedReader, io.BufferedRandom)):
            self.fd = f.fileno()  # os.pread never disturbs the object's own position
            end = os.fstat(self.fd).st_size
        else:
            f.seek(0, io.SEEK_END)  # some streams' seek returns None: ask tell
            end = f.tell()
        self.size = max(end - start, 0)
        self._readinto = getattr(f, "readinto", None)

    def read(self, offset: int, n: int, what: str = "data") -> bytes:
        out = bytearray(n)
        self.readinto(offset, memoryview(out), what)
        return bytes(out)

    def readinto(self, offset: int, out: memoryview, what: str = "data") -> None:
        _check(offset, out.nbytes, self.size, what)
        out = out.cast("B")
        done = 0
        while done < out.nbytes:
            piece = out[done : done + _STEP]
            got = self._read_at(offset + done, piece)
            if not got:
                raise SerializationError(f"file truncated while reading {what}")
            done += got

    def _read_at(self, offset: int, piece: memoryview) -> int:
        offset += self.start
        if self.fd is not None:
            return os.preadv(self.fd, [piece], offset)
        self.f.seek(offset)
        if self._readinto is not None:
            return self._readinto(piece) or 0
        data = self.f.read(piece.nbytes)  # a stream with read/seek/tell only, as torch allows
        piece[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if self.owned:
            self.f.close()


def _check(offset: int, n: int, size: int, what: str) -> None:
    if offset < 0 or n < 0 or offset + n > size:
        raise SerializationError(
            f"file truncated: {what} needs bytes {offset}..{offset + n} but the file has {size}"
        )


def map_file(path, size: int):
    """The file at `path` mapped copy-on-write, checked to hold `size` bytes (what the reader
    that read its directory saw); None for an empty file.

    Only tensor data should be read through the mapping: if another process cuts the file
    short, touching the lost pages kills the process with SIGBUS.
    """
    try:
        mapping = np.memmap(path, dtype=np.uint8, mode="c")
    except ValueError:  # an empty file: nothing to map
        mapping = None
    mapped = 0 if mapping is None else mapping.size
    if mapped < size:
        raise SerializationError(
            f"file truncated: {os.fspath(path)!r} shrank to {mapped} bytes while being read "
            f"(it had {size})"
        )
    return mapping


def open_source(f):
    """A source for `f`: a path, a bytes-like object or a readable, seekable file object.

    A file object is read from its current position on.
    """
    if isinstance(f, (bytes, bytearray, memoryview, np.ndarray)):
        return BytesSource(f)
    if isinstance(f, (str, os.PathLike)):
        return FileSource(open(f, "rb", buffering=0), owned=True)  # OSErrors stay OSErrors
    if not hasattr(f, "read") or not hasattr(f, "seek") or not hasattr(f, "tell"):
        raise TypeError(f"expected a path or a readable, seekable binary file, got {type(f)}")
    if isinstance(f, io.BytesIO):
        return BytesSource(f.getbuffer(), f.tell())
    return FileSource(f, start=f.tell())
