"""The tensor operators each corpus model's scripted forward calls, as docs/models.md lists them.

`tensor_ops(scripted)` reads them from ember's inlined graph (operators with a tensor operand
or result, by overload); `documented_ops(name)` reads the row docs/models.md has for the model;
the corpus test compares the two, so the page cannot go stale. Print fresh rows with
`.venv/bin/python -m tests.models.documented [model ...]` from the repository root.
"""

import sys
import tempfile
from pathlib import Path

from tests.models.registry import MODELS
from tests.models.stages import Corpus, Engine

PAGE = Path(__file__).resolve().parents[2] / "docs" / "models.md"


def tensor_ops(scripted) -> list[str]:
    """Sorted qualified names of the operators with a tensor operand or result (list and
    identity builtins such as ``append.t`` or ``__is__`` left out)."""
    names = set()
    for op in scripted.inlined_graph.walk():
        values = [*op.operands, *op.results]
        container = op.kind.startswith("aten::__") or op.overload == "t"
        if (
            op.kind.startswith("aten::")
            and not container
            and any("Tensor" in str(v.type) for v in values)
        ):
            names.add(op.qualified_name.removeprefix("aten::"))
    return sorted(names)


def documented_ops(name: str) -> list[str]:
    """The operators docs/models.md lists for model `name` (its table row's last cell)."""
    for line in PAGE.read_text().splitlines():
        if line.startswith(f"| `{name}` |"):
            cell = line.rstrip(" |").rsplit("|", 1)[1]
            return sorted(op.strip(" `") for op in cell.split(",") if op.strip())
    raise LookupError(f"docs/models.md has no row for {name}")


def row(name: str, scripted) -> str:
    spec = MODELS[name]
    shape = "x".join(map(str, spec.input_shape))
    ops = ", ".join(f"`{op}`" for op in tensor_ops(scripted))
    return f"| `{name}` | `tests/models/{spec.source}.py` | {shape} | {ops} |"


def main(argv: list[str]) -> None:
    import torch

    import ember

    with tempfile.TemporaryDirectory() as folder:
        corpus = Corpus(torch, folder, Engine(ember))
        for name in argv or list(MODELS):
            print(row(name, corpus.run(name).scripted()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
