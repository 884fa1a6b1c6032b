"""The C++ creation kernels and item (cpp_loader/src/kernels/create*.cpp, shape_extra.cpp)
give what ember's Python kernels give; every op of the shape group is registered and tested."""

import math
import random
from pathlib import Path

import pytest
from kernel_shape_helpers import OPS, T, check

import ember
import ember.cpp
from ember.ops import table
from ember.tensor import dispatch

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
    assert len(OPS) == 85 and set(OPS) <= set(ember.cpp._kernel_names())
    here = Path(__file__).parent
    body = "".join(p.read_text() for p in here.glob("test_kernels_shape*.py"))
    assert [op for op in OPS if f'"{op}"' not in body] == []


def test_random_arguments_raise_errors_never_crash():
    """3000 calls of the group's kernels with arguments drawn at random (odd dims, negative
    and huge ints, NaN and complex scalars, bad dtype numbers): a result or an error."""
    rng = random.Random(0)
    base = [T["contig"], T["transposed"], T["scalar"], T["empty"], T["int"], T["bool"],
            T["expanded"], ember.tensor([1 + 1j, 2j]), ember.tensor([[0, 1], [2, 5]])]  # fmt: skip
    ints = [0, 1, -1, 2, 3, -5, 7, 2**62, -(2**63), 2**63 - 1]
    scalars = [0, 1, -1, 2.5, math.nan, math.inf, True, 1j, 1e300, 2**62]

    def draw(kind):
        if kind.startswith("Tensor?[]") or kind.startswith("Tensor[]"):
            return [rng.choice([*base, None]) for _ in range(rng.randint(0, 3))]
        if kind.startswith("Tensor"):
            return rng.choice(base)
        if "[" in kind:  # small sizes only: huge ones are valid requests for huge tensors
            return [rng.choice(ints[:7]) for _ in range(rng.randint(0, 4))]
        if kind.startswith("ScalarType"):
            return rng.choice([None, 0, 4, 5, 6, 7, 9, 11, 15, 8, 99, -1])
        if kind.startswith("Scalar"):
            return rng.choice(scalars)
        if kind.startswith("bool"):
            return rng.choice([True, False, None])
        if kind.startswith("float"):
            return rng.choice([0.0, 2.0, -1.5, math.nan])
        if "int" in kind.lower():
            return rng.choice([*ints, None])
        return None

    errors = 0
    for _ in range(3000):
        name = rng.choice(OPS)
        op = table.get(name)
        args = [draw(a.type) for a in op.schema.arguments]
        try:
            ember.cpp._call_op(name, *args, num_outputs=len(op.schema.returns))
        except (ember.cpp.CppRuntimeError, TypeError):
            errors += 1
    assert 0 < errors < 3000
