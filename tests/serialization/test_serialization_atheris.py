"""The coverage-guided fuzzer (tools/fuzz/): its rule catches what it should, and a short run
from the real seeds (fixed seed, bounded inputs) finds nothing. `make fuzz SECONDS=N` runs
longer; docs/serialization.md has the figures of a long run.
"""

import io
import os
import subprocess
import sys
import time

import pytest

import ember
from ember.errors import SerializationError

TOOLS = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "fuzz")
sys.path.insert(0, TOOLS)

import targets  # noqa: E402


def _checkpoint() -> bytes:
    buf = io.BytesIO()
    ember.save({"w": ember.zeros(2, 3), "n": 3}, buf)
    return buf.getvalue()


def test_valid_and_damaged_files_pass_the_rule(tmp_path):
    good = targets.check_input(_checkpoint(), str(tmp_path / "input.pt"))
    assert good["load"] == good["load_mmap"] == good["inspect"] == good["check"] == "ok"
    assert good["jit_load"] == "SerializationError"  # a checkpoint is not an archive
    bad = targets.check_input(_checkpoint()[:100], str(tmp_path / "input.pt"))
    assert set(bad.values()) == {"SerializationError"}


@pytest.mark.parametrize(
    "error, signature",
    [
        (KeyError("x"), "load-KeyError-"),
        (SerializationError("bad: RecursionError: deep"), "load-wrapped-RecursionError-"),
    ],
)
def test_raw_and_wrapped_errors_are_findings(tmp_path, monkeypatch, error, signature):
    def load(data, path):
        raise error

    monkeypatch.setitem(targets.TARGETS, "load", load)
    with pytest.raises(targets.Finding) as info:
        targets.check_input(b"PK", str(tmp_path / "input.pt"))
    assert info.value.signature.startswith(signature)


def test_slow_and_memory_hungry_inputs_are_findings(tmp_path, monkeypatch):
    def spin(data, path):
        end = time.process_time() + 0.05
        while time.process_time() < end:
            pass

    monkeypatch.setitem(targets.TARGETS, "check", spin)
    monkeypatch.setattr(targets, "SECONDS", 0.02)
    with pytest.raises(targets.Finding, match="slow: .* check 0.0"):
        targets.check_input(b"x", str(tmp_path / "input.pt"))
    monkeypatch.setattr(targets, "SECONDS", 1.0)

    peaks = iter([150.0, 400.0, 400.0])  # RSS 100 MB at the start; this input's peak 400
    monkeypatch.setattr(targets, "_current_mb", lambda: 100.0)
    monkeypatch.setattr(targets, "_peak_mb", lambda: next(peaks))
    with pytest.raises(targets.Finding, match="memory: peak 300 MB"):
        targets.check_input(b"x", str(tmp_path / "input.pt"))


def test_a_short_fuzzing_run_finds_nothing(tmp_path):
    """About 30 s: the seeds from all four writers, then libFuzzer's mutations (-seed=1)."""
    findings = tmp_path / "findings"
    done = subprocess.run(
        [
            sys.executable,
            os.path.join(TOOLS, "run.py"),
            "--seconds",
            "30",
            "--runs",
            "3000",
            "--seed",
            "1",
            "--corpus",
            str(tmp_path / "corpus"),
            "--findings",
            str(findings),
            "--collect",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = {p.name: p.read_text()[:2000] for p in findings.glob("*.txt")}
    assert done.returncode == 0 and not found, (done.stdout[-4000:], found)
    assert "'executions'" in done.stdout
