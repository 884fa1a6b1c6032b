"""Issue 12's parity on the corpora: every archive of the scripting and tracing corpora runs
in the C++ runtime (in-process through `ember.cpp`, and as a fresh `ember-run` process) with
the results of ember's Python runtime on the same archive."""

import pytest
from tests.corpus import CASES
from tests.cpp.parity import (
    assert_parity,
    assert_run_parity,
    carries,
    flatten,
    in_cpp,
    in_ember_run,
    in_python,
    plain,
)

import ember
from tracer.test_tracer_corpus import CORPUS


def _scripted_archive(tmp_path, make):
    path = tmp_path / "scripted.pt"
    ember.jit.save(ember.jit.script(make()), str(path))
    return path


@pytest.mark.parametrize("make, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scripted_corpus_runs_in_cpp(tmp_path, make, inputs):
    path = _scripted_archive(tmp_path, make)
    args = inputs()
    assert_parity(in_cpp(path, args), in_python(path, args))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_traced_corpus_runs_in_cpp(tmp_path, name):
    make, inputs = CORPUS[name]
    path = tmp_path / "traced.pt"
    ember.jit.save(ember.jit.trace(make(), inputs(2), strict=name != "module_dict"), str(path))
    args = inputs(5)  # another batch size: the trace recorded sizes as ops
    assert_parity(in_cpp(path, args), in_python(path, args))


# Cases whose results hold strings, which an .npz file cannot carry (checked below).
STRING_RESULTS = {"syntax_corners", "fstring_describe", "comprehensions_literals"}
_RUNNABLE = [c for c in CASES if plain(c[2]()) and c[0] not in STRING_RESULTS]
_RUNNABLE_TRACES = sorted(name for name, (_, inputs) in CORPUS.items() if plain(inputs(2)))


@pytest.mark.parametrize("make, inputs", [c[1:] for c in _RUNNABLE], ids=[c[0] for c in _RUNNABLE])
def test_scripted_corpus_runs_in_ember_run(tmp_path, make, inputs):
    path = _scripted_archive(tmp_path, make)
    args = inputs()
    want = in_python(path, args)
    assert carries(flatten(want)), f"list this case in STRING_RESULTS: {want!r}"
    assert_run_parity(in_ember_run(path, args, tmp_path), want)


@pytest.mark.parametrize("name", _RUNNABLE_TRACES)
def test_traced_corpus_runs_in_ember_run(tmp_path, name):
    make, inputs = CORPUS[name]
    path = tmp_path / "traced.pt"
    ember.jit.save(ember.jit.trace(make(), inputs(2), strict=name != "module_dict"), str(path))
    args = inputs(5)
    assert_run_parity(in_ember_run(path, args, tmp_path), in_python(path, args))


@pytest.mark.parametrize("name", sorted(STRING_RESULTS))
def test_string_results_are_why_cases_skip_ember_run(name):
    make, inputs = next(c[1:] for c in CASES if c[0] == name)
    assert not carries(flatten(ember.jit.script(make())(*inputs())))
