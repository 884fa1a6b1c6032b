"""What the coverage-guided fuzzer runs on each input, and what counts as a finding.

Each input goes through every target: `ember.load` (from memory, and mapped with mmap=True),
`ember.jit.load`, and what `ember inspect` (the report, as text and as JSON, also mapped) and
`ember check` run. The rule: a target returns, or raises one of ember's errors naming the
problem; it takes under `SECONDS` of CPU time (not wall time, which a loaded machine
stretches) and raises the process's peak memory by under `MEGABYTES`.
Anything else is a `Finding`. Nothing here runs code from a file (no weights_only=False).

    >>> check_input(b"not a checkpoint")["load"]
    'SerializationError'
"""

from __future__ import annotations

import io
import json
import os
import time
import traceback

import ember
from ember.cli import inspect_file, render
from ember.errors import EmberError
from ember.serialization import get_unsafe_globals_in_checkpoint

__all__ = ["Finding", "check_input", "TARGETS", "SECONDS", "MEGABYTES"]

SECONDS = 1.0  # CPU time per input, all targets together
MEGABYTES = 200  # growth of the process's peak resident memory per input

# Wrapped into an ember error by a catch-all, these still mean a check is missing (the same
# rule as tests/fuzz_corpus.py).
UNCHECKED = ("MemoryError", "OverflowError", "ValueError", "RecursionError", "int_max_str")


class Finding(Exception):  # noqa: N818 (a finding of the fuzzer, not an error of ours)
    """An input broke the rule; `signature` tells one kind of failure from another."""

    def __init__(self, message: str, signature: str):
        super().__init__(message)
        self.signature = signature


def _inspect(data: bytes, path: str) -> None:
    report = inspect_file(data)
    render(report, "fuzz.pt")
    json.dumps({"file": "fuzz.pt", **report}, indent=2)


def _inspect_mmap(data: bytes, path: str) -> None:
    render(inspect_file(path, mmap=True), path)


TARGETS = {
    "load": lambda data, path: ember.load(io.BytesIO(data)),
    "load_mmap": lambda data, path: ember.load(path, mmap=True),
    "jit_load": lambda data, path: ember.jit.load(io.BytesIO(data)),
    "inspect": _inspect,
    "inspect_mmap": _inspect_mmap,
    "check": lambda data, path: get_unsafe_globals_in_checkpoint(io.BytesIO(data)),
}


def _peak_mb() -> float:
    """The process's peak resident memory (VmHWM: getrusage's ru_maxrss would include the
    peak of the parent that started this process)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def _current_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _where(exc: BaseException) -> str:
    """The innermost frame of `exc` inside ember (or the innermost one), as file:line."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/ember/" in f.filename] or frames
    if not ours:
        return "?"
    frame = ours[-1]
    return f"{os.path.basename(frame.filename)}:{frame.lineno}"


def _outcome(name: str, target, data: bytes, path: str) -> str:
    try:
        target(data, path)
        return "ok"
    except EmberError as exc:
        message = str(exc)
        unchecked = [n for n in UNCHECKED if n in message]
        if unchecked:
            raise Finding(
                f"{name}: {type(exc).__name__} wraps {unchecked[0]}: {message[:500]}",
                f"{name}-wrapped-{unchecked[0]}-{_where(exc)}",
            ) from exc
        return type(exc).__name__
    except Exception as exc:  # anything else is what the fuzzer looks for
        raise Finding(
            f"{name}: {type(exc).__name__}: {str(exc)[:500]}",
            f"{name}-{type(exc).__name__}-{_where(exc)}",
        ) from exc


def _write(data: bytes, path: str) -> None:
    """`data` at `path`, as a new file: maps of the previous input keep their own."""
    tmp = path + ".new"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def check_input(data: bytes, path: str | None = None) -> dict:
    """Run every target on `data` (written to `path` for the mapped ones); raise `Finding` if
    one breaks the rule, else return each target's outcome ("ok" or the ember error's name)."""
    if path is None:
        import tempfile

        path = os.path.join(tempfile.mkdtemp(), "input.pt")
    _write(data, path)
    outcomes, times = {}, {}
    start_mb, peak_mb, start = _current_mb(), _peak_mb(), time.process_time()
    for name, target in TARGETS.items():
        began = time.process_time()
        outcomes[name] = _outcome(name, target, data, path)
        times[name] = time.process_time() - began
    took = time.process_time() - start
    if took > SECONDS:
        slowest = max(times, key=times.get)
        spent = ", ".join(f"{n} {t:.2f} s" for n, t in times.items())
        raise Finding(f"slow: {took:.2f} s for {len(data)} bytes ({spent})", f"slow-{slowest}")
    grown = _peak_mb() - start_mb  # counted only when this input set a new peak
    if _peak_mb() > peak_mb and grown > MEGABYTES:
        raise Finding(f"memory: peak {grown:.0f} MB above the start", "memory")
    return outcomes
