"""The upgraders through the front door: `ember.jit.load` of the committed old archives gives
torch 2.13's results, and `upgrade_archive` (``ember upgrade OLD NEW``) rewrites them at the
current version so that neither reader needs an upgrader any more."""

import io
import zipfile

import pytest
from tests.upgraders import test_upgraders_fixtures as fx
from tests.upgraders.archives import FIXTURES

import ember
from ember.jit.loading import clear_cache, load_with_report
from ember.jit.upgrading import upgrade_archive

LOADED = [p for p in fx.FILES if p.stem not in fx.REFUSED]


def _forward(module):
    return lambda *args: module(*map(fx._to_ember, args))


def _version_record(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        (name,) = [n for n in z.namelist() if n.endswith(("/version", "/.data/version"))]
        return int(z.read(name))


@pytest.mark.parametrize("path", LOADED, ids=lambda p: p.stem)
def test_load_gives_what_the_compiled_fixture_gives(torch, path):
    module, report = load_with_report(path)
    assert report.version == fx._version(path)
    assert sum(report.upgraded.values()) == fx.REWRITTEN[path.stem]
    compiled = fx.compile_archive(path)
    for args in fx._inputs(torch, path):
        got, error = fx._run(_forward(module), args)
        want, want_error = fx._run(lambda *a: compiled.forward(None, *a), map(fx._to_ember, args))
        assert (error is None) == (want_error is None), (error, want_error)
        if error is None:
            assert repr(got) == repr(want)


@pytest.mark.parametrize("path", [p for p in LOADED if p.stem not in fx.NOT_TORCH],
                         ids=lambda p: p.stem)  # fmt: skip
def test_load_gives_torchs_results(torch, path):
    module, loaded = ember.jit.load(path), torch.jit.load(path)
    for args in fx._inputs(torch, path):
        want, torch_error = fx._run(loaded, [fx._clone(a) for a in args])
        got, ember_error = fx._run(_forward(module), args)
        assert (torch_error is None) == (ember_error is None), (torch_error, ember_error)
        if torch_error is None:
            fx._same(got, want)


def test_load_refuses_what_the_version_could_not_have_written():
    with pytest.raises(ember.VersionError, match=r"approximate=.tanh., an argument the operator"):
        ember.jit.load(FIXTURES / "gelu_tanh_v9.pt")


def test_same_code_at_another_version_is_compiled_apart():
    """div_v3 and div_v4 hold the same code: the compiled code shared between equal archives
    must not carry one version's meaning to the other."""
    clear_cache()
    a, b = ember.tensor([-7, 7]), ember.tensor([2, 2])
    results = [ember.jit.load(FIXTURES / f"div_v{v}.pt")(a, b, 2, 2.0)[0] for v in (4, 3, 4, 3)]
    assert [r.dtype for r in results] == [ember.float32, ember.int64] * 2
    assert repr(results[1]) == "tensor([-3,  3])"


@pytest.mark.parametrize("path", LOADED, ids=lambda p: p.stem)
def test_upgraded_archive_needs_no_upgrader(torch, path):
    out = io.BytesIO()
    report = upgrade_archive(path, out)
    data = out.getvalue()
    assert report.old_version == fx._version(path)
    assert sum(report.upgraded.values()) == fx.REWRITTEN[path.stem]
    assert report.new_version == _version_record(data) >= 4 if report.upgraded else True
    module, again = load_with_report(io.BytesIO(data))
    assert again.upgraded == {} and again.version == report.new_version
    old, loaded = ember.jit.load(path), torch.jit.load(io.BytesIO(data))
    for args in fx._inputs(torch, path):
        want, want_error = fx._run(_forward(old), args)
        got, error = fx._run(_forward(module), args)
        by_torch, torch_error = fx._run(loaded, [fx._clone(a) for a in args])
        assert (want_error is None) == (error is None) == (torch_error is None)
        if error is None:
            assert repr(got) == repr(want)
            fx._same(got, by_torch)


def test_upgrade_in_place_keeps_tensors_and_extra_files(tmp_path):
    class Scale(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.k = ember.nn.Parameter(ember.tensor([3, 4]), requires_grad=False)

        def forward(self, x):
            return x / self.k

    path = tmp_path / "m.pt"
    ember.jit.save(ember.jit.script(Scale()), path, _extra_files={"notes.txt": b"kept"})
    report = upgrade_archive(path, path)
    assert (report.old_version, report.new_version, report.upgraded) == (4, 4, {})
    extra = {"notes.txt": ""}
    module = ember.jit.load(path, _extra_files=extra)
    assert extra == {"notes.txt": b"kept"} and repr(module.k) == repr(Scale().k)


def test_refused_archive_leaves_the_destination_alone(tmp_path):
    new = tmp_path / "new.pt"
    new.write_bytes(b"precious")
    with pytest.raises(ember.VersionError):
        upgrade_archive(FIXTURES / "gelu_tanh_v9.pt", new)
    assert new.read_bytes() == b"precious"
