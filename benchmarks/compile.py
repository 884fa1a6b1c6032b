"""Scripting speed: ember.jit.script vs torch.jit.script, and scripted vs eager forward.

Run: .venv/bin/python benchmarks/compile.py

Prints one table: warm `script()` time of the seed's MyModule (a fresh instance each time,
after one warm-up, as both libraries cache compiled classes), and the forward time of a
small MLP, eager and scripted, for ember and torch.
"""

from __future__ import annotations

import statistics
import time
import warnings


def _time(fn, repeat=30, number=1):
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def _mymodule(lib):
    class MyModule(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.l0 = lib.nn.Linear(4, 2)
            self.l1 = lib.nn.Linear(2, 1)

        def forward(self, input):
            out0 = self.l0(input)
            out0_relu = lib.nn.functional.relu(out0)
            return self.l1(out0_relu)

    return MyModule


def _mlp(lib):
    class MLP(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.nn.Linear(16, 32)
            self.fc2 = lib.nn.Linear(32, 32)
            self.fc3 = lib.nn.Linear(32, 4)

        def forward(self, x):
            x = lib.relu(self.fc1(x))
            x = lib.relu(self.fc2(x))
            return self.fc3(x)

    return MLP


def main():
    warnings.simplefilter("ignore")
    import torch

    import ember

    rows = []
    for name, lib in (("ember", ember), ("torch", torch)):
        cls = _mymodule(lib)
        t_script = _time(lambda cls=cls, lib=lib: lib.jit.script(cls()), repeat=20)
        x4 = lib.randn(4)
        t_trace = _time(lambda cls=cls, lib=lib, x4=x4: lib.jit.trace(cls(), x4), repeat=20)
        mlp = _mlp(lib)()
        x = lib.randn(8, 16)
        scripted = lib.jit.script(mlp)
        t_eager = _time(lambda mlp=mlp, x=x: mlp(x), repeat=20, number=200)
        t_scripted = _time(lambda s=scripted, x=x: s(x), repeat=20, number=200)
        rows.append((name, t_script, t_trace, t_eager, t_scripted))
    head = ("script(MyModule) ms", "trace(MyModule) ms", "MLP eager us", "MLP scripted us")
    print(f"{'':8}" + "".join(f"{h:>21}" for h in head))
    for name, ts, tt, te, tsc in rows:
        cells = (f"{ts * 1e3:.3f}", f"{tt * 1e3:.3f}", f"{te * 1e6:.1f}", f"{tsc * 1e6:.1f}")
        print(f"{name:8}" + "".join(f"{c:>21}" for c in cells))
    e, t = rows
    print(f"ember script / torch script: {e[1] / t[1]:.2f}x (target <= 0.3x)")
    print(f"ember trace / torch trace: {e[2] / t[2]:.2f}x (target <= 0.5x)")
    print(f"ember scripted / ember eager forward: {e[4] / e[3]:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
