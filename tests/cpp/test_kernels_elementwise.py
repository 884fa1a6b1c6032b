"""The C++ elementwise, reduction and scan kernels against ember's Python kernels: every op
of the group, across dtypes, broadcasting, non-contiguous views, 0-d tensors and Python
numbers, with errors raised where the Python runtime raises them."""

import itertools

import numpy as np
import pytest
from elementwise_cases import OPS, SEEN, check, make

import ember
import ember.cpp
from ember import dtypes

pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom")

F32, F64, I64, I32, U8, B = (dtypes.float32, dtypes.float64, dtypes.int64, dtypes.int32,
                             dtypes.uint8, dtypes.bool_)  # fmt: skip
ALL = (F32, F64, I64, I32, U8, B)
NUMBERS = (3, -2, 2.5, True, 0)


def pairs(da, db):
    """Operand pairs of dtypes da, db: same shape, broadcast, transposed, strided, 0-d."""
    yield make(da, (2, 3), 1), make(db, (2, 3), 2)
    yield make(da, (3, 1), 3), make(db, (4,), 4)
    yield make(da, (3, 2), 5).t(), make(db, (2, 3), 6)
    yield make(da, (2, 6), 7)[:, ::2], make(db, (1, 3), 8)
    yield make(da, (2, 3), 9), make(db, (), 10)
    yield make(da, (), 11), make(db, (2, 3), 12)


BINARY = ["mul.Tensor", "remainder.Tensor", "fmod.Tensor", "div.Tensor", "floor_divide",
          "pow.Tensor_Tensor", "eq.Tensor", "ne.Tensor", "lt.Tensor", "le.Tensor", "gt.Tensor",
          "ge.Tensor", "logical_and", "logical_or", "logical_xor", "bitwise_and.Tensor",
          "bitwise_or.Tensor", "bitwise_xor.Tensor", "maximum", "minimum", "max.other",
          "min.other"]  # fmt: skip
ALPHA = ["add.Tensor", "sub.Tensor", "rsub.Tensor"]


@pytest.mark.parametrize("name", BINARY + ALPHA + ["div.Tensor_mode"])
def test_binary_tensor_ops(name):
    extra = {"div.Tensor_mode": [["trunc"], ["floor"], [None]]}.get(name, [[]])
    if name in ALPHA:
        extra = [[1], [2]]
    for da, db in itertools.product(ALL, ALL):
        for a, b in pairs(da, db):
            for more in extra:
                check("aten::" + name, a, b, *more)


def test_binary_float_specials():
    a, b = make(F32, (4, 5), 1, special=True), make(F32, (5,), 2, special=True)
    for name in BINARY + ["div.Tensor_mode"]:
        more = ["floor"] if name.endswith("mode") else []
        check("aten::" + name, a, b, *more)
        check("aten::" + name, b, a, *more)
    neg_zero = ember.tensor([-0.0, 0.0, 1.0])
    assert str(ember.cpp._call_op("aten::relu", neg_zero)) == str(ember.relu(neg_zero))


SCALAR = ["mul.Scalar", "remainder.Scalar", "fmod.Scalar", "div.Scalar", "floor_divide.Scalar",
          "pow.Tensor_Scalar", "eq.Scalar", "ne.Scalar", "lt.Scalar", "le.Scalar", "gt.Scalar",
          "ge.Scalar", "bitwise_and.Scalar", "bitwise_or.Scalar", "bitwise_xor.Scalar"]  # fmt: skip


@pytest.mark.parametrize("name", SCALAR + ["add.Scalar", "sub.Scalar", "rsub.Scalar",
                                           "div.Scalar_mode"])  # fmt: skip
def test_binary_scalar_ops(name):
    for d in ALL:
        for a in (make(d, (2, 3), 1), make(d, (3, 2), 2).t(), make(d, (), 3)):
            for s in NUMBERS:
                if name.endswith("_mode"):
                    for mode in ("trunc", "floor", None):
                        check("aten::" + name, a, s, mode)
                elif name in ("add.Scalar", "sub.Scalar", "rsub.Scalar"):
                    check("aten::" + name, a, s, 1)
                    check("aten::" + name, a, s, 2.0)
                else:
                    check("aten::" + name, a, s)
    for d in ALL:
        for s in (2, 0.5, True, -1):
            check("aten::pow.Scalar", s, make(d, (2, 3), 4))


