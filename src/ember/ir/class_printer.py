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
from ember.ir.code_printer import code_text
from ember.ir.printer import format_literal
from ember.ir.types import ClassType

__all__ = ["class_text", "code_files", "function_files"]


def class_text(cls: ClassType, constants=None) -> str:
    """The ``class`` block for `cls`: module header lists, attribute slots, Final constants
    and its compiled methods (those kept in Python are left out).

    Tensor constants the methods use are appended to `constants` (``CONSTANTS.cN``).
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
    for fn in cls.methods.values():
        if fn.python is None:
            text += code_text(fn.graph, is_method=False, level=1, constants=table)
    return text


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


def code_files(unit, cls: ClassType, constants=None) -> dict[str, str]:
    """Archive code for class `cls` of `unit` and everything it references."""
    files: dict[str, list[str]] = {}
    _add_class(unit, cls, files, set(), constants)
    return {prefix: "\n".join(parts) for prefix, parts in files.items()}


def function_files(unit, fn, constants=None) -> dict[str, str]:
    """Archive code for the free function `fn` of `unit` and the functions it calls."""
    files = {fn.qualified_name.rpartition(".")[0]: [code_text(fn.graph, constants=constants)]}
    _add_functions(unit, fn.graph, files, {fn.qualified_name}, constants)
    return {prefix: "\n".join(parts) for prefix, parts in files.items()}


def _add_class(unit, cls, files, done, constants) -> None:
    if cls.qualified_name in done:
        return
    done.add(cls.qualified_name)
    for sub in cls.submodules.values():
        _add_class(unit, sub, files, done, constants)
    prefix = cls.qualified_name.rpartition(".")[0]
    files.setdefault(prefix, []).append(class_text(cls, constants))
    for fn in cls.methods.values():
        if fn.python is None:
            _add_functions(unit, fn.graph, files, done, constants)


def _add_functions(unit, graph, files, done, constants) -> None:
    for op in graph.walk():
        name = op.attrs.get("name") if op.kind == "prim::CallFunction" else None
        if name is not None and name not in done and name in unit.functions:
            done.add(name)
            callee = unit.functions[name].graph
            text = code_text(callee, constants=constants)
            files.setdefault(name.rpartition(".")[0], []).append(text)
            _add_functions(unit, callee, files, done, constants)
