"""`check_program`: the invariants a program record promises its readers.

Every index points at an existing entry (operators, constants, storages, classes, objects,
functions); containers refer only to earlier constants; each register is written once (by
an op or as a block argument) and before it is read, inside the blocks that can see it;
every operator is in ember's op table, with its whole schema's arguments; every storage
names a record that holds enough bytes (when the record sizes are given) and every tensor
stays inside its storage; the upgraders the version needs for the operators called are there.
The C++ loader checks the same things; this is the Python side's statement of them.

Example:
    >>> from ember.serializer.program import model
    >>> bad = model.Program(operators=[model.Operator("aten::nope")])
    >>> check_program(bad)
    ['operator 0 aten::nope is not in the op table', 'root object 0 does not exist']
"""

from __future__ import annotations

from ember.dtypes import from_scalar_type
from ember.ir.registry import lookup
from ember.serializer.program import model
from ember.upgraders import for_version

__all__ = ["check_program"]


def check_program(
    program: model.Program, record_sizes: dict | None = None, version: int | None = None
) -> list[str]:
    """The problems found in `program` (empty when none); `record_sizes` maps the archive's
    record names (``data/0``) to their sizes in bytes, `version` is its version record."""
    problems: list[str] = []
    if version is not None and program.version != version:
        problems.append(f"the program's version {program.version} is not the archive's {version}")
    _check_tables(program, record_sizes, problems)
    for i, fn in enumerate(program.functions):
        _Registers(program, f"function {i} {fn.name}", problems).function(fn)
    for i, fn in enumerate(program.upgraders):
        _Registers(program, f"upgrader {i} {fn.name}", problems).function(fn)
    for m in program.methods:
        if not 0 <= m.function < len(program.functions):
            problems.append(f"method {m.name} names function {m.function}, which does not exist")
    _check_upgraders(program, problems)
    return problems


def _check_tables(p: model.Program, record_sizes, problems: list) -> None:
    for i, op in enumerate(p.operators):
        if lookup(op.qualified_name) is None:
            problems.append(f"operator {i} {op.qualified_name} is not in the op table")
    for i, s in enumerate(p.storages):
        _check_storage(i, s, record_sizes, problems)
    for i, c in enumerate(p.constants):
        _check_constant(p, i, c, problems)
    for i, o in enumerate(p.objects):
        if not 0 <= o.class_index < len(p.classes):
            problems.append(f"object {i} has class {o.class_index}, which does not exist")
            continue
        cls = p.classes[o.class_index]
        if len(o.slots) != len(cls.attributes) or len(cls.attributes) != len(cls.attribute_types):
            problems.append(f"object {i} of {cls.name} has {len(o.slots)} slots for "
                            f"{len(cls.attributes)} attributes")  # fmt: skip
        if any(not 0 <= s < len(p.constants) for s in o.slots):
            problems.append(f"object {i} of {cls.name} has a slot naming no constant")
    if not 0 <= p.root < len(p.objects):
        problems.append(f"root object {p.root} does not exist")


def _check_storage(i: int, s: model.Storage, record_sizes, problems: list) -> None:
    try:
        itemsize = from_scalar_type(s.dtype).itemsize
    except (KeyError, ValueError):
        problems.append(f"storage {i} ({s.record}) has unknown dtype {s.dtype}")
        return
    if record_sizes is None:
        return
    size = record_sizes.get(s.record)
    if size is None:
        problems.append(f"storage {i} names record {s.record!r}, which the archive lacks")
    elif size < s.numel * itemsize:
        problems.append(f"storage {i}: record {s.record!r} holds {size} bytes, fewer than "
                        f"{s.numel} elements of {itemsize} bytes")  # fmt: skip


def _check_constant(p: model.Program, i: int, c: model.Constant, problems: list) -> None:
    if not 0 <= c.kind < len(model.KINDS):
        problems.append(f"constant {i} has unknown kind {c.kind}")
        return
    kind = model.KINDS[c.kind]
    if kind in ("List", "Tuple", "Dict") and any(not 0 <= j < i for j in c.items):
        problems.append(f"constant {i} ({kind}) refers to a constant not before it")
    if kind == "Dict" and len(c.items) % 2:
        problems.append(f"constant {i} (Dict) has an odd number of items")
    if kind == "Object" and not 0 <= c.object < len(p.objects):
        problems.append(f"constant {i} names object {c.object}, which does not exist")
    if kind == "Tensor":
        _check_tensor(p, i, c.tensor, problems)


