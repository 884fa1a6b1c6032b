"""Budgets for what a pickle may make the allowlisting unpickler build and do.

Three limits, each refused with a `SerializationError` that names it (docs/serialization.md,
"Budgets", gives the figures and why):

- **nesting**: containers (tuples, lists, dicts, sets) nest at most `MAX_DEPTH` deep, counted
  as they are built. Hashing a tuple recurses in C with no check: 200,000 nested tuples used
  as a dict key killed the process.
- **work**: hashing keys, and the elements builtins such as `set` iterate, cost steps; a
  pickle may spend `WORK_PER_BYTE` steps per byte of pickle + `WORK_SLACK`. A memo-doubled
  tuple (2**40 leaves in 800 bytes) is costed, not hashed; a tensor's elements cost
  `TENSOR_ITEM_WORK` each, since iterating makes a tensor object of each.
- **collisions**: at most `MAX_SAME_HASH` keys of one dict or set may share a hash (each key
  inserted is compared with every earlier one of its hash: 50,000 took 20 s).

Example:
    >>> limits = PickleLimits(100, "data.pkl")
    >>> t = 0
    >>> for _ in range(40):
    ...     t = limits.nested((t, t), (t, t))
    >>> limits.keys(None, [t])
    Traceback (most recent call last):
    ...
    ember.errors.SerializationError: data.pkl: hashing a key of 2199023255551 steps ...
"""

from __future__ import annotations

from ember.errors import SerializationError
from ember.tensor import Tensor

__all__ = [
    "PickleLimits",
    "LimitedContainers",
    "MAX_DEPTH",
    "WORK_PER_BYTE",
    "WORK_SLACK",
    "MAX_SAME_HASH",
]

MAX_DEPTH = 1000
WORK_PER_BYTE, WORK_SLACK = 16, 1 << 20
TENSOR_ITEM_WORK = 256
MAX_SAME_HASH = 64
_CONTAINERS = (tuple, list, dict, set, frozenset)
_LEAVES = frozenset({int, float, bool, str, bytes, complex, type(None), Tensor})
_HASH_SEEDED = (str, bytes)  # randomised hashes: collisions cannot be planned
_SMALL_INT = 2**61 - 1  # ints below this hash to themselves (but -1 and -2 share)


