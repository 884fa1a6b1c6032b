"""Views (shared storage, strides, offsets), joins, gathers and matmul against torch 2.13."""

import numpy as np
import pytest

import ember
from ember.tensor import dispatch
from ops_helpers import both, sample, to_ember, to_torch_arr

VIEWS = {
    "select": lambda m, x: x.select(1, -1),
    "narrow": lambda m, x: x.narrow(2, 1, 2),
    "narrow_neg": lambda m, x: m.narrow(x, 0, -1, 1),
    "view": lambda m, x: x.view(6, 4),
    "view_infer": lambda m, x: x.view(-1),
    "view_tuple": lambda m, x: x.view((3, 8)),
    "reshape": lambda m, x: x.reshape(4, -1),
    "expand": lambda m, x: x.select(1, 0).unsqueeze(1).expand(2, 5, 4),
    "expand_new": lambda m, x: x.expand(3, -1, -1, -1),
    "t": lambda m, x: x.select(0, 1).t(),
    "transpose": lambda m, x: x.transpose(0, 2),
    "permute": lambda m, x: x.permute(2, 0, 1),
    "permute_list": lambda m, x: m.permute(x, (1, 2, 0)),
    "squeeze": lambda m, x: x.narrow(1, 0, 1).squeeze(),
    "squeeze_dim": lambda m, x: x.narrow(1, 0, 1).squeeze(1),
    "squeeze_noop": lambda m, x: x.squeeze(0),
    "unsqueeze": lambda m, x: x.unsqueeze(1),
    "unsqueeze_end": lambda m, x: m.unsqueeze(x, -1),
    "flatten": lambda m, x: x.flatten(),
    "flatten_mid": lambda m, x: x.flatten(1),
    "unflatten": lambda m, x: x.unflatten(2, (2, 2)),
    "as_strided": lambda m, x: x.as_strided((2, 2), (1, 2), 3),
    "as_strided_keep": lambda m, x: x.narrow(0, 1, 1).as_strided((3,), (2,)),
    "view_as": lambda m, x: x.view_as(x.reshape(4, 6)),
    "expand_as": lambda m, x: x.narrow(0, 0, 1).expand_as(x),
    "detach": lambda m, x: x.detach(),
    "T": lambda m, x: x.T,
    "contiguous_noop": lambda m, x: x.contiguous(),
    "to_same": lambda m, x: x.to(x.dtype),
    "slice_view": lambda m, x: (
        m.ops.aten.slice(x, 2, 1, None, 2)
        if m.__name__ == "torch"
        else dispatch.call("aten::slice.Tensor", x, 2, 1, None, 2)
    ),
}


def _check_view(torch, name, fn):
    arr = sample("float32", (2, 3, 4))
    e, t = to_ember(arr), to_torch_arr(arr)
    ev, tv = fn(ember, e), fn(torch, t)
    assert tuple(ev.shape) == tuple(tv.shape), name
    assert ev.stride() == tv.stride(), f"{name}: strides {ev.stride()} != {tv.stride()}"
    assert ev.storage_offset() == tv.storage_offset(), name
    assert ev.untyped_storage() is e.untyped_storage(), f"{name} does not share storage"
    np.testing.assert_array_equal(np.asarray(ev.numpy()), tv.numpy())
    ev.add_(1) if ev.stride().count(0) == 0 else None
    if ev.stride().count(0) == 0:
        assert float(e.sum()) == pytest.approx(float(t.sum()) + ev.numel(), rel=1e-5), name


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_share_storage(torch, name):
    _check_view(torch, name, VIEWS[name])


def test_view_errors_match_torch(torch):
    a = sample("float32", (2, 3, 4))
    both(torch, lambda m, x: x.transpose(0, 1).view(-1), a)
    both(torch, lambda m, x: x.view(5, 5), a)
    both(torch, lambda m, x: x.expand(3, 3), a)
    both(torch, lambda m, x: x.select(0, 5), a)
    both(torch, lambda m, x: x.narrow(0, 1, 5), a)
    both(torch, lambda m, x: x.permute(0, 1), a)
    both(torch, lambda m, x: x.t(), a)
    both(torch, lambda m, x: x.transpose(0, 3), a)


