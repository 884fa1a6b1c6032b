"""The numpy kernels behind the op table, one op family per module.

`MODULES` lists every kernel module, in the order they register (the order of an op's
overloads follows it). A kernel module that is not listed here is never imported: add new
ones to the list.
"""

import importlib

__all__ = ["MODULES", "load"]

MODULES = (
    "arith",
    "compare",
    "create",
    "extra",
    "inplace",
    "join",
    "linalg",
    "order",
    "reduce",
    "split",
    "unary",
    "view",
    "view_dtype",
    "nn",
    "nn_norm",
    "nn_pool",
)


def load() -> None:
    """Import every kernel module (each registers its ops when imported)."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
