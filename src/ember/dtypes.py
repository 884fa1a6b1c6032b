"""Data types and PyTorch's type promotion rules.

A leaf module: it imports only numpy and ml_dtypes. Each `dtype` carries the facts the rest of
ember needs (numpy dtype, PyTorch ScalarType number, storage class name), so no other module
keeps a dtype table of its own.

Example:
    >>> from ember import dtypes
    >>> dtypes.promote_types(dtypes.uint8, dtypes.int8)
    ember.int16
    >>> dtypes.result_type((dtypes.int32, 1), 2.5)
    ember.float32
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

__all__ = [
    "dtype",
    "bool_",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "ALL_DTYPES",
    "CONVERSION_METHODS",
    "by_name",
    "from_numpy",
    "from_scalar_type",
    "from_storage_name",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
    "scalar_dtype",
    "astype",
]


class dtype:  # noqa: N801 - PyTorch's spelling
    """One tensor element type, e.g. `ember.float32`.

    Attributes:
        name: PyTorch's canonical name ("float32").
        np: the numpy dtype that stores it.
        itemsize: bytes per element.
        scalar_type: PyTorch's ScalarType number (written in TorchScript archives).
        storage_name: PyTorch's legacy storage class ("FloatStorage"), the checkpoint global.
        kind: "b" bool, "u"/"i" integer, "f" floating, "c" complex.
        cpp_name: PyTorch's C++ ScalarType name ("Float"), as its kernel errors spell it.
    """

    __slots__ = (
        "name", "np", "itemsize", "scalar_type", "storage_name", "kind", "cpp_name", "_aliases"
    )  # fmt: skip

    def __init__(self, name, np_dtype, scalar_type, storage_name, kind, aliases=()):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.scalar_type = scalar_type
        self.storage_name = storage_name
        self.kind = kind
        self.cpp_name = storage_name.removesuffix("Storage")
        self._aliases = aliases

    @property
    def is_floating_point(self) -> bool:
        return self.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.kind == "c"

    @property
    def is_signed(self) -> bool:
        return self.kind in "ifc"

    def to_complex(self) -> dtype:
        return {float64: complex128}.get(self, complex64) if self.kind == "f" else self

    def to_real(self) -> dtype:
        return {complex64: float32, complex128: float64}.get(self, self)

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self):
        return (by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 11, "BoolStorage", "b")
uint8 = dtype("uint8", np.uint8, 0, "ByteStorage", "u")
int8 = dtype("int8", np.int8, 1, "CharStorage", "i")
int16 = dtype("int16", np.int16, 2, "ShortStorage", "i", ("short",))
int32 = dtype("int32", np.int32, 3, "IntStorage", "i", ("int",))
int64 = dtype("int64", np.int64, 4, "LongStorage", "i", ("long",))
float16 = dtype("float16", np.float16, 5, "HalfStorage", "f", ("half",))
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, 15, "BFloat16Storage", "f")
float32 = dtype("float32", np.float32, 6, "FloatStorage", "f", ("float",))
float64 = dtype("float64", np.float64, 7, "DoubleStorage", "f", ("double",))
complex64 = dtype("complex64", np.complex64, 9, "ComplexFloatStorage", "c", ("cfloat",))
complex128 = dtype("complex128", np.complex128, 10, "ComplexDoubleStorage", "c", ("cdouble",))

ALL_DTYPES = (
    bool_, uint8, int8, int16, int32, int64,
    float16, bfloat16, float32, float64, complex64, complex128,
)  # fmt: skip

CONVERSION_METHODS = {
    "float": float32, "double": float64, "half": float16, "bfloat16": bfloat16, "long": int64,
    "int": int32, "short": int16, "char": int8, "byte": uint8, "bool": bool_,
    "cfloat": complex64, "cdouble": complex128,
}  # fmt: skip
"""Tensor methods that convert to a dtype (``t.float()`` is ``t.to(ember.float32)``)."""

_BY_NAME = {d.name: d for d in ALL_DTYPES} | {a: d for d in ALL_DTYPES for a in d._aliases}
_BY_NP = {d.np: d for d in ALL_DTYPES}
_BY_SCALAR_TYPE = {d.scalar_type: d for d in ALL_DTYPES}
_BY_STORAGE = {d.storage_name: d for d in ALL_DTYPES}


def by_name(name: str) -> dtype:
    """The dtype called `name` ("float32", "float", "long", ...); KeyError if unknown."""
    return _BY_NAME[name]


def from_numpy(np_dtype) -> dtype:
    """The ember dtype stored as `np_dtype`; TypeError for numpy types PyTorch lacks."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"numpy dtype {np_dtype!r} has no ember equivalent") from None


