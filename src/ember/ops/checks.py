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

import numpy as np

from ember import dtypes

__all__ = [
    "kind_of", "cpp_name", "c_type_name", "not_implemented", "require", "no_complex",
    "scalar_fits",
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


def scalar_fits(value, d) -> None:
    """Refuse a Python int that ember dtype `d` (an integer type) cannot hold, as PyTorch does
    when a kernel converts a scalar argument (clamp bounds, pow exponents).

    >>> scalar_fits(300, dtypes.uint8)
    Traceback (most recent call last):
      ...
    RuntimeError: value cannot be converted to type uint8_t without overflow
    """
    if value.__class__ is not int:
        return
    if not -(2**63) <= value < 2**64:  # what PyTorch's argument parser accepts
        raise OverflowError("int too big to convert")
    if d.kind in "iu":
        info = np.iinfo(d.np)
        low = -int(info.max) if d.kind == "u" else int(info.min)  # c10 lets -x wrap unsigned
        if not low <= value <= info.max:
            name = "int" if d is dtypes.int32 else f"{d.name}_t"
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
