"""The C++ shape, creation and indexing kernels (cpp_loader/src/kernels/shape*, create*,
index*) give what ember's Python kernels give on the same arguments: values, dtypes, shapes
and strides, views sharing the input's memory, and errors where Python raises."""

import math

import numpy as np
import pytest
import torch
from kernel_shape_helpers import ALL, T, check, check_view, run

import ember
import ember.cpp

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
            got, want = check("aten::to.device", x, ember.device("cpu"), dtype, False, copy)
            assert (got.data_ptr() == x.data_ptr()) == (want.data_ptr() == x.data_ptr())
            got, want = check("aten::to.other", x, ember.zeros(1, dtype=dtype), False, copy)
            assert (got.data_ptr() == x.data_ptr()) == (want.data_ptr() == x.data_ptr())
    check("aten::type_as", x, ember.zeros(1, dtype=ember.int16))
    check("aten::clone", x)


def test_conversions_refuse_other_devices():
    args = (T["contig"], ember.device("cuda:0"), ember.float32, False, False)
    python_error, _ = run("aten::to.device", *args)  # C++ refuses it too
    assert "CPU, not on device 'cuda:0'" in str(python_error)
    with pytest.raises(ember.cpp.CppRuntimeError, match="CPU, not on device 'cuda:0'"):
        ember.cpp._call_op("aten::to.device", *args)


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


# --- every dtype ---------------------------------------------------------------------

EVERY_DTYPE = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
               "float32", "float64", "complex64", "complex128"]  # fmt: skip


def _sample(name):
    rng = np.random.default_rng(len(name))
    values = rng.integers(-4, 5, (3, 4)).astype(np.float64)
    values[0, 1] = values[2, 3]  # ties
    if name == "bool":
        return ember.tensor(values > 0)
    if name == "uint8":
        values = np.abs(values)
    return ember.tensor(values.tolist()).to(ember.dtypes.by_name(name))


@pytest.mark.parametrize("name", EVERY_DTYPE)
def test_every_dtype(name):
    x = _sample(name)
    xt = x.t()
    for t in (x, xt):
        # layouts of results from transposed inputs: numpy's accidents vs torch's rules
        lay = t is x
        for f in ("aten::isnan", "aten::isinf", "aten::isfinite", "aten::nonzero"):
            check(f, t, strides=lay)
        check("aten::count_nonzero", t, 1, strides=False)
        for d in ([], [1]):
            check("aten::amax", t, d, False, strides=False)
            check("aten::amin", t, d, True, strides=False)
        for desc in (False, True):
            check("aten::sort", t, 1, desc)
            check("aten::argsort", t, 0, desc)
            check("aten::topk", t, 2, 1, desc, True)
        check("aten::flip", t, [0, 1])
        check("aten::repeat", t, [2, 1, 2])
        check("aten::tril", t, 1)
        check("aten::gather", t, 1, ember.tensor([[0, 2], [1, 1], [2, 0]]), False)
        check("aten::index_select", t, 1, ember.tensor([2, 0]))
        check("aten::index.Tensor", t, [ember.tensor([2, 0]), None], strides=False)
        other = ember.arange(3.0).reshape(3, 1)  # promoted with t's dtype
        check("aten::cat", [t, other.t()] if t is xt else [t, other], int(lay), strides=lay)
        check("aten::stack", [t, t], 1, strides=lay)
        check("aten::clone", t)
        for other in EVERY_DTYPE[::3] if "complex" not in name else ["complex128", "complex64"]:
            check("aten::to.dtype", t, ember.dtypes.by_name(other), False, False)
        check("aten::item", t[1, 2])
        check("aten::view.dtype", t, ember.int8)
    check("aten::full", [2], 3, dtype=x.dtype)
    check("aten::ones_like", x)
    check("aten::eye", 3, dtype=x.dtype)
    check("aten::arange.start_step", 1, 9, 3, dtype=x.dtype)
    check("aten::linspace", -2, 6, 5, dtype=x.dtype)
