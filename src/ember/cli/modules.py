"""An archive's module tree: its objects (``data.pkl``) with what the code declares of them.

``data.pkl`` gives each object its class's qualified name and its attributes; whether a
tensor attribute is a parameter or a buffer, and whether an object is a module, is written
in the class's code (``class Net(Module):``, ``__parameters__ = ["weight", ]``,
``__buffers__ = [...]``). `declarations` reads those lines as the archive loader does
(`ember.compiler.modules.archive.declared_members`): parsing runs nothing, and nothing is
compiled.

Example:
    >>> import ember
    >>> from ember.cli.objects import Storages
    >>> from ember.serializer.script_pickler import ScriptObject
    >>> code = {"__torch__": 'class Net(Module):\\n  __parameters__ = ["w", ]\\n'}
    >>> net = ScriptObject("__torch__.Net", {"training": True, "w": ember.ones(2)})
    >>> node = ModuleTree(Storages(), declarations(code)).node("", net)
    >>> node["kind"], node["type"], [(c["name"], c["kind"]) for c in node["children"]]
    ('module', 'Net', [('training', 'value'), ('w', 'parameter')])
"""

from __future__ import annotations

from ember.cli.objects import Tree, key_text
from ember.compiler.modules.archive import declared_members
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.compiler.parsing.code_parser import parse_code
from ember.errors import EmberError
from ember.serializer.script_pickler import ScriptObject
from ember.tensor import Tensor

__all__ = ["declarations", "ModuleTree"]


def declarations(texts: dict) -> dict:
    """Qualified class name -> ``{"module", "parameters", "buffers"}`` for every class in
    the code files `texts` (prefix -> text); a file ember cannot parse declares nothing.

    >>> declarations({"__torch__.m": "class Net(Module):\\n  __buffers__ = ['mask', ]\\n"})
    {'__torch__.m.Net': {'module': True, 'parameters': [], 'buffers': ['mask']}}
    """
    found = {}
    for prefix, text in texts.items():
        try:
            nodes = parse_code(text, prefix)
        except (EmberError, RecursionError, MemoryError):
            continue
        for node in nodes:
            if isinstance(node, S.ClassDef):
                params, buffers = declared_members(node)
                found[f"{prefix}.{node.name}"] = {
                    "module": node.base == "Module",
                    "parameters": params,
                    "buffers": buffers,
                }
    return found


class ModuleTree(Tree):
    """A `Tree` that shows TorchScript objects as modules (or objects) with their
    attributes, tensors marked parameter or buffer as their class declares."""

    def __init__(self, storages, classes: dict):
        super().__init__(storages)
        self.classes = classes

    def expandable(self, value) -> bool:
        return isinstance(value, ScriptObject) or super().expandable(value)

    def expand(self, node: dict, value, path: str, depth: int) -> dict:
        if not isinstance(value, ScriptObject):
            return super().expand(node, value, path, depth)
        name = value.qualified_name
        declared = self.classes.get(name, {})
        node.update(
            kind="module" if declared.get("module") else "object",
            type=name.rpartition(".")[2],
            qualified_name=name,
        )
        state = value.state
        items = list(state.items()) if isinstance(state, dict) else [("<state>", state)]

        def make(key: str, attr, where: str, depth: int) -> dict:
            if isinstance(attr, Tensor):
                return self.tensor({"name": key}, attr, where, _tensor_kind(key, declared))
            return self.node(key, attr, where, depth)

        named = ((key_text(key), attr) for key, attr in items)
        node["children"] = self.children(named, path, depth, len(items), make)
        return node


def _tensor_kind(name: str, declared: dict) -> str:
    if name in declared.get("parameters", ()):
        return "parameter"
    return "buffer" if name in declared.get("buffers", ()) else "tensor"
