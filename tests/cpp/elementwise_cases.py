"""Helpers of the elementwise kernel tests: run one op in both runtimes and compare.

`check(name, *args)` runs `name` through ember's Python runtime (the op table's kernel,
through the tensor dispatcher) and through the C++ kernel (`ember.cpp._call_op`) on copies
of the same arguments, and asserts the same outcome: equal results (exact for integer and
bool tensors, within 1e-5 relative for floats), equal writes into tensor arguments (in-place
ops), or an error from both. `OPS` lists the operators of the elementwise kernel group.
"""

from __future__ import annotations

import math

import numpy as np

import ember
import ember.cpp
from ember import dtypes
from ember.ops import table
from ember.tensor import dispatch

__all__ = ["OPS", "check", "make", "outcome", "SEEN"]

SEEN: set[str] = set()

_FLOATS = {dtypes.float32, dtypes.float64, dtypes.float16, dtypes.bfloat16}
_LOOSE = {dtypes.float16, dtypes.bfloat16}


def make(dtype, shape, seed: int = 0, special: bool = False) -> ember.Tensor:
    """A deterministic tensor: small integers, booleans, or floats (with NaN, infinities and
    signed zeros when `special`)."""
    rng = np.random.default_rng(seed + 7 * len(shape) + sum(shape))
    if dtype is dtypes.bool_:
        data = rng.random(shape) < 0.5
    elif dtype in _FLOATS:
        data = rng.standard_normal(shape) * 3
        if special and data.size >= 4:
            flat = data.reshape(-1)
            flat[:4] = [np.nan, np.inf, -np.inf, -0.0]
    elif dtype is dtypes.uint8:
        data = rng.integers(0, 12, shape)
    else:
        data = rng.integers(-6, 7, shape)
    return ember.tensor(np.asarray(data).tolist(), dtype=dtype)


def _copy(x):
    if isinstance(x, ember.Tensor):
        return x.clone()
    if isinstance(x, list):
        return [_copy(v) for v in x]
    return x


def _python(name: str, args: list):
    op = table.get(name)
    pos, kw = [], {}
    for a, v in zip(op.schema.arguments, args):
        if a.kwarg_only:
            kw[a.name] = v
        else:
            pos.append(v)
    return dispatch.call(op, *pos, **kw)


def outcome(fn):
    """("ok", result) or ("error", message)."""
    try:
        return "ok", fn()
    except (RuntimeError, ValueError, TypeError, IndexError, OverflowError) as e:
        return "error", str(e)


