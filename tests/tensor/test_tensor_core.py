"""Tensor container: metadata, storages, from_numpy, ember.tensor() inference, Python conversions.

Every expectation comes from torch 2.13 run on the same input.
"""

import numpy as np
import pytest

import ember
from compare import from_torch

DATA = [
    [1, 2],
    [1, 2.5],
    [True, 1],
    [True, False],
    [1 + 2j, 1],
    [np.float64(1.5)],
    np.float64(1.5),
    np.int32(3),
    [np.int32(1), 2],
    [[1, 2], [3, 4.0]],
    [],
    [[]],
    [[], []],
    [np.array([1, 2], dtype=np.int16)],
    [1, np.array(2, dtype=np.int8)],
    3.5,
    True,
    7,
    -3j,
    [1.5, True],
    [np.bool_(True)],
    (1, 2, 3),
    [[[1], [2]], [[3], [4]]],
    np.arange(6, dtype=np.uint8).reshape(2, 3),
    np.zeros((2, 0, 3), dtype=np.float16),
    [2**63 - 1, -(2**63)],
]


def _same_meta(e, t):
    assert e.dtype.name == str(t.dtype).removeprefix("torch.")
    assert tuple(e.shape) == tuple(t.shape)
    assert e.stride() == t.stride()
    assert e.storage_offset() == t.storage_offset()


@pytest.mark.parametrize("data", DATA, ids=lambda d: repr(d)[:30])
def test_tensor_inference_matches_torch(torch, data):
    e, t = ember.tensor(data), torch.tensor(data)
    _same_meta(e, t)
    assert e.tolist() == t.tolist()
    assert e.untyped_storage().nbytes() == t.untyped_storage().nbytes()


def test_tensor_from_tensors_promotes_like_torch(torch):
    cases = [
        ([ember.tensor(1, dtype=ember.int32), 2], [torch.tensor(1, dtype=torch.int32), 2]),
        ([ember.tensor(1.0, dtype=ember.float64), 1], [torch.tensor(1.0, dtype=torch.float64), 1]),
        (
            [[1, 2], [3, ember.tensor(4.5, dtype=ember.float16)]],
            [[1, 2], [3, torch.tensor(4.5, dtype=torch.float16)]],
        ),
    ]
    for e_data, t_data in cases:
        e, t = ember.tensor(e_data), torch.tensor(t_data)
        _same_meta(e, t)
        assert e.tolist() == t.tolist()


