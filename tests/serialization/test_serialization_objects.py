"""Objects around tensors: attributes on tensors and parameters, Tensor subclasses, devices,
and the parts of PyTorch's format ember lacks (refused with a message naming them)."""

import io

import numpy as np
import pytest

import ember
import fuzz_corpus
import fuzz_pickle
from ember.nn.parameter import Parameter
from serialization_helpers import E


def to_torch(obj, torch, **kw):
    buf = io.BytesIO()
    ember.save(obj, buf, **kw)
    return torch.load(io.BytesIO(buf.getvalue()), weights_only=True)


def from_torch(obj, torch, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return ember.load(io.BytesIO(buf.getvalue()))


FORMATS = [{}, {"_use_new_zipfile_serialization": False}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_tensor_and_parameter_attributes_cross_both_ways(torch, fmt):
    t = E(np.arange(3.0))
    t.note = "kept"
    p = Parameter(E(np.ones(2, np.float32)))
    p.tag, p.step = "w", 3
    back = to_torch([t, p], torch, **fmt)
    assert type(back[0]) is torch.Tensor and back[0].note == "kept"
    assert type(back[1]) is torch.nn.Parameter and (back[1].tag, back[1].step) == ("w", 3)
    assert back[0].tolist() == [0, 1, 2] and back[1].requires_grad
    again = from_torch(back, torch, **fmt)
    assert type(again[0]) is ember.Tensor and again[0].note == "kept"
    assert type(again[1]) is Parameter and again[1].tag == "w" and again[1].step == 3
    assert again[0].tolist() == [0, 1, 2]


def test_attributes_cannot_shadow_tensor_methods(torch):
    t = torch.ones(2)
    t.__dict__["numpy"] = 1  # what a hostile file could try: replace a method
    with pytest.raises(ember.SerializationError, match="bad tensor state"):
        from_torch(t, torch)


class Tagged(ember.Tensor):
    pass


def test_tensor_subclass_needs_trust():
    t = Tagged._make(np.arange(4.0))
    t.unit = "m"
    buf = io.BytesIO()
    ember.save(t, buf)
    with pytest.raises(ember.SerializationError, match="Tagged"):
        ember.load(io.BytesIO(buf.getvalue()))
    with ember.serialization.safe_globals([Tagged]):
        back = ember.load(io.BytesIO(buf.getvalue()))
    assert type(back) is Tagged and back.unit == "m" and back.tolist() == [0, 1, 2, 3]
    back = ember.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert type(back) is Tagged and back.unit == "m"


def test_buffer_saves_as_a_tensor_with_its_flag(torch):
    b = ember.nn.Buffer(E(np.ones(2)), persistent=False)
    back = to_torch(b, torch)
    assert type(back) is torch.Tensor and back.persistent is False


@pytest.mark.parametrize("fmt", FORMATS)
def test_devices_cross_both_ways(torch, fmt):
    devices = [ember.device("cpu"), ember.device("cuda", 1), ember.device("cpu", 0)]
    back = to_torch(devices, torch, **fmt)
    assert back == [torch.device("cpu"), torch.device("cuda", 1), torch.device("cpu", 0)]
    again = from_torch(back, torch, **fmt)
    assert all(type(d) is ember.device for d in again)
    assert [str(d) for d in again] == ["cpu", "cuda:1", "cpu:0"]


def test_torch_tensor_class_as_a_value(torch):
    assert from_torch({"cls": torch.Tensor, "p": torch.nn.Parameter}, torch) == {
        "cls": ember.Tensor,
        "p": Parameter,
    }


@pytest.mark.parametrize(
    "make, feature",
    [
        (lambda torch: torch.zeros(2, 2).to_sparse(), "sparse"),
        (lambda torch: torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.qint8), "quantized"),
        (lambda torch: torch.empty(2, device="meta"), "meta"),
        (lambda torch: torch.ones(2, dtype=torch.uint32), "uint32"),
    ],
)
def test_formats_ember_lacks_are_named(torch, make, feature):
    buf = io.BytesIO()
    torch.save(make(torch), buf)
    for weights_only in (True, False):
        with pytest.raises(ember.SerializationError, match=feature) as info:
            ember.load(io.BytesIO(buf.getvalue()), weights_only=weights_only)
        assert "add_safe_globals" not in str(info.value)


def test_torch_objects_ember_lacks_are_not_offered_to_the_allowlist(torch):
    buf = io.BytesIO()
    torch.save(torch.nn.ReLU(), buf)
    with pytest.raises(ember.SerializationError, match="PyTorch's own") as info:
        ember.load(io.BytesIO(buf.getvalue()))
    assert "torch.nn.modules.activation.ReLU" in str(info.value)
    assert "add_safe_globals" not in str(info.value)
    with pytest.raises(ember.SerializationError, match="ember does not have"):
        ember.load(io.BytesIO(buf.getvalue()), weights_only=False)


def test_v3_rebuild_of_an_untyped_storage_is_read(torch):
    """`_rebuild_tensor_v3` (untyped storage + dtype global), which torch uses for newer dtypes."""
    from collections import OrderedDict

    class V3:
        def __init__(self, t):
            self.t = t

        def __reduce__(self):
            t = self.t
            args = (t.untyped_storage(), 1, (2,), (2,), False, OrderedDict(), t.dtype)
            return torch._utils._rebuild_tensor_v3, args

    base = torch.arange(6, dtype=torch.bfloat16)
    buf = io.BytesIO()
    torch.save([V3(base), V3(torch.tensor([1 + 2j, 3j, 5, 7]))], buf)
    theirs = torch.load(io.BytesIO(buf.getvalue()), weights_only=True)
    ours = ember.load(io.BytesIO(buf.getvalue()))
    assert ours[0].dtype is ember.bfloat16 and ours[0].tolist() == theirs[0].tolist() == [1, 3]
    assert ours[1].tolist() == theirs[1].tolist() == [3j, 7]
    assert ours[0].stride() == theirs[0].stride() == (2,) and ours[0].storage_offset() == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_lazy_conj_and_neg_views_keep_their_layout(torch, fmt):
    z = torch.arange(12.0).reshape(4, 3) * (1 + 2j)
    saved = [z.conj(), z.t().conj(), z[1:, ::2].conj(), z._neg_view(), z]
    back = from_torch(saved, torch, **fmt)
    for ours, theirs in zip(back, saved):
        assert ours.tolist() == theirs.resolve_conj().resolve_neg().tolist()
        assert ours.stride() == theirs.stride()
        assert ours.storage_offset() == theirs.storage_offset()
    conj_storages = {id(t.untyped_storage()) for t in back[:3]}
    assert len(conj_storages) == 1  # one conjugated copy, shared by the conj views
    assert back[3].untyped_storage() is not back[4].untyped_storage()


def test_expanded_conj_view_does_not_allocate_its_logical_size(torch):
    t = torch.zeros(1, dtype=torch.complex64).expand(2**40).conj()  # 8 TiB if materialized
    back = from_torch(t, torch)
    assert tuple(back.shape) == (2**40,) and back.stride() == (0,)
    assert back.untyped_storage().nbytes() == 8


def test_negating_a_bool_tensor_is_refused(torch):
    buf = io.BytesIO()
    torch.save(torch.ones(2, dtype=torch.bool), buf)
    data = fuzz_corpus.ZipReader(buf.getvalue()).read("data.pkl")
    ops = fuzz_pickle.decode(data)
    reduce_at = max(i for i, (name, _) in enumerate(ops) if name == "TUPLE")
    ops[reduce_at:reduce_at] = [("EMPTY_DICT", None), ("UNICODE", "neg"), ("NEWTRUE", None),
                                ("SETITEM", None)]  # fmt: skip
    bad = fuzz_corpus.repack(buf.getvalue(), {"data.pkl": fuzz_pickle.encode(ops)})
    with pytest.raises(ember.SerializationError, match="negate a bool"):
        ember.load(io.BytesIO(bad))
