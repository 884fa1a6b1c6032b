"""`ember inspect` on TorchScript archives: torch's and ember's, the module tree with its
parameters, buffers and shared storages, constants, code files, versions and upgraders."""

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from tests.cli.inspecting import report, rows, run, section

import ember
from ember.serializer.zipwriter import ZipWriter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upgraders"


def _net(lib):
    """A module with a submodule, a parameter, and two buffers sharing one storage."""

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(3, 2)
            base = lib.arange(6.0)
            self.register_buffer("table", base)
            self.register_buffer("tail", base[2:])
            self.scale = lib.nn.Parameter(lib.ones(2))

        def forward(self, x):
            return self.fc(x) * self.scale + self.table[:2] + self.tail[:2]

    Net.__module__, Net.__qualname__ = "__main__", "Net"  # classes as a script defines them
    return Net()


def _saved(lib, tmp_path) -> Path:
    path = tmp_path / f"{lib.__name__}.pt"
    lib.jit.save(lib.jit.script(_net(lib)), path)
    return path


def test_an_ember_archive(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _saved(ember, Path("."))
    status, out, err = run(capsys, "inspect", "--no-records", "ember.pt")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "file       ember.pt",
        "kind       TorchScript archive (zip)",
        "writer     ember: .data/serialization_id is ember's hash of the records",
        "version    3",
        "upgraders  none apply: 12 cover version 3, none an operator the code calls",
        "byteorder  little",
        "",
        "modules: Net (__torch__.Net)",
        "├── scale         parameter  float32  [2]      8 B  storage 0",
        "├── table         buffer     float32  [6]     24 B  storage 1",
        "├── tail          buffer     float32  [4]     16 B  storage 1, offset 2",
        "├── training      bool       True",
        "└── fc            module     Linear (__torch__.torch.nn.modules.linear.Linear)",
        "    ├── weight    parameter  float32  [2, 3]  24 B  storage 2",
        "    ├── bias      parameter  float32  [2]      8 B  storage 3",
        "    └── training  bool       True",
        "",
        "storages   5 tensors in 4 storages, 64 B; shared:",
        "  storage 1 (data/1, 24 B): table, tail",
        "",
        "code       2 files, 32 lines",
        "  code/__torch__.py                          19 lines",
        "  code/__torch__/torch/nn/modules/linear.py  13 lines",
        "",
        "program    program.fb: 1 method (forward), 22 ops, 6 operators",
    ]


def _unmangled(report: dict) -> dict:
    """`report` without torch's ``___torch_mangle_N.`` (a class scripted again gets one)."""
    return json.loads(re.sub(r"[./]___torch_mangle_\d+", "", json.dumps(report)))


def test_torch_and_ember_archives_show_the_same_modules(tmp_path, capsys, torch):
    got = {
        lib.__name__: _unmangled(report(capsys, _saved(lib, tmp_path))) for lib in (torch, ember)
    }
    assert [got[n]["writer"]["name"] for n in got] == ["torch", "ember"]
    assert "torch's hash of the records' CRCs" in got["torch"]["writer"]["evidence"]
    modules = {n: rows(r["modules"]) for n, r in got.items()}
    del modules["torch"]["_is_full_backward_hook"], modules["torch"]["fc._is_full_backward_hook"]
    assert modules["torch"] == modules["ember"]
    tail = {"name": "tail", "kind": "buffer", "dtype": "float32", "shape": [4], "bytes": 16,
            "storage": 1, "offset": 2}  # fmt: skip
    assert modules["ember"]["tail"] == tail
    assert (
        got["torch"]["storages"]
        == got["ember"]["storages"]
        == [
            {"storage": 0, "record": "data/0", "bytes": 8, "tensors": ["scale"]},
            {"storage": 1, "record": "data/1", "bytes": 24, "tensors": ["table", "tail"]},
            {"storage": 2, "record": "data/2", "bytes": 24, "tensors": ["fc.weight"]},
            {"storage": 3, "record": "data/3", "bytes": 8, "tensors": ["fc.bias"]},
        ]
    )
    names = [[r["name"] for r in got[n]["records"]] for n in got]
    assert names[0] == [n for n in names[1] if n != "program.fb"]  # ember's adds the program
    assert all(r["offset"] % 64 == 0 for n in got for r in got[n]["records"])


