"""The zip checkpoint format (PyTorch's default since 1.6): saving and loading.

Records, in PyTorch's order: `data.pkl`, `.format_version`, `.storage_alignment`, `byteorder`,
`data/0` ..., `version`, `.data/serialization_id`, all under one folder named after the file.
Loading allocates every storage up front from the pickle's persistent ids (sizes checked against
the records), unpickles, then fills the storages straight from the file with CRCs computed on a
background thread; with `mmap=True` storages are views of a private (copy-on-write) mapping.

Example:
    >>> import io, numpy as np
    >>> from ember.tensor.tensor import wrap
    >>> buf = io.BytesIO()
    >>> save_zip({"w": wrap(np.arange(3.0))}, buf, "archive")
    >>> load_zip(buf.getvalue(), weights_only=True)["w"].numpy()
    array([0., 1., 2.])
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ember.errors import SerializationError, VersionError
from ember.serializer.compact import CompactPlan
from ember.serializer.crc import CrcPipe, crc32
from ember.serializer.full_unpickler import FullUnpickler
from ember.serializer.location import MapLocationError, restored
from ember.serializer.mathbits import deferred
from ember.serializer.pickler import StorageTable, dump_checkpoint
from ember.serializer.rebuild import INT64_MAX, shown
from ember.serializer.shown import error_text
from ember.serializer.unpickler import WeightsUnpickler
from ember.serializer.zipreader import ZipReader
from ember.serializer.zipwriter import ZipWriter
from ember.tensor import TypedStorage, UntypedStorage

__all__ = [
    "save_zip",
    "load_zip",
    "pickle_object",
    "unpickle",
    "check_version",
    "check_protocol",
    "StorageLoader",
    "serialization_id",
    "byteorder_of",
]

MIN_VERSION, MAX_VERSION = 1, 10


def pickle_object(obj, protocol: int, compact: bool, legacy: bool = False):
    """(pickle bytes, StorageTable) for `obj`; `compact` runs the extent-collecting pass first."""
    plan = None
    if compact:
        plan = CompactPlan()
        dump_checkpoint(obj, StorageTable(plan), protocol, legacy)
        plan.freeze()
    table = StorageTable(plan, legacy_keys=legacy)
    data = dump_checkpoint(obj, table, protocol, legacy)
    _warn_if_bloated(table)
    return data, table


def _warn_if_bloated(table: StorageTable) -> None:
    written = sum(storage.nbytes() for _, storage, _ in table.storages())
    if table.tensor_count and written > 2 * table.tensor_bytes:
        warnings.warn(
            f"ember.save writes {written} bytes of storage for {table.tensor_bytes} bytes of "
            "tensors: some saved tensors view a small part of a larger storage. Pass "
            "compact=True to write only the bytes the tensors reach (views among them are kept).",
            UserWarning,
            stacklevel=_caller_level(),
        )


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _caller_level() -> int:
    """The `stacklevel` naming the first frame outside ember: the line that called ember.save."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE + os.sep):
        frame, level = frame.f_back, level + 1
    return level


def check_protocol(protocol) -> None:
    """Refuse pickle protocols that cannot hold storage references (tuples as persistent ids).

    Protocol 0 writes persistent ids as text lines: torch.save then writes a file nothing can
    load; ember says so instead.
    """
    if type(protocol) is not int or not 1 <= protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(
            f"pickle_protocol must be 1..{pickle.HIGHEST_PROTOCOL} (protocol 0 cannot reference "
            f"storages), got {protocol!r}"
        )


def save_zip(obj, f, prefix: str, protocol: int = 2, compact: bool = False, byteorder=True):
    """Write `obj` to the binary stream `f` as a zip checkpoint under folder `prefix`."""
    check_protocol(protocol)
    data, table = pickle_object(obj, protocol, compact)
    storages = table.storages()
    # The CRC thread runs ahead of the writes, so no record waits for its checksum.
    with ZipWriter(f, prefix) as w, ThreadPoolExecutor(1) as pool:
        crcs = [_crc_ahead(pool, storage._buf) for _, storage, _ in storages]
        w.write_record("data.pkl", data)
        w.write_record(".format_version", b"1")
        w.write_record(".storage_alignment", b"64")
        if byteorder:
            w.write_record("byteorder", sys.byteorder.encode())
        for (key, storage, _), crc in zip(storages, crcs):
            w.write_record(f"data/{key}", storage._buf, crc=crc)
        w.write_record("version", b"3\n")
        w.write_record(".data/serialization_id", serialization_id(w.entries()))


