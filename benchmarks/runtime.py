"""The C++ runtime beside TorchScript, onnxruntime and a bare OpenBLAS loop (issue 12).

One run measures every case in every implementation, threads pinned equal, once per thread
count (default 1 and 2):

- TorchScript from Python (`torch.jit.load`) and from C++ (`torch::jit::load`, libtorch of
  the torch wheel);
- ember from Python (`ember.cpp`) and from C++ (`ember::load`);
- onnxruntime, when `onnx` and `onnxruntime` are installed (`make bench` installs the
  `bench` extra); its cells say "not installed" otherwise;
- the floor: the model's matrix products as bare OpenBLAS `sgemm` calls (the MLPs only).

The cases (benchmarks/runtime_cases.py): a 4-layer MLP of width 64 at batch 1 and of width
1024 at batch 256, a small CNN, a data-dependent loop, and every model of the real-model
corpus (tests/models) at batch 1 in eval mode. Each is scripted and saved by torch once; ember
runs the same file after `ember convert`. Each thread count runs in a child process whose
environment pins OMP, MKL and OpenBLAS to it (benchmarks/runtime_timing.py). Times are medians
of rounds in µs per forward; the ratios divide by TorchScript from C++.

Also printed: `ember-run`'s fresh process time (load and first forward of the small MLP),
`python -c "import torch"`'s, and the runtime library's stripped size. The tables and a JSON
record (`--json`, default build/bench/runtime.json, and runtime.md beside it) are written.

    .venv/bin/python benchmarks/runtime.py [--models mlp64,resnet18 | --only corpus]
        [--threads 1,2] [--rounds 15] [--implementations ember_cpp,torchscript_cpp]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

import runtime_cases
import runtime_report
from runtime_timing import IMPLEMENTATIONS, CaseTimer, build_programs

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "bench"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def prepare(cases, folder: Path) -> list[dict]:
    """Each case's files (runtime_cases.prepare, kept in build/bench/cases for later runs),
    written once for every thread count."""
    import torch

    manifest = []
    for case in cases:
        print(f"preparing {case.key}", file=sys.stderr, flush=True)
        try:
            with contextlib.redirect_stdout(sys.stderr):  # the ONNX exporter prints graphs
                files = runtime_cases.prepare(case, torch, folder / case.key)
        except Exception as error:  # noqa: BLE001 - a case torch cannot script is reported
            files = {"error": f"{type(error).__name__}: {str(error)[:80]}"}
        manifest.append({"case": case.key, "files": files})
    return manifest


def child(manifest_path: Path, threads: int, out_path: Path) -> None:
    """Times every case of the manifest at `threads` threads (this process's env pins them)."""
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    manifest = json.loads(manifest_path.read_text())
    cases = {c.key: c for c in runtime_cases.select(manifest["cases"])}
    rows = []
    for entry in manifest["entries"]:
        case, files = cases[entry["case"]], entry["files"]
        print(f"{threads} thread(s): {case.key}", end="", file=sys.stderr, flush=True)
        start = time.perf_counter()
        if "error" in files:
            measured = dict.fromkeys(IMPLEMENTATIONS, "failed: " + files["error"])
            measured.update(iters=0, rounds=0)
        else:
            timer = CaseTimer(case, files, threads, manifest["programs"], manifest["rounds"],
                              manifest["implementations"])  # fmt: skip
            measured = timer.run()
        print(f" ({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
        rows.append(runtime_report.record(case, threads, measured))
    out_path.write_text(json.dumps({"rows": rows, "threads": _thread_pools()}))


def _thread_pools() -> list[str]:
    """The thread pools this process runs, as threadpoolctl sees them (a check of the pins)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed"]
    import torch  # noqa: F401 - loads its OpenMP and BLAS

    import ember.cpp  # noqa: F401 - loads ember's OpenBLAS

    pools = {f"{p['internal_api']}:{Path(p['filepath']).name}={p['num_threads']}"
             for p in threadpool_info()}  # fmt: skip
    return sorted(pools)


def run_children(manifest_path: Path, thread_counts, folder: Path) -> tuple[list, dict]:
    rows, pools = [], {}
    for threads in thread_counts:
        out = folder / f"rows{threads}.json"
        env = dict(os.environ, **dict.fromkeys(THREAD_VARIABLES, str(threads)))
        command = [sys.executable, __file__, "--child", str(threads), "--manifest",
                   str(manifest_path), "--child-out", str(out)]  # fmt: skip
        subprocess.run(command, env=env, check=True)
        result = json.loads(out.read_text())
        rows += result["rows"]
        pools[threads] = result["threads"]
    return rows, pools


def fresh_process_ms(folder: Path, runs=20) -> dict:
    """Median ms of `ember-run` (load + first forward of the small MLP) and of
    `python -c "import torch"`, each a fresh process."""
    import torch

    archive = runtime_cases.prepare(runtime_cases.MICRO[0], torch, folder / "mlp64")["ember"]
    np.savez(folder / "in.npz", in0=runtime_cases.pattern((1, 64)))
    run = Path(sys.executable).parent / "ember-run"
    cmd = [str(run), archive, str(folder / "in.npz"), str(folder / "out.npz")]
    return {
        "ember_run_ms": _wall_ms(cmd, runs),
        "import_torch_ms": _wall_ms([sys.executable, "-c", "import torch"], 5),
    }


def _wall_ms(cmd, runs) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def library_sizes_kib(programs: dict) -> dict:
    """Stripped sizes: the runtime's static library, and bench_ember (the runtime linked into a
    program, OpenBLAS and the C++ standard library shared), BLAS included in neither."""
    import ember.cpp

    lib = next((ember.cpp.cmake_dir().parents[1]).glob("libember_runtime.a"))
    sizes = {"runtime_library_kib": _stripped_kib(lib)}
    if "bench_ember" in programs:
        sizes["linked_program_kib"] = _stripped_kib(Path(programs["bench_ember"]))
    return sizes


def _stripped_kib(path: Path) -> float:
    stripped = Path(tempfile.mkdtemp()) / path.name
    subprocess.run(["strip", "--strip-unneeded", "-o", str(stripped), str(path)], check=True)
    return stripped.stat().st_size / 1024


def machine() -> dict:
    """Load averages, processor and library versions, for the record."""
    import torch

    try:
        import onnxruntime

        ort = onnxruntime.__version__
    except ImportError:
        ort = None
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), "?")
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average": os.getloadavg(), "cpus": os.cpu_count(), "cpu": cpu,
            "python": platform.python_version(), "torch": torch.__version__,
            "onnxruntime": ort}  # fmt: skip


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cases = "comma-separated case keys or groups (micro, corpus); default all"
    parser.add_argument("--models", "--only", default="", help=cases)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--rounds", type=int, default=15, help="rounds per implementation")
    parser.add_argument("--implementations", default=",".join(IMPLEMENTATIONS))
    parser.add_argument("--json", type=Path, default=BUILD / "runtime.json")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse(argv)
    if args.child:
        child(args.manifest, args.child, args.child_out)
        return
    names = [n for n in args.models.split(",") if n]
    cases = runtime_cases.select(names)
    implementations = [i for i in args.implementations.split(",") if i]
    meta = {"command": " ".join(["benchmarks/runtime.py", *sys.argv[1:]]),
            "machine_before": machine()}  # fmt: skip
    folder = BUILD / "cases"
    programs = (
        build_programs(BUILD) if any("cpp" in i or "floor" in i for i in implementations) else {}
    )
    manifest = {"cases": names, "programs": programs, "rounds": args.rounds,
                "implementations": implementations, "entries": prepare(cases, folder)}  # fmt: skip
    manifest_path = folder / "manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    thread_counts = [int(t) for t in args.threads.split(",")]
    rows, meta["thread_pools"] = run_children(manifest_path, thread_counts, folder)
    meta["machine_after"] = machine()
    meta.update(fresh_process_ms(folder), **library_sizes_kib(programs))
    markdown = "\n".join([runtime_report.table(rows), runtime_report.summary(rows), "",
                          _extras(meta)])  # fmt: skip
    print(markdown)
    runtime_report.write(args.json, meta, rows, markdown)
    print(f"\nwritten: {args.json} and {args.json.with_suffix('.md')}")


def _extras(meta: dict) -> str:
    before, after = meta["machine_before"], meta["machine_after"]
    load = lambda m: ", ".join(f"{x:.2f}" for x in m["load_average"])  # noqa: E731
    return "\n".join([
        f"ember-run fresh process, load + first forward of the small MLP: "
        f"{meta['ember_run_ms']:.1f} ms",
        f'python -c "import torch": {meta["import_torch_ms"]:.0f} ms',
        f"runtime library (static archive, stripped, without BLAS): "
        f"{meta['runtime_library_kib']:.0f} KiB; linked into bench_ember (stripped, BLAS "
        f"shared): {meta.get('linked_program_kib', 0):.0f} KiB",
        f"load average before: {load(before)}; after: {load(after)} ({before['cpus']} CPUs, "
        f"{before['cpu']}); torch {before['torch']}, onnxruntime {before['onnxruntime']}",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
