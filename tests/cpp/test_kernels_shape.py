"""The C++ shape, creation and indexing kernels (cpp_loader/src/kernels/shape*, create*,
index*) give what ember's Python kernels give on the same arguments: values, dtypes, shapes
and strides, views sharing the input's memory, and errors where Python raises."""

import math
from pathlib import Path

import numpy as np
import pytest
import torch

import ember
import ember.cpp
from ember.ops import table
from ember.tensor import dispatch

_OPS_TEXT = """
aten::item aten::ScalarImplicit aten::zeros aten::ones aten::empty.memory_format aten::full
aten::zeros_like aten::ones_like aten::empty_like aten::full_like aten::arange
aten::arange.start aten::arange.start_step aten::linspace aten::logspace aten::eye aten::eye.m
aten::rand aten::randn aten::rand_like aten::randn_like aten::randint aten::randint.low
aten::isnan aten::isinf aten::isfinite aten::tril aten::triu aten::amax aten::amin
aten::nonzero aten::count_nonzero aten::cat aten::stack aten::gather aten::index_select
aten::index.Tensor aten::clone aten::type_as aten::select.int aten::slice.Tensor aten::narrow
aten::view aten::reshape aten::expand aten::expand_as aten::t aten::transpose.int
aten::permute aten::squeeze aten::squeeze.dim aten::squeeze.dims aten::unsqueeze
aten::flatten.using_ints aten::unflatten.int aten::as_strided aten::view_as aten::reshape_as
aten::detach aten::alias aten::contiguous aten::to.dtype aten::size.int aten::size aten::dim
aten::numel aten::len.Tensor aten::sort aten::argsort aten::topk aten::flip aten::repeat
aten::unbind.int aten::split.Tensor aten::split_with_sizes aten::split.sizes aten::split
aten::chunk aten::view.dtype aten::real aten::imag aten::view_as_real aten::view_as_complex
"""
OPS = _OPS_TEXT.split()


def _split_args(name, args, kwargs):
    """(every schema argument for C++, positional and keyword arguments for Python)."""
    op = table.get(name)
    full, pos, kw = [], [], {}
    for i, a in enumerate(op.schema.arguments):
        if i < len(args):
            value = args[i]
        elif a.name in kwargs:
            value = kwargs[a.name]
        else:
            full.append(a.default)
            continue
        full.append(value)
        if a.kwarg_only:
            kw[a.name] = value
        else:
            pos.append(value)
    return full, pos, kw


def run(name, *args, **kwargs):
    """(C++ result, Python result) of op `name`; both must raise or neither."""
    op = table.get(name)
    full, pos, kw = _split_args(name, args, kwargs)
    n = len(op.schema.returns)
    try:
        want = dispatch.call(op, *pos, **kw)
    except Exception as e:  # noqa: BLE001 - any Python error must be a C++ error too
        with pytest.raises(ember.cpp.CppRuntimeError):
            ember.cpp._call_op(name, *full, num_outputs=n)
        return e, None
    got = ember.cpp._call_op(name, *full, num_outputs=n)
    return got, want


def same(got, want, strides=True, rtol=0.0):
    if isinstance(want, ember.Tensor):
        assert isinstance(got, ember.Tensor), (got, want)
        assert got.dtype == want.dtype and tuple(got.shape) == tuple(want.shape), (got, want)
        g, w = got.numpy(), want.numpy()
        if g.dtype.kind == "V" or g.dtype.itemsize == 2 and g.dtype.kind == "f":
            g, w = g.astype(np.float32), w.astype(np.float32)
        if rtol:  # libm's pow and numpy's may differ in the last bit
            assert np.allclose(g, w, rtol=rtol, atol=0, equal_nan=True), (got, want)
        else:
            assert np.array_equal(g, w, equal_nan=g.dtype.kind in "fc"), (got, want)
        if strides and want.numel() > 0:  # a size-1 dim's stride means nothing
            g, w = ([s for s, n in zip(t.stride(), t.shape) if n > 1] for t in (got, want))
            assert g == w, (got.stride(), want.stride())
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w, strides, rtol)
    else:
        assert type(got) is type(want) and (got == want or got != got and want != want)