INPLACE = ["add_", "sub_", "mul_", "remainder_", "fmod_", "bitwise_and_", "bitwise_or_",
           "bitwise_xor_", "div_", "floor_divide_", "pow_"]  # fmt: skip


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_binary_ops(name):
    alpha = [1] if name in ("add_", "sub_") else []
    for da, db in itertools.product(ALL, (F32, I64, B)):
        a = make(da, (2, 3), 1)
        for b in (make(db, (2, 3), 2), make(db, (3,), 3), make(db, (), 4), make(db, (2, 1, 3), 5)):
            check(f"aten::{name}.Tensor", a, b, *alpha)
        check(f"aten::{name}.Tensor", make(da, (3, 2), 6).t(), make(db, (3,), 7), *alpha)
        for s in NUMBERS:
            check(f"aten::{name}.Scalar", a, s, *alpha)
    if name == "div_":
        for mode in ("trunc", "floor", None):
            check("aten::div_.Tensor_mode", make(F32, (2, 3)), make(F32, (3,), 1), mode)
            check("aten::div_.Tensor_mode", make(I64, (2, 3)), make(I64, (3,), 2), mode)
            check("aten::div_.Scalar_mode", make(I32, (2, 3)), 3, mode)


UNARY = ["floor", "ceil", "round", "trunc", "square", "exp", "log", "log2", "log1p", "sqrt",
         "rsqrt", "sin", "cos", "tan", "tanh", "sigmoid", "erf", "erfc", "reciprocal", "log10",
         "expm1", "exp2", "asin", "acos", "atan", "sinh", "cosh", "neg", "abs", "sign", "relu",
         "relu6", "hardswish", "hardsigmoid", "silu"]  # fmt: skip


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops(name):
    for d in ALL + (dtypes.float16,):
        for a in (make(d, (3, 4), 1), make(d, (4, 6), 2)[:, ::2].t(), make(d, (), 3)):
            check("aten::" + name, a)
            check(f"aten::{name}_", a)
    special = make(F32, (5, 4), 4, special=True)
    check("aten::" + name, special)
    check("aten::" + name, make(F64, (0, 3), 5))


def test_logical_and_bitwise_not():
    for d in ALL:
        for a in (make(d, (3, 4), 1), make(d, (4, 6), 2)[:, ::2].t(), make(d, (), 3)):
            check("aten::logical_not", a)
            check("aten::bitwise_not", a, message=True)
    check("aten::logical_not", make(F32, (5, 4), 4, special=True))


def test_activations_with_arguments():
    for d in ALL:
        x = make(d, (3, 4), 1)
        for lo, hi in ((-1, 1), (0, 6), (-0.5, 2.5), (2, 1)):
            check("aten::hardtanh", x, lo, hi)
            check("aten::hardtanh_", x, lo, hi)
        for approximate in ("none", "tanh", "bad"):
            check("aten::gelu", x, approximate)
            check("aten::gelu", make(d, (4,), 2).t(), approximate)
    check("aten::hardtanh", make(F32, (2, 3), special=True), -1.0, 1.0)
    for d in (F32, F64, I64):
        x = make(d, (2, 3, 4), 3)
        for dim, dtype in itertools.product((0, 1, -1), (None, F64)):
            check("aten::softmax.int", x, dim, dtype)
            check("aten::log_softmax.int", x, dim, dtype)
            check("aten::softmax.int", x.transpose(0, 2), dim, dtype)
    check("aten::softmax.int", make(F32, ()), 0, None)
    check("aten::log_softmax.int", make(F32, (0, 3)), 1, None)


