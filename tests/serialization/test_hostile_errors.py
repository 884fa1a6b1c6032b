"""Raw Python errors that escaped `ember.load` / `ember.jit.load` (issue 13, finding 5), and the
guard at the entry points that turns any left into a SerializationError with the cause."""

import io
import pickle
import struct

import numpy as np
import pytest

import ember
from crafted import checkpoint
from hostile_files import (
    PROTO,
    STOP,
    global_op,
    jit_archive,
    legacy_file,
    saved,
    tensor_with_metadata,
)


def test_tensor_called_from_a_pickle_is_a_whole_tensor(torch):
    """`torch.Tensor()` from a file built a half-initialised tensor whose repr raised."""
    pkl = PROTO + global_op("torch", "Tensor") + b")R" + STOP
    loaded = ember.load(io.BytesIO(checkpoint(pkl)))
    expected = torch.load(io.BytesIO(checkpoint(pkl)), weights_only=True)
    assert repr(loaded) == repr(expected) == "tensor([])"
    assert loaded.dtype == ember.float32 and loaded.shape == (0,)


@pytest.mark.parametrize(
    "args", [b"K\x05\x85", b"]K\x01a\x85", b"\x8a\x08" + b"\xff" * 7 + b"\x7f\x85"]
)
def test_tensor_called_with_arguments_is_refused(args):
    pkl = PROTO + global_op("torch", "Tensor") + args + b"R" + STOP
    with pytest.raises(ember.SerializationError, match="torch.Tensor"):
        ember.load(io.BytesIO(checkpoint(pkl)))


def test_legacy_storage_keys_of_mixed_types_are_refused():
    obj = pickle.dumps([1, 2], protocol=2)
    data = legacy_file(obj, pickle.dumps([1, "a"], protocol=2))
    with pytest.raises(ember.SerializationError, match="storage key"):
        ember.load(io.BytesIO(data))


@pytest.mark.parametrize("metadata", [{"conj": True}, {"neg": True}, {"conj": True, "neg": True}])
def test_conj_or_neg_metadata_on_bool_is_an_ember_error(metadata):
    data = checkpoint(tensor_with_metadata("BoolStorage", metadata), {"data/0": b"\x01\x00"})
    with pytest.raises(ember.SerializationError, match="bool|complex"):
        ember.load(io.BytesIO(data))


def test_conj_metadata_on_real_tensors_is_refused_as_torch_refuses_it(torch):
    data = checkpoint(tensor_with_metadata("FloatStorage", {"conj": True}), {"data/0": bytes(8)})
    with pytest.raises(ember.SerializationError, match="only complex tensors"):
        ember.load(io.BytesIO(data))
    with pytest.raises(RuntimeError):
        torch.load(io.BytesIO(data), weights_only=True)
    negated = checkpoint(
        tensor_with_metadata("FloatStorage", {"neg": True}), {"data/0": b"\0\0\x80?" * 2}
    )
    assert ember.load(io.BytesIO(negated)).tolist() == [-1.0, -1.0]


class _NoReadinto:
    """A stream with read, seek and tell only (no readinto), as some wrappers are."""

    def __init__(self, data: bytes):
        self._f = io.BytesIO(data)

    def read(self, n=-1):
        return self._f.read(n)

    def seek(self, pos, whence=0):
        return self._f.seek(pos, whence)

    def tell(self):
        return self._f.tell()


@pytest.mark.parametrize("legacy", [False, True])
def test_streams_without_readinto_load(legacy):
    data = saved([ember.tensor([1.0, 2.0]), "x"], _use_new_zipfile_serialization=not legacy)
    back = ember.load(_NoReadinto(data))
    assert back[0].tolist() == [1.0, 2.0] and back[1] == "x"


def test_streams_without_readinto_load_archives():
    m = ember.jit.load(_NoReadinto(jit_archive()))
    assert m(ember.ones(2)).shape == (1,)


@pytest.mark.parametrize(
    "raised",
    [KeyError("k"), IndexError("i"), TypeError("t"), ValueError("v"), AttributeError("a"),
     struct.error("s"), OverflowError("o"), RecursionError("r"), MemoryError(),
     UnicodeDecodeError("utf-8", b"\xff", 0, 1, "u")],
)  # fmt: skip
def test_no_raw_error_escapes_load(monkeypatch, raised):
    from ember.serializer import zipformat

    def broken(*args, **kwargs):
        raise raised

    monkeypatch.setattr(zipformat, "check_version", broken)
    with pytest.raises(ember.SerializationError) as info:
        ember.load(io.BytesIO(saved([1])))
    assert info.value.__cause__ is raised


def test_no_raw_error_escapes_jit_load(monkeypatch):
    from ember.serializer import archive

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(archive.ScriptArchive, "_read_version", broken)
    with pytest.raises(ember.SerializationError) as info:
        ember.jit.load(io.BytesIO(jit_archive()))
    assert isinstance(info.value.__cause__, KeyError)


def test_argument_errors_are_not_wrapped(tmp_path):
    with pytest.raises(TypeError):
        ember.load(io.BytesIO(saved([1])), bogus=1)
    with pytest.raises(TypeError):
        ember.load(12345)
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "missing.pt")
    with pytest.raises(ValueError, match="does not exist"):  # torch.jit.load's error
        ember.jit.load(tmp_path / "missing.pt")

    def refuse(storage, location):
        raise ValueError("the user's own error")

    data = saved([ember.tensor(np.ones(2))])
    with pytest.raises(ValueError, match="user's own"):
        ember.load(io.BytesIO(data), map_location=refuse)
