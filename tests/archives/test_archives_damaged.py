"""Damaged and hostile archives fail with ember's own errors, naming the problem; versions
outside 1..10 are refused; nothing in a file runs."""

import io
import pickle
import re
import zipfile

import pytest
from tests.archives.twins import saved

import ember
from ember.serializer.zipwriter import ZipWriter


class Net(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(x).relu()


@pytest.fixture(scope="module")
def archive() -> bytes:
    return saved(ember, ember.jit.script(Net()))


def _records(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}


def _rebuilt(records: dict) -> bytes:
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        for name, data in records.items():
            w.write_record(name, data, compress=name.startswith("code/") and len(data) > 200)
    return buf.getvalue()


def _edited(data: bytes, changes: dict) -> bytes:
    """The archive with records replaced (None: removed), rewritten in the same order."""
    records = _records(data)
    for name, value in changes.items():
        assert name in records, name
        if value is None:
            del records[name]
        else:
            records[name] = value
    return _rebuilt(records)


def _linear_file(records: dict) -> str:
    """The code record holding Linear's class (its name may be mangled)."""
    return next(n for n, v in records.items() if n.endswith(".py") and b"torch.linear(" in v)


def _load(data: bytes):
    return ember.jit.load(io.BytesIO(data))


@pytest.mark.parametrize("cut", [0, 10, 100, 0.5, -30, -1])
def test_truncated_archives(archive, cut):
    end = int(len(archive) * cut) if isinstance(cut, float) else cut
    with pytest.raises(ember.SerializationError):
        _load(archive[:end])


def test_corrupt_tensor_payload_fails_its_crc(archive, tmp_path):
    records = _records(archive)
    at = archive.index(records["data/0"])
    bad = archive[:at] + bytes([archive[at] ^ 0xFF]) + archive[at + 1 :]
    with pytest.raises(ember.SerializationError, match=r"CRC mismatch in record 'data/0'"):
        _load(bad)
    path = tmp_path / "bad.pt"
    path.write_bytes(bad)  # mapped from a path: checked all the same
    with pytest.raises(ember.SerializationError, match=r"CRC mismatch in record 'data/0'"):
        ember.jit.load(path)


def test_corrupt_code_record(archive):
    name = _linear_file(_records(archive))
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        info = z.getinfo(f"archive/{name}")
    extra = int.from_bytes(archive[info.header_offset + 28 : info.header_offset + 30], "little")
    at = info.header_offset + 30 + len(info.filename) + extra + 10  # inside the payload
    bad = bytearray(archive)
    bad[at : at + 8] = b"\xff" * 8
    with pytest.raises(ember.SerializationError, match=name):
        _load(bytes(bad))


def test_missing_code_file_is_named(archive):
    name = _linear_file(_records(archive))
    bad = _edited(archive, {name: None})
    with pytest.raises(
        ember.SerializationError, match=r"no code file for __torch__\.torch\.nn.*" + re.escape(name)
    ):
        _load(bad)


@pytest.mark.parametrize("record", ["data.pkl", "constants.pkl", "version"])
def test_missing_records(archive, record):
    with pytest.raises(ember.SerializationError, match=f"no '{record}'"):
        _load(_edited(archive, {record: None}))


@pytest.mark.parametrize(
    "pickled, message",
    [
        (b"garbage", "data.pkl"),
        (pickle.dumps({"training": True}, protocol=2), "does not hold a module object"),
        (pickle.dumps(print, protocol=2), r"names the global __builtin__\.print"),
        (b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.", r"os\.system"),
        (b"\x80\x02c__torch__\nNet\nq\x00K\x01\x85\x81.", "NEWOBJ"),
        (b"\x80\x02c__torch__\nNet\nq\x00K\x01\x85R.", "calling __torch__.Net"),
        (b"\x80\x02ctorch.classes.x\nY\n.", r"torch\.classes\.x\.Y"),
    ],
)
def test_bad_and_hostile_data_pkl(archive, pickled, message):
    with pytest.raises(ember.SerializationError, match=message):
        _load(_edited(archive, {"data.pkl": pickled}))


def test_data_pkl_missing_an_attribute_is_named(archive):
    data = _records(archive)["data.pkl"].replace(b"training", b"trainin_")
    with pytest.raises(ember.SerializationError, match="has no value for 'training'"):
        _load(_edited(archive, {"data.pkl": data}))


def test_bad_debug_pkl(archive):
    name = next(n for n in _records(archive) if n.endswith(".debug_pkl"))
    bad = _edited(archive, {name: b"\x80\x02K\x01."})
    with pytest.raises(ember.SerializationError, match="not a source range table"):
        _load(bad)


@pytest.mark.parametrize("version", [b"0\n", b"11\n", b"-3", b"99"])
def test_versions_outside_the_window_are_refused(archive, version):
    with pytest.raises(ember.VersionError, match=r"versions 1\.\.10") as e:
        _load(_edited(archive, {"version": version}))
    assert f"version {int(version)} " in str(e.value)


def test_newer_version_names_the_operators_this_reader_lacks(archive):
    records = _records(archive)
    name = _linear_file(records)
    code = records[name].replace(b"torch.linear(", b"torch.linear_v2(")
    bad = _edited(archive, {"version": b"11\n", name: code})
    with pytest.raises(ember.VersionError, match="does not have: aten::linear_v2"):
        _load(bad)


def test_bad_version_text(archive):
    with pytest.raises(ember.SerializationError, match="not a number"):
        _load(_edited(archive, {"version": b"three"}))


def test_unknown_operator_names_it_and_its_place(archive):
    records = _records(archive)
    name = _linear_file(records)
    code = records[name].replace(b"torch.linear(", b"torch.frobnicate(")
    with pytest.raises(ember.CompileError) as e:
        _load(_edited(archive, {name: code}))
    text = str(e.value)
    assert "unknown operator aten::frobnicate" in text
    line = (
        code.decode()
        .splitlines()
        .index(next(ln for ln in code.decode().splitlines() if "frobnicate" in ln))
    )
    assert re.search(rf"{name[5:]}:{line + 1}:\d+", text), text


def test_checkpoints_and_other_files_are_not_archives(tmp_path):
    buf = io.BytesIO()
    ember.save({"w": ember.ones(2)}, buf)
    with pytest.raises(ember.SerializationError, match="ember.load"):
        _load(buf.getvalue())
    with pytest.raises(ember.SerializationError, match="not a zip archive"):
        _load(b"hello world, not a zip file at all")
    with pytest.raises(ember.SerializationError, match="ember.jit.load"):
        ember.load(io.BytesIO(saved(ember, ember.jit.script(Net()))))
