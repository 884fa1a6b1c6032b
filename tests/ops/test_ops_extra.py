"""The common extras (isnan/isinf/isfinite, tril/triu, amax/amin) against torch 2.13."""

import pytest

import ember
from compare import assert_same

NAN, INF = float("nan"), float("inf")
DATA = [[1.0, NAN, INF], [-2.0, 3.0, -INF]]

CASES = [
    lambda m, x: x.isnan(),
    lambda m, x: m.isinf(x),
    lambda m, x: m.isfinite(x),
    lambda m, x: m.isnan(m.tensor([1, 2])),
    lambda m, x: m.isfinite(m.tensor([True])),
    lambda m, x: m.tril(x),
    lambda m, x: x.triu(1),
    lambda m, x: m.tril(m.ones(2, 3, 3), diagonal=-1),
    lambda m, x: x.amax(1),
    lambda m, x: m.amin(x, dim=0, keepdim=True),
    lambda m, x: m.amax(x),
    lambda m, x: m.amax(m.tensor([[1, 5], [7, 2]], dtype=m.int32), dim=(0, 1)),
    lambda m, x: m.amin(m.zeros(0, 3), 1),
    lambda m, x: x.nonzero(),
    lambda m, x: m.nonzero(m.tensor(5.0)),
    lambda m, x: m.nonzero(m.zeros(0, 2)),
    lambda m, x: m.count_nonzero(x),
    lambda m, x: x.count_nonzero(1),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_extras_match_torch(torch, case):
    assert_same(CASES[case](ember, ember.tensor(DATA)), CASES[case](torch, torch.tensor(DATA)))


def test_extras_refuse_what_torch_refuses(torch):
    for m in (ember, torch):
        with pytest.raises(RuntimeError, match="at least 2 dimensions"):
            m.tril(m.ones(3))
        with pytest.raises(RuntimeError, match="Expected reduction dim"):
            m.amax(m.zeros(0))


UNARY_INPLACE = [
    "abs",
    "exp",
    "log",
    "sqrt",
    "rsqrt",
    "sigmoid",
    "tanh",
    "floor",
    "ceil",
    "round",
    "trunc",
    "reciprocal",
    "sign",
]


@pytest.mark.parametrize("name", UNARY_INPLACE)
def test_unary_inplace_variants_write_through_like_torch(torch, name):
    results = []
    for m in (ember, torch):
        base = m.tensor([0.5, 4.0, -1.5, 2.25])
        view = base[1:]
        assert getattr(view, name + "_")() is view
        results.append(base.tolist())
    assert results[0] == pytest.approx(results[1], rel=1e-6, nan_ok=True)
    for m in (ember, torch):
        if name not in ("abs", "sign", "floor", "ceil", "round", "trunc"):
            with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
                getattr(m.tensor([1, 2]), name + "_")()
