"""Kernels between tensors and Python values: ``int(t)``, ``t.item()``, dtype and device
queries, numbers made into 0-d tensors, and ``ember.tensor(data)`` in scripted code.

Example:
    >>> import numpy as np
    >>> num_to_tensor(2.5).dtype, scalar_type(np.zeros(1, np.int32)), to_int(np.array(-2.7))
    (dtype('float64'), 3, -2)
"""

from __future__ import annotations

import numpy as np

from ember import dtypes
from ember.devices import check_cpu, device
from ember.ops.kernels.pydata import from_data, python_scalar
from ember.ops.table import register

__all__ = [
    "num_to_tensor",
    "scalar_type",
    "is_floating_point",
    "to_int",
    "to_float",
    "to_bool",
    "tensor",
]

_NUMBER_DTYPES = {bool: np.bool_, int: np.int64, float: np.float64, complex: np.complex128}


def num_to_tensor(x) -> np.ndarray:
    """A 0-d array holding the number (bool, int64, float64 or complex128)."""
    return np.array(x, dtype=_NUMBER_DTYPES.get(type(x), np.float64))


def scalar_type(a) -> int:
    """The array's dtype as PyTorch's ScalarType number."""
    return dtypes.from_numpy(a.dtype).scalar_type


def is_floating_point(a) -> bool:
    """Whether the array's dtype is a floating point one (float16/32/64, bfloat16, ...)."""
    return dtypes.from_numpy(a.dtype).is_floating_point


def to_int(a) -> int:
    """The one element as an int, truncated toward zero."""
    return int(python_scalar(a))


def to_float(a) -> float:
    """The one element as a float."""
    return float(python_scalar(a))


def to_bool(a) -> bool:
    """The truth of the one element."""
    return bool(python_scalar(a))


def tensor(data, dtype=None, device=None, requires_grad=False) -> np.ndarray:
    """A new array holding a number or (nested) list; the dtype inferred as ember.tensor's."""
    check_cpu(device)
    return from_data(data, dtype)


_T = "*, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor"
register("aten::item(Tensor self) -> Scalar", python_scalar, faces="Tensor",
         doc="the number in a one-element tensor")  # fmt: skip
for _schema, _kernel, _doc in (
    ("prim::dtype(Tensor a) -> int", scalar_type, "the tensor's ScalarType number"),
    ("prim::device(Tensor a) -> Device", lambda a: "cpu", "the tensor's device"),
    ("prim::is_cuda(Tensor a) -> bool", lambda a: False, "ember tensors live on the CPU"),
    ("prim::is_nested(Tensor a) -> bool", lambda a: False, "ember has no nested tensors"),
    (
        "prim::requires_grad(Tensor a) -> bool",
        lambda a: False,
        "False: ember records no gradients, so no tensor needs one (MHA's fast-path test)",
    ),
    ("prim::type(Device self) -> str", lambda d: str(d).split(":")[0], "a device's type"),
    ("aten::Int.Tensor(Tensor a) -> int", to_int, "the one element as int (truncating)"),
    ("aten::Float.Tensor(Tensor a) -> float", to_float, "the one element as float"),
    ("aten::Bool.Tensor(Tensor a) -> bool", to_bool, "truthiness of the one element"),
    ("aten::IntImplicit(Tensor a) -> int", to_int, "a 0-d tensor passed as int"),
    ("aten::FloatImplicit(Tensor a) -> float", to_float, "a 0-d tensor as float"),
    ("aten::ScalarImplicit(Tensor a) -> Scalar", python_scalar, "a 0-d tensor as a number"),
):
    register(_schema, _kernel, doc=_doc)
register("aten::is_floating_point(Tensor self) -> bool", is_floating_point, faces="ember Tensor",
         doc="whether the dtype is a floating point one (the div upgraders ask)")  # fmt: skip
register(
    "prim::NumToTensor.Scalar(Scalar a) -> Tensor", num_to_tensor, doc="a 0-d tensor of the number"
)
register("aten::device(str a) -> Device", device, traits=("pure",),
         doc="the device a string names (torch.device in archive code)")  # fmt: skip
register("aten::device.with_index(str type, int index) -> Device", device, traits=("pure",),
         doc="the device of a type and an index")  # fmt: skip
for _t in ("int", "float", "bool"):
    register(f"aten::tensor.{_t}({_t} t, {_T}", tensor, traits=("creation",),
             doc="a new 0-d tensor holding the number")  # fmt: skip
register(f"aten::tensor(t[] data, {_T}", tensor, traits=("creation",),
         doc="a new tensor from (nested) lists")  # fmt: skip
