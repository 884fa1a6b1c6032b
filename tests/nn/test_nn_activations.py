"""The hard activations (relu6, hardtanh, hardswish, hardsigmoid), silu and dropout in place,
and group_norm against torch 2.13: float32 results bit for bit, in-place variants writing
into their input, and the ops scripted and traced code calls (torch's archives call them)."""

import numpy as np
import pytest

import ember
from compare import assert_same, to_torch
from ember import nn

F = nn.functional
RNG = np.random.default_rng(11)


def values(dtype=np.float32):
    x = RNG.standard_normal(4000).astype(np.float32) * 5
    x[:8] = [-3.0, 3.0, -0.0, 0.0, 6.0, -6.0, np.inf, -np.inf]
    return ember.from_numpy(x.astype(dtype))


@pytest.mark.parametrize("name", ["relu6", "hardswish", "hardsigmoid"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, ember.bfloat16.np, np.float16])
def test_hard_activations_equal_torch_bit_for_bit(torch, name, dtype):
    x = values(dtype)
    expected = getattr(torch.nn.functional, name)(to_torch(x))
    assert_same(getattr(F, name)(x), expected)
    signs = np.signbit(getattr(F, name)(x).float().numpy())
    assert np.array_equal(signs, np.signbit(expected.float().numpy()))
    y = x.clone()
    assert getattr(F, name)(y, inplace=True) is y
    assert_same(y, expected)


@pytest.mark.parametrize(
    "call",
    [
        lambda n, x: n.relu(x),
        lambda n, x: n.nn.ReLU6()(x),
        lambda n, x: n.nn.ReLU()(x),
        lambda n, x: n.nn.functional.hardtanh(x, 0.0, 6.0),
        lambda n, x: n.nn.functional.hardtanh(x, -6.0, 0.0),
        lambda n, x: n.clamp(x, min=0.0),
        lambda n, x: n.clamp(x, max=0.0),
    ],
)
def test_clamps_keep_the_sign_of_a_zero_input_as_torch_does(torch, call):
    """torch's max/min keep the input on a tie, so -0.0 stays -0.0 (numpy's keep the bound
    when it comes second)."""
    x = ember.tensor([-0.0, 0.0, -1.0, 7.0, float("nan")])
    got, want = call(ember, x).numpy(), call(torch, to_torch(x)).numpy()
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_hard_activations_refuse_what_torch_refuses(torch):
    ints = ember.tensor([-7, 2, 9])
    assert_same(F.relu6(ints), torch.nn.functional.relu6(torch.tensor([-7, 2, 9])))
    for name in ("hardswish", "hardsigmoid"):
        with pytest.raises(NotImplementedError, match=f'"{name}_cpu" not implemented for'):
            getattr(F, name)(ints)
    with pytest.raises(AssertionError, match="must be greater than min_val"):
        nn.Hardtanh(1.0, 1.0)


@pytest.mark.parametrize(
    "factory",
    [
        lambda n: n.ReLU6(inplace=True),
        lambda n: n.Hardtanh(-0.5, 2.0, inplace=True),
        lambda n: n.Hardswish(inplace=True),
        lambda n: n.Hardsigmoid(inplace=True),
        lambda n: n.SiLU(inplace=True),
    ],
)
def test_inplace_layers_write_through_eager_scripted_and_traced(torch, factory):
    ours, theirs = factory(nn), factory(torch.nn)
    x = values()
    expected = theirs(to_torch(x))
    for run in (ours, ember.jit.script(ours), ember.jit.trace(ours, values())):
        y = x.clone()
        assert run(y).data_ptr() == y.data_ptr()
        assert_same(y, expected, atol=1e-6, rtol=1e-6)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    ("factory", "op"),
    [
        (lambda n: n.ReLU6(inplace=True), "aten::hardtanh_"),
        (lambda n: n.Hardswish(inplace=True), "aten::hardswish_"),
        (lambda n: n.Hardswish(), "aten::hardswish"),
        (lambda n: n.Hardsigmoid(inplace=True), "aten::hardsigmoid_"),
        (lambda n: n.Hardsigmoid(), "aten::hardsigmoid"),
        (lambda n: n.SiLU(inplace=True), "aten::silu_"),
        (lambda n: n.Dropout(0.3, inplace=True), "aten::dropout_"),
        (lambda n: n.GroupNorm(2, 4), "aten::group_norm"),
    ],
)
def test_traced_layers_record_torchs_ops(torch, factory, op):
    x = ember.randn(2, 4, 3)
    traced = ember.jit.trace(factory(nn).eval(), x, check_trace=False)
    assert op in str(traced.inlined_graph)
    torch_traced = torch.jit.trace(factory(torch.nn).eval(), to_torch(x), check_trace=False)
    assert op in str(torch_traced.inlined_graph)