@pytest.mark.parametrize(
    "data, exc, message",
    [
        ([[1, 2], [3]], ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
        (["a"], ValueError, "too many dimensions 'str'"),
        ([1, None], RuntimeError, "Could not infer dtype of NoneType"),
        ([2**63], ValueError, "Overflow when unpacking long long"),
        ([-(2**63) - 1], ValueError, "Overflow when unpacking long long"),
    ],
)
def test_tensor_errors_match_torch(torch, data, exc, message):
    with pytest.raises(exc) as theirs:
        torch.tensor(data)
    assert message in str(theirs.value)
    with pytest.raises(exc, match=_escape(message)):
        ember.tensor(data)


def _escape(text):
    import re

    return re.escape(text)


def test_tensor_with_dtype_converts_like_torch(torch):
    for dtype in ("int32", "uint8", "bool", "float16", "bfloat16", "float64", "complex64"):
        e = ember.tensor([1.7, -0.0, 2.0, 0.5], dtype=getattr(ember, dtype))
        if dtype == "uint8":
            e = ember.tensor([1.7, 0.0, 2.0, 0.5], dtype=ember.uint8)
            t = torch.tensor([1.7, 0.0, 2.0, 0.5], dtype=torch.uint8)
        else:
            t = torch.tensor([1.7, -0.0, 2.0, 0.5], dtype=getattr(torch, dtype))
        assert e.dtype.name == dtype
        assert e.tolist() == t.tolist()
    with pytest.raises(RuntimeError, match="without overflow"):
        ember.tensor([300], dtype=ember.uint8)


def test_tensor_copies_and_requires_grad(torch):
    base = np.arange(3.0)
    e = ember.tensor(base)
    base[0] = 9
    assert e.tolist() == [0.0, 1.0, 2.0]
    src = ember.tensor([1.0, 2.0])
    assert ember.tensor(src).untyped_storage() is not src.untyped_storage()
    assert ember.tensor([1.0], requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="floating point and complex"):
        ember.tensor([1], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point dtype"):
        ember.tensor([1]).requires_grad_()
    r = ember.tensor([1.0, 2.0]).requires_grad_()
    assert r.requires_grad and not r.requires_grad_(False).requires_grad
    with pytest.raises(RuntimeError, match="requires grad"):
        ember.tensor([1.0], requires_grad=True).numpy()


def test_from_numpy_shares_memory_and_spans_like_torch(torch):
    arrays = [
        np.arange(20, dtype=np.float32).reshape(4, 5)[1:, 2::2],
        np.arange(24, dtype=np.int16).reshape(2, 3, 4).transpose(2, 0, 1),
        np.array(5.0),
        np.zeros((0, 3), dtype=np.int64),
        np.broadcast_to(np.arange(3.0), (4, 3)),
        np.arange(10, dtype=np.complex128)[::3],
        np.array([True, False]),
    ]
    for a in arrays:
        e, t = ember.from_numpy(a), torch.from_numpy(a)
        _same_meta(e, t)
        assert e.untyped_storage().nbytes() == t.untyped_storage().nbytes()
        assert e.data_ptr() == t.data_ptr()
        assert e.data_ptr() == (a.__array_interface__["data"][0] if a.size else 0)
        assert e.is_contiguous() == t.is_contiguous()
    a = np.zeros(4, dtype=np.float32)
    e = ember.from_numpy(a)
    a[1] = 5
    e.numpy()[2] = 7
    assert e.tolist() == [0.0, 5.0, 7.0, 0.0] and a[2] == 7
    assert e.numpy() is not None and np.shares_memory(np.asarray(e), a)


def test_from_numpy_refusals_match_torch(torch):
    for bad, exc in [(np.arange(3)[::-1], ValueError), ([1], TypeError)]:
        with pytest.raises(exc):
            torch.from_numpy(bad)
        with pytest.raises(exc):
            ember.from_numpy(bad)
    with pytest.raises(TypeError, match="can't convert np.ndarray"):
        ember.from_numpy(np.array(["a"]))


def test_as_tensor_shares_when_it_can(torch):
    a = np.arange(3.0)
    shared, copied = ember.as_tensor(a), ember.as_tensor(a, dtype=ember.float32)
    a[0] = 9
    assert shared.tolist() == [9.0, 1.0, 2.0] and copied.tolist() == [0.0, 1.0, 2.0]
    assert shared.dtype is ember.float64
    t = ember.tensor([1, 2])
    assert ember.as_tensor(t) is t
    assert ember.as_tensor(t, dtype=ember.float64).dtype is ember.float64
    assert ember.as_tensor([1, 2]).dtype is ember.int64


SCALAR_CASES = [[1, 2], [], [1.5], 2.5, 3, [True], 1 + 1j, [[7]]]


@pytest.mark.parametrize("data", SCALAR_CASES, ids=repr)
def test_python_conversions_match_torch(torch, data):
    e, t = ember.tensor(data), torch.tensor(data)
    probes = [
        bool,
        int,
        float,
        complex,
        lambda x: x.__index__(),
        lambda x: x.item(),
        len,
        lambda x: x.tolist(),
        lambda x: f"{x:.2f}" if x.dim() == 0 else "",
    ]
    for probe in probes:
        assert _outcome(probe, e) == _outcome(probe, t)


def _outcome(probe, x):
    try:
        return ("ok", probe(x))
    except Exception as exc:  # the oracle's exception type and message
        return (type(exc).__name__, str(exc))


def test_item_and_tolist_give_python_numbers(torch):
    for dtype in ("float16", "bfloat16", "float32", "int8", "bool", "complex64"):
        e = ember.tensor([1.1, 0.0], dtype=getattr(ember, dtype))
        t = torch.tensor([1.1, 0.0], dtype=getattr(torch, dtype))
        assert e.tolist() == t.tolist()
        assert [type(v) for v in e.tolist()] == [type(v) for v in t.tolist()]
        assert e[:1].item() == t[:1].item() if hasattr(ember.Tensor, "__getitem__") else True
        assert ember.tensor(t.tolist()[0], dtype=e.dtype).item() == t[0].item()


def test_metadata(torch):
    e = ember.tensor([[1, 2, 3], [4, 5, 6]], dtype=ember.int32)
    t = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.int32)
    assert e.shape == t.shape and repr(e.shape) == "ember.Size([2, 3])"
    assert e.size(-1) == t.size(-1) == 3 and e.stride(0) == t.stride(0)
    assert (e.dim(), e.ndim, e.numel(), e.nelement()) == (2, 2, 6, 6)
    assert e.element_size() == t.element_size() and e.nbytes == t.nbytes
    assert e.device == "cpu" and not e.requires_grad and e.grad is None and e.is_leaf
    assert not e.is_floating_point() and not e.is_complex()
    assert ember.tensor([1.0], dtype=ember.bfloat16).is_floating_point()
    assert ember.tensor([1j]).is_complex()
    with pytest.raises(IndexError, match="Dimension out of range"):
        e.size(2)
    assert hash(e) != hash(ember.tensor([1])) and {e: 1}[e] == 1
    assert e.shape[1:] == ember.Size([3]) and isinstance(e.shape[1:], ember.Size)
    assert e.shape.numel() == 6


def test_storages(torch):
    e, t = ember.tensor([0.1, 2.0, -3.5]), torch.tensor([0.1, 2.0, -3.5])
    es, ts = e.storage(), t.untyped_storage()
    assert repr(es) == " 0.10000000149011612\n 2.0\n -3.5\n[ember.FloatStorage of size 3]"
    assert es.size() == len(es) == 3 and es.dtype is ember.float32 and es.nbytes() == 12
    assert es.tolist() == t.tolist() and es[1] == 2.0 and es[-1] == -3.5
    assert es.data_ptr() == e.data_ptr() and es.element_size() == 4
    us = e.untyped_storage()
    expected = repr(ts).replace("torch.", "ember.")
    assert repr(us) == expected
    assert us.tolist() == ts.tolist() and us[4] == ts[4] and us.nbytes() == 12
    with pytest.raises(RuntimeError, match="slices are only supported"):
        es[0:2]
    empty = ember.tensor([], dtype=ember.int32).storage()
    assert repr(empty) == " \n[ember.IntStorage of size 0]"
    assert repr(ember.tensor([True, False]).storage()).startswith(" True\n False\n")
    assert repr(ember.tensor([1.5], dtype=ember.bfloat16).storage()).startswith(" 1.5\n")
    assert (
        repr(ember.tensor([1 + 2j]).storage()) == " (1+2j)\n[ember.ComplexFloatStorage of size 1]"
    )
    es[0] = 4.0
    assert e.tolist()[0] == 4.0


def test_size_behaves_like_torch_size(torch):
    import pickle

    e, t = ember.Size([2, 3]), torch.Size([2, 3])
    for op in (
        lambda s: s + (4,),
        lambda s: (1,) + s,
        lambda s: s * 2,
        lambda s: 2 * s,
        lambda s: s[0:1],
        lambda s: s[-1],
        lambda s: pickle.loads(pickle.dumps(s)),
        lambda s: s.numel(),
        lambda s: s == (2, 3),
    ):
        assert repr(op(e)) == repr(op(t)).replace("torch.", "ember.")
    assert repr(ember.Size([])) == "ember.Size([])" and str(e) == "ember.Size([2, 3])"


def test_deepcopy_and_pickle_keep_views_and_sharing(torch):
    import copy
    import pickle

    base = ember.arange(10)
    view = base[2:5]
    view.tag = "kept"
    for copied_base, copied_view in (
        copy.deepcopy([base, view]),
        pickle.loads(pickle.dumps([base, view])),
    ):
        assert copied_view.untyped_storage() is copied_base.untyped_storage()
        assert copied_view.untyped_storage() is not base.untyped_storage()
        t_view = copy.deepcopy(torch.arange(10)[2:5])
        assert copied_view.storage_offset() == t_view.storage_offset() == 2
        assert copied_view.untyped_storage().nbytes() == t_view.untyped_storage().nbytes()
        copied_view[0] = 100
        assert copied_base[2].item() == 100 and base[2].item() == 2
        assert copied_view.tag == "kept"
    grad = copy.deepcopy(ember.tensor([1.0], requires_grad=True))
    assert grad.requires_grad and grad.tolist() == [1.0]


def test_from_storage_checks_bounds():
    from ember.tensor.tensor import from_storage

    storage = ember.UntypedStorage(16)
    view = from_storage(storage, 1, (2, 2), (0, 1), ember.float32)
    assert view.stride() == (0, 1) and view.storage_offset() == 1
    assert view.untyped_storage() is storage
    assert from_storage(storage, 4, (0,), (1,), ember.float32).storage_offset() == 4
    with pytest.raises(ValueError, match="requiring a storage size of 20 are out of bounds"):
        from_storage(storage, 1, (4,), (1,), ember.float32)
    with pytest.raises(ValueError, match="invalid view"):
        from_storage(storage, 0, (2,), (1, 1), ember.float32)


@pytest.mark.parametrize("dtype", [d.name for d in ember.dtypes.ALL_DTYPES])
def test_storage_reprs_and_sizes_of_every_dtype_match_torch(torch, dtype):
    """Element lines as torch 2.13 prints them; the label in the seeds' format (see docs)."""
    import warnings

    for values in ([], [1], [0, 1, 2], [1.5, -2.25, 1e-5], [1e10, 3], list(range(30))):
        t = torch.tensor(values).to(getattr(torch, dtype))
        e = from_torch(t)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want, typed = repr(t.storage()), t.storage()
        label = f"[ember.{e.dtype.storage_name} of size {len(values)}]"
        assert repr(e.storage()) == want[: want.rfind("[")] + label
        assert (e.storage().size(), e.storage().element_size(), e.storage().nbytes()) == (
            typed.size(), typed.element_size(), typed.nbytes())  # fmt: skip
        assert repr(e.untyped_storage()) == repr(t.untyped_storage()).replace("torch.", "ember.")
