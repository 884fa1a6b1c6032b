"""Binary arithmetic, comparisons, logical/bitwise ops against torch 2.13 for every dtype pair."""

import itertools

import numpy as np
import pytest

import ember
from ops_helpers import DTYPES, INEXACT_RTOL, both, sample, to_torch_arr

PAIRS = list(itertools.product(DTYPES, DTYPES))
EXACT_BINARY = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "truediv": lambda m, a, b: a / b,
    "floordiv": lambda m, a, b: a // b,
    "mod": lambda m, a, b: a % b,
    "fmod": lambda m, a, b: m.fmod(a, b),
    "trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    "alpha": lambda m, a, b: m.add(a, b, alpha=2),
    "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b),
    "eq": lambda m, a, b: a == b,
    "ne": lambda m, a, b: a != b,
    "lt": lambda m, a, b: a < b,
    "le": lambda m, a, b: a <= b,
    "gt": lambda m, a, b: a > b,
    "ge": lambda m, a, b: a >= b,
    "and": lambda m, a, b: a & b,
    "or": lambda m, a, b: a | b,
    "xor": lambda m, a, b: a ^ b,
    "logical_and": lambda m, a, b: m.logical_and(a, b),
    "logical_or": lambda m, a, b: m.logical_or(a, b),
    "logical_xor": lambda m, a, b: m.logical_xor(a, b),
}


def _nonzero(arr):
    out = arr.copy()
    out[out == 0] = 3
    return out


@pytest.mark.parametrize("name", sorted(EXACT_BINARY))
def test_binary_every_dtype_pair(torch, name):
    fn = EXACT_BINARY[name]
    divides = name in ("truediv", "floordiv", "mod", "fmod", "trunc", "floor")
    for da, db in PAIRS:
        a = sample(da, (3, 4), seed=1)
        b = sample(db, (4,), seed=2)
        if divides:
            b = _nonzero(b)
        low = {da, db} & {"float16", "bfloat16"}
        rtol = (
            INEXACT_RTOL[low.pop()] if low and name in ("floordiv", "mod", "fmod", "floor") else 0
        )
        try:
            both(torch, fn, a, b, rtol=rtol, atol=rtol)
        except AssertionError as exc:
            raise AssertionError(f"{name} {da} {db}: {exc}") from None


SCALARS = [2, -3, 2.5, True, -0.5]


@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "floordiv", "mod", "eq", "lt"])
@pytest.mark.parametrize("scalar", SCALARS)
def test_tensor_with_python_scalar(torch, name, scalar):
    fn = EXACT_BINARY[name]
    for d in DTYPES:
        a = sample(d, (5,), seed=3)
        try:
            both(torch, fn, a, scalar)
            if name not in ("eq", "lt", "floordiv", "mod"):
                both(
                    torch,
                    lambda m, x, s: fn(m, s, x) if name != "truediv" else s / x,
                    a,
                    scalar,
                    rtol=1e-6 if name == "truediv" else 0,
                )
        except AssertionError as exc:
            raise AssertionError(f"{name} {d} {scalar!r}: {exc}") from None


def test_zero_dim_tensors_do_not_promote_dimensioned(torch):
    for da, db in PAIRS:
        both(torch, lambda m, a, b: a + b, sample(da, (3,)), np.asarray(sample(db, ())))
        both(torch, lambda m, a, b: a * b, np.asarray(sample(da, ())), sample(db, (2,)))


def test_negative_integer_rounding(torch):
    a = np.array([-7, 7, -8, 5, -1, 0, 9, -9], np.int64)
    b = np.array([2, 2, 3, -2, 3, 5, -4, -4], np.int64)
    for fn in ("truediv", "floordiv", "mod", "fmod", "trunc", "floor"):
        both(torch, EXACT_BINARY[fn], a, b)
        both(torch, EXACT_BINARY[fn], a.astype(np.float32), b.astype(np.float32))


def test_integer_overflow_wraps(torch):
    a = np.array([127, -128, 100], np.int8)
    both(torch, lambda m, x: x + 100, a)
    both(torch, lambda m, x: x * x, a)
    big = np.array([2**62, -(2**62)], np.int64)
    both(torch, lambda m, x: x * 4, big)


def test_division_by_zero(torch):
    f = np.array([1.0, -1.0, 0.0], np.float32)
    z = np.zeros(3, np.float32)
    for fn in ("truediv", "floordiv", "mod", "fmod"):
        both(torch, EXACT_BINARY[fn], f, z)
    ints = np.array([1, 2], np.int64)
    for fn in ("floordiv", "mod", "trunc", "truediv"):
        both(torch, EXACT_BINARY[fn], ints, np.zeros(2, np.int64))