def _same(got, want, where: str) -> None:
    if isinstance(want, ember.Tensor):
        assert isinstance(got, ember.Tensor), f"{where}: got {got!r}"
        assert got.dtype == want.dtype, f"{where}: dtype {got.dtype} != {want.dtype}"
        assert tuple(got.shape) == tuple(want.shape), f"{where}: {got.shape} != {want.shape}"
        g, w = np.asarray(got.numpy()), np.asarray(want.numpy())
        if want.dtype in _FLOATS:
            rtol = 1e-2 if want.dtype in _LOOSE else 1e-5
            np.testing.assert_allclose(
                g.astype(np.float64), w.astype(np.float64), rtol=rtol, atol=1e-6, err_msg=where
            )
        else:
            np.testing.assert_array_equal(g, w, err_msg=where)
    elif isinstance(want, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(want), f"{where}: {got!r}"
        for g, w in zip(got, want):
            _same(g, w, where)
    elif isinstance(want, float):
        assert isinstance(got, float), f"{where}: {got!r}"
        assert math.isclose(got, want, rel_tol=1e-5) or (math.isnan(got) and math.isnan(want))
    else:
        assert type(got) is type(want) and got == want, f"{where}: {got!r} != {want!r}"


def check(name: str, *args, num_outputs: int = 1, message: bool = False, result: bool = True):
    """Assert that the C++ kernel of `name` does what the Python one does on `args`.

    `message`: errors must carry the same text. `result=False` compares only the writes into
    tensor arguments and the result's dtype and shape (random ops)."""
    SEEN.add(name)
    py_args, cpp_args = _copy(list(args)), _copy(list(args))
    kind, want = outcome(lambda: _python(name, py_args))
    got_kind, got = outcome(lambda: ember.cpp._call_op(name, *cpp_args, num_outputs=num_outputs))
    where = f"{name}{tuple(args)!r}"
    assert got_kind == kind, f"{where}: python {kind} {want!r}, C++ {got_kind} {got!r}"
    if kind == "error":
        if message:
            assert got == want, where
        return
    if result:
        _same(got, want, where)
        for g, w in zip(cpp_args, py_args):
            if isinstance(w, ember.Tensor):
                _same(g, w, where + " (argument written)")
    elif isinstance(want, ember.Tensor):
        assert got.dtype == want.dtype and tuple(got.shape) == tuple(want.shape), where
    return got


_OPS_TEXT = """
prim::dtype prim::device prim::is_cuda prim::is_nested prim::requires_grad aten::Int.Tensor
aten::Float.Tensor aten::Bool.Tensor aten::IntImplicit aten::FloatImplicit
aten::is_floating_point prim::NumToTensor.Scalar aten::tensor.int aten::tensor.float
aten::tensor.bool aten::tensor aten::mul.Tensor aten::mul.Scalar aten::remainder.Tensor
aten::remainder.Scalar aten::fmod.Tensor aten::fmod.Scalar aten::add.Tensor aten::add.Scalar
aten::sub.Tensor aten::sub.Scalar aten::rsub.Tensor aten::rsub.Scalar aten::div.Tensor
aten::div.Tensor_mode aten::div.Scalar aten::div.Scalar_mode aten::floor_divide
aten::floor_divide.Scalar aten::pow.Tensor_Tensor aten::pow.Tensor_Scalar aten::pow.Scalar
aten::eq.Tensor aten::eq.Scalar aten::ne.Tensor aten::ne.Scalar aten::lt.Tensor aten::lt.Scalar
aten::le.Tensor aten::le.Scalar aten::gt.Tensor aten::gt.Scalar aten::ge.Tensor aten::ge.Scalar
aten::logical_and aten::logical_or aten::logical_xor aten::logical_not aten::bitwise_and.Tensor
aten::bitwise_and.Scalar aten::bitwise_or.Tensor aten::bitwise_or.Scalar
aten::bitwise_xor.Tensor aten::bitwise_xor.Scalar aten::bitwise_not aten::where.self
aten::where.ScalarOther aten::where.ScalarSelf aten::where.Scalar aten::where aten::clamp
aten::clamp.Tensor aten::clamp_min aten::clamp_max aten::maximum aten::minimum aten::max.other
aten::min.other aten::equal aten::isclose aten::allclose aten::masked_fill.Scalar
aten::masked_fill.Tensor aten::sum aten::sum.dim_IntList aten::prod aten::prod.dim_int
aten::mean aten::mean.dim aten::var aten::var.dim aten::var.correction aten::std aten::std.dim
aten::std.correction aten::max aten::min aten::max.dim aten::min.dim aten::argmax aten::argmin
aten::any aten::any.dim aten::any.dims aten::all aten::all.dim aten::all.dims aten::add_.Tensor
aten::add_.Scalar aten::sub_.Tensor aten::sub_.Scalar aten::mul_.Tensor aten::mul_.Scalar
aten::remainder_.Tensor aten::remainder_.Scalar aten::fmod_.Tensor aten::fmod_.Scalar
aten::bitwise_and_.Tensor aten::bitwise_and_.Scalar aten::bitwise_or_.Tensor
aten::bitwise_or_.Scalar aten::bitwise_xor_.Tensor aten::bitwise_xor_.Scalar aten::div_.Tensor
aten::div_.Scalar aten::div_.Tensor_mode aten::div_.Scalar_mode aten::floor_divide_.Tensor
aten::floor_divide_.Scalar aten::pow_.Tensor aten::pow_.Scalar aten::copy_ aten::fill_.Scalar
aten::fill_.Tensor aten::zero_ aten::clamp_ aten::clamp_min_ aten::clamp_max_
aten::masked_fill_.Scalar aten::masked_fill_.Tensor aten::index_put_ aten::uniform_
aten::normal_ aten::floor aten::floor_ aten::ceil aten::ceil_ aten::round aten::round_
aten::trunc aten::trunc_ aten::square aten::square_ aten::exp aten::exp_ aten::log aten::log_
aten::log2 aten::log2_ aten::log1p aten::log1p_ aten::sqrt aten::sqrt_ aten::rsqrt aten::rsqrt_
aten::sin aten::sin_ aten::cos aten::cos_ aten::tan aten::tan_ aten::tanh aten::tanh_
aten::sigmoid aten::sigmoid_ aten::erf aten::erf_ aten::erfc aten::erfc_ aten::reciprocal
aten::reciprocal_ aten::log10 aten::log10_ aten::expm1 aten::expm1_ aten::exp2 aten::exp2_
aten::asin aten::asin_ aten::acos aten::acos_ aten::atan aten::atan_ aten::sinh aten::sinh_
aten::cosh aten::cosh_ aten::neg aten::neg_ aten::abs aten::abs_ aten::sign aten::sign_
aten::relu aten::relu_ aten::hardtanh aten::hardtanh_ aten::cumsum aten::gelu aten::silu
aten::silu_ aten::softmax.int aten::log_softmax.int aten::dropout_ aten::relu6 aten::relu6_
aten::hardswish aten::hardswish_ aten::hardsigmoid aten::hardsigmoid_ aten::bernoulli_.Tensor
aten::bernoulli_.float aten::bernoulli aten::bernoulli.p aten::diff aten::baddbmm
"""
OPS = _OPS_TEXT.split()
