"""Ops model code calls outside nn layers, against torch 2.13: Tensor.bernoulli_ /
ember.bernoulli (random: shape, dtype, values, statistics, exact p=0 and p=1), ember.diff,
ember.divide (every overload and rounding mode), ember.baddbmm, ember.is_grad_enabled;
eager, scripted and traced."""

import numpy as np
import pytest

import ember
from compare import assert_same, to_torch

RNG = np.random.default_rng(3)


def rand(*shape, dtype=np.float32):
    return ember.from_numpy((RNG.standard_normal(shape) * 4).astype(dtype))


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.int64, ember.bool])
def test_bernoulli_fills_zeros_and_ones_at_rate_p(dtype):
    x = ember.full((200, 100), 7, dtype=dtype)
    assert x.bernoulli_(0.3) is x
    values = x.numpy().astype(np.float64)
    assert x.dtype == dtype and set(np.unique(values)) <= {0.0, 1.0}
    assert abs(values.mean() - 0.3) < 0.02
    assert x.bernoulli_(0.0).numpy().astype(np.float64).sum() == 0
    assert x.bernoulli_(1.0).numpy().astype(np.float64).min() == 1
    assert x.bernoulli_().numpy().astype(np.float64).mean() == pytest.approx(0.5, abs=0.02)


def test_bernoulli_with_tensor_probabilities():
    p = ember.tensor([0.0, 1.0, 0.25])
    x = ember.zeros(4000, 3).bernoulli_(p)
    rates = x.numpy().mean(0)
    assert rates[0] == 0 and rates[1] == 1 and abs(rates[2] - 0.25) < 0.03
    drawn = ember.bernoulli(ember.full((4000,), 0.75))
    assert drawn.dtype == ember.float32 and abs(drawn.numpy().mean() - 0.75) < 0.03
    assert ember.zeros(3).bernoulli(1.0).tolist() == [1.0, 1.0, 1.0]


def test_bernoulli_refuses_what_torch_refuses(torch):
    cases = [
        (lambda m: m.zeros(3).bernoulli_(1.5), RuntimeError, "expects p to be in"),
        (lambda m: m.zeros(3).bernoulli_(m.tensor([0.1, 2.0, 0.3])), RuntimeError, "p_in >= 0"),
        (lambda m: m.zeros(3).bernoulli_(m.tensor([1, 0, 1])), NotImplementedError,
         "bernoulli_tensor_cpu_p_"),
        (lambda m: m.zeros(3, dtype=m.complex64).bernoulli_(0.5), NotImplementedError,
         "bernoulli_scalar_cpu_"),
    ]  # fmt: skip
    for make, error, message in cases:
        for module in (ember, torch):
            with pytest.raises(error, match=message):
                make(module)


def test_bernoulli_is_recorded_and_scripted():
    def drop(x):
        return x * ember.empty_like(x).bernoulli_(0.5)

    scripted = ember.jit.script(drop)
    assert "aten::bernoulli_" in str(scripted.graph)
    traced = ember.jit.trace(drop, ember.ones(3), check_trace=False)
    assert "aten::bernoulli_" in str(traced.graph)
    assert set(scripted(ember.ones(1000)).tolist()) == {0.0, 1.0}


@pytest.mark.parametrize(
    ("shape", "dtype", "kwargs"),
    [
        ((7,), np.float32, {}),
        ((3, 5), np.float32, {"n": 2, "dim": 0}),
        ((3, 5), np.int64, {"n": 3}),
        ((4,), np.bool_, {}),
        ((4,), np.float32, {"n": 9}),
        ((4,), np.float32, {"n": 0}),
        ((2, 3), np.float32, {"prepend": (2, 1), "append": (2, 2)}),
        ((2, 3), np.float64, {"dim": 0, "append": (1, 3)}),
    ],
)
def test_diff_matches_torch(torch, shape, dtype, kwargs):
    x = (
        rand(*shape, dtype=dtype)
        if dtype is not np.bool_
        else ember.tensor([True, False, False, True])
    )
    extra = {k: rand(*v, dtype=dtype) for k, v in kwargs.items() if k in ("prepend", "append")}
    plain = {k: v for k, v in kwargs.items() if k not in extra}
    expected = torch.diff(to_torch(x), **plain, **{k: to_torch(v) for k, v in extra.items()})
    assert_same(ember.diff(x, **plain, **extra), expected)
    assert_same(x.diff(**plain, **extra), expected)


