"""`ember inspect` on checkpoints: torch's and ember's, zip and legacy, with their tensors,
shared storages, non-tensor entries (an epoch, an optimizer's hyperparameters) and writer."""

import argparse
import collections
import io
import zipfile

import pytest
from tests.cli.inspecting import report, rows, run, section

import ember
from ember.serializer.zipwriter import ZipWriter


def _training_state(lib):
    """A checkpoint as training loops write it: weights, an Adam-like optimizer, an epoch."""
    w, b = lib.arange(6.0).reshape(2, 3), lib.zeros(2)
    state = {
        i: {"step": lib.tensor(1.0), "exp_avg": lib.zeros_like(t)} for i, t in ((0, w), (1, b))
    }
    group = {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0,
             "amsgrad": False, "foreach": None, "params": [0, 1]}  # fmt: skip
    return {"model": {"weight": w, "bias": b},
            "optimizer": {"state": state, "param_groups": [group]}, "epoch": 7}  # fmt: skip


def test_an_ember_checkpoint_in_full(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    base = ember.arange(10, dtype=ember.float32)
    ember.save({"model": {"w": base.view(2, 5), "tail": base[6:]}, "step": 3}, "c.pt")
    status, out, err = run(capsys, "inspect", "c.pt")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "file       c.pt",
        "kind       checkpoint (zip)",
        "writer     ember: .data/serialization_id is ember's hash of the records",
        "version    3",
        "upgraders  none: a checkpoint holds no code",
        "byteorder  little",
        "",
        "records (7, in folder 'c')",
        "  name                    bytes  stored as  offset",
        "  data.pkl                  251  stored         64",
        "  .format_version             1  stored        384",
        "  .storage_alignment          2  stored        512",
        "  byteorder                   6  stored        576",
        "  data/0                     40  stored        640",
        "  version                     2  stored        768",
        "  .data/serialization_id     40  stored        896",
        "",
        "entries: dict, 2 entries",
        "├── model     dict    2 entries",
        "│   ├── w     tensor  float32  [2, 5]  40 B  storage 0",
        "│   └── tail  tensor  float32  [4]     16 B  storage 0, offset 6",
        "└── step      int     3",
        "",
        "storages   2 tensors in 1 storage, 40 B; shared:",
        "  storage 0 (data/0, 40 B): model.w, model.tail",
    ]


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_torch_and_ember_checkpoints_read_alike(tmp_path, capsys, torch, zip_format):
    paths = {}
    for name, lib in (("torch", torch), ("ember", ember)):
        paths[name] = tmp_path / f"{name}.pt"
        lib.save(_training_state(lib), paths[name], _use_new_zipfile_serialization=zip_format)
    got = {name: report(capsys, path) for name, path in paths.items()}
    assert rows(got["torch"]["entries"]) == rows(got["ember"]["entries"])
    assert got["torch"]["totals"] == got["ember"]["totals"] == {
        "tensors": 6, "storages": 6, "bytes": 72}  # fmt: skip
    if zip_format:
        assert [got[n]["writer"]["name"] for n in paths] == ["torch", "ember"]
        assert got["torch"]["records"] == got["ember"]["records"]
        assert got["torch"]["version"] == 3 and got["torch"]["format"] == "zip"
    else:
        assert [got[n]["writer"]["name"] for n in paths] == ["unknown", "unknown"]
        assert "no mark of its writer" in got["torch"]["writer"]["evidence"]
        assert got["torch"]["version"] is None and got["torch"]["records"] == []


def test_what_follows_a_legacy_checkpoint_is_counted(tmp_path, capsys):
    buf = io.BytesIO()
    ember.save([ember.ones(2)], buf, _use_new_zipfile_serialization=False)
    path = tmp_path / "legacy.pt"
    path.write_bytes(buf.getvalue() + b"extra")
    status, out, _ = run(capsys, "inspect", path)
    assert status == 0 and "trailing   5 bytes follow the checkpoint" in out.splitlines()
    assert "version    none (the legacy format has no version record)" in out.splitlines()


def test_an_epoch_and_optimizer_hyperparameters_are_shown(tmp_path, capsys, torch):
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    model(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    path = tmp_path / "train.pt"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 7}, path)
    status, out, _ = run(capsys, "inspect", "--no-records", path)
    entries = section(out, "entries")
    assert status == 0 and "records (" not in out
    for line in [
        "│   ├── weight                          tensor       float32  [2, 3]  24 B  storage 0",
        "│   │   │   ├── step                    tensor       float32  []       4 B  storage 2",
        "│           ├── lr                      float        0.001",
        "│           ├── betas                   tuple        (0.9, 0.999)",
        "│           ├── foreach                 None         None",
        "│           └── params                  list         [0, 1]",
        "└── epoch                               int          7",
    ]:
        assert line in entries
    group = rows(report(capsys, path)["entries"])["optimizer.param_groups.0.betas"]
    assert group == {"name": "betas", "kind": "value", "type": "tuple",
                     "text": "(0.9, 0.999)", "value": [0.9, 0.999]}  # fmt: skip


