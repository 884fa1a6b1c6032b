"""What a loaded object holds, as a tree of plain dicts (`ember inspect`'s entries and modules).

Each node is a JSON-ready dict with a ``name`` and a ``kind``:

- ``tensor``, ``parameter``, ``buffer``: ``dtype``, ``shape``, ``bytes`` (what the tensor
  covers), ``storage`` (its number in `Storages`) and ``offset`` (elements into the storage);
- ``value``: ``type``, ``text`` (a short repr) and ``value`` when JSON holds it exactly;
- ``container``: ``type`` (dict, OrderedDict, list, tuple), ``length``, ``children``;
- ``module`` / ``object``: a TorchScript object (see `ember.cli.modules`), ``children``;
- ``refused``: a global a weights-only load refuses (`ember.serializer.peek`), ``text``
  shows the call it stands for (never made), ``children`` the state the file gave it;
- ``same``: an object already shown, at ``path`` (so cycles and shared containers end);
- ``omitted``: ``count`` more children not shown (``text`` says so): a container shows at
  most 10,000 children and a tree at most 100,000 nodes.

Whatever the file holds, the tree is built in bounded time and space: every container is
expanded once (remembered by id), nesting shows 100 levels deep, and values print through
`ember.cli.texts.short_text` (bounded, big ints abbreviated).

Example:
    >>> import ember
    >>> base = ember.arange(4.0)
    >>> storages = Storages()
    >>> node = Tree(storages).node("", {"w": base, "tail": base[2:], "epoch": 3})
    >>> [(c["name"], c["kind"], c.get("storage"), c.get("text")) for c in node["children"]]
    [('w', 'tensor', 0, None), ('tail', 'tensor', 0, None), ('epoch', 'value', None, '3')]
    >>> storages.table()
    [{'storage': 0, 'record': None, 'bytes': 16, 'tensors': ['w', 'tail']}]
"""

from __future__ import annotations

import itertools
import math

from ember.cli.texts import short_text
from ember.nn import Parameter
from ember.serializer.peek import Global, Stub
from ember.tensor import Tensor

__all__ = ["Storages", "Tree", "key_text"]

_TEXT_LIMIT = 80
_MAX_DEPTH = 100
MAX_CHILDREN = 10_000  # per container
MAX_NODES = 100_000  # per tree
_SCALARS = (type(None), bool, int, float, str)


class Storages:
    """Numbers the storages tensors use, in order of first use, and lists who uses each;
    `records` maps ``id(storage)`` to the record that holds it (``'data/0'``)."""

    def __init__(self, records: dict | None = None):
        self.records = records or {}
        self.numbers: dict[int, int] = {}
        self.entries: list[dict] = []
        self.tensors = 0
        self._alive: list = []  # the storages numbered, so that no id is reused

    def add(self, tensor: Tensor, path: str) -> int:
        storage = tensor.untyped_storage()
        number = self.numbers.get(id(storage))
        if number is None:
            number = self.numbers[id(storage)] = len(self.entries)
            self._alive.append(storage)
            record = self.records.get(id(storage))
            self.entries.append(
                {"storage": number, "record": record, "bytes": storage.nbytes(), "tensors": []}
            )
        self.entries[number]["tensors"].append(path)
        self.tensors += 1
        return number

    def table(self) -> list[dict]:
        return self.entries

    def totals(self) -> dict:
        total = sum(entry["bytes"] for entry in self.entries)
        return {"tensors": self.tensors, "storages": len(self.entries), "bytes": total}