def test_where_clamp_masked_fill():
    cond = make(B, (2, 3), 1)
    for da, db in itertools.product(ALL, (F32, I64, B)):
        a, b = make(da, (2, 3), 2), make(db, (3,), 3)
        check("aten::where.self", cond, a, b)
        check("aten::where.self", cond.t().contiguous().t(), make(da, (3, 2), 4).t(), b)
        for s in NUMBERS:
            check("aten::where.ScalarOther", cond, a, s)
            check("aten::where.ScalarSelf", cond, s, b)
            check("aten::where.Scalar", cond, s, 1.5)
        check("aten::where.self", make(U8, (2, 3)), a, b)
        check("aten::where.self", make(F32, (2, 3)), a, b)
        check("aten::where", a)
    check("aten::where", make(I64, ()))
    for d in ALL:
        x = make(d, (3, 4), 5)
        for lo, hi in ((-1, 2), (None, 2.5), (-0.5, None), (None, None), (3, -3), (300, None)):
            check("aten::clamp", x, lo, hi)
            check("aten::clamp_", x, lo, hi)
        for lo, hi in ((make(d, (4,), 6), make(F32, (3, 1), 7)), (None, make(d, (), 8)),
                       (make(B, (4,), 9), None)):  # fmt: skip
            check("aten::clamp.Tensor", x, lo, hi)
        check("aten::clamp_min", x, 1)
        check("aten::clamp_max", x, 0.5)
        check("aten::clamp_min_", x, -1)
        check("aten::clamp_max_", x.t(), 2)
        mask = make(B, (4,), 10)
        for value in (1, 2.5, True, -300):
            check("aten::masked_fill.Scalar", x, mask, value)
            check("aten::masked_fill_.Scalar", x.t(), make(B, (3,), 11), value)
        check("aten::masked_fill.Tensor", x, mask, make(F64, (), 12))
        check("aten::masked_fill_.Tensor", x, mask, make(I64, (), 13))
        check("aten::masked_fill.Scalar", x, make(U8, (4,)), 1)
    check("aten::clamp", make(F32, (2, 4), special=True), -1.0, float("nan"))


def test_equal_isclose_allclose():
    a = make(F32, (2, 3), 1, special=True)
    b = a.clone()
    check("aten::equal", a, b)
    check("aten::equal", make(I64, (2, 3)), make(I64, (2, 3)))
    check("aten::equal", make(I64, (2, 3)), make(F32, (3, 2)).t())
    for x, y in ((a, b), (a, make(F32, (3,), 2)), (make(I64, (2, 3)), make(I64, (2, 3), 1))):
        for rtol, atol, nan in ((1e-5, 1e-8, False), (0.5, 1.0, True)):
            check("aten::isclose", x, y, rtol, atol, nan)
            check("aten::allclose", x, y, rtol, atol, nan)
    check("aten::isclose", a, make(F64, (2, 3)), 1e-5, 1e-8, False)


def reduce_inputs():
    for d in ALL:
        yield make(d, (2, 3, 4), 1)
        yield make(d, (4, 3, 2), 2).transpose(0, 2)
        yield make(d, (), 3)
        yield make(d, (0, 3), 4)
    yield make(F32, (3, 5), 5, special=True)


def test_reductions():
    dims = (None, [], [1], [0, 2], [-1], [1, 1], [5])
    for x in reduce_inputs():
        for dtype in (None, F64, I32):
            check("aten::sum", x, dtype)
            check("aten::prod", x, dtype)
            check("aten::mean", x, dtype)
        for dim, keep in itertools.product(dims, (False, True)):
            check("aten::sum.dim_IntList", x, dim, keep, None)
            check("aten::mean.dim", x, dim, keep, None)
            check("aten::var.dim", x, dim, True, keep)
            check("aten::std.correction", x, dim, 0, keep)
            check("aten::var.correction", x, dim, None, keep)
            check("aten::any.dims", x, dim, keep)
            check("aten::all.dims", x, dim, keep)
        for d in (0, -1, 3):
            for keep in (False, True):
                check("aten::prod.dim_int", x, d, keep, None)
                check("aten::max.dim", x, d, keep, num_outputs=2)
                check("aten::min.dim", x, d, keep, num_outputs=2)
                check("aten::argmax", x, d, keep)
                check("aten::argmin", x, d, keep)
                check("aten::any.dim", x, d, keep)
                check("aten::all.dim", x, d, keep)
                check("aten::std.dim", x, [d], False, keep)
        for keep in (False, True):
            check("aten::argmax", x, None, keep)
            check("aten::argmin", x, None, keep)
        for name in ("max", "min", "any", "all"):
            check("aten::" + name, x)
        for unbiased in (True, False):
            check("aten::var", x, unbiased)
            check("aten::std", x, unbiased)
        check("aten::sum.dim_IntList", x, [0], False, F32)


