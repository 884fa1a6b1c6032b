"""Indexing and assignment: views share storage as torch 2.13's do; advanced indices copy."""

import numpy as np
import pytest

import ember
from ember.tensor import dispatch

SHAPE = (4, 5, 6)

INDICES = [
    0,
    -1,
    slice(1, 3),
    slice(None, None, 2),
    slice(-100, 100),
    slice(3, 1),
    slice(1, None, 3),
    (1, 2),
    (1, 2, 3),
    (slice(None), 1),
    (Ellipsis, 2),
    (1, Ellipsis),
    (None, 1),
    (1, None, slice(None), None),
    (Ellipsis, None),
    Ellipsis,
    (),
    True,
    False,
    (slice(1, None), None, Ellipsis, None),
    [0, 2],
    [[0, 1], [2, 3]],
    (slice(None), [0, 1], [2, 3]),
    ([0, 1], slice(None), [2, 3]),
    ([0, -1], 1),
    (1, [True, False, True, False, True]),
    (Ellipsis, [5, 0]),
    (Ellipsis, Ellipsis),
    (Ellipsis, 1, Ellipsis),
    (1, Ellipsis, 2, Ellipsis),
    ([], slice(None)),
]


def _pair(torch):
    t = torch.arange(np.prod(SHAPE)).reshape(SHAPE)
    e = ember.arange(np.prod(SHAPE)).reshape(SHAPE)
    return e, t


@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_getitem_matches_torch(torch, index):
    e, t = _pair(torch)
    got, want = e[index], t[index]
    assert got.shape == tuple(want.shape) and got.tolist() == want.tolist()
    assert got.dtype is ember.int64
    if want._base is not None or want.data_ptr() == t.data_ptr():  # a view in torch
        assert got.untyped_storage() is e.untyped_storage()
        assert got.stride() == want.stride()
        if want.numel():  # known gap: numpy puts empty slices at offset 0
            assert got.storage_offset() == want.storage_offset()
    else:
        assert got.untyped_storage() is not e.untyped_storage()


def test_tensor_and_mask_indices(torch):
    e, t = _pair(torch)
    mask_e, mask_t = e % 3 == 0, t % 3 == 0
    assert e[mask_e].tolist() == t[mask_t].tolist()
    assert e[0][mask_e[0]].tolist() == t[0][mask_t[0]].tolist()
    assert e[mask_e[:, :, 0]].shape == tuple(t[mask_t[:, :, 0]].shape)
    index = [[0, 3], [1, 1]]
    assert e[ember.tensor(index)].tolist() == t[torch.tensor(index)].tolist()
    assert e[ember.tensor(index, dtype=ember.int32)].shape == (2, 2, 5, 6)
    assert e[np.array([1, 2])].tolist() == t[np.array([1, 2])].tolist()
    assert e[ember.tensor(2)].tolist() == t[torch.tensor(2)].tolist()
    assert e[ember.tensor(2)].untyped_storage() is e.untyped_storage()  # 0-d int: select
    assert e[ember.tensor(True)].shape == tuple(t[torch.tensor(True)].shape)


@pytest.mark.parametrize(
    "index, exc, message",
    [
        (4, IndexError, "index 4 is out of bounds for dimension 0 with size 4"),
        ((0, 9), IndexError, "index 9 is out of bounds for dimension 1 with size 5"),
        ((0, 0, 0, 0), IndexError, "too many indices for tensor of dimension 3"),
        (slice(None, None, -1), ValueError, "step must be greater than zero"),
        (1.5, IndexError, "only integers, slices"),
        ([7], IndexError, "index 7 is out of bounds for dimension 0 with size 4"),
    ],
)
def test_getitem_errors_match_torch(torch, index, exc, message):
    e, t = _pair(torch)
    with pytest.raises(exc) as theirs:
        t[index]
    assert message in str(theirs.value)
    with pytest.raises(exc, match=message.replace("(", r"\(").replace(".", r"\.")):
        e[index]


def test_zero_dim_indexing(torch):
    e, t = ember.tensor(5), torch.tensor(5)
    assert e[()].tolist() == t[()].tolist() == 5
    assert e[None].shape == tuple(t[None].shape) and e[...].shape == ()
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        e[0]