def _crc_ahead(pool: ThreadPoolExecutor, buf):
    """The CRC of a big buffer as a future computed on `pool`; small ones right away."""
    return pool.submit(crc32, buf) if buf.nbytes >= 1 << 20 else crc32(buf)


def serialization_id(entries) -> bytes:
    """The 40-digit `.data/serialization_id` record: a hash of the names and CRCs written."""
    names = crc32(b"\0".join(name for name, _ in entries))
    crcs = 0
    for _, crc in entries:
        crcs = (crcs * 31 + crc) % 10**20
    return f"{names:020d}{crcs:020d}".encode()


# -- loading ---------------------------------------------------------------------------------


def check_version(reader: ZipReader) -> int:
    """The archive's `version` (or `.data/version`) record, checked against ember's window."""
    name = ".data/version" if reader.has(".data/version") else "version"
    if not reader.has(name):
        raise SerializationError("archive has no 'version' record: not a checkpoint")
    text = reader.read(name, limit=64)
    try:
        version = int(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise SerializationError(f"record {name!r} is not a number: {text[:20]!r}") from None
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionError(
            f"archive version {version} is outside the versions this reader supports "
            f"({MIN_VERSION}..{MAX_VERSION})"
        )
    return version


class StorageLoader:
    """Creates storages for persistent ids; fills them after unpickling.

    Storages are the records `folder/<key>`. With `mapping` (the whole file mapped), stored
    records become views of it; deflated ones are refused, or read into memory if `lenient`,
    which also checks the CRCs of the mapped records.
    """

    def __init__(self, reader: ZipReader, mapping, swap: bool, restore=None, folder="data",
                 lenient: bool = False):  # fmt: skip
        self.reader = reader
        self.mapping = mapping
        self.swap = swap
        self.restore = restore
        self.folder = folder
        self.lenient = lenient
        self.loaded: dict[str, tuple[UntypedStorage, object]] = {}
        self.filled: set[str] = set()
        self.mapped: set[str] = set()
        self.budget = 2 * reader.source.size + (1 << 20)  # overlapping records cannot multiply

    def __call__(self, pid):
        _, kind, key, location, numel = pid[:5]
        if (
            not isinstance(key, str)
            or not isinstance(location, str)
            or type(numel) is not int
            or not 0 <= numel <= INT64_MAX
        ):
            raise SerializationError(f"bad storage persistent id {shown(pid)}")
        if key not in self.loaded:
            storage = self._allocate(key, numel, kind.dtype)
            if self.restore is not None:  # a map_location callable sees the loaded bytes
                self._fill_one(key, storage, kind.dtype)
                storage = restored(self.restore, storage, location, f"{self.folder}/{key}")
            self.loaded[key] = (storage, kind.dtype)
        storage, _ = self.loaded[key]
        dtype = kind.dtype
        return storage if dtype is None else TypedStorage(storage, dtype)

    def _allocate(self, key: str, numel: int, dtype) -> UntypedStorage:
        name = f"{self.folder}/{key}"
        rec = self.reader.record(name)
        nbytes = numel * (1 if dtype is None else dtype.itemsize)
        if rec.usize != nbytes:
            raise SerializationError(
                f"record {name!r} holds {rec.usize} bytes but its storage claims {numel} "
                f"elements ({nbytes} bytes)"
            )
        self.budget -= nbytes
        if self.budget < 0:
            raise SerializationError(
                f"record {name!r}: the storages claim far more bytes than the file holds "
                "(overlapping records or a zip bomb)"
            )
        if self.mapping is not None and (rec.method == 0 or not self.lenient):
            if rec.method != 0:
                raise SerializationError(f"mmap=True needs stored records; {name!r} is deflated")
            start = self.reader.data_offset(name)
            self.mapped.add(key)
            return UntypedStorage(self.mapping[start : start + nbytes].view(np.ndarray))
        return UntypedStorage(np.empty(nbytes, dtype=np.uint8))

    def _fill_one(self, key: str, storage: UntypedStorage, dtype) -> None:
        if key not in self.mapped:
            self.reader.readinto(f"{self.folder}/{key}", memoryview(storage._buf))  # CRC checked
        if self.swap:
            _byteswap(storage, dtype)
        self.filled.add(key)

    def fill(self) -> None:
        """Read every storage's bytes (file order), CRCs checked on a background thread."""
        pending = [k for k in self.loaded if k not in self.filled]
        folder = self.folder
        order = sorted(pending, key=lambda k: self.reader.record(f"{folder}/{k}").header_offset)
        reading = [key for key in order if key not in self.mapped]
        if reading:
            pipe = CrcPipe()
            try:
                for key in reading:
                    buf = self.loaded[key][0]._buf
                    self.reader.readinto(f"{folder}/{key}", memoryview(buf), pipe)
                crcs = pipe.wait()
            finally:
                pipe.close()
            self.reader.verify(crcs)
        if self.lenient:
            mapped = [key for key in order if key in self.mapped]
            self.reader.verify({f"{folder}/{k}": crc32(self.loaded[k][0]._buf) for k in mapped})
        if self.swap:
            for key in order:
                _byteswap(*self.loaded[key])


def _byteswap(storage: UntypedStorage, dtype) -> None:
    """Swap each element of `storage` in place (a file written on the other byte order)."""
    if dtype is not None and dtype.itemsize > 1:
        storage._view_as(dtype).byteswap(inplace=True)


def load_zip(f, weights_only: bool = True, mapping=None, restore=None, options=None):
    """Load a zip checkpoint from `f` (path, bytes-like, file object, or an open ZipReader).

    `restore` is a `location.restorer` (for map_location), or None; `options` go to `unpickle`.
    """
    reader = f if isinstance(f, ZipReader) else ZipReader(f)
    if reader.has("constants.pkl"):
        raise SerializationError(
            "this file is a TorchScript archive (it has constants.pkl): load it with "
            "ember.jit.load, not ember.load"
        )
    check_version(reader)
    swap = byteorder_of(reader) != sys.byteorder
    loader = StorageLoader(reader, mapping, swap, restore)
    data = reader.read_pickle("data.pkl")
    after_fill: list = []
    obj = unpickle(data, loader, weights_only, after_fill=after_fill, options=options)
    loader.fill()
    for work in after_fill:
        work()
    return obj


def byteorder_of(reader: ZipReader) -> str:
    """The `byteorder` record ("little" when there is none, as in old files)."""
    if not reader.has("byteorder"):
        return "little"
    order = reader.read("byteorder", limit=64)
    if order not in (b"little", b"big"):
        raise SerializationError(f"record 'byteorder' holds {order[:20]!r}")
    return order.decode()


def unpickle(
    data,
    load_storage,
    weights_only: bool,
    what: str = "data.pkl",
    after_fill=None,
    options=None,
    unpickler=None,
):
    """Unpickle `data` with the allowlisting or the trusting unpickler; errors become ours.

    Work that must wait until the storages are filled is appended to `after_fill`; `options`
    are the unpickler's `encoding` and `errors` (for Python 2 strings), if given. `unpickler`
    replaces the class chosen by `weights_only` (called with the same arguments).
    """
    cls = unpickler or (WeightsUnpickler if weights_only else FullUnpickler)
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    try:
        with deferred(after_fill):
            return cls(stream, load_storage, what, **(options or {})).load()
    except (SerializationError, MapLocationError):
        raise  # the loader's guard hands the user's map_location error back as it was
    except RecursionError:
        raise SerializationError(f"cannot unpickle {what}: the pickle nests too deeply") from None
    except Exception as exc:
        if isinstance(exc, (pickle.UnpicklingError, EOFError, IndexError, ValueError)):
            raise SerializationError(
                f"cannot unpickle {what}: the pickle is corrupt or truncated "
                f"({error_text(exc, named=False)})"
            ) from exc
        raise SerializationError(f"cannot unpickle {what}: {error_text(exc)}") from exc
