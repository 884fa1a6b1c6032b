"""Corpus cases for constructs added after the first release: tensor item assignment,
f-strings, int-keyed dicts, keyword-only parameters and overridden methods called from an
inherited method."""

import ember
from ember import nn


class Base(nn.Module):
    def forward(self, x):
        return self.step(x) + self.scale()

    def step(self, x):
        return x

    def scale(self) -> float:
        return 1.0


class Mid(Base):
    def step(self, x):
        return x * 2 + self.scale()


class Leaf(Mid):
    def scale(self) -> float:
        return 10.0


class WithStatic(Base):
    @staticmethod
    def shift(x, k: int = 1):
        return x + k

    def forward(self, x):
        return self.shift(x, 3) + WithStatic.shift(x) + self.step(x)


class KwOnly(nn.Module):
    def forward(self, x, *, k: int = 3):
        return x + k


class WriteBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("seen", ember.zeros(4))

    def forward(self, x, i: int):
        self.seen[i] = x.sum()
        self.seen[i + 1 :] += 1
        out = x.clone()
        out[out < 0] = 0.0
        out[:, 0] = self.seen[i]
        return out


def setitem_mix(x, n: int):
    y = x.clone()
    y[0] = 1
    y[1:3] = x[:2] * 2
    y[:, 0] = 0.5
    y[n] += 1
    y[y > 4] = -1.0
    xs = [1, 2, 3]
    xs[n] = 7
    xs[0] += n
    d = {1: 2.0, 3: 4.0}
    d[5] = 6.0
    total = 0.0
    for k in d:
        total += d[k] * k
    for k, v in d.items():
        total += v + k
    return y, xs, total


def describe(x, n: int) -> str:
    shape = f"{x.dim()}-d"
    msg = f"n={n}, {shape}, {{literal}} {n + 1}"
    if n > 100:
        raise ValueError(f"n too big: {n}")
    return msg + f"!{len(shape)}"


def _t(*shape):
    return ember.arange(float(ember.Size(shape).numel())).reshape(*shape) - 3


CASES = [
    ("inherited_calls_overridden", Leaf, lambda: (_t(2),)),
    ("inherited_mid", Mid, lambda: (_t(2),)),
    ("kwonly_default", KwOnly, lambda: (_t(2),)),
    ("static_method", WithStatic, lambda: (_t(2),)),
    ("write_buffer", WriteBuffer, lambda: (_t(2, 3), 1)),
    ("setitem_mix", lambda: setitem_mix, lambda: (_t(4, 3), 2)),
    ("fstring_describe", lambda: describe, lambda: (_t(2, 3), 4)),
]