def test_broadcasting_empty_and_noncontiguous(torch):
    a = sample("float32", (4, 1, 3))
    b = sample("float32", (5, 1))
    both(torch, lambda m, x, y: x + y, a, b)
    both(torch, lambda m, x, y: x * y, np.zeros((0, 3), np.float32), sample("float32", (3,)))
    both(torch, lambda m, x, y: x - y, sample("int64", (4, 3)), sample("int64", (1, 3)))
    both(torch, lambda m, x, y: x.t() / y, sample("int32", (4, 3)), sample("float32", (3, 4)))
    both(torch, lambda m, x, y: x + y, sample("float32", (2, 3)), sample("float32", (4,)))


def test_pow(torch):
    for d in DTYPES:
        a = sample(d, (6,), low=-3, high=4)
        rtol = INEXACT_RTOL.get(d, 0)
        both(torch, lambda m, x: x**2, a, rtol=rtol)
        both(torch, lambda m, x: x**0.5, np.abs(a) if d != "bool" else a, rtol=rtol, atol=rtol)
        both(torch, lambda m, x: 2**x, a, rtol=rtol)
        both(
            torch, lambda m, x, y: m.pow(x, y), a, sample(d, (6,), seed=5, low=0, high=3), rtol=rtol
        )
    both(torch, lambda m, x: x**-1, sample("int64", (3,)))
    both(torch, lambda m, x, y: x**y, np.array([1, -1, 2, 3]), np.array([-1, -3, -1, 2]))


def test_bool_arithmetic_rules(torch):
    a, b = sample("bool", (6,), 1), sample("bool", (6,), 2)
    for fn in ("add", "mul", "sub", "truediv", "and", "xor"):
        both(torch, EXACT_BINARY[fn], a, b)
    both(torch, lambda m, x: -x, a)
    both(torch, lambda m, x: ~x, a)
    both(torch, lambda m, x: x + 1, a)
    both(torch, lambda m, x: x - 1, a)


def test_unary_operators(torch):
    for d in DTYPES:
        a = sample(d, (3, 2))
        both(torch, lambda m, x: -x, a)
        both(torch, lambda m, x: abs(x), a)
        both(torch, lambda m, x: ~x, a)


def test_float_alpha_on_integers_fails(torch):
    both(torch, lambda m, x: m.add(x, x, alpha=1.5), sample("int64", (3,)))
    with pytest.raises(RuntimeError):
        ember.add(ember.ones(2, dtype=ember.int64), 1, alpha=0.5)


def test_where_and_clamp(torch):
    cond = sample("bool", (3, 4))
    for da, db in [
        ("float32", "int64"),
        ("int32", "int64"),
        ("uint8", "int8"),
        ("float16", "float64"),
    ]:
        both(torch, lambda m, c, x, y: m.where(c, x, y), cond, sample(da), sample(db, (4,)))
    both(torch, lambda m, c, x: m.where(c, x, 2.5), cond, sample("int64"))
    both(torch, lambda m, c, x: m.where(c, 0, x), cond, sample("float16"))
    both(torch, lambda m, c: m.where(c), cond)
    for d in ("int64", "float32", "uint8", "bfloat16"):
        a = sample(d, (10,))
        both(torch, lambda m, x: m.clamp(x, -2, 3), a)
        both(torch, lambda m, x: m.clamp(x, min=0.5), a)
        both(torch, lambda m, x: x.clamp(max=1), a)
        both(torch, lambda m, x: m.clamp_min(x, 1), a)
        both(torch, lambda m, x: m.clamp_max(x, 1), a)
        both(torch, lambda m, x, lo: m.clamp(x, lo), a, sample(d, (10,), seed=9))
    both(torch, lambda m, x: m.clamp(x, 3, -2), sample("float32", (5,)))
    both(torch, lambda m, x: m.clamp(x, float("nan")), sample("float32", (5,)))
    both(torch, lambda m, x: m.clamp(x), sample("float32", (5,)))


def test_comparisons_with_nan_and_mixed_types(torch):
    a = np.array([np.nan, 1.0, -np.inf, 2.0], np.float32)
    b = np.array([np.nan, 1.0, 0.0, np.inf], np.float64)
    for fn in ("eq", "ne", "lt", "le", "gt", "ge", "maximum", "minimum"):
        both(torch, EXACT_BINARY[fn], a, b)
        both(torch, EXACT_BINARY[fn], a, np.array([1, 2, 3, 4]))


