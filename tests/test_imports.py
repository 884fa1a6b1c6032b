"""How ember's modules import each other (design.md §3): layers import downward only, no
module imports itself back through a cycle, and nothing below the facade imports `ember`."""

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
    "assertions": 0,
    "utils": 0,
    "fx": 0,
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
MODULES = sorted(SRC.rglob("*.py"))


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


NAMES = {_name(p): p for p in MODULES}


def _runtime_imports(tree):
    """Import nodes that run: those under ``if TYPE_CHECKING:`` only serve annotations."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped:
            yield node


def _imported(path: Path):
    """(line, module name) of every ember module `path` imports, at any depth."""
    for node in _runtime_imports(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif node.level == 0 and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
            names = [n if n in NAMES else node.module for n in names]
        else:
            continue
        for name in names:
            if name == "ember" or name.startswith("ember."):
                while name not in NAMES:
                    name = name.rpartition(".")[0]
                yield node.lineno, name


def _package_of(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_downward(path):
    own = _package_of(path)
    assert own in RANK, f"{own} has no layer in tests/test_imports.py; add it"
    for lineno, target in _imported(path):
        where = f"{path.relative_to(SRC)}:{lineno}"
        if own != "__init__":
            assert target != "ember", f"{where} imports the ember facade from below it"
        package = target.split(".")[1] if "." in target else "__init__"
        if package == own:
            continue
        assert RANK[package] < RANK[own], (
            f"{where} imports {target} (layer {RANK[package]}) from layer {RANK[own]}"
        )


def _cycles(graph: dict) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on.discard(component[-1])
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    graph = {name: {t for _, t in _imported(p)} - {name} for name, p in NAMES.items()}
    assert _cycles(graph) == []


def test_no_torch_import_in_ember():
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] != "torch" for a in node.names), path
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] != "torch", path