def test_cumsum_diff_baddbmm():
    for d in ALL:
        x = make(d, (3, 4), 1)
        for dim, dtype in itertools.product((0, 1, -1, 2), (None, F64)):
            check("aten::cumsum", x, dim, dtype)
            check("aten::cumsum", x.t(), dim, dtype)
        check("aten::cumsum", make(d, ()), 0, None)
        for n, dim in itertools.product((0, 1, 2, 5, -1), (0, 1, -1)):
            check("aten::diff", x, n, dim, None, None)
            check("aten::diff", x.t(), n, dim, make(d, (4, 1), 2), make(I64, (4, 2), 3))
        check("aten::diff", make(d, ()), 1, 0, None, None)
        check("aten::diff", x, 1, 0, make(d, (3,)), None)
    for d in (F32, F64, I64, B):
        self, b1, b2 = make(d, (2, 3, 5), 1), make(d, (2, 3, 4), 2), make(d, (2, 4, 5), 3)
        for beta, alpha in ((1, 1), (0, 2), (0.5, 1.5)):
            check("aten::baddbmm", self, b1, b2, beta, alpha)
            check(
                "aten::baddbmm",
                make(d, (5,), 4),
                b1.transpose(1, 2).contiguous().transpose(1, 2),
                b2,
                beta,
                alpha,
            )
        check("aten::baddbmm", self, b1, make(F64, (2, 4, 5)), 1, 1)
        check("aten::baddbmm", self, b1, make(d, (2, 3, 5)), 1, 1)


def test_conversions_and_creation():
    for d in ALL + (dtypes.float16,):
        x, one = make(d, (2, 3), 1), make(d, (1, 1), 2)
        for name in ("prim::dtype", "prim::is_cuda", "prim::is_nested", "prim::requires_grad",
                     "aten::is_floating_point"):  # fmt: skip
            check(name, x)
        assert str(check("prim::device", x, result=False)) == "cpu"
        for name in ("aten::Int.Tensor", "aten::Float.Tensor", "aten::Bool.Tensor",
                     "aten::IntImplicit", "aten::FloatImplicit"):  # fmt: skip
            check(name, one)
            check(name, x)
    check("aten::Int.Tensor", ember.tensor(float("nan")))
    for value in (3, -2.5, True):
        check("prim::NumToTensor.Scalar", value)
    for name, value in (("int", 7), ("float", 2.5), ("bool", False)):
        for dtype in (None, F64, I32, B):
            check(f"aten::tensor.{name}", value, dtype, None, False)
    for data in ([1, 2, 3], [[1.5, 2], [3, 4]], [[True, False]], [], [[1, 2], [3]], 5,
                 [[[1], [2]], [[3], [4]]]):  # fmt: skip
        for dtype in (None, F32, I64):
            check("aten::tensor", data, dtype, None, False)


def test_fills_copies_index_put():
    for d in ALL:
        x = make(d, (3, 4), 1)
        for src in (make(F64, (3, 4), 2), make(I64, (4,), 3), make(B, (), 4), make(F32, (2, 4))):
            check("aten::copy_", x, src, False)
            check("aten::copy_", x.t(), src.t() if src.dim() == 2 else src, False)
        for value in (2, -1.5, True, 300):
            check("aten::fill_.Scalar", x, value)
            check("aten::fill_.Scalar", x[:, ::2], value)
        check("aten::fill_.Tensor", x, make(F64, (), 5))
        check("aten::fill_.Tensor", x, make(F64, (1,), 5))
        check("aten::zero_", x.t())
        idx = ember.tensor([0, 2, -1])
        for indices, values in (([idx], make(d, (4,), 6)), ([None, idx], make(d, (3, 3), 7)),
                                ([idx, idx], make(d, (), 8)), ([make(B, (3,), 9)], make(d, (4,))),
                                ([make(B, (3, 4), 10)], make(d, (), 11)),
                                ([ember.tensor([[0], [1]]), None, ember.tensor([1, 2])],
                                 make(d, (3,), 12)),
                                ([ember.tensor([5])], make(d, (4,))),
                                ([idx], make(F64, (4,)))):  # fmt: skip
            for accumulate in (False, True):
                target = x if len(indices) < 3 else make(d, (3, 4, 5))
                check("aten::index_put_", target, indices, values, accumulate)


