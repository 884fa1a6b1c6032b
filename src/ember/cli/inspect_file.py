"""What a file is: `inspect_file` reads a checkpoint or a TorchScript archive without running
anything from it and returns a JSON-ready report (`ember.cli.render` prints it).

The report holds the file's ``kind`` (``checkpoint`` or ``archive``) and ``format`` (``zip``
or ``legacy``), the ``writer`` (ember, torch, or unknown, with the evidence), the
``version`` and the ``upgraders`` that cover it, ``refusals`` (why `ember.load` or
`ember.jit.load` would refuse the file), the zip ``records``, the object tree (``entries``
of a checkpoint; ``modules`` and ``constants`` of an archive: see `ember.cli.objects`), the
``storages`` the tensors use with their ``totals``, the archive's ``code`` files and its
``program`` record (methods, op and operator counts, upgraders, and its text; None when the
archive has none). A
checkpoint's report also lists its ``refused_globals``; a legacy one counts the
``trailing_bytes`` after it.

Pickles are read by the restricted unpicklers: `ember.serializer.peek` for checkpoints
(refused globals become stand-ins), the archive unpickler for archives (which refuses them);
the archive's code is parsed for its declarations, never compiled or run.

Example:
    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.save({"w": ember.zeros(2, 3), "epoch": 3}, buf)
    >>> report = inspect_file(buf.getvalue())
    >>> report["kind"], report["format"], report["writer"]["name"], report["version"]
    ('checkpoint', 'zip', 'ember', 3)
    >>> [(e["name"], e["kind"]) for e in report["entries"]["children"]]
    [('w', 'tensor'), ('epoch', 'value')]
"""

from __future__ import annotations

import functools
import os
import sys

import numpy as np

from ember.cli.modules import ModuleTree, declarations
from ember.cli.objects import Storages, Tree
from ember.cli.writer import writer_of
from ember.errors import SerializationError, VersionError
from ember.serializer.legacy import is_legacy, load_legacy_at
from ember.serializer.peek import PeekUnpickler
from ember.serializer.program import RECORD, describe, read_program
from ember.serializer.scan import PICKLE_BUDGET_TEXT, pickle_budget
from ember.serializer.script_unpickler import unpickle_script
from ember.serializer.source import BytesSource, open_source
from ember.serializer.versions import called_operators, check_version
from ember.serializer.zipformat import StorageLoader, byteorder_of, unpickle
from ember.serializer.zipreader import ZipReader
from ember.upgraders import for_version

__all__ = ["inspect_file"]


def inspect_file(f, mmap: bool = False, code: bool = False, program: bool = False) -> dict:
    """The report on `f` (a path, bytes-like object or binary file): see the module docstring.

    `mmap=True` maps a file given by path: tensor bytes are then neither read nor checked.
    `code=True` adds each code file's text, `program=True` the program record's (as
    `ember.serializer.program.describe` prints it). Damage raises `SerializationError`.

    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    >>> report = inspect_file(buf.getvalue())
    >>> report["kind"], report["modules"]["type"], report["totals"]
    ('archive', 'Linear', {'tensors': 2, 'storages': 2, 'bytes': 12})
    """
    mapping = _mapping(f) if mmap else None
    source = BytesSource(mapping) if mapping is not None else open_source(f)
    try:
        return _inspect(source, mapping, code, program)
    except RecursionError:  # comparing or hashing objects nested deeper than Python recurses
        raise SerializationError("the file's objects nest too deeply to inspect") from None
    finally:
        source.close()


def _inspect(source, mapping, code: bool, program: bool) -> dict:
    if source.size == 0:
        raise SerializationError("the file is empty: not a checkpoint or TorchScript archive")
    head = source.read(0, min(32, source.size), "file header")
    if head.startswith(b"PK\x03\x04"):
        return _zip(ZipReader(source), mapping, code, program)
    if is_legacy(head):
        return _legacy(source)
    if head.startswith(b"PYTORCH1"):
        raise SerializationError("PyTorch's preview format (PYTORCH1) is not supported")
    raise SerializationError(
        f"not a checkpoint or TorchScript archive: the file starts with {head[:8]!r}, "
        "neither a zip archive nor PyTorch's legacy format"
    )


