"""PyTorch's legacy (pre-1.6, non-zip) checkpoint format.

The file is a row of independent pickles: the magic number, the protocol version 1001, a
sys_info dict, the object (storages as 6-tuple persistent ids keyed by address), the sorted list
of storage keys; then, for each key in that order, an 8-byte element count and the raw bytes.

Example:
    >>> import io, numpy as np
    >>> from ember.tensor.tensor import wrap
    >>> buf = io.BytesIO()
    >>> save_legacy([wrap(np.arange(3))], buf)
    >>> load_legacy(buf.getvalue(), weights_only=True)[0].numpy()
    array([0, 1, 2])
"""

from __future__ import annotations

import pickle
import struct
import sys

import numpy as np

from ember.errors import SerializationError
from ember.serializer.location import restored
from ember.serializer.rebuild import INT64_MAX, shown
from ember.serializer.source import open_source
from ember.serializer.zipformat import check_protocol, pickle_object, unpickle
from ember.tensor import TypedStorage, UntypedStorage

__all__ = [
    "save_legacy",
    "load_legacy",
    "load_legacy_at",
    "MAGIC_NUMBER",
    "PROTOCOL_VERSION",
    "is_legacy",
]

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_MAGIC_PICKLE_HEAD = b"\x80\x02\x8a\x0a"
_MAGIC_TEXT = b"L%dL\n." % MAGIC_NUMBER
_SYS_INFO = {
    "protocol_version": PROTOCOL_VERSION,
    "little_endian": sys.byteorder == "little",
    "type_sizes": {"short": 2, "int": 4, "long": 4},
}


def is_legacy(head: bytes) -> bool:
    """Whether a file starting with `head` (its first 32 bytes) looks like a legacy checkpoint.

    Protocols 2 and up write the magic number as LONG1; protocols 0 and 1 as decimal text.
    """
    return (
        head.startswith(_MAGIC_PICKLE_HEAD)
        or (head[:1] == b"\x80" and b"\x8a" in head[:4])
        or head.startswith(_MAGIC_TEXT)
    )