def check(name, *args, strides=True, rtol=0.0, **kwargs):
    got, want = run(name, *args, **kwargs)
    if want is not None:
        same(got, want, strides, rtol)
    return got, want


def check_view(name, base, *args, **kwargs):
    """Equal to Python's result, sharing base's memory (at the same address) exactly when
    Python's does: views share, and ops that copy only when they must copy then."""
    got, want = check(name, base, *args, **kwargs)
    if want is None:
        return
    for g, w in zip(got, want) if isinstance(want, list) else [(got, want)]:
        if w.numel():
            shares = np.shares_memory(w.numpy(), base.numpy())
            assert np.shares_memory(g.numpy(), base.numpy()) == shares
            assert not shares or g.data_ptr() == w.data_ptr()


def tensors():
    x = ember.arange(24.0).reshape(2, 3, 4)
    return {
        "contig": x,
        "transposed": x.transpose(0, 2),
        "stepped": x[:, ::2, 1:],
        "expanded": ember.arange(3.0).reshape(3, 1).expand(3, 4),
        "scalar": ember.tensor(2.5),
        "empty": ember.zeros(0, 3),
        "int": ember.arange(12).reshape(3, 4),
        "bool": ember.tensor([[True, False], [False, True]]),
        "half": ember.arange(6.0).reshape(2, 3).to(ember.float16),
        "unit": ember.arange(6.0).reshape(1, 6, 1),
    }


T = tensors()
ALL = list(T)


# --- views ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ALL)
def test_dim_views(key):
    x = T[key]
    for d in (0, 1, -1, 3, -4):
        check_view("aten::select.int", x, d, 1)
        check_view("aten::select.int", x, d, -1)
        check_view("aten::unsqueeze", x, d)
        check_view("aten::squeeze.dim", x, d)
        check_view("aten::transpose.int", x, d, -1)
        check_view("aten::narrow", x, d, 1, 1)
        check_view("aten::narrow", x, d, -2, 2)
        check_view("aten::unbind.int", x, d)
        check_view("aten::flatten.using_ints", x, d, -1)
        check_view("aten::flatten.using_ints", x, 0, d)
    check_view("aten::select.int", x, 0, 7)
    check_view("aten::narrow", x, 0, 0, 9)
    for args in ((0, None, None, 1), (-1, 1, None, 2), (0, -5, 2, 1), (1, 3, 1, 1), (0, 0, 1, 0)):
        check_view("aten::slice.Tensor", x, *args)
    for f in ("aten::squeeze", "aten::t", "aten::detach", "aten::alias"):
        check_view(f, x)
    check_view("aten::squeeze.dims", x, [0, -1])
    check_view("aten::squeeze.dims", x, [0, 0])
    check_view("aten::permute", x, list(range(x.dim()))[::-1])
    check_view("aten::permute", x, [0] * x.dim())
    if key in ("contig", "int", "transposed", "stepped"):
        # the binding hands C++ the memory the tensor spans, from its first element
        check_view("aten::as_strided", x, [2, 2], [1, 2], None)
    if key in ("contig", "int"):
        check_view("aten::as_strided", x, [2], [1], 1)


@pytest.mark.parametrize("key", ALL)
def test_reshapes(key):
    x = T[key]
    n = x.numel()
    shapes = [[n], [-1], [1, n, 1], [n, -1], [-1, 2], [5, 7], [-1, -1], [2, -1, 2], []]
    shapes.append([2**62, 4, -1])  # overflows int64
    for shape in shapes:
        check_view("aten::view", x, shape)
        check_view("aten::reshape", x, shape)
    check_view("aten::view_as", x, ember.zeros(n))
    check_view("aten::reshape_as", x, ember.zeros(n, 1))
    if x.dim():
        check_view("aten::unflatten.int", x, -1, [1, x.shape[-1]])
        check_view("aten::unflatten.int", x, 0, [-1, 1])
        check_view("aten::unflatten.int", x, 0, [5, 5])
        check_view("aten::expand", x, [2, *x.shape])
        check_view("aten::expand", x, [-1] * x.dim())
        check_view("aten::expand_as", x, ember.zeros(3, *x.shape))
    check_view("aten::expand", x, [4, 5, 6, 7])
    check_view("aten::expand", x, [])