def test_constants_extra_files_and_code_in_full(tmp_path, capsys):
    class Shift(ember.nn.Module):
        def forward(self, x):
            return x + ember.tensor([1.0, 2.0])

    Shift.__module__, Shift.__qualname__ = "__main__", "Shift"

    path = tmp_path / "shift.pt"
    traced = ember.jit.trace(Shift(), ember.ones(2))
    ember.jit.save(traced, path, _extra_files={"meta.json": '{"epoch": 3}'})
    got = report(capsys, path, "--code")
    assert got["constants"] == [{"name": "c0", "kind": "tensor", "dtype": "float32",
                                 "shape": [2], "bytes": 8, "storage": 0, "offset": 0}]  # fmt: skip
    assert got["storages"][0]["tensors"] == ["CONSTANTS.c0"]
    assert got["records"][0]["name"] == "extra/meta.json" and got["records"][0]["bytes"] == 12
    assert [c["file"] for c in got["code"]] == ["code/__torch__.py"]
    with zipfile.ZipFile(path) as z:
        assert got["code"][0]["text"] == z.read("shift/code/__torch__.py").decode()
    status, out, _ = run(capsys, "inspect", "--code", path)
    assert section(out, "constants") == [
        "constants: tuple, 1 item", "└── c0  tensor  float32  [2]  8 B  storage 0"]  # fmt: skip
    code = out[out.index("--- code/__torch__.py\n") :].splitlines()
    assert code[1] == "class Shift(Module):" and "CONSTANTS.c0" in "\n".join(code)
    _, plain, _ = run(capsys, "inspect", path)
    assert "--- code/" not in plain and "  code/__torch__.py  " in plain


_DIV = ["div_Tensor_0_3", "div_Scalar_0_3", "div_Tensor_mode_0_3", "div_Scalar_mode_0_3"]
_DIV_ = ["div__Tensor_0_3", "div__Scalar_0_3", "div__Tensor_mode_0_3", "div__Scalar_mode_0_3"]
_LATER = ["linspace_0_7", "logspace_0_8", "gelu_0_9"]
# file -> (the upgraders for operators its code calls, who wrote it: the files whose version
# record was rewritten (see fixtures/upgraders/README.md) no longer match torch's id)
_FIXTURES = {
    "all_v1.pt": (_DIV + ["full_0_4"] + _LATER, "unknown"),
    "all_v4.pt": (["full_0_4"] + _LATER, "unknown"),
    "all_v10.pt": ([], "torch"),
    "div_inplace_v3.pt": (_DIV_, "unknown"),
    "div_inplace_v4.pt": ([], "torch"),
    "div_v1.pt": (_DIV, "unknown"),
    "div_v3.pt": (_DIV, "unknown"),
    "div_v4.pt": ([], "torch"),
    "full_v4.pt": (["full_0_4"], "unknown"),
    "full_v5.pt": ([], "torch"),
    "function_v3.pt": (_DIV, "unknown"),
    "function_v4.pt": ([], "torch"),
    "gelu_tanh_v9.pt": (["gelu_0_9"], "unknown"),
    "gelu_tanh_v10.pt": ([], "torch"),
    "gelu_v9.pt": (["gelu_0_9"], "unknown"),
    "gelu_v10.pt": ([], "torch"),
    "linspace_v7.pt": (["linspace_0_7"], "unknown"),
    "linspace_v8.pt": ([], "torch"),
    "logspace_v8.pt": (["logspace_0_8"], "unknown"),
    "logspace_v9.pt": ([], "torch"),
}


