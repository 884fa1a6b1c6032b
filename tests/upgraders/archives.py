"""Compiling an archive's code the way the loader does, without the loader: the `code/`
files through `CodeUnit`, every method of the archive's module class, then the upgraders at
the archive's version."""

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ember.compiler.modules.archive import CodeUnit
from ember.ir import code_files
from ember.runtime import compile_graph
from ember.upgraders import upgrade

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upgraders"


@dataclass
class Compiled:
    unit: CodeUnit
    class_type: object
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
    run = compile_graph(forward.graph, unit.compiler.unit)
    return Compiled(unit, info.class_type, run, version, rewritten)


def with_code(path: Path, compiled: Compiled, version: int) -> bytes:
    """The archive at `path` with the code printed from `compiled` (its upgraded graphs) and
    the version record saying `version`: what ``ember upgrade OLD NEW`` will write."""
    files = code_files(compiled.unit.compiler.unit, compiled.class_type)
    src, out = zipfile.ZipFile(path), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            folder, inner = name.split("/", 1)
            if inner.startswith("code/") or inner in ("version", ".data/version"):
                continue
            dst.writestr(name, src.read(name))
        for prefix, text in files.items():
            dst.writestr(f"{folder}/code/{prefix.replace('.', '/')}.py", text)
        dst.writestr(f"{folder}/.data/version", f"{version}\n")
    return out.getvalue()
