"""Checkpoint I/O: ember.save/load vs torch.save/load vs raw writes/reads of the same bytes.

A 1 GiB state dict (16 x 64 MiB float32 tensors) is saved and loaded; the operations take turns
for `--repeat` rounds (warm page cache) and the table shows the median and the best time of each:
on a shared machine the best time shows what the code can do, the median what the load allowed.
Also: `mmap=True` load time, and the peak RSS of a plain `ember.load` measured in a fresh
subprocess. Files live in a temporary folder, removed at exit.

Run: .venv/bin/python benchmarks/checkpoint_io.py [--tensors 16] [--mib 64] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict

import numpy as np

import ember
from ember.tensor.tensor import wrap


def interleaved(ops: dict, repeat: int, prepare: dict | None = None) -> dict:
    """(median, best) seconds of each op; the ops take turns so load drift hits all alike.

    Before each op (untimed) its `prepare` step runs and dirty pages are flushed: otherwise one
    op's fsync pays for the gigabytes the previous ops left in the page cache.
    """
    times: dict = {name: [] for name in ops}
    for _ in range(repeat):
        for name, fn in ops.items():
            (prepare or {}).get(name, lambda: None)()
            gc.collect()
            os.sync()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), min(t)) for name, t in times.items()}


def raw_write(arrays, path: str, fsync: bool) -> None:
    with open(path, "wb") as f:
        for a in arrays:
            f.write(memoryview(a))
        f.flush()
        if fsync:
            os.fsync(f.fileno())


def remove(path: str) -> None:
    if os.path.exists(path):
        os.unlink(path)
    os.sync()
    time.sleep(1.0)  # let the discard of the freed blocks finish


def tiny_file(path: str) -> None:
    remove(path)
    with open(path, "wb") as f:
        f.write(b"x")


_NEW = "ember.save to new path (atomic)"
_REPLACING = "ember.save replacing (atomic, fdatasync)"


def raw_read(arrays, path: str) -> list:
    """Read the bytes into fresh buffers, 16 MiB per read call (ember's pattern; it was the
    fastest of 16/64 MiB here)."""
    out = []
    with open(path, "rb", buffering=0) as f:
        for a in arrays:
            buf = np.empty(a.nbytes, np.uint8)
            view = memoryview(buf)
            for start in range(0, a.nbytes, 16 << 20):
                f.readinto(view[start : start + (16 << 20)])
            out.append(buf)
    return out


def ember_save_stream(sd, path: str) -> None:
    with open(path, "wb") as f:
        ember.save(sd, f)


# Linux carries ru_maxrss across fork+exec (a child spawned by this 2 GiB process starts with
# that high-water mark), so the child reads its own VmHWM and reports getrusage beside it.
RSS_SCRIPT = """
import resource, sys, ember
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) * 1024
before = hwm()
sd = ember.load(sys.argv[1])
print(before, hwm(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def peak_rss(path: str) -> tuple[int, int, int]:
    """(peak RSS after `import ember`, after ember.load, getrusage's ru_maxrss), in bytes."""
    out = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, path], check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), int(out[1]), int(out[2])


def run(n_tensors: int, mib: int, repeat: int) -> None:
    import torch

    torch.set_num_threads(1)
    numel = mib * (1 << 20) // 4
    arrays = [np.random.default_rng(i).random(numel, dtype=np.float32) for i in range(n_tensors)]
    sd = OrderedDict((f"layer{i}.weight", wrap(a)) for i, a in enumerate(arrays))
    tsd = OrderedDict((k, torch.from_numpy(a)) for k, a in zip(sd, arrays))
    total = sum(a.nbytes for a in arrays)
    folder = tempfile.mkdtemp(prefix="ember-bench-")
    try:
        p = {name: os.path.join(folder, f"{name}.pt") for name in ("raw", "ember", "torch")}
        writes = interleaved(
            {
                "raw write": lambda: raw_write(arrays, p["raw"], False),
                "ember.save to open file": lambda: ember_save_stream(sd, p["ember"]),
                "torch.save": lambda: torch.save(tsd, p["torch"]),
                "raw write + fsync": lambda: raw_write(arrays, p["raw"], True),
                _NEW: lambda: ember.save(sd, p["ember"]),
                _REPLACING: lambda: ember.save(sd, p["ember"]),
            },
            repeat,
            # The paths hold no old gigabyte: freeing one costs this machine's filesystem
            # (mounted with online discard) seconds, charged to whoever writes next, so it
            # happens beforehand. A save that replaces a file syncs it before the rename (one
            # that replaces nothing does not): that one replaces a 1-byte file.
            prepare={
                "raw write + fsync": lambda: remove(p["raw"]),
                _NEW: lambda: remove(p["ember"]),
                _REPLACING: lambda: tiny_file(p["ember"]),
            },
        )
        os.sync()
        read_ops = {
            "raw read": lambda: raw_read(arrays, p["raw"]),
            "ember.load": lambda: ember.load(p["ember"]),
            "torch.load (weights_only)": lambda: torch.load(p["torch"], weights_only=True),
        }
        interleaved(read_ops, 1)  # warm the page cache
        reads = interleaved(read_ops, repeat)
        mmaps = interleaved(
            {
                "ember.load mmap=True": lambda: ember.load(p["ember"], mmap=True),
                "torch.load mmap=True": lambda: torch.load(
                    p["torch"], mmap=True, weights_only=True
                ),
            },
            max(repeat, 5),
        )
        base_rss, rss, maxrss = peak_rss(p["ember"])
        size = os.path.getsize(p["ember"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"checkpoint: {n_tensors} x {mib} MiB float32 = {total / 2**30:.2f} GiB, {repeat} rounds")
    baselines = {
        "ember.save to open file": "raw write",
        "torch.save": "raw write",
        _NEW: "raw write",
        _REPLACING: "raw write + fsync",
        "ember.load": "raw read",
        "torch.load (weights_only)": "raw read",
    }
    print(f"{'operation':41} {'median s':>8} {'best s':>7} {'GB/s':>6}  vs raw: median, best")
    everything = writes | reads
    for name, (median, best) in everything.items():
        base = baselines.get(name)
        ratio = ""
        if base:
            ratio = (
                f"{everything[base][0] / median:.2f}x  {everything[base][1] / best:.2f}x  ({base})"
            )
        print(f"{name:41} {median:8.3f} {best:7.3f} {total / median / 1e9:6.2f}  {ratio}")
    for name, (median, best) in mmaps.items():
        print(f"{name:41} {median * 1e3:8.2f} {best * 1e3:7.2f} ms")
    print(
        f"peak RSS of ember.load in a fresh process: {rss / 2**20:.0f} MiB = {rss / size:.3f}x "
        f"the file ({size / 2**20:.0f} MiB); {base_rss / 2**20:.0f} MiB of it is `import ember` "
        f"(VmHWM; getrusage ru_maxrss says {maxrss / 2**20:.0f} MiB, inherited from the parent)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tensors", type=int, default=16)
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    run(args.tensors, args.mib, args.repeat)


if __name__ == "__main__":
    main()