class PickleLimits:
    """The budgets of one unpickling of `size` bytes of pickle, named `what` in errors."""

    def __init__(self, size: int, what: str):
        self.what = what
        self.work = WORK_PER_BYTE * size + WORK_SLACK
        self.budget = self.work
        self._depths: dict[int, int] = {}  # id -> depth, for containers deeper than 1
        self._held: list = []  # keeps those containers alive, so their ids stay theirs
        self._costs: dict[int, tuple] = {}  # id -> (tuple, cost of hashing it)
        self._same_hash: dict[tuple, int] = {}  # (container id, hash) -> keys so far
        self._fresh = 0  # numbers containers that do not exist yet (set(...), DICT)

    # -- nesting -----------------------------------------------------------------------------

    def depth(self, obj) -> int:
        """How deep `obj` nests: 0 for a leaf, 1 for a container of leaves, and so on."""
        return self._deepest((obj,))

    def _deepest(self, children) -> int:
        depths, deepest = self._depths, 0
        for child in children:  # the hot loop of unpickling: leaves cost one set lookup
            if type(child) in _LEAVES:
                continue
            found = depths.get(id(child))
            if found is None:
                found = 1 if isinstance(child, _CONTAINERS) else 0
            if found > deepest:
                deepest = found
        return deepest

    def nested(self, obj, children):
        """`obj`, a container just built holding `children`; refused if it nests too deep."""
        self._set_depth(obj, self._deepest(children) + 1)
        return obj

    def grew(self, obj, *children) -> None:
        """`children` were added to `obj` (a container, or an object given state)."""
        depth = self._deepest(children) + 1
        if depth > 1 and depth > self._depths.get(id(obj), 1):
            self._set_depth(obj, depth)

    def _set_depth(self, obj, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise SerializationError(
                f"{self.what}: containers nest more than {MAX_DEPTH} deep (the nesting budget)"
            )
        if depth > 1:
            if id(obj) not in self._depths:
                self._held.append(obj)
            self._depths[id(obj)] = depth

    # -- work --------------------------------------------------------------------------------

    def charge(self, steps: int, doing: str) -> None:
        self.work -= steps
        if self.work < 0:
            raise SerializationError(
                f"{self.what}: {doing} of {steps} steps exceeds the work budget "
                f"({self.budget} steps: {WORK_PER_BYTE} per byte of pickle + {WORK_SLACK})"
            )

    def keys(self, container, keys) -> None:
        """Charge hashing `keys` into `container` (None: a new one); refuse hash floods."""
        self._fresh += 1
        token = id(container) if container is not None else -self._fresh
        for key in keys:
            self.charge(self.hash_cost(key), "hashing a key")
            if isinstance(key, _HASH_SEEDED) or (type(key) is int and abs(key) < _SMALL_INT):
                continue
            slot = (token, hash(key))
            count = self._same_hash.get(slot, 0) + 1
            self._same_hash[slot] = count
            if count > MAX_SAME_HASH:
                raise SerializationError(
                    f"{self.what}: more than {MAX_SAME_HASH} keys of one dict or set share one "
                    "hash value (the collision budget)"
                )

    def iterated(self, who: str, arg) -> None:
        """Charge a builtin (`set`, `Counter`, ...) called from the file iterating `arg`."""
        if isinstance(arg, Tensor):
            count = arg.shape[0] if arg.dim() else 0
            self.charge(count * TENSOR_ITEM_WORK, f"{who} iterating a tensor of {count} rows")
        elif isinstance(arg, (_CONTAINERS, str, bytes)):
            self.charge(len(arg), f"{who} iterating {len(arg)} items")

    def hash_cost(self, key) -> int:
        """Steps to hash `key`: a tuple's hash visits every leaf, shared or not (not cached)."""
        if isinstance(key, int) and not isinstance(key, bool):
            return 1 + key.bit_length() // 1024
        if isinstance(key, frozenset):
            return 1 + len(key)
        if not isinstance(key, tuple):
            return 1
        return self._tuple_cost(key)

    def _tuple_cost(self, root: tuple) -> int:
        costs = self._costs
        stack = [root]
        while stack:  # post-order over distinct tuples; shared ones are costed once
            t = stack[-1]
            if id(t) in costs:
                stack.pop()
                continue
            pending = [c for c in t if isinstance(c, tuple) and id(c) not in costs]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            total = 1
            for c in t:
                total += costs[id(c)][1] if isinstance(c, tuple) else self.hash_cost(c)
            costs[id(t)] = (t, total)
        return costs[id(root)][1]


class LimitedContainers:
    """The container opcodes of the pure unpickler, with `self.limits` (a `PickleLimits`)
    counting nesting and hashing. The class using it defines `_check_list(target)` and
    `_check_dict(target)`, which return the target or refuse it."""

    def load_tuple(self):
        items = self.pop_mark()
        self.append(self.limits.nested(tuple(items), items))

    def load_tuple1(self):
        self.stack[-1] = self.limits.nested((self.stack[-1],), self.stack[-1:])

    def load_tuple2(self):
        self.stack[-2:] = [self.limits.nested(tuple(self.stack[-2:]), self.stack[-2:])]

    def load_tuple3(self):
        self.stack[-3:] = [self.limits.nested(tuple(self.stack[-3:]), self.stack[-3:])]

    def load_list(self):
        items = self.pop_mark()
        self.append(self.limits.nested(items, items))

    def load_dict(self):
        items = self.pop_mark()
        if len(items) % 2:
            raise SerializationError(f"{self.what}: DICT with an odd number of items")
        self.limits.keys(None, items[::2])
        pairs = {items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)}
        self.append(self.limits.nested(pairs, items))

    def load_frozenset(self):
        items = self.pop_mark()
        self.limits.keys(None, items)
        self.append(self.limits.nested(frozenset(items), items))

    def load_append(self):
        value = self.stack.pop()
        target = self._check_list(self.stack[-1])
        target.append(value)
        self.limits.grew(target, value)

    def load_appends(self):
        items = self.pop_mark()
        target = self._check_list(self.stack[-1])
        target.extend(items)
        self.limits.grew(target, *items)

    def load_setitem(self):
        value = self.stack.pop()
        key = self.stack.pop()
        target = self._check_dict(self.stack[-1])
        if isinstance(target, dict):
            self.limits.keys(target, (key,))
        target[key] = value
        self.limits.grew(target, key, value)

    def load_setitems(self):
        items = self.pop_mark()
        target = self._check_dict(self.stack[-1])
        if isinstance(target, dict):
            self.limits.keys(target, items[::2])
        for i in range(0, len(items) - 1, 2):
            target[items[i]] = items[i + 1]
        self.limits.grew(target, *items)

    def load_additems(self):
        items = self.pop_mark()
        target = self.stack[-1]
        if type(target) is not set:
            self._refuse(f"ADDITEMS on {type(target).__name__}")
        self.limits.keys(target, items)
        target.update(items)
        self.limits.grew(target, *items)
