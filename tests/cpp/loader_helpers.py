"""Helpers for the C++ loader tests: archives as bytes, their program record edited, rebuilt
with the records stored and aligned as ember writes them, and loaded by `ember.cpp`."""

import io
import zipfile

import numpy as np

import ember
import ember.cpp
from ember.serializer.program import model, read_program
from ember.serializer.program.encode import encode
from ember.serializer.zipwriter import ZipWriter

K = {name: i for i, name in enumerate(model.KINDS)}


def saved(module) -> bytes:
    """`module` scripted and saved by ember.jit.save."""
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(module), buf)
    return buf.getvalue()


def records(data: bytes) -> tuple[str, dict[str, bytes]]:
    """The archive's folder and its records (name under the folder -> bytes), in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        prefix = infos[0].filename.split("/", 1)[0]
        return prefix, {i.filename.split("/", 1)[1]: z.read(i) for i in infos}


def archive(prefix: str, recs: dict[str, bytes]) -> bytes:
    """An archive of `recs`, stored and 64-byte aligned (ember's zip writer)."""
    buf = io.BytesIO()
    with ZipWriter(buf, prefix) as w:
        for name, payload in recs.items():
            w.write_record(name, payload)
    return buf.getvalue()


def program_of(data: bytes) -> model.Program:
    return read_program(records(data)[1]["program.fb"])


def with_program(data: bytes, edit) -> bytes:
    """The archive with its program record replaced by `edit(program)` (or the edited
    program when `edit` returns None)."""
    prefix, recs = records(data)
    program = read_program(recs["program.fb"])
    program = edit(program) or program
    recs["program.fb"] = encode(program)
    return archive(prefix, recs)


def load(data: bytes, tmp_path, name="m.pt", **options):
    path = tmp_path / name
    path.write_bytes(data)
    return ember.cpp.load(str(path), **options)


def operator(program: model.Program, qualified: str) -> int:
    """The index of `qualified` in the program's operators, added when missing."""
    for i, o in enumerate(program.operators):
        if o.qualified_name == qualified:
            return i
    name, _, overload = qualified.partition(".")
    program.operators.append(model.Operator(name, overload))
    return len(program.operators) - 1


def constant(program: model.Program, c: model.Constant) -> int:
    program.constants.append(c)
    return len(program.constants) - 1


def as_numpy(t) -> np.ndarray:
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)
