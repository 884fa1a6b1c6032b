"""ember.save -> ember.load round trips: dtypes, views, sharing, containers, compact, mmap."""

import io
import os
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.nn.module import Module
from ember.nn.parameter import Parameter
from serialization_helpers import SAMPLES, E, V, bits, same_ember

FORMATS = [
    pytest.param({}, id="zip"),
    pytest.param({"_use_new_zipfile_serialization": False}, id="legacy"),
    pytest.param({"compact": True}, id="compact"),
]


def roundtrip(obj, **kw):
    buf = io.BytesIO()
    ember.save(obj, buf, **kw)
    buf.seek(0)
    return ember.load(buf)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_dtype_roundtrips(name, fmt):
    t = E(SAMPLES[name])
    back = roundtrip({"t": t, "0d": E(SAMPLES[name][1]), "empty": E(SAMPLES[name][:0])}, **fmt)
    same_ember(back["t"], t)
    assert back["0d"].dim() == 0 and bits(back["0d"]._np) == bits(SAMPLES[name][1])
    assert back["empty"].numel() == 0 and back["empty"].dtype.name == name


@pytest.mark.parametrize("fmt", FORMATS)
def test_views_keep_sharing(fmt):
    numbers = E(np.arange(1, 10))
    evens = V(numbers, numbers._np[1::2])
    loaded_numbers, loaded_evens = roundtrip([numbers, evens], **fmt)
    assert loaded_evens.untyped_storage() is loaded_numbers.untyped_storage()
    loaded_evens._np[:] *= 2
    assert loaded_numbers._np.tolist() == [1, 4, 3, 8, 5, 12, 7, 16, 9]


def test_each_storage_written_once():
    base = E(np.arange(1000, dtype=np.float32))
    views = [V(base, base._np[i : i + 10]) for i in range(0, 1000, 100)]
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.save(views + [base], buf)
    assert 4000 < len(buf.getvalue()) < 6000


@pytest.mark.parametrize("fmt", FORMATS)
def test_noncontiguous_and_expanded(fmt):
    m = E(np.arange(12, dtype=np.float64).reshape(3, 4))
    t = V(m, m._np.T)
    small = E(np.zeros(4, np.float32))
    expanded = V(small, np.broadcast_to(small._np, (4, 4)))
    back_t, back_m, back_x = roundtrip([t, m, expanded], **fmt)
    same_ember(back_t, t)
    assert back_t.stride() == (1, 4)
    assert back_x.stride() == (0, 1) and back_x.untyped_storage().nbytes() == 16


def test_expanded_writes_only_its_base():
    small = E(np.zeros(4, np.float32))
    big = V(small, np.broadcast_to(small._np, (1000, 4)))
    buf = io.BytesIO()
    ember.save(big, buf)
    assert len(buf.getvalue()) < 2000  # 16 bytes of data, not 16000


@pytest.mark.parametrize("fmt", FORMATS)
def test_nested_containers_and_plain_values(fmt):
    t = E(np.ones(2, np.int32))
    obj = {
        "list": [t, (t, {"x": t}), None, 3, 2.5, "s", b"raw", True],
        "set": {1, 2},
        "complex": 1 + 2j,
        "dtype": ember.float32,
        "size": ember.Size([2, 3]),
    }
    back = roundtrip(obj, **fmt)
    a, (b, c), *rest = back["list"]
    assert a is b and b is c["x"]
    assert rest == [None, 3, 2.5, "s", b"raw", True]
    assert back["set"] == {1, 2} and back["complex"] == 1 + 2j
    assert back["dtype"] is ember.float32
    assert back["size"] == (2, 3) and type(back["size"]) is ember.Size


