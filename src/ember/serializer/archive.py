"""TorchScript archives (the format of ``torch.jit.save``): writing and reading the records.

Records, in torch 2.13's order, all under one folder named after the file: ``extra/<name>``
(the user's `_extra_files`), ``data/0`` ... (tensor payloads of the module state), ``data.pkl``
(the module objects, pickled as torch's C++ pickler does), ``code/__torch__/....py`` with a
``.py.debug_pkl`` beside each (the code, one file per qualified-name prefix, deflated when
over 200 bytes, and its source ranges), ``constants/0`` ... and ``constants.pkl`` (the
tensors the code names ``CONSTANTS.cN``), then ``version`` (``.data/version`` from 6 on),
``byteorder`` and ``.data/serialization_id``. Every payload is 64-byte aligned.

`write_archive` writes `ArchiveContents`; `ScriptArchive` opens an archive safely: it checks
the version, unpickles ``constants.pkl`` and ``data.pkl`` into `ScriptObject` records and
tensors (nothing from the file runs), maps a file given by path (tensors are views of the
mapping, copy-on-write; the directory and pickles are read with ordinary reads, so a file cut
short meanwhile is an error, not SIGBUS) and reads code, source ranges and extra files on
request. Compiling the code is the job of `ember.jit` (layer 5).

Example:
    >>> import io
    >>> from ember.serializer.script_pickler import ScriptObject
    >>> buf = io.BytesIO()
    >>> root = ScriptObject("__torch__.Net", {"training": True})
    >>> code = {"__torch__": "class Net(Module):\\n  training : bool\\n"}
    >>> write_archive(buf, "archive", ArchiveContents(root, code, extra_files={"a.txt": "hi"}))
    >>> archive = ScriptArchive(buf.getvalue())
    >>> archive.version, archive.root, archive.extra("a.txt")
    (3, ScriptObject('__torch__.Net'), b'hi')
    >>> archive.code("__torch__") == code["__torch__"]
    True
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from ember.errors import SerializationError
from ember.serializer.debug_info import SourceRanges, pack_ranges
from ember.serializer.program import RECORD as PROGRAM_RECORD
from ember.serializer.program import StorageIndex
from ember.serializer.script_pickler import ScriptObject, ScriptPickler
from ember.serializer.script_unpickler import unpickle_script
from ember.serializer.source import map_file, open_source
from ember.serializer.versions import (
    MAX_VERSION,
    MIN_PRODUCED,
    MIN_VERSION,
    check_version,
    record_name,
)
from ember.serializer.zipformat import StorageLoader, byteorder_of, serialization_id
from ember.serializer.zipreader import ZipReader
from ember.serializer.zipwriter import ZipWriter

__all__ = ["ArchiveContents", "write_archive", "ScriptArchive", "code_path", "pack_debug"]

_COMPRESS_OVER = 200  # torch's kMinToCompress: larger code records are deflated


def code_path(prefix: str) -> str:
    """The record of the code file for a qualified-name prefix.

    >>> code_path("__torch__.torch.nn.modules.linear")
    'code/__torch__/torch/nn/modules/linear.py'
    """
    return "code/" + prefix.replace(".", "/") + ".py"


@dataclass
class ArchiveContents:
    """What an archive holds: the root module object, the code files (prefix -> text) with
    their source ranges (prefix -> [(offset, SourceLocation or None)]), the constants
    table, the user's extra files and the format version."""

    root: ScriptObject
    code: dict
    ranges: dict = field(default_factory=dict)
    constants: list = field(default_factory=list)
    extra_files: dict = field(default_factory=dict)
    version: int = MIN_PRODUCED
    debug: dict | None = None  # the packed ranges (`pack_debug`), if already made
    program: Callable | None = None
    """Makes the ``program.fb`` record: called with the `StorageIndex` of the storages the
    pickles wrote (``data/N``, ``constants/N``), returns its bytes; None: no record."""


def write_archive(f, prefix: str, contents: ArchiveContents) -> None:
    """Write `contents` to the binary stream `f` under folder `prefix`."""
    data_pickler, constants_pickler = ScriptPickler(), ScriptPickler()
    data = data_pickler.dumps(contents.root)
    constants = constants_pickler.dumps(tuple(contents.constants))
    program = None
    if contents.program is not None:  # before writing: a refusal leaves `f` untouched
        program = _program(contents, data_pickler, constants_pickler)
    with ZipWriter(f, prefix) as w:
        for name, value in contents.extra_files.items():
            w.write_record(f"extra/{name}", value.encode() if isinstance(value, str) else value)
        for key, storage, _ in data_pickler.storages:
            w.write_record(f"data/{key}", storage._buf)
        w.write_record("data.pkl", data)
        _write_code(w, contents)
        for key, storage, _ in constants_pickler.storages:
            w.write_record(f"constants/{key}", storage._buf)
        w.write_record("constants.pkl", constants)
        if program is not None:
            w.write_record(PROGRAM_RECORD, program)
        w.write_record(record_name(contents.version), f"{contents.version}\n".encode())
        w.write_record("byteorder", sys.byteorder.encode())
        w.write_record(".data/serialization_id", serialization_id(w.entries()))


def _program(contents: ArchiveContents, data: ScriptPickler, constants: ScriptPickler) -> bytes:
    index = StorageIndex()
    index.add_pickled("data", data.storages)
    index.add_pickled("constants", constants.storages)
    return contents.program(index)


def pack_debug(code: dict, ranges: dict) -> dict:
    """The ``.debug_pkl`` of each code file (prefix -> bytes), tags numbered archive-wide."""
    tags: dict = {}
    return {
        prefix: pack_ranges(text, ranges.get(prefix, ()), tags) for prefix, text in code.items()
    }


