"""Byte layout against torch.save: ember rewrites what torch wrote and must produce the same bytes.

Zip files must be identical except the 40 digits of `.data/serialization_id` (a hash of
libstdc++'s unordered_set order that nothing reads) and that record's CRC. Legacy files must be
identical once storage keys (C pointers in torch, addresses in ember) are renamed in order of
first appearance.
"""

import io
import pickle
import pickletools
import struct
import warnings
import zipfile
from collections import OrderedDict

import ember

ID_RECORD = ".data/serialization_id"


def _cases(torch):
    lin = torch.nn.Linear(3, 2)
    base = torch.arange(24.0).reshape(4, 6)
    cases = {
        str(d).removeprefix("torch."): torch.ones(3, dtype=d)
        for d in [
            torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64,
            torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool, torch.complex64,
            torch.complex128,
        ]
    }  # fmt: skip
    cases.update(
        {
            "0-d": torch.tensor(2.5),
            "empty": torch.zeros(0, 3),
            "empty with odd strides": [torch.zeros(3, 0).t(), torch.zeros(2, 0, 4)],
            "empty among others": [torch.ones(2), torch.zeros(0, dtype=torch.int8), torch.ones(1)],
            "state dict": lin.state_dict(),
            "batchnorm": torch.nn.BatchNorm1d(3).state_dict(),
            "parameters": [
                torch.nn.Parameter(torch.ones(2)),
                torch.nn.Parameter(torch.ones(1), False),
            ],
            "requires_grad": torch.ones(2).requires_grad_(),
            "views": [base[1:, 2::2], base.t(), base, base[3, 5]],
            "expanded": torch.zeros(4).expand(4, 4),
            "values": {"a": [1, (2.5, "s"), None, True], "b": b"xy", "c": {1, 2}, "z": 1 + 2j},
            "dtype and size": {"d": torch.float16, "s": torch.Size([1, 2])},
            "devices": [torch.device("cpu"), torch.device("cuda", 1), torch.device("cpu", 0)],
            "twelve storages": [torch.full((2,), float(i)) for i in range(12)],
            "bare storages": [torch.ones(3).untyped_storage(), torch.ones(2).storage()],
            "big ints": {"i": 2**70, "n": -5, "m": 2**31},
            "tensor attributes": _tagged(torch.ones(2), torch),
            "parameter attributes": _tagged(torch.nn.Parameter(torch.ones(2)), torch),
        }
    )
    return cases


def _tagged(t, torch):
    t.note = "kept"
    return t


def _rewritten(torch, obj, **kw) -> tuple[bytes, bytes]:
    """(torch.save bytes, ember.save bytes of what ember loaded from them)."""
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    theirs = buf.getvalue()
    loaded = ember.load(io.BytesIO(theirs))
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ember.save(loaded, buf, **kw)
    return theirs, buf.getvalue()


def _without_serialization_id(raw: bytes) -> bytes:
    """The archive with the serialization id's digits and CRC (descriptor, directory) zeroed."""
    raw = bytearray(raw)
    info = next(
        i
        for i in zipfile.ZipFile(io.BytesIO(bytes(raw))).infolist()
        if i.filename.endswith(ID_RECORD)
    )
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    assert raw[start : start + 40].isdigit() and raw[start + 40 : start + 44] == b"PK\x07\x08"
    raw[start : start + 40] = b"0" * 40
    raw[start + 44 : start + 48] = bytes(4)
    central = raw.rfind(b"PK\x01\x02")
    assert raw[central + 46 :].startswith(info.filename.encode())
    raw[central + 16 : central + 20] = bytes(4)
    return bytes(raw)


def test_zip_files_are_torchs_bytes(torch):
    differ = []
    for name, obj in _cases(torch).items():
        theirs, ours = _rewritten(torch, obj)
        if _without_serialization_id(theirs) != _without_serialization_id(ours):
            differ.append(name)
    assert not differ, differ


