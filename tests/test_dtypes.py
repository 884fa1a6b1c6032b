"""dtypes: names, ScalarType numbers, storage names and promotion equal torch 2.13's."""

import itertools
import warnings

import pytest

import ember
from ember import dtypes


def torch_dtype(torch, d):
    return getattr(torch, d.name)


def test_scalar_type_numbers_and_storage_names(torch):
    for d in dtypes.ALL_DTYPES:
        t = torch_dtype(torch, d)
        assert t.itemsize == d.itemsize
        assert t.is_floating_point == d.is_floating_point
        assert t.is_complex == d.is_complex
        storage = getattr(torch, d.storage_name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            assert storage(0).dtype == t


@pytest.mark.parametrize("a,b", list(itertools.product(dtypes.ALL_DTYPES, repeat=2)))
def test_promote_types_matches_torch(torch, a, b):
    expected = torch.promote_types(torch_dtype(torch, a), torch_dtype(torch, b))
    assert dtypes.promote_types(a, b).name == str(expected).removeprefix("torch.")


SCALARS = [True, 3, -2.5, 1 + 2j]


@pytest.mark.parametrize("d", dtypes.ALL_DTYPES, ids=str)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("ndim", [0, 1])
def test_result_type_with_scalar(torch, d, scalar, ndim):
    t = torch.zeros((2,) * ndim, dtype=torch_dtype(torch, d))
    expected = str(torch.result_type(t, scalar)).removeprefix("torch.")
    # ember has no complex32 (numpy lacks it): float16 with a complex scalar widens to complex64.
    expected = {"complex32": "complex64"}.get(expected, expected)
    assert dtypes.result_type((d, ndim), scalar).name == expected


@pytest.mark.parametrize("a,b", list(itertools.product(dtypes.ALL_DTYPES, repeat=2))[::5])
def test_result_type_zero_dim_against_dimensioned(torch, a, b):
    ta = torch.zeros(3, dtype=torch_dtype(torch, a))
    tb = torch.zeros((), dtype=torch_dtype(torch, b))
    expected = torch.result_type(ta, tb)
    assert dtypes.result_type((a, 1), (b, 0)).name == str(expected).removeprefix("torch.")


def test_aliases_and_repr():
    assert (
        ember.float is ember.float32 and ember.long is ember.int64 and ember.half is ember.float16
    )
    assert repr(ember.bfloat16) == "ember.bfloat16"
    assert dtypes.by_name("cdouble") is ember.complex128
    assert dtypes.from_scalar_type(15) is ember.bfloat16
    assert dtypes.from_storage_name("LongStorage") is ember.int64


def test_default_dtype_rules():
    with pytest.raises(TypeError):
        dtypes.set_default_dtype(ember.int32)
    dtypes.set_default_dtype(ember.float64)
    try:
        assert dtypes.result_type((ember.int32, 1), 0.5) is ember.float64
        assert dtypes.scalar_dtype(1j) is ember.complex128
    finally:
        dtypes.set_default_dtype(ember.float32)