def test_equal_isclose_allclose_masked_fill(torch):
    a = sample("float32", (3, 4))
    b = a.copy()
    b[0, 0] += 1e-6
    both(torch, lambda m, x, y: m.equal(x, y), a, b)
    both(torch, lambda m, x, y: m.equal(x, y), a, a)
    both(torch, lambda m, x, y: x.equal(y), a, a[:2])
    both(torch, lambda m, x, y: m.isclose(x, y), a, b)
    both(torch, lambda m, x, y: m.allclose(x, y, atol=0, rtol=0), a, b)
    both(torch, lambda m, x, y: x.allclose(y), a, b)
    both(torch, lambda m, x, y: m.isclose(x, y), a, b.astype(np.float64))
    mask = sample("bool", (4,), seed=3)
    for d in ("float32", "int64", "bool"):
        both(torch, lambda m, x, k: x.masked_fill(k, 7), sample(d, (3, 4)), mask)
        both(torch, lambda m, x, k: x.masked_fill(k, 2.5), sample(d, (3, 4)), mask)
    both(
        torch, lambda m, x, k: x.masked_fill(k, 1), sample("float32", (3, 4)), mask.astype(np.int64)
    )

    def fill_(m, x, k):
        x.masked_fill_(k, -1.0)
        return x

    both(torch, fill_, sample("float32", (3, 4)), mask)
    both(torch, fill_, sample("float32", (4,)), sample("bool", (3, 4)))


def _complex(d, shape, seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(d)


def test_complex_promotion_and_math(torch):
    for name in ("add", "sub", "mul", "truediv", "eq", "alpha"):
        for da in ("bool", "int64", "float16", "float32", "float64", "complex64"):
            for db in ("complex64", "complex128"):
                a = _complex(da, (3, 4), 1) if da.startswith("complex") else sample(da, (3, 4), 1)
                b = _complex(db, (4,), 2)
                both(torch, EXACT_BINARY[name], a, b, rtol=1e-6, atol=1e-6)
                both(torch, EXACT_BINARY[name], b, a, rtol=1e-6, atol=1e-6)
    z = _complex("complex64", (5,), 3)
    for fn in ("exp", "sqrt", "tanh", "sigmoid", "abs", "neg", "log", "sign", "sum", "mean"):
        both(torch, lambda m, x: getattr(m, fn)(x), z, rtol=1e-5, atol=1e-6)
    both(torch, lambda m, x: x * 1j, sample("float32", (3,)))


def test_zero_dim_operands_and_scalars(torch):
    for name in ("add", "mul", "truediv", "floordiv", "lt", "maximum", "logical_or", "and"):
        fn = EXACT_BINARY[name]
        for da, db in itertools.product(DTYPES, DTYPES):
            a, b = np.asarray(sample(da, (1,), 1)[0]), np.asarray(sample(db, (1,), 2)[0])
            if b == 0:
                b = np.asarray(3).astype(b.dtype)
            both(torch, fn, a, b)
        for da in DTYPES:
            for s in (3, -2.5, True):
                both(torch, fn, np.asarray(sample(da, (1,), 1)[0]), s)


def test_numpy_scalars_act_as_numbers(torch):
    for d in ("float32", "int64", "float16"):
        a = sample(d, (3,))
        both(torch, lambda m, x: x * np.float64(2.5), a)
        both(torch, lambda m, x: np.int64(3) - x, a)
        both(torch, lambda m, x: np.float32(2) * x, a)
        both(torch, lambda m, x: x < np.int32(1), a)


def test_broadcast_errors_read_like_torch(torch):
    for shapes in [((2, 3), (4,)), ((2, 3), (3, 3)), ((5, 1, 2), (3, 3))]:
        a, b = sample("float32", shapes[0]), sample("float32", shapes[1])
        mine = both(torch, lambda m, x, y: x + y, a, b)
        with pytest.raises(RuntimeError) as theirs:
            to_torch_arr(a) + to_torch_arr(b)
        assert isinstance(mine, RuntimeError) and str(mine) == str(theirs.value)


def test_half_precision_scalars_follow_torch_kernels(torch):
    # add/sub/remainder round a scalar operand to the tensor's dtype first; mul/div read it
    # at float32 precision. Scalars below are not representable in float16/bfloat16.
    values = np.array([3.09375, -2.40625, 5.21875, 0.921875, 7.03125, -0.0078125])
    for d in ("bfloat16", "float16"):
        a = values.astype(ember.dtypes.by_name(d).np)
        for s in (1.55078125, 1.0 + 2**-11 + 2**-13, 3.3, -0.7):
            for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "lt", "trunc"):
                both(torch, EXACT_BINARY[name], a, s)
                both(torch, EXACT_BINARY[name], a, np.asarray(s, np.float32))
            both(torch, lambda m, x: s - x, a)
            both(torch, lambda m, x: s / x, a)
            both(torch, lambda m, x: x.clone().add_(s), a)
            both(torch, lambda m, x: x.clone().mul_(s), a)


