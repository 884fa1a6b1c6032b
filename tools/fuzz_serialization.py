"""Long-running serialization fuzzer (not part of the test suite).

Mutates ember- and torch-written checkpoints and loads each with ember.load; prints every outcome
that is neither a successful load nor an ember error (a raw exception or a hang).

    .venv/bin/python tools/fuzz_serialization.py --seed 1 --per-seed 2000
"""

import argparse
import collections
import io
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

import torch  # noqa: E402

import ember  # noqa: E402
import fuzz_corpus  # noqa: E402


def attempts(data: bytes, trusted: bool, path: str):
    yield "weights_only", lambda: ember.load(io.BytesIO(data))
    if trusted:
        yield "full", lambda: ember.load(io.BytesIO(data), weights_only=False)
    if data.startswith(b"PK"):
        with open(path, "wb") as f:
            f.write(data)
        yield "mmap", lambda: ember.load(path, mmap=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-seed", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counts: collections.Counter = collections.Counter()
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mutant.pt")
        for name, data in fuzz_corpus.seeds(torch):
            for what, mutant in fuzz_corpus.mutants(name, data, rng, args.per_seed):
                trusted = name.startswith("ember") and ": pickle " not in what
                for mode, load in attempts(mutant, trusted, path):
                    outcome, detail = fuzz_corpus.run_load(load)
                    counts[outcome] += 1
                    if outcome == "FAIL":
                        failures += 1
                        print(f"--- {what} [{mode}]\n{detail}")
    print(dict(counts), "failures:", failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
