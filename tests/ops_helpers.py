"""Shared helpers for the op-table tests: run one expression on ember and torch, compare.

`both(torch, fn, *args)` turns numpy array arguments into an ember tensor and a torch tensor
holding the same values, calls `fn(module, *args)` with `module` = ember or torch, and
asserts equal results (values, dtypes, shapes), or that both raise.
"""

import numpy as np

import ember
from compare import assert_same, to_torch

DTYPES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
]
INEXACT_RTOL = {"float16": 2e-3, "bfloat16": 1.6e-2, "float32": 2e-6, "float64": 1e-12}


def sample(dtype: str, shape=(3, 4), seed=0, low=-10, high=10) -> np.ndarray:
    """Deterministic values of `dtype`: small integers with negatives, floats with fractions."""
    return np.asarray(_values(dtype, shape, seed, low, high))


def _values(dtype, shape, seed, low, high):
    rng = np.random.default_rng(seed)
    np_dtype = ember.dtypes.by_name(dtype).np
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype == "uint8":
        return rng.integers(0, 2 * high, shape).astype(np.uint8)
    if dtype.startswith("int"):
        return rng.integers(low, high, shape).astype(np_dtype)
    values = np.asarray(rng.normal(0, 4, shape))
    values.flat[::3] = np.round(values.flat[::3])
    return values.astype(np_dtype)


def to_ember(arr: np.ndarray):
    return ember.from_numpy(arr.copy())


def to_torch_arr(arr: np.ndarray):
    return to_torch(to_ember(arr))


def _convert(value, conv):
    if isinstance(value, np.ndarray):
        return conv(value)
    if isinstance(value, list | tuple) and value and isinstance(value[0], np.ndarray):
        return type(value)(conv(v) for v in value)
    return value


def compare(got, expected, rtol=0.0, atol=0.0, check_dtype=True):
    import torch

    if isinstance(expected, torch.Tensor):
        assert isinstance(got, ember.Tensor), f"expected a Tensor, got {type(got)}"
        assert_same(got, expected, atol=atol, rtol=rtol, check_dtype=check_dtype)
    elif isinstance(expected, tuple | list):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            compare(g, e, rtol, atol, check_dtype)
    else:
        assert got == expected, f"{got!r} != {expected!r}"


def both(torch, fn, *args, rtol=0.0, atol=0.0, check_dtype=True, **kwargs):
    """Run fn on torch and ember with the same arguments; compare, or expect both to fail."""
    t_args = [_convert(a, to_torch_arr) for a in args]
    e_args = [_convert(a, to_ember) for a in args]
    try:
        expected = fn(torch, *t_args, **kwargs)
    except Exception as exc:  # torch refuses: ember must refuse too
        try:
            got = fn(ember, *e_args, **kwargs)
        except Exception as mine:
            return mine
        raise AssertionError(f"torch raised {exc!r} but ember returned {got!r}") from None
    got = fn(ember, *e_args, **kwargs)
    compare(got, expected, rtol, atol, check_dtype)
    return got
