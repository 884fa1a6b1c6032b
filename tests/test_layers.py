"""The import layers of design.md §3: every module imports only from its own layer or below."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ember"

# Lower number = lower layer. A module may import from packages with a rank <= its own,
# except that packages of equal rank must not import each other (they are siblings).
RANK = {
    "errors": 0,
    "dtypes": 0,
    "grad_mode": 0,
    "devices": 0,
    "ops": 1,
    "tensor": 2,
    "ir": 2,
    "nn": 3,
    "runtime": 3,
    "upgraders": 3,
    "compiler": 4,
    "tracer": 4,
    "serializer": 4,
    "serialization": 5,
    "predicates": 5,
    "jit": 5,
    "cli": 6,
    "__init__": 7,
    "cpp": 5,
}


def _package_of(module_path: Path) -> str:
    rel = module_path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _ember_imports(module_path: Path):
    tree = ast.parse(module_path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "ember" and len(parts) > 1 and parts[1] in RANK:
                yield node.lineno, parts[1]


MODULES = sorted(p for p in SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_downward(path):
    own = _package_of(path)
    assert own in RANK, f"{own} has no layer in tests/test_layers.py; add it"
    for lineno, target in _ember_imports(path):
        if target == own:
            continue
        assert RANK[target] < RANK[own], (
            f"{path.relative_to(SRC)}:{lineno} imports ember.{target} "
            f"(layer {RANK[target]}) from layer {RANK[own]}"
        )


def test_no_torch_import_in_ember():
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] != "torch" for a in node.names), path
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] != "torch", path