def test_random_ops():
    for d in (F32, F64, I64):
        x = make(d, (50,), 1)
        check("aten::uniform_", x, 2.0, 3.0, None, result=False)
        check("aten::normal_", x, 0.0, 1.0, None, result=False)
        for p in (0.0, 1.0, 1.5):
            check("aten::bernoulli_.float", x, p, None)
            check("aten::bernoulli.p", x, p, None)
        probs = ember.tensor([0.0, 1.0, 1.0, 0.0])
        check("aten::bernoulli_.Tensor", make(d, (3, 4)), probs, None)
        check("aten::bernoulli_.Tensor", make(d, (3, 4)), make(I64, (4,)), None)
        check("aten::bernoulli", probs.to(d), None)
        for p, train in ((0.5, False), (0.0, True), (1.0, True), (1.5, True)):
            check("aten::dropout_", x, p, train)
    y = ember.ones(1000)
    ember.cpp._call_op("aten::uniform_", y, 2.0, 3.0, None)
    assert float(y.min()) >= 2.0 and float(y.max()) < 3.0 and float(y.std()) > 0.1
    ember.cpp._call_op("aten::dropout_", y, 0.5, True)
    values = set(np.unique(y.numpy()).tolist())
    assert 0.0 in values and len(values) > 2  # zeros and surviving values scaled by 2
    check("aten::dropout_", y, 0.5, True, result=False)


def test_errors_match_python_messages():
    i, f, b = make(I64, (2, 3)), make(F32, (2, 3)), make(B, (2, 3))
    for name, args in (("aten::sub.Tensor", (b, b, 1)), ("aten::sub.Scalar", (f, True, 1)),
                       ("aten::add.Scalar", (i, 2, 1.5)), ("aten::div_.Tensor", (i, i)),
                       ("aten::div.Tensor_mode", (i, make(I64, (3,), 5) * 0, "floor")),
                       ("aten::div.Scalar_mode", (f, 2, "round")),
                       ("aten::remainder.Tensor", (b, b)), ("aten::bitwise_and.Tensor", (f, i)),
                       ("aten::pow.Tensor_Scalar", (i, -1)), ("aten::pow.Tensor_Scalar", (b, 2)),
                       ("aten::add.Tensor", (f, make(F32, (4,)), 1)),
                       ("aten::exp_", (i,)), ("aten::neg", (b,)), ("aten::abs", (b,)),
                       ("aten::relu", (b,)), ("aten::hardswish", (i,)),
                       ("aten::clamp", (f, None, None)), ("aten::clamp", (b, 0, 1)),
                       ("aten::clamp", (make(U8, (2,)), 300, None)),
                       ("aten::mean", (i, None)), ("aten::var", (i, True)),
                       ("aten::max", (make(F32, (0,)),)), ("aten::argmax", (b, None, False)),
                       ("aten::sum.dim_IntList", (f, [3], False, None)),
                       ("aten::masked_fill.Scalar", (f, i, 1)),
                       ("aten::where.self", (f, f, f)),
                       ("aten::add_.Tensor", (make(F32, (3,)), f, 1))):  # fmt: skip
        check(name, *args, message=True)


def test_every_op_of_the_group_has_a_kernel_and_a_test():
    kernels = set(ember.cpp._kernel_names())
    assert [op for op in OPS if op not in kernels] == []
    assert len(OPS) == 221


def test_zz_every_op_was_exercised():
    untested = [op for op in OPS if op not in SEEN]
    assert untested == []
