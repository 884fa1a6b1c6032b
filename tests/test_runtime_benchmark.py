"""benchmarks/runtime.py's own code: the corpus rows and their token inputs, and on the small
MLP the case's files, one round of TorchScript and ember.cpp from Python, and the table and
JSON it reports.

The C++ programs and onnxruntime are not run here (they need libtorch's build and the bench
extra); their cells must then say so rather than hold a time.
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import runtime_cases  # noqa: E402
import runtime_report  # noqa: E402
from runtime_timing import CaseTimer, plan  # noqa: E402


def test_inputs_follow_the_cpp_patterns():
    ids, x, n = runtime_cases.inputs(["i64:2x3", "f32:1x4", "int:7"])
    assert ids.dtype == np.int64 and ids.tolist() == [[0, 37, 74], [111, 148, 185]]
    assert x.dtype == np.float32 and np.allclose(x, [[-1.0, -0.63, -0.26, 0.11]])
    assert n == 7


def test_plan_keeps_rounds_within_budget():
    assert plan(1e-6, rounds=15) == (500, 15)
    assert plan(0.5, rounds=15) == (1, 5)


def test_every_corpus_model_is_a_case_at_batch_1():
    cases = runtime_cases.select(["corpus"])
    assert len(cases) == 17 and all(c.target.ratio == 1.0 for c in cases)
    specs = {c.key: c.specs for c in cases}
    assert specs["lstm_tagger"] == ("i64:1x12",) and specs["resnet18"] == ("f32:1x3x64x64",)


def test_a_case_runs_and_reports(tmp_path):
    (case,) = runtime_cases.select(["mlp64"])
    files = runtime_cases.prepare(case, torch, tmp_path / case.key)
    written = Path(files["torch"]).stat().st_mtime_ns
    assert runtime_cases.prepare(case, torch, tmp_path / case.key) == files  # torch's file kept
    assert Path(files["torch"]).stat().st_mtime_ns == written
    timer = CaseTimer(case, files, 1, {}, rounds=1,
                      implementations=("torchscript_python", "ember_python"))  # fmt: skip
    measured = timer.run()
    assert measured["torchscript_python"] > 0 and measured["ember_python"] > 0
    assert measured["ember_cpp"] == measured["onnxruntime"] == "not run"

    row = runtime_report.record(case, 1, measured)
    assert row["median_us"]["ember_cpp"] is None and row["notes"]["ember_cpp"] == "not run"
    assert isinstance(row["target_met"]["python"], bool) and row["target_met"]["cpp"] is None
    text = runtime_report.table([row])
    assert "1 thread, µs per forward" in text and "| MLP 64 ×4, batch 1 |" in text
    runtime_report.write(tmp_path / "runtime.json", {"command": "x"}, [row], text)
    saved = json.loads((tmp_path / "runtime.json").read_text())
    assert saved["rows"][0]["case"] == "mlp64"
    assert (tmp_path / "runtime.md").read_text() == text
