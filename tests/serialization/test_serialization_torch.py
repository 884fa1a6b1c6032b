"""Interop with torch 2.13 both ways: torch.load reads ember's files, ember.load reads torch's."""

import io
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.nn.parameter import Parameter
from serialization_helpers import SAMPLES, E, V, same_as_torch, torch_from

EMBER_FORMATS = [
    pytest.param({}, id="zip"),
    pytest.param({"_use_new_zipfile_serialization": False}, id="legacy"),
    pytest.param({"compact": True}, id="compact"),
]
TORCH_FORMATS = [
    pytest.param(True, id="zip"),
    pytest.param(False, id="legacy"),
]


def ember_to_torch(obj, torch, **kw):
    buf = io.BytesIO()
    ember.save(obj, buf, **kw)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def torch_to_ember(obj, torch, zip_format=True):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=zip_format)
    buf.seek(0)
    return ember.load(buf)


def shares(a, b):
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


@pytest.mark.parametrize("fmt", EMBER_FORMATS)
def test_torch_reads_every_dtype(torch, fmt):
    obj = {name: E(arr) for name, arr in SAMPLES.items()}
    obj.update({f"{name}_0d": E(arr[0]) for name, arr in SAMPLES.items()})
    obj.update({f"{name}_empty": E(arr[:0]) for name, arr in SAMPLES.items()})
    back = ember_to_torch(obj, torch, **fmt)
    assert list(back) == list(obj)
    for key, e in obj.items():
        same_as_torch(e, back[key])


@pytest.mark.parametrize("zip_format", TORCH_FORMATS)
def test_ember_reads_every_dtype(torch, zip_format):
    obj = {name: E(arr) for name, arr in SAMPLES.items()}
    tobj = {k: torch_from(e, torch) for k, e in obj.items()}
    tobj["0d"] = torch.tensor(2.5, dtype=torch.float64)
    tobj["empty"] = torch.zeros(0, 3, dtype=torch.int32)
    back = torch_to_ember(tobj, torch, zip_format)
    for key, t in tobj.items():
        same_as_torch(back[key], t)


@pytest.mark.parametrize("fmt", EMBER_FORMATS)
def test_torch_sees_views_and_sharing(torch, fmt):
    base = E(np.arange(24, dtype=np.float32).reshape(4, 6))
    obj = {
        "b": V(base, base._np[1:, 2::2]),
        "t": V(base, base._np.T),
        "c": base,
        "x": V(E(np.arange(3.0)), np.broadcast_to(np.arange(3.0), (5, 3))),
    }
    obj["x"] = (lambda s: V(s, np.broadcast_to(s._np, (5, 3))))(E(np.arange(3.0)))
    back = ember_to_torch(obj, torch, **fmt)
    for key in obj:
        same_as_torch(obj[key], back[key])
    assert shares(back["b"], back["c"]) and shares(back["t"], back["c"])
    back["c"][1, 2] = -1
    assert back["b"][0, 0].item() == -1
    assert back["x"].stride() == (0, 1) and back["x"].untyped_storage().nbytes() == 24


@pytest.mark.parametrize("zip_format", TORCH_FORMATS)
def test_ember_sees_torch_views_and_sharing(torch, zip_format):
    base = torch.arange(24, dtype=torch.int64).reshape(4, 6)
    tobj = [base[1:, 2::2], base.t(), base, torch.zeros(3).expand(5, 3), base[3, 5]]
    back = torch_to_ember(tobj, torch, zip_format)
    for e, t in zip(back, tobj):
        same_as_torch(e, t)
    assert back[0].untyped_storage() is back[2].untyped_storage()
    assert back[4].untyped_storage() is back[2].untyped_storage()
    assert back[3].untyped_storage().nbytes() == 12


@pytest.mark.parametrize("zip_format", TORCH_FORMATS)
def test_torch_reads_compact_overlapping_views(torch, zip_format):
    large = E(np.arange(1, 1000))
    a, b = V(large, large._np[0:5]), V(large, large._np[2:7])
    ta, tb = ember_to_torch([a, b], torch, compact=True, _use_new_zipfile_serialization=zip_format)
    assert shares(ta, tb) and ta.untyped_storage().nbytes() == 56
    assert tb.storage_offset() == 2 and tb.tolist() == [3, 4, 5, 6, 7]
    ta[3] = -1
    assert tb[1].item() == -1


