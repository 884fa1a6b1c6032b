"""IR passes: dead-code elimination and constant folding.

Passes assume a valid graph and leave it valid (tests run `verify` after each). Each returns
the number of changes it made and calls `Graph.changed()` so compiled code is regenerated.

Side effects come from the op table: an op has them unless its traits say ``pure``
(``prim::Print``, ``aten::append.t``, ``prim::RaiseException``, ``prim::SetAttr``, calls,
in-place and random tensor ops have them); an ``if``/``loop`` is removable only when nothing
inside it has effects.

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> n = b.add_input(T.IntType.get(), "n")
    >>> unused = b.emit("aten::mul.int", n, 3)
    >>> b.return_(b.emit("aten::add.int", b.emit("aten::mul.int", 2, 5), n))
    >>> fold_constants(b.graph), eliminate_dead_code(b.graph)
    (1, 4)
    >>> print(b.graph, end="")
    graph(%n : int):
      %0 : int = prim::Constant[value=10]()
      %1 : int = aten::add(%0, %n)
      return (%1)
"""

from __future__ import annotations

from ember.ir import registry
from ember.ir import types as T  # noqa: N812
from ember.ir.builder import Builder, constant_type
from ember.ir.core import Block, Graph, Operation, OpResult, Value

__all__ = ["eliminate_dead_code", "fold_constants", "pool_constants", "has_side_effects"]


def has_side_effects(op: Operation) -> bool:
    """Whether removing `op` (or anything nested in it) could change what a program does."""
    if op.kind in ("prim::If", "prim::Loop"):
        return any(has_side_effects(inner) for b in op.blocks for inner in b.ops)
    if op.kind in ("prim::Yield", "prim::Return"):
        return False
    sig = registry.lookup(op.qualified_name)
    return sig is None or sig.has_side_effects


# -- dead code ---------------------------------------------------------------------------------


def eliminate_dead_code(graph: Graph) -> int:
    """Remove unused side-effect-free ops, unused if/loop results and loop-carried values."""
    total = 0
    while True:
        changed = _dce_block(graph.block)
        if not changed:
            break
        total += changed
    if total:
        graph.changed()
    return total


def _dce_block(block: Block) -> int:
    changed = 0
    for op in reversed(list(block.ops)):
        if op.kind == "prim::If":
            changed += _trim_if(op)
        elif op.kind == "prim::Loop":
            changed += _trim_loop(op)
        for inner in op.blocks:
            changed += _dce_block(inner)
        terminator = op.kind in ("prim::Yield", "prim::Return")
        if not terminator and not any(r.uses for r in op.results) and not has_side_effects(op):
            op.erase()
            changed += 1
    return changed


def _trim_if(op: Operation) -> int:
    dead = [i for i, r in enumerate(op.results) if not r.uses]
    for i in reversed(dead):
        for block in op.blocks:
            _drop_operand(block.terminator, i)
        _drop_result(op, i)
    return len(dead)


def _trim_loop(op: Operation) -> int:
    body = op.blocks[0]
    dead = [i for i, r in enumerate(op.results) if not r.uses and _only_feeds(body, i + 1)]
    for i in reversed(dead):
        _drop_operand(body.terminator, i + 1)
    if dead:
        while _dce_block(body):
            pass
    for i in reversed(dead):
        _drop_operand(op, i + 2)
        body.erase_arg(i + 1)
        _drop_result(op, i)
    return len(dead)


def _only_feeds(body: Block, slot: int) -> bool:
    """Whether block argument `slot` flows only, through pure ops, into yield slot `slot`."""
    pending, seen = [body.args[slot]], set()
    while pending:
        v = pending.pop()
        for use in v.uses:
            user = use.op
            if user is body.terminator:
                if use.index != slot:
                    return False
            elif user.blocks or has_side_effects(user) or user.parent is not body:
                return False
            elif id(user) not in seen:
                seen.add(id(user))
                pending.extend(user.results)
    return True


def _drop_operand(op: Operation, index: int) -> None:
    values = list(op.operands)
    op.drop_operands_only()
    for i, v in enumerate(values):
        if i != index:
            op.add_operand(v)


def _drop_result(op: Operation, index: int) -> None:
    del op.results[index]
    for i, r in enumerate(op.results):
        r.index = i


# -- constant pooling --------------------------------------------------------------------------


