"""Damaged files: truncated, corrupt, inconsistent or oversized claims give SerializationError
(or VersionError) naming the problem and the record; nothing over-allocates."""

import io
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from crafted import checkpoint, good_file, hostile_pickle, load_bytes, tensor_pickle
from serialization_helpers import E


@pytest.mark.parametrize("cut", [0, 10, 100, 300, -200, -30, -1])
def test_truncated_files(cut):
    data = good_file()
    with pytest.raises(ember.SerializationError):
        load_bytes(data[:cut])


def test_crc_mismatch_names_the_record():
    data = bytearray(good_file())
    payload = bytes(np.arange(64, dtype=np.float32).tobytes())
    at = data.find(payload)
    data[at + 5] ^= 0xFF
    with pytest.raises(ember.SerializationError, match=r"CRC mismatch in record 'data/0'"):
        load_bytes(bytes(data))


def test_missing_records():
    pkl = hostile_pickle(OrderedDict())
    with pytest.raises(ember.SerializationError, match="version"):
        load_bytes(checkpoint(pkl, version=None))
    tensor_pkl = tensor_pickle(numel=4)
    with pytest.raises(ember.SerializationError, match="data/0"):
        load_bytes(checkpoint(tensor_pkl))


def test_versions_outside_the_window():
    pkl = hostile_pickle(1)
    for version in (b"0\n", b"11\n", b"99"):
        with pytest.raises(ember.VersionError, match="outside"):
            load_bytes(checkpoint(pkl, version=version))
    with pytest.raises(ember.SerializationError, match="not a number"):
        load_bytes(checkpoint(pkl, version=b"\xff\xfe"))


def test_storage_smaller_than_tensor_claims():
    data = checkpoint(tensor_pickle(numel=4, size=(8,)), {"data/0": np.zeros(4, np.float32)})
    with pytest.raises(ember.SerializationError, match="smaller than the tensor claims"):
        load_bytes(data)
    data = checkpoint(tensor_pickle(numel=4, offset=3, size=(2,)), {"data/0": bytes(16)})
    with pytest.raises(ember.SerializationError, match="smaller"):
        load_bytes(data)


def test_record_size_disagrees_with_numel():
    data = checkpoint(tensor_pickle(numel=10**15), {"data/0": bytes(16)})
    with pytest.raises(ember.SerializationError, match="data/0"):
        load_bytes(data)


def test_unknown_storage_type():
    data = checkpoint(tensor_pickle(numel=4, kind="WeirdStorage"), {"data/0": bytes(16)})
    with pytest.raises(ember.SerializationError, match="WeirdStorage"):
        load_bytes(data)


def test_bad_sizes_and_strides():
    for size, stride in [((-1,), (1,)), ((2, 2), (1,)), (("a",), (1,)), ((2,), (-1,))]:
        data = checkpoint(tensor_pickle(4, size, stride), {"data/0": bytes(16)})
        with pytest.raises(ember.SerializationError):
            load_bytes(data)


@pytest.mark.parametrize(
    "garbage",
    [b"", b"hello world", b"\x80\x02" + b"\xff" * 50, b"PK\x03\x04" + b"\x00" * 100],
)
def test_garbage(garbage):
    with pytest.raises(ember.SerializationError):
        load_bytes(garbage)
    with pytest.raises(ember.SerializationError):
        load_bytes(checkpoint(garbage))


def test_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", b"\x80\x02K\x01.")
        z.writestr("archive/version", b"3\n")
        z.writestr("archive/data/0", bytes(200 << 20))
    data = bytearray(buf.getvalue())
    assert len(data) < 1 << 20
    ok = load_bytes(bytes(data))
    assert ok == 1
    # Claim a far larger uncompressed size than deflate can produce.
    cd = data.rfind(b"PK\x01\x02" + bytes(0), 0, len(data))
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFF0)
    with pytest.raises(ember.SerializationError):
        load_bytes(bytes(data), weights_only=True)


def test_deflated_records_load_but_not_with_mmap(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", tensor_pickle(numel=4))
        z.writestr("archive/version", b"3\n")
        z.writestr("archive/data/0", np.arange(4, dtype=np.float32).tobytes())
    assert load_bytes(buf.getvalue())._np.tolist() == [0, 1, 2, 3]
    path = tmp_path / "deflated.pt"
    path.write_bytes(buf.getvalue())
    with pytest.raises(ember.SerializationError, match="deflated"):
        ember.load(path, mmap=True)


def test_zip64_archives_are_read():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in [
            ("archive/data.pkl", tensor_pickle(numel=4)),
            ("archive/version", b"3\n"),
            ("archive/data/0", np.arange(4, dtype=np.float32).tobytes()),
        ]:
            with z.open(name, "w", force_zip64=True) as out:
                out.write(data)
    assert load_bytes(buf.getvalue())._np.tolist() == [0, 1, 2, 3]


def test_writer_zip64_path(monkeypatch, torch):
    """Records 'past 4 GiB' (the limit lowered to 100 bytes): zip64 fields as miniz writes them."""
    from ember.serializer import zipwriter

    monkeypatch.setattr(zipwriter, "_MAX32", 100)
    buf = io.BytesIO()
    ember.save({"w": E(np.arange(64, dtype=np.float32))}, buf)
    monkeypatch.undo()
    data = buf.getvalue()
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    for info in z.infolist():
        name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
        extra = data[info.header_offset + 30 + name_len :][:extra_len]
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0
        big_size, big_offset = info.file_size >= 100, info.header_offset >= 100
        if big_size or big_offset:  # zip64 field first: (size, 0) and/or the header offset
            tag, size = struct.unpack_from("<HH", extra)
            values = struct.unpack_from(f"<{size // 8}Q", extra, 4)
            expected = ((info.file_size, 0) if big_size else ()) + (
                (info.header_offset,) if big_offset else ()
            )
            assert tag == 1 and values == expected and extra[4 + size :][:2] == b"FB"
        else:
            assert extra[:2] == b"FB"
    assert load_bytes(data)["w"]._np[63] == 63
    assert torch.load(io.BytesIO(data), weights_only=True)["w"][63].item() == 63


def test_overlapping_records_cannot_multiply_allocations():
    """21 directory entries pointing at one 1 MiB payload must not allocate 21 MiB."""
    from ember.serializer.rebuild import StorageType
    from ember.serializer.zipformat import StorageLoader
    from ember.serializer.zipreader import ZipReader

    numel = 1 << 18
    data = checkpoint(tensor_pickle(numel=numel), {"data/0": np.zeros(numel, np.float32)})
    cd_at = data.find(b"PK\x01\x02")
    entries, pos = [], cd_at
    while data[pos : pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        entries.append(data[pos : pos + 46 + n + m + k])
        pos += 46 + n + m + k
    template = next(e for e in entries if e[46:].startswith(b"archive/data/0"))
    for i in range(1, 21):
        name = f"archive/data/{i}".encode()
        entry = bytearray(template[:46]) + name
        struct.pack_into("<HHH", entry, 28, len(name), 0, 0)
        entries.append(bytes(entry))
    directory = b"".join(entries)
    n = len(entries)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(directory), cd_at, 0)
    loader = StorageLoader(ZipReader(data[:cd_at] + directory + end), None, swap=False)
    with pytest.raises(ember.SerializationError, match="far more bytes"):
        for key in range(21):
            loader(("storage", StorageType(ember.float32), str(key), "cpu", numel))