def test_scripted_functions_call_the_inplace_ops():
    code = ember.jit.script(nn.Sequential(nn.Hardswish(True), nn.Dropout(0.1, True)))
    assert "torch.dropout_(" in code[1].code
    assert "torch.hardswish_(" in str(code[0].inlined_graph).replace("aten::", "torch.")


def test_dropout_inplace_statistics_and_eval_identity():
    x = ember.ones(20000)
    out = F.dropout(x, 0.25, True, inplace=True)
    assert out is x
    kept = x.numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.02
    assert np.allclose(x.numpy()[kept], 1 / 0.75)
    y = ember.ones(3)
    assert nn.Dropout(0.5, inplace=True).eval()(y).tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("shape", "groups"), [((2, 6, 5, 4), 3), ((3, 4, 7), 4), ((1, 8, 2, 2, 2), 2), ((5, 6), 1)]
)
def test_group_norm_matches_torch(torch, shape, groups):
    x = ember.from_numpy(RNG.standard_normal(shape).astype(np.float32) * 3 + 2)
    c = shape[1]
    w = ember.from_numpy(RNG.standard_normal(c).astype(np.float32))
    b = ember.from_numpy(RNG.standard_normal(c).astype(np.float32))
    expected = torch.nn.functional.group_norm(to_torch(x), groups, to_torch(w), to_torch(b), 1e-3)
    assert_same(F.group_norm(x, groups, w, b, 1e-3), expected, atol=1e-6, rtol=1e-5)
    scripted = ember.jit.script(F.group_norm)
    assert_same(scripted(x, groups, w, b, 1e-3), expected, atol=1e-6, rtol=1e-5)
    assert_same(F.group_norm(x.double(), groups), torch.nn.functional.group_norm(
        to_torch(x).double(), groups), atol=1e-12, rtol=1e-10)  # fmt: skip


def test_group_norm_errors_match_torch(torch):
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(ember.zeros(2, 6, 3), 4)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        torch.nn.functional.group_norm(torch.zeros(2, 6, 3), 4)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.group_norm(ember.zeros(1, 4), 4)
    with pytest.raises(ValueError, match="num_channels must be divisible by num_groups"):
        nn.GroupNorm(4, 6)
    with pytest.raises(RuntimeError, match="Expected at least 2 dimensions"):
        F.group_norm(ember.zeros(4), 1)


def _mobile_block(torch_nn):
    return torch_nn.Sequential(
        torch_nn.ReLU6(inplace=True),
        torch_nn.Hardswish(inplace=True),
        torch_nn.Hardsigmoid(),
        torch_nn.SiLU(inplace=True),
        torch_nn.Hardtanh(-2.0, 3.0),
        torch_nn.Dropout(0.2, inplace=True),
        torch_nn.GroupNorm(2, 4),
        torch_nn.Identity(),
    )


@pytest.mark.parametrize("kind", ["script", "trace"])
def test_torch_archives_of_the_mobile_layers_run_in_ember(torch, kind):
    import io

    block = _mobile_block(torch.nn).eval()
    with torch.no_grad():
        block[6].weight.uniform_(0.5, 1.5)
        block[6].bias.uniform_(-0.5, 0.5)
    x = values().reshape(10, 4, 10, 10)
    compiled = torch.jit.script(block) if kind == "script" else torch.jit.trace(block, to_torch(x))
    buffer = io.BytesIO()
    torch.jit.save(compiled, buffer)
    loaded = ember.jit.load(io.BytesIO(buffer.getvalue()))
    assert_same(loaded(x.clone()), block(to_torch(x)), atol=1e-5, rtol=1e-5)