class Tree:
    """Builds nodes (see the module docstring). Subclasses expand more kinds of objects by
    overriding `expandable` and `expand` (TorchScript objects, in `ember.cli.modules`)."""

    def __init__(self, storages: Storages):
        self.storages = storages
        self.seen: dict[int, str] = {}
        self._alive: list = []  # the objects seen, so that no id is reused
        self.nodes_left = MAX_NODES

    def node(self, name: str, value, path: str | None = None, depth: int = 0) -> dict:
        path = name if path is None else path
        node = {"name": name}
        if isinstance(value, Tensor):
            return self.tensor(node, value, path)
        if isinstance(value, Global):
            node.update(kind="refused", type=value.name, text=_cut(value.name))
            return node
        if not self.expandable(value):
            return _value(node, value)
        if depth > _MAX_DEPTH:
            return {**node, "kind": "value", "type": _type(value),
                    "text": f"<nested more than {_MAX_DEPTH} levels deep: not shown>"}  # fmt: skip
        if id(value) in self.seen:
            return {**node, "kind": "same", "type": _type(value), "path": self.seen[id(value)]}
        self.seen[id(value)] = path or "<root>"
        self._alive.append(value)
        return self.expand(node, value, path, depth)

    def expandable(self, value) -> bool:
        """Whether `value` shows as a node with children (containers, refused calls)."""
        if isinstance(value, dict | Stub):
            return True
        return type(value) in (list, tuple) and not _is_inline(value)

    def expand(self, node: dict, value, path: str, depth: int) -> dict:
        if isinstance(value, Stub):
            return self.refused(node, value, path, depth)
        if isinstance(value, dict):
            items = ((key_text(k), v) for k, v in value.items())
        else:
            items = ((str(i), v) for i, v in enumerate(value))
        node.update(kind="container", type=_type(value), length=len(value))
        node["children"] = self.children(items, path, depth, len(value))
        return node

    def children(self, items, path: str, depth: int, length: int | None = None, make=None):
        """Nodes for the (name, value) `items` of a container of `length` items (by default,
        as many as `items` holds), as many as the limits allow, then an ``omitted`` node;
        `make(name, value, path, depth)` makes each node (by default `node`)."""
        make = make or self.node
        items = iter(items)
        shown = min(MAX_CHILDREN, max(self.nodes_left, 0))
        out = []
        for k, v in itertools.islice(items, shown):
            self.nodes_left -= 1
            out.append(make(k, v, f"{path}.{k}" if path else k, depth + 1))
        left = (length - len(out)) if length is not None else sum(1 for _ in items)
        if left > 0:
            out.append({"name": "...", "kind": "omitted", "count": left,
                        "text": f"{left} more not shown"})  # fmt: skip
        return out

    def tensor(self, node: dict, tensor: Tensor, path: str, kind: str | None = None) -> dict:
        node.update(
            kind=kind or ("parameter" if isinstance(tensor, Parameter) else "tensor"),
            dtype=tensor.dtype.name,
            shape=list(tensor.shape),
            bytes=tensor.nbytes,
            storage=self.storages.add(tensor, path or "<root>"),
            offset=tensor.storage_offset(),
        )
        return node

    def refused(self, node: dict, stub: Stub, path: str, depth: int) -> dict:
        node.update(kind="refused", type=stub.name)
        args = short_text(list(stub.args), 2 * _TEXT_LIMIT)[1:]
        node["text"] = _cut(f"{stub.name}({args[:-1] if args.endswith(']') else args})")
        state = stub.state
        items = list(state.items()) if isinstance(state, dict) else []
        if state is not None and not isinstance(state, dict):
            items = [("<state>", state)]
        items += stub.entries + list(enumerate(stub.items))
        node["children"] = self.children([(key_text(k), v) for k, v in items], path, depth)
        return node


def _is_inline(value) -> bool:
    """Lists and tuples of scalars show on one line."""
    return all(isinstance(v, _SCALARS) for v in value)


def _value(node: dict, value) -> dict:
    node.update(kind="value", type=_type(value), text=short_text(value, _TEXT_LIMIT))
    native = _native(value)
    if native is not _NO:
        node["value"] = native
    return node


_NO = object()


def _native(value):
    """`value` as JSON holds it exactly (lists for tuples), or `_NO`."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value) if -(2**63) <= value < 2**64 else _NO
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else _NO
    if type(value) in (list, tuple) and len(value) <= MAX_CHILDREN:
        items = [_native(v) for v in value]
        return _NO if any(v is _NO for v in items) else items
    return _NO


def _type(value) -> str:
    return type(value).__name__


def key_text(key) -> str:
    """A dict key or attribute name as a node's name (cut short; any key type)."""
    if isinstance(key, str):
        return _cut(key, 4 * _TEXT_LIMIT)
    return short_text(key, _TEXT_LIMIT)


def _cut(text: str, limit: int = _TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
