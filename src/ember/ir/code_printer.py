"""The `.code` printer: a graph as TorchScript source, in PyTorch's printing conventions.

What the printed source can contain (the compiler re-parses it from archives):

- ``def name(self,\\n    x: Tensor,\\n    n: int=3) -> Tensor:`` with a 2-space indented body;
  methods print ``self`` without a type, free functions type every parameter.
- statements: ``a = expr``; ``a, b, = expr`` (unpacking, trailing comma); ``self.x = v``;
  ``if c:`` / ``else:`` (both printed; ``pass`` for an empty one); ``for i in range(n):``;
  ``while c:``; ``return v``; bare expression statements (``print(...)``,
  ``ops.prim.RaiseException("msg", "builtins.ValueError")``).
- expressions: literals (``1``, ``1.``, ``2.5``, ``True``, ``None``, ``"s"``, lists, tuples),
  names, ``torch.<op>(args, kw=v)`` for ``aten::`` ops (trailing default arguments
  dropped, keyword-only ones named), ``ops.<ns>.<op>(...)`` for other namespaces,
  ``(obj).method(a, b, )``, ``__torch__.fn(a, b, )``, ``obj.attr``, ``getattr(obj, "0")``,
  ``x[i]``, ``(t)[0]``, ``[a, b]``, ``(a, b)``, ``{"k": v}``, ``annotate(List[int], [])``,
  ``unchecked_cast(int, y)``, ``uninitialized(Tensor)``, ``int(x)``, ``float(x)``,
  ``bool(x)``, ``str(x)``, ``print(...)``, ``CONSTANTS.c0`` (tensor constants),
  ``torch.device("cpu")``.

Single-use temporaries are inlined into their user when that keeps evaluation order (the
producer is the op just before, in tree order), except where the line would get long;
variables keep their source names with numeric suffixes (``x``, ``x0``, ``x1``), temporaries
are ``_0, _1, ...``. Loops: ``for`` when the condition is constantly true, ``while`` when the
trip count is unbounded, and otherwise ``while`` over an explicit counter.

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> n = b.add_input(T.IntType.get(), "n")
    >>> y = b.emit("aten::mul.Tensor", b.emit("aten::relu", x), 2.5)
    >>> b.return_(b.emit("aten::add.Tensor", y, n))
    >>> print(code_text(b.graph), end="")
    def f(x: Tensor,
        n: int) -> Tensor:
      _0 = torch.add(torch.mul(torch.relu(x), 2.5), n)
      return _0
"""

from __future__ import annotations

import keyword

from ember.ir import types as T  # noqa: N812
from ember.ir.code_forms import (
    CAST,
    RHS,
    attr_ref,
    callee,
    constants_in_use_order,
    loop_kind,
    necessary_args,
    quote,
    valid_identifier,
)
from ember.ir.code_marks import marked, strip_marks, visible_len
from ember.ir.core import Block, Graph, Operation, OpResult, Value
from ember.ir.depth import block_depth, with_room
from ember.ir.printer import format_float

__all__ = ["code_text", "strip_marks"]

_RESERVED = frozenset(
    {"_", "aten", "attribute", "CONSTANTS", "fork", "getattr", "inf", "nan", "infj", "nanj"}
    | {"ops", "__torch__", "torch", "annotate", "unchecked_cast", "uninitialized", "range"}
    | {"int", "float", "bool", "str", "print", "len", "list", "dict", "tuple", "isinstance"}
    | set(keyword.kwlist)
)
_STATEMENT_KINDS = frozenset({"prim::TupleUnpack", "prim::ListUnpack", "prim::SetAttr"})
# ops `node` prints its own way (constants and yields print nothing); all others are expressions
_STATEMENTS = _STATEMENT_KINDS | {"prim::Constant", "prim::Yield", "prim::Return", "prim::If"}
_STATEMENTS |= {"prim::Loop"}


