"""Issue 12's stages of the real-model corpus: each model's archives run in the C++ runtime.

ember's scripted and traced archives, and torch's scripted and traced archives given their
program by `ember convert`, run through `ember.cpp` and through the `ember-run` command; both
must give what ember's Python runtime gives on the same archive (floats within 1e-5 relative,
the rule of `tests.cpp.parity`). They reuse the files of the stages in `stages.py`.

Four deep models are held to 1e-4 of their logits' scale instead (`LOOSER`): the C++ runtime
folds batch norms into convolutions and sums in other orders, and over 50+ float32 layers that
moves logits by 2e-5 to 4e-5 of their scale — as much as torch's own float32 logits drift from
float64 on these models (why their heads are scaled down, see registry.py).
"""

from tests.cpp.parity import assert_parity, assert_run_parity, in_cpp, in_ember_run, in_python
from tests.models.stages import ModelRun

import ember
from ember.jit.converting import convert_archive

LOOSER = {"resnet50": 1e-4, "shufflenet_v2_x0_5": 1e-4, "googlenet": 1e-4, "regnet_y_400mf": 1e-4}
CPP_STAGES = ("cpp_ember_script", "cpp_ember_trace", "cpp_torch_script", "cpp_torch_trace")


def check_cpp_stage(run: ModelRun, stage: str) -> None:
    """Assert the C++ runtime's results on `stage`'s archive equal the Python runtime's."""
    path = _archive(run, stage)
    args = (run.engine.tensor(run.ref.x),)
    with ember.no_grad():
        want = in_python(path, args)
    rtol = LOOSER.get(run.ref.name, 1e-5)
    assert_parity(in_cpp(path, args), want, f"{run.ref.name} {stage}", rtol)
    folder = run.ref.folder / stage
    folder.mkdir(exist_ok=True)
    arrays = in_ember_run(path, args, folder)
    assert_run_parity(arrays, want, f"{run.ref.name} {stage} ember-run", rtol)


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