def test_torch_reads_compact_files_with_bare_storages(torch):
    large = E(np.arange(1, 1000))
    empty = E(np.zeros(0, np.float32))
    obj = [V(large, large._np[3:5]), large.storage(), empty.untyped_storage()]
    view, storage, untyped = ember_to_torch(obj, torch, compact=True)
    assert view.untyped_storage().data_ptr() == storage.untyped().data_ptr()
    assert storage.size() == 999 and view.tolist() == [4, 5] and untyped.nbytes() == 0


@pytest.mark.parametrize("fmt", EMBER_FORMATS)
def test_state_dict_with_metadata_and_parameters(torch, fmt):
    sd = OrderedDict(
        [
            ("l0.weight", Parameter(E(np.ones((2, 4), np.float32)))),
            ("l0.bias", Parameter(E(np.zeros(2, np.float32)), requires_grad=False)),
            ("n", E(np.array(0))),
        ]
    )
    sd._metadata = OrderedDict([("", {"version": 1}), ("l0", {"version": 1})])
    back = ember_to_torch(sd, torch, **fmt)
    assert type(back) is OrderedDict and back._metadata == sd._metadata
    assert isinstance(back["l0.weight"], torch.nn.Parameter)
    assert back["l0.weight"].requires_grad and not back["l0.bias"].requires_grad
    again = torch_to_ember(back, torch)
    assert again._metadata == sd._metadata
    assert type(again["l0.weight"]) is Parameter and again["l0.weight"].requires_grad
    assert type(again["l0.bias"]) is Parameter and not again["l0.bias"].requires_grad


def test_ember_reads_torch_module_state_dict(torch):
    torch.manual_seed(0)
    bn = torch.nn.BatchNorm1d(3)
    lin = torch.nn.Linear(4, 2)
    sd = OrderedDict(list(bn.state_dict().items()) + list(lin.state_dict().items()))
    back = torch_to_ember(bn.state_dict(), torch)
    assert list(back) == list(bn.state_dict())
    assert back._metadata == bn.state_dict()._metadata
    back2 = torch_to_ember(sd, torch)
    for key, t in sd.items():
        same_as_torch(back2[key], t)


def test_nested_containers_cross_the_boundary(torch):
    t = E(np.arange(3, dtype=np.int16))
    obj = {"l": [t, (t, 1, 2.5, "s", None, True)], "d": {"k": {"kk": t}}, "b": b"x\x00y"}
    back = ember_to_torch(obj, torch)
    assert back["l"][0] is back["l"][1][0] is back["d"]["k"]["kk"]
    assert back["l"][1][1:] == (1, 2.5, "s", None, True) and back["b"] == b"x\x00y"
    again = torch_to_ember(back, torch)
    assert again["l"][0] is again["d"]["k"]["kk"] and again["b"] == b"x\x00y"


def test_dtypes_and_sizes_as_values(torch):
    back = ember_to_torch({"dt": ember.bfloat16, "size": ember.Size([2, 3])}, torch)
    assert back["dt"] is torch.bfloat16 and back["size"] == torch.Size([2, 3])
    again = torch_to_ember({"dt": torch.int16, "size": torch.Size([4])}, torch)
    assert again["dt"] is ember.int16 and again["size"] == ember.Size([4])


def test_zip_layout_matches_torch(torch, tmp_path):
    sd = {"a": torch.ones(3), "b": torch.zeros(2, dtype=torch.int64)}
    torch.save(sd, tmp_path / "t.pt")
    ember.save(torch_to_ember(sd, torch), tmp_path / "e.pt")
    tz, ez = zipfile.ZipFile(tmp_path / "t.pt"), zipfile.ZipFile(tmp_path / "e.pt")
    strip = [n.split("/", 1)[1] for n in tz.namelist()]
    assert strip == [n.split("/", 1)[1] for n in ez.namelist()]
    assert tz.read("t/data.pkl") == ez.read("e/data.pkl")
    for name in ("data/0", "data/1", "version", ".format_version", "byteorder"):
        assert tz.read(f"t/{name}") == ez.read(f"e/{name}")
    raw = (tmp_path / "e.pt").read_bytes()
    for info in ez.infolist():
        assert info.flag_bits == 0x0808 and info.compress_type == 0
        name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
        assert raw[info.header_offset + 30 + name_len :][:2] == b"FB"
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0
    assert ez.testzip() is None


def test_torch_mmap_reads_ember_file(torch, tmp_path):
    ember.save({"w": E(np.arange(1000, dtype=np.float32))}, tmp_path / "m.pt")
    back = torch.load(tmp_path / "m.pt", mmap=True, weights_only=True)
    assert back["w"][999].item() == 999


