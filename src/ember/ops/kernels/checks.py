"""dtype support checks for kernels, raising the errors PyTorch's CPU kernels raise.

PyTorch dispatches each kernel over a fixed set of dtypes; any other dtype fails with
`NotImplementedError('"<kernel>" not implemented for \\'<C++ type name>\\'')` (a subclass of
RuntimeError). Kernels call these helpers first, so ember refuses exactly what PyTorch
refuses, with the same exception type and message.

Kinds are numpy-style letters: "b" bool, "u"/"i" integers, "f" floating (float16, bfloat16,
float32, float64), "c" complex.

Example:
    >>> import numpy as np
    >>> require("abs_cpu", np.array([True]), "uifc")
    Traceback (most recent call last):
      ...
    NotImplementedError: "abs_cpu" not implemented for 'Bool'
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np

from ember import dtypes

__all__ = [
    "kind_of", "cpp_name", "c_type_name", "not_implemented", "require", "no_complex",
    "scalar_fits", "fill_fits", "wrap_dim",
]  # fmt: skip

_BY_NP = {d.np: d for d in dtypes.ALL_DTYPES}


def _dtype(x) -> dtypes.dtype:
    if isinstance(x, dtypes.dtype):
        return x
    return _BY_NP[x.dtype if hasattr(x, "dtype") else np.dtype(x)]


def kind_of(x) -> str:
    """The kind letter of an array, numpy dtype or ember dtype (bfloat16 counts as "f")."""
    return _dtype(x).kind


def cpp_name(x) -> str:
    """PyTorch's C++ name of x's dtype ('Float', 'Long', 'ComplexDouble', ...).

    >>> cpp_name(np.zeros(1, np.int8))
    'Char'
    """
    return _dtype(x).cpp_name


_C_TYPES = {
    "Bool": "bool", "Byte": "unsigned char", "Char": "signed char", "Short": "short int",
    "Int": "int", "Long": "long int", "Half": "c10::Half", "BFloat16": "c10::BFloat16",
    "Float": "float", "Double": "double", "ComplexFloat": "c10::complex<float>",
    "ComplexDouble": "c10::complex<double>",
}  # fmt: skip


def c_type_name(x) -> str:
    """The C++ element type PyTorch prints for x's dtype in some messages ('float', 'long int').

    >>> c_type_name(np.zeros(1, np.float64))
    'double'
    """
    return _C_TYPES[cpp_name(x)]


def not_implemented(kernel: str, x) -> NotImplementedError:
    """The error PyTorch raises when `kernel` has no implementation for x's dtype."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{cpp_name(x)}'")


def require(kernel: str, x, kinds: str) -> None:
    """Raise `not_implemented(kernel, x)` unless x's dtype is of one of `kinds`."""
    if kind_of(x) not in kinds:
        raise not_implemented(kernel, x)


def no_complex(x, message: str, error=NotImplementedError) -> None:
    """Raise `error(message)` when x's dtype is complex (PyTorch's explicit complex refusals).

    >>> no_complex(np.zeros(1, np.complex64), "clamp is not supported for complex types")
    Traceback (most recent call last):
      ...
    NotImplementedError: clamp is not supported for complex types
    """
    if kind_of(x) == "c":
        raise error(message)


_C10_NAMES = {
    "Byte": "uint8_t", "Char": "int8_t", "Short": "int16_t", "Int": "int", "Long": "int64_t",
    "Half": "c10::Half", "BFloat16": "c10::BFloat16", "Float": "float", "Double": "double",
    "ComplexFloat": "c10::complex<float>", "ComplexDouble": "c10::complex<double>",
}  # fmt: skip


def _limits(d) -> tuple:
    """(lowest, max) of ember dtype d's values (of each part, for complex)."""
    if d.kind in "iu":
        info = np.iinfo(d.np)
        return int(info.min), int(info.max)
    info = ml_dtypes.finfo(d.to_real().np)
    return float(info.min), float(info.max)


def _part_overflows(v, d) -> bool:
    """c10::overflows for one real Python value converted to d."""
    low, high = _limits(d)
    if v.__class__ is int:
        if d.kind == "u":  # negative ints wrap into unsigned types (two's complement)
            return v > high or -v > high
        return not low <= v <= high
    if math.isinf(v):
        return d.kind in "iu"
    if math.isnan(v):
        return d.kind in "iu"
    return not low <= v <= high


def scalar_fits(value, d) -> None:
    """Refuse a Python number that dtype `d` cannot hold, as PyTorch does when a kernel
    converts a Scalar argument (full and fill_ values, clamp bounds, pow exponents).

    >>> scalar_fits(300, dtypes.uint8)
    Traceback (most recent call last):
      ...
    RuntimeError: value cannot be converted to type uint8_t without overflow
    """
    if value.__class__ is int and not -(2**63) <= value < 2**64:  # PyTorch's argument parser
        raise OverflowError("int too big to convert")
    if value.__class__ is bool or d.kind == "b" or not isinstance(value, (int, float, complex)):
        return
    if isinstance(value, complex):
        parts = [value.real, value.imag] if d.kind == "c" else [value.real]
        bad = (d.kind != "c" and value.imag != 0) or any(_part_overflows(v, d) for v in parts)
    else:
        bad = _part_overflows(value, d)
    if bad:
        name = _C10_NAMES[d.cpp_name]
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def fill_fits(value, d, numel: int) -> None:
    """`scalar_fits` as PyTorch's fill_ and full apply it: a one-element float16/bfloat16
    tensor takes any real value unchecked (1e10 becomes inf) and checks a complex one as
    double; everything else is checked against the tensor's own dtype."""
    if numel == 1 and d in (dtypes.float16, dtypes.bfloat16):
        d = dtypes.float64 if isinstance(value, complex) else dtypes.bool_  # bool: parse only
    scalar_fits(value, d)


def wrap_dim(dim: int, ndim: int) -> int:
    """`dim` wrapped into [0, ndim) (0-d tensors accept -1 and 0); IndexError otherwise.

    >>> wrap_dim(-1, 3), wrap_dim(0, 0)
    (2, 0)
    """
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n
