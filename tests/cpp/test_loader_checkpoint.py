"""`ember.cpp.load_checkpoint`: the tensors of checkpoints ember.save and torch.save wrote, by
name, with their dtypes, views and shared storages; a weights-only unpickler that names the
global it refuses; damaged checkpoints fail with an ember error and never crash."""

import contextlib
import io
import random
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
import ember.cpp
import ember.nn as nn
from crafted import Call, checkpoint, hostile_pickle, tensor_pickle
from ember.errors import EmberError, SerializationError


def _load(tmp_path, data: bytes, name="ck.pt"):
    path = tmp_path / name
    path.write_bytes(data)
    return ember.cpp.load_checkpoint(str(path))


def _values(t) -> np.ndarray:
    return np.asarray(t.numpy())


def test_an_ember_state_dict(tmp_path):
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    path = tmp_path / "sd.pt"
    ember.save(model.state_dict(), str(path))
    got = ember.cpp.load_checkpoint(str(path))
    want = model.state_dict()
    assert sorted(got) == sorted(want)
    for name, t in want.items():
        np.testing.assert_array_equal(_values(got[name]), _values(t))


def test_a_torch_state_dict_with_views_dtypes_and_shared_storage(tmp_path):
    torch.manual_seed(0)
    base = torch.randn(4, 5)
    sd = OrderedDict(
        base=base,
        row=base[1],  # a view: offset into the same storage
        col=base[:, 2],  # strided
        t=base.t(),
        half=torch.randn(3).half(),
        bf16=torch.randn(3).bfloat16(),
        long=torch.arange(6).view(2, 3),
        flag=torch.tensor([True, False]),
        double=torch.randn(2, dtype=torch.float64),
        scalar=torch.tensor(7),
    )
    path = tmp_path / "torch.pt"
    torch.save(sd, path)
    got = ember.cpp.load_checkpoint(str(path))
    assert sorted(got) == sorted(sd)
    for name, t in sd.items():
        want = t.float().numpy() if t.dtype == torch.bfloat16 else t.numpy()
        have = _values(got[name])
        assert have.shape == want.shape, name
        np.testing.assert_array_equal(have.astype(want.dtype), want, err_msg=name)
        assert str(got[name].dtype).replace("ember.", "") == str(t.dtype).replace("torch.", "")


def test_nested_dicts_flatten_to_dotted_names(tmp_path):
    path = tmp_path / "nested.pt"
    torch.save({"model": {"w": torch.ones(2)}, "epoch": 3, "opt": {"lr": 0.1}}, path)
    got = ember.cpp.load_checkpoint(str(path))
    assert list(got) == ["model.w"]


def test_a_forbidden_global_is_named(tmp_path):
    pkl = hostile_pickle({"x": Call("os", "system", "echo hi")})
    with pytest.raises(SerializationError, match="unsupported global 'os.system'"):
        _load(tmp_path, checkpoint(pkl))


def test_a_view_past_its_storage_is_refused(tmp_path):
    pkl = tensor_pickle(4, size=(8,))
    with pytest.raises(SerializationError, match="reaches element 7 of a storage of 4"):
        _load(tmp_path, checkpoint(pkl, {"data/0": bytes(16)}))


def test_a_storage_larger_than_its_record_is_refused(tmp_path):
    pkl = tensor_pickle(2**40)
    with pytest.raises(SerializationError, match="holds 16 bytes, fewer than"):
        _load(tmp_path, checkpoint(pkl, {"data/0": bytes(16)}))


def test_the_legacy_format_is_refused(tmp_path):
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf, _use_new_zipfile_serialization=False)
    with pytest.raises(SerializationError, match="legacy"):
        _load(tmp_path, buf.getvalue())


def test_damaged_checkpoints_never_crash(tmp_path):
    buf = io.BytesIO()
    torch.save(OrderedDict(a=torch.randn(3, 4), b=torch.arange(5)), buf)
    data = buf.getvalue()
    path = tmp_path / "bad.pt"
    for cut in range(0, len(data), 7):
        path.write_bytes(data[:cut])
        with pytest.raises(SerializationError):
            ember.cpp.load_checkpoint(str(path))
    rng, refused = random.Random(3), 0
    for _ in range(500):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        path.write_bytes(bytes(b))
        try:
            ember.cpp.load_checkpoint(str(path))
        except EmberError:
            refused += 1
    assert refused > 0


def test_hostile_pickles_never_crash(tmp_path):
    rng = random.Random(4)
    good = tensor_pickle(4)
    ops = [b"(", b"t", b"0", b"2", b"a", b"e", b"s", b"u", b"R", b"b", b"]", b"}", b")", b"N",
           b"q\x00", b"h\x00", b"h\x07", b"\x85", b"\x86", b"\x87", b"Q", b"\x93", b"\x81",
           b"K\x01", b"\x8c\x01a", b"\x8a\x09" + bytes(9), b"X\xff\xff\xff\x7f"]  # fmt: skip
    path = tmp_path / "hostile.pt"
    for _ in range(400):
        body = b"".join(rng.choice(ops) for _ in range(rng.randint(1, 40)))
        cut = rng.randrange(2, len(good) - 1)
        for pkl in (b"\x80\x02" + body + b".", good[:cut] + body + good[cut:]):
            path.write_bytes(checkpoint(pkl, {"data/0": bytes(16)}))
            with contextlib.suppress(EmberError):
                ember.cpp.load_checkpoint(str(path))
