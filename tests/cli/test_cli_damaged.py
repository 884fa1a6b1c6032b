"""`ember inspect` on damaged and hostile files: a damaged file exits with status 2 and one
line naming the problem (never a traceback); nothing in a file runs, whatever it names."""

import io
import os
import pickle
import random
import re
import subprocess
import sys
import zipfile

import pytest
from tests.cli.inspecting import report, run

import crafted
import ember
from ember.serializer.zipwriter import ZipWriter


class Net(ember.nn.Module):
    __module__ = "__main__"  # its class is __torch__.Net, as a script's would be

    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(x)


def _checkpoint(**kwargs) -> bytes:
    buf = io.BytesIO()
    ember.save({"w": ember.arange(8.0), "epoch": 3}, buf, **kwargs)
    return buf.getvalue()


def _archive() -> bytes:
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(Net()), buf)
    return buf.getvalue()


def _records(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}


def _zip(records: dict) -> bytes:
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        for name, data in records.items():
            w.write_record(name, data)
    return buf.getvalue()


def _flip_in(data: bytes, record: bytes) -> bytes:
    at = data.index(record)
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


DAMAGED = {
    "empty": (lambda: b"", "the file is empty"),
    "text": (lambda: b"hello world, not a model", "the file starts with b'hello wo'"),
    "truncated zip": (lambda: _checkpoint()[:600], "not a zip archive"),
    "truncated legacy": (
        lambda: _checkpoint(_use_new_zipfile_serialization=False)[:-10],
        "file truncated inside legacy storage",
    ),
    "corrupt tensor bytes": (
        lambda: _flip_in(_checkpoint(), ember.arange(8.0).numpy().tobytes()),
        "CRC mismatch in record 'data/0'",
    ),
    "plain zip": (lambda: _zip({"notes.txt": b"hi"}), "it has no data.pkl record"),
    "preview format": (lambda: b"PYTORCH1" + bytes(64), "preview format (PYTORCH1)"),
    "truncated data.pkl": (
        lambda: _zip(
            {**_records(_checkpoint()), "data.pkl": _records(_checkpoint())["data.pkl"][:40]}
        ),
        "cannot unpickle data.pkl",
    ),
    "bad byteorder": (
        lambda: _zip({**_records(_checkpoint()), "byteorder": b"sideways"}),
        "record 'byteorder' holds b'sideways'",
    ),
    "refused global called with a non-tuple": (
        lambda: crafted.checkpoint(b"\x80\x02cfoo\nbar\nK\x05R."),
        "REDUCE with non-tuple arguments",
    ),
    "archive without its tensors": (
        lambda: _zip({k: v for k, v in _records(_archive()).items() if k != "data/0"}),
        "archive has no record 'data/0'",
    ),
}


@pytest.mark.parametrize("name", DAMAGED)
def test_damaged_files_exit_2_with_one_message(name, tmp_path, capsys):
    make, message = DAMAGED[name]
    path = tmp_path / "damaged.pt"
    path.write_bytes(make())
    status, out, err = run(capsys, "inspect", path)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"ember inspect: {path}: "), err
    assert message in err


def test_missing_files_and_folders(tmp_path, capsys):
    assert run(capsys, "inspect", tmp_path / "nothing.pt")[:2] == (2, "")
    status, _, err = run(capsys, "inspect", tmp_path)
    assert status == 2 and "Is a directory" in err


def test_no_traceback_from_the_installed_command(tmp_path):
    path = tmp_path / "damaged.pt"
    path.write_bytes(_checkpoint()[:300])
    for extra in ([], ["--json"]):
        result = subprocess.run([sys.executable, "-m", "ember.cli", "inspect", *extra, path],
                                capture_output=True, text=True)  # fmt: skip
        assert result.returncode == 2 and result.stdout == ""
        assert (
            result.stderr
            == f"ember inspect: {path}: not a zip archive: no end of central directory record\n"
        )


@pytest.mark.parametrize("kind", ["zip", "legacy", "archive"])
def test_cut_or_flipped_anywhere_status_is_0_or_2(kind, tmp_path, capsys):
    data = {"zip": _checkpoint, "legacy": lambda: _checkpoint(_use_new_zipfile_serialization=False),
            "archive": _archive}[kind]()  # fmt: skip
    rng = random.Random(kind)
    cases = [data[:n] for n in sorted(rng.sample(range(len(data)), 40))]
    for _ in range(60):
        at = rng.randrange(len(data))
        cases.append(data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :])
    path = tmp_path / "case.pt"
    for case in cases:
        path.write_bytes(case)
        status, out, err = run(capsys, "inspect", path)
        assert (status == 0 and err == "") or (status == 2 and out == "" and err.count("\n") == 1)


# -- nothing runs ----------------------------------------------------------------------------


class Exec:
    """Pickles as a call of ``builtins.exec`` on code that writes a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


class System:
    def __reduce__(self):
        return (os.system, ("echo ran",))


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_a_hostile_checkpoint_is_shown_and_nothing_runs(tmp_path, capsys, zip_format):
    marker, path = tmp_path / "marker", tmp_path / "evil.pt"
    obj = {"w": ember.ones(2), "payload": Exec(marker), "shell": System(), "epoch": 3}
    ember.save(obj, path, _use_new_zipfile_serialization=zip_format)
    status, out, err = run(capsys, "inspect", path)
    assert (status, err) == (0, "") and not marker.exists()
    lines = out.splitlines()
    system = f"{os.system.__module__}.system"
    refused = [line for line in lines if line.startswith("refused")]
    assert refused == [
        f"refused    the pickle names globals a weights-only load refuses: builtins.exec, {system}"
        " (shown below as stand-ins; nothing was imported or run)"
    ]
    payload = next(line for line in lines if line.startswith("├── payload"))
    assert payload.startswith("├── payload  refused  builtins.exec(\"open('")
    assert payload.endswith("...  (stand-in: nothing was run)")  # a long call is cut short
    assert f"├── shell    refused  {system}('echo ran')  (stand-in: nothing was run)" in lines
    assert "└── epoch    int      3" in lines
    got = report(capsys, path)
    assert got["refused_globals"] == ["builtins.exec", system] and not marker.exists()
    with pytest.raises(ember.SerializationError, match="builtins.exec"):
        ember.load(path)


def test_a_hostile_archive_is_refused_and_nothing_runs(tmp_path, capsys):
    marker, path = tmp_path / "marker", tmp_path / "evil.pt"
    records = _records(_archive())
    path.write_bytes(_zip({**records, "data.pkl": pickle.dumps(Exec(marker), protocol=2)}))
    status, out, err = run(capsys, "inspect", path)
    assert (status, out) == (2, "") and not marker.exists()
    assert "data.pkl names the global __builtin__.exec, which a TorchScript archive" in err


def test_archive_code_is_listed_never_run(tmp_path, capsys):
    marker, path = tmp_path / "marker", tmp_path / "code.pt"
    records = _records(_archive())
    hostile = f"open({str(marker)!r}, 'w').write('ran')\n".encode()
    records["code/__torch__.py"] = hostile + records["code/__torch__.py"]
    path.write_bytes(_zip(records))
    status, out, _ = run(capsys, "inspect", "--code", path)
    assert status == 0 and not marker.exists()
    assert hostile.decode() in out and re.search(r"└── fc +module +Linear", out)
