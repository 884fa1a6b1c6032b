"""The `.graph` text: TorchScript's graph dump format, with stable value names.

Names come from `Namer`: a value with a name hint keeps it the first time (``%x``), later
values with the same hint get ``%x.1``, ``%x.2``; unnamed values are numbered ``%0, %1, ...``
in definition order (torch.fx's `_Namespace` idea), so printing is deterministic. An op with
a source location ends its line with it, as TorchScript prints it (``# model.py:12:8``);
``return`` and ``->`` (yield) lines and block headers have none.

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph())
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> b.return_(b.emit("aten::relu", x))
    >>> print(graph_text(b.graph), end="")
    graph(%x : Tensor):
      %0 : Tensor = aten::relu(%x)
      return (%0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ember.ir.depth import block_depth, with_room
from ember.ops.schema import format_float

if TYPE_CHECKING:  # the printer reads IR objects; ember.ir.core prints with it
    from ember.ir.core import Block, Graph, Operation, Value

__all__ = ["Namer", "graph_text", "op_text", "format_literal"]


class Namer:
    """Assigns each value a unique printed name (without the leading %)."""

    def __init__(self):
        self._names: dict[int, str] = {}
        self._taken: set[str] = set()
        self._counter = 0
        self._suffix: dict[str, int] = {}  # hint -> the last suffix tried for it
        self.probes = 0  # names tried so far (a deterministic measure of naming work)

    def name(self, v: Value) -> str:
        n = self._names.get(id(v))
        if n is None:
            n = self._fresh(v.name)
            self._names[id(v)] = n
        return n

    def _fresh(self, hint: str | None) -> str:
        # Names are only ever added, so the first free suffix of a hint never goes down:
        # each hint's search resumes where its last one stopped (linear, not quadratic).
        if hint is None:
            self.probes += 1
            while str(self._counter) in self._taken:
                self._counter += 1
                self.probes += 1
            n = str(self._counter)
            self._counter += 1
        else:
            n, i = hint, self._suffix.get(hint, 0)
            if i:
                n = f"{hint}.{i}"
            self.probes += 1
            while n in self._taken:
                i += 1
                n = f"{hint}.{i}"
                self.probes += 1
            self._suffix[hint] = i
        self._taken.add(n)
        return n

    def name_graph(self, graph: Graph) -> Namer:
        """Name every value of `graph` in definition order (inputs, then a pre-order walk)."""
        for a in graph.inputs:
            self.name(a)
        self._name_block_body(graph.block)
        return self

    def _name_block_body(self, block: Block):
        for op in block.ops:
            for r in op.results:
                self.name(r)
            for inner in op.blocks:
                for a in inner.args:
                    self.name(a)
                self._name_block_body(inner)


def format_literal(value) -> str:
    """A Python literal as TorchScript source / graph attribute text."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(format_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(format_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return str(value)


def _quote(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def _attr_text(key, value) -> str:
    if key == "value":
        if isinstance(value, bool):
            return f"value={int(value)}"
        if type(value).__name__ == "Tensor":
            return f"value={_tensor_attr(value)}"
        if type(value).__name__ == "device":
            return f'value="{value}"'
    return f"{key}={format_literal(value)}"


def _tensor_attr(t) -> str:
    try:
        if t.dim() == 0:
            return "{" + format_literal(t.item()) + "}"
    except Exception:  # noqa: BLE001 - printing must not fail on odd tensors
        pass
    return "<Tensor>"


def op_text(op: Operation, namer: Namer | None = None) -> str:
    """One operation on one line (without nested blocks or its location), as the graph dump
    shows it."""
    namer = namer or Namer()
    outs = ", ".join(f"%{namer.name(r)} : {r.type.graph_str()}" for r in op.results)
    attrs = ""
    if op.attrs and not (op.kind == "prim::Constant" and op.attrs.get("value") is None):
        attrs = "[" + ", ".join(_attr_text(k, v) for k, v in op.attrs.items()) + "]"
    args = ", ".join(f"%{namer.name(v)}" for v in op.operands)
    return f"{outs} = {op.kind}{attrs}({args})"


def graph_text(graph: Graph) -> str:
    """The whole graph in TorchScript's dump format (ends with a newline)."""
    return with_room(block_depth(graph), _graph_text, graph)


def _graph_text(graph: Graph) -> str:
    namer = Namer().name_graph(graph)
    sep = ",\n      "
    ins = sep.join(f"%{namer.name(a)} : {a.type.graph_str()}" for a in graph.inputs)
    lines = [f"graph({ins}):"]
    _block_lines(graph.block, namer, "  ", lines)
    return "\n".join(lines) + "\n"


def _block_lines(block: Block, namer: Namer, indent: str, lines: list) -> None:
    for op in block.ops:
        if op.kind == "prim::Return":
            args = ", ".join(f"%{namer.name(v)}" for v in op.operands)
            lines.append(f"{indent}return ({args})")
        elif op.kind == "prim::Yield":
            args = ", ".join(f"%{namer.name(v)}" for v in op.operands)
            lines.append(f"{indent}-> ({args})")
        else:
            loc = "" if op.loc is None else f" # {op.loc}"
            lines.append(indent + op_text(op, namer) + loc)
            for i, inner in enumerate(op.blocks):
                params = ", ".join(f"%{namer.name(a)} : {a.type.graph_str()}" for a in inner.args)
                lines.append(f"{indent}  block{i}({params}):")
                _block_lines(inner, namer, indent + "    ", lines)
