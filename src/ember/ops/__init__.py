"""ember.ops: the op table and the kernels behind it.

Importing this package registers every op: the modules listed in
`ember.ops.kernels.MODULES`. See `ember.ops.table` for what an entry holds and how to
register one, and `ember.ops.operators` for the Python operators.

Example:
    >>> from ember import ops
    >>> [op.qualified_name for op in ops.overloads("aten::div")][:2]
    ['aten::div.int', 'aten::div.float']
    >>> [op.qualified_name for op in ops.by_face("Tensor.div")][:2]
    ['aten::div.Tensor', 'aten::div.Tensor_mode']
"""

from ember.ops import kernels  #
from ember.ops.schema import Argument, Schema, parse_schema
from ember.ops.table import (
    FACE_NAMESPACES,
    TRAITS,
    OpDef,
    all_ops,
    by_face,
    expand_int_list,
    faces,
    get,
    overloads,
    register,
    register_lines,
    unregister,
)

__all__ = [
    "OpDef",
    "Argument",
    "Schema",
    "TRAITS",
    "FACE_NAMESPACES",
    "register",
    "register_lines",
    "unregister",
    "get",
    "overloads",
    "by_face",
    "faces",
    "all_ops",
    "parse_schema",
    "expand_int_list",
]

kernels.load()
