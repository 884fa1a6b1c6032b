"""Archive speed: ember.jit.save / ember.jit.load beside torch.jit.save / torch.jit.load.

Run: .venv/bin/python benchmarks/archives.py

Two modules: the seed's MyModule (two Linear layers) and a 50-layer MLP (a ModuleList of 50
Linear(64, 64) layers, each followed by relu), both scripted. Each is saved to a file object
(io.BytesIO) and to a path in a temporary folder, and loaded from that path. "cold" is the first
call in a fresh process (the library imported beforehand, and for saving the module scripted,
untimed: the median of 7 processes); "warm" is the median of 30 calls after one warm-up in one
process. ember loads what ember saved, torch what torch saved. ember's saves to a path are
atomic and durable (a temporary file, fsync, rename, fsync of the folder); torch writes the
path directly.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

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


def _warm(fn, repeat=30):
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _cold(lib: str, model: str, what: str, path: str, runs=7) -> float:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    folder = os.path.dirname(path)
    samples = []
    for _ in range(runs):
        args = [sys.executable, "-c", _COLD, lib, model, what, path, folder]
        out = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def main():
    warnings.simplefilter("ignore")
    import torch

    import ember

    torch.set_num_threads(1)
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "archive_models.py"), "w") as f:
        f.write(_MODELS)  # the models need a source file (scripting reads it)
    sys.path.insert(0, folder)
    from archive_models import make

    rows = []
    for model in ("MyModule", "Deep50"):
        for name, lib in (("ember", ember), ("torch", torch)):
            path = os.path.join(folder, f"{name}_{model}.pt")
            m = make(lib, model)
            to_file = _warm(lambda lib=lib, m=m: lib.jit.save(m, io.BytesIO()))
            to_path = _warm(lambda lib=lib, m=m, path=path: lib.jit.save(m, path))
            load = _warm(lambda lib=lib, path=path: lib.jit.load(path))
            cold_file = _cold(name, model, "save_file", path)
            cold_path = _cold(name, model, "save", path + ".cold")
            cold_load = _cold(name, model, "load", path)
            rows.append((model, name, cold_file, to_file, cold_path, to_path, cold_load, load))
    head = ("file cold", "file warm", "path cold", "path warm", "load cold", "load warm")
    print("save to a file object or a path, and load; milliseconds")
    print(f"{'':18}" + "".join(f"{h:>11}" for h in head))
    for model, name, *times in rows:
        print(f"{model + ' ' + name:18}" + "".join(f"{t * 1e3:>11.3f}" for t in times))
    for i in range(0, len(rows), 2):
        e, t = rows[i], rows[i + 1]
        pairs = zip(head, e[2:], t[2:])
        ratios = ", ".join(f"{h} {a / b:.2f}x" for h, a, b in pairs)
        print(f"{e[0]}: ember / torch: {ratios} (target <= 1.0x)")


if __name__ == "__main__":
    main()
