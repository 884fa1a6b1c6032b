"""Per-call time of small and large ops: ember beside torch eager (1 thread and default).

Run: .venv/bin/python benchmarks/ops.py
Prints a table of median per-call times (microseconds) and the ratio ember / torch, once
with torch and numpy's BLAS both on one thread (threadpoolctl limits numpy's OpenBLAS when it
is installed) and once with both at their default thread counts.
Targets: small ops within 1.5x torch eager, the 1024-wide linear within 1.25x.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
import torch

import ember


def _calls_for(fn, budget: float) -> int:
    """How many calls of `fn` take about `budget` seconds."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start > budget:
            return n
        n *= 2


def _batch_us(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def paired_us(e_fn, t_fn, rounds=9, budget=0.02) -> tuple[float, float]:
    """Median per-call microseconds of ember and torch, measured in alternating batches.

    Alternating keeps both sides under the same machine load, which on a shared machine
    changes faster than a whole benchmark run.
    """
    ne, nt = _calls_for(e_fn, budget), _calls_for(t_fn, budget)
    e_runs, t_runs = [], []
    for _ in range(rounds):
        e_runs.append(_batch_us(e_fn, ne))
        t_runs.append(_batch_us(t_fn, nt))
    return statistics.median(e_runs), statistics.median(t_runs)


def _ember_linear():
    nn = getattr(ember, "nn", None)
    functional = getattr(nn, "functional", None)
    return getattr(functional, "linear", None) or ember.linear


def cases():
    rng = np.random.default_rng(0)
    lin = _ember_linear()
    out = []

    a, b = rng.random(4, np.float32), rng.random(4, np.float32)
    ea, eb = ember.from_numpy(a), ember.from_numpy(b)
    ta, tb = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())
    out.append(("add, 4 floats", lambda: ea + eb, lambda: ta + tb, 1.5))

    ei, ti = ember.arange(100).reshape(10, 10), torch.arange(100).reshape(10, 10)
    out.append(("index t[3, 1:5] of 10x10", lambda: ei[3, 1:5], lambda: ti[3, 1:5], 2.0))

    for rows, width, target in ((1, 64, 1.5), (256, 1024, 1.25)):
        x = rng.random((rows, width), np.float32)
        w = rng.random((width, width), np.float32)
        bias = rng.random(width, np.float32)
        ex, ew, eb_ = (ember.from_numpy(v) for v in (x, w, bias))
        tx, tw, tb_ = (torch.from_numpy(v.copy()) for v in (x, w, bias))
        label = f"linear {rows}x{width} @ {width}x{width} + bias"
        out.append(
            (
                label,
                lambda ex=ex, ew=ew, eb_=eb_: lin(ex, ew, eb_),
                lambda tx=tx, tw=tw, tb_=tb_: torch.nn.functional.linear(tx, tw, tb_),
                target,
            )
        )
    return out


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = [
        f"{i.get('internal_api')} {i.get('version')} threads={i.get('num_threads')} "
        f"arch={i.get('architecture')} ({os.path.basename(i.get('filepath', ''))})"
        for i in threadpool_info()
    ]
    return "; ".join(parts)


def _blas_one_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(1)


def _timed(e_fn, t_fn, threads: int, default_threads: int) -> tuple[float, float]:
    """(ember us, torch us) with torch and numpy's BLAS limited to `threads`."""
    limiter = _blas_one_thread() if threads == 1 else None
    torch.set_num_threads(threads)
    try:
        return paired_us(e_fn, t_fn)
    finally:
        torch.set_num_threads(default_threads)
        if limiter is not None:
            limiter.restore_original_limits()


def main() -> None:
    default_threads = torch.get_num_threads()
    print(f"numpy {np.__version__}, torch {torch.__version__}, cpus={os.cpu_count()}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"numpy BLAS: {blas_info()}")
    header = (
        f"{'case':38} {'ember 1t':>10} {'torch 1t':>10} {'ratio':>6} "
        f"{f'ember {default_threads}t':>10} {f'torch {default_threads}t':>10} {'ratio':>6} "
        f"{'target':>7}"
    )
    print("median per-call time in microseconds; 1t = torch and numpy's BLAS on one thread")
    print(header)
    print("-" * len(header))
    for label, e_fn, t_fn, target in cases():
        e1, t1 = _timed(e_fn, t_fn, 1, default_threads)
        en, tn = _timed(e_fn, t_fn, default_threads, default_threads)
        print(
            f"{label:38} {e1:10.2f} {t1:10.2f} {e1 / t1:6.2f} {en:10.2f} {tn:10.2f} "
            f"{en / tn:6.2f} {target:6.2f}x"
        )


if __name__ == "__main__":
    main()
