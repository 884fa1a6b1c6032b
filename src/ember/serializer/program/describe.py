"""`describe(program)`: a program record as text, for people (``ember inspect --program``).

Registers print as ``%N`` (with the IR's name hint: ``%3.x``), constants inline as their
values, tensors as ``Tensor(float32[2, 3] @ data/0)``; ops carry their source location.

Example:
    >>> import io, zipfile, ember
    >>> from ember.serializer.program import read_program
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    >>> print(describe(read_program(zipfile.ZipFile(buf).read("archive/program.fb"))), end="")
    program format 1, version 3, 1 method, 2 storages, 1 object
    root: __torch__.torch.nn.modules.linear.Linear
      weight = Tensor(float32[1, 2] @ data/0)
      bias = Tensor(float32[1] @ data/1)
      training = True
    def forward(%0.self, %1.input):
      %2.weight = prim::GetAttr[weight](%0.self)  # .../linear.py:...
      %3.bias = prim::GetAttr[bias](%0.self)  # .../linear.py:...
      %4 = aten::linear(%1.input, %2.weight, %3.bias)  # .../linear.py:...
      return (%4)
"""

from __future__ import annotations

from ember.dtypes import from_scalar_type
from ember.serializer.program import model

__all__ = ["describe"]

_INDENT = "  "


def describe(program: model.Program) -> str:
    """The program as text: a header, the root object tree, then each function."""
    p = program
    counts = [_count(len(p.methods), "method"), _count(len(p.storages), "storage"),
              _count(len(p.objects), "object")]  # fmt: skip
    if p.upgraders:
        counts.append(_count(len(p.upgraders), "upgrader"))
    lines = [f"program format {p.format}, version {p.version}, {', '.join(counts)}"]
    if 0 <= p.root < len(p.objects):
        root = p.objects[p.root]
        lines.append(f"root: {p.classes[root.class_index].name}")
        lines += _object_lines(p, root, 1, set())
    for m in p.methods:
        lines += _Function(p, p.functions[m.function]).lines(m.name)
    for up in p.upgraders:
        lines += _Function(p, up).lines(f"upgrader {up.name}")
    return "\n".join(lines) + "\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _object_lines(p: model.Program, obj: model.Object, level: int, seen: set) -> list[str]:
    cls = p.classes[obj.class_index]
    out = []
    for name, slot in zip(cls.attributes, obj.slots):
        c = p.constants[slot]
        pad = _INDENT * level
        if model.KINDS[c.kind] == "Object" and c.object not in seen:
            seen.add(c.object)
            sub = p.objects[c.object]
            out.append(f"{pad}{name}: {p.classes[sub.class_index].name}")
            out += _object_lines(p, sub, level + 1, seen)
        else:
            out.append(f"{pad}{name} = {constant_text(p, slot)}")
    return out


def constant_text(p: model.Program, index: int) -> str:
    """Constant `index` of `p` as a short Python-like literal."""
    c = p.constants[index]
    kind = model.KINDS[c.kind]
    if kind == "None":
        return "None"
    if kind == "Bool":
        return repr(bool(c.int_value))
    if kind == "Int":
        return repr(c.int_value)
    if kind == "Float":
        return repr(c.float_value)
    if kind == "Complex":
        return repr(complex(c.float_value, c.imag_value))
    if kind == "Str":
        return repr(c.str_value)
    if kind == "Device":
        return f"device({c.str_value!r})"
    if kind == "Tensor":
        return _tensor_text(p, c.tensor)
    if kind == "Object":
        return f"<{c.type} object {c.object}>"
    items = [constant_text(p, i) for i in c.items]
    if kind == "List":
        return "[" + ", ".join(items) + "]"
    if kind == "Tuple":
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    pairs = [f"{k}: {v}" for k, v in zip(items[::2], items[1::2])]
    return "{" + ", ".join(pairs) + "}"


def _tensor_text(p: model.Program, t: model.TensorRef) -> str:
    s = p.storages[t.storage]
    dtype = str(from_scalar_type(s.dtype)).removeprefix("ember.")
    sizes = ", ".join(map(str, t.sizes))
    offset = f"+{t.offset}" if t.offset else ""
    return f"Tensor({dtype}[{sizes}] @ {s.record}{offset})"


class _Function:
    def __init__(self, p: model.Program, fn: model.Function):
        self.p, self.fn = p, fn

    def reg(self, r: int) -> str:
        name = self.fn.register_names[r] if r < len(self.fn.register_names) else ""
        return f"%{r}.{name}" if name else f"%{r}"

    def regs(self, rs) -> str:
        return ", ".join(self.reg(r) for r in rs)

    def lines(self, title: str) -> list[str]:
        args = self.regs(self.fn.body.arguments)
        defaults = self.fn.argument_defaults
        if defaults:
            args = ", ".join(
                self.reg(r) + (f"={constant_text(self.p, d)}" if d >= 0 else "")
                for r, d in zip(self.fn.body.arguments, defaults)
            )
        out = [f"def {title}({args}):"]
        self.block(self.fn.body, 1, out, "return")
        return out

    def block(self, block: model.Block, level: int, out: list, ending: str) -> None:
        pad = _INDENT * level
        for op in block.ops:
            out.append(pad + self.op(op))
            for i, b in enumerate(op.blocks):
                out.append(f"{pad}{_INDENT}block{i}({self.regs(b.arguments)}):")
                self.block(b, level + 2, out, "->")
        out.append(f"{pad}{ending} ({self.regs(block.results)})")

    def op(self, op: model.Op) -> str:
        name = self.p.operators[op.operator].qualified_name
        if op.constant >= 0:
            name += f"[{constant_text(self.p, op.constant)}]"
        elif op.name:
            name += f"[{op.name}]"
        text = f"{name}({self.regs(op.inputs)})"
        if op.outputs:
            text = f"{self.regs(op.outputs)} = {text}"
        return text + (f"  # {op.source}" if op.source else "")
