"""What a full-pickle load of a file would import or call that ember's safe loaders refuse;
nothing in the file runs.

Every pickle in the file is followed opcode by opcode with `ember.serializer.symbolic` (a
stack and memo as the unpickler keeps them, so no decoy string or memo trick hides a global):
each ``.pkl`` record of a zip file (a checkpoint's ``data.pkl``; an archive's ``data.pkl``,
``constants.pkl`` ...), and all five pickles of a legacy file (the magic number, the protocol
version, sys_info, the object, the storage keys), each of which a full load unpickles; as
torch.load does, any file that is not a zip is read as a legacy one.

A global is allowed when the unpickler ember's loader reads the pickle with accepts it: its
own `find_class` decides (`WeightsUnpickler` for a checkpoint, `ScriptUnpickler` for an
archive), so the allowlist (`ember.serializer.allowlist` and PyTorch's names) is defined once.
Every other global is listed, and so is every call whose target the file does not name.

Example:
    >>> import fractions, io, pickle
    >>> from ember.serializer.zipformat import save_zip
    >>> buf = io.BytesIO()
    >>> save_zip([fractions.Fraction(1, 3)], buf, "archive")
    >>> unsafe_globals(buf.getvalue())
    ['fractions.Fraction']
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from ember.errors import SerializationError
from ember.serializer.legacy import Sequential, is_legacy
from ember.serializer.script_unpickler import ScriptUnpickler
from ember.serializer.source import open_source
from ember.serializer.symbolic import Import, Trace, trace_pickle
from ember.serializer.unpickler import WeightsUnpickler, canonical_module
from ember.serializer.zipreader import ZipReader

__all__ = ["Scan", "scan_file", "unsafe_globals", "pickle_budget", "PICKLE_BUDGET_TEXT"]

PICKLE_BUDGET_TEXT = "4x its size and 256 KiB"

LEGACY_PICKLES = ("the magic number", "the protocol version", "sys_info", "the object pickle",
                  "the storage key list")  # fmt: skip


@dataclass
class Scan:
    """What `scan_file` found: the file's `kind` (``checkpoint`` or ``archive``), the
    `pickles` it followed, the sorted `unsafe` globals and calls, and `damage`: why a pickle
    could not be followed to its end (a full load fails there, after what is listed)."""

    kind: str
    pickles: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)


def scan_file(f) -> Scan:
    """Follow every pickle in `f` (a path, bytes-like object or binary file); see the module
    docstring. A file that is neither a zip nor a legacy checkpoint raises `SerializationError`.

    >>> import pickle
    >>> class Payload:
    ...     def __reduce__(self):
    ...         return (print, ("pwned",))
    >>> from ember.serializer.zipformat import save_zip
    >>> buf = io.BytesIO()
    >>> save_zip({"x": Payload()}, buf, "archive")
    >>> scan = scan_file(buf.getvalue())
    >>> scan.kind, scan.pickles, scan.unsafe
    ('checkpoint', ['data.pkl'], ['builtins.print'])
    """
    source = open_source(f)
    try:
        head = source.read(0, min(32, source.size), "file header")
        if head.startswith(b"PK\x03\x04"):
            return _scan_zip(ZipReader(source))
        scan = _scan_legacy(Sequential(source))  # as torch.load reads any other file
        if is_legacy(head) or scan.unsafe:
            return scan
        raise SerializationError("not a checkpoint: neither a zip archive nor the legacy format")
    finally:
        source.close()


def unsafe_globals(f) -> list[str]:
    """`scan_file(f).unsafe`; a damaged pickle raises `SerializationError` unless something
    unsafe runs before the damage (then that is listed)."""
    scan = scan_file(f)
    if scan.damage and not scan.unsafe:
        raise SerializationError("; ".join(scan.damage))
    return scan.unsafe


def pickle_budget(file_size: int) -> int:
    """How many bytes of pickle the tools follow in a file of `file_size` bytes: a stored
    record is never larger than the file, but a few kilobytes of deflated EMPTY_SET opcodes
    inflate to megabytes, which take seconds to follow (and gigabytes to unpickle)."""
    return 4 * file_size + (256 << 10)


def _scan_zip(reader: ZipReader) -> Scan:
    kind = "archive" if reader.has("constants.pkl") else "checkpoint"
    scan = Scan(kind)
    names = [name for name in reader.names() if name.endswith(".pkl")]
    if kind == "checkpoint" and "data.pkl" not in names:
        raise SerializationError("a zip archive, but not a checkpoint: it has no data.pkl record")
    budget = pickle_budget(reader.source.size)
    for name in names:
        size = reader.record(name).usize
        if size <= budget:
            _add(scan, name, trace_pickle(reader.read(name)))
            continue
        trace = trace_pickle(reader.read(name)[:budget])
        trace.damage = (
            f"the record inflates to {size} bytes, more than is followed in a "
            f"{reader.source.size}-byte file ({PICKLE_BUDGET_TEXT}): its first {budget} bytes "
            "were followed"
        )
        _add(scan, name, trace)
    return scan


def _scan_legacy(cursor: Sequential) -> Scan:
    scan = Scan("checkpoint")
    for what in LEGACY_PICKLES:
        trace = trace_pickle(cursor)
        _add(scan, what, trace)
        if trace.damage:  # where the next pickle starts is unknown, as it is to torch.load
            break
    return scan


def _add(scan: Scan, what: str, trace: Trace) -> None:
    scan.pickles.append(what)
    allowed = _allowed_by(scan.kind, what)
    unsafe = set(scan.unsafe)
    for found in trace.found:
        if not isinstance(found, Import):
            unsafe.add(f"{found.what} ({found.opcode} at byte {found.pos} of {what})")
        elif not (allowed(found.module, found.name) and allowed(*found.loaded)):
            unsafe.add(_name(found))
    scan.unsafe = sorted(unsafe)
    if trace.damage:
        scan.damage.append(f"{what}: {trace.damage}")


def _name(found: Import) -> str:
    written = f"{canonical_module(found.module)}.{found.name}"
    loaded = ".".join(found.loaded)
    return written if loaded == written else f"{written} (a full load imports {loaded})"


def _allowed_by(kind: str, what: str):
    """`allowed(module, name)`: whether ember's unpickler for this pickle accepts the global."""
    empty = io.BytesIO(b"")
    if kind == "archive":
        unpickler = ScriptUnpickler(empty, None, what)
    else:
        unpickler = WeightsUnpickler(empty, None, what)

    def allowed(module: str, name: str) -> bool:
        try:
            unpickler.find_class(module, name)
        except SerializationError:
            return False
        return True

    return allowed