def test_every_fixture_is_listed():
    assert sorted(_FIXTURES) == sorted(p.name for p in FIXTURES.glob("*.pt"))


@pytest.mark.parametrize("name", sorted(_FIXTURES))
def test_old_versions_list_their_upgraders(name, tmp_path, capsys):
    copy = tmp_path / name  # the fixtures are only read; a copy keeps them out of harm's way
    shutil.copyfile(FIXTURES / name, copy)
    got = report(capsys, copy)
    version = int(name[:-3].rpartition("_v")[2])
    assert got["version"] == version and got["refusals"] == []
    in_range = [u.name for u in ember.upgraders.for_version(version).values()]
    may_apply, writer = _FIXTURES[name]
    assert got["upgraders"] == {"in_range": in_range, "may_apply": may_apply}
    assert got["writer"]["name"] == writer


def test_the_upgraders_line(capsys, tmp_path):
    copy = tmp_path / "div_v3.pt"
    shutil.copyfile(FIXTURES / "div_v3.pt", copy)
    _, out, _ = run(capsys, "inspect", copy)
    assert (
        "upgraders  div_Tensor_0_3, div_Scalar_0_3, div_Tensor_mode_0_3, div_Scalar_mode_0_3 "
        "(for operators the code calls)"
    ) in out.splitlines()


def _with_version(data: bytes, version: bytes | None) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        records = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    records.pop("version", None)
    if version is not None:
        records[".data/version"] = version
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        for name, record in records.items():
            w.write_record(name, record)
    return buf.getvalue()


@pytest.mark.parametrize(
    "version, refusal",
    [
        (b"11\n", "archive version 11 is newer than this reader supports (versions 1..10)"),
        (b"0\n", "archive version 0 is older than this reader supports (versions 1..10)"),
        (b"three\n", "record '.data/version' is not a number: b'three\\n'"),
        (None, "the file has no 'version' record: ember's loaders refuse it"),
    ],
)
def test_versions_outside_the_window_are_inspected_and_refused(tmp_path, capsys, version, refusal):
    path = tmp_path / "odd.pt"
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(_net(ember)), buf)
    path.write_bytes(_with_version(buf.getvalue(), version))
    status, out, _ = run(capsys, "inspect", path)
    assert status == 0
    refused = [line for line in out.splitlines() if line.startswith("refused")]
    assert len(refused) == 1 and refused[0].startswith(f"refused    {refusal}")
    assert "├── table         buffer     float32  [6]     24 B  storage 1" in out
    if version in (None, b"three\n"):
        assert "upgraders  none: the version is unknown" in out
    with pytest.raises(ember.SerializationError):
        ember.jit.load(path)


def test_code_that_does_not_parse_still_shows_the_objects(tmp_path, capsys):
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(_net(ember)), buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        records = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    records["code/__torch__.py"] = b"class Net(Module:\n"
    path = tmp_path / "garbled.pt"
    with open(path, "wb") as f, ZipWriter(f, "archive") as w:
        for name, record in records.items():
            w.write_record(name, record)
    got = rows(report(capsys, path)["modules"])
    assert got["table"]["kind"] == "tensor" and got["fc.weight"]["kind"] == "parameter"
    assert re.search(r"code/__torch__\.py +1 lines", run(capsys, "inspect", path)[1])


def test_script_class_objects_show_their_attributes(tmp_path, capsys, torch):
    class Pair:
        def __init__(self, a: int, b: float):
            self.a = a
            self.b = b

    class Holder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.pair = Pair(3, 0.5)

        def forward(self, x):
            return x * self.pair.b + self.pair.a

    path = tmp_path / "holder.pt"
    torch.jit.save(torch.jit.script(Holder()), path)
    pair = next(c for c in report(capsys, path)["modules"]["children"] if c["name"] == "pair")
    assert (pair["kind"], pair["type"]) == ("object", "Pair")
    assert [(c["name"], c["text"]) for c in pair["children"]] == [("a", "3"), ("b", "0.5")]
