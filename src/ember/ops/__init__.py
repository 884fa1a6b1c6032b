"""ember.ops: the op table and the numpy kernels behind it.

Importing this package registers every op: ember's own kernel modules (`k_*.py`) and any
`nn_kernels*.py` module beside them. See `ember.ops.registry` for how to register an op.

Example:
    >>> from ember import ops
    >>> [op.qualified_name for op in ops.overloads("aten::div")][:2]
    ['aten::div.Tensor', 'aten::div.Tensor_mode']
"""

import importlib
import pkgutil

from ember.ops.registry import (
    TRAITS,
    OpDef,
    all_ops,
    expand_int_list,
    get,
    overloads,
    register,
    unregister,
)
from ember.ops.schema import Argument, Schema, parse_schema

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


def _load_kernel_modules() -> None:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__))
    for name in names:
        if name.startswith(("k_", "nn_kernels")):
            importlib.import_module(f"{__name__}.{name}")


_load_kernel_modules()