def _mapping(f):
    if not isinstance(f, str | os.PathLike):
        raise SerializationError("mmap=True needs a file path")
    try:
        return np.memmap(f, dtype=np.uint8, mode="c")
    except ValueError:  # an empty file: the readers say what is wrong with it
        return None


def _report(kind: str, fmt: str, writer: dict) -> dict:
    return {"kind": kind, "format": fmt, "writer": writer, "version": None, "refusals": [],
            "upgraders": None, "byteorder": None, "folder": None, "records": []}  # fmt: skip


# -- zip files -------------------------------------------------------------------------------


def _zip(reader: ZipReader, mapping, with_code: bool, with_program: bool = False) -> dict:
    if reader.has("constants.pkl"):
        report = _report("archive", "zip", writer_of(reader))
    elif reader.has("data.pkl"):
        report = _report("checkpoint", "zip", writer_of(reader))
    else:
        raise SerializationError(
            "a zip archive, but not a checkpoint or TorchScript archive: it has no data.pkl record"
        )
    report["folder"] = reader.prefix
    texts = _code_texts(reader)
    report["version"], refusal = _version(reader, "\n".join(texts.values()))
    report["refusals"] += [refusal] if refusal else []
    report["byteorder"] = byteorder_of(reader)
    report["records"] = [_record(reader, name) for name in reader.names()]
    swap = report["byteorder"] != sys.byteorder
    if report["kind"] == "checkpoint":
        loader = StorageLoader(reader, mapping, swap)
        after_fill: list = []
        data = _read_pickle(reader, "data.pkl")
        obj = _peek(report, data, loader, after_fill)
        loader.fill()
        for work in after_fill:
            work()
        _entries(report, obj, Storages(_records_of(loader)))
    else:
        _archive(report, reader, mapping, swap, texts)
        report["program"] = _program(reader, with_program, report["version"])
    report["code"] = [_code(path, text, with_code) for path, text in texts.items()]
    return report


def _read_pickle(reader: ZipReader, name: str) -> bytes:
    """The record, unless it inflates past `pickle_budget`: unpickling costs up to 200 bytes
    of memory per byte of pickle. torch and ember store their pickles uncompressed, and a
    stored record is never larger than the file."""
    size, allowed = reader.record(name).usize, pickle_budget(reader.source.size)
    if size > allowed:
        raise SerializationError(
            f"record {name!r} inflates to {size} bytes, more than inspect reads from a "
            f"{reader.source.size}-byte file ({PICKLE_BUDGET_TEXT}): a decompression bomb?"
        )
    return reader.read(name)