def test_view_strides_follow_torch_where_numpy_differs():
    base = torch.arange(24.0).reshape(4, 1, 6)[:, :, ::2].transpose(0, 2)
    x = ember.tensor(np.arange(24.0, dtype=np.float32)).reshape(4, 1, 6)[:, :, ::2]
    x = x.transpose(0, 2)
    for shape in ([3, 4], [3, 1, 4], [1, 3, 4, 1], [12]):
        got = ember.cpp._call_op("aten::reshape", x, shape)
        assert got.stride() == base.reshape(shape).stride()
    with pytest.raises(ember.cpp.CppRuntimeError, match="view size is not compatible"):
        ember.cpp._call_op("aten::view", x, [12])


def test_views_write_through_to_the_base():
    x = ember.zeros(3, 4)
    row = ember.cpp._call_op("aten::select.int", x, 0, 1)
    col = ember.cpp._call_op("aten::transpose.int", x, 0, 1)
    row.fill_(5.0)
    assert x[1].tolist() == [5.0] * 4 and col[:, 1].tolist() == [5.0] * 4


def test_as_strided_checks_bounds():
    x = T["contig"]
    check_view("aten::as_strided", x, [2, 3], [12, 4], 0)
    for size, stride, offset in (([2, 13], [12, 1], 0), ([2], [-1], 1), ([1], [1], 24)):
        with pytest.raises(ember.cpp.CppRuntimeError):
            ember.cpp._call_op("aten::as_strided", x, size, stride, offset)


@pytest.mark.parametrize("key", ALL)
def test_queries_and_conversions(key):
    x = T[key]
    for d in (0, -1, 5):
        check("aten::size.int", x, d)
    for f in ("aten::size", "aten::dim", "aten::numel", "aten::len.Tensor"):
        check(f, x)
    got, want = check("aten::contiguous", x)
    assert (got.data_ptr() == x.data_ptr()) == (want.data_ptr() == x.data_ptr())
    for dtype in (ember.float64, ember.int32, ember.bool, x.dtype):
        for copy in (False, True):
            got, want = check("aten::to.dtype", x, dtype, False, copy)
            assert (got.data_ptr() == x.data_ptr()) == (want.data_ptr() == x.data_ptr())
    check("aten::type_as", x, ember.zeros(1, dtype=ember.int16))
    check("aten::clone", x)


def test_clone_keeps_torch_layouts():
    for make in (
        lambda m: m.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1),
        lambda m: m.arange(24.0).reshape(2, 3, 4)[:, ::2].transpose(0, 2),
        lambda m: m.arange(4.0).reshape(4, 1).expand(2, 4, 3),
        lambda m: m.arange(3.0).reshape(3, 1).t(),
    ):
        got = ember.cpp._call_op("aten::clone", make(ember), None)
        assert got.stride() == make(torch).clone().stride()
        assert got.tolist() == make(torch).tolist()
    x = ember.arange(24.0).reshape(1, 2, 3, 4)
    got = ember.cpp._call_op("aten::clone", x, 2)  # channels_last
    want = torch.arange(24.0).reshape(1, 2, 3, 4).clone(memory_format=torch.channels_last)
    assert got.stride() == want.stride() and got.tolist() == want.tolist()


@pytest.mark.parametrize("key", ALL)
def test_splits(key):
    x = T[key]
    for d in (0, -1):
        for size in (1, 2, 5, 0, -1):
            check_view("aten::split.Tensor", x, size, d)
        for chunks in (1, 2, 3, 7, 0):
            check_view("aten::chunk", x, chunks, d)
        n = x.shape[d] if x.dim() else 0
        for f in ("aten::split_with_sizes", "aten::split.sizes", "aten::split"):
            check_view(f, x, [n - 1, 1] if n else [0], d)
            check_view(f, x, [n], d)
            check_view(f, x, [n, 1], d)