def _write_code(w: ZipWriter, contents: ArchiveContents) -> None:
    debug = contents.debug
    if debug is None:
        debug = pack_debug(contents.code, contents.ranges)
    for prefix, text in contents.code.items():
        path, data = code_path(prefix), text.encode("utf-8")
        w.write_record(path, data, compress=len(data) > _COMPRESS_OVER)
        pickled = debug[prefix]
        w.write_record(path + ".debug_pkl", pickled, compress=len(pickled) > _COMPRESS_OVER)


class ScriptArchive:
    """An open TorchScript archive (`f`: a path, bytes-like object or binary file).

    `version`, `constants` (the ``CONSTANTS`` tuple) and `root` (the module object record)
    are read on opening; `restore` is a `location.restorer` for the storages (or None).
    """

    def __init__(self, f, restore=None):
        source = open_source(f)  # the directory and pickles: ordinary reads, never the mapping
        try:
            self.reader = ZipReader(source)
        except BaseException:
            source.close()
            raise
        self._code: dict[str, str | None] = {}
        try:
            self.mapping = _mapping(f, source.size)
            self._open(restore)
        except BaseException:
            self.close()
            raise

    def _open(self, restore) -> None:
        reader = self.reader
        self.version = self._read_version()
        for name in ("data.pkl", "constants.pkl"):
            if not reader.has(name):
                kind = "a checkpoint: load it with ember.load" if name == "constants.pkl" else ""
                raise SerializationError(
                    f"not a TorchScript archive: it has no {name!r} record"
                    + (f" ({kind})" if kind else "")
                )
        swap = byteorder_of(reader) != sys.byteorder
        loaders = [
            StorageLoader(reader, self.mapping, swap, restore, folder, lenient=True)
            for folder in ("constants", "data")
        ]
        constants = unpickle_script(
            reader.read_pickle("constants.pkl"), loaders[0], "constants.pkl"
        )
        if not isinstance(constants, tuple):
            raise SerializationError("constants.pkl does not hold a tuple of constants")
        self.constants = constants
        self.root = unpickle_script(reader.read_pickle("data.pkl"), loaders[1], "data.pkl")
        if not isinstance(self.root, ScriptObject) or not isinstance(self.root.state, dict):
            raise SerializationError("data.pkl does not hold a module object")
        for loader in loaders:
            loader.fill()
        self.storages = StorageIndex()
        """Where each storage the pickles named lives: ``data/N`` or ``constants/N``."""
        for loader in loaders:
            for key, (storage, dtype) in loader.loaded.items():
                if dtype is not None:
                    self.storages.add(storage, f"{loader.folder}/{key}", dtype)

    def _read_version(self) -> int:
        reader = self.reader
        name = ".data/version" if reader.has(".data/version") else "version"
        if not reader.has(name):
            raise SerializationError("not a TorchScript archive: it has no 'version' record")
        text = reader.read(name, limit=64)
        try:
            version = int(text.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            raise SerializationError(f"record {name!r} is not a number: {text[:20]!r}") from None
        if not MIN_VERSION <= version <= MAX_VERSION:
            check_version(version, self._all_code())
        return version

    def _all_code(self) -> str:
        texts = []
        for name in self.reader.names():
            if name.startswith("code/") and name.endswith(".py"):
                try:
                    texts.append(self.reader.read(name).decode("utf-8", "replace"))
                except SerializationError:
                    continue
        return "\n".join(texts)

    def code(self, prefix: str) -> str | None:
        """The code file for a qualified-name prefix (``'__torch__.m'``), or None."""
        if prefix not in self._code:
            path = code_path(prefix)
            if not self.reader.has(path):
                self._code[prefix] = None
            else:
                try:
                    self._code[prefix] = self.reader.read(path).decode("utf-8")
                except UnicodeDecodeError:
                    raise SerializationError(f"record {path!r} is not UTF-8 text") from None
        return self._code[prefix]

    def code_texts(self) -> dict:
        """Every code file: qualified-name prefix -> text, in record order."""
        out = {}
        for name in self.reader.names():
            if name.startswith("code/") and name.endswith(".py"):
                prefix = name[5:-3].replace("/", ".")
                out[prefix] = self.code(prefix)
        return out

    def fingerprint(self) -> tuple:
        """(name, CRC, size) of the records that shape compiled code besides the code itself:
        the constants and the source ranges (equal fingerprints, equal records)."""
        names = self.reader.names()
        keep = [n for n in names if n.startswith("constants") or n.endswith(".debug_pkl")]
        return tuple((n, self.reader.record(n).crc, self.reader.record(n).usize) for n in keep)

    def ranges(self, prefix: str) -> SourceRanges | None:
        """The source ranges of a code file (its ``.debug_pkl``), or None if it has none."""
        path = code_path(prefix) + ".debug_pkl"
        if not self.reader.has(path):
            return None
        return SourceRanges(self.reader.read_pickle(path), path)

    def extra(self, name: str) -> bytes | None:
        """The user's extra file `name` (``extra/<name>``), or None."""
        path = f"extra/{name}"
        return self.reader.read(path) if self.reader.has(path) else None

    def extra_names(self) -> list[str]:
        """The names of the user's extra files, in record order."""
        return [n[6:] for n in self.reader.names() if n.startswith("extra/")]

    def close(self) -> None:
        self.reader.close()


def _mapping(f, size: int):
    """The file at path `f` mapped copy-on-write (tensors become views of it), or None."""
    if not isinstance(f, str | os.PathLike):
        return None
    return map_file(f, size)