def _version(reader: ZipReader, code: str):
    """(version or None, why a loader refuses it or None): out-of-window versions are shown."""
    name = ".data/version" if reader.has(".data/version") else "version"
    if not reader.has(name):
        return None, "the file has no 'version' record: ember's loaders refuse it"
    text = reader.read(name, limit=64)
    try:
        version = int(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None, f"record {name!r} is not a number: {text[:20]!r}"
    try:
        check_version(version, code)
    except VersionError as error:
        return version, str(error)
    return version, None


def _record(reader: ZipReader, name: str) -> dict:
    rec = reader.record(name)
    return {"name": name, "offset": reader.data_offset(name), "bytes": rec.usize,
            "method": "deflated" if rec.method == 8 else "stored",
            "compressed_bytes": rec.csize}  # fmt: skip


def _peek(report: dict, data, loader, after_fill=None, legacy: bool = False):
    """Unpickle the checkpoint's object with stand-ins for refused globals (nothing runs)."""
    refused: set = set()
    peek = functools.partial(PeekUnpickler, refused=refused)
    if legacy:
        obj, used = load_legacy_at(data, True, unpickler=peek)
        report["trailing_bytes"] = data.size - used
    else:
        obj = unpickle(data, loader, True, "data.pkl", after_fill, unpickler=peek)
    report["refused_globals"] = sorted(refused)
    if refused:
        report["refusals"].append(
            f"the pickle names globals a weights-only load refuses: {', '.join(sorted(refused))}"
            " (shown below as stand-ins; nothing was imported or run)"
        )
    return obj


def _records_of(loader: StorageLoader) -> dict:
    folder = loader.folder
    return {id(storage): f"{folder}/{key}" for key, (storage, _) in loader.loaded.items()}


def _entries(report: dict, obj, storages: Storages) -> None:
    report["entries"] = Tree(storages).node("", obj)
    report["storages"], report["totals"] = storages.table(), storages.totals()


# -- TorchScript archives --------------------------------------------------------------------


def _archive(report: dict, reader: ZipReader, mapping, swap: bool, texts: dict) -> None:
    version = report["version"]
    in_range = list(for_version(version).values()) if version is not None else []
    called = set(called_operators("\n".join(texts.values())))
    report["upgraders"] = {
        "in_range": [u.name for u in in_range],
        "may_apply": [u.name for u in in_range if u.overload.split(".")[0] in called],
    }
    loaders = [StorageLoader(reader, mapping, swap, None, folder, lenient=True)
               for folder in ("constants", "data")]  # fmt: skip
    constants = unpickle_script(_read_pickle(reader, "constants.pkl"), loaders[0], "constants.pkl")
    root = unpickle_script(_read_pickle(reader, "data.pkl"), loaders[1], "data.pkl")
    for loader in loaders:
        loader.fill()
    storages = Storages({**_records_of(loaders[0]), **_records_of(loaders[1])})
    tree = ModuleTree(storages, declarations(_prefixes(texts)))
    report["modules"] = tree.node("", root)
    if not isinstance(constants, tuple):
        constants = [constants]
    items = [(f"c{i}", value) for i, value in enumerate(constants)]
    report["constants"] = tree.children(items, "CONSTANTS", 0)
    report["storages"], report["totals"] = storages.table(), storages.totals()


def _program(reader: ZipReader, with_text: bool, version) -> dict | None:
    """What the archive's program record holds (None when it has none; see docs/program.md)."""
    if not reader.has(RECORD):
        return None
    try:
        program = read_program(reader.read(RECORD))
    except SerializationError as error:
        return {"record": RECORD, "error": str(error)}
    ops = sum(1 for fn in program.functions for _ in _walk(fn.body))
    entry = {"record": RECORD, "format": program.format, "version": program.version,
             "producer": program.producer, "methods": [m.name for m in program.methods],
             "ops": ops, "operators": len(program.operators),
             "upgraders": [u.name for u in program.upgraders]}  # fmt: skip
    if version is not None and program.version != version:
        entry["stale"] = f"its version {program.version} is not the archive's {version}"
    if with_text:
        entry["text"] = describe(program)
    return entry


def _walk(block):
    for op in block.ops:
        yield op
        for inner in op.blocks:
            yield from _walk(inner)


def _code_texts(reader: ZipReader) -> dict:
    """Record name -> text of each code file, in record order."""
    texts = {}
    for name in reader.names():
        if name.startswith("code/") and name.endswith(".py"):
            texts[name] = reader.read(name).decode("utf-8", "replace")
    return texts


def _prefixes(texts: dict) -> dict:
    """The code files by qualified-name prefix (``code/__torch__/m.py`` is ``__torch__.m``)."""
    return {name[5:-3].replace("/", "."): text for name, text in texts.items()}


def _code(path: str, text: str, with_text: bool) -> dict:
    entry = {"file": path, "lines": len(text.splitlines()), "bytes": len(text.encode())}
    if with_text:
        entry["text"] = text
    return entry


# -- legacy checkpoints ----------------------------------------------------------------------


def _legacy(source) -> dict:
    report = _report("checkpoint", "legacy", {
        "name": "unknown",
        "evidence": "the legacy format carries no mark of its writer (torch and ember write "
        "the same bytes, storage keys aside, which are memory addresses)",
    })  # fmt: skip
    obj = _peek(report, source, None, legacy=True)
    _entries(report, obj, Storages())
    report["code"] = []
    return report
