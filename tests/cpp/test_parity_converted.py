"""Issue 12's parity on archives ember did not write with the record: torch 2.13's scripted
and traced twins of the corpora, and the old-version fixtures of tests/fixtures/upgraders,
each given its program by `ember convert`, run in the C++ runtime (in-process and through
`ember-run`) with the results of ember's Python runtime on the same converted file. The old
fixtures keep their version, so the C++ runtime binds their old operators to the upgraders
that version needs."""

import pytest
from tests.archives.test_archives_torch import _TWIN_CASES
from tests.archives.twins import to_torch_values, twin
from tests.cpp.parity import (
    assert_parity,
    assert_run_parity,
    in_cpp,
    in_ember_run,
    in_python,
    plain,
)
from tests.upgraders.test_upgraders_fixtures import FILES, INPUTS, REFUSED, _family, _to_ember

import ember
from ember.jit.converting import convert_archive
from tracer import test_tracer_corpus as tracer_corpus

pytestmark = pytest.mark.filterwarnings("ignore")


def _converted(torch, module, tmp_path):
    written, converted = tmp_path / "torch.pt", tmp_path / "converted.pt"
    torch.jit.save(module, str(written))
    convert_archive(written, converted)
    return converted


def _same_or_both_refuse(path, args):
    try:
        want = in_python(path, args)
    except Exception:  # noqa: BLE001 - then the C++ runtime must refuse the call too
        with pytest.raises(ember.EmberError):
            in_cpp(path, args)
        return
    assert_parity(in_cpp(path, args), want)


@pytest.mark.parametrize("corpus_file, index", [c[:2] for c in _TWIN_CASES],
                         ids=[c[2] for c in _TWIN_CASES])  # fmt: skip
def test_torch_scripted_corpus_runs_in_cpp(torch, tmp_path, corpus_file, index):
    path = _converted(torch, torch.jit.script(twin(corpus_file).CASES[index][1]()), tmp_path)
    _same_or_both_refuse(path, corpus_file.CASES[index][2]())


@pytest.mark.parametrize("name", sorted(tracer_corpus.CORPUS))
def test_torch_traced_corpus_runs_in_cpp(torch, tmp_path, name):
    make, inputs = twin(tracer_corpus).CORPUS[name][0], tracer_corpus.CORPUS[name][1]
    traced = torch.jit.trace(make(), to_torch_values(inputs(2)), strict=name != "module_dict",
                             check_trace=False)  # fmt: skip
    path = _converted(torch, traced, tmp_path)
    args = inputs(5)
    assert_parity(in_cpp(path, args), in_python(path, args))
    if plain(args):
        assert_run_parity(in_ember_run(path, args, tmp_path), in_python(path, args))


_FIXTURES = [p for p in FILES if p.stem not in REFUSED]


@pytest.mark.parametrize("fixture", _FIXTURES, ids=[p.stem for p in _FIXTURES])
def test_old_version_fixtures_run_in_cpp(torch, tmp_path, fixture):
    path = tmp_path / fixture.name
    convert_archive(fixture, path)
    for args in INPUTS[_family(fixture)](torch):
        _same_or_both_refuse(path, [_to_ember(a) for a in args])


@pytest.mark.parametrize("fixture", sorted(p for p in FILES if p.stem in REFUSED),
                         ids=sorted(p.stem for p in FILES if p.stem in REFUSED))  # fmt: skip
def test_refused_fixtures_are_refused_by_convert(tmp_path, fixture):
    with pytest.raises(ember.EmberError):
        convert_archive(fixture, tmp_path / fixture.name)


def test_torch_traced_tensor_literal_runs_in_cpp(torch, tmp_path):
    """torch's tracer records `torch.tensor([...])` as torch.to(CONSTANTS.c0,
    torch.device("cpu"), 6): aten::to.device, in both runtimes."""

    class Literal(torch.nn.Module):
        def forward(self, x):
            return x * torch.tensor([1.0, 2.0, 3.0]) + torch.tensor(2, dtype=torch.int32)

    path = _converted(torch, torch.jit.trace(Literal(), torch.ones(3)), tmp_path)
    args = [ember.tensor([0.5, -1.0, 4.0])]
    want = in_python(path, args)
    assert want.tolist() == [2.5, 0.0, 14.0]
    assert_parity(in_cpp(path, args), want)
    assert_run_parity(in_ember_run(path, args, tmp_path), want)
