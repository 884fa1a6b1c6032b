"""The fuzzer's seed corpus: real files from ember.save, ember.jit.save, torch.save and
torch.jit.save, written at fuzz time (no binaries are committed).

    .venv/bin/python tools/fuzz/seeds.py FOLDER     # writes FOLDER/seed-<name>, prints a count

torch comes from the test extra; the checkpoints are those of tests/fuzz_corpus.py (every dtype,
views, a state dict with metadata, nesting, conj/neg views, zip and legacy, compact), plus
TorchScript archives of small scripted and traced modules from both writers.
"""

from __future__ import annotations

import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))

import ember  # noqa: E402
import fuzz_corpus  # noqa: E402


class _Branchy(ember.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x * 2
        return x - 1


def _ember_archives() -> list[tuple[str, bytes]]:
    modules = {
        "linear": ember.jit.script(ember.nn.Linear(3, 2)),
        "sequential": ember.jit.script(ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.ReLU())),
        "branchy": ember.jit.script(_Branchy()),
        "traced": ember.jit.trace(ember.nn.Linear(2, 1), ember.zeros(1, 2)),
    }
    out = []
    for name, module in modules.items():
        buf = io.BytesIO()
        ember.jit.save(module, buf, _extra_files={"note.txt": "seed"} if name == "linear" else None)
        out.append((f"ember-jit-{name}", buf.getvalue()))
    return out


def _torch_archives(torch) -> list[tuple[str, bytes]]:
    class Branchy(torch.nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                return x * 2
            return x - 1

    modules = {
        "linear": torch.jit.script(torch.nn.Linear(3, 2)),
        "branchy": torch.jit.script(Branchy()),
        "traced": torch.jit.trace(torch.nn.Linear(2, 1), torch.zeros(1, 2)),
    }
    out = []
    for name, module in modules.items():
        buf = io.BytesIO()
        torch.jit.save(module, buf)
        out.append((f"torch-jit-{name}", buf.getvalue()))
    return out


def all_seeds() -> list[tuple[str, bytes]]:
    """(name, bytes) of every seed file."""
    import torch

    torch.set_num_threads(1)
    return fuzz_corpus.seeds(torch) + _ember_archives() + _torch_archives(torch)


def write_seeds(folder: str) -> int:
    """Write the seeds into `folder` (created if missing); returns how many."""
    os.makedirs(folder, exist_ok=True)
    seeds = all_seeds()
    for name, data in seeds:
        with open(os.path.join(folder, f"seed-{name}"), "wb") as f:
            f.write(data)
    return len(seeds)


if __name__ == "__main__":
    print(f"{write_seeds(sys.argv[1])} seed files in {sys.argv[1]}")
