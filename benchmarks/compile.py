"""Scripting and archive speed: ember.jit.script/trace/save/load beside torch's, one run.

Run: .venv/bin/python benchmarks/compile.py [scripting | archives | lines [N ...]]
(scripting and archives by default)

Scripting: warm `script()` time of the seed's MyModule (a fresh instance each time, after one
warm-up, as both libraries cache compiled classes), `trace()` of it, and the forward time of a
small MLP, eager and scripted.

Archives: two modules, the seed's MyModule (two Linear layers) and Deep50 (a ModuleList of 50
Linear(64, 64) layers, each followed by relu), both scripted. Each is saved to a file object
(io.BytesIO) and to a path in a temporary folder, and loaded from that path. "cold" is the first
call in a fresh process (the library imported beforehand, and for saving the module scripted,
untimed: the median of 7 processes); "warm" is the median of 30 calls after one warm-up in one
process. ember loads what ember saved, torch what torch saved. A save to a path replaces the
file the previous call wrote, so ember's atomic save syncs its data before the rename (see
ember/serializer/atomic.py); torch truncates and rewrites the file in place, unsynced.

Lines: ember alone, a straight-line function of N statements (`x = x + 1`, 2,000, 8,000 and
50,000 by default) written to a temporary file: `script()` (parse, lower, generate Python),
`.code`, `.graph`, and `jit.save` / `jit.load` of it, seconds, one run each; the last column
is the script time per 1,000 lines (flat when compiling grows linearly).
"""

from __future__ import annotations

import importlib.util
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings


def _time(fn, repeat=30, number=1):
    """Median seconds per call of `fn` over `repeat` samples, after one warm-up call."""
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


def scripting(ember, torch) -> None:
    """Print script/trace/forward times of ember and torch side by side."""
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


# -- archives: jit.save / jit.load ------------------------------------------------------------

_MODELS = """
def make(lib, name):
    nn = lib.nn

    class MyModule(nn.Module):
        def __init__(self):
            super().__init__()
            self.l0 = nn.Linear(4, 2)
            self.l1 = nn.Linear(2, 1)

        def forward(self, input):
            out0 = self.l0(input)
            out0_relu = nn.functional.relu(out0)
            return self.l1(out0_relu)

    class Deep(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(64, 64) for _ in range(50)])

        def forward(self, x):
            for layer in self.layers:
                x = nn.functional.relu(layer(x))
            return x

    return lib.jit.script(MyModule() if name == "MyModule" else Deep())
"""
_COLD = """
import sys, time, warnings
warnings.simplefilter("ignore")
lib = __import__(sys.argv[1])
sys.path.insert(0, sys.argv[5])
from archive_models import make
if sys.argv[3].startswith("save"):
    import io
    m = make(lib, sys.argv[2])
    target = io.BytesIO() if sys.argv[3] == "save_file" else sys.argv[4]
    t0 = time.perf_counter()
    lib.jit.save(m, target)
else:
    t0 = time.perf_counter()
    lib.jit.load(sys.argv[4])
print(time.perf_counter() - t0)
"""


def _cold(lib: str, model: str, what: str, path: str, runs=7) -> float:
    """Median seconds of the first `what` (save_file, save or load) in `runs` fresh processes."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    folder = os.path.dirname(path)
    samples = []
    for _ in range(runs):
        args = [sys.executable, "-c", _COLD, lib, model, what, path, folder]
        out = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def _archive_row(name, lib, model, make, folder) -> tuple:
    path = os.path.join(folder, f"{name}_{model}.pt")
    m = make(lib, model)
    to_file = _time(lambda: lib.jit.save(m, io.BytesIO()))
    to_path = _time(lambda: lib.jit.save(m, path))
    load = _time(lambda: lib.jit.load(path))
    cold_file = _cold(name, model, "save_file", path)
    cold_path = _cold(name, model, "save", path + ".cold")
    cold_load = _cold(name, model, "load", path)
    return (model, name, cold_file, to_file, cold_path, to_path, cold_load, load)


def archives(ember, torch) -> None:
    """Print jit.save / jit.load times of ember and torch side by side, with the ratios."""
    torch.set_num_threads(1)
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "archive_models.py"), "w") as f:
        f.write(_MODELS)  # the models need a source file (scripting reads it)
    sys.path.insert(0, folder)
    from archive_models import make

    rows = []
    for model in ("MyModule", "Deep50"):
        for name, lib in (("ember", ember), ("torch", torch)):
            rows.append(_archive_row(name, lib, model, make, folder))
    head = ("file cold", "file warm", "path cold", "path warm", "load cold", "load warm")
    print("jit.save to a file object or a path, and jit.load; milliseconds")
    print(f"{'':18}" + "".join(f"{h:>11}" for h in head))
    for model, name, *times in rows:
        print(f"{model + ' ' + name:18}" + "".join(f"{t * 1e3:>11.3f}" for t in times))
    for e, t in zip(rows[::2], rows[1::2]):
        ratios = ", ".join(f"{h} {a / b:.2f}x" for h, a, b in zip(head, e[2:], t[2:]))
        print(f"{e[0]}: ember / torch: {ratios} (target <= 1.0x)")


# -- lines: compile time against function length -----------------------------------------


def _straight_function(folder: str, n: int):
    path = os.path.join(folder, f"straight_{n}.py")
    with open(path, "w") as f:
        f.write("def straight(x: int) -> int:\n" + "    x = x + 1\n" * n + "    return x\n")
    spec = importlib.util.spec_from_file_location(f"straight_{n}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.straight


def _once(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def lines(ember, sizes) -> None:
    """Print script/.code/.graph/save/load seconds of straight-line functions of `sizes`."""
    folder = tempfile.mkdtemp()
    head = ("script s", ".code s", ".graph s", "save s", "load s", "script s/1k")
    print("a straight-line function of N lines (`x = x + 1`); seconds, one run each")
    print(f"{'N':>8}" + "".join(f"{h:>13}" for h in head))
    for n in sizes:
        fn = _straight_function(folder, n)
        t_script, scripted = _once(lambda fn=fn: ember.jit.script(fn))
        t_code, _ = _once(lambda s=scripted: s.code)
        t_graph, _ = _once(lambda s=scripted: str(s.graph))
        buf = io.BytesIO()
        t_save, _ = _once(lambda s=scripted, b=buf: ember.jit.save(s, b))
        buf.seek(0)
        t_load, loaded = _once(lambda b=buf: ember.jit.load(b))
        assert loaded(1) == fn(1)
        assert scripted(1) == fn(1)
        times = (t_script, t_code, t_graph, t_save, t_load, t_script / n * 1000)
        print(f"{n:>8}" + "".join(f"{t:>13.3f}" for t in times))


def main():
    warnings.simplefilter("ignore")
    import ember

    args = sys.argv[1:] or ["scripting", "archives"]
    if args[0] == "lines":
        lines(ember, [int(n) for n in args[1:]] or [2000, 8000, 50000])
        return
    import torch

    for section in args:
        {"scripting": scripting, "archives": archives}[section](ember, torch)


if __name__ == "__main__":
    main()