def save_legacy(obj, f, protocol: int = 2, compact: bool = False) -> None:
    """Write `obj` to the binary stream `f` in the legacy format."""
    check_protocol(protocol)
    data, table = pickle_object(obj, protocol, compact, legacy=True)
    pickle.dump(MAGIC_NUMBER, f, protocol=protocol)
    pickle.dump(PROTOCOL_VERSION, f, protocol=protocol)
    pickle.dump(_SYS_INFO, f, protocol=protocol)
    f.write(data)
    storages = sorted(table.storages(), key=lambda entry: entry[0])
    pickle.dump([key for key, _, _ in storages], f, protocol=protocol)
    for _, storage, dtype in storages:
        itemsize = 1 if dtype is None else dtype.itemsize
        f.write(struct.pack("<q", storage.nbytes() // itemsize))
        f.write(memoryview(storage._buf))


class Sequential:
    """A read/readline/readinto cursor over a source, never reading past its end."""

    def __init__(self, source):
        self.source = source
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        n = self.source.size - self.pos if n < 0 else min(n, self.source.size - self.pos)
        data = self.source.read(self.pos, n)
        self.pos += n
        return data

    def readinto(self, out) -> int:
        out = memoryview(out).cast("B")
        n = min(out.nbytes, self.source.size - self.pos)
        self.source.readinto(self.pos, out[:n])
        self.pos += n
        return n

    def readline(self) -> bytes:
        chunk = self.source.read(self.pos, min(4096, self.source.size - self.pos))
        cut = chunk.find(b"\n")
        line = chunk if cut < 0 else chunk[: cut + 1]
        self.pos += len(line)
        return line

    def tell(self) -> int:
        return self.pos

    def seek(self, pos: int) -> int:
        self.pos = pos
        return pos

    def remaining(self) -> int:
        return self.source.size - self.pos


class _LegacyStorages:
    """Persistent ids of the legacy format: storages allocated now, filled after the keys."""

    def __init__(self, cursor: Sequential, restore=None):
        self.cursor = cursor
        self.restore = restore
        self.roots: dict[str, tuple[UntypedStorage, object, int]] = {}
        self.views: dict[str, UntypedStorage] = {}
        self.claimed = 0

    def __call__(self, pid):
        if len(pid) != 6:
            raise SerializationError(f"bad legacy storage persistent id {shown(pid)}")
        _, kind, key, location, numel, view = pid
        dtype = kind.dtype
        itemsize = 1 if dtype is None else dtype.itemsize
        if (
            not isinstance(key, str)
            or not isinstance(location, str)
            or type(numel) is not int
            or not 0 <= numel <= INT64_MAX
        ):
            raise SerializationError(f"bad legacy storage persistent id {shown(pid)}")
        if key not in self.roots:
            self.claimed += numel * itemsize + 8
            if self.claimed > self.cursor.remaining():
                raise SerializationError(
                    f"storage {key} claims {numel * itemsize} bytes; the file is smaller"
                )
            root = UntypedStorage(np.empty(numel * itemsize, np.uint8))
            if self.restore is not None:  # as in PyTorch: given the storage before it is read
                root = restored(self.restore, root, location, f"storage {key}")
            self.roots[key] = (root, dtype, numel)
        storage = self.roots[key][0]
        if view is not None:
            storage = self._view(storage, view, itemsize)
        return storage if dtype is None else TypedStorage(storage, dtype)

    def _view(self, root: UntypedStorage, view, itemsize: int) -> UntypedStorage:
        try:
            view_key, offset, size = view
            start, end = offset * itemsize, (offset + size) * itemsize
            if not 0 <= start <= end <= root.nbytes():
                raise ValueError
        except (TypeError, ValueError):
            raise SerializationError(f"bad legacy storage view {shown(view)}") from None
        if view_key not in self.views:
            self.views[view_key] = UntypedStorage(root._buf[start:end])
        return self.views[view_key]

    def fill(self, keys, swap: bool) -> None:
        if (
            not isinstance(keys, list)
            or not all(isinstance(key, str) for key in keys)
            or sorted(keys) != sorted(self.roots)
        ):
            raise SerializationError("legacy file's storage key list does not match its storages")
        for key in keys:
            storage, dtype, numel = self.roots[key]
            head = self.cursor.read(8)
            if len(head) != 8 or struct.unpack("<q", head)[0] != numel:
                raise SerializationError(f"legacy storage {key}: element count missing or wrong")
            if self.cursor.readinto(storage._buf) != storage.nbytes():
                raise SerializationError(f"file truncated inside legacy storage {key}")
            if swap and dtype is not None and dtype.itemsize > 1:
                storage._view_as(dtype).byteswap(inplace=True)


def load_legacy(f, weights_only: bool = True, restore=None):
    """Load a legacy checkpoint from `f` (path, bytes-like or seekable file object).

    `restore` is a `location.restorer` (for map_location), or None.
    """
    return load_legacy_at(f, weights_only, restore)[0]


def load_legacy_at(f, weights_only: bool = True, restore=None, options=None, unpickler=None):
    """(object, number of bytes the checkpoint took): a legacy file ends where its data does,
    so more may follow it in the same stream. `options` and `unpickler` go to `unpickle` for
    the object."""
    given = hasattr(f, "readinto") and hasattr(f, "size")
    source = f if given else open_source(f)
    try:
        cursor = Sequential(source)
        magic = unpickle(cursor, None, True, "the magic number")
        if magic != MAGIC_NUMBER:
            raise SerializationError("Invalid magic number; corrupt file?")
        protocol = unpickle(cursor, None, True, "the protocol version")
        if protocol != PROTOCOL_VERSION:
            raise SerializationError(f"Invalid protocol version: {shown(protocol)}")
        info = unpickle(cursor, None, True, "sys_info")
        if not isinstance(info, dict):
            raise SerializationError("legacy file's sys_info is not a dict")
        swap = bool(info.get("little_endian", True)) != (sys.byteorder == "little")
        storages = _LegacyStorages(cursor, restore)
        after_fill: list = []
        obj = unpickle(
            cursor, storages, weights_only, "the object pickle", after_fill, options, unpickler
        )
        keys = unpickle(cursor, None, True, "the storage key list")
        storages.fill(keys, swap)
        for work in after_fill:
            work()
        return obj, cursor.pos
    finally:
        if not given:
            source.close()
