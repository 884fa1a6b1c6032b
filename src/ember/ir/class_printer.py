"""Archive ``code/`` files: a compilation unit's classes and functions as TorchScript source,
in the layout torch.jit.save writes.

`class_text` prints one class: ``__parameters__``/``__buffers__`` lists (trailing commas),
one ``name : Type`` line per attribute (``__annotations__["0"] = T`` for names that are not
identifiers), ``name : Final[T] = v`` constants, then the methods with ``self`` typed by the
class. `code_files` gives ``{prefix: text}`` for a class, its submodules' classes and the
functions its methods call, one text per qualified-name prefix (``__torch__.torch.nn.modules
.linear``), as TorchScript's importer looks them up; `ember.compiler.modules.archive` reads
them back.

Example:
    >>> from ember.ir import Builder, Graph, types as T
    >>> from ember.ir.unit import CompilationUnit, Function, Param
    >>> unit = CompilationUnit()
    >>> attrs = {"w": T.TensorType.get(), "training": T.BoolType.get()}
    >>> me = unit.define_class("__torch__.M", attrs)
    >>> me.parameters, me.constants = ["w"], {"k": 7}
    >>> b = Builder(Graph("forward"))
    >>> s, x = b.add_input(me, "self"), b.add_input(T.TensorType.get(), "x")
    >>> b.return_(b.emit("aten::mul.Tensor", x, b.get_attr(s, "w", T.TensorType.get())))
    >>> _ = unit.add_method(me, Function("__torch__.M.forward", b.graph,
    ...                                  [Param("x", T.TensorType.get())], T.TensorType.get()))
    >>> print(code_files(unit, me)["__torch__"], end="")
    class M(Module):
      __parameters__ = ["w", ]
      __buffers__ = []
      w : Tensor
      training : bool
      k : Final[int] = 7
      def forward(self: __torch__.M,
        x: Tensor) -> Tensor:
        w = self.w
        return torch.mul(x, w)
"""

from __future__ import annotations

from ember.ir.builder import constant_type
from ember.ir.code_printer import code_text, strip_marks
from ember.ir.printer import format_literal
from ember.ir.types import ClassType, TupleType

__all__ = ["class_text", "code_files", "function_files", "printed_methods"]


def class_text(cls: ClassType, constants=None, marks=None) -> str:
    """The ``class`` block for `cls`: module header lists, attribute slots, Final constants
    and its compiled methods (those kept in Python are left out), ``forward`` first.

    Tensor constants the methods use are appended to `constants` (``CONSTANTS.cN``);
    `marks` collects source locations (see `ember.ir.code_printer.code_text`).
    """
    short = cls.qualified_name.rsplit(".", 1)[-1]
    lines = [f"class {short}(Module):" if cls.is_module else f"class {short}:"]
    if cls.is_module:
        lines.append("  __parameters__ = [" + "".join(f'"{p}", ' for p in cls.parameters) + "]")
        lines.append("  __buffers__ = [" + "".join(f'"{b}", ' for b in cls.buffers) + "]")
    lines += _attribute_lines(cls)
    for name, value in cls.constants.items():
        lines.append(f"  {name} : Final[{constant_type(value)}] = {format_literal(value)}")
    text = "\n".join(lines) + "\n"
    table = constants if constants is not None else []
    for fn in printed_methods(cls):
        text += code_text(fn.graph, is_method=False, level=1, constants=table, marks=marks)
    return text


def printed_methods(cls: ClassType) -> list:
    """The methods of `cls` an archive holds, in its order: ``forward`` first (as torch)."""
    methods = [fn for fn in cls.methods.values() if fn.python is None]
    return sorted(methods, key=lambda fn: fn.name != "forward")


def _attribute_lines(cls: ClassType) -> list[str]:
    lines = []
    for i, (name, t) in enumerate(cls.attributes.items()):
        if name.isidentifier():
            lines.append(f"  {name} : {t}")
            continue
        if i == 0:
            lines.append("  __annotations__ = []")
        lines.append(f'  __annotations__["{name}"] = {t}')
    return lines


