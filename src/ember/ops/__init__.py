"""ember.ops: the op table and the numpy kernels behind it.

Importing this package registers every op: ember's own kernel modules (`k_*.py`) and any
`nn_kernels*.py` module beside them. See `ember.ops.table` for how to register an op.

Example:
    >>> from ember import ops
    >>> [op.qualified_name for op in ops.overloads("aten::div")][:2]
    ['aten::div.Tensor', 'aten::div.Tensor_mode']
"""

from ember.ops import kernels
from ember.ops.schema import Argument, Schema, parse_schema
from ember.ops.table import (
    TRAITS,
    OpDef,
    all_ops,
    expand_int_list,
    get,
    overloads,
    register,
    unregister,
)

__all__ = [
    "OpDef",
    "Argument",
    "Schema",
    "TRAITS",
    "register",
    "unregister",
    "get",
    "overloads",
    "all_ops",
    "parse_schema",
    "expand_int_list",
]


kernels.load()