def test_dtype_views():
    x = ember.arange(16.0).reshape(4, 4)
    for base in (x, x[:, 2:], x[1:], x.t(), x[:0]):
        for dtype in (ember.int32, ember.int8, ember.float64, ember.int16, ember.complex64):
            check_view("aten::view.dtype", base, dtype)
    check_view("aten::view.dtype", ember.tensor(1.0), ember.int8)
    z = ember.tensor([[1 + 2j, 3 - 4j], [5j, 6.0]], dtype=ember.complex64)
    for base in (z, z.t(), z[1:], ember.tensor(1 + 1j)):
        for f in ("aten::real", "aten::imag", "aten::view_as_real"):
            check_view(f, base)
    check_view("aten::real", x)
    check_view("aten::imag", x)
    check_view("aten::view_as_real", x)
    y = ember.arange(12.0, dtype=ember.float64).reshape(3, 2, 2)
    for base in (y, y[1:], y[:, :, :1], y.transpose(0, 1), x, ember.arange(4).reshape(2, 2)):
        check_view("aten::view_as_complex", base)


# --- joins and copies ----------------------------------------------------------------


def test_cat_and_stack():
    a, b = T["contig"], T["transposed"].transpose(0, 2)
    ints = ember.arange(24).reshape(2, 3, 4)
    for d in (0, 1, -1, 3):
        check("aten::cat", [a, b, ints], d)
        check("aten::stack", [a, b, ints[:, :, :]], d)
        check("aten::stack", [a], d)
    check("aten::cat", [a, a[:, :1]], 1)
    check("aten::cat", [a, a[:, :1]], 0)
    check("aten::cat", [ember.zeros(0), a, ember.zeros(0, dtype=ember.float64)], -1)
    check("aten::cat", [ember.zeros(0), ember.zeros(0, dtype=ember.int8)], 0)
    check("aten::cat", [T["scalar"], T["scalar"]], 0)
    check("aten::cat", [a, a[0]], 0)
    check("aten::cat", [], 0)
    check("aten::stack", [], 0)
    check("aten::stack", [a, a[0]], 0)
    check("aten::stack", [T["scalar"], T["scalar"].to(ember.int64)], 0)
    check("aten::cat", [T["bool"], T["bool"]], 1)


@pytest.mark.parametrize("key", ALL)
def test_copies(key):
    x = T[key]
    for dims in ([0], [-1], [0, -1], [], [0, 0], [5]):
        check("aten::flip", x, dims)
    for reps in ([2] * x.dim(), [1, 2, 3, 1, 2][: max(x.dim(), 1) + 1], [0] * x.dim(), [1]):
        check("aten::repeat", x, reps)
    for diagonal in (0, 1, -1, 5, -9):
        check("aten::tril", x, diagonal)
        check("aten::triu", x, diagonal)


# --- indexing ------------------------------------------------------------------------


def test_gather_and_index_select():
    x = T["contig"]
    idx = ember.tensor([[[0, 1, 2, 0]], [[2, 2, 1, 0]]])
    check("aten::gather", x, 1, idx, False)
    check("aten::gather", x.transpose(0, 2), 0, ember.tensor([[[1, 0]], [[3, 2]]]), False)
    check("aten::gather", x, -1, idx.to(ember.int32), False)
    check("aten::gather", x, 1, idx + 3, False)
    check("aten::gather", x, 1, idx.to(ember.float32), False)
    check("aten::gather", x, 1, idx[0], False)
    check("aten::gather", T["scalar"], 0, ember.tensor([0, 0]), False)
    check("aten::gather", x, 0, ember.zeros(0, 1, 1, dtype=ember.int64), False)
    for d in (0, 1, -1):
        for index in ([0], [1, 0, 1], [], [5], [-1]):
            check("aten::index_select", x, d, ember.tensor(index, dtype=ember.int64))
        check("aten::index_select", x.transpose(0, 2), d, ember.tensor(1))
        check("aten::index_select", x, d, ember.tensor([0, 1], dtype=ember.int32))
    check("aten::index_select", T["scalar"], 0, ember.tensor([0, 0]))
    check("aten::index_select", x, 0, ember.tensor([[0]]))
    check("aten::index_select", x, 0, ember.tensor([0.0]))


