"""numpy's floating-point RuntimeWarnings never reach users: PyTorch computes 1/0, log(0),
inf - inf, mean of nothing, ... silently (nan/inf results)."""

import warnings

import pytest

import ember
from compare import assert_same
from ember import ops
from ember.tensor import dispatch

SPECIAL_FLOAT = [0.0, -1.0, float("nan"), float("inf"), -float("inf"), 1.0]
SPECIAL_INT = [0, -1, 3]


def _inputs():
    return [
        ember.tensor(SPECIAL_FLOAT),
        ember.tensor(SPECIAL_INT),
        ember.tensor(SPECIAL_FLOAT, dtype=ember.float16),
        ember.tensor([]),
        ember.tensor([], dtype=ember.int64),
        ember.zeros(0, 3),
    ]


def _positional_args(op, x):
    """Arguments for `op` with every Tensor being `x` and every Scalar 0; None if unsuited."""
    args = []
    for a in op.schema.arguments:
        if a.kwarg_only or a.has_default:
            break
        if a.base_type == "Tensor":
            args.append(x.clone())
        elif a.base_type == "Scalar":
            args.append(0)
        elif a.base_type == "Tensor[]":
            args.append([x.clone(), x.clone()])
        else:
            return None
    return args


@pytest.mark.parametrize("op", ops.all_ops(), ids=lambda op: op.qualified_name)
def test_no_runtime_warning_on_special_values(op):
    for x in _inputs():
        args = _positional_args(op, x)
        if args is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                dispatch.call(op, *args)
            except RuntimeWarning:
                raise
            except Exception:  # torch refuses some of these inputs too; only warnings matter
                pass


CASES = [
    lambda m: m.tensor([1.0, 0.0, -1.0]) / 0,
    lambda m: m.log(m.tensor([0.0, -1.0])),
    lambda m: m.log2(m.tensor([0.0, -1.0])),
    lambda m: m.log10(m.tensor([0.0, -1.0])),
    lambda m: m.rsqrt(m.tensor([0.0, -1.0])),
    lambda m: m.reciprocal(m.tensor([0.0, 1.0])),
    lambda m: m.fmod(m.tensor([1.0, -3.0]), 0.0),
    lambda m: m.remainder(m.tensor([1.0, -3.0]), 0.0),
    lambda m: m.floor_divide(m.tensor([1.0, -3.0, 0.0]), 0.0),
    lambda m: m.pow(m.tensor([0.0, -1.0]), -0.5),
    lambda m: m.asin(m.tensor([2.0, -3.0])),
    lambda m: m.tensor([float("inf")]) - m.tensor([float("inf")]),
    lambda m: m.tensor([float("inf")]) * 0,
    lambda m: m.tensor([]).mean(),
    lambda m: m.zeros(0, 3).mean(0),
    lambda m: m.zeros(2, 0).sum(1).mean(),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_special_results_match_torch_silently(torch, case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = CASES[case](ember)
    assert_same(got, CASES[case](torch))


def test_var_with_no_degrees_of_freedom_warns_like_torch(torch):
    for make in (
        lambda m: m.tensor([1.0]).var(),
        lambda m: m.tensor([1.0, 2.0]).var(correction=2),
        lambda m: m.tensor([1.0, 1.0]).std(correction=2),
        lambda m: m.zeros(0, 3).var(0),
    ):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            got = make(ember)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same(got, make(torch))


def test_warnings_state_of_numpy_is_left_alone():
    import numpy as np

    ember.log(ember.tensor([0.0]))
    with pytest.warns(RuntimeWarning):
        np.log(np.zeros(1))