SETS = [
    (0, 7),
    ((1, 2), -1),
    ((slice(None), 0), 3.9),
    ((Ellipsis, 1), "row"),
    ([0, 2], 9),
    ((slice(None), [1, 3], [0, 5]), 11),
    ((1, slice(1, 4)), "block"),
    ("mask", 0),
    ((slice(None, None, 2), slice(None, None, 3)), "broadcast"),
]


@pytest.mark.parametrize("index, value", SETS, ids=repr)
def test_setitem_writes_through_like_torch(torch, index, value):
    e, t = _pair(torch)
    view_e, view_t = e[1], t[1]  # a view that must see every write
    if index == "mask":
        index_e, index_t = e % 4 == 1, t % 4 == 1
    else:
        index_e = index_t = index
    if value == "row":
        value_e, value_t = ember.arange(5) * 10, torch.arange(5) * 10
    elif value == "block":
        value_e, value_t = ember.ones(3, 6, dtype=ember.int64), torch.ones(3, 6, dtype=torch.int64)
    elif value == "broadcast":
        value_e, value_t = ember.tensor([[100], [200]]), torch.tensor([[100], [200]])
    else:
        value_e = value_t = value
    e[index_e] = value_e
    t[index_t] = value_t
    assert e.tolist() == t.tolist()
    assert view_e.tolist() == view_t.tolist()


def test_setitem_value_kinds(torch):
    e = ember.zeros(3)
    e[0] = np.float32(1.5)
    e[1:] = ember.tensor([2, 3])
    e[np.array([0])] = 4
    assert e.tolist() == [4.0, 2.0, 3.0]
    with pytest.raises(TypeError, match="can't assign a list to a ember.FloatTensor"):
        e[0] = [1]
    t = torch.zeros(3)
    with pytest.raises(TypeError, match="can't assign a list to a torch.FloatTensor"):
        t[0] = [1]


def test_iteration_and_len(torch):
    e, t = _pair(torch)
    rows = list(e)
    assert len(rows) == len(e) == 4
    assert [r.tolist() for r in rows] == [r.tolist() for r in t]
    assert all(r.untyped_storage() is e.untyped_storage() for r in rows)
    assert [r.storage_offset() for r in rows] == [r.storage_offset() for r in t]
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ember.tensor(1))
    flat = ember.tensor([1.0, 2.0])
    items = list(flat)
    items[1].fill_(5.0)
    assert flat.tolist() == [1.0, 5.0]  # 0-d items are views too, as in torch


def test_indexing_goes_through_the_op_table():
    e = ember.arange(12).reshape(3, 4)
    seen = []

    def hook(op, args, kwargs):
        seen.append(op.qualified_name)
        return dispatch.call(op, *args, **kwargs)

    with dispatch.dispatch_hook(hook):
        e[1, None, 1:3]
        e[:, [0, 2]]
        e[0, 0] = 5
        e[[0, 1]] = 0
        e[0] = ember.tensor([1, 2, 3, 4])
    assert seen == [
        "aten::select.int",
        "aten::unsqueeze",
        "aten::slice.Tensor",
        "aten::slice.Tensor",
        "aten::index.Tensor",
        "aten::select.int",
        "aten::select.int",
        "aten::fill_.Scalar",
        "aten::index_put_",
        "aten::select.int",
        "aten::copy_",
    ]


def test_seed_views_share_storage(torch):
    a = ember.zeros(4).expand(4, 4)
    assert a.size() == ember.Size([4, 4]) and repr(a.size()) == "ember.Size([4, 4])"
    assert repr(a.storage()) == " 0.0\n 0.0\n 0.0\n 0.0\n[ember.FloatStorage of size 4]"
    assert a.stride() == torch.zeros(4).expand(4, 4).stride() == (0, 1)

    numbers = ember.arange(1, 10)
    evens = numbers[1::2]
    assert evens.untyped_storage() is numbers.untyped_storage()
    evens *= 2
    assert repr(numbers) == "tensor([ 1,  4,  3,  8,  5, 12,  7, 16,  9])"

    big = ember.zeros(1000000)
    slice1, slice2 = big[:1000], big[:10]
    assert slice1.untyped_storage() is slice2.untyped_storage() is big.untyped_storage()
    slice2[0] = 1
    assert repr(slice1[0]) == "tensor(1.)"

    large = ember.arange(1, 1000)
    small = large[0:5]
    assert small.storage().size() == 999
    assert small.clone().storage().size() == 5


