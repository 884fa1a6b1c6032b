"""Per-call time of nn layers: ember beside torch eager, both on one thread.

Run: .venv/bin/python benchmarks/nn_layers.py
Prints median per-call times (milliseconds) and the median ratio ember / torch over rounds
that time the two in alternating batches, for convolution, pooling, normalisation and a small
CNN (float32, eval mode), each with weights copied from the torch layer.
numpy's OpenBLAS is limited to one thread (set before numpy loads), like torch here: on a
shared 2-core machine extra BLAS threads only fight each other.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402
from ember import nn  # noqa: E402


def _batch_size(fn, min_time: float) -> int:
    """Calls per timed batch so that one batch lasts at least `min_time` seconds."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start > min_time:
            return n
        n *= 2


def _batch_ms(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e3


def per_call_ms(fn, min_time=0.3, repeats=5) -> float:
    """Median over `repeats` runs of the mean per-call time, in milliseconds."""
    n = _batch_size(fn, min_time / repeats)
    return statistics.median(_batch_ms(fn, n) for _ in range(repeats))


def paired_ms(ours, theirs, min_time=0.6, repeats=9) -> tuple[float, float, float]:
    """Median per-call ms of `ours` and `theirs` and the median of their per-round ratios.

    The two are timed in alternating batches, so a load spike from other processes on the
    shared machine hits both sides of a round instead of skewing one of them.
    """
    n_ours = _batch_size(ours, min_time / repeats / 2)
    n_theirs = _batch_size(theirs, min_time / repeats / 2)
    rounds = [(_batch_ms(ours, n_ours), _batch_ms(theirs, n_theirs)) for _ in range(repeats)]
    t_ours = statistics.median(r[0] for r in rounds)
    t_theirs = statistics.median(r[1] for r in rounds)
    return t_ours, t_theirs, statistics.median(r[0] / r[1] for r in rounds)


def twin(factory):
    """The layer built by `factory` in ember.nn and torch.nn, with the same weights (eval)."""
    theirs = factory(torch.nn).eval()
    ours = factory(nn).eval()
    state = {k: ember.from_numpy(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)
    return ours, theirs


def small_cnn(n):
    return n.Sequential(
        n.Conv2d(3, 16, 3, padding=1), n.BatchNorm2d(16), n.ReLU(), n.MaxPool2d(2),
        n.Conv2d(16, 32, 3, padding=1), n.BatchNorm2d(32), n.ReLU(),
        n.AdaptiveAvgPool2d(1), n.Flatten(), n.Linear(32, 10),
    )  # fmt: skip


CASES = [
    ("conv2d 3x3, 8x64x32x32 -> 64", lambda n: n.Conv2d(64, 64, 3, padding=1), (8, 64, 32, 32)),
    ("conv2d 3x3 s2, 1x3x224x224", lambda n: n.Conv2d(3, 32, 3, 2, 1), (1, 3, 224, 224)),
    ("conv2d depthwise 3x3, 8x64x32x32", lambda n: n.Conv2d(64, 64, 3, 1, 1, groups=64),
     (8, 64, 32, 32)),
    ("conv1d k5, 16x32x256", lambda n: n.Conv1d(32, 32, 5, padding=2), (16, 32, 256)),
    ("max_pool2d 2x2, 8x64x32x32", lambda n: n.MaxPool2d(2), (8, 64, 32, 32)),
    ("avg_pool2d 3x3 s2 p1, 8x64x32x32", lambda n: n.AvgPool2d(3, 2, 1), (8, 64, 32, 32)),
    ("batch_norm2d (eval), 8x64x32x32", lambda n: n.BatchNorm2d(64), (8, 64, 32, 32)),
    ("layer_norm 512, 64x512", lambda n: n.LayerNorm(512), (64, 512)),
    ("small CNN, 8x3x32x32", small_cnn, (8, 3, 32, 32)),
]  # fmt: skip


def main() -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"{'case':<36} {'ember ms':>10} {'torch ms':>10} {'ratio':>7}")
    for name, factory, shape in CASES:
        ours, theirs = twin(factory)
        x = rng.standard_normal(shape).astype(np.float32)
        ex, tx = ember.from_numpy(x), torch.from_numpy(x)
        with torch.no_grad():
            np.testing.assert_allclose(ours(ex).numpy(), theirs(tx).numpy(), atol=1e-4)
            t_ember, t_torch, ratio = paired_ms(
                lambda m=ours, v=ex: m(v), lambda m=theirs, v=tx: m(v)
            )
        print(f"{name:<36} {t_ember:>10.3f} {t_torch:>10.3f} {ratio:>6.2f}x")


if __name__ == "__main__":
    main()