def pool_constants(graph: Graph) -> int:
    """Move every constant to the top of the graph, merging equal ones (as TorchScript's
    constant pooling does; tensors merge only with themselves). Returns the number merged."""
    top = graph.block
    pooled: dict = {}
    merged, index = 0, 0
    for op in list(graph.walk()):
        if op.kind != "prim::Constant":
            continue
        key = _constant_key(op)
        keep = pooled.get(key)
        if keep is not None:
            op.results[0].replace_all_uses_with(keep.results[0])
            op.erase()
            merged += 1
            continue
        pooled[key] = op
        op.parent.ops.remove(op)
        op.parent = None
        top.insert(index, op)
        index += 1
    graph.changed()
    return merged


def _constant_key(op: Operation):
    value = op.attrs.get("value")
    t = op.results[0].type
    if type(value).__name__ == "Tensor":
        return ("tensor", id(value))
    return (str(t), type(value).__name__, repr(value))


# -- constant folding --------------------------------------------------------------------------


def fold_constants(graph: Graph, evaluate=None, max_tensor_numel: int = 64) -> int:
    """Replace pure ops whose operands are all constants by constants of their results.

    Ops on plain values run their kernels. Tensor ops need
    `evaluate(op, values) -> list of results` (`ember.runtime.fold_constants` passes one);
    tensor results are kept only up to `max_tensor_numel` elements, and never for creation
    or nondeterministic ops or results that an in-place op could mutate. An ``if`` whose
    condition is constant is replaced by the branch taken, and a loop that cannot run (a
    constant false condition or trip count <= 0) by its initial values.
    """
    folder = _Folder(graph, evaluate, max_tensor_numel)
    n = folder.block(graph.block)
    if n:
        graph.changed()
    return n


class _Folder:
    def __init__(self, graph, evaluate, max_numel):
        self.b = Builder(graph)
        self.evaluate = evaluate
        self.max_numel = max_numel

    def block(self, block: Block) -> int:
        changed = 0
        for op in list(block.ops):
            if op.parent is None:
                continue
            if op.kind == "prim::If" and _is_const(op.operands[0]):
                changed += 1 + self.inline_branch(op)
                continue
            if op.kind == "prim::Loop" and _never_runs(op):
                for r, init in zip(op.results, op.operands[2:]):
                    r.replace_all_uses_with(init)
                op.erase()
                changed += 1
                continue
            for inner in op.blocks:
                changed += self.block(inner)
            changed += self.fold(op)
        return changed

    def inline_branch(self, op: Operation) -> int:
        taken = op.blocks[0 if _value(op.operands[0]) else 1]
        parent = op.parent
        for inner in list(taken.ops[:-1]):
            taken.ops.remove(inner)
            inner.parent = None
            parent.insert(parent.ops.index(op), inner)
        for r, v in zip(op.results, taken.returns):
            r.replace_all_uses_with(v)
        op.erase()
        return 0

    def fold(self, op: Operation) -> int:
        if not op.results or not all(_is_const(v) for v in op.operands):
            return 0
        sig = registry.lookup(op.qualified_name)
        if sig is None or sig.structural or not sig.opdef.foldable:
            return 0
        values = [_value(v) for v in op.operands]
        try:
            results = self.compute(op, sig, values)
        except Exception:  # noqa: BLE001 - an op that fails is left for run time
            return 0
        if results is None or not all(self.storable(r, v) for r, v in zip(op.results, results)):
            return 0
        with self.b.inserting_before(op), self.b.located(op.loc):
            for r, value in zip(op.results, results):
                c = self.b.constant(value, r.type)
                c.name = r.name
                r.replace_all_uses_with(c)
        op.erase()
        return 1

    def compute(self, op, sig, values):
        if sig.opdef.value_only:
            return [sig.opdef.kernel(*values)]
        if self.evaluate is None:
            return None
        return list(self.evaluate(op, values))

    def storable(self, result: OpResult, value) -> bool:
        if isinstance(result.type, T.TensorType):
            numel = getattr(value, "numel", lambda: self.max_numel + 1)()
            return numel <= self.max_numel and not _maybe_mutated(result)
        if isinstance(result.type, T.ListType | T.DictType):
            return False
        try:
            constant_type(value)
        except Exception:  # noqa: BLE001
            return False
        return True


def _never_runs(loop: Operation) -> bool:
    trip, cond = loop.operands[:2]
    if _is_const(cond) and _value(cond) is False:
        return True
    return _is_const(trip) and isinstance(_value(trip), int) and _value(trip) <= 0


def _maybe_mutated(v: Value) -> bool:
    for use in v.uses:
        sig = registry.lookup(use.op.qualified_name)
        if sig is None or {"inplace", "view"} & sig.traits or use.op.kind.startswith("prim::Call"):
            return True
    return False


def _is_const(v: Value) -> bool:
    return isinstance(v, OpResult) and v.op.kind == "prim::Constant"


def _value(v: Value):
    return v.op.attrs.get("value")