def test_reshape_copies_when_needed(torch):
    arr = sample("int64", (3, 4))
    e = to_ember(arr)
    r = e.t().reshape(-1)
    assert r.untyped_storage() is not e.untyped_storage()
    both(torch, lambda m, x: x.t().reshape(-1), arr)
    both(torch, lambda m, x: x.t().contiguous(), arr)
    c = e.t().contiguous()
    assert c.is_contiguous() and c.untyped_storage() is not e.untyped_storage()
    assert e.contiguous() is e


@pytest.mark.parametrize("piece", ["split", "split_sizes", "chunk", "unbind", "chunk_uneven"])
def test_splits_are_views(torch, piece):
    fns = {
        "split": lambda m, x: m.split(x, 2, dim=1),
        "split_sizes": lambda m, x: x.split([1, 4], 1),
        "chunk": lambda m, x: m.chunk(x, 2, 0),
        "unbind": lambda m, x: m.unbind(x, 1),
        "chunk_uneven": lambda m, x: x.chunk(4, 1),
    }
    arr = sample("float32", (4, 5))
    e = to_ember(arr)
    got = fns[piece](ember, e)
    assert isinstance(got, tuple)
    assert all(g.untyped_storage() is e.untyped_storage() for g in got)
    both(torch, fns[piece], arr)


def test_cat_stack(torch):
    a, b = sample("float32", (2, 3)), sample("int64", (4, 3))
    both(torch, lambda m, x, y: m.cat([x, y]), a, b)
    both(torch, lambda m, x, y: m.cat((x, y), dim=-2), a, b)
    both(torch, lambda m, x, y: m.cat([x, y], 1), a, b)
    both(torch, lambda m, x, y: m.cat([x, y.t()], 1), a, sample("float32", (5, 2)))
    both(torch, lambda m, x, y: m.cat([x, y]), a, np.zeros((0,), np.float32))
    both(torch, lambda m, x, y: m.stack([x, y]), a, sample("float16", (2, 3)))
    both(torch, lambda m, x, y: m.stack((x, y), dim=2), a, sample("float32", (2, 3)))
    both(torch, lambda m, x, y: m.stack([x, y]), a, b)
    both(torch, lambda m, x: m.cat([x]), np.array(1.0, np.float32))


