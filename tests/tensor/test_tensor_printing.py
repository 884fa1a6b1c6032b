"""Tensor printing: `repr(ember tensor)` must equal torch 2.13's with `torch.` -> `ember.`.

Inputs are generated from seeded numpy draws over many magnitudes, shapes and dtypes; both
libraries print the same values.
"""

import math

import numpy as np
import pytest

import ember
from compare import from_torch

FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]


def _pair(torch, array, dtype):
    t = torch.from_numpy(np.ascontiguousarray(array)).to(getattr(torch, dtype))
    return from_torch(t), t


def _check(e, t):
    expected = repr(t).replace("torch.", "ember.")
    assert repr(e) == expected
    assert str(e) == expected


def _float_arrays(rng):
    shapes = [(), (1,), (5,), (3, 4), (2, 3, 4), (17,), (4, 25), (2, 1, 3, 1)]
    for scale in [1e-12, 1e-5, 1e-3, 0.1, 1.0, 37.0, 1e3, 1e5, 1e9, 1e20]:
        for shape in shapes:
            yield rng.standard_normal(shape) * scale
    for shape in shapes:
        yield rng.integers(-50, 50, shape).astype(np.float64)  # integer mode
        yield rng.integers(-50, 50, shape) * 1e7  # integer mode, scientific
        yield np.round(rng.standard_normal(shape), 1) * 10.0 ** rng.integers(-3, 5, shape)
    yield np.zeros(4)
    yield np.array([-0.0, 0.0])
    yield np.array([1.0, 1.0e-4, 1.0e-5])
    yield np.array([1.0, 1000.0, 1001.0])
    yield np.array([1e8, 1.0])
    yield np.array([123456.789, 0.5])


@pytest.mark.parametrize("dtype", FLOATS)
def test_floats_of_many_magnitudes(torch, dtype):
    rng = np.random.default_rng(0)
    for array in _float_arrays(rng):
        if dtype in ("float16", "bfloat16") and np.abs(array).max(initial=0) > 6e4:
            continue
        _check(*_pair(torch, array, dtype))


def test_nan_and_inf_mixes(torch):
    specials = [math.nan, math.inf, -math.inf]
    rng = np.random.default_rng(1)
    for trial in range(60):
        n = int(rng.integers(1, 9))
        values = rng.standard_normal(n) * 10.0 ** rng.integers(-6, 9)
        mask = rng.random(n) < 0.4
        values[mask] = rng.choice(specials, mask.sum())
        if trial % 3 == 0:
            values = np.round(values)
        for dtype in ("float32", "float64"):
            _check(*_pair(torch, values, dtype))
    for values in ([math.nan], [math.inf, -math.inf], [math.nan, 0.0], [0.0, math.inf, 2.0]):
        _check(*_pair(torch, np.array(values), "float32"))


@pytest.mark.parametrize("dtype", INTS + ["bool"])
def test_integers_and_bools(torch, dtype):
    rng = np.random.default_rng(2)
    info = np.iinfo(dtype) if dtype != "bool" else None
    for shape in [(), (1,), (6,), (3, 5), (2, 3, 2), (40,), (3, 30)]:
        if info is None:
            array = rng.random(shape) < 0.5
        else:
            low, high = max(info.min, -(10**12)), min(info.max, 10**12)
            array = rng.integers(low, high, shape, endpoint=True, dtype=np.int64)
        _check(*_pair(torch, array, dtype))
    if dtype == "int64":
        extremes = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0])
        _check(*_pair(torch, extremes, dtype))


def test_summarised_large_tensors(torch):
    rng = np.random.default_rng(3)
    shapes = [(1001,), (2000,), (40, 30), (7, 200), (12, 10, 11), (3, 400), (1000, 2), (5, 5, 5, 9)]
    for shape in shapes:
        _check(*_pair(torch, rng.standard_normal(shape), "float32"))
        _check(*_pair(torch, rng.integers(-(10**6), 10**6, shape), "int64"))
    _check(*_pair(torch, np.arange(1200.0), "float64"))


def test_wide_rows_wrap(torch):
    rng = np.random.default_rng(4)
    for n in (15, 26, 27, 80, 150):
        _check(*_pair(torch, rng.standard_normal(n) * 1e4, "float32"))
        _check(*_pair(torch, rng.standard_normal((2, n)), "float64"))
        _check(*_pair(torch, rng.integers(-999, 999, (3, n)), "int32"))


def test_zero_dim_and_empty(torch):
    for shape in [(0,), (0, 3), (2, 0), (2, 0, 1)]:
        for dtype in ("float32", "float64", "int64", "int32", "bool", "complex64"):
            e = ember.zeros(shape, dtype=getattr(ember, dtype))
            _check(e, torch.zeros(shape, dtype=getattr(torch, dtype)))
    for value in (0.0, -2.5, 1e-9, 3, True, 1 + 2j):
        _check(ember.tensor(value), torch.tensor(value))
    _check(ember.tensor(7, dtype=ember.int8), torch.tensor(7, dtype=torch.int8))


def test_complex(torch):
    rng = np.random.default_rng(5)
    for scale in (1e-6, 1.0, 100.0, 1e9):
        for shape in [(), (3,), (2, 3), (30,)]:
            values = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * scale
            for dtype in ("complex64", "complex128"):
                _check(*_pair(torch, values, dtype))
    for values in ([1 + 2j, -1.5j], [0j, 1j], [complex(math.nan, 1), complex(1, math.inf)]):
        _check(*_pair(torch, np.array(values), "complex64"))


