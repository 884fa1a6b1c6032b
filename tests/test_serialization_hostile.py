"""Hostile and damaged files: refused with SerializationError, nothing from the file runs."""

import io
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.serializer.zipwriter import ZipWriter
from test_serialization_helpers import E


def checkpoint(pkl: bytes, records=None, version=b"3\n") -> bytes:
    """A zip checkpoint with a hand-made data.pkl and data records."""
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        w.write_record("data.pkl", pkl)
        for name, data in (records or {}).items():
            w.write_record(name, data)
        if version is not None:
            w.write_record("version", version)
    return buf.getvalue()


def load_bytes(data: bytes, **kw):
    return ember.load(io.BytesIO(data), **kw)


def good_file() -> bytes:
    buf = io.BytesIO()
    sd = OrderedDict([("w", E(np.arange(64, dtype=np.float32))), ("b", E(np.ones(3)))])
    ember.save(sd, buf)
    return buf.getvalue()


class Call:
    """Pickles as `func(*args)` (REDUCE) without needing the target to be importable here."""

    def __init__(self, module, name, *args):
        self.module, self.name, self.args = module, name, args

    def __reduce__(self):
        return (_Global(self.module, self.name), self.args)


class _Global:
    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):
        raise AssertionError("never called while pickling")


class _GlobalPickler(pickle._Pickler):
    dispatch = pickle._Pickler.dispatch.copy()

    def save_fake_global(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())

    dispatch[_Global] = save_fake_global


def hostile_pickle(obj) -> bytes:
    buf = io.BytesIO()
    _GlobalPickler(buf, 2).dump(obj)
    return buf.getvalue()


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "pwned"


def attacks(marker):
    cmd = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": Call("os", "system", cmd),
        "posix.system": Call("posix", "system", cmd),
        "subprocess": Call("subprocess", "call", ["sh", "-c", cmd]),
        "eval": Call("builtins", "eval", code),
        "exec": Call("builtins", "exec", code),
        "__import__": Call("builtins", "__import__", "os"),
        "getattr": Call("builtins", "getattr", Call("builtins", "__import__", "os"), "system"),
        "py2 builtin": Call("__builtin__", "eval", code),
        "nested in state dict": OrderedDict([("w", Call("os", "system", cmd))]),
        "OrderedDict bad args": Call("collections", "OrderedDict", 1, 2, 3),
        "bytearray bomb": Call("builtins", "bytearray", 10**12),
        "codecs": Call("_codecs", "encode", Call("builtins", "eval", code), "latin1"),
        "rebuild bad args": Call("torch._utils", "_rebuild_tensor_v2", "x", -1, (2,), (1,)),
        "storage type call": Call("torch", "FloatStorage", 10),
        "nt.system": Call("nt", "system", cmd),
        "open": Call("builtins", "open", str(marker), "w"),
        "importlib": Call("importlib", "import_module", "os"),
        "nested pickle": Call("pickle", "loads", pickle.dumps(Call("os", "system", cmd))),
        "runpy": Call("runpy", "_run_code", code, {}),
        "functools.partial": Call("functools", "partial", Call("os", "system"), cmd),
        "operator.methodcaller": Call("operator", "methodcaller", "system", cmd),
        "numpy reconstruct": Call("numpy.core.multiarray", "_reconstruct", "x", (0,), b"b"),
        "torch.load": Call("torch", "load", str(marker)),
        "tensor class call": Call("torch", "Tensor", 10**12),
        "rebuild_from_type_v2 with a foreign function": Call(
            "torch._tensor", "_rebuild_from_type_v2", Call("os", "system"), "x", (cmd,), None
        ),
    }


@pytest.mark.parametrize(
    "name",
    list(attacks("m")),
)
@pytest.mark.parametrize("weights_only_file", ["zip", "legacy"])
def test_malicious_pickles_are_refused(name, weights_only_file, marker):
    payload = hostile_pickle(attacks(marker)[name])
    if weights_only_file == "zip":
        data = checkpoint(payload)
    else:
        head = b"".join(
            pickle.dumps(x, protocol=2)
            for x in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True})
        )
        data = head + payload + pickle.dumps([], protocol=2)
    with pytest.raises(ember.SerializationError):
        load_bytes(data)
    assert not marker.exists()


