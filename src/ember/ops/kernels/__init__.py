"""The kernels behind the op table, one op family per module.

`MODULES` lists every module that registers ops, in registration order (the order of an
op's overloads follows it): first the IR's structural prims and TorchScript's builtins on
Python values, then the numpy kernels of the tensor ops. A module that is not listed here
is never imported: add new ones to the list (a test checks that every module that calls
`register` is listed). The other modules here are helpers the kernels share.
"""

import importlib

__all__ = ["MODULES", "load"]

MODULES = (
    "prims",
    "scalars",
    "containers",
    "mathlib",
    "conversions",
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
    "activations",
    "norm_group",
    "resample",
    "padding",
    "bernoulli",
    "differences",
    "grad_query",
    "pool_extra",
    "attention",
    "rnn",
)


def load() -> None:
    """Import every kernel module (each registers its ops when imported)."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