def code_files(unit, cls: ClassType, constants=None, ranges=None, graphs=None) -> dict[str, str]:
    """Archive code for class `cls` of `unit` and everything it references.

    Files come in torch's order: the class's own, then those of the classes and functions
    it uses, breadth first. With `ranges` (a dict), ``ranges[prefix]`` receives the
    source ranges of each file: (offset, `SourceLocation` or None) pairs; `graphs` (a list)
    receives every graph printed.
    """
    return _Files(unit, constants, ranges, graphs).run(cls)


def function_files(unit, fn, constants=None, ranges=None, graphs=None) -> dict[str, str]:
    """Archive code for the free function `fn` of `unit` and the functions it calls."""
    return _Files(unit, constants, ranges, graphs).run(fn)


class _Files:
    def __init__(self, unit, constants, ranges, graphs):
        self.unit = unit
        self.constants = constants if constants is not None else []
        self.ranges = ranges
        self.graphs = graphs if graphs is not None else []
        self.marks = [] if ranges is not None else None
        self.files: dict[str, list[str]] = {}
        self.queue: list = []
        self.seen: set[str] = set()

    def run(self, root) -> dict[str, str]:
        self.add(root)
        for item in self.queue:  # grows while it is walked: breadth first, as torch
            text = self.print(item)
            self.files.setdefault(item.qualified_name.rpartition(".")[0], []).append(text)
        out = {}
        for prefix, parts in self.files.items():
            text = "".join(parts)
            if self.marks is not None:
                text, self.ranges[prefix] = strip_marks(text, self.marks)
            out[prefix] = text
        return out

    def add(self, item) -> None:
        if item.qualified_name not in self.seen:
            self.seen.add(item.qualified_name)
            self.queue.append(item)

    def print(self, item) -> str:
        if isinstance(item, TupleType):
            return named_tuple_text(item)
        if isinstance(item, ClassType):
            for t in item.attributes.values():
                if isinstance(t, ClassType) and t.qualified_name in self.unit.classes:
                    self.add(t)
            graphs = [fn.graph for fn in printed_methods(item)]
            text = class_text(item, self.constants, self.marks)
        else:
            graphs = [item.graph]
            text = code_text(item.graph, constants=self.constants, marks=self.marks)
        for graph in graphs:
            self.add_calls(graph)
            self.add_named_tuples(graph)
        self.graphs.extend(graphs)
        return text

    def add_named_tuples(self, graph) -> None:
        """Queue the NamedTuple classes the graph's values have (torch declares each)."""
        values = [*graph.inputs, *(r for op in graph.walk() for r in op.results)]
        for v in values:
            for t in _named_tuple_types(v.type):
                self.add(t)

    def add_calls(self, graph) -> None:
        for op in graph.walk():
            name = op.attrs.get("name") if op.kind == "prim::CallFunction" else None
            if name is not None and name in self.unit.functions:
                self.add(self.unit.functions[name])


def named_tuple_text(t: TupleType) -> str:
    """The declaration torch writes for a NamedTuple class in archive code.

    >>> from ember.ir.types import IntType, OptionalType
    >>> t = TupleType([IntType.get(), OptionalType(IntType.get())], ("a", "b"), "__torch__.P")
    >>> print(named_tuple_text(t), end="")
    class P(NamedTuple):
      a : int
      b : Optional[int]
    """
    fields = "".join(f"  {n} : {e}\n" for n, e in zip(t.names, t.elems))
    return f"class {t.qualified_name.rpartition('.')[2]}(NamedTuple):\n{fields}"


def _named_tuple_types(t):
    if isinstance(t, TupleType) and t.names is not None:
        yield t
    for inner in t.contained():
        yield from _named_tuple_types(inner)
