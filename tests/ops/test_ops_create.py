"""Creation functions and random numbers against torch 2.13 (values, dtypes, shapes)."""

import numpy as np
import pytest

import ember
from ops_helpers import both, sample

CREATION = {
    "zeros": lambda m: m.zeros(2, 3),
    "zeros_tuple": lambda m: m.zeros((2, 3), dtype=m.int32),
    "zeros_empty": lambda m: m.zeros(0, 3),
    "zeros_scalar": lambda m: m.zeros(()),
    "ones": lambda m: m.ones([4], dtype=m.bool),
    "ones_size": lambda m: m.ones(m.Size([2, 2])),
    "empty_shape": lambda m: m.empty(3, 2).shape,
    "full_int": lambda m: m.full((2, 2), 7),
    "full_bool": lambda m: m.full((2,), True),
    "full_float": lambda m: m.full((2,), 1.5),
    "full_complex": lambda m: m.full((1,), 1 + 2j),
    "full_dtype": lambda m: m.full((3,), 2.7, dtype=m.int64),
    "full_neg": lambda m: m.full((-1,), 1.0),
    "arange_int": lambda m: m.arange(5),
    "arange_float": lambda m: m.arange(5.0),
    "arange_start": lambda m: m.arange(2, 9, 3),
    "arange_neg_step": lambda m: m.arange(5, -4, -2),
    "arange_frac": lambda m: m.arange(0, 1, 0.1),
    "arange_frac2": lambda m: m.arange(-1.5, 2.25, 0.25),
    "arange_dtype": lambda m: m.arange(0, 10, 3, dtype=m.float64),
    "arange_empty": lambda m: m.arange(3, 3),
    "arange_bad": lambda m: m.arange(0, 5, -1),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "linspace_odd": lambda m: m.linspace(-3.5, 10, 7),
    "linspace_one": lambda m: m.linspace(2, 3, 1),
    "linspace_zero": lambda m: m.linspace(2, 3, 0),
    "linspace_int": lambda m: m.linspace(0, 10, 5, dtype=m.int64),
    "linspace_f64": lambda m: m.linspace(0, 1, 11, dtype=m.float64),
    "logspace": lambda m: m.logspace(0, 2, 3),
    "logspace_base": lambda m: m.logspace(0, 3, 4, base=2),
    "eye": lambda m: m.eye(3),
    "eye_rect": lambda m: m.eye(2, 4, dtype=m.int64),
}


@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation(torch, name):
    rtol = 1e-6 if name.startswith(("linspace", "logspace", "arange_frac")) else 0
    both(torch, CREATION[name], rtol=rtol, atol=rtol)


LIKE = {
    "zeros_like": lambda m, x: m.zeros_like(x),
    "ones_like": lambda m, x: m.ones_like(x, dtype=m.float64),
    "full_like": lambda m, x: m.full_like(x, 3),
    "full_like_float": lambda m, x: m.full_like(x, 2.5),
    "empty_like": lambda m, x: m.empty_like(x).shape,
    "rand_like": lambda m, x: (m.rand_like(x).shape, m.rand_like(x).dtype == x.dtype),
    "randn_like": lambda m, x: m.randn_like(x, dtype=m.float64).dtype == m.float64,
}


@pytest.mark.parametrize("name", sorted(LIKE))
def test_like(torch, name):
    for d in ("float32", "int64", "bool", "float16"):
        both(torch, LIKE[name], sample(d, (2, 3)))


def test_random_shapes_dtypes_and_ranges(torch):
    ember.manual_seed(0)
    r = ember.rand(1000)
    assert r.dtype == ember.float32 and r.shape == (1000,)
    assert float(r.min()) >= 0 and float(r.max()) < 1 and abs(float(r.mean()) - 0.5) < 0.05
    n = ember.randn(2000, dtype=ember.float64)
    assert n.dtype == ember.float64 and abs(float(n.mean())) < 0.1 and abs(float(n.std()) - 1) < 0.1
    i = ember.randint(3, 7, (500,))
    assert i.dtype == ember.int64 and int(i.min()) == 3 and int(i.max()) == 6
    j = ember.randint(5, (2, 2), dtype=ember.int32)
    assert j.dtype == ember.int32 and j.shape == (2, 2)
    assert ember.rand(2, 3, dtype=ember.float16).dtype == ember.float16
    assert ember.randn((3,), dtype=ember.bfloat16).shape == (3,)


def test_manual_seed_repeats():
    ember.manual_seed(42)
    a, b = ember.rand(4), ember.randn(3)
    ember.manual_seed(42)
    assert np.array_equal(ember.rand(4).numpy(), a.numpy())
    assert np.array_equal(ember.randn(3).numpy(), b.numpy())


def test_requires_grad_flag_and_device():
    assert ember.zeros(2, requires_grad=True).requires_grad
    assert ember.ones(2, device="cpu").shape == (2,)
    with pytest.raises(RuntimeError):
        ember.zeros(2, device="cuda")


def test_default_dtype_follows_set_default_dtype():
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.zeros(2).dtype == ember.float64
        assert ember.arange(1.0).dtype == ember.float64
        assert ember.full((1,), 0.5).dtype == ember.float64
        assert (ember.ones(2, dtype=ember.int32) / 2).dtype == ember.float64
    finally:
        ember.set_default_dtype(ember.float32)


def test_new_methods(torch):
    for d in ("int32", "float16", "bool"):
        a = sample(d, (2, 3))
        both(torch, lambda m, x: x.new_zeros(3), a)
        both(torch, lambda m, x: x.new_ones((2, 2), dtype=m.float64), a)
        both(torch, lambda m, x: x.new_full((2,), 1), a)
        both(torch, lambda m, x: (str(x.new_empty(4).dtype)[6:], x.new_empty(4).shape), a)
