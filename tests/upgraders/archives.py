"""Compiling an archive's code the way the loader does, without the loader: the `code/`
files through `CodeUnit`, every method of the archive's module class, then the upgraders at
the archive's version."""

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ember.compiler.modules.archive import CodeUnit
from ember.runtime import compile_graph
from ember.upgraders import upgrade

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upgraders"


@dataclass
class Compiled:
    unit: CodeUnit
    forward: object  # the generated Python function of forward's graph
    version: int
    rewritten: int


def read_archive(path: Path) -> tuple[dict, int]:
    """(code file text by qualified-name prefix, the version record's number)."""
    with zipfile.ZipFile(path) as z:
        code, version = {}, None
        for name in z.namelist():
            inner = name.split("/", 1)[1]
            if inner.startswith("code/") and inner.endswith(".py"):
                code[inner[5:-3].replace("/", ".")] = z.read(name).decode()
            elif inner in ("version", ".data/version"):
                version = int(z.read(name))
    return code, version


def compile_archive(path: Path, upgraded: bool = True) -> Compiled:
    """The module class of the archive at `path`, compiled (and upgraded) by ember."""
    code, version = read_archive(path)
    (name,) = re.findall(r"^class (\w+)\(Module\):", code["__torch__"], re.M)
    unit = CodeUnit(code.get)
    info = unit.class_info(f"__torch__.{name}")
    for method in info.methods:
        unit.compiler.method(info, method)
    rewritten = upgrade(unit.compiler.unit, version) if upgraded else 0
    forward = info.class_type.methods["forward"]
    return Compiled(unit, compile_graph(forward.graph, unit.compiler.unit), version, rewritten)
