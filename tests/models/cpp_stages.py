"""Issue 12's stages of the real-model corpus: each model's archives run in the C++ runtime.

ember's scripted and traced archives, and torch's scripted and traced archives given their
program by `ember convert`, run through `ember.cpp` and through the `ember-run` command; both
must give what ember's Python runtime gives on the same archive (floats within 1e-5 relative,
the rule of `tests.cpp.parity`). They reuse the files of the stages in `stages.py`.
"""

from tests.cpp.parity import assert_parity, assert_run_parity, in_cpp, in_ember_run, in_python
from tests.models.stages import ModelRun

import ember
from ember.jit.converting import convert_archive

CPP_STAGES = ("cpp_ember_script", "cpp_ember_trace", "cpp_torch_script", "cpp_torch_trace")


def check_cpp_stage(run: ModelRun, stage: str) -> None:
    """Assert the C++ runtime's results on `stage`'s archive equal the Python runtime's."""
    path = _archive(run, stage)
    args = (run.engine.tensor(run.ref.x),)
    with ember.no_grad():
        want = in_python(path, args)
    assert_parity(in_cpp(path, args), want, f"{run.ref.name} {stage}")
    folder = run.ref.folder / stage
    folder.mkdir(exist_ok=True)
    assert_run_parity(in_ember_run(path, args, folder), want, f"{run.ref.name} {stage} ember-run")


def _archive(run: ModelRun, stage: str):
    source, kind = stage.split("_")[1:]
    if source == "ember":
        compiled = run.scripted() if kind == "script" else run.traced()
        return run.memo.get(stage, lambda: _saved(run, compiled, f"{stage}.pt"))
    written = run.ref.script_archive() if kind == "script" else run.ref.trace_archive()
    return run.memo.get(stage, lambda: _converted(written, run.ref.folder / f"{stage}.pt"))


def _saved(run: ModelRun, compiled, filename: str):
    path = run.ref.folder / filename
    ember.jit.save(compiled, str(path))
    return path


def _converted(written, path):
    convert_archive(written, path)
    return path