def from_scalar_type(number: int) -> dtype:
    """The dtype with PyTorch ScalarType `number`; KeyError if ember lacks it."""
    return _BY_SCALAR_TYPE[number]


def from_storage_name(name: str) -> dtype:
    """The dtype of PyTorch's storage class `name` ("FloatStorage"); KeyError if unknown."""
    return _BY_STORAGE[name]


_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype of floating tensors made from Python floats (float32 unless changed)."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype; only floating dtypes are allowed, as in PyTorch."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's `promote_types`: the smallest dtype both `a` and `b` convert to safely."""
    if a is b:
        return a
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        low, high = (a, b) if ca < cb else (b, a)
        if high.kind == "c" and low.kind == "f":
            return complex128 if low is float64 else high
        return high
    if a.kind == "c":
        return a if a.itemsize > b.itemsize else b
    if a.kind == "f":
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a.itemsize > b.itemsize else b
    return _promote_integers(a, b)


def _promote_integers(a: dtype, b: dtype) -> dtype:
    if a.kind == "u" or b.kind == "u":
        signed = b if a.kind == "u" else a
        return signed if signed.itemsize > 1 else int16
    return a if a.itemsize > b.itemsize else b


def scalar_dtype(value) -> dtype:
    """The dtype PyTorch gives a Python scalar on its own (bool, int64, default float, complex)."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return get_default_dtype()
    if isinstance(value, complex):
        return get_default_dtype().to_complex()
    raise TypeError(f"expected a Python scalar, got {type(value).__name__}")


def _combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """PyTorch's `result_type` over tensors and Python scalars.

    Each operand is either a Python scalar or a pair `(dtype, ndim)` describing a tensor.
    Dimensioned tensors win over 0-d tensors, which win over Python scalars, unless a lower
    class belongs to a higher category (bool < integer < floating < complex).

    Example:
        >>> result_type((uint8, 1), (int64, 0))
        ember.uint8
        >>> result_type((int64, 1), 1.5)
        ember.float32
    """
    dims = zeros = wrapped = None
    for op in operands:
        if isinstance(op, tuple):
            d, ndim = op
            if ndim:
                dims = d if dims is None else promote_types(dims, d)
            else:
                zeros = d if zeros is None else promote_types(zeros, d)
        else:
            d = scalar_dtype(op)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    result = _combine_categories(dims, _combine_categories(zeros, wrapped))
    if result is None:
        raise TypeError("result_type needs at least one operand")
    return result


_BF16_NP = np.dtype(ml_dtypes.bfloat16)
_F32_NP = np.dtype(np.float32)


def astype(array: np.ndarray, target: np.dtype, order: str = "K") -> np.ndarray:
    """`array` converted to numpy dtype `target` as PyTorch converts (always a new array).

    ml_dtypes saturates bfloat16 -> integer casts, PyTorch truncates then wraps like the
    float32 -> integer casts (bfloat16 300.0 -> int8 44); going through float32 is exact.

    Example:
        >>> astype(np.array([300.0], ml_dtypes.bfloat16), np.dtype(np.int8)).tolist()
        [44]
    """
    if array.dtype == _BF16_NP and target.kind in "iu":
        array = array.astype(_F32_NP)
    return array.astype(target, order=order)
