"""The program record: an archive's compiled code for the C++ runtime (``program.fb``).

`ember.jit.save` adds the record ``<folder>/program.fb`` to every archive (`ember convert`
adds it to archives that lack one). It is a flatbuffer of ``cpp_loader/schema/program.fbs``,
the one schema the Python writer and the C++ runtime share: each method of the root module
as one structured block tree over numbered registers (calls inlined), the operators it
calls by name and overload, its constants, the module object tree, and tensors as
references into the archive's ``data/N`` and ``constants/N`` records (the bytes stay there,
64-byte aligned, and the runtime maps them). docs/program.md describes the layout and the
execution model.

- `model`: the tables as Python dataclasses; `encode` / `read_program` convert them.
- `writer.build_program` / `program_bytes`: the program of a compiled module tree.
- `describe`: a program as text; `check_program`: its invariants, for tests and tools.

Example:
    >>> import io, zipfile, ember
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    >>> program = read_program(zipfile.ZipFile(buf).read("archive/program.fb"))
    >>> [s.record for s in program.storages]
    ['data/0', 'data/1']
"""

from ember.serializer.program.check import check_program
from ember.serializer.program.describe import describe
from ember.serializer.program.model import Program
from ember.serializer.program.reader import read_program
from ember.serializer.program.writer import RECORD, StorageIndex, build_program, program_bytes

__all__ = [
    "Program",
    "RECORD",
    "StorageIndex",
    "build_program",
    "program_bytes",
    "read_program",
    "describe",
    "check_program",
]
