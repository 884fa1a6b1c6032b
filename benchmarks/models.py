"""Forward time of the corpus models (tests/models): torch eager, TorchScript, ember eager and
ember scripted, in one run.

Run from the repository root: .venv/bin/python benchmarks/models.py [--models resnet50,vit_b_16]
[--size 224] [--rounds 15] [--threads 2]

Each model is built by the corpus harness (tests/models/stages.py): torch's reference with
its varied weights, saved as a checkpoint that ember loads with `ember.load` and the model's own
loading path, so both run the same weights. Image models take `--size`×`--size` inputs (ViT is
built for that size), the sequence models their corpus inputs; every model runs at batch 1 and
ResNet-50 at batch 8 too. The four variants take turns within each round, so a slow phase
of the machine hits all of them, and each timed forward follows an untimed one of the same
variant. OpenBLAS is told not to let its idle threads spin (OPENBLAS_THREAD_TIMEOUT=4): by
default they spin for about 0.1 s on the cores torch runs on next, which put torch eager,
timed after ember, at up to 3x its own time. The table gives each variant's median over the
rounds and the ratios of the medians to torch eager. Threads:
torch and numpy's BLAS both use `--threads` (set before numpy and torch load). A model or
variant ember cannot run yet shows "n/a: <reason>".
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("torch eager", "torch script", "ember eager", "ember script")


def _pin_threads(argv) -> int:
    threads = 2
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            threads = int(argv[i + 1])
        elif arg.startswith("--threads="):
            threads = int(arg.split("=", 1)[1])
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    # OpenBLAS's idle threads spin for 2**28 cycles (~0.1 s) by default, on the cores torch
    # runs on next; 2**4 puts them to sleep at once (ember pays their wake-ups, not torch)
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = "4"
    return threads


THREADS = _pin_threads(sys.argv[1:])
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from tests.models import registry  # noqa: E402
from tests.models.stages import Engine, ModelRun, Reference  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

import ember  # noqa: E402


def _resized(name: str, size: int, batch: int) -> registry.ModelSpec:
    """The corpus spec of `name` with image inputs of `size` and `batch` (ViT built for it)."""
    spec = registry.MODELS[name]
    shape = spec.input_shape
    if spec.input_kind == "image":
        shape = (batch, shape[1], size, size)
    kwargs = dict(spec.kwargs)
    if "image_size" in kwargs:
        kwargs["image_size"] = size
    return dataclasses.replace(spec, input_shape=shape, kwargs=kwargs)


def _reason(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"n/a: {type(error).__name__}: {(lines or [''])[0][:70]}"


def _forward(module, model, x):
    with module.no_grad():
        return model(x)


def _variants(ref: Reference) -> dict:
    """variant name -> zero-argument forward, or the "n/a: ..." text of why it cannot run."""
    run = ModelRun(ref, Engine(ember))
    tx, ex = torch.from_numpy(ref.x.copy()), ember.from_numpy(ref.x.copy())
    makers = {
        "torch eager": lambda: (torch, ref.model, tx),
        "torch script": lambda: (torch, torch.jit.script(ref.model), tx),
        "ember eager": lambda: (ember, run.eager_model(), ex),
        "ember script": lambda: (ember, run.scripted(), ex),
    }
    out = {}
    for variant, make in makers.items():
        try:
            module, model, x = make()
            for _ in range(2):  # warm-up; the first forward also checks that it runs
                _forward(module, model, x)
            out[variant] = lambda m=module, f=model, x=x: _forward(m, f, x)
        except Exception as error:  # noqa: BLE001 - the table reports every failure
            out[variant] = _reason(error)
    return out


def time_model(ref: Reference, rounds: int) -> dict:
    """variant -> median forward seconds over `rounds` timed forwards (or "n/a: ...")."""
    runs = _variants(ref)
    timed = {v: [] for v, fn in runs.items() if callable(fn)}
    for _ in range(rounds):
        for variant in timed:
            runs[variant]()  # untimed: wakes this library's threads
            start = time.perf_counter()
            runs[variant]()
            timed[variant].append(time.perf_counter() - start)
    return {v: statistics.median(timed[v]) if v in timed else runs[v] for v in VARIANTS}


def _cell(value) -> str:
    return f"{value * 1e3:.2f}" if isinstance(value, float) else value


def _ratio(value, base) -> str:
    if isinstance(value, float) and isinstance(base, float):
        return f"{value / base:.2f}×"
    return "n/a"


def row(label: str, times: dict) -> str:
    base = times["torch eager"]
    cells = [_cell(times[v]) for v in VARIANTS]
    ratios = [_ratio(times[v], base) for v in ("torch script", "ember eager", "ember script")]
    return "| " + " | ".join([label, *cells, *ratios]) + " |"


HEADER = (
    "| model (input) | torch eager ms | torch script ms | ember eager ms | ember script ms "
    "| torch script / eager | ember eager / torch eager | ember script / torch eager |\n"
    "|---|---|---|---|---|---|---|---|"
)


def cases(names, size: int):
    """(label, name, spec) for each model at batch 1, and ResNet-50 at batch 8 too."""
    for name in names:
        for batch in (1, 8) if name == "resnet50" else (1,):
            spec = _resized(name, size, batch)
            yield f"{name} {'×'.join(map(str, spec.input_shape))}", name, spec


def bench_case(name: str, spec, rounds: int, folder: Path) -> dict:
    saved = registry.MODELS[name]
    registry.MODELS[name] = spec
    ref = None
    try:
        ref = Reference(name, torch, folder / name)
        return time_model(ref, rounds)
    except Exception as error:  # noqa: BLE001 - a model torch's side cannot build
        return {v: _reason(error) for v in VARIANTS}
    finally:
        registry.MODELS[name] = saved
        if ref is not None:
            ref.remove()


def _thread_note() -> str:
    blas = {f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info()}
    return f"threads: torch={torch.get_num_threads()}, {', '.join(sorted(blas))}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="", help="comma-separated names (default: all)")
    parser.add_argument("--size", type=int, default=224, help="image height and width")
    parser.add_argument("--rounds", type=int, default=15, help="timed forwards per variant")
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args(argv)
    names = [n for n in args.models.split(",") if n] or list(registry.MODELS)
    unknown = [n for n in names if n not in registry.MODELS]
    if unknown:
        parser.error(f"unknown models {unknown}; known: {', '.join(registry.MODELS)}")
    torch.set_num_threads(args.threads)
    np.random.seed(0)
    print(f"{_thread_note()}; {args.rounds} rounds, medians", flush=True)
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for label, name, spec in cases(names, args.size):
            print(row(label, bench_case(name, spec, args.rounds, Path(folder))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
