"""The IR's data structures: values with use lists, operations, blocks and graphs.

NOTE: [IR structure]
A `Graph` owns one top `Block`. A block has typed arguments (`BlockArgument`) and an ordered
list of `Operation`s whose last one is its terminator: `prim::Return` in a graph's top block,
`prim::Yield` in the nested blocks of `prim::If` / `prim::Loop`. An operation names its
operator by string (``kind`` like ``'aten::add'`` plus ``overload`` like ``'Tensor'``), takes
`Value` operands, defines `OpResult`s, carries constant attributes (``value``, ``name``) and
may own nested blocks, and remembers where it came from in the user's source (``loc``, a
`SourceLocation`, or None). Every operand edge is recorded in the used value's `uses`, and only the
methods here change operands, so use lists never go stale. Build IR with `ember.ir.Builder`.

Example:
    >>> from ember.ir import types as T
    >>> g = Graph()
    >>> x = g.add_input(T.TensorType.get(), "x")
    >>> op = Operation("aten::relu", "", [x], [T.TensorType.get()])
    >>> g.block.append(op)
    >>> [u.op.kind for u in x.uses], op.qualified_name
    (['aten::relu'], 'aten::relu')
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ember.ir.location import SourceLocation
from ember.ir.printer import graph_text
from ember.ir.types import Type

__all__ = ["Value", "OpResult", "BlockArgument", "Use", "Operation", "Block", "Graph"]


class Use:
    """One operand edge: `op.operands[index]` is the used value."""

    __slots__ = ("op", "index")

    def __init__(self, op: Operation, index: int):
        self.op = op
        self.index = index

    def __repr__(self):
        return f"Use({self.op.kind}, {self.index})"


class Value:
    """An SSA value: defined once, with a type, an optional name hint and its uses."""

    __slots__ = ("type", "name", "uses")

    def __init__(self, type: Type, name: str | None = None):
        self.type = type
        self.name = name
        self.uses: list[Use] = []

    def replace_all_uses_with(self, new: Value) -> None:
        """Make every user of this value use `new` instead."""
        for use in list(self.uses):
            use.op.set_operand(use.index, new)

    def users(self) -> list[Operation]:
        return [u.op for u in self.uses]

    def owner_block(self) -> Block | None:
        raise NotImplementedError


class OpResult(Value):
    """Result number `index` of operation `op`."""

    __slots__ = ("op", "index")

    def __init__(self, type: Type, op: Operation, index: int, name=None):
        super().__init__(type, name)
        self.op = op
        self.index = index

    def owner_block(self):
        return self.op.parent

    def __repr__(self):
        return f"<OpResult {self.name or '?'} of {self.op.kind}>"


class BlockArgument(Value):
    """Argument number `index` of `block` (graph inputs, loop counters and carried values)."""

    __slots__ = ("block", "index")

    def __init__(self, type: Type, block: Block, index: int, name=None):
        super().__init__(type, name)
        self.block = block
        self.index = index

    def owner_block(self):
        return self.block

    def __repr__(self):
        return f"<BlockArgument {self.name or '?'} #{self.index}>"


class Operation:
    """One operation: an operator name, operands, results, attributes and nested blocks.

    `loc` is the user's source location the op was built from (None when unknown).
    """

    __slots__ = ("kind", "overload", "_operands", "results", "attrs", "blocks", "parent", "loc")

    def __init__(self, kind, overload="", operands=(), result_types=(), attrs=None, blocks=0):
        self.kind: str = kind
        self.overload: str = overload
        self._operands: list[Value] = []
        self.results = [OpResult(t, self, i) for i, t in enumerate(result_types)]
        self.attrs: dict = dict(attrs or {})
        self.blocks: list[Block] = [Block(self) for _ in range(blocks)]
        self.parent: Block | None = None
        self.loc: SourceLocation | None = None
        for v in operands:
            self.add_operand(v)

    @property
    def qualified_name(self) -> str:
        return f"{self.kind}.{self.overload}" if self.overload else self.kind

    @property
    def operands(self) -> tuple[Value, ...]:
        return tuple(self._operands)

    @property
    def result(self) -> OpResult:
        """The single result (error if the op does not have exactly one)."""
        if len(self.results) != 1:
            raise ValueError(f"{self.kind} has {len(self.results)} results, not 1")
        return self.results[0]

    def add_operand(self, value: Value) -> None:
        if not isinstance(value, Value):
            raise TypeError(f"operand of {self.kind} must be an ir Value, got {value!r}")
        value.uses.append(Use(self, len(self._operands)))
        self._operands.append(value)

    def set_operand(self, index: int, value: Value) -> None:
        old = self._operands[index]
        old.uses = [u for u in old.uses if not (u.op is self and u.index == index)]
        value.uses.append(Use(self, index))
        self._operands[index] = value

    def drop_operands_only(self) -> None:
        """Remove this op's own operand edges (not those of nested ops)."""
        for i, v in enumerate(self._operands):
            v.uses = [u for u in v.uses if not (u.op is self and u.index == i)]
        self._operands = []

    def drop_operands(self) -> None:
        """Remove all operand edges (and those of nested ops), e.g. before erasing."""
        self.drop_operands_only()
        for block in self.blocks:
            for op in block.ops:
                op.drop_operands()

    def erase(self) -> None:
        """Remove this op from its block; its results must be unused."""
        for r in self.results:
            if r.uses:
                raise ValueError(f"cannot erase {self.kind}: result {r.index} still has uses")
        self.drop_operands()
        if self.parent is not None:
            self.parent.ops.remove(self)
            self.parent = None

    def walk(self) -> Iterator[Operation]:
        """This op, then every op nested in its blocks, in order."""
        return _walk(iter((self,)))

    def ancestors(self) -> Iterator[Operation]:
        """The ops whose blocks (transitively) contain this one, innermost first."""
        block = self.parent
        while block is not None and isinstance(block.owner, Operation):
            yield block.owner
            block = block.owner.parent

    def __repr__(self):
        return f"<Operation {self.qualified_name}>"