def test_gather_index_select(torch):
    a = sample("float32", (3, 4))
    idx = np.array([[0, 2], [3, 1], [1, 1]], np.int64)
    both(torch, lambda m, x, i: m.gather(x, 1, i), a, idx)
    both(torch, lambda m, x, i: x.gather(0, i), a, np.array([[0, 2, 1, 2]], np.int64))
    both(torch, lambda m, x, i: x.gather(1, i), a, idx + 5)
    both(torch, lambda m, x, i: x.gather(1, i), a, idx.astype(np.int32))
    both(torch, lambda m, x, i: m.index_select(x, 0, i), a, np.array([2, 0, 2], np.int64))
    both(torch, lambda m, x, i: x.index_select(1, i), a, np.array([3, -1], np.int64))
    both(torch, lambda m, x, i: x.index_select(-1, i), a, np.array([1], np.int32))
    both(torch, lambda m, x, i: x.index_select(0, i), a, np.array([7], np.int64))


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((3,), (5, 3, 2)),
    ((5, 2, 3), (3,)),
    ((5, 1, 2, 3), (4, 3, 2)),
    ((0, 3), (3, 2)),
    ((2, 3), (4, 2)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_rank_combinations(torch, shapes):
    for d in ("float32", "float64", "int64", "float16"):
        a, b = sample(d, shapes[0], 1), sample(d, shapes[1], 2)
        tol = {"float16": 2e-3, "float32": 1e-5}.get(d, 1e-12)
        both(torch, lambda m, x, y: x @ y, a, b, rtol=tol, atol=tol)
    both(
        torch,
        lambda m, x, y: m.matmul(x, y),
        sample("float32", shapes[0]),
        sample("float64", shapes[1]),
    )


def lin(m, x, w, b=None):
    if m.__name__ == "torch":
        return m.nn.functional.linear(x, w, b)
    return m.linear(x, w, b)


def test_mm_bmm_linear(torch):
    a, b = sample("float32", (4, 3)), sample("float32", (3, 5))
    both(torch, lambda m, x, y: m.mm(x, y), a, b, rtol=1e-6, atol=1e-6)
    both(torch, lambda m, x, y: x.mm(y), a, sample("float32", (3,)))
    both(
        torch,
        lambda m, x, y: m.bmm(x, y),
        sample("float64", (2, 4, 3)),
        sample("float64", (2, 3, 5)),
        rtol=1e-12,
    )
    both(
        torch,
        lambda m, x, y: m.bmm(x, y),
        sample("float64", (2, 4, 3)),
        sample("float64", (3, 3, 5)),
    )
    w, bias = sample("float32", (6, 3)), sample("float32", (6,))

    both(torch, lin, a, w, bias, rtol=1e-6, atol=1e-6)
    both(torch, lin, a, w, rtol=1e-6, atol=1e-6)
    both(torch, lin, sample("float32", (2, 5, 3)), w, bias, rtol=1e-6, atol=1e-6)
    both(torch, lin, sample("float32", (3,)), w, bias, rtol=1e-6, atol=1e-6)
    both(torch, lin, a, sample("float32", (6, 4)), bias)
    both(torch, lin, a.astype(np.float64), w, bias)
    for d in ("float16", "bfloat16", "int64"):
        x, w, b = sample(d, (4, 8), 1), sample(d, (5, 8), 2), sample(d, (5,), 3)
        both(torch, lin, x, w, b)
        both(torch, lin, x, w)


def test_dtype_conversions(torch):
    conversions = [
        "float",
        "double",
        "half",
        "bfloat16",
        "long",
        "int",
        "short",
        "bool",
        "byte",
        "char",
    ]
    for d in ("float32", "float64", "int64", "bool", "uint8", "float16", "bfloat16"):
        arr = sample(d, (3, 4))
        for c in conversions:
            both(torch, lambda m, x: getattr(x, c)(), arr)
        both(torch, lambda m, x: x.to(m.int32), arr)
        both(torch, lambda m, x: x.to(dtype=m.float64), arr)
        both(torch, lambda m, x: x.type_as(x.double()), arr)
        both(torch, lambda m, x: x.t().float().stride(), arr)
    e = to_ember(sample("float32", (2,)))
    assert e.float() is e and e.to(ember.float32) is e
    assert e.to(ember.float32, copy=True) is not e
    assert e.clone().untyped_storage() is not e.untyped_storage()
    both(torch, lambda m, x: x.t().clone().stride(), sample("float32", (2, 3)))


def test_tensor_level_queries():
    e = to_ember(sample("float32", (2, 3)))
    assert dispatch.call("aten::size.int", e, -1) == 3
    assert dispatch.call("aten::dim", e) == 2
    assert dispatch.call("aten::numel", e) == 6
    assert dispatch.call("aten::len.Tensor", e) == 2
    assert ember.numel(e) == 6


def test_more_views_and_reinterpretation(torch):
    a = sample("float32", (2, 3, 4))
    both(torch, lambda m, x: x.view(m.int32), a)
    both(torch, lambda m, x: x.view(dtype=m.int32).stride(), a)
    both(torch, lambda m, x: x.reshape_as(x.view(4, 6).t()), a)
    both(torch, lambda m, x: x.any((0, 2)), sample("int64", (2, 3, 4)))
    both(torch, lambda m, x: x.all(dim=(1,), keepdim=True), sample("uint8", (2, 3, 4)))
    both(torch, lambda m, x: m.logical_not(x), sample("int32", (3,)))
    both(torch, lambda m, x: x.logical_not(), sample("float16", (3,)))
    e = to_ember(a)
    alias = dispatch.call("aten::alias", e)
    assert alias is not e and alias.untyped_storage() is e.untyped_storage()


def test_legacy_type_method(torch):
    for d in ("float32", "int64", "bool", "float16", "uint8"):
        both(torch, lambda m, x: x.type().replace("torch.", "ember."), sample(d, (2,)))
        both(torch, lambda m, x: x.type(m.int32), sample(d, (2,)))
        both(torch, lambda m, x: x.type("torch.DoubleTensor"), sample(d, (2,)))


def test_sort_topk_flip_repeat(torch):
    for d in ("float32", "float64", "int64", "float16"):
        a = sample(d, (3, 5), seed=11)
        if d == "int64":
            a = np.stack([np.random.default_rng(i).permutation(20)[:5] for i in range(3)])
        both(torch, lambda m, x: tuple(m.sort(x)), a)
        both(torch, lambda m, x: tuple(x.sort(0, descending=True)), a)
        both(torch, lambda m, x: m.argsort(x, dim=1, descending=True), a)
        both(torch, lambda m, x: tuple(m.topk(x, 2)), a)
        both(torch, lambda m, x: tuple(x.topk(1, dim=0, largest=False)), a)
        both(torch, lambda m, x: x.flip(0, 1), a)
        both(torch, lambda m, x: m.flip(x, [-1]), a)
        both(torch, lambda m, x: x.repeat(2, 1, 3), a)
        both(torch, lambda m, x: x.repeat(2), a)
    nan = np.array([1.0, np.nan, -2.0, 3.0], np.float32)
    both(torch, lambda m, x: tuple(x.sort()), nan)
    both(torch, lambda m, x: tuple(x.sort(descending=True)), nan)
    both(torch, lambda m, x: tuple(x.topk(5)), nan)


def test_select_to_zero_dim_is_a_view(torch):
    e = ember.arange(6.0)
    v = e.select(0, -1)
    assert v.dim() == 0 and v.storage_offset() == 5
    assert v.untyped_storage() is e.untyped_storage()
    v.fill_(9)
    assert e.tolist()[-1] == 9.0
    assert [u.storage_offset() for u in e.unbind()] == list(range(6))


def test_views_with_size_one_dims_take_torch_strides(torch):
    """numpy gives size-1 dims other strides than torch's chunk rule; views must not."""
    import itertools

    base_e, base_t = ember.arange(24.0).reshape(2, 3, 4), torch.arange(24.0).reshape(2, 3, 4)
    pick = [
        lambda x: x.narrow(0, 0, 1).narrow(1, 1, 1).permute(2, 1, 0),
        lambda x: x.permute(2, 0, 1)[:, :1],
        lambda x: x[:1, :, ::2],
        lambda x: x.transpose(0, 2),
    ]
    shapes = [(4, 1), (1, 4), (1, 4, 1), (2, 1, 2), (4, 1, 1), (1,) * 3 + (4,), (-1,), (2, 2, 1)]
    for make, shape, fn in itertools.product(pick, shapes, ("view", "reshape", "flatten")):
        e, t = make(base_e), make(base_t)
        try:
            want = t.flatten(1) if fn == "flatten" else getattr(t, fn)(shape)
        except RuntimeError:
            with pytest.raises(RuntimeError):
                getattr(e, fn)(shape)
            continue
        got = e.flatten(1) if fn == "flatten" else getattr(e, fn)(shape)
        assert (tuple(got.shape), got.stride()) == (tuple(want.shape), want.stride()), (fn, shape)
        assert got.storage_offset() == want.storage_offset()
