"""Helpers for the C++ shape-group kernel tests (test_kernels_shape*.py): run one op in
both runtimes and compare values, dtypes, strides, shared memory and errors."""

import numpy as np
import pytest

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
aten::detach aten::alias aten::contiguous aten::to.dtype aten::to.device aten::to.other
aten::size.int aten::size aten::dim
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
