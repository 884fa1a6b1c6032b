"""Corpus cases for the remaining constructs of the subset: loops over tuples, while with
break and early returns, nested early exits, closures, chained comparisons, Optional and
isinstance refinement, math, container methods, and layers in training mode."""

# ruff: noqa: UP045, SIM118 - typing.Optional and dict.keys() on purpose
import math
from typing import Optional

import ember
import ember.nn as nn
import ember.nn.functional as F

OFFSETS = (1, 2)


def for_over_tuple(x, t: tuple[int, float, int]):
    for k in (1, 2.0, 3):
        x = x * k
    s = 0.0
    for v in t:
        s += v
    return x, s


def while_true_break(n: int) -> int:
    i = 0
    while True:
        i += 1
        if i > n:
            break
        if i % 2 == 0:
            continue
    return i


def return_inside_while(n: int) -> int:
    i = 0
    while i < 100:
        if i * i > n:
            return i
        i += 1
    return -1


def nested_loop_exits(x, a: int, b: int):
    for i in range(a):
        for j in range(b):
            if i * j == 6:
                return x * (i + j)
            if j > i:
                break
    return x


def _make_closure(k: int, fn):
    def inner(x):
        for o in OFFSETS:
            x = x + o
        return fn(x) * k + math.pi

    return inner


closure = _make_closure(3, F.relu)


def chained_and_short_circuit(xs: list[int], i: int, x) -> tuple[bool, bool, int]:
    inside = 0 <= i < len(xs) and xs[i] > 0
    k = 1 if -1.0 < x.sum() <= 10.0 else 0
    return inside, 0 < len(xs) < 5 != i, k


def optional_and_isinstance(x, y: Optional[ember.Tensor], n: Optional[int]):
    out = x
    if isinstance(n, int) and n > 0:
        out = out * n
    best: Optional[int] = None
    for i in range(3):
        if best is None or i > best:
            best = i
    assert best is not None
    return out if y is None else out + y, best


def math_at_runtime(x: float, n: int) -> tuple[float, int, bool]:
    r = math.sqrt(x) + math.exp(-x) + math.log(x + 1.0, 2.0) + math.atan2(x, n)
    return r + math.cos(math.pi * n), math.floor(x * 10) + math.gcd(n, 6), math.isnan(x)


def container_methods(d: dict[str, int], xs: list[int]) -> tuple[int, list[int], str]:
    total = d.get("a", 0) + d.setdefault("b", 2)
    for k, v in d.items():
        total += v * len(k)
    ys = xs.copy()
    ys.sort(reverse=True)
    ys.insert(0, total)
    ys += [len(ys)] * 2
    return total + ys.count(2), ys, "/".join([k.upper() for k in d.keys()])


def comprehensions_and_literals(n: int, x):
    sq = [i * i for i in range(n) if i % 2 == 1]
    rows = [x[i] * i for i in range(x.size(0))]
    d = {"n": n, "m": len(sq)}
    return sq, rows, d, (n, "s", None)


def keyword_only_and_defaults(x, k: int = 2, *, scale: float = 0.5, bias: Optional[float] = None):
    y = x * k * scale
    if bias is not None:
        y = y + bias
    return y


class ModuleDictHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleDict({"a": nn.Linear(3, 3), "b": nn.Tanh()})
        self.scales = nn.ModuleList([nn.Identity(), nn.ReLU()])

    def forward(self, x):
        outs: list[ember.Tensor] = []
        for name, head in self.heads.items():
            outs.append(head(x) * len(name))
        for i, m in enumerate(self.scales, 1):
            x = m(x) * i
        return outs, x, len(self.heads) + len(self.scales)


def _train(ctor):
    def make():
        ember.manual_seed(0)
        return ctor().train()

    return make


CASES = [
    ("for_over_tuple", lambda: for_over_tuple, lambda: (ember.arange(3.0), (1, 2.5, 3))),
    ("while_true_break", lambda: while_true_break, lambda: (5,)),
    ("return_inside_while", lambda: return_inside_while, lambda: (50,)),
    ("return_inside_while_none", lambda: return_inside_while, lambda: (100000,)),
    ("nested_loop_exits", lambda: nested_loop_exits, lambda: (ember.ones(2), 4, 4)),
    ("nested_loop_exits_none", lambda: nested_loop_exits, lambda: (ember.ones(2), 2, 2)),
    ("closure_and_globals", lambda: closure, lambda: (ember.tensor([-5.0, 1.0]),)),
    (
        "chained_short_circuit",
        lambda: chained_and_short_circuit,
        lambda: ([1, 2], 5, ember.tensor([1.0, 2.0])),
    ),  # fmt: skip
    (
        "chained_inside",
        lambda: chained_and_short_circuit,
        lambda: ([3, -1], 0, ember.tensor([20.0])),
    ),  # fmt: skip
    (
        "optional_isinstance",
        lambda: optional_and_isinstance,
        lambda: (ember.ones(2), ember.ones(2), 3),
    ),  # fmt: skip
    (
        "optional_isinstance_none",
        lambda: optional_and_isinstance,
        lambda: (ember.ones(2), None, None),
    ),  # fmt: skip
    ("math_at_runtime", lambda: math_at_runtime, lambda: (2.25, 4)),
    ("container_methods", lambda: container_methods, lambda: ({"a": 1, "cc": 3}, [2, 9, 2])),
    (
        "comprehensions_literals",
        lambda: comprehensions_and_literals,
        lambda: (6, ember.arange(6.0).reshape(3, 2)),
    ),  # fmt: skip
    ("kwonly_defaults", lambda: keyword_only_and_defaults, lambda: (ember.ones(2),)),
    ("module_dict_heads", ModuleDictHeads, lambda: (ember.randn(2, 3),)),
    ("BatchNorm1d_train", _train(lambda: nn.BatchNorm1d(3)), lambda: (ember.randn(4, 3),)),
    ("BatchNorm2d_train", _train(lambda: nn.BatchNorm2d(2)), lambda: (ember.randn(2, 2, 3, 3),)),
    ("Dropout_train_p0", _train(lambda: nn.Dropout(0.0)), lambda: (ember.randn(5),)),
    ("GELU_tanh", _train(lambda: nn.GELU(approximate="tanh")), lambda: (ember.randn(5),)),
    (
        "Embedding_padding",
        _train(lambda: nn.Embedding(5, 2, padding_idx=0)),
        lambda: (ember.tensor([[0, 4], [2, 2]]),),
    ),  # fmt: skip
]
