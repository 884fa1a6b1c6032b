"""Class headers for archives' ``code/`` files, in the layout torch.jit.save writes.

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> me = T.ClassType("__torch__.M", {"w": T.TensorType.get(), "training": T.BoolType.get()})
    >>> b = Builder(Graph("forward"))
    >>> s = b.add_input(me, "self")
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> b.return_(b.emit("aten::mul.Tensor", x, b.get_attr(s, "w", T.TensorType.get())))
    >>> print(class_text(me, [b.graph], parameters=["w"], finals={"k": 7}), end="")
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

__all__ = ["class_text"]


def class_text(
    cls: ClassType,
    methods,
    parameters=(),
    buffers=(),
    finals=None,
    constants=None,
) -> str:
    """The ``class`` block for `cls`: module header lists, attribute slots, Final constants
    (`finals`: name -> value) and every method graph in `methods`, in order.

    Tensor constants the methods use are appended to `constants` (``CONSTANTS.cN``).
    """
    short = cls.qualified_name.rsplit(".", 1)[-1]
    lines = [f"class {short}(Module):" if cls.is_module else f"class {short}:"]
    if cls.is_module:
        lines.append("  __parameters__ = [" + "".join(f'"{p}", ' for p in parameters) + "]")
        lines.append("  __buffers__ = [" + "".join(f'"{b}", ' for b in buffers) + "]")
    for i, (name, t) in enumerate(cls.attributes.items()):
        if name.isidentifier():
            lines.append(f"  {name} : {t}")
        else:
            if i == 0:
                lines.append("  __annotations__ = []")
            lines.append(f'  __annotations__["{name}"] = {t}')
    for name, value in (finals or {}).items():
        lines.append(f"  {name} : Final[{constant_type(value)}] = {format_literal(value)}")
    text = "\n".join(lines) + "\n"
    table = constants if constants is not None else []
    for graph in methods:
        text += code_text(graph, is_method=False, level=1, constants=table)
    return text