def test_diff_errors_match_torch(torch):
    for module, x in ((ember, ember.tensor(1.0)), (torch, torch.tensor(1.0))):
        with pytest.raises(RuntimeError, match="at least one-dimensional"):
            module.diff(x)
    for module, x in ((ember, ember.ones(3)), (torch, torch.ones(3))):
        with pytest.raises(RuntimeError, match="order must be non-negative but got -1"):
            module.diff(x, n=-1)


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@pytest.mark.parametrize("other", ["tensor", 3, -2.5])
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_divide_matches_torch_on_every_overload(torch, mode, other, dtype):
    x = rand(3, 4, dtype=dtype)
    y = rand(4, dtype=dtype) if other == "tensor" else other
    if other == "tensor" and dtype is np.int64:
        y = y.abs() + 1
    ty = to_torch(y) if other == "tensor" else y
    expected = torch.divide(to_torch(x), ty, rounding_mode=mode)
    assert_same(ember.divide(x, y, rounding_mode=mode), expected)
    assert_same(x.divide(y, rounding_mode=mode), expected)
    if expected.dtype == to_torch(x).dtype:
        inplace = x.clone()
        assert inplace.divide_(y, rounding_mode=mode) is inplace
        assert_same(inplace, expected)


def test_divide_scripts_and_traces_to_aten_div(torch):
    def halve(x, y):
        return ember.divide(x, y, rounding_mode="floor") + x.divide(2.0)

    x, y = rand(5), rand(5).abs() + 1
    expected = torch.divide(to_torch(x), to_torch(y), rounding_mode="floor") + to_torch(x) / 2
    for run in (ember.jit.script(halve), ember.jit.trace(halve, (x, y))):
        assert "aten::div" in str(run.graph)
        assert_same(run(x, y), expected)


@pytest.mark.parametrize(
    ("self_shape", "beta", "alpha"),
    [((2, 3, 4), 1, 1), ((4,), 0.5, 2.0), ((3, 1), 0, 1.5), ((1, 1, 4), -1, 0)],
)
def test_baddbmm_matches_torch(torch, self_shape, beta, alpha):
    s, b1, b2 = rand(*self_shape), rand(2, 3, 5), rand(2, 5, 4)
    expected = torch.baddbmm(to_torch(s), to_torch(b1), to_torch(b2), beta=beta, alpha=alpha)
    assert_same(ember.baddbmm(s, b1, b2, beta=beta, alpha=alpha), expected, atol=1e-5, rtol=1e-5)
    assert_same(s.baddbmm(b1, b2, beta=beta, alpha=alpha), expected, atol=1e-5, rtol=1e-5)
    scripted = ember.jit.script(lambda_free_baddbmm)
    assert_same(scripted(s, b1, b2), torch.baddbmm(to_torch(s), to_torch(b1), to_torch(b2),
                                                   beta=0.5), atol=1e-5, rtol=1e-5)  # fmt: skip


def lambda_free_baddbmm(s, b1, b2):
    return ember.baddbmm(s, b1, b2, beta=0.5)


def test_baddbmm_ignores_self_when_beta_is_zero_and_checks_dtypes(torch):
    s = ember.full((4,), float("nan"))
    b1, b2 = ember.ones(2, 3, 5), ember.ones(2, 5, 4)
    assert ember.baddbmm(s, b1, b2, beta=0).tolist() == [[[5.0] * 4] * 3] * 2
    for module, (a, c, d) in ((ember, (s.double(), b1, b2)),
                              (torch, (torch.ones(4).double(), torch.ones(2, 3, 5),
                                       torch.ones(2, 5, 4)))):  # fmt: skip
        with pytest.raises(RuntimeError, match="Input dtypes must be the same"):
            module.baddbmm(a, c, d)


def test_is_grad_enabled_eager_and_scripted():
    def mode() -> bool:
        return ember.is_grad_enabled()

    scripted = ember.jit.script(mode)
    assert "aten::is_grad_enabled" in str(scripted.graph)
    assert mode() and scripted()
    with ember.no_grad():
        assert not mode() and not scripted()
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()


def test_autocast_is_never_enabled_eager_and_scripted(torch):
    def autocast() -> bool:
        return ember.is_autocast_enabled() or ember.is_autocast_cpu_enabled()

    scripted = ember.jit.script(autocast)
    assert "aten::is_autocast_enabled" in str(scripted.graph)
    assert autocast() is False and scripted() is False
    assert torch.is_autocast_enabled() is False


def test_is_floating_point_eager_and_scripted(torch):
    def floating(x) -> bool:
        return x.is_floating_point() and ember.is_floating_point(x)

    scripted = ember.jit.script(floating)
    for dtype in (ember.float16, ember.float32, ember.int64, ember.bool):
        x = ember.zeros(2, dtype=dtype)
        assert floating(x) == scripted(x) == to_torch(x).is_floating_point()