def test_advanced_index():
    x = T["contig"]
    i, j = ember.tensor([1, 0]), ember.tensor([[2], [0]])
    mask = ember.tensor([[True, False, True], [False, True, True]])
    for indices in (
        [i],
        [None, j],
        [i, j],
        [i, None, ember.tensor([3, 1])],
        [None, None, j.to(ember.int32)],
        [mask],
        [None, ember.tensor([True, False, True])],
        [mask, ember.tensor([0, 2, 1, 2])],
        [ember.tensor([0, 1]), mask[0]],
        [None],
        [],
        [ember.tensor([5])],
        [i, i, i, i],
        [ember.tensor([True, False])],
        [ember.tensor([0.0])],
        [i, ember.tensor([0, 1, 2])],
    ):
        # torch and numpy lay the result out after the input, each its own way: values only
        check("aten::index.Tensor", x, indices, strides=False)
        check("aten::index.Tensor", x.transpose(0, 2), indices, strides=False)
    # where ember's Python kernel refuses what torch takes: negative positions, and a
    # position checked against the dim after a mask's dims
    t = torch.arange(24.0).reshape(2, 3, 4)
    got = ember.cpp._call_op("aten::index.Tensor", x, [None, ember.tensor([-1, 0])])
    assert got.tolist() == t[:, torch.tensor([-1, 0])].tolist()
    got = ember.cpp._call_op("aten::index.Tensor", x, [mask, ember.tensor([0, 3, 1, 3])])
    assert got.tolist() == t[torch.tensor(mask.tolist()), torch.tensor([0, 3, 1, 3])].tolist()


@pytest.mark.parametrize("key", ALL)
def test_nonzero_and_counts(key):
    x = T[key]
    check("aten::nonzero", x)
    # reductions of non-contiguous inputs: numpy keeps the input's layout, C++ is contiguous
    for d in (None, 0, -1, 4):
        check("aten::count_nonzero", x, d, strides=False)
    for d in ([], [0], [-1, 0], 1, [0, 0]):
        for keepdim in (False, True):
            check("aten::amax", x, d, keepdim, strides=False)
            check("aten::amin", x, d, keepdim, strides=False)
    for f in ("aten::isnan", "aten::isinf", "aten::isfinite"):
        check(f, x)


def test_special_values():
    x = ember.tensor([[1.0, math.nan, -math.inf], [math.inf, -0.0, 2.0]])
    for t in (x, x.t(), x.to(ember.float16), x.to(ember.complex64)):
        for f in ("aten::isnan", "aten::isinf", "aten::isfinite", "aten::nonzero"):
            check(f, t)
    for d in ([], [0], [1]):
        check("aten::amax", x, d, False)
        check("aten::amin", x.to(ember.float16), d, True)
    check("aten::amax", x.to(ember.complex64), [], False)
    check("aten::amax", ember.zeros(0, 3), [1], False)
    check("aten::amax", ember.zeros(0, 3), [0], False)


# --- ordering ------------------------------------------------------------------------


def test_sort_argsort_topk():
    values = [3.0, math.nan, 1.0, 3.0, -math.inf, 1.0, math.nan, 0.0]
    x = ember.tensor([values, values[::-1]])
    ints = ember.tensor([[3, 1, -2, 3, 0, 1, 7, 0], [0, 0, 5, 1, 1, 2, -9, 3]], dtype=ember.int32)
    for t in (x, x.t(), x.to(ember.float16), ints, ints.t(), x > 1, T["scalar"], T["empty"]):
        for d in (0, -1):
            for desc in (False, True):
                check("aten::sort", t, d, desc)
                check("aten::argsort", t, d, desc)
                for k in (0, 1, 2, 9):
                    check("aten::topk", t, k, d, desc, True)
    check("aten::sort", x, 2, False)
    check("aten::sort", x.to(ember.complex64), 0, False)


# --- creation ------------------------------------------------------------------------

DTYPES = (None, ember.float64, ember.int32, ember.bool, ember.float16, ember.uint8)


def test_fills():
    for size in ([2, 3], [], [0, 4], 3, [-1]):
        for dtype in DTYPES + (ember.complex64,):
            for f in ("aten::zeros", "aten::ones", "aten::empty.memory_format"):
                check(f, size, dtype=dtype)
            for fill in (2, 2.5, True, -1, 1 + 2j, 300, 1e39):
                check("aten::full", size, fill, dtype=dtype)
    check("aten::zeros", [2], dtype=None, device="cpu")
    for key in ("contig", "transposed", "scalar", "int", "bool"):
        x = T[key]
        for dtype in (None, ember.float64, ember.int8):
            for f in ("aten::zeros_like", "aten::ones_like", "aten::empty_like"):
                check(f, x, dtype=dtype)
            for fill in (7, -2.5, False):
                check("aten::full_like", x, fill, dtype=dtype)
    check("aten::full", [1], 1e10, dtype=ember.float16)


