"""Where traced tensors and submodules live in the module tree, and the `prim::GetAttr` chains
that read them.

`ModuleIndex` maps every module of the traced tree to its path from the root and every
parameter and buffer to its owner, so the recorder can tell an attribute (read with GetAttr,
shared with the original module) from a captured tensor (a constant).

GetAttr chains are placed as PyTorch's tracer places them: each new chain goes to the top of
the method's graph, above the chains read before it, so `.code` opens with the attribute
reads in reverse order of first use (``l1 = self.l1`` before ``l0 = self.l0``). Every tensor
attribute gets a chain of its own (``l = self.l; weight = l.weight``), as in PyTorch.

Example:
    >>> import ember.nn as nn
    >>> net = nn.Sequential(nn.Linear(2, 2))
    >>> index = ModuleIndex(net)
    >>> index.path_between(net, net[0]), index.owner(net[0].bias)[1]
    (('0',), 'bias')
"""

from __future__ import annotations

from contextlib import nullcontext

from ember.ir import types as irt
from ember.ir.core import Value
from ember.tensor import Tensor

__all__ = ["ModuleIndex", "get_attr"]

_TENSOR = irt.TensorType.get()


class ModuleIndex:
    """Paths of the modules in a tree (by id) and the owners of its parameters and buffers."""

    def __init__(self, root=None):
        self.paths: dict[int, tuple[str, ...]] = {}
        self.owners: dict[int, tuple[object, str]] = {}
        if root is None:
            return
        for path, m in root.named_modules(remove_duplicate=False):
            self.paths.setdefault(id(m), tuple(path.split(".")) if path else ())
            for name, t in list(m._parameters.items()) + list(m._buffers.items()):
                if t is not None:
                    self.owners.setdefault(id(t), (m, name))

    def owner(self, t):
        """(module, attribute name) holding parameter or buffer `t`, or None."""
        return self.owners.get(id(t))

    def path_between(self, ancestor, module):
        """Attribute names leading from `ancestor` down to `module`, or None if not below it."""
        top, sub = self.paths.get(id(ancestor)), self.paths.get(id(module))
        if top is None or sub is None or sub[: len(top)] != top:
            return None
        return sub[len(top) :]


def get_attr(scope, path: tuple, types) -> Value:
    """The value of ``self.<path>`` in `scope`: read once per path, by a chain placed at the
    top of the graph (see the module docstring). `types` gives submodules' class types."""
    v = scope.attrs.get(path)
    if v is not None:
        return v
    ops = scope.graph.block.ops
    b = scope.b
    with b.inserting_before(ops[0]) if ops else nullcontext(), b.located(None):
        obj, holder = scope.self_value, scope.module
        for name in path:
            holder = getattr(holder, name)
            t = _TENSOR if isinstance(holder, Tensor) else types.of(holder)
            obj = b.get_attr(obj, name, t)
    scope.attrs[path] = obj
    return obj