def test_refusal_names_the_global_and_how_to_allow_it(marker):
    data = checkpoint(hostile_pickle(Call("fractions", "Fraction", 1, 3)))
    with pytest.raises(ember.SerializationError) as info:
        load_bytes(data)
    message = str(info.value)
    assert "fractions.Fraction" in message
    assert "add_safe_globals" in message and "safe_globals" in message
    assert "weights_only=False" in message


def test_blocked_modules_stay_blocked_even_if_allowed(marker):
    import os

    data = checkpoint(hostile_pickle(Call("os", "getcwd")))
    with ember.serialization.safe_globals([os.getcwd]), pytest.raises(ember.SerializationError):
        load_bytes(data)


def test_add_safe_globals_allows_a_class():
    import fractions

    data = checkpoint(hostile_pickle([Call("fractions", "Fraction", 1, 3)]))
    with ember.serialization.safe_globals([fractions.Fraction]):
        assert load_bytes(data) == [fractions.Fraction(1, 3)]
    with pytest.raises(ember.SerializationError):
        load_bytes(data)
    ember.serialization.add_safe_globals([(fractions.Fraction, "my.Frac")])
    try:
        assert ember.serialization.get_safe_globals() == [(fractions.Fraction, "my.Frac")]
        assert load_bytes(checkpoint(hostile_pickle(Call("my", "Frac", 2)))) == 2
    finally:
        ember.serialization.clear_safe_globals()
    assert ember.serialization.get_safe_globals() == []


def test_weights_only_false_runs_the_file(marker):
    data = checkpoint(hostile_pickle(Call("os", "system", f"touch {marker}")))
    load_bytes(data, weights_only=False)
    assert marker.exists()


@pytest.mark.parametrize(
    "opcode",
    [
        b"\x80\x02c__builtin__\nlist\n)\x81.",  # NEWOBJ of a non-allowlisted class
        b"\x80\x02(cos\nsystem\nS'true'\ni.",  # INST
        b"\x80\x02(cos\nsystem\nS'true'\no.",  # OBJ
        b"\x80\x02\x82\x01.",  # EXT1
        b"\x80\x02]q\x00}b.",  # BUILD on a list
        b"\x80\x02}(K\x01K\x02e.",  # APPENDS to a dict
        b"\x80\x02]K\x01K\x02s.",  # SETITEM on a list
    ],
)
def test_dangerous_opcodes_are_refused(opcode):
    with pytest.raises(ember.SerializationError):
        load_bytes(checkpoint(opcode))


# -- damaged files ---------------------------------------------------------------------------


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
    tensor_pkl = _tensor_pickle(numel=4)
    with pytest.raises(ember.SerializationError, match="data/0"):
        load_bytes(checkpoint(tensor_pkl))


def test_versions_outside_the_window():
    pkl = hostile_pickle(1)
    for version in (b"0\n", b"11\n", b"99"):
        with pytest.raises(ember.VersionError, match="outside"):
            load_bytes(checkpoint(pkl, version=version))
    with pytest.raises(ember.SerializationError, match="not a number"):
        load_bytes(checkpoint(pkl, version=b"\xff\xfe"))


def _tensor_pickle(
    numel, size=(4,), stride=(1,), offset=0, kind="FloatStorage", location="cpu"
) -> bytes:
    class T:
        def __reduce__(self):
            return (
                _Global("torch._utils", "_rebuild_tensor_v2"),
                (_Pid(), offset, size, stride, False, OrderedDict()),
            )

    class _Pid:
        pass

    class P(_GlobalPickler):
        def persistent_id(self, obj):
            if isinstance(obj, _Pid):
                return ("storage", _Global("torch", kind), "0", location, numel)
            return None

    buf = io.BytesIO()
    P(buf, 2).dump(T())
    return buf.getvalue()


def test_storage_smaller_than_tensor_claims():
    data = checkpoint(_tensor_pickle(numel=4, size=(8,)), {"data/0": np.zeros(4, np.float32)})
    with pytest.raises(ember.SerializationError, match="smaller than the tensor claims"):
        load_bytes(data)
    data = checkpoint(_tensor_pickle(numel=4, offset=3, size=(2,)), {"data/0": bytes(16)})
    with pytest.raises(ember.SerializationError, match="smaller"):
        load_bytes(data)


