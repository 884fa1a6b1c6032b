"""ember.cpp's conversions between Python and the C++ runtime's values: every argument kind
goes in and comes back equal (`_cpp._echo` converts to ember::Value and back), tensors cross
without a copy when their memory allows it, and errors arrive as ember's exceptions."""

import warnings

import numpy as np
import pytest

import ember
import ember.cpp
from ember.cpp import _cpp

DTYPES = [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
          ember.float16, ember.bfloat16, ember.float32, ember.float64, ember.complex64,
          ember.complex128]  # fmt: skip


def echo(value):
    (out,) = _cpp._echo(value)
    return out


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 2**63 - 1, -(2**63), 1.5, float("inf"), -0.0, 2 - 3j, "",
     "héllo", [1, 2.5, "x"], [], (1, "a", None), (), [[1], [2, [3]]], {"a": 1, "b": [2.5]},
     {1: "one", 2: "two"}, {True: None}],
)  # fmt: skip
def test_python_values_come_back_equal_and_of_the_same_type(value):
    out = echo(value)
    assert out == value
    assert type(out) is type(value)


def test_numpy_scalars_become_python_numbers():
    assert echo(np.float32(1.5)) == 1.5 and type(echo(np.float32(1.5))) is float
    assert echo(np.int8(-3)) == -3 and type(echo(np.int8(-3))) is int
    assert echo(np.bool_(True)) is True
    assert echo(np.complex64(1j)) == 1j


def test_ember_dtypes_devices_and_sizes():
    assert echo(ember.float64) == 7  # TorchScript passes dtypes as ScalarType numbers
    assert echo(ember.bfloat16) == 15
    assert echo(ember.device("cpu")) == ember.device("cpu")
    assert echo(ember.Size([2, 3])) == [2, 3]  # int[] arguments


def test_what_has_no_value_is_refused():
    with pytest.raises(OverflowError):
        echo(2**63)
    with pytest.raises(TypeError, match="set"):
        echo({1, 2})
    with pytest.raises(TypeError, match="object"):
        echo(object())
    with pytest.raises(TypeError, match="uint16"):
        echo(np.zeros(2, np.uint16))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_tensors_cross_without_a_copy(dtype):
    t = ember.arange(6).to(dtype).reshape(2, 3)
    out = echo(t)
    assert isinstance(out, ember.Tensor)
    assert out.dtype == dtype and out.shape == t.shape and out.stride() == t.stride()
    assert np.array_equal(out.numpy(), t.numpy())
    assert np.shares_memory(out.numpy(), t.numpy())


def test_views_keep_their_strides_and_memory():
    base = ember.arange(24.0).reshape(2, 3, 4)
    for view in (base[:, 1:, ::2], base.transpose(0, 2), base[1], base[0, 0, 0]):
        out = echo(view)
        assert out.shape == view.shape and out.stride() == view.stride()
        assert np.array_equal(out.numpy(), view.numpy())
        assert np.shares_memory(out.numpy(), base.numpy())
    assert echo(base[:, :0]).shape == (2, 0, 4)


def test_writes_through_a_result_reach_the_input():
    t = ember.zeros(3)
    echo(t)[1] = 5.0
    assert t.tolist() == [0.0, 5.0, 0.0]


def test_numpy_arrays_become_ember_tensors_sharing_memory():
    a = np.arange(6, dtype=np.float32).reshape(3, 2)[::2]
    out = echo(a)
    assert isinstance(out, ember.Tensor) and out.dtype == ember.float32
    assert np.array_equal(out.numpy(), a) and np.shares_memory(out.numpy(), a)


@pytest.mark.parametrize(
    "array",
    [np.arange(5.0)[::-1], np.arange(4, dtype=">i4"), np.frombuffer(b"\x01\x02", np.uint8)],
    ids=["negative strides", "byte-swapped", "read-only"],
)
def test_arrays_that_cannot_be_viewed_are_copied(array):
    out = echo(array)
    assert np.array_equal(out.numpy(), array)
    assert not np.shares_memory(out.numpy(), array)
    assert out.numpy().dtype.isnative


def test_tensors_keep_requires_grad():
    assert echo(ember.ones(2, requires_grad=True)).requires_grad
    assert not echo(ember.ones(2)).requires_grad


def test_containers_of_tensors():
    a, b = ember.ones(2), ember.zeros(1, dtype=ember.int64)
    out = echo({"pair": (a, [b, None])})
    pair = out["pair"]
    assert isinstance(pair, tuple) and isinstance(pair[1], list)
    assert np.shares_memory(pair[0].numpy(), a.numpy())
    assert pair[1][0].tolist() == [0] and pair[1][1] is None


def test_a_file_that_is_no_archive_raises_serialization_error(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(ember.SerializationError):
        ember.cpp.load(path)
    with pytest.raises(ember.SerializationError):
        ember.cpp.load(tmp_path / "missing.pt")


def test_call_op_names_a_missing_kernel():
    with pytest.raises(ember.cpp.CppRuntimeError, match="aten::no_such_op"):
        ember.cpp._call_op("aten::no_such_op", 1)
    assert issubclass(ember.cpp.CppRuntimeError, ember.EmberError)
    assert issubclass(ember.cpp.CppRuntimeError, RuntimeError)


class Chatty(ember.nn.Module):
    def forward(self, x):
        print("x is", 1, "-d")
        warnings.warn("careful")
        return x


def test_print_and_warn_in_scripted_code_reach_python(tmp_path, capsys):
    path = tmp_path / "chatty.pt"
    ember.jit.save(ember.jit.script(Chatty()), path)
    module = ember.cpp.load(path)
    with pytest.warns(UserWarning, match="careful"):
        module.forward(ember.ones(2))
    assert capsys.readouterr().out == "x is 1 -d\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="careful"):
            module.forward(ember.ones(2))
