"""Sizes read during tracing stay symbolic: each trace is taken on a (3, 4) input and must
equal eager code on (5, 4) and (1, 4) inputs, through indexing, views and creation ops."""

import math

import numpy as np
import pytest

import ember
import ember.jit

CASES = {
    "select": lambda x: x[0],
    "slice": lambda x: x[:, 1:],
    "new_axis": lambda x: x[..., None],
    "transpose": lambda x: x.T,
    "dtype_round_trip": lambda x: x.double().float(),
    "contiguous": lambda x: x.t().contiguous(),
    "matmul": lambda x: x @ x.t(),
    "zeros_of_shape": lambda x: ember.zeros(x.shape) + x,
    "flatten": lambda x: x.flatten(0),
    "reshape_by_shape": lambda x: x.reshape(x.shape[0] * 2, -1),
    "expand": lambda x: x[:, :1].expand(x.size(0), 4),
    "full": lambda x: ember.full((x.size(0), 2), 3.0),
    "arange": lambda x: ember.arange(x.size(0)),
    "numel": lambda x: x.view(x.numel()),
    "size_tuple": lambda x: x.view(*x.size()),
    "floordiv": lambda x: x.view(x.size(0) * 4 // 2 % 1000, -1),
    "negative_size": lambda x: x.view(-(-x.size(0)), -1).neg(),
    "cat_zeros": lambda x: ember.cat([x, ember.zeros(x.size(0), 1)], 1),
    "slice_by_size": lambda x: x[: x.size(0) - 1 + 1, 1 : x.size(1)],
    "select_by_size": lambda x: x[x.size(0) - 1],
    "index_mixed": lambda x: x[None, ..., : x.size(1) // 2],
    "halves": lambda x: x[: x.size(0) // 2 + 1] + x[x.size(0) // 2 :][:1],
    "stack_split": lambda x: ember.stack(x.split(2, 1), 0).sum(0),
}


@pytest.mark.filterwarnings("error::ember.jit.TracerWarning")
@pytest.mark.parametrize("name", sorted(CASES))
def test_trace_generalises_over_the_batch_size(name):
    fn = CASES[name]
    rng = np.random.default_rng(0)
    traced = ember.jit.trace(fn, ember.from_numpy(rng.standard_normal((3, 4), np.float32)))
    for rows in (5, 1):
        x = ember.from_numpy(rng.standard_normal((rows, 4), np.float32))
        expected, got = fn(x), traced(x)
        assert got.shape == expected.shape
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_size_ops_are_in_the_graph():
    traced = ember.jit.trace(lambda x: x.view(x.size(0) * 2, -1), ember.ones(4, 2))
    kinds = [op.qualified_name for op in traced.graph.walk()]
    assert "aten::size.int" in kinds and "aten::mul.int" in kinds


def test_unused_sizes_leave_no_ops():
    def f(x):
        _ = x.shape
        return x + 1

    traced = ember.jit.trace(f, ember.ones(2))
    kinds = [op.kind for op in traced.graph.walk() if op.kind != "prim::Constant"]
    assert kinds == ["aten::add", "prim::Return"]


def test_traced_program_failing_on_a_check_input_is_a_tracing_check_error():
    def f(x):
        return x.view(int(x.size(0)) * 4)

    failed = pytest.raises(ember.jit.TracingCheckError, match="failed on check_inputs\\[0\\]")
    with failed, pytest.warns(ember.jit.TracerWarning, match="size to a Python integer"):
        ember.jit.trace(f, ember.ones(3, 4), check_inputs=[(ember.ones(5, 4),)])


def test_outputs_and_inputs_are_plain_tensors_after_tracing():
    x = ember.ones(2, 2)
    seen = []

    def f(t):
        seen.append(t)
        return t * 2

    traced = ember.jit.trace(f, x)
    assert type(x) is ember.Tensor
    assert type(traced(x)) is ember.Tensor
    assert seen[0].size(0) == 2 and type(seen[0].size(0)) is int


SCALAR_CASES = {
    "t_plus_n": lambda x: x + x.size(0),
    "n_plus_t": lambda x: x.size(0) + x,
    "n_minus_t": lambda x: x.size(0) - x,
    "t_times_n": lambda x: x * x.shape[1],
    "t_div_n": lambda x: x / x.size(0),
    "n_div_t": lambda x: x.size(0) / (x.abs() + 1),
    "t_floordiv_n": lambda x: (x * 10) // x.size(0),
    "n_floordiv_t": lambda x: x.size(0) // (x.abs() + 1),
    "n_mod_t": lambda x: x.size(0) % (x.abs() + 1),
    "t_mod_n": lambda x: (x * 10) % x.size(0),
    "t_pow_n": lambda x: x ** (x.size(0) % 3),
    "n_pow_t": lambda x: x.size(0) ** x,
    "t_gt_n": lambda x: (x * 10) > x.size(0),
    "n_lt_t": lambda x: x.size(0) < (x * 10),
    "param_times_n": lambda x: x.size(0) * ember.ones(4) + x,
}


@pytest.mark.filterwarnings("error::ember.jit.TracerWarning")
@pytest.mark.parametrize("name", sorted(SCALAR_CASES))
def test_sizes_combine_with_tensors(name):
    fn = SCALAR_CASES[name]
    rng = np.random.default_rng(1)
    traced = ember.jit.trace(fn, ember.from_numpy(rng.standard_normal((3, 4), np.float32)))
    assert "aten::size" in str(traced.graph)
    x = ember.from_numpy(rng.standard_normal((5, 4), np.float32))
    expected, got = fn(x), traced(x)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


FLOAT_AND_OPERATOR_CASES = {
    "size_times_float": lambda x: x * (x.size(0) * 0.5),
    "size_true_divide": lambda x: x * (x.size(0) / 2),
    "float_minus_tensor": lambda x: x.size(0) * 0.5 - x,
    "tensor_over_float": lambda x: x / (x.size(1) * 1.0),
    "negated_float": lambda x: x * -(x.size(0) / 2),
    "float_root": lambda x: x * x.size(0) ** 0.5,
    "square": lambda x: x * x.size(0) ** 2,
    "reciprocal_power": lambda x: x * x.size(0) ** -1,
    "floor_of_float": lambda x: x[: math.floor(x.size(0) * 0.5)],
    "ceil_of_float": lambda x: x[: math.ceil(x.size(0) / 3)],
    "trunc_of_float": lambda x: x[: math.trunc(x.size(0) / 3)],
    "right_shift": lambda x: x[: x.size(0) >> 1],
    "left_shift": lambda x: x.repeat(2, 1)[: x.size(0) << 1],
    "bitwise_and": lambda x: x[: x.size(0) & 6],
    "abs_of_negative": lambda x: x.view(abs(-x.size(0)), -1),
    "divmod": lambda x: x.view(divmod(x.size(0) * 2, 2)[0], -1),
    "invert": lambda x: x[: ~(-x.size(0))],
    "round_floor": lambda x: x.view(round(x.size(0)), math.floor(x.size(1))),
}


@pytest.mark.filterwarnings("error::ember.jit.TracerWarning")
@pytest.mark.parametrize("name", sorted(FLOAT_AND_OPERATOR_CASES))
def test_size_arithmetic_with_floats_and_int_operators(name):
    fn = FLOAT_AND_OPERATOR_CASES[name]
    rng = np.random.default_rng(2)
    traced = ember.jit.trace(fn, ember.from_numpy(rng.standard_normal((4, 3), np.float32)))
    for rows in (6, 9):
        x = ember.from_numpy(rng.standard_normal((rows, 3), np.float32))
        expected, got = fn(x), traced(x)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_float_on_the_left_of_a_size_is_a_plain_float():
    # Python asks float.__mul__ first, which takes the int's value: nothing to record.
    traced = ember.jit.trace(lambda x: x * (0.5 * x.size(0)), ember.ones(4))
    np.testing.assert_array_equal(traced(ember.ones(6)).numpy(), [2.0] * 6)


def test_a_list_an_op_returned_stays_one_list():
    def rejoin(x):
        return ember.cat(x.chunk(x.size(0)), 0) * 2

    traced = ember.jit.trace(rejoin, ember.ones(2, 3))
    assert "torch.cat(torch.chunk(x, torch.size(x, 0)))" in traced.code
    x = ember.randn(5, 3)
    np.testing.assert_allclose(traced(x).numpy(), rejoin(x).numpy())


def test_elements_of_an_op_list_used_one_by_one_are_unpacked():
    def halves(x):
        a, b = x.chunk(2)
        return a - b

    traced = ember.jit.trace(halves, ember.ones(4, 3))
    assert "_0, _1, = torch.chunk(x, 2)" in traced.code
    x = ember.randn(6, 3)
    np.testing.assert_allclose(traced(x).numpy(), halves(x).numpy())