def test_record_size_disagrees_with_numel():
    data = checkpoint(_tensor_pickle(numel=10**15), {"data/0": bytes(16)})
    with pytest.raises(ember.SerializationError, match="data/0"):
        load_bytes(data)


def test_unknown_storage_type():
    data = checkpoint(_tensor_pickle(numel=4, kind="WeirdStorage"), {"data/0": bytes(16)})
    with pytest.raises(ember.SerializationError, match="WeirdStorage"):
        load_bytes(data)


def test_bad_sizes_and_strides():
    for size, stride in [((-1,), (1,)), ((2, 2), (1,)), (("a",), (1,)), ((2,), (-1,))]:
        data = checkpoint(_tensor_pickle(4, size, stride), {"data/0": bytes(16)})
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
        z.writestr("archive/data.pkl", _tensor_pickle(numel=4))
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
            ("archive/data.pkl", _tensor_pickle(numel=4)),
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
    from ember.serializer.zipformat import _StorageLoader
    from ember.serializer.zipreader import ZipReader

    numel = 1 << 18
    data = checkpoint(_tensor_pickle(numel=numel), {"data/0": np.zeros(numel, np.float32)})
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
    loader = _StorageLoader(ZipReader(data[:cd_at] + directory + end), None, swap=False)
    with pytest.raises(ember.SerializationError, match="far more bytes"):
        for key in range(21):
            loader(("storage", StorageType(ember.float32), str(key), "cpu", numel))


def test_build_cannot_shadow_methods():
    # OrderedDict() then BUILD {'keys': ...}: refused (a state dict's only attribute is _metadata)
    pkl = b"\x80\x02ccollections\nOrderedDict\n)R}X\x04\x00\x00\x00keysK\x01sb."
    with pytest.raises(ember.SerializationError):
        load_bytes(checkpoint(pkl))
    ok = b"\x80\x02ccollections\nOrderedDict\n)R}X\t\x00\x00\x00_metadataK\x01sb."
    assert load_bytes(checkpoint(ok))._metadata == 1


@pytest.mark.parametrize("zip_format", [True, False])
def test_unsafe_globals_are_listed_without_running_anything(torch, zip_format, marker):
    import fractions

    buf = io.BytesIO()
    torch.save(
        {"f": fractions.Fraction(1, 3), "t": torch.ones(2)},
        buf,
        _use_new_zipfile_serialization=zip_format,
    )
    found = ember.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(buf.getvalue()))
    assert found == ["fractions.Fraction"]
    evil = checkpoint(hostile_pickle([Call("os", "system", f"touch {marker}")]))
    assert ember.serialization.get_unsafe_globals_in_checkpoint(evil) == ["os.system"]
    assert not marker.exists()


def test_storages_from_other_devices_load_on_the_cpu():
    data = checkpoint(
        _tensor_pickle(numel=4, location="cuda:0"), {"data/0": np.arange(4, dtype=np.float32)}
    )
    t = load_bytes(data, map_location="cpu")
    assert t.device == "cpu" and t._np.tolist() == [0, 1, 2, 3]
    assert load_bytes(data, map_location=lambda storage, loc: storage)._np.tolist() == [0, 1, 2, 3]


def test_allowlist_covers_torchs(torch):
    """Every global torch's weights-only loader allows either maps to an ember object or is
    refused naming what ember lacks; ember allows nothing beyond it but frozenset and the
    Python 2 spellings of builtins."""
    from torch._weights_only_unpickler import _get_allowed_globals

    from ember.serializer.rebuild import TORCH_GLOBALS
    from ember.serializer.unpickler import resolve_torch_global

    unexplained = []
    for full in _get_allowed_globals():
        module, _, name = full.rpartition(".")
        try:
            if resolve_torch_global(module, name) is None:
                unexplained.append(full)
        except ember.SerializationError as exc:
            assert "does not support" in str(exc), full
    assert not unexplained
    ours = {f"{m}.{n}" for m, n in TORCH_GLOBALS}
    extra = {n for n in ours - set(_get_allowed_globals()) if not n.endswith("Storage")}
    assert extra == {"builtins.frozenset", "__builtin__.set", "__builtin__.frozenset",
                     "__builtin__.complex"}  # fmt: skip
