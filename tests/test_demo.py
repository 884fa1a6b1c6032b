"""`make demo` runs examples/demo.py: it must finish, and the archive it saves must give back
what the scripted module gave, in the Python runtime and in the C++ one."""

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.py"


def _sections(out: str) -> dict:
    sections = {}
    for chunk in out.split("--- ")[1:]:
        title, _, body = chunk.partition("\n")
        sections[title] = body.strip()
    return sections


def test_demo_runs_and_the_loaded_archive_agrees():
    run = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    sections = _sections(run.stdout)
    assert sections["loaded archive, forward"] == sections["scripted forward"]
    assert sections["C++ runtime (ember.cpp), forward"] == sections["scripted forward"]
    assert sections["C++ runtime (ember.cpp), 2-D input"] == "tensor(0)"
    assert "my_module/data.pkl" in sections["archive records"].splitlines()