def test_hyperparameters_in_objects_a_weights_only_load_refuses(tmp_path, capsys):
    args = argparse.Namespace(lr=0.1, layers=[64, 64])
    counts = collections.defaultdict(list, {"train": [1, 2]})
    path = tmp_path / "args.pt"
    ember.save({"args": args, "counts": counts, "w": ember.ones(1)}, path)
    status, out, _ = run(capsys, "inspect", path)
    assert status == 0 and section(out, "entries") == [
        "entries: dict, 3 entries",
        "├── args        refused  argparse.Namespace()  (stand-in: nothing was run)",
        "│   ├── lr      float    0.1",
        "│   └── layers  list     [64, 64]",
        "├── counts      refused  collections.defaultdict(<global builtins.list>)  "
        "(stand-in: nothing was run)",
        "│   └── train   list     [1, 2]",
        "└── w           tensor   float32  [1]  4 B  storage 0",
    ]
    assert report(capsys, path)["refused_globals"] == [
        "argparse.Namespace", "builtins.list", "collections.defaultdict"]  # fmt: skip


def test_views_of_one_storage_and_tied_tensors(tmp_path, capsys):
    w = ember.arange(12.0).reshape(3, 4)
    path = tmp_path / "tied.pt"
    ember.save({"embed": w, "head": w, "row": w[1], "col": w[:, 2], "other": ember.ones(2)}, path)
    got = report(capsys, path)
    assert got["storages"] == [
        {"storage": 0, "record": "data/0", "bytes": 48, "tensors": ["embed", "head", "row", "col"]},
        {"storage": 1, "record": "data/1", "bytes": 8, "tensors": ["other"]},
    ]
    assert got["totals"] == {"tensors": 5, "storages": 2, "bytes": 56}
    col = rows(got["entries"])["col"]
    assert (col["shape"], col["bytes"], col["offset"], col["storage"]) == ([3], 12, 2, 0)


def test_mmap_gives_the_same_report(tmp_path, capsys, torch):
    path = tmp_path / "t.pt"
    torch.save([torch.ones(3, dtype=torch.int8), {"n": 1}], path)
    assert report(capsys, path, "--mmap") == report(capsys, path)
    status, out, _ = run(capsys, "inspect", "--mmap", path)
    assert section(out, "entries") == [
        "entries: list, 2 items",
        "├── 0      tensor  int8  [3]  3 B  storage 0",
        "└── 1      dict    1 entry",
        "    └── n  int     1",
    ]


def test_what_each_writer_leaves(tmp_path, capsys, torch):
    """The serialization id tells torch's files from ember's however they were saved."""
    for name, lib in (("torch", torch), ("ember", ember)):
        written = {"empty": lib.zeros(0), "x": lib.ones(3, dtype=lib.bfloat16)}
        lib.save(written, tmp_path / f"{name}-plain.pt")
        lib.save(written, tmp_path / f"{name}-no-byteorder.pt", _disable_byteorder_record=True)
        buf = io.BytesIO()
        lib.save([1, "a"], buf)  # records under 'archive/', not the file's name
        (tmp_path / f"{name}-buffer.pt").write_bytes(buf.getvalue())
    ember.save(ember.arange(100.0)[:2], tmp_path / "ember-compact.pt", compact=True)
    for path in sorted(tmp_path.iterdir()):
        writer = path.name.partition("-")[0]
        assert report(capsys, path)["writer"]["name"] == writer, path.name


def _rebuilt(data: bytes, change) -> bytes:
    """The zip file `data` written again record by record, `change(records)` applied."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        records = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        for name, record in change(records).items():
            w.write_record(name, record)
    return buf.getvalue()


def _without_id(records: dict) -> dict:
    return {k: v for k, v in records.items() if k != ".data/serialization_id"}


def test_a_changed_file_has_an_unknown_writer(tmp_path, capsys):
    buf = io.BytesIO()
    ember.save({"w": ember.ones(2)}, buf)
    changed = tmp_path / "changed.pt"
    changed.write_bytes(_rebuilt(buf.getvalue(), lambda r: {**r, "data/0": bytes(8)}))
    got = report(capsys, changed)
    assert got["writer"]["name"] == "unknown" and "changed after" in got["writer"]["evidence"]
    assert rows(got["entries"])["w"]["bytes"] == 8
    unmarked = tmp_path / "unmarked.pt"
    unmarked.write_bytes(_rebuilt(buf.getvalue(), _without_id))
    got = report(capsys, unmarked)["writer"]
    assert got["name"] == "unknown" and "no .data/serialization_id" in got["evidence"]


def test_json_is_one_document(tmp_path, capsys):
    path = tmp_path / "c.pt"
    ember.save({"w": ember.ones(2, dtype=ember.int64), "name": "run-1", "big": 2**70}, path)
    got = report(capsys, path)
    assert list(got) == ["file", "kind", "format", "writer", "version", "refusals", "upgraders",
                         "byteorder", "folder", "records", "refused_globals", "entries",
                         "storages", "totals", "code"]  # fmt: skip
    assert got["file"] == str(path) and got["folder"] == "c" and got["code"] == []
    first = got["records"][0]
    assert first == {"name": "data.pkl", "offset": 64, "bytes": first["bytes"],
                     "method": "stored", "compressed_bytes": first["bytes"]}  # fmt: skip
    assert rows(got["entries"]) == {
        "w": {"name": "w", "kind": "tensor", "dtype": "int64", "shape": [2], "bytes": 16,
              "storage": 0, "offset": 0},
        "name": {"name": "name", "kind": "value", "type": "str", "text": "'run-1'",
                 "value": "run-1"},
        "big": {"name": "big", "kind": "value", "type": "int", "text": str(2**70)},
    }  # fmt: skip