def test_contains_matches_torch(torch):
    e, t = ember.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    for probe in (2, 5, 2.0):
        assert (probe in e) == (probe in t)
    assert ember.tensor(2) in e
    with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
        "a" in e


def test_printing_runs_no_table_ops():
    seen = []

    def hook(op, args, kwargs):
        seen.append(op.qualified_name)
        return dispatch.call(op, *args, **kwargs)

    e = ember.arange(2000.0).reshape(40, 50)
    with dispatch.dispatch_hook(hook):
        repr(e), str(e[0:1]), e.tolist(), e.storage()
    assert seen == ["aten::slice.Tensor"]


def _random_index(rng, shape):
    """A random index mixing ints, slices, None, ..., lists and masks for `shape`."""
    items, dim, used_ellipsis, advanced = [], 0, False, 0
    while dim < len(shape) and rng.random() < 0.8:
        size, roll = shape[dim], rng.random()
        if roll < 0.1:
            items.append(None)
            continue
        if roll < 0.15 and not used_ellipsis:
            items.append(Ellipsis)
            used_ellipsis = True
            break
        if roll < 0.4 and size:
            items.append(int(rng.integers(-size, size)))
        elif roll < 0.75 or advanced >= 2 or not size:
            start, stop = (int(v) for v in rng.integers(-size - 2, size + 2, 2))
            items.append(slice(start, stop, int(rng.integers(1, 4))))
        elif roll < 0.9:
            items.append([int(v) for v in rng.integers(-size, size, int(rng.integers(1, 4)))])
            advanced += 1
        else:
            items.append([bool(v) for v in rng.random(size) < 0.5])
            advanced += 1
        dim += 1
    return tuple(items)


def test_random_indices_match_torch(torch):
    rng = np.random.default_rng(7)
    for _ in range(300):
        shape = tuple(int(s) for s in rng.integers(0, 5, int(rng.integers(1, 4))))
        e = ember.arange(int(np.prod(shape))).reshape(shape)
        t = torch.arange(int(np.prod(shape))).reshape(shape)
        index = _random_index(rng, shape)
        try:
            want = t[index]
        except (IndexError, RuntimeError, ValueError) as exc:
            with pytest.raises(type(exc)):
                e[index]
            continue
        got = e[index]
        assert tuple(got.shape) == tuple(want.shape), index
        assert got.tolist() == want.tolist(), index
        if want.numel() and want._base is not None:
            assert got.untyped_storage() is e.untyped_storage(), index
            assert (got.stride(), got.storage_offset()) == (want.stride(), want.storage_offset())
        e[index] = -1
        t[index] = -1
        assert e.tolist() == t.tolist(), index


def test_select_of_1d_is_a_view_that_writes_through(torch):
    for m in (ember, torch):
        t = m.arange(4)
        t.select(0, 1).fill_(7)
        t.unbind(0)[2].fill_(9)
        t[3].fill_(5)
        assert t.tolist() == [0, 7, 9, 5]
    t = ember.arange(4)
    assert t[1].untyped_storage() is t.untyped_storage() and t[1].storage_offset() == 1


@pytest.mark.parametrize(
    "index",
    [3, (3, slice(1, 5)), (Ellipsis, 2), (None, 2), (-1, -1), slice(2, 9, 3), (1, None, ...)],
    ids=repr,
)
def test_basic_index_fast_path_matches_torch_and_the_traced_path(torch, index):
    t = ember.arange(100).reshape(10, 10)
    fast = t[index]
    with dispatch.dispatch_hook(lambda op, args, kwargs: dispatch.call(op, *args, **kwargs)):
        slow = t[index]
    want = torch.arange(100).reshape(10, 10)[index]
    for got in (fast, slow):
        assert got.tolist() == want.tolist()
        assert got.stride() == want.stride()
        assert got.storage_offset() == want.storage_offset()
        assert got.untyped_storage() is t.untyped_storage()