class Block:
    """An ordered list of operations with typed arguments, owned by an op or a graph."""

    __slots__ = ("owner", "args", "ops")

    def __init__(self, owner=None):
        self.owner: Operation | Graph | None = owner
        self.args: list[BlockArgument] = []
        self.ops: list[Operation] = []

    def add_arg(self, type: Type, name: str | None = None) -> BlockArgument:
        arg = BlockArgument(type, self, len(self.args), name)
        self.args.append(arg)
        return arg

    def insert_arg(self, index: int, type: Type, name: str | None = None) -> BlockArgument:
        """A new argument at position `index` (the later ones move up by one)."""
        arg = BlockArgument(type, self, index, name)
        self.args.insert(index, arg)
        for i, a in enumerate(self.args):
            a.index = i
        return arg

    def erase_arg(self, index: int) -> None:
        if self.args[index].uses:
            raise ValueError(f"block argument {index} still has uses")
        del self.args[index]
        for i, a in enumerate(self.args):
            a.index = i

    def insert(self, index: int, op: Operation) -> None:
        if op.parent is not None:
            raise ValueError(f"{op.kind} is already in a block")
        op.parent = self
        self.ops.insert(index, op)

    def append(self, op: Operation) -> None:
        self.insert(len(self.ops), op)

    @property
    def terminator(self) -> Operation | None:
        if self.ops and self.ops[-1].kind in ("prim::Return", "prim::Yield"):
            return self.ops[-1]
        return None

    @property
    def returns(self) -> tuple[Value, ...]:
        """The values the terminator passes out of this block."""
        term = self.terminator
        return term.operands if term is not None else ()

    def walk(self) -> Iterator[Operation]:
        return _walk(iter(list(self.ops)))

    def __repr__(self):
        return f"<Block args={len(self.args)} ops={len(self.ops)}>"


def _walk(ops: Iterator[Operation]) -> Iterator[Operation]:
    """Each op of `ops`, each followed by the ops nested in its blocks (each block's ops
    listed when the walk reaches it); iterative, as blocks may nest a thousand deep."""
    pending = [ops]
    while pending:
        for op in pending[-1]:
            yield op
            if op.blocks:
                pending.append(itertools.chain.from_iterable(list(b.ops) for b in op.blocks))
                break
        else:
            pending.pop()


class Graph:
    """A function body: graph inputs are the top block's arguments, outputs its return's.

    `name` is the method or function name (used by the `.code` printer); for methods the
    first input is ``self`` with a `ClassType`.
    """

    def __init__(self, name: str = "forward"):
        self.name = name
        self.block = Block(self)
        self.defaults: dict[str, object] = {}
        """Default values of inputs by input name (printed in `.code` signatures)."""
        self.kwonly: set[str] = set()
        """Names of keyword-only inputs (printed after a ``*`` in `.code` signatures)."""
        self.compiled = None
        """A cache slot for the runtime's compiled function; `changed()` clears it."""
        self.revision = 0
        """Counts `changed()` calls: caches of what was printed from the graph compare it."""

    def changed(self) -> None:
        """Call after editing the graph: drops caches derived from it."""
        self.compiled = None
        self.revision += 1

    @property
    def inputs(self) -> list[BlockArgument]:
        return self.block.args

    @property
    def outputs(self) -> tuple[Value, ...]:
        return self.block.returns

    def add_input(self, type: Type, name: str | None = None) -> BlockArgument:
        return self.block.add_arg(type, name)

    def walk(self) -> Iterator[Operation]:
        return self.block.walk()

    def __str__(self):
        return graph_text(self)
