"""Functions over Python's standard types, scripted by both ember and torch 2.13.

`tests.corpus.bind.bound` executes this file with `torch` bound to ember or to real torch,
so the same source compiles under both (see `tests/test_jit_stdlib.py`).
"""
# ruff: noqa: F821, UP006, UP032, UP035, UP045 - typing.List etc. and str.format on purpose

import math
from typing import Dict, List, Optional, Tuple


def math_floats(x: float, i: int) -> List[float]:
    return [
        math.sqrt(x), math.exp(x), math.log(x), math.log10(x), math.log1p(x), math.expm1(x),
        math.sin(x), math.cos(x), math.tan(x), math.asin(x), math.acos(x), math.atan(x),
        math.sinh(x), math.cosh(x), math.tanh(x), math.asinh(x), math.acosh(x), math.atanh(x),
        math.erf(x), math.erfc(x), math.gamma(x), math.lgamma(x), math.fabs(x),
        math.degrees(x), math.radians(x), math.sqrt(i), math.exp(i), math.log(x, 2.0),
        math.log(i, 3), math.atan2(x, i), math.copysign(i, x), math.fmod(x, i),
        math.remainder(x, 1.5), math.pow(x, 2.0), math.pi * x, math.e,
    ]  # fmt: skip


def math_ints(x: float, i: int) -> Tuple[int, int, int, int, int, bool, bool, bool]:
    return (math.floor(x), math.ceil(x), math.floor(i), math.gcd(i, 12),
            math.factorial(abs(i)), math.isnan(x), math.isinf(x), math.isfinite(x))  # fmt: skip


def list_methods(xs: List[int], v: int) -> Tuple[List[int], int, int, List[int], int]:
    xs.insert(1, v)
    xs.append(v)
    xs.remove(v)
    n = xs.count(v)
    i = xs.index(v)
    xs.reverse()
    ys = xs.copy()
    ys.sort()
    last = ys.pop()
    xs.sort(reverse=True)
    zs = [0, 1] * 2 + 2 * [v]
    zs.clear()
    xs += [7, 8]
    return xs, n, i, ys, last + len(zs)


def dict_methods(d: Dict[str, int], e: Dict[int, float]) -> Tuple[int, Optional[int], int, int]:
    a = d.get("a", 0)
    missing = d.get("zz")
    b = d.setdefault("b", 5)
    d.update({"c": 3})
    c = d.pop("c") + d.pop("nope", 100)
    f = e.copy()
    f[9] = 1.0
    e.clear()
    return a + b + c + len(d), missing, len(f), len(e)


def string_methods(s: str, parts: List[str]) -> Tuple[str, str, List[str], str]:
    joined = "-".join(parts)
    return joined.upper(), s.lower().replace("a", "o"), s.split(), "{}+{}".format(s, len(parts))


def string_iteration(s: str, sub: str, a: int, b: int) -> Tuple[str, str, bool, int, bool, int]:
    out = ""
    for c in s:
        out = c + out
    return out, s[1:3], sub in s, len(s[::2]), s < sub, s.find(sub, a, b)


def chained(a: int, b: int, xs: List[int]) -> Tuple[bool, bool, bool]:
    ok = 0 <= a < len(xs) and xs[a] > 0
    inside = -1 < a < b <= 10 != b
    lazy = a < b < xs[a]
    return ok, inside, lazy


def chained_tensor(x) -> Tuple[bool, int]:
    k = 0
    if 0 < x.sum() < 100:
        k = 1
    return bool(-1 < x.max() <= 5), k


def shifts(a: int, b: int) -> Tuple[int, int, int, int, int]:
    return a << b, a >> 1, -a >> b, a & b, a | b ^ 3


if "torch" in globals():  # annotations need the bound module (``load``)

    def isinstance_refines(x: Optional[int], y: Optional[torch.Tensor]) -> int:
        n = 0
        if isinstance(x, int):
            n += x
        if not isinstance(y, torch.Tensor):
            return n
        return n + int(y.sum())