def test_comparison_can_fail(torch):
    theirs, ours = _rewritten(torch, torch.ones(3))
    tampered = bytearray(ours)
    tampered[tampered.find(b"FB") + 4] ^= 1  # one padding byte
    assert _without_serialization_id(theirs) == _without_serialization_id(ours)
    assert _without_serialization_id(theirs) != _without_serialization_id(bytes(tampered))


def test_empty_record_has_no_data_descriptor(torch):
    _, ours = _rewritten(torch, torch.zeros(0))
    info = zipfile.ZipFile(io.BytesIO(ours)).getinfo("archive/data/0")
    assert info.flag_bits == 0x0800 and info.file_size == 0 and info.CRC == 0
    name_len, extra_len = struct.unpack_from("<HH", ours, info.header_offset + 26)
    after = info.header_offset + 30 + name_len + extra_len
    assert ours[after : after + 4] == b"PK\x03\x04"  # the next record, no descriptor between


def _legacy_parts(raw: bytes):
    """(the five pickles, the storage payload bytes) of a legacy file."""
    f = io.BytesIO(raw)
    parts = []
    for _ in range(5):
        start = f.tell()
        for op, _, _ in pickletools.genops(f):
            if op.name == "STOP":
                break
        parts.append(raw[start : f.tell()])
    return parts, raw[f.tell() :]


def _renamed_keys(raw: bytes):
    """A legacy file's pickles, storage keys renamed by first appearance; payloads by key."""
    parts, payloads = _legacy_parts(raw)
    keys = pickle.loads(parts[4])
    sizes = _Recorder(io.BytesIO(parts[3])).storages()
    assert sorted(sizes) == sorted(keys)
    main = parts[3]
    for i, key in enumerate(sizes):
        main = main.replace(
            b"X" + struct.pack("<I", len(key)) + key.encode(), f"<key {i}>".encode()
        )
    blobs, pos = {}, 0
    for key in keys:
        count = struct.unpack_from("<q", payloads, pos)[0]
        end = pos + 8 + count * sizes[key]
        blobs[list(sizes).index(key)] = payloads[pos:end]
        pos = end
    assert pos == len(payloads)
    return parts[:3], main, blobs


class _Anything:
    def __init__(self, *args):
        pass

    def __setitem__(self, key, value):
        pass

    def __setstate__(self, state):
        pass


_ITEMSIZE = {"Double": 8, "Float": 4, "Half": 2, "BFloat16": 2, "Long": 8, "Int": 4, "Short": 2,
             "Char": 1, "Byte": 1, "Bool": 1, "ComplexDouble": 16, "ComplexFloat": 8,
             "Untyped": 1}  # fmt: skip


class _Recorder(pickle.Unpickler):
    """Unpickles a torch pickle without torch, recording each storage key's element size."""

    def storages(self) -> dict:
        self.found = {}
        self.load()
        return self.found

    def find_class(self, module, name):
        if name.endswith("Storage"):
            return ("storage type", _ITEMSIZE[name.removesuffix("Storage")])
        if module in ("builtins", "_codecs"):
            return super().find_class(module, name)
        return _Anything

    def persistent_load(self, pid):
        self.found.setdefault(pid[2], pid[1][1])
        return None


def test_legacy_files_are_torchs_bytes(torch):
    differ = []
    for name, obj in _cases(torch).items():
        theirs, ours = _rewritten(torch, obj, _use_new_zipfile_serialization=False)
        if _renamed_keys(theirs) != _renamed_keys(ours):
            differ.append(name)
    assert not differ, differ


def test_state_dict_metadata_is_written_as_torch_does(torch):
    sd = OrderedDict(w=torch.ones(1))
    sd._metadata = OrderedDict([("", {"version": 1})])
    theirs, ours = _rewritten(torch, sd)
    assert _without_serialization_id(theirs) == _without_serialization_id(ours)