def test_requires_grad_and_views(torch):
    e, t = (
        ember.tensor([1.0, 2.0], requires_grad=True),
        torch.tensor([1.0, 2.0], requires_grad=True),
    )
    _check(e, t)
    e = ember.tensor([[1.5, 2.0]] * 14, dtype=ember.float64, requires_grad=True)
    t = torch.tensor([[1.5, 2.0]] * 14, dtype=torch.float64, requires_grad=True)
    _check(e, t)
    wide_e = ember.arange(0, 17, dtype=ember.float64).requires_grad_()
    wide_t = torch.arange(0, 17, dtype=torch.float64).requires_grad_()
    _check(wide_e, wide_t)
    _check(ember.arange(1, 10)[1::2], torch.arange(1, 10)[1::2])
    base_e, base_t = ember.arange(12.0).reshape(3, 4), torch.arange(12.0).reshape(3, 4)
    _check(base_e.t(), base_t.t())
    _check(base_e[:, 1], base_t[:, 1])


OPTIONS = [
    dict(precision=2),
    dict(precision=8),
    dict(threshold=5),
    dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0),
    dict(linewidth=40),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(profile="short"),
    dict(profile="full"),
]


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
def test_print_options(torch, options):
    rng = np.random.default_rng(6)
    arrays = [
        (rng.standard_normal((4, 6)) * 1e3, "float32"),
        (rng.standard_normal(12) * 1e-6, "float64"),
        (np.arange(20.0), "float32"),
        (rng.integers(-100, 100, (3, 8)), "int64"),
        (rng.standard_normal(1500), "float32"),
        (np.array(2.5), "float32"),
    ]
    try:
        ember.set_printoptions(**options)
        torch.set_printoptions(**options)
        for array, dtype in arrays:
            _check(*_pair(torch, array, dtype))
    finally:
        ember.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_default_dtype_changes_the_suffix(torch):
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        for data in ([1.0, 2.0], [1j], []):
            _check(ember.tensor(data), torch.tensor(data))
        _check(ember.tensor([1.0], dtype=ember.float32), torch.tensor([1.0], dtype=torch.float32))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def test_printoptions_context_restores():
    from ember.tensor import get_printoptions, printoptions

    with printoptions(precision=1):
        assert get_printoptions()["precision"] == 1
        assert repr(ember.tensor([1.25])) == "tensor([1.2])"
    assert repr(ember.tensor([1.25])) == "tensor([1.2500])"


def _hypothesis_arrays():
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    dtype = st.sampled_from(["float32", "float64", "int64", "int32", "int8", "bool"])
    shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12)
    return dtype.flatmap(
        lambda d: st.tuples(
            st.just(d),
            hnp.arrays(
                np.float64 if d.startswith("float") else d,
                shape,
                elements=_elements(d),
            ),
        )
    )


def _elements(d):
    from hypothesis import strategies as st

    if d == "bool":
        return st.booleans()
    if d.startswith("int"):
        info = np.iinfo(d)
        return st.integers(int(info.min), int(info.max))
    limit = 2.0**100 if d == "float32" else 1e300
    return st.one_of(
        st.floats(-limit, limit, width=32 if d == "float32" else 64),
        st.integers(-(10**6), 10**6).map(float),
        st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e-9, 0.5]),
    )


def test_hypothesis_random_tensors(torch):
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_hypothesis_arrays())
    def check(case):
        dtype, array = case
        _check(*_pair(torch, array, dtype))

    check()


ALL_DTYPES = FLOATS + INTS + ["bool", "complex64", "complex128"]


def _random_case(rng):
    """A random tensor of any dtype (any magnitudes, specials, up to ~40 per dim) and options."""
    dtype = ALL_DTYPES[rng.integers(len(ALL_DTYPES))]
    shape = tuple(
        int(s) for s in rng.integers(0, 14 if rng.random() < 0.7 else 40, rng.integers(4))
    )
    values = np.asarray(rng.standard_normal(shape) * 10.0 ** rng.integers(-12, 12))
    if rng.random() < 0.3:
        values = np.round(values)
    if values.ndim and rng.random() < 0.2:
        mask = rng.random(shape) < 0.2
        values[mask] = rng.choice([math.nan, math.inf, -math.inf, 0.0, -0.0], int(mask.sum()))
    if dtype.startswith("complex"):
        values = values + 1j * rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8)
    elif dtype == "bool":
        values = values > 0
    elif dtype in INTS:
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, shape, endpoint=True, dtype=dtype)
    options = {}
    if rng.random() < 0.3:
        options = dict(
            precision=int(rng.integers(0, 10)),
            threshold=int(rng.integers(1, 2000)),
            edgeitems=int(rng.integers(0, 5)),
            linewidth=int(rng.integers(10, 200)),
        )
        if rng.random() < 0.3:
            options["sci_mode"] = bool(rng.random() < 0.5)
    grad = dtype in FLOATS + ["complex64", "complex128"] and rng.random() < 0.2
    return values, dtype, options, grad


@pytest.mark.parametrize("seed", range(3))
def test_random_tensors_of_every_dtype_with_random_options(torch, seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(300):
        values, dtype, options, grad = _random_case(rng)
        with np.errstate(all="ignore"):
            e, t = _pair(torch, values, dtype)
        if grad:
            e.requires_grad_()
            t.requires_grad_()
        try:
            ember.set_printoptions(**options)
            torch.set_printoptions(**options)
            _check(e, t)
        finally:
            ember.set_printoptions(profile="default")
            torch.set_printoptions(profile="default")


def test_buffers_and_subclasses_print_like_torch(torch):
    assert repr(ember.nn.Buffer(ember.ones(2))) == repr(torch.nn.Buffer(torch.ones(2)))

    class Mine(ember.Tensor):
        pass

    class Theirs(torch.Tensor):
        pass

    mine = Mine._make(ember.ones(2)._np)
    assert repr(mine) == repr(torch.ones(2).as_subclass(Theirs)).replace("Theirs", "Mine")
