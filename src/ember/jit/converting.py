"""`ember convert IN OUT`: an archive given the program record the C++ runtime runs.

Archives `torch.jit.save` wrote, and ember archives older than the record, have no
``program.fb``. `convert_archive` compiles the archive's code as written (no upgraders
applied: `ember.jit.loading.compile_archive`), builds the program at the archive's own
version, its tensors pointing at the archive's own ``data/N`` and ``constants/N`` records
(`ember.serializer.program`), and writes a copy of the archive with the record added after
all the others. Every other record keeps its name, bytes, compression and place, the folder
name included, so the code, the pickles, the version record and ``.data/serialization_id``
(which names the records' writer) are what they were: an old archive stays old, its program
calls the old operators, and carries the upgrader bodies its version needs. An existing
``program.fb`` is replaced where it is.

Example: a version-3 archive whose ``a / b`` divided integer tensors truncating.
    >>> import io, ember
    >>> from pathlib import Path
    >>> old = Path(ember.__file__).parents[2] / "tests/fixtures/upgraders/div_v3.pt"
    >>> out = io.BytesIO()
    >>> report = convert_archive(old, out)
    >>> report.version, report.methods, report.upgraders, report.replaced
    (3, ['forward'], ['div_Tensor_0_3', 'div_Scalar_0_3'], False)
    >>> print(report.summary("div_v3.pt", "out.pt"))
    div_v3.pt -> out.pt: program.fb added (version 3, 1 method, upgraders div_Tensor_0_3, ...)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ember.jit.loading import _path_or_file, compile_archive
from ember.serializer.archive import ScriptArchive
from ember.serializer.atomic import write_atomic
from ember.serializer.program import RECORD, build_program
from ember.serializer.program.encode import encode
from ember.serializer.zipwriter import ZipWriter
from ember.upgraders import check_calls

__all__ = ["convert_archive", "ConvertReport"]


@dataclass(frozen=True)
class ConvertReport:
    """What `convert_archive` wrote: the archive's version, the program's methods and the
    upgraders it carries, and whether a program record was there before."""

    version: int
    methods: list
    upgraders: list
    replaced: bool

    def summary(self, src="IN", dst="OUT") -> str:
        """One line for a terminal."""
        n = len(self.methods)
        what = f"version {self.version}, {n} method{'' if n == 1 else 's'}"
        if self.upgraders:
            what += ", upgraders " + ", ".join(self.upgraders)
        verb = "replaced" if self.replaced else "added"
        return f"{src} -> {dst}: {RECORD} {verb} ({what})"


def convert_archive(src, dst) -> ConvertReport:
    """Write archive `src` to `dst` with a program record (see the module docstring).

    `src` and `dst` are paths or binary files; `dst` may be the path of `src` (it is replaced
    atomically). A damaged archive raises `ember.SerializationError`, one outside the versions
    ember reads or with a call its version could not have written `ember.VersionError`, code
    ember cannot compile `ember.CompileError`; `dst` is then left untouched.
    """
    archive = ScriptArchive(_path_or_file(src))
    try:
        program = _program(archive)
        reader = archive.reader
        names = reader.names()
        replaced_at = names.index(RECORD) if RECORD in names else None
        records = [
            (name, reader.read(name), reader.record(name).method != 0)
            for name in names
            if name != RECORD
        ]
        prefix = reader.prefix or "archive"
    finally:
        archive.close()
    data = encode(program)
    records = _with_program(records, data, replaced_at)

    def write(f, _name=None):
        with ZipWriter(f, prefix) as w:
            for name, value, compress in records:
                w.write_record(name, value, compress=compress)

    if isinstance(dst, str | os.PathLike):
        write_atomic(dst, write)
    elif hasattr(dst, "write"):
        write(dst)
    else:
        raise TypeError(f"convert_archive needs a path or a writable binary file, got {type(dst)}")
    methods = [m.name for m in program.methods]
    upgraders = [u.name for u in program.upgraders]
    return ConvertReport(archive.version, methods, upgraders, replaced_at is not None)


def _program(archive: ScriptArchive):
    code = compile_archive(archive)
    unit = code.compiler.unit
    check_calls(unit, archive.version)
    cls = code.class_info(archive.root.qualified_name).class_type
    return build_program(unit, cls, archive.root, archive.version, archive.storages)


def _with_program(records: list, data: bytes, replaced_at: int | None) -> list:
    """`records` with the program where the old one was, or else after all of them (the
    ``.data/serialization_id`` of the records before it stays their writer's)."""
    at = len(records) if replaced_at is None else replaced_at
    return records[:at] + [(RECORD, data, False)] + records[at:]
