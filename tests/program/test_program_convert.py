"""`ember convert IN OUT` and `convert_archive`: archives torch 2.13 wrote, and ember archives
without the record, gain a valid program record; every other record keeps its bytes, its
compression and its place; torch and ember still load the result with the same results;
refusals leave OUT alone."""

import io
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from tests.archives.test_archives_torch import TORCH_REFUSES
from tests.archives.twins import assert_same_values, clone, saved, to_torch_values, twin
from tests.corpus import models, modules
from tests.program.programs import Archive, assert_valid, object_tensors

import ember
from ember.cli import main
from ember.cli.writer import writer_of
from ember.jit.converting import convert_archive
from ember.serializer.zipreader import ZipReader
from tracer import test_tracer_corpus as tracer_corpus

pytestmark = pytest.mark.filterwarnings("ignore")

_TORCH_CASES = [
    (f, i, c[0]) for f in (modules, models) for i, c in enumerate(f.CASES)
    if c[0] not in TORCH_REFUSES
]  # fmt: skip


def _records(data: bytes) -> list:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, i.compress_type, z.read(i)) for i in z.infolist()]


def _converted(data: bytes) -> bytes:
    out = io.BytesIO()
    convert_archive(io.BytesIO(data), out)
    return out.getvalue()


def _assert_only_the_program_was_added(before: bytes, after: bytes) -> None:
    old, new = _records(before), _records(after)
    prefix = old[0][0].split("/", 1)[0]
    assert [r for r in new if r[0] != f"{prefix}/program.fb"] == [
        r for r in old if r[0] != f"{prefix}/program.fb"
    ]
    names = [r[0].split("/", 1)[1] for r in new]
    assert names[-1] == "program.fb"


@pytest.mark.parametrize("corpus_file, index", [c[:2] for c in _TORCH_CASES],
                         ids=[c[2] for c in _TORCH_CASES])  # fmt: skip
def test_torch_scripted_archives(torch, corpus_file, index):
    module = twin(corpus_file).CASES[index][1]()
    data = saved(torch, torch.jit.script(module))
    after = _converted(data)
    _assert_only_the_program_was_added(data, after)
    assert writer_of(ZipReader(after))["name"] == "torch"  # its serialization id still holds
    archive = Archive(after)
    assert_valid(archive)
    for name, value in module.state_dict().items():
        np.testing.assert_array_equal(object_tensors(archive)[name], value.numpy())
    args = corpus_file.CASES[index][2]()
    want = torch.jit.load(io.BytesIO(data))(*to_torch_values(clone(args)))
    assert_same_values(ember.jit.load(io.BytesIO(after))(*clone(args)), want)
    theirs = torch.jit.load(io.BytesIO(after))(*to_torch_values(clone(args)))
    assert_same_values(ember.jit.load(io.BytesIO(after))(*clone(args)), theirs)
    resaved = Archive(saved(ember, ember.jit.load(io.BytesIO(data))))  # loaded, then saved
    assert_valid(resaved)
    assert [m.name for m in resaved.program.methods] == [m.name for m in archive.program.methods]


@pytest.mark.parametrize("name", sorted(tracer_corpus.CORPUS)[:8])
def test_torch_traced_archives(torch, name):
    make = twin(tracer_corpus).CORPUS[name][0]
    inputs = tracer_corpus.CORPUS[name][1]
    traced = torch.jit.trace(make(), to_torch_values(inputs(2)), strict=name != "module_dict",
                             check_trace=False)  # fmt: skip
    data = saved(torch, traced)
    after = _converted(data)
    _assert_only_the_program_was_added(data, after)
    assert_valid(Archive(after))


def test_an_ember_archive_without_the_record(tmp_path):
    scripted = ember.jit.script(ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.ReLU()))
    full = saved(ember, scripted)
    old = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(full)) as src, zipfile.ZipFile(old, "w") as dst:
        for info in src.infolist():
            if not info.filename.endswith("/program.fb"):
                dst.writestr(info, src.read(info))
    path = tmp_path / "old.pt"
    path.write_bytes(old.getvalue())
    report = convert_archive(path, path)  # in place
    assert (report.version, report.methods, report.replaced) == (3, ["forward"], False)
    after = Archive(path.read_bytes())
    assert_valid(after)
    assert after.prefix == "archive"  # the records keep their folder
    assert after.program.functions[0].num_registers > 0
    again = convert_archive(path, io.BytesIO())
    assert again.replaced


def test_cli_convert(tmp_path, capsys, torch):
    src, dst = tmp_path / "torch.pt", tmp_path / "out.pt"
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 3)), src)
    assert main(["convert", str(src), str(dst)]) == 0
    assert capsys.readouterr().out == (f"{src} -> {dst}: program.fb added (version 3, 1 method)\n")
    assert_valid(Archive(dst.read_bytes()))


def test_refusals_exit_2_and_leave_out_alone(tmp_path):
    out = tmp_path / "out.pt"
    out.write_bytes(b"precious")
    checkpoint = tmp_path / "weights.pt"
    ember.save({"w": ember.zeros(2)}, checkpoint)
    for src, message in [
        (tmp_path / "missing.pt", "no such file"),
        (out, "not a zip archive"),
        (checkpoint, "not a TorchScript archive"),
    ]:
        result = subprocess.run([sys.executable, "-m", "ember.cli", "convert", str(src), str(out)],
                                capture_output=True, text=True)  # fmt: skip
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith(f"ember convert: {src}: ") and message in result.stderr
        assert "Traceback" not in result.stderr
        assert out.read_bytes() == b"precious"