def code_text(
    graph: Graph, is_method: bool | None = None, level: int = 0, constants=None, marks=None
):
    """`graph` as a TorchScript ``def``; `level` is its indentation (1 inside a class).

    `is_method` (default: the first input is a module/class object named ``self``) prints
    the first parameter without its type. Tensor constants are appended to `constants`
    (a list; the archive's constants table) and printed as ``CONSTANTS.c<index>``.

    With `marks` (a list), the text of each op with a source location is bracketed by
    invisible marks and its location appended to `marks`; `strip_marks` then gives the
    clean text and where each op's code begins (an archive's source ranges).
    """
    if is_method is None:
        first = graph.inputs[0] if graph.inputs else None
        is_method = first is not None and isinstance(first.type, T.ClassType)
    printer = _CodePrinter(graph, level, constants if constants is not None else [], marks)
    return with_room(block_depth(graph), printer.function, is_method)


class _CodePrinter:
    def __init__(self, graph: Graph, level: int, constants: list, marks=None):
        self.graph = graph
        self.marks = marks
        self.level = self.base_level = level
        self.constants = constants
        self.lines: list[str] = []
        self.exprs: dict[int, str] = {}
        self.inline: set[int] = set()
        self.visited_split: dict[int, int] = {}
        self.previous: dict[int, Operation | None] = {}
        self.used: set[str] = set()
        self.next_id: dict[str, int] = {}

    # -- names ----------------------------------------------------------------------------

    def gen_name(self, candidate: str) -> str:
        name = candidate
        while name in self.used or name in _RESERVED:
            n = self.next_id.get(name, 0)
            self.next_id[name] = n + 1
            name = f"{candidate}{n}"
        self.used.add(name)
        return name

    def name_for(self, v: Value) -> str:
        base = valid_identifier(v.name) if v.name else "_"
        name = self.gen_name(base)
        self.exprs[id(v)] = name
        return name

    def use(self, v: Value) -> str:
        e = self.exprs.get(id(v))
        if e is None:
            if isinstance(v, OpResult) and v.op.kind == "prim::Constant":
                e = self.exprs[id(v)] = self.literal(v.op.attrs.get("value"), v.type)
            else:
                raise ValueError(f"value {v!r} printed before its definition")
        return e

    # -- output ---------------------------------------------------------------------------

    def emit(self, text: str) -> None:
        self.lines.append("  " * self.level + text)

    def is_long(self, text: str) -> bool:
        # relative to the def, so methods in class files split like their `.code`
        size = len(text) if self.marks is None else visible_len(text)
        return size + (self.level - self.base_level) * 2 >= 40

    def mark(self, op: Operation, text: str) -> str:
        """`text` bracketed by marks naming `op`'s location (when marks are collected)."""
        return text if self.marks is None or op.loc is None else marked(self.marks, op.loc, text)

    def define(self, op: Operation, rhs: str) -> None:
        results = op.results
        if len(results) == 1:
            self.emit(f"{self.name_for(results[0])} = {rhs}")
        elif results:
            self.emit(", ".join([self.name_for(r) for r in results]) + f" = {rhs}")
        else:
            self.emit(rhs)

    # -- function -------------------------------------------------------------------------

    def function(self, is_method: bool) -> str:
        g = self.graph
        params = []
        for i, a in enumerate(g.inputs):
            name = self.gen_name(valid_identifier(a.name or f"argument_{i}"))
            self.exprs[id(a)] = name
            text = name if (i == 0 and is_method) else f"{name}: {a.type}"
            if a.name in g.defaults:
                text += "=" + self.literal(g.defaults[a.name], a.type)
            if a.name in g.kwonly and "*" not in params:
                params.append("*")
            params.append(text)
        outs = g.outputs
        ret = outs[0].type if len(outs) == 1 else T.TupleType([v.type for v in outs])
        self.emit(f"def {g.name}(" + ",\n    ".join(params) + f") -> {ret}:")
        self.scan_block(g.block)
        self.level += 1
        self.hoist_long_constants(g.block)
        self.block(g.block, bool(outs))
        self.level -= 1
        return "\n".join(self.lines) + "\n"

    def hoist_long_constants(self, block: Block) -> None:
        for v in constants_in_use_order(block):
            text = self.use(v)
            if self.is_long(text):
                self.emit(f"{self.name_for(v)} = {text}")

    # -- inlining decisions (see the module docstring) ------------------------------------

    def scan_block(self, block: Block) -> None:
        previous = None
        for op in block.ops:
            self.previous[id(op)] = previous
            if op.kind != "prim::Constant":
                previous = op
        for op in reversed(block.ops):
            self.scan_op(op)

    def scan_op(self, op: Operation) -> Operation | None:
        """Mark the operands of `op` that inline into it, and theirs in turn; returns the op
        before the first of them. Iterative: `x + x + ...` inlines a chain 900 deep."""
        if id(op) in self.inline:
            return op
        for inner in op.blocks:
            self.scan_block(inner)
        point = self.previous[id(op)]  # the op before, constants skipped
        pending = [(op, len(op.operands))]  # an op and how many operands it has left
        while pending:
            user, left = pending[-1]
            if not left:
                pending.pop()
                if pending:  # `user` was an operand's producer: it inlines
                    self.inline.add(id(user))
                continue
            pending[-1] = (user, left - 1)
            v = user.operands[left - 1]
            if not isinstance(v, OpResult):
                continue
            producer = v.op
            if producer is point and _can_inline(v):
                if id(producer) in self.inline:
                    point = producer
                else:
                    point = self.previous[id(producer)]
                    pending.append((producer, len(producer.operands)))
            elif producer.kind == "prim::Constant":
                self.inline.add(id(producer))
        return point

    def split_long_inlines(self, v: Value) -> None:
        found: list[Value] = []
        use = v.uses[0]
        self.scan_long(use.op, use.index, found)
        for x in reversed(found):
            rhs = self.use(x)
            self.define(x.op, rhs)

    def scan_long(self, user: Operation, offset: int, found: list) -> None:
        while True:
            seen = self.visited_split.get(id(user))
            low = 0 if seen is None else seen + 1
            for i in range(offset, low - 1, -1):
                arg = user.operands[i]
                constant = not isinstance(arg, OpResult) or arg.op.kind == "prim::Constant"
                if not constant and id(arg.op) in self.inline:
                    found.append(arg)
            self.visited_split[id(user)] = offset
            if seen is not None or id(user) not in self.inline:
                return
            use = user.results[0].uses[0]
            user, offset = use.op, use.index - 1

    # -- statements -----------------------------------------------------------------------

    def block(self, block: Block, has_other_statements: bool) -> None:
        start = len(self.lines)
        for op in block.ops:
            self.node(op)
        if len(self.lines) == start and not has_other_statements:
            self.emit("pass")

    def node(self, op: Operation) -> None:
        kind = op.kind
        if kind not in _STATEMENTS:  # an expression: defined, or inlined into its user
            rhs = self.mark(op, self.rhs(op))
            if id(op) not in self.inline:
                self.define(op, rhs)
            else:
                self.exprs[id(op.results[0])] = rhs
                if self.is_long(rhs):
                    self.split_long_inlines(op.results[0])
        elif kind == "prim::Return":
            if op.operands:
                self.emit("return " + ", ".join(self.use(v) for v in op.operands))
        elif kind == "prim::If":
            self.if_(op)
        elif kind == "prim::Loop":
            self.loop(op)
        elif kind in ("prim::TupleUnpack", "prim::ListUnpack"):
            names = ", ".join(self.name_for(r) for r in op.results)
            self.emit(self.mark(op, f"{names}, = {self.use(op.operands[0])}"))
        elif kind == "prim::SetAttr":
            obj, value = (self.use(v) for v in op.operands)
            self.emit(self.mark(op, f"{attr_ref(obj, op.attrs['name'])} = {value}"))

    def assign(self, targets: list[str], values) -> None:
        if targets:
            self.emit(", ".join(targets) + " = " + ", ".join(self.use(v) for v in values))

    def if_(self, op: Operation) -> None:
        names = [self.name_for(r) for r in op.results]
        self.emit(self.mark(op, f"if {self.use(op.operands[0])}:"))
        for i, block in enumerate(op.blocks):
            if i == 1:
                self.emit("else:")
            self.level += 1
            self.block(block, bool(names))
            single = len(names) == 1 and i == 0
            if single and _reads_narrower(block.returns[0], op.results[0].type):
                # as torch: the first branch declares the wider type of the result
                value = self.use(block.returns[0])
                self.emit(f"{names[0]} : {op.results[0].type} = {value}")
            else:
                self.assign(names, block.returns)
            self.level -= 1

    def loop(self, op: Operation) -> None:
        trip, cond, *init = op.operands
        body = op.blocks[0]
        counter, *carried_args = body.args
        names = [self.name_for(r) for r in op.results]
        for a, n, v in zip(carried_args, names, init):
            self.exprs[id(a)] = n
            note = f": {a.type}" if _reads_narrower(v, a.type) else ""
            self.emit(f"{n}{note} = {self.use(v)}")
        kind = loop_kind(op)
        if kind == "for":
            it = self.name_for(counter)
            self.emit(self.mark(op, f"for {it} in range({self.use(trip)}):"))
            targets, values = names, body.returns[1:]
        elif kind == "while":
            c = self.name_for(counter)
            self.emit(f"{c} = {self.use(cond)}")
            self.emit(self.mark(op, f"while {c}:"))
            targets, values = [c, *names], body.returns
        else:
            self.bounded_while(op, names)
            return
        self.level += 1
        self.block(body, bool(targets))
        self.assign(targets, values)
        self.level -= 1

    def bounded_while(self, op: Operation, names: list[str]) -> None:
        trip, cond = op.operands[:2]
        body = op.blocks[0]
        limit, c = self.gen_name("_"), self.gen_name("_")
        it = self.name_for(body.args[0])
        self.emit(f"{limit} = {self.use(trip)}")
        self.emit(f"{c} = {self.use(cond)}")
        self.emit(f"{it} = 0")
        self.emit(f"while torch.__and__(torch.lt({it}, {limit}), {c}):")
        self.level += 1
        self.block(body, True)
        self.assign([c, *names], body.returns)
        self.emit(f"{it} = torch.add({it}, 1)")
        self.level -= 1

    # -- expressions ----------------------------------------------------------------------

    def literal(self, value, t: T.Type | None = None) -> str:
        if type(value).__name__ == "Tensor":
            for i, c in enumerate(self.constants):
                if c is value:
                    return f"CONSTANTS.c{i}"
            self.constants.append(value)
            return f"CONSTANTS.c{len(self.constants) - 1}"
        if type(value).__name__ == "device" or isinstance(t, T.DeviceType):
            return f'torch.device("{value}")'
        if isinstance(value, float):
            return format_float(value)
        if isinstance(value, str):
            return quote(value)
        if isinstance(value, list):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        if isinstance(value, tuple):
            inner = ", ".join(self.literal(v) for v in value)
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return repr(value)

    def rhs(self, op: Operation) -> str:
        exprs = self.exprs
        kind, args = op.kind, [exprs.get(id(v)) or self.use(v) for v in op.operands]
        if kind in CAST:
            return f"{CAST[kind]}({', '.join(args)})"
        handler = RHS.get(kind)
        if handler is not None:
            return handler(self, op, args)
        return self.call(op, args)

    def call(self, op: Operation, args: list[str]) -> str:
        head, params = callee(op.kind, op.overload)
        n = necessary_args(params, op.operands)
        parts = []
        for i in range(n):
            p = params[i] if i < len(params) else None
            parts.append(f"{p.name}={args[i]}" if p is not None and p.kwarg_only else args[i])
        return f"{head}({', '.join(parts)})"


def _reads_narrower(v: Value, t: T.Type) -> bool:
    """Whether `v`, printed, would read back with a narrower type than `t` (an ``int``
    for an ``Optional[int]`` or a ``None`` literal), so its assignment needs `t` noted."""
    if v.type != t:
        return True
    is_const = isinstance(v, OpResult) and v.op.kind == "prim::Constant"
    return is_const and v.op.attrs.get("value") is None and not isinstance(t, T.NoneType)


def _can_inline(v: OpResult) -> bool:
    op = v.op
    if len(op.results) != 1 or len(v.uses) != 1 or op.blocks:
        return False
    if op.kind in _STATEMENT_KINDS or op.kind == "prim::Constant":
        return False
    use = v.uses[0]
    if v.name and use.op.kind not in ("prim::Return", "prim::Yield"):
        return False
    return not (use.op.kind == "prim::Loop" and use.index >= 2)
