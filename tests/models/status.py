"""Print the corpus table, model × stage → pass or the first error.

Run from the repository root: `.venv/bin/python -m tests.models.status [model ...]`;
`--engine torch` runs every stage with torch on both sides (a check of the harness itself).
"""

import argparse
import sys
import tempfile
import time

from tests.models.registry import MODELS
from tests.models.stages import STAGES, Corpus, Engine

WIDTH = 110


def outcome(corpus: Corpus, name: str, stage: str) -> str:
    try:
        corpus.check(name, stage)
    except AssertionError as error:
        return "mismatch: " + _first_line(error, "Max absolute difference")
    except Exception as error:  # noqa: BLE001 - the table reports every failure
        return f"{type(error).__name__}: {_first_line(error)}"
    return "pass"


def _first_line(error: Exception, marker: str = "") -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    chosen = [line for line in lines if marker and marker in line] or lines or [""]
    return chosen[0][:WIDTH]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model names (default: all)")
    parser.add_argument("--engine", choices=("ember", "torch"), default="ember")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    if args.engine == "torch":
        engine = Engine(torch)
    else:
        import ember

        engine = Engine(ember)
    names = args.models or list(MODELS)
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        corpus = Corpus(torch, folder, engine)
        print("| model | " + " | ".join(STAGES) + " |")
        print("|" + " --- |" * (len(STAGES) + 1))
        for name in names:
            start = time.perf_counter()
            cells = [outcome(corpus, name, stage) for stage in STAGES]
            failures += sum(cell != "pass" for cell in cells)
            seconds = time.perf_counter() - start
            print(f"| {name} ({seconds:.0f} s) | " + " | ".join(cells) + " |", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