@pytest.mark.parametrize(
    "make",
    [
        lambda np_, t: np_.float64(2) + t,
        lambda np_, t: np_.int64(2) * t,
        lambda np_, t: np_.float32(3) - t,
        lambda np_, t: np_.float64(1) / t,
        lambda np_, t: np_.int32(2) ** t,
    ],
)
def test_numpy_scalars_on_the_left_act_like_python_scalars(torch, make):
    got = make(np, ember.tensor([1.0, 2.0]))
    want = make(np, torch.tensor([1.0, 2.0]))
    assert isinstance(got, ember.Tensor)
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    assert got.tolist() == want.tolist()


AWKWARD = {
    "bool_pow_false": (lambda m: m.tensor([True, False]) ** False),
    "bool_pow_true": (lambda m: m.tensor([True, False]) ** True),
    "true_pow_bool": (lambda m: True ** m.tensor([True, False])),
    "int16_pow_huge": (lambda m: m.tensor([2, 3], dtype=m.int16) ** 10**10),
    "uint8_pow_300": (lambda m: m.tensor([2, 3], dtype=m.uint8) ** 300),
    "uint8_pow_negative": (lambda m: m.tensor([2, 3], dtype=m.uint8) ** -1),
    "empty_mod_zero": (lambda m: m.zeros(0, dtype=m.uint8) % 0),
    "empty_fmod_false": (lambda m: m.fmod(m.zeros(0, 2, dtype=m.uint8), False)),
    "empty_floordiv_zero": (lambda m: m.zeros(0, dtype=m.int64) // 0),
    "int_mod_zero": (lambda m: m.tensor([1, 2]) % 0),
    "max_of_empty": (lambda m: m.zeros(0, 3).max()),
    "max_dim_of_empty": (lambda m: m.zeros(0, 3).max(0)),
    "argmax_dim_of_empty_complex": (lambda m: m.zeros(0, 4, dtype=m.complex64).argmax(0)),
    "argmax_of_0d_complex": (lambda m: m.tensor(1j).argmax(0)),
    "amax_of_empty_named_dim": (lambda m: m.zeros(0, 3).amax(-2)),
    "amax_of_empty_complex": (lambda m: m.zeros(0, 4, dtype=m.complex64).amax(0)),
    "argmax_of_empty": (lambda m: m.zeros(0).argmax()),
    "clamp_uint8_by_huge": (lambda m: m.ones(2, dtype=m.uint8).clamp(max=10**10)),
    "clamp_int32_below_range": (lambda m: m.ones(2, dtype=m.int32).clamp(min=-(10**10))),
    "clamp_int64_by_2_63": (lambda m: m.ones(2, dtype=m.int64).clamp(max=2**63)),
    "clamp_by_too_big_int": (lambda m: m.ones(2).clamp(10**20)),
    "clamp_inplace_uint8_300": (lambda m: m.ones(2, dtype=m.uint8).clamp_(max=300)),
    "pow_int32_huge": (lambda m: m.ones(2, dtype=m.int32) ** 10**10),
    "clamp_uint8_by_minus_one_wraps": (lambda m: m.tensor([1, 5, 9], dtype=m.uint8).clamp(-1, 4)),
    "clamp_uint8_by_minus_256": (lambda m: m.tensor([1, 5, 9], dtype=m.uint8).clamp(-256)),
}


@pytest.mark.parametrize("name", sorted(AWKWARD))
def test_awkward_scalars_and_empty_inputs_match_torch(torch, name):
    fn = AWKWARD[name]
    try:
        want = fn(torch)
    except Exception as exc:
        with pytest.raises(type(exc)) as got:
            fn(ember)
        assert str(got.value) == str(exc).replace("torch.", "ember.")
        return
    got = fn(ember)
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    assert got.tolist() == want.tolist()


def test_max_dim_reports_an_empty_dim_before_complex(torch):
    with pytest.raises(IndexError) as want:
        torch.zeros(0, 4, dtype=torch.complex64).max(0)
    with pytest.raises(IndexError) as got:
        ember.zeros(0, 4, dtype=ember.complex64).max(0)
    assert str(got.value) == str(want.value)
