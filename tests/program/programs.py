"""Helpers for the program record tests: an archive's program, its records, and checks.

`archive_program(data)` reads ``program.fb`` and the record sizes of an archive's bytes;
`assert_valid` runs `check_program` (every index, register, operator and storage);
`tensor_at` rebuilds the tensor a `TensorRef` names from the archive's record bytes, and
`object_tensors` walks the program's object tree to each tensor slot by dotted path, so
tests can compare them with the module's `state_dict`.
"""

import io
import zipfile

import numpy as np

import ember
from ember.dtypes import from_scalar_type
from ember.serializer.program import check_program, model, read_program


class Archive:
    """An archive's records (name under the folder -> bytes) and its program."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            self.prefix = infos[0].filename.split("/", 1)[0]
            self.records = {i.filename.split("/", 1)[1]: z.read(i) for i in infos}
            self.offsets = {i.filename.split("/", 1)[1]: _data_offset(data, i) for i in infos}
            self.methods = {i.filename.split("/", 1)[1]: i.compress_type for i in infos}
        self.program = read_program(self.records["program.fb"])

    @property
    def version(self) -> int:
        """The ``version`` record (``.data/version`` from version 6 on)."""
        return int(self.records.get(".data/version", self.records.get("version")))

    @property
    def sizes(self) -> dict:
        return {name: len(value) for name, value in self.records.items()}


def _data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where the record's bytes start in the file (after its local header)."""
    start = info.header_offset
    name_len = int.from_bytes(data[start + 26 : start + 28], "little")
    extra_len = int.from_bytes(data[start + 28 : start + 30], "little")
    return start + 30 + name_len + extra_len


def saved(module) -> bytes:
    buf = io.BytesIO()
    ember.jit.save(module, buf)
    return buf.getvalue()


def assert_valid(archive: Archive) -> model.Program:
    problems = check_program(archive.program, archive.sizes, archive.version)
    assert problems == [], "\n".join(problems)
    return archive.program


def tensor_at(archive: Archive, ref: model.TensorRef) -> np.ndarray:
    storage = archive.program.storages[ref.storage]
    dt = from_scalar_type(storage.dtype)
    flat = np.frombuffer(archive.records[storage.record], dtype=dt.np)[: storage.numel]
    itemsize = flat.itemsize
    view = np.lib.stride_tricks.as_strided(
        flat[ref.offset :], ref.sizes, [s * itemsize for s in ref.strides]
    )
    return view.copy()


def object_tensors(archive: Archive) -> dict:
    """Dotted attribute path -> tensor (numpy), over the program's object tree from the root."""
    p = archive.program
    out = {}

    def walk(index, prefix):
        obj = p.objects[index]
        cls = p.classes[obj.class_index]
        for name, slot in zip(cls.attributes, obj.slots):
            c = p.constants[slot]
            kind = model.KINDS[c.kind]
            if kind == "Tensor":
                out[prefix + name] = tensor_at(archive, c.tensor)
            elif kind == "Object":
                walk(c.object, f"{prefix}{name}.")

    walk(p.root, "")
    return out


def operators(program: model.Program) -> set:
    return {o.qualified_name for o in program.operators}


def walk_ops(block: model.Block):
    for op in block.ops:
        yield op
        for b in op.blocks:
            yield from walk_ops(b)