def _check_tensor(p: model.Program, i: int, t: model.TensorRef | None, problems: list) -> None:
    if t is None or not 0 <= t.storage < len(p.storages):
        problems.append(f"constant {i} (Tensor) has no valid storage")
        return
    if len(t.sizes) != len(t.strides) or t.offset < 0 or any(n < 0 for n in t.sizes):
        problems.append(f"constant {i} (Tensor) has a bad offset, sizes or strides")
        return
    if 0 in t.sizes:
        return
    low = t.offset + sum((n - 1) * s for n, s in zip(t.sizes, t.strides) if s < 0)
    high = t.offset + sum((n - 1) * s for n, s in zip(t.sizes, t.strides) if s > 0)
    if low < 0 or high >= p.storages[t.storage].numel:
        problems.append(f"constant {i} (Tensor) reaches outside storage {t.storage}")


class _Registers:
    """Checks one function's registers: written once, before being read, where visible."""

    def __init__(self, program: model.Program, where: str, problems: list):
        self.p, self.where, self.problems = program, where, problems
        self.written: set[int] = set()

    def function(self, fn: model.Function) -> None:
        self.fn = fn
        n = fn.num_registers
        if len(fn.register_types) != n or len(fn.register_names) != n:
            self.problem(f"has {n} registers but {len(fn.register_types)} types")
        defaults = fn.argument_defaults
        if defaults and len(defaults) != len(fn.body.arguments):
            self.problem(f"has {len(defaults)} argument defaults for {len(fn.body.arguments)} "
                         "arguments")  # fmt: skip
        if any(not -1 <= d < len(self.p.constants) for d in defaults):
            self.problem("has an argument default naming no constant")
        self.block(fn.body, set())

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.where} {text}")

    def write(self, r: int, visible: set) -> None:
        if not 0 <= r < self.fn.num_registers:
            self.problem(f"writes register {r}, which does not exist")
        elif r in self.written:
            self.problem(f"writes register {r} twice")
        self.written.add(r)
        visible.add(r)

    def read(self, r: int, visible: set, what: str) -> None:
        if r not in visible:
            self.problem(f"{what} reads register {r} before it is written (or out of scope)")

    def block(self, block: model.Block, outer: set) -> None:
        visible = set(outer)
        for r in block.arguments:
            self.write(r, visible)
        for op in block.ops:
            self.op(op, visible)
        for r in block.results:
            self.read(r, visible, "a block result")

    def op(self, op: model.Op, visible: set) -> None:
        if not 0 <= op.operator < len(self.p.operators):
            self.problem(f"has an op naming operator {op.operator}, which does not exist")
            return
        name = self.p.operators[op.operator].qualified_name
        for r in op.inputs:
            self.read(r, visible, name)
        for block in op.blocks:
            self.block(block, visible)
        for r in op.outputs:
            self.write(r, visible)
        if name == "prim::Constant" and not 0 <= op.constant < len(self.p.constants):
            self.problem(f"has a prim::Constant naming constant {op.constant}")
        if name in ("prim::GetAttr", "prim::SetAttr") and not op.name:
            self.problem(f"has a {name} without an attribute name")
        blocks = {"prim::If": 2, "prim::Loop": 1}.get(name, 0)
        if len(op.blocks) != blocks:
            self.problem(f"has a {name} with {len(op.blocks)} blocks, not {blocks}")
        sig = lookup(name)
        if sig is not None and len(op.inputs) < len(sig.params):
            self.problem(f"calls {name} with {len(op.inputs)} of its {len(sig.params)} arguments")


def _check_upgraders(p: model.Program, problems: list) -> None:
    table = for_version(p.version)
    names = {f.name for f in p.upgraders}
    called = set()
    for fn in p.functions:
        called |= _operators_called(fn.body)
    for index in called:
        if not 0 <= index < len(p.operators):
            continue
        up = table.get(p.operators[index].qualified_name)
        if up is not None and up.body is not None and up.name not in names:
            problems.append(f"version {p.version} needs upgrader {up.name}, which is missing")


def _operators_called(block: model.Block) -> set[int]:
    out = set()
    for op in block.ops:
        out.add(op.operator)
        for b in op.blocks:
            out |= _operators_called(b)
    return out