@pytest.mark.parametrize("fmt", FORMATS)
def test_state_dict_metadata_and_parameters(fmt):
    p = Parameter(E(np.arange(4, dtype=np.float32)), requires_grad=True)
    frozen = Parameter(E(np.zeros(2, np.float32)), requires_grad=False)
    sd = OrderedDict([("w", p), ("f", frozen), ("n", E(np.array(7)))])
    sd._metadata = OrderedDict([("", {"version": 1}), ("l0", {"version": 1})])
    back = roundtrip(sd, **fmt)
    assert type(back) is OrderedDict and list(back) == ["w", "f", "n"]
    assert back._metadata == sd._metadata
    assert type(back["w"]) is Parameter and back["w"].requires_grad
    assert type(back["f"]) is Parameter and not back["f"].requires_grad
    same_ember(back["w"], p)


def test_requires_grad_roundtrips_on_tensors():
    t = E(np.ones(3, np.float32))
    t.requires_grad = True
    assert roundtrip(t).requires_grad


def test_compact_writes_only_reached_bytes():
    large = E(np.arange(1, 1000))
    small = V(large, large._np[0:5])
    buf = io.BytesIO()
    ember.save(small, buf, compact=True)
    assert len(buf.getvalue()) < 2000  # 40 bytes of data, not 7992
    loaded = ember.load(io.BytesIO(buf.getvalue()))
    assert loaded.storage().size() == 5 and loaded._np.tolist() == [1, 2, 3, 4, 5]


def test_compact_keeps_overlapping_views_overlapping():
    large = E(np.arange(1, 1000))
    a, b = V(large, large._np[0:5]), V(large, large._np[2:7])
    far = V(large, large._np[900:902])
    la, lb, lfar = roundtrip([a, b, far], compact=True)
    assert la.untyped_storage() is lb.untyped_storage()
    assert la.untyped_storage().nbytes() == 7 * 8
    assert lfar.untyped_storage() is not la.untyped_storage()
    la._np[3] = -1
    assert lb._np.tolist() == [3, -1, 5, 6, 7] and lb.storage_offset() == 2
    assert lfar._np.tolist() == [901, 902] and lfar.storage_offset() == 0


def test_bloat_warning_names_compact():
    large = E(np.arange(1, 1000))
    with pytest.warns(UserWarning, match="compact=True"):
        ember.save(V(large, large._np[0:5]), io.BytesIO())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.save(large, io.BytesIO())
        ember.save(V(large, large._np[0:5]), io.BytesIO(), compact=True)


def test_bloat_warning_points_at_the_callers_line(tmp_path):
    large = E(np.arange(1, 1000))
    for target in (io.BytesIO(), tmp_path / "small.pt"):
        with pytest.warns(UserWarning, match="compact=True") as caught:
            ember.save(V(large, large._np[0:5]), target)
        assert caught[0].filename == __file__


def test_storages_saved_as_themselves_are_not_bloat():
    large = E(np.arange(1, 1000))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.save([V(large, large._np[0:5]), large.untyped_storage()], io.BytesIO())
        ember.save([V(large, large._np[0:5]), large.storage()], io.BytesIO())


@pytest.mark.parametrize("legacy", [False, True])
def test_compact_keeps_a_saved_storage_shared_with_its_views(legacy):
    large = E(np.arange(1, 1000))
    other = E(np.arange(100.0))
    obj = [V(large, large._np[3:5]), large.storage(), V(other, other._np[10:12])]
    a, storage, b = roundtrip(obj, compact=True, _use_new_zipfile_serialization=not legacy)
    assert a.untyped_storage() is storage.untyped() and storage.size() == 999
    assert a.storage_offset() == 3 and a.tolist() == [4, 5]
    assert b.untyped_storage().nbytes() == 16 and b.tolist() == [10, 11]