def test_ember_mmap_reads_torch_file(torch, tmp_path):
    torch.save({"w": torch.arange(1000.0), "v": torch.arange(5)}, tmp_path / "m.pt")
    back = ember.load(tmp_path / "m.pt", mmap=True)
    assert back["w"].numpy()[999] == 999 and back["v"].numpy().tolist() == list(range(5))


@pytest.mark.parametrize("zip_format", TORCH_FORMATS)
def test_ember_reads_torch_conj_and_neg_bits(torch, zip_format):
    z = torch.tensor([1 + 2j, 3 - 1j], dtype=torch.complex64)
    back = torch_to_ember([z.conj(), z._neg_view()], torch, zip_format)
    assert back[0].numpy().tolist() == [1 - 2j, 3 + 1j]
    assert back[1].numpy().tolist() == [-1 - 2j, -3 + 1j]


def test_unsupported_torch_dtype_is_named(torch):
    buf = io.BytesIO()
    torch.save(torch.zeros(2, dtype=torch.uint16), buf)
    with pytest.raises(ember.SerializationError, match="uint16"):
        ember.load(io.BytesIO(buf.getvalue()))


def test_torchscript_archive_is_refused_with_advice(torch):
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.ReLU()), buf)
    with pytest.raises(ember.SerializationError, match="jit.load"):
        ember.load(io.BytesIO(buf.getvalue()))


def test_big_endian_files_are_byteswapped(torch, tmp_path):
    from ember.serializer.zipreader import ZipReader
    from ember.serializer.zipwriter import ZipWriter

    buf = io.BytesIO()
    ember.save({"a": E(np.arange(4, dtype=np.int32)), "b": E(np.array([1.5, -2.0]))}, buf)
    little = ZipReader(buf.getvalue())
    big = io.BytesIO()
    with ZipWriter(big, "archive") as w:
        for name in little.names():
            data = little.read(name)
            if name == "byteorder":
                data = b"big"
            elif name.startswith("data/"):
                size = 4 if name == "data/0" else 8
                data = np.frombuffer(data, f"<i{size}").astype(f">i{size}").tobytes()
            w.write_record(name, data)
    back = ember.load(io.BytesIO(big.getvalue()))
    ref = torch.load(io.BytesIO(big.getvalue()), weights_only=True)
    assert back["a"]._np.tolist() == ref["a"].tolist() == [0, 1, 2, 3]
    assert back["b"]._np.tolist() == ref["b"].tolist() == [1.5, -2.0]


def _stream(save, zip_format):
    """41, a checkpoint, 43, a checkpoint: pickles and checkpoints in one stream."""
    f = io.BytesIO()
    pickle.dump(41, f)
    save([1.5, E(np.arange(3))], f, zip_format)
    if not zip_format:  # a zip archive must run to the end of the file
        pickle.dump(43, f)
        save({"b": E(np.ones(2, np.float32))}, f, zip_format)
    return f.getvalue()


def _read_stream(data, load, zip_format):
    f = io.BytesIO(data)
    out = [pickle.load(f), load(f)]
    if not zip_format:
        out += [pickle.load(f), load(f)]
    return out


@pytest.mark.parametrize("zip_format", TORCH_FORMATS)
def test_checkpoints_inside_a_stream_both_ways(torch, tmp_path, zip_format):
    def torch_save(obj, f, z):
        torch.save(
            [obj[0], torch.arange(3)] if isinstance(obj, list) else {"b": torch.ones(2)},
            f,
            _use_new_zipfile_serialization=z,
        )

    def ember_save(obj, f, z):
        ember.save(obj, f, _use_new_zipfile_serialization=z)

    expected = [41, [1.5, [0, 1, 2]], 43, {"b": [1.0, 1.0]}][: 2 if zip_format else 4]

    def plain(values):
        out = []
        for v in values:
            if isinstance(v, list):
                v = [v[0], v[1].tolist()]
            elif isinstance(v, dict):
                v = {"b": v["b"].tolist()}
            out.append(v)
        return out

    theirs = _stream(torch_save, zip_format)
    assert plain(_read_stream(theirs, ember.load, zip_format)) == expected
    ours = _stream(ember_save, zip_format)
    load = lambda f: torch.load(f, weights_only=True)  # noqa: E731
    assert plain(_read_stream(ours, load, zip_format)) == expected
    path = tmp_path / "stream.bin"
    path.write_bytes(theirs)
    with open(path, "rb") as f:  # a real file: read with pread from its position
        assert pickle.load(f) == 41 and ember.load(f)[1].tolist() == [0, 1, 2]
        if not zip_format:
            assert pickle.load(f) == 43 and ember.load(f)["b"].tolist() == [1, 1]
