"""Timing one prepared case in every implementation, at the thread count of this process.

benchmarks/runtime.py runs this in a child process per thread count N, started with
OMP_NUM_THREADS, MKL_NUM_THREADS and OPENBLAS_NUM_THREADS set to N; here torch is set to N
(`torch.set_num_threads`, one inter-op thread), onnxruntime to N intra-op threads, one inter-op
thread and sequential execution, and the C++ programs get N on their command line (libtorch's
`at::set_num_threads`, OpenBLAS's `openblas_set_num_threads` for ember). Every implementation
of a case runs the same number of forwards per round (`iters`, so a round takes about
ROUND_SECONDS of TorchScript's time) and the same rounds; a cell is the median of the rounds,
in µs per forward, or the text of why there is none.

>>> plan(1e-3, rounds=15)
(5, 15)
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import time
from pathlib import Path

from runtime_cases import Case, inputs

ROUND_SECONDS = 5e-3
BUDGET_SECONDS = 1.5  # at most this long per implementation, but never fewer than 5 rounds
IMPLEMENTATIONS = (
    "torchscript_python",
    "torchscript_cpp",
    "ember_python",
    "ember_cpp",
    "onnxruntime",
    "openblas_floor",
)


def plan(seconds_per_forward: float, rounds: int) -> tuple[int, int]:
    """(forwards per round, rounds) for a forward of `seconds_per_forward`."""
    iters = max(1, min(500, round(ROUND_SECONDS / seconds_per_forward)))
    affordable = int(BUDGET_SECONDS / (iters * seconds_per_forward))
    return iters, max(5, min(rounds, affordable))


def median_us(run, warmup: int, rounds: int, iters: int) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(iters):
            run()
        times.append((time.perf_counter() - t0) / iters * 1e6)
    return statistics.median(times)


class CaseTimer:
    """Times `case` (its files from runtime_cases.prepare) at `threads` threads."""

    def __init__(self, case: Case, files: dict, threads: int, programs: dict, rounds: int,
                 implementations=IMPLEMENTATIONS):  # fmt: skip
        self.case, self.files, self.threads, self.programs = case, files, threads, programs
        self.implementations = implementations
        self.args = inputs(case.specs)
        self.iters, self.rounds = 1, rounds
        self.warmup = 3

    def run(self) -> dict:
        """{implementation: µs or reason, "iters": n, "rounds": n}; TorchScript from Python
        first, as it sets the forwards per round."""
        measures = {
            "torchscript_python": self._torchscript_python,
            "torchscript_cpp": lambda: self._cpp("bench_torch", self.files["torch"]),
            "ember_python": self._ember_python,
            "ember_cpp": lambda: self._cpp("bench_ember", self.files["ember"]),
            "onnxruntime": self._onnxruntime,
            "openblas_floor": self._floor,
        }
        out = {}
        for name, measure in measures.items():
            if name not in self.implementations:
                out[name] = "not run"
                continue
            # the previous library's idle threads may still spin (OpenBLAS's for ~0.1 s, on
            # the cores the next one runs on): let them sleep first
            gc.collect()
            time.sleep(0.2)
            try:
                out[name] = measure()
            except Exception as error:  # noqa: BLE001 - the table reports every failure
                out[name] = f"failed: {type(error).__name__}: {str(error)[:60]}"
        return {**out, "iters": self.iters, "rounds": self.rounds}

    def _torchscript_python(self):
        import torch

        module = torch.jit.load(self.files["torch"])
        args = [torch.from_numpy(a) if not isinstance(a, int) else a for a in self.args]
        with torch.no_grad():
            for _ in range(self.warmup):  # profiling runs, then the optimised graph
                module(*args)
            t0 = time.perf_counter()
            module(*args)
            self.iters, self.rounds = plan(time.perf_counter() - t0, self.rounds)
            self.warmup = max(3, min(20, self.iters))
            return median_us(lambda: module(*args), self.warmup, self.rounds, self.iters)

    def _ember_python(self):
        import ember
        import ember.cpp

        module = ember.cpp.load(self.files["ember"])
        args = [ember.from_numpy(a) if not isinstance(a, int) else a for a in self.args]
        return median_us(lambda: module.forward(*args), self.warmup, self.rounds, self.iters)

    def _onnxruntime(self):
        if not str(self.files["onnx"]).endswith(".onnx"):
            return self.files["onnx"]
        try:
            import onnxruntime as ort
        except ImportError:
            return "not installed"
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = self.threads, 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        session = ort.InferenceSession(
            self.files["onnx"], options, providers=["CPUExecutionProvider"]
        )
        feed = {i.name: a for i, a in zip(session.get_inputs(), self.args)}
        return median_us(lambda: session.run(None, feed), self.warmup, self.rounds, self.iters)

    def _floor(self):
        if self.case.floor is None:
            return "—"
        counts = [self.threads, self.warmup, self.rounds, self.iters, *self.case.floor]
        return cpp_time([self.programs["bench_sgemm"], *counts])

    def _cpp(self, program: str, path: str):
        counts = [self.threads, self.warmup, self.rounds, self.iters]
        return cpp_time([self.programs[program], path, *counts, *self.case.specs])


def cpp_time(command) -> float | str:
    """The µs a benchmarks/cpp program printed, or why it failed."""
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:80]
    return float(done.stdout.strip())


def build_programs(build: Path) -> dict:
    """Configures and builds benchmarks/cpp into `build` (ember, libtorch and sgemm programs)."""
    import scipy_openblas32
    import torch

    import ember.cpp

    blas = Path(scipy_openblas32.get_lib_dir()) / scipy_openblas32.get_library(True)
    prefix = f"{ember.cpp.cmake_dir()};{torch.utils.cmake_prefix_path}"
    source = Path(__file__).resolve().parent / "cpp"
    subprocess.run(
        ["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja",
         f"-DCMAKE_PREFIX_PATH={prefix}", f"-Dember_DIR={ember.cpp.cmake_dir()}",
         f"-DEMBER_BENCH_OPENBLAS={blas}", "-DCMAKE_BUILD_TYPE=Release"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True)
    return {name: str(build / name) for name in ("bench_ember", "bench_torch", "bench_sgemm")}
