"""The C++ runtime beside TorchScript, onnxruntime and a bare OpenBLAS loop (issue 12).

One run measures every variant on the same archive with threads pinned equal (1, then 2):

- TorchScript from Python (`torch.jit.load`) and from C++ (`torch::jit::load`, libtorch of
  the torch wheel);
- ember from Python (`ember.cpp`) and from C++ (`ember::load`);
- onnxruntime, when it is installed (`pip install onnxruntime`);
- the floor: the model's matrix products as bare `sgemm` calls (the MLPs only).

Each model is written once by torch.jit.save; ember runs the same file after `ember convert`.
Times are medians of rounds, in microseconds per forward. Also printed: `ember-run`'s fresh
process time (load and first forward of the small MLP) and the runtime library's size.

    .venv/bin/python benchmarks/runtime.py [--rounds 15] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "bench"


def models(torch):
    """name -> (module, argument specs "f32:1x64" / "int:20", layers for the floor or None)."""
    nn = torch.nn

    def mlp(width, layers=4):
        parts = []
        for i in range(layers):
            parts += [nn.Linear(width, width)] + ([nn.ReLU()] if i < layers - 1 else [])
        return nn.Sequential(*parts)

    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                nn.AdaptiveAvgPool2d(1),
            )  # fmt: skip
            self.fc = nn.Linear(32, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.features(x), 1))

    class Loop(nn.Module):
        def forward(self, x, n: int):
            for _ in range(n):
                if bool(x.sum() > 0):
                    x = x * 0.5 - 1.0
                else:
                    x = x + 2.0
            return x

    return {
        "mlp 64 x4, batch 1": (mlp(64), ["f32:1x64"], (1, 64, 4)),
        "mlp 1024 x4, batch 256": (mlp(1024), ["f32:256x1024"], (256, 1024, 4)),
        "small cnn 1x3x32x32": (SmallCNN().eval(), ["f32:1x3x32x32"], None),
        "data-dependent loop x50": (Loop(), ["f32:1x16", "int:50"], None),
    }


def pattern(shape) -> np.ndarray:
    """The inputs bench_*.cpp build (args.h): i * 0.37 folded into [-1, 1)."""
    v = np.arange(int(np.prod(shape)), dtype=np.float64) * 0.37
    return (v - 2.0 * np.floor(v / 2.0) - 1.0).astype(np.float32).reshape(shape)


def python_args(specs, lib):
    out = []
    for spec in specs:
        kind, rest = spec.split(":")
        if kind == "int":
            out.append(int(rest))
        else:
            arr = pattern([int(s) for s in rest.split("x")])
            out.append(lib.from_numpy(arr) if lib is not None else arr)
    return out


def median_us(run, rounds, iters) -> float:
    for _ in range(20):
        run()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(iters):
            run()
        times.append((time.perf_counter() - t0) / iters * 1e6)
    return statistics.median(times)


def iterations(specs) -> int:
    size = max(int(np.prod([int(s) for s in sp.split(":")[1].split("x")])) for sp in specs)
    return 200 if size < 10_000 else 5


def build_programs(torch) -> dict:
    """Configures and builds benchmarks/cpp (ember, libtorch and sgemm programs)."""
    import scipy_openblas32

    import ember.cpp

    blas = Path(scipy_openblas32.get_lib_dir()) / scipy_openblas32.get_library(True)
    prefix = f"{ember.cpp.cmake_dir()};{torch.utils.cmake_prefix_path}"
    subprocess.run(
        ["cmake", "-S", str(ROOT / "benchmarks" / "cpp"), "-B", str(BUILD), "-G", "Ninja",
         f"-DCMAKE_PREFIX_PATH={prefix}", f"-Dember_DIR={ember.cpp.cmake_dir()}",
         f"-DEMBER_BENCH_OPENBLAS={blas}", "-DCMAKE_BUILD_TYPE=Release"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(["cmake", "--build", str(BUILD)], check=True, capture_output=True)
    return {name: BUILD / name for name in ("bench_ember", "bench_torch", "bench_sgemm")}


def cpp_time(command, env) -> float | str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:60]
    return float(done.stdout.strip())


def onnx_time(torch, module, specs, path, threads, rounds, iters) -> float | str:
    try:
        import onnxruntime as ort
    except ImportError:
        return "not installed"
    if any(s.startswith("int:") for s in specs):
        return "n/a (loop)"
    args = python_args(specs, torch)
    try:
        torch.onnx.export(module, tuple(args), str(path), dynamo=False)
    except Exception as e:  # noqa: BLE001 - the exporter's own refusals are reported
        return f"export failed: {type(e).__name__}"
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    feed = {i.name: a.numpy() for i, a in zip(session.get_inputs(), args)}
    return median_us(lambda: session.run(None, feed), rounds, iters)


def measure(threads: int, rounds: int) -> list[dict]:
    """Every model × variant at `threads` threads (run in a process whose env pins them)."""
    import torch

    import ember
    import ember.cpp
    from ember.jit.converting import convert_archive

    torch.set_num_threads(threads)
    programs = build_programs(torch)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    rows = []
    folder = Path(tempfile.mkdtemp())
    for name, (module, specs, floor) in models(torch).items():
        torch_path, ember_path = folder / "torch.pt", folder / "ember.pt"
        with torch.no_grad():
            torch.jit.save(torch.jit.script(module.eval()), str(torch_path))
        convert_archive(torch_path, ember_path)
        iters = iterations(specs)
        ts = torch.jit.load(str(torch_path))
        targs = python_args(specs, torch)
        with torch.no_grad():
            ts_py = median_us(lambda: ts(*targs), rounds, iters)  # noqa: B023
        native = ember.cpp.load(str(ember_path))
        eargs = python_args(specs, ember)
        em_py = median_us(lambda: native.forward(*eargs), rounds, iters)  # noqa: B023
        common = [rounds, iters, *specs]
        row = {
            "model": name, "threads": threads,
            "torchscript (python)": ts_py,
            "torchscript (c++)": cpp_time([programs["bench_torch"], torch_path, threads,
                                           *common], env),
            "ember.cpp (python)": em_py,
            "ember (c++)": cpp_time([programs["bench_ember"], ember_path, *common], env),
            "onnxruntime": onnx_time(torch, module, specs, folder / "m.onnx", threads,
                                     rounds, iters),
            "openblas floor": (cpp_time([programs["bench_sgemm"], rounds, iters, *floor], env)
                               if floor else "—"),
        }  # fmt: skip
        rows.append(row)
    return rows


def fresh_process_ms(runs=20) -> tuple[float, float]:
    """Median ms of `ember-run` (load + first forward of the small MLP) and of
    `python -c "import torch"`, each a fresh process."""
    import torch

    from ember.jit.converting import convert_archive

    folder = Path(tempfile.mkdtemp())
    module, specs, _ = models(torch)["mlp 64 x4, batch 1"]
    torch.jit.save(torch.jit.script(module), str(folder / "t.pt"))
    convert_archive(folder / "t.pt", folder / "m.pt")
    np.savez(folder / "in.npz", in0=pattern((1, 64)))
    run = Path(sys.executable).parent / "ember-run"
    cmd = [str(run), str(folder / "m.pt"), str(folder / "in.npz"), str(folder / "out.npz")]
    return _wall_ms(cmd, runs), _wall_ms([sys.executable, "-c", "import torch"], 5)


def _wall_ms(cmd, runs) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def library_size_kb() -> float:
    """The stripped size of the runtime library (static archive, BLAS not included). An
    archive keeps every object's relocations, symbol names and own copy of each inline
    function, so it is twice what a program that links it carries: see linked_size_kb."""
    import ember.cpp

    lib = next((ember.cpp.cmake_dir().parents[1]).glob("libember_runtime.a"))
    return _stripped_kb(lib, "--strip-unneeded")


def linked_size_kb() -> float:
    """The runtime as a program carries it (issue 12's "≤ 2 MB stripped, BLAS apart"):
    `ember-run`, the runtime with a small main, stripped; BLAS is a shared library."""
    return _stripped_kb(Path(sysconfig.get_path("scripts")) / "ember-run")


def _stripped_kb(path: Path, *flags: str) -> float:
    stripped = Path(tempfile.mkdtemp()) / path.name
    subprocess.run(["strip", *flags, "-o", str(stripped), str(path)], check=True)
    return stripped.stat().st_size / 1024


def _cell(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def print_table(rows: list[dict]) -> None:
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " | ember c++ / torchscript c++ |")
    print("|" + "---|" * (len(keys) + 1))
    for row in rows:
        ratio = row["ember (c++)"], row["torchscript (c++)"]
        r = f"{ratio[0] / ratio[1]:.2f}x" if all(isinstance(v, float) for v in ratio) else "—"
        print("| " + " | ".join(_cell(row[k]) for k in keys) + f" | {r} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import json

        print(json.dumps(measure(args.child, args.rounds)))
        return
    rows = []
    for threads in args.threads:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(threads), "--rounds", str(args.rounds)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        import json

        rows += json.loads(done.stdout.strip().splitlines()[-1])
    print_table(rows)
    run_ms, torch_ms = fresh_process_ms()
    print(f"\nember-run fresh process, load + first forward of the small MLP: {run_ms:.1f} ms")
    print(f'python -c "import torch": {torch_ms:.0f} ms')
    print(f"runtime linked into ember-run (stripped, without BLAS): {linked_size_kb():.0f} KiB")
    print(f"runtime library (static archive, stripped): {library_size_kb():.0f} KiB")


if __name__ == "__main__":
    main()