def test_save_to_path_is_atomic_and_keeps_old_file_on_failure(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"a": E(np.ones(3))}, path)
    before = path.read_bytes()

    class Boom:
        def __reduce__(self):
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        ember.save({"a": E(np.zeros(3)), "b": Boom()}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.pt"]
    assert ember.load(path)["a"]._np.tolist() == [1, 1, 1]


def test_archive_prefix_follows_file_name(tmp_path):
    from ember.serializer.zipreader import ZipReader

    ember.save(E(np.ones(1)), tmp_path / "a.b.c.pth")
    assert ZipReader(tmp_path / "a.b.c.pth").prefix == "a.b.c"
    buf = io.BytesIO()
    ember.save(E(np.ones(1)), buf)
    assert ZipReader(buf.getvalue()).prefix == "archive"
    with pytest.raises(ember.SerializationError, match="invalid file name"):
        ember.save(E(np.ones(1)), tmp_path / ".hidden")


def test_mmap_load_views_the_file(tmp_path):
    path = tmp_path / "big.pt"
    base = E(np.arange(100_000, dtype=np.float32))
    ember.save({"a": base, "b": V(base, base._np[10:20])}, path)
    loaded = ember.load(path, mmap=True)
    assert not loaded["a"].untyped_storage()._buf.flags.owndata
    assert loaded["b"].untyped_storage() is loaded["a"].untyped_storage()
    assert loaded["b"]._np.tolist() == list(range(10, 20))
    loaded["a"]._np[0] = 42  # copy-on-write: the file stays as saved
    assert ember.load(path)["a"]._np[0] == 0
    with pytest.raises(ember.SerializationError, match="path"):
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)


def test_mmap_refuses_legacy_files(tmp_path):
    path = tmp_path / "old.pt"
    ember.save(E(np.ones(2)), path, _use_new_zipfile_serialization=False)
    with pytest.raises(ember.SerializationError, match="zip"):
        ember.load(path, mmap=True)


def test_bare_storages_roundtrip():
    t = E(np.arange(4, dtype=np.int16))
    typed, untyped = roundtrip([t.storage(), t.untyped_storage()])
    assert typed.dtype is ember.int16 and typed.tolist() == [0, 1, 2, 3]
    assert untyped.nbytes() == 8


class TinyModule(Module):
    pass


def test_whole_module_needs_weights_only_false():
    m = TinyModule()
    m.w = Parameter(E(np.ones(2, np.float32)))
    buf = io.BytesIO()
    ember.save(m, buf)
    with pytest.raises(ember.SerializationError, match="weights_only=False"):
        ember.load(io.BytesIO(buf.getvalue()))
    back = ember.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert isinstance(back, Module) and back.w._np.tolist() == [1, 1]


def _sample_state():
    base = E(np.arange(6, dtype=np.float32))
    sd = OrderedDict(
        [
            ("w", Parameter(base)),
            ("v", V(base, base._np[1::2])),
            ("d", [ember.bfloat16, ember.bool, ember.Size([1, 2])]),
            ("u", E(np.arange(3, dtype=np.uint8)).untyped_storage()),
        ]
    )
    sd._metadata = OrderedDict([("", {"version": 1})])
    return sd


def test_fast_and_pure_python_picklers_write_the_same_bytes(monkeypatch):
    from ember.serializer import pickler

    fast = pickler.dump_checkpoint(_sample_state(), pickler.StorageTable())
    monkeypatch.setattr(pickler, "_rename_globals", lambda data, used: None)
    slow = pickler.dump_checkpoint(_sample_state(), pickler.StorageTable())
    assert fast == slow
    assert b"ember" not in fast


def test_placeholder_text_in_user_data_falls_back_safely():
    tricky = "\ncember.dtypes\nfloat32\n"
    back = roundtrip({tricky: ember.float32, "t": E(np.ones(2))})
    assert back[tricky] is ember.float32 and back["t"]._np.tolist() == [1, 1]


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_other_pickle_protocols(protocol):
    back = roundtrip(_sample_state(), pickle_protocol=protocol)
    assert back["v"].untyped_storage() is back["w"].untyped_storage()
    assert back["d"] == [ember.bfloat16, ember.bool, (1, 2)]


def test_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "missing.pt")
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "missing.pt", mmap=True)
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(ember.SerializationError):
        ember.load(tmp_path / "empty.pt")
    with pytest.raises(ember.SerializationError):
        ember.load(tmp_path / "empty.pt", mmap=True)