def test_ranges():
    for end in (5, 5.5, 0, -3, True):
        for dtype in (None, ember.float64, ember.int32, ember.bool):
            check("aten::arange", end, dtype=dtype)
    for start, end in ((2, 7), (2.5, 7), (7, 2), (-3, 3.5)):
        check("aten::arange.start", start, end)
        check("aten::arange.start", start, end, dtype=ember.int64)
    for start, end, step in ((0, 1, 0.25), (10, 0, -3), (0, 5, 0.5), (1, 2, 0), (0, 10, -1)):
        for dtype in (None, ember.int64, ember.int16, ember.float16):
            check("aten::arange.start_step", start, end, step, dtype=dtype)
    for start, end in ((0, 1), (-2.5, 10), (3, -3), (0, 300)):
        for steps in (0, 1, 2, 5, 10, -1):
            for dtype in DTYPES + (ember.bfloat16,):
                check("aten::linspace", start, end, steps, dtype=dtype)
                check("aten::logspace", start, end, steps, 2.0, dtype=dtype, rtol=1e-12)
    check("aten::linspace", 1 + 1j, 2 - 1j, 5, dtype=ember.complex128)
    for n, m in ((3, 3), (2, 4), (0, 2), (-1, 2), (2, -1)):
        for dtype in DTYPES:
            check("aten::eye", n, dtype=dtype)
            check("aten::eye.m", n, m, dtype=dtype)


def test_random():
    call = ember.cpp._call_op
    for dtype, want in ((None, ember.float32), (6, ember.float32), (7, ember.float64)):
        u = call("aten::rand", [500], dtype, None, None, None)
        n = call("aten::randn", [2, 500], dtype, None, None, None)
        assert u.dtype == n.dtype == want and tuple(n.shape) == (2, 500)
        assert u.min().item() >= 0 and u.max().item() < 1 and 0.3 < u.mean().item() < 0.7
        assert -0.3 < n.mean().item() < 0.3 and 0.7 < n.std().item() < 1.3
    like = call("aten::randn_like", T["half"], None, None, None, None, None)
    assert like.dtype == ember.float16 and tuple(like.shape) == (2, 3)
    like = call("aten::rand_like", T["contig"], ember.complex64, None, None, None, None)
    assert like.dtype == ember.complex64 and tuple(like.shape) == (2, 3, 4)
    r = call("aten::randint", 5, [1000], None, None, None, None)
    assert r.dtype == ember.int64 and set(r.tolist()) == {0, 1, 2, 3, 4}
    r = call("aten::randint.low", -3, 2, [3, 100], ember.int8, None, None, None)
    assert r.dtype == ember.int8 and set(r.reshape(-1).tolist()) == {-3, -2, -1, 0, 1}
    for args in ((5, 2, [3], None), (0, 300, [3], ember.uint8), (0, 2, [-3], None)):
        with pytest.raises(ember.cpp.CppRuntimeError):
            call("aten::randint.low", *args, None, None, None)
        with pytest.raises(Exception):
            dispatch.call(table.get("aten::randint.low"), *args[:3], dtype=args[3])
    with pytest.raises(ember.cpp.CppRuntimeError, match="not implemented for 'Long'"):
        call("aten::rand", [2], ember.int64, None, None, None)
    with pytest.raises(ember.cpp.CppRuntimeError, match="CPU"):
        call("aten::rand", [2], None, None, "cuda", None)


def test_items():
    for x in (ember.tensor(2.5), ember.tensor([7]), ember.tensor(True), T["half"][0, 1],
              ember.tensor(1 + 2j), ember.tensor([[3]], dtype=ember.uint8), T["contig"],
              ember.tensor(0.1, dtype=ember.float64)):  # fmt: skip
        check("aten::item", x)
        check("aten::ScalarImplicit", x)


def test_every_op_of_the_group_is_registered_and_tested_here():
    assert len(OPS) == 83 and set(OPS) <= set(ember.cpp._kernel_names())
    source = Path(__file__).read_text()
    body = source[source.index("def run(") :]
    assert [op for op in OPS if f'"{op}"' not in body] == []
