"""Creation functions over every dtype and many argument shapes against torch 2.13: result
dtype, shape and values, or the same exception type and message.

Values are compared within a few ulps: torch's float `arange` and half-precision `linspace`
round their last bits differently (vectorised partial sums), which ember does not mimic.
"""

import warnings

import numpy as np
import pytest

import ember

DTYPES = [None, "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64", "complex64", "complex128"]  # fmt: skip
FILLS = [0, 1, -1, 2.5, -2.5, True, 1 + 2j, 1 + 0j, 300, -256, 70000, 1e39, float("inf"),
         float("nan"), 2**63, 2**64]  # fmt: skip
RANGES = [(5,), (1, 4), (0, 1, 0.25), (-3, 3, 2), (2.5,), (1, 2.5, 0.5), (5, 0, -1), (0,),
          (3, 1), (0, 1, 0), (1, 10, 3.3), (0.5, 3.7), (-2.7, 3, 2)]  # fmt: skip
SPACES = [(0, 1, 5), (1, -1, 1), (0, 10, 0), (-2.5, 2.5, 4), (3, 3, 3), (-2.7, 2.7, 5),
          (0.9, 10.9, 3), (0, 300, 3)]  # fmt: skip
DATA = [[1, 2.5], [True, 2], [[1, 2], [3, 4]], [], [[]], 3, 2.5, True, 1j, [1, 1j], [[1], [2, 3]],
        [1, None], [[1, 2], [3, 4.5]], [2**63 - 1], [2**63], [1e300, 1], [float("nan")], [-1],
        [-3, 2.5], [300], [-256], [float("inf")]]  # fmt: skip


def _dt(m, d):
    return None if d is None else getattr(m, d)


def _cases():
    for d in DTYPES:
        for fill in FILLS:
            yield f"full {d} {fill}", lambda m, d=d, f=fill: m.full((2, 3), f, dtype=_dt(m, d))
            yield f"full_like {d} {fill}", lambda m, d=d, f=fill: m.full_like(
                m.ones(2, dtype=m.int32), f, dtype=_dt(m, d))  # fmt: skip
            yield f"fill_ {d} {fill}", lambda m, d=d, f=fill: m.ones(2, dtype=_dt(m, d)).fill_(f)
            yield f"fill_one {d} {fill}", lambda m, d=d, f=fill: m.ones(1, dtype=_dt(m, d)).fill_(f)
            yield f"full_one {d} {fill}", lambda m, d=d, f=fill: m.full((), f, dtype=_dt(m, d))
        for args in RANGES:
            yield f"arange {d} {args}", lambda m, d=d, a=args: m.arange(*a, dtype=_dt(m, d))
        for args in SPACES:
            yield f"linspace {d} {args}", lambda m, d=d, a=args: m.linspace(*a, dtype=_dt(m, d))
            yield f"logspace {d} {args}", lambda m, d=d, a=args: m.logspace(*a, dtype=_dt(m, d))
        for args in [(3,), (2, 4), (0,), (3, 0)]:
            yield f"eye {d} {args}", lambda m, d=d, a=args: m.eye(*a, dtype=_dt(m, d))
        for name in ("zeros", "ones"):
            for size in [(2, 3), ((2, 3),), ([],), (0,), ()]:
                yield f"{name} {d} {size}", lambda m, d=d, n=name, s=size: getattr(m, n)(
                    *s, dtype=_dt(m, d))  # fmt: skip
        for data in DATA:
            yield f"tensor {d} {data}", lambda m, d=d, x=data: m.tensor(x, dtype=_dt(m, d))
        for args in [(5, (3,)), (2, 9, (2, 2)), (-3, 3, (4,)), (3, 3, (1,))]:
            yield f"randint {d} {args}", lambda m, d=d, a=args: m.randint(*a, dtype=_dt(m, d)).shape
        for name in ("rand", "randn", "empty"):
            yield f"{name} {d}", lambda m, d=d, n=name: getattr(m, n)(2, 3, dtype=_dt(m, d)).dtype


CASES = dict(_cases())


def _outcome(fn, module):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn(module)
    except Exception as exc:  # the exception is the outcome compared
        return type(exc), str(exc).split("\n")[0].replace("torch.", "ember.")


def _same(got, want):
    import torch

    if isinstance(want, torch.Tensor):
        assert got.dtype.name == str(want.dtype).removeprefix("torch.")
        assert tuple(got.shape) == tuple(want.shape)
        ref = want.to(torch.complex128 if want.is_complex() else torch.float64).numpy()
        half = want.dtype in (torch.float16, torch.bfloat16)
        np.testing.assert_allclose(np.asarray(got.numpy()).astype(ref.dtype), ref,
                                   rtol=1e-2 if half else 1e-6, atol=1e-6)  # fmt: skip
    elif isinstance(want, torch.dtype):
        assert got.name == str(want).removeprefix("torch.")
    else:
        assert tuple(got) == tuple(want)


@pytest.mark.parametrize("kind", sorted({name.split()[0] for name in CASES}))
def test_creation_matches_torch_for_every_dtype(torch, kind):
    for name, fn in CASES.items():
        if name.split()[0] != kind:
            continue
        want, got = _outcome(fn, torch), _outcome(fn, ember)
        if want[0] != "ok" or got[0] != "ok":
            assert got == want, name
        else:
            try:
                _same(got[1], want[1])
            except AssertionError as exc:
                raise AssertionError(f"{name}: {exc}") from None
