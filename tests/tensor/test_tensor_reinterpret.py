"""Views that reinterpret memory, against torch 2.13: real/imag, view_as_real/complex and
view(dtype) across element sizes (shapes, strides, storage offsets, write-through, errors)."""

import numpy as np
import pytest

import ember
from compare import from_torch


def _complex_pair(torch):
    t = torch.tensor([[1 + 2j, 3 + 4j, 5 + 6j], [7 + 8j, 9 + 1j, 2 + 3j]])
    return from_torch(t), t


VIEWS = {
    "real": lambda m, c: c.real,
    "imag": lambda m, c: c.imag,
    "real_of_transpose": lambda m, c: c.t().real,
    "imag_of_column": lambda m, c: c[:, 1].imag,
    "fn_real": lambda m, c: m.real(c),
    "view_as_real": lambda m, c: m.view_as_real(c),
    "view_as_real_strided": lambda m, c: m.view_as_real(c[:, ::2]),
    "round_trip": lambda m, c: m.view_as_complex(m.view_as_real(c)),
    "as_complex_of_rows": lambda m, c: m.view_as_complex(m.view_as_real(c)[1:]),
    "cfloat_as_int8": lambda m, c: c.view(m.int8),
    "cfloat_as_double": lambda m, c: c.view(m.float64),
    "int8_as_int32": lambda m, c: c.view(m.int8)[:, 8:16].view(m.int32),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_match_torch_and_share_storage(torch, name):
    e, t = _complex_pair(torch)
    got, want = VIEWS[name](ember, e), VIEWS[name](torch, t)
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    assert (tuple(got.shape), got.stride(), got.storage_offset()) == (
        tuple(want.shape), want.stride(), want.storage_offset())  # fmt: skip
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert got.untyped_storage() is e.untyped_storage()
    got.zero_()
    want.zero_()
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_real_of_a_real_tensor_is_itself_and_parts_assign(torch):
    x = ember.tensor([1.0, 2.0])
    assert x.real is x and ember.real(x) is x
    e, t = _complex_pair(torch)
    e.imag = ember.zeros(3)
    t.imag = torch.zeros(3)
    e.real[0] = -1
    t.real[0] = -1
    np.testing.assert_array_equal(e.numpy(), t.numpy())


ERRORS = {
    "imag_of_real": lambda m: m.ones(2).imag,
    "view_as_real_of_real": lambda m: m.view_as_real(m.ones(2)),
    "as_complex_size": lambda m: m.view_as_complex(m.ones(3)),
    "as_complex_stride": lambda m: m.view_as_complex(m.ones(2, 2).t()),
    "as_complex_dtype": lambda m: m.view_as_complex(m.ones(2, dtype=m.int64)),
    "as_complex_offset": lambda m: m.view_as_complex(m.ones(5)[1:].reshape(2, 2)),
    "as_complex_row_stride": lambda m: m.view_as_complex(m.ones(3, 3)[:, :2]),
    "view_0d": lambda m: m.tensor(1, dtype=m.int16).view(m.int8),
    "view_last_stride": lambda m: m.arange(12, dtype=m.int8).reshape(3, 4)[:, ::2].view(m.int16),
    "view_last_size": lambda m: m.arange(12, dtype=m.int8).reshape(3, 4)[:, :3].view(m.int16),
    "view_offset": lambda m: m.arange(12, dtype=m.int8).reshape(3, 4)[:, 1:3].view(m.int16),
    "view_row_stride": lambda m: m.arange(15, dtype=m.int8).reshape(5, 3)[:, :2].view(m.int16),
    "view_expanded": lambda m: m.ones(1, dtype=m.int8).expand(4).view(m.int16),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(torch, name):
    with pytest.raises(RuntimeError) as want:
        ERRORS[name](torch)
    with pytest.raises(RuntimeError) as got:
        ERRORS[name](ember)
    assert str(got.value) == str(want.value)


def test_view_dtype_changes_the_last_dimension_like_torch(torch):
    pairs = [("int8", "int32"), ("int32", "int8"), ("float32", "float64"), ("bool", "int16"),
             ("float64", "complex128"), ("int16", "bfloat16")]  # fmt: skip
    for src, dst in pairs:
        t = torch.arange(8).to(getattr(torch, src)).reshape(2, 4)
        got = from_torch(t).view(getattr(ember, dst))
        want = t.view(getattr(torch, dst))
        assert (tuple(got.shape), got.stride()) == (tuple(want.shape), want.stride())
        assert got.view(getattr(ember, src)).tolist() == t.tolist()
